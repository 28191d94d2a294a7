//! The AM and waveshaping voices (`voices.md` §3.4–§3.6): `stereo_am_independent`,
//! `wave_shape_stereo_am` and `rhythmic_waveshaping`. Lift-form AM (§2.5), the tanh shaper
//! (§2.8) and, for the rhythmic voice, its own pan law (§2.7). All class E.

use crate::osc::{Carrier, Clock};
use crate::plan::Params;
use crate::ramp::{Lerp, Ramp};
use crate::shapes::{cos_cycles, sin_cycles};
use crate::Result;

use super::common::{carried_clock, carried_phase, fill_alpha, shaper, LiftAm};
use super::{take, Buf};
use super::{Placement, Signature, Voice, VoiceState};

fn lerp(p: &Params, key: &str, default: f64, lo: f64, hi: f64) -> Result<Lerp> {
    p.pair_in(key, default, lo, hi).map(Lerp::new)
}

fn rate(p: &Params, key: &str, default: f64) -> Result<Lerp> {
    p.pair_min(key, default, 0.0).map(Lerp::new)
}

fn lift(
    p: &Params,
    depth: &str,
    rate_key: &str,
    phase: Option<&str>,
    defaults: (f64, f64, f64),
) -> Result<LiftAm> {
    Ok(LiftAm {
        depth: lerp(p, depth, defaults.0, 0.0, 1.0)?,
        rate_hz: rate(p, rate_key, defaults.1)?,
        phase_rad: match phase {
            Some(k) => Lerp::new(p.pair(k, defaults.2)?),
            None => Lerp::constant(0.0),
        },
    })
}

/// Multiplies `out` by the lift AM (or leaves it when the depth is 0 at both ends).
#[inline]
fn apply_lift(
    am: &LiftAm,
    clock: &Clock,
    m0: u64,
    alpha: &[f64],
    out: &mut [f64],
    tmp: &mut [f64],
) {
    if am.is_active() {
        let m = &mut tmp[..out.len()];
        am.fill(clock, m0, alpha, m);
        for (o, g) in out.iter_mut().zip(m.iter()) {
            *o *= g;
        }
    }
}

/// Writes amp(α)·out for each frame.
#[inline]
fn scale(amp: &Lerp, alpha: &[f64], out: &mut [f64]) {
    if amp.is_const() {
        let a = amp.start;
        out.iter_mut().for_each(|o| *o *= a);
    } else {
        for (o, &al) in out.iter_mut().zip(alpha.iter()) {
            *o *= amp.at(al);
        }
    }
}

/// The shaper over a block, with a drive that may ramp.
#[inline]
fn shape(s: &Lerp, alpha: &[f64], x: &mut [f64]) {
    if s.is_const() {
        let s = s.start;
        if s >= 1e-4 {
            let inv = 1.0 / s.tanh();
            x.iter_mut().for_each(|v| *v = (s * *v).tanh() * inv);
        }
    } else {
        for (v, &a) in x.iter_mut().zip(alpha.iter()) {
            *v = shaper(*v, s.at(a));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// stereo_am_independent (§3.4)

#[derive(Debug, Clone)]
pub struct StereoAm {
    amp: Lerp,
    carrier_hz: Lerp,
    width_hz: Lerp,
    am: [LiftAm; 2],
}

impl StereoAm {
    pub fn parse(p: &Params) -> Result<StereoAm> {
        let ear = |side: &str| {
            lift(
                p,
                &format!("mod_depth_{side}"),
                &format!("mod_freq_{side}_hz"),
                Some(&format!("mod_phase_{side}_rad")),
                (0.8, 4.0, 0.0),
            )
        };
        Ok(StereoAm {
            amp: lerp(p, "amp", 0.25, 0.0, 10.0)?,
            carrier_hz: rate(p, "carrier_freq_hz", 200.0)?,
            width_hz: rate(p, "stereo_width_hz", 0.2)?,
            am: [ear("l")?, ear("r")?],
        })
    }

    /// Nominal carrier of ear c: fc ∓ w/2 (the clamp at 0 Hz is the carrier's).
    fn nominal(&self, c: usize) -> Lerp {
        let s = if c == 0 { -0.5 } else { 0.5 };
        Lerp {
            start: self.carrier_hz.start + s * self.width_hz.start,
            end: self.carrier_hz.end + s * self.width_hz.end,
        }
    }

    pub fn signature(&self, a: f64) -> Signature {
        Signature {
            function: "stereo_am_independent",
            freq_l_hz: self.nominal(0).at(a).max(0.0),
            freq_r_hz: self.nominal(1).at(a).max(0.0),
            suppression: false,
        }
    }

    pub fn bound(&self) -> [f64; 2] {
        [self.amp.max(); 2]
    }

    pub fn instantiate(&self, place: Placement, initial: Option<&VoiceState>) -> StereoAmVoice {
        let (sr, ramp) = (place.sample_rate, place.ramp);
        StereoAmVoice {
            spec: self.clone(),
            ramp,
            m: 0,
            carriers: [0, 1]
                .map(|c| Carrier::plain(self.nominal(c), ramp, sr, carried_phase(initial, c))),
            clocks: [0, 1]
                .map(|c| Clock::new(self.am[c].rate_hz, ramp, sr, carried_clock(initial, c))),
        }
    }
}

pub struct StereoAmVoice {
    spec: StereoAm,
    ramp: Ramp,
    m: u64,
    carriers: [Carrier; 2],
    /// AM clocks L, R (continuation roles 0, 1).
    clocks: [Clock; 2],
}

impl Voice for StereoAmVoice {
    fn render(&mut self, l: &mut [f64], r: &mut [f64], scratch: &mut [Buf]) {
        let n = l.len();
        let m0 = self.m;
        let ([alpha, tmp], _) = take::<2>(scratch);
        let alpha = &mut alpha[..n];
        fill_alpha(&self.ramp, m0, alpha);
        for (c, out) in [&mut *l, &mut *r].into_iter().enumerate() {
            self.carriers[c].fill_sin(out);
            scale(&self.spec.amp, alpha, out);
            apply_lift(&self.spec.am[c], &self.clocks[c], m0, alpha, out, tmp);
        }
        self.m += n as u64;
    }

    fn seek(&mut self, m: u64) {
        self.m = m;
        self.carriers.iter_mut().for_each(|c| c.seek(m));
    }

    fn state(&self) -> VoiceState {
        let x = self.m as f64;
        let mut s = VoiceState::default();
        s.phases[..2].copy_from_slice(&[self.carriers[0].phase(), self.carriers[1].phase()]);
        s.clocks[..2].copy_from_slice(&[self.clocks[0].at(x), self.clocks[1].at(x)]);
        s
    }
}

// ---------------------------------------------------------------------------------------------
// wave_shape_stereo_am (§3.5)

#[derive(Debug, Clone)]
pub struct WaveShape {
    amp: Lerp,
    carrier_hz: Lerp,
    shape_am: LiftAm,
    shape_amount: Lerp,
    am: [LiftAm; 2],
}

/// Continuation roles of the wave-shape voice's clocks.
const SHAPE_AM: usize = 0;
const EAR_AM: [usize; 2] = [1, 2];

impl WaveShape {
    pub fn parse(p: &Params) -> Result<WaveShape> {
        let ear = |side: &str, f: f64, phase: f64| {
            lift(
                p,
                &format!("stereo_mod_depth_{side}"),
                &format!("stereo_mod_freq_{side}_hz"),
                Some(&format!("stereo_mod_phase_{side}_rad")),
                (0.8, f, phase),
            )
        };
        Ok(WaveShape {
            amp: lerp(p, "amp", 0.15, 0.0, 10.0)?,
            carrier_hz: rate(p, "carrier_freq_hz", 200.0)?,
            shape_am: lift(
                p,
                "shape_mod_depth",
                "shape_mod_freq_hz",
                None,
                (0.8, 4.0, 0.0),
            )?,
            shape_amount: lerp(p, "shape_amount", 0.5, 0.0, 100.0)?,
            am: [
                ear("l", 4.1, 0.0)?,
                ear("r", 4.0, std::f64::consts::FRAC_PI_2)?,
            ],
        })
    }

    pub fn signature(&self, a: f64) -> Signature {
        let f = self.carrier_hz.at(a).max(0.0);
        Signature {
            function: "wave_shape_stereo_am",
            freq_l_hz: f,
            freq_r_hz: f,
            suppression: false,
        }
    }

    pub fn bound(&self) -> [f64; 2] {
        [self.amp.max(); 2]
    }

    pub fn instantiate(&self, place: Placement, initial: Option<&VoiceState>) -> WaveShapeVoice {
        let (sr, ramp) = (place.sample_rate, place.ramp);
        WaveShapeVoice {
            spec: self.clone(),
            ramp,
            m: 0,
            carrier: Carrier::plain(self.carrier_hz, ramp, sr, carried_phase(initial, 0)),
            shape_clock: Clock::new(
                self.shape_am.rate_hz,
                ramp,
                sr,
                carried_clock(initial, SHAPE_AM),
            ),
            clocks: [0, 1].map(|c| {
                Clock::new(
                    self.am[c].rate_hz,
                    ramp,
                    sr,
                    carried_clock(initial, EAR_AM[c]),
                )
            }),
        }
    }
}

pub struct WaveShapeVoice {
    spec: WaveShape,
    ramp: Ramp,
    m: u64,
    carrier: Carrier,
    shape_clock: Clock,
    clocks: [Clock; 2],
}

impl Voice for WaveShapeVoice {
    fn render(&mut self, l: &mut [f64], r: &mut [f64], scratch: &mut [Buf]) {
        let n = l.len();
        let m0 = self.m;
        let s = &self.spec;
        let ([alpha, y, tmp], _) = take::<3>(scratch);
        let (alpha, y) = (&mut alpha[..n], &mut y[..n]);
        fill_alpha(&self.ramp, m0, alpha);
        self.carrier.fill_sin(y);
        apply_lift(&s.shape_am, &self.shape_clock, m0, alpha, y, tmp);
        shape(&s.shape_amount, alpha, y);
        scale(&s.amp, alpha, y);
        for (c, out) in [&mut *l, &mut *r].into_iter().enumerate() {
            out.copy_from_slice(y);
            apply_lift(&s.am[c], &self.clocks[c], m0, alpha, out, tmp);
        }
        self.m += n as u64;
    }

    fn seek(&mut self, m: u64) {
        self.m = m;
        self.carrier.seek(m);
    }

    fn state(&self) -> VoiceState {
        let x = self.m as f64;
        let mut s = VoiceState::default();
        s.phases[0] = self.carrier.phase();
        s.clocks[SHAPE_AM] = self.shape_clock.at(x);
        for c in 0..2 {
            s.clocks[EAR_AM[c]] = self.clocks[c].at(x);
        }
        s
    }
}

// ---------------------------------------------------------------------------------------------
// rhythmic_waveshaping (§3.6)

#[derive(Debug, Clone)]
pub struct Rhythmic {
    amp: Lerp,
    carrier_hz: Lerp,
    am: LiftAm,
    shape_amount: Lerp,
    pan: Lerp,
}

impl Rhythmic {
    pub fn parse(p: &Params) -> Result<Rhythmic> {
        Ok(Rhythmic {
            amp: lerp(p, "amp", 0.25, 0.0, 10.0)?,
            carrier_hz: rate(p, "carrier_freq_hz", 200.0)?,
            am: lift(p, "mod_depth", "mod_freq_hz", None, (1.0, 4.0, 0.0))?,
            shape_amount: lerp(p, "shape_amount", 5.0, 0.0, 100.0)?,
            pan: lerp(p, "pan", 0.0, -1.0, 1.0)?,
        })
    }

    pub fn signature(&self, a: f64) -> Signature {
        let f = self.carrier_hz.at(a).max(0.0);
        Signature {
            function: "rhythmic_waveshaping",
            freq_l_hz: f,
            freq_r_hz: f,
            suppression: false,
        }
    }

    /// amp × the largest pan gain of each channel over the ramp (cos θ falls and sin θ rises
    /// with the position, so the extremes sit at the ends of the ramp).
    pub fn bound(&self) -> [f64; 2] {
        let gain_l = cos_cycles((self.pan.min() + 1.0) * 0.125);
        let gain_r = sin_cycles((self.pan.max() + 1.0) * 0.125);
        [self.amp.max() * gain_l, self.amp.max() * gain_r]
    }

    pub fn instantiate(&self, place: Placement, initial: Option<&VoiceState>) -> RhythmicVoice {
        let (sr, ramp) = (place.sample_rate, place.ramp);
        RhythmicVoice {
            spec: self.clone(),
            ramp,
            m: 0,
            carrier: Carrier::plain(self.carrier_hz, ramp, sr, carried_phase(initial, 0)),
            clock: Clock::new(self.am.rate_hz, ramp, sr, carried_clock(initial, 0)),
        }
    }
}

pub struct RhythmicVoice {
    spec: Rhythmic,
    ramp: Ramp,
    m: u64,
    carrier: Carrier,
    clock: Clock,
}

impl Voice for RhythmicVoice {
    fn render(&mut self, l: &mut [f64], r: &mut [f64], scratch: &mut [Buf]) {
        let n = l.len();
        let m0 = self.m;
        let s = &self.spec;
        let ([alpha, tmp], _) = take::<2>(scratch);
        let alpha = &mut alpha[..n];
        fill_alpha(&self.ramp, m0, alpha);
        self.carrier.fill_sin(l);
        apply_lift(&s.am, &self.clock, m0, alpha, l, tmp);
        shape(&s.shape_amount, alpha, l);
        scale(&s.amp, alpha, l);
        // The pan law, always applied: θ = (pan + 1)·π/4 is (pan + 1)/8 in cycles.
        if s.pan.is_const() {
            let theta = (s.pan.start + 1.0) * 0.125;
            let (gl, gr) = (cos_cycles(theta), sin_cycles(theta));
            for k in 0..n {
                r[k] = l[k] * gr;
                l[k] *= gl;
            }
        } else {
            for k in 0..n {
                let theta = (s.pan.at(alpha[k]) + 1.0) * 0.125;
                r[k] = l[k] * sin_cycles(theta);
                l[k] *= cos_cycles(theta);
            }
        }
        self.m += n as u64;
    }

    fn seek(&mut self, m: u64) {
        self.m = m;
        self.carrier.seek(m);
    }

    fn state(&self) -> VoiceState {
        let mut s = VoiceState::default();
        s.phases[0] = self.carrier.phase();
        s.clocks[0] = self.clock.at(self.m as f64);
        s
    }
}

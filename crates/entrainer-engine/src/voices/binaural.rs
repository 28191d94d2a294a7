//! `binaural_beat` (`voices.md` §3.1): one tone per ear, base ∓ beat/2, with per-ear vibrato
//! and dip AM, an interaural phase wobble and the pan stage.

use crate::osc::{Carrier, CarrierSpec, Clock, Vibrato};
use crate::plan::Params;
use crate::ramp::{Lerp, Ramp};
use crate::shapes::Shape;
use crate::Result;

use super::common::{
    alpha_for, carried_phase_or, clock_bank, clock_values, ear_tones, twin_ears, DipAm, Wobble,
};
use super::pan::{PanRun, PanStage};
use super::{add_into, render_then_add, take, Buf};
use super::{PhasorPart, Placement, Signature, Voice, VoiceState};

/// Clock roles carried by continuation.
const AM: [usize; 2] = [0, 1];
const VIB: [usize; 2] = [2, 3];
const WOBBLE: usize = 4;
const PAN: usize = 5;

#[derive(Debug, Clone, Copy)]
pub struct VibratoParams {
    pub range_hz: Lerp,
    pub rate_hz: Lerp,
    pub skew: Lerp,
    pub phase_rad: Lerp,
}

impl VibratoParams {
    pub fn parse(p: &Params, side: &str) -> Result<VibratoParams> {
        Ok(VibratoParams {
            range_hz: Lerp::new(p.pair_min(&format!("vib_range_{side}_hz"), 0.0, 0.0)?),
            rate_hz: Lerp::new(p.pair_min(&format!("vib_freq_{side}_hz"), 0.0, 0.0)?),
            skew: Lerp::new(p.pair_in(&format!("vib_skew_{side}"), 0.0, -1.0, 1.0)?),
            phase_rad: Lerp::new(p.pair(&format!("vib_phase_{side}_rad"), 0.0)?),
        })
    }

    pub fn vibrato(&self, shape: Shape, ramp: Ramp, sr: u32, p0: f64) -> Option<Vibrato> {
        if self.range_hz.start == 0.0 && self.range_hz.end == 0.0 {
            return None;
        }
        Some(Vibrato {
            range_hz: self.range_hz,
            clock: Clock::new(self.rate_hz, ramp, sr, p0),
            phase_rad: self.phase_rad,
            skew: self.skew,
            shape,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Binaural {
    amp: [Lerp; 2],
    base_hz: Lerp,
    beat_hz: Lerp,
    left_high: bool,
    force_mono: bool,
    start_phase_rad: [f64; 2],
    am: [DipAm; 2],
    vib: [VibratoParams; 2],
    vib_shape: Shape,
    wobble: Wobble,
    pan: PanStage,
}

impl Binaural {
    pub fn parse(p: &Params) -> Result<Binaural> {
        Ok(Binaural {
            amp: [
                Lerp::new(p.pair_in("amp_l", 0.5, 0.0, 10.0)?),
                Lerp::new(p.pair_in("amp_r", 0.5, 0.0, 10.0)?),
            ],
            base_hz: Lerp::new(p.pair_min("base_freq_hz", 200.0, 0.0)?),
            beat_hz: Lerp::new(p.pair_min("beat_freq_hz", 4.0, 0.0)?),
            left_high: p.flag("left_high", false)?,
            force_mono: p.flag("force_mono", false)?,
            start_phase_rad: [
                p.scalar("start_phase_l_rad", 0.0)?,
                p.scalar("start_phase_r_rad", 0.0)?,
            ],
            am: [DipAm::parse(p, "l")?, DipAm::parse(p, "r")?],
            vib: [VibratoParams::parse(p, "l")?, VibratoParams::parse(p, "r")?],
            vib_shape: match p.choice("vib_shape", "sine", &["sine", "triangle"])? {
                "triangle" => Shape::Triangle,
                _ => Shape::Sine,
            },
            wobble: Wobble::parse(p)?,
            pan: PanStage::parse(p)?,
        })
    }

    /// Signs of the beat split per ear: L = base − beat/2 unless `leftHigh`.
    fn sigma(&self) -> [f64; 2] {
        if self.left_high {
            [1.0, -1.0]
        } else {
            [-1.0, 1.0]
        }
    }

    fn nominal(&self, c: usize) -> Lerp {
        let s = self.sigma()[c];
        let beat = if self.force_mono {
            Lerp::constant(0.0)
        } else {
            self.beat_hz
        };
        Lerp {
            start: self.base_hz.start + s * beat.start / 2.0,
            end: self.base_hz.end + s * beat.end / 2.0,
        }
    }

    pub fn signature(&self, a: f64) -> Signature {
        Signature {
            function: "binaural_beat",
            freq_l_hz: self.nominal(0).at(a).max(0.0),
            freq_r_hz: self.nominal(1).at(a).max(0.0),
            suppression: false,
        }
    }

    /// Each ear is amp·e·sin 2πΦ with a constant amp (no wobble, no pan): the voice can add
    /// its carriers, with their AM, straight into a mix.
    fn plain_ears(&self) -> bool {
        !self.wobble.is_active()
            && !self.pan.is_active()
            && self.amp[0].is_const()
            && self.amp[1].is_const()
    }

    /// The base frequency (harmonic suppression follows it in `dual_pulse_binaural`).
    pub fn base_hz(&self) -> Lerp {
        self.base_hz
    }

    /// The beat frequency (the default pulse rate of `dual_pulse_binaural`).
    pub fn beat_hz(&self) -> Lerp {
        self.beat_hz
    }

    pub fn bound(&self) -> [f64; 2] {
        let g = self.pan.max_gains();
        [self.amp[0].max() * g[0], self.amp[1].max() * g[1]]
    }

    pub fn instantiate(&self, place: Placement, initial: Option<&VoiceState>) -> BinauralVoice {
        let (sr, ramp) = (place.sample_rate, place.ramp);
        let clocks = clock_bank(
            [
                self.am[0].rate_hz,
                self.am[1].rate_hz,
                self.vib[0].rate_hz,
                self.vib[1].rate_hz,
                self.wobble.rate_hz,
                self.pan.rate_hz,
                Lerp::constant(0.0),
                Lerp::constant(0.0),
            ],
            ramp,
            sr,
            initial,
        );
        let carriers = [0, 1].map(|c| {
            let phase0 = carried_phase_or(initial, c, self.start_phase_rad[c]);
            let spec = CarrierSpec {
                base_hz: self.nominal(c),
                vibrato: self.vib[c].vibrato(self.vib_shape, ramp, sr, clocks[VIB[c]].p0),
            };
            Carrier::new(spec, ramp, sr, phase0)
        });
        BinauralVoice {
            spec: self.clone(),
            ramp,
            m: 0,
            carriers,
            pan: self.pan.run(&clocks[PAN], ramp.alpha(0.0)),
            clocks,
        }
    }
}

pub struct BinauralVoice {
    spec: Binaural,
    ramp: Ramp,
    m: u64,
    carriers: [Carrier; 2],
    /// LFO clocks by continuation role (AM, VIB, WOBBLE, ...).
    clocks: [Clock; 8],
    pan: PanRun,
}

impl Voice for BinauralVoice {
    fn render(&mut self, l: &mut [f64], r: &mut [f64], scratch: &mut [Buf]) {
        let n = l.len();
        let m0 = self.m;
        let ([alpha, wob, ph, tmp], _) = take::<4>(scratch);
        let alpha = alpha_for(&self.ramp, m0, &mut alpha[..n]);
        let s = &self.spec;
        let wob = s.wobble.is_active().then(|| {
            s.wobble
                .fill_cycles(&self.clocks[WOBBLE], m0, alpha, &mut wob[..n]);
            &wob[..n]
        });
        ear_tones(&mut self.carriers, &s.amp, alpha, wob, None, l, r, ph);
        let clocks = [&self.clocks[AM[0]], &self.clocks[AM[1]]];
        DipAm::apply_ears(&s.am, clocks, m0, alpha, l, r, tmp);
        if s.pan.is_active() {
            s.pan
                .apply(&self.clocks[PAN], &mut self.pan, m0, alpha, l, r);
        }
        self.m += n as u64;
    }

    /// Without wobble or pan and with constant amplitudes, the carriers (or the AM) add
    /// straight into the mix; otherwise render, then add.
    fn render_add(&mut self, yl: &mut [f64], yr: &mut [f64], scratch: &mut [Buf]) {
        let s = &self.spec;
        if !s.plain_ears() {
            return render_then_add(self, yl, yr, scratch);
        }
        let n = yl.len();
        let m0 = self.m;
        let ([alpha, vl, vr, tmp, ph], _) = take::<5>(scratch);
        let (vl, vr) = (&mut vl[..n], &mut vr[..n]);
        let twin = twin_ears(&self.carriers, &s.amp);
        if !s.am[0].is_active() && !s.am[1].is_active() {
            let [c0, c1] = &mut self.carriers;
            if twin {
                c0.fill_sin_scaled(vl, s.amp[0].start);
                c1.follow(c0);
                add_into(yl, yr, vl, vl);
            } else {
                c0.add_sin_scaled(yl, s.amp[0].start);
                c1.add_sin_scaled(yr, s.amp[1].start);
            }
        } else {
            let alpha = alpha_for(&self.ramp, m0, &mut alpha[..n]);
            let clocks = [&self.clocks[AM[0]], &self.clocks[AM[1]]];
            if twin {
                ear_tones(&mut self.carriers, &s.amp, alpha, None, None, vl, vr, ph);
                DipAm::add_ears(&s.am, clocks, m0, alpha, [vl, vr], yl, yr, tmp);
            } else {
                // The AM envelope multiplied in as each carrier is added: the bits of filling
                // the carriers and then `add_ears`, without the voice's buffers.
                let gains = [s.amp[0].start, s.amp[1].start];
                let carriers = &mut self.carriers;
                DipAm::add_carriers(&s.am, clocks, m0, alpha, carriers, gains, yl, yr, tmp);
            }
        }
        self.m += n as u64;
    }

    fn phasor_part(&mut self) -> Option<PhasorPart<'_>> {
        let s = &self.spec;
        if !s.plain_ears() {
            return None;
        }
        if s.am.iter().any(|a| a.is_active() && !a.is_static()) {
            return None;
        }
        if self.carriers.iter().any(|c| c.phasor_key().is_none()) {
            return None;
        }
        let clocks = &self.clocks;
        Some(PhasorPart {
            carriers: &mut self.carriers,
            gains: [s.amp[0].start, s.amp[1].start],
            am: [0, 1].map(|c| s.am[c].is_active().then(|| (&s.am[c], &clocks[AM[c]]))),
            m: &mut self.m,
        })
    }

    fn is_twin(&self) -> bool {
        let s = &self.spec;
        s.plain_ears()
            && !s.am[0].is_active()
            && !s.am[1].is_active()
            && twin_ears(&self.carriers, &s.amp)
    }

    fn add_twin(&mut self, y: &mut [f64], _scratch: &mut [Buf]) {
        let [c0, c1] = &mut self.carriers;
        c0.add_sin_scaled(y, self.spec.amp[0].start);
        c1.follow(c0);
        self.m += y.len() as u64;
    }

    fn seek(&mut self, m: u64) {
        self.m = m;
        for c in &mut self.carriers {
            c.seek(m);
        }
    }

    /// amp·(largest AM gain over the frames) per ear, when the pan stage is off (the spec's
    /// bound covers it otherwise).
    fn block_bound(&self, m0: u64, n: u64) -> Option<[f64; 2]> {
        let s = &self.spec;
        if s.pan.is_active() {
            return None;
        }
        let mut b = [0.0; 2];
        for c in 0..2 {
            b[c] = s.amp[c].max() * s.am[c].block_max(&self.clocks[AM[c]], m0, n)?;
        }
        Some(b)
    }

    fn state(&self) -> VoiceState {
        VoiceState::ears(
            [self.carriers[0].phase(), self.carriers[1].phase()],
            clock_values(&self.clocks, self.m),
            None,
        )
    }
}

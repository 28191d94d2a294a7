//! `isochronic_tone` (`voices.md` §3.2): one carrier switched by trapezoid pulses, with
//! vibrato, dip AM, wobble, the pan stage and optional harmonic suppression (class F).

use crate::filters::{warmup_frames, Coeffs, Df1, BUTTER4_Q};
use crate::osc::{Carrier, CarrierSpec, Clock};
use crate::plan::Params;
use crate::ramp::{Lerp, Ramp};
use crate::shapes::Shape;
use crate::Result;

use super::binaural::VibratoParams;
use super::common::{
    alpha_for, carried_phase_or, clock_bank, clock_values, ear_tones, warm_up, DipAm, Wobble,
};
use super::pan::{PanRun, PanStage};
use super::{take, Buf};
use super::{FilterState, Placement, Signature, Voice, VoiceState};

const AM: [usize; 2] = [0, 1];
const VIB: [usize; 2] = [2, 3];
const WOBBLE: usize = 4;
const PULSE: usize = 5;
const PAN: usize = 6;

/// Coefficients of the suppression low-pass are refreshed on this grid (`voices.md` §2.9.4).
const REFRESH: u64 = 16;

#[derive(Debug, Clone)]
pub struct Isochronic {
    amp: [Lerp; 2],
    base_hz: Lerp,
    pulse_hz: Lerp,
    ramp_fraction: Lerp,
    gap_fraction: Lerp,
    force_mono: bool,
    start_phase_rad: [f64; 2],
    am: [DipAm; 2],
    vib: [VibratoParams; 2],
    wobble: Wobble,
    pub(crate) suppression: bool,
    pan: PanStage,
}

/// The audible part a = 1 − gap of a pulse cycle and its ramp length h (`voices.md` §2.6).
#[inline(always)]
fn pulse_edges(ramp: f64, gap: f64) -> (f64, f64) {
    let audible = 1.0 - gap;
    (audible, (ramp * audible).min(audible * 0.5))
}

/// Trapezoid pulse of `voices.md` §2.6 at position u in the cycle.
#[inline(always)]
pub fn trapezoid(u: f64, ramp: f64, gap: f64) -> f64 {
    let (audible, h) = pulse_edges(ramp, gap);
    if u >= audible {
        0.0
    } else if u < h {
        u / h
    } else if u >= audible - h {
        (audible - u) / h
    } else {
        1.0
    }
}

/// [`trapezoid`] for fixed fractions, without branches or divisions so that a block of
/// positions vectorises: max(0, min(u/h, (a − u)/h, 1)) with a = 1 − gap, the two divisions
/// as products by 1/h (within a rounding step of [`trapezoid`]). None when h = 0.
#[derive(Debug, Clone, Copy)]
struct Trapezoid {
    audible: f64,
    inv_h: f64,
}

impl Trapezoid {
    fn new(ramp: f64, gap: f64) -> Option<Trapezoid> {
        let (audible, h) = pulse_edges(ramp, gap);
        (h > 0.0).then(|| Trapezoid {
            audible,
            inv_h: 1.0 / h,
        })
    }

    /// Replaces each position u in `u` by the pulse there.
    #[inline(always)]
    fn fill(&self, u: &mut [f64]) {
        let (a, ih) = (self.audible, self.inv_h);
        let lower = |x: f64, y: f64| if x < y { x } else { y };
        for x in u.iter_mut() {
            let v = lower(lower(*x * ih, (a - *x) * ih), 1.0);
            *x = if v > 0.0 { v } else { 0.0 };
        }
    }
}

impl Isochronic {
    pub fn parse(p: &Params) -> Result<Isochronic> {
        Ok(Isochronic {
            amp: [
                Lerp::new(p.pair_in("amp_l", 0.5, 0.0, 10.0)?),
                Lerp::new(p.pair_in("amp_r", 0.5, 0.0, 10.0)?),
            ],
            base_hz: Lerp::new(p.pair_min("base_freq_hz", 200.0, 0.0)?),
            pulse_hz: Lerp::new(p.pair_min("pulse_freq_hz", 4.0, 0.0)?),
            ramp_fraction: Lerp::new(p.pair_in("ramp_fraction", 0.2, 0.0, 1.0)?),
            gap_fraction: Lerp::new(p.pair_in("gap_fraction", 0.15, 0.0, 1.0)?),
            force_mono: p.flag("force_mono", false)?,
            start_phase_rad: [
                p.scalar("start_phase_l_rad", 0.0)?,
                p.scalar("start_phase_r_rad", 0.0)?,
            ],
            am: [DipAm::parse(p, "l")?, DipAm::parse(p, "r")?],
            vib: [VibratoParams::parse(p, "l")?, VibratoParams::parse(p, "r")?],
            wobble: Wobble::parse(p)?,
            suppression: p.flag("harmonic_suppression", false)?,
            pan: PanStage::parse(p)?,
        })
    }

    pub fn signature(&self, a: f64) -> Signature {
        let f = self.base_hz.at(a).max(0.0);
        Signature {
            function: "isochronic_tone",
            freq_l_hz: f,
            freq_r_hz: f,
            suppression: self.suppression,
        }
    }

    pub fn bound(&self) -> [f64; 2] {
        let g = self.pan.max_gains();
        let margin = if self.suppression { 1.25 } else { 1.0 };
        [
            self.amp[0].max() * g[0] * margin,
            self.amp[1].max() * g[1] * margin,
        ]
    }

    pub fn instantiate(&self, place: Placement, initial: Option<&VoiceState>) -> IsochronicVoice {
        let (sr, ramp) = (place.sample_rate, place.ramp);
        let clocks = clock_bank(
            [
                self.am[0].rate_hz,
                self.am[1].rate_hz,
                self.vib[0].rate_hz,
                self.vib[1].rate_hz,
                self.wobble.rate_hz,
                self.pulse_hz,
                self.pan.rate_hz,
                Lerp::constant(0.0),
            ],
            ramp,
            sr,
            initial,
        );
        let carriers = [0, 1].map(|c| {
            let phase0 = carried_phase_or(initial, c, self.start_phase_rad[c]);
            let vibrato = if self.force_mono {
                None
            } else {
                self.vib[c].vibrato(Shape::Sine, ramp, sr, clocks[VIB[c]].p0)
            };
            Carrier::new(
                CarrierSpec {
                    base_hz: self.base_hz,
                    vibrato,
                },
                ramp,
                sr,
                phase0,
            )
        });
        IsochronicVoice {
            spec: self.clone(),
            ramp,
            m: 0,
            carriers,
            pan: self.pan.run(&clocks[PAN], ramp.alpha(0.0)),
            clocks,
            suppression: Suppression::new(
                self.base_hz,
                ramp,
                sr,
                initial.and_then(|s| s.filters.as_ref()),
            ),
        }
    }
}

pub struct IsochronicVoice {
    spec: Isochronic,
    ramp: Ramp,
    m: u64,
    carriers: [Carrier; 2],
    /// LFO clocks by continuation role (AM, VIB, WOBBLE, ...).
    clocks: [Clock; 8],
    pan: PanRun,
    suppression: Suppression,
}

/// Harmonic suppression (`voices.md` §2.9.3): both channels through an order-4 Butterworth
/// low-pass at clamp(1.5·base(t), 20 Hz, 0.45·sr), twice in series, coefficients refreshed
/// every 16 frames while the base frequency ramps (§2.9.4). Shared with `dual_pulse_binaural`.
pub struct Suppression {
    base_hz: Lerp,
    ramp: Ramp,
    sr: u32,
    coeffs: [Coeffs; 4],
    state: [[Df1; 4]; 2],
    carried: [[Df1; 4]; 2],
    /// Warm-up length after a seek (§2.9.5).
    pub warmup: u64,
}

impl Suppression {
    pub fn new(base_hz: Lerp, ramp: Ramp, sr: u32, carried: Option<&FilterState>) -> Suppression {
        let srf = sr as f64;
        let fc_min = cutoff(base_hz, 0.0, srf).min(cutoff(base_hz, 1.0, srf));
        let sigma = BUTTER4_Q
            .iter()
            .map(|&q| Coeffs::lowpass(fc_min, q, srf).decay_rate(srf))
            .fold(f64::INFINITY, f64::min);
        let mut first = [[Df1::default(); 4]; 2];
        if let Some(f) = carried {
            for ch in 0..2 {
                first[ch].copy_from_slice(&f[ch][..4]);
            }
        }
        let mut s = Suppression {
            base_hz,
            ramp,
            sr,
            coeffs: [Coeffs {
                b0: 1.0,
                b1: 0.0,
                b2: 0.0,
                a1: 0.0,
                a2: 0.0,
            }; 4],
            state: first,
            carried: first,
            warmup: warmup_frames(sigma, sr),
        };
        s.refresh(0);
        s
    }

    fn ramped(&self) -> bool {
        !self.base_hz.is_const() && !self.ramp.is_hold()
    }

    fn refresh(&mut self, n: u64) {
        let sr = self.sr as f64;
        let fc = cutoff(self.base_hz, self.ramp.alpha(n as f64), sr);
        let [a, b] = Coeffs::butter4_lowpass(fc, sr);
        self.coeffs = [a, b, a, b];
    }

    /// Prepares a run that starts at frame `start`: carried state at frame 0, zero state
    /// elsewhere (the caller then replays the warm-up window).
    pub fn restart(&mut self, start: u64) {
        self.state = if start == 0 {
            self.carried
        } else {
            Default::default()
        };
        if self.ramped() {
            self.refresh(start - start % REFRESH);
        }
    }

    /// Filters frames m0.. of both channels in place.
    pub fn process(&mut self, m0: u64, l: &mut [f64], r: &mut [f64]) {
        let ramped = self.ramped();
        let len = l.len();
        let mut i = 0;
        while i < len {
            // Runs with fixed coefficients (up to the next refresh while ramping); within one,
            // each section filters the whole run for both ears with its state in registers.
            let m = m0 + i as u64;
            let run = if ramped {
                if m.is_multiple_of(REFRESH) {
                    self.refresh(m);
                }
                ((REFRESH - m % REFRESH) as usize).min(len - i)
            } else {
                len - i
            };
            let (ls, rs) = (&mut l[i..i + run], &mut r[i..i + run]);
            crate::filters::cascade4_stereo(&self.coeffs, &mut self.state, ls, rs);
            i += run;
        }
    }

    /// The delay lines for continuation (sections 0–3 of each channel).
    pub fn state(&self) -> FilterState {
        let mut f: FilterState = Default::default();
        for ch in 0..2 {
            f[ch][..4].copy_from_slice(&self.state[ch]);
        }
        f
    }
}

fn cutoff(base_hz: Lerp, a: f64, sr: f64) -> f64 {
    (1.5 * base_hz.at(a)).clamp(20.0, 0.45 * sr)
}

impl IsochronicVoice {
    fn render_raw(&mut self, l: &mut [f64], r: &mut [f64], scratch: &mut [Buf]) {
        let n = l.len();
        let m0 = self.m;
        let s = &self.spec;
        if s.pulse_hz.start == 0.0 && s.pulse_hz.end == 0.0 {
            l.fill(0.0);
            r.fill(0.0);
            return;
        }
        let ([alpha, wob, ph, pulse, tmp], _) = take::<5>(scratch);
        let alpha = alpha_for(&self.ramp, m0, &mut alpha[..n]);
        let wob = s.wobble.is_active().then(|| {
            s.wobble
                .fill_cycles(&self.clocks[WOBBLE], m0, alpha, &mut wob[..n]);
            &wob[..n]
        });
        // The pulse envelope, shared by both ears.
        let pulse = &mut pulse[..n];
        self.clocks[PULSE].fill_frac(m0, 0.0, pulse);
        if s.ramp_fraction.is_const() && s.gap_fraction.is_const() {
            let (rf, gf) = (s.ramp_fraction.start, s.gap_fraction.start);
            match Trapezoid::new(rf, gf) {
                Some(t) => t.fill(pulse),
                None => {
                    for u in pulse.iter_mut() {
                        *u = trapezoid(*u, rf, gf);
                    }
                }
            }
        } else {
            for (u, &a) in pulse.iter_mut().zip(alpha.iter()) {
                *u = trapezoid(*u, s.ramp_fraction.at(a), s.gap_fraction.at(a));
            }
        }
        ear_tones(
            &mut self.carriers,
            &s.amp,
            alpha,
            wob,
            Some(pulse),
            l,
            r,
            ph,
        );
        let clocks = [&self.clocks[AM[0]], &self.clocks[AM[1]]];
        DipAm::apply_ears(&s.am, clocks, m0, alpha, l, r, tmp);
        if s.pan.is_active() {
            s.pan
                .apply(&self.clocks[PAN], &mut self.pan, m0, alpha, l, r);
        }
    }
}

impl Voice for IsochronicVoice {
    fn render(&mut self, l: &mut [f64], r: &mut [f64], scratch: &mut [Buf]) {
        self.render_raw(l, r, scratch);
        if self.spec.suppression {
            self.suppression.process(self.m, l, r);
        }
        self.m += l.len() as u64;
    }

    fn seek(&mut self, m: u64) {
        // Class F: replay the chain over a warm-up window from zero (or carried) state.
        let start = if self.spec.suppression {
            m.saturating_sub(self.suppression.warmup)
        } else {
            m
        };
        self.m = start;
        for c in &mut self.carriers {
            c.seek(start);
        }
        if self.spec.suppression {
            self.suppression.restart(start);
            warm_up(self, m - start);
        }
    }

    fn state(&self) -> VoiceState {
        VoiceState::ears(
            [self.carriers[0].phase(), self.carriers[1].phase()],
            clock_values(&self.clocks, self.m),
            self.spec.suppression.then(|| self.suppression.state()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The branch-free pulse is the trapezoid of §2.6 to within a rounding step, edges,
    /// plateau and gap included, for ramp and gap fractions from 0 to 1.
    #[test]
    fn vectorised_pulse_is_the_trapezoid() {
        let fractions = [0.0, 0.01, 0.15, 0.2, 0.25, 0.5, 0.7, 0.99, 1.0];
        let mut checked = 0;
        for &ramp in &fractions {
            for &gap in &fractions {
                let Some(t) = Trapezoid::new(ramp, gap) else {
                    continue;
                };
                let (audible, h) = pulse_edges(ramp, gap);
                let mut u: Vec<f64> = (0..=2000)
                    .map(|k| k as f64 / 2000.0 * (1.0 - 1e-12))
                    .collect();
                u.extend([h, audible - h, audible, 0.0]);
                let mut v = u.clone();
                t.fill(&mut v);
                for (&x, &y) in u.iter().zip(&v) {
                    let want = trapezoid(x, ramp, gap);
                    assert!(
                        (y - want).abs() <= 2e-15,
                        "ramp {ramp} gap {gap} u {x}: {y} vs {want}"
                    );
                    assert!((0.0..=1.0).contains(&y));
                }
                checked += 1;
            }
        }
        assert!(checked > 50);
    }
}

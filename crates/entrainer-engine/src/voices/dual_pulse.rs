//! `dual_pulse_binaural` (`voices.md` §3.9): the binaural voice of §3.1 (pan stage included),
//! each ear gated by its own pulse train (§2.6), then optional harmonic suppression (§2.9.3).
//! Class E, or F with suppression.

use crate::osc::Clock;
use crate::plan::Params;
use crate::ramp::{Lerp, Ramp};
use crate::shapes::cos_cycles;
use crate::Result;

use super::binaural::{Binaural, BinauralVoice};
use super::common::{carried_clock, fill_alpha, warm_up};
use super::isochronic::{trapezoid, Suppression};
use super::{take, Buf};
use super::{Placement, Signature, Voice, VoiceState};

/// Clock roles after the binaural ones (0–5): the pulse clocks.
const PULSE: [usize; 2] = [6, 7];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PulseShape {
    Trapezoid,
    Square,
    RaisedCosine,
}

/// One ear's pulse train.
#[derive(Debug, Clone, Copy)]
struct PulseEar {
    /// The resolved rate at each end (own, else common, else the beat).
    rate_hz: Lerp,
    ramp_fraction: Lerp,
    gap_fraction: Lerp,
    offset_cycles: Lerp,
    shape: PulseShape,
    depth: Lerp,
}

impl PulseEar {
    /// A resolved rate of 0 at both ends leaves the ear ungated (legacy rule, kept).
    fn is_active(&self) -> bool {
        self.rate_hz.start != 0.0 || self.rate_hz.end != 0.0
    }

    fn is_static(&self) -> bool {
        self.ramp_fraction.is_const()
            && self.gap_fraction.is_const()
            && self.offset_cycles.is_const()
            && self.depth.is_const()
    }

    #[inline(always)]
    fn value(&self, u: f64, ramp: f64, gap: f64, depth: f64) -> f64 {
        let tr = trapezoid(u, ramp, gap);
        let shaped = match self.shape {
            PulseShape::Trapezoid => tr,
            PulseShape::Square => {
                if tr > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            // 0.5 − 0.5·cos(π·tr), with cos(π·tr) = cos(2π·tr/2) in cycles.
            PulseShape::RaisedCosine => 0.5 - 0.5 * cos_cycles(0.5 * tr),
        };
        (1.0 - depth) + depth * shaped
    }

    /// Multiplies `out` by the envelope for frames m0...
    fn apply(&self, clock: &Clock, m0: u64, alpha: &[f64], out: &mut [f64], tmp: &mut [f64]) {
        let n = out.len();
        if self.is_static() {
            let u = &mut tmp[..n];
            clock.fill_frac(m0, self.offset_cycles.start, u);
            let (r, g, d) = (
                self.ramp_fraction.start,
                self.gap_fraction.start,
                self.depth.start,
            );
            out.iter_mut()
                .zip(u.iter())
                .for_each(|(o, &u)| *o *= self.value(u, r, g, d));
        } else {
            for (k, o) in out.iter_mut().enumerate() {
                let a = alpha[k];
                let u = crate::shapes::frac(
                    clock.at((m0 + k as u64) as f64) + self.offset_cycles.at(a),
                );
                *o *= self.value(
                    u,
                    self.ramp_fraction.at(a),
                    self.gap_fraction.at(a),
                    self.depth.at(a),
                );
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct DualPulse {
    binaural: Binaural,
    pulse: [PulseEar; 2],
    pub(crate) suppression: bool,
}

impl DualPulse {
    pub fn parse(p: &Params) -> Result<DualPulse> {
        let binaural = Binaural::parse(p)?;
        let common = p.pair_min("pulse_rate_hz", 0.0, 0.0)?;
        let beat = binaural.beat_hz();
        let unit = |k: &str, d: f64| p.pair_in(k, d, 0.0, 1.0).map(Lerp::new);
        let ear = |c: &str| -> Result<PulseEar> {
            let own = p.pair_min(&format!("pulse_rate_{c}_hz"), 0.0, 0.0)?;
            // Resolved per end: the ear's rate if > 0, else the common one if > 0, else the beat.
            let pick = |own: f64, common: f64, beat: f64| {
                if own > 0.0 {
                    own
                } else if common > 0.0 {
                    common
                } else {
                    beat
                }
            };
            Ok(PulseEar {
                rate_hz: Lerp {
                    start: pick(own.0, common.0, beat.start),
                    end: pick(own.1, common.1, beat.end),
                },
                ramp_fraction: unit(&format!("ramp_fraction_{c}"), 0.2)?,
                gap_fraction: unit(&format!("gap_fraction_{c}"), 0.15)?,
                offset_cycles: Lerp::new(p.pair(&format!("pulse_phase_{c}_cycles"), 0.0)?),
                shape: match p.choice(
                    &format!("pulse_shape_{c}"),
                    "trapezoid",
                    &["trapezoid", "square", "raised_cosine"],
                )? {
                    "square" => PulseShape::Square,
                    "raised_cosine" => PulseShape::RaisedCosine,
                    _ => PulseShape::Trapezoid,
                },
                depth: unit(&format!("pulse_depth_{c}"), 1.0)?,
            })
        };
        Ok(DualPulse {
            pulse: [ear("l")?, ear("r")?],
            suppression: p.flag("harmonic_suppression", false)?,
            binaural,
        })
    }

    pub fn signature(&self, a: f64) -> Signature {
        Signature {
            function: "dual_pulse_binaural",
            suppression: self.suppression,
            ..self.binaural.signature(a)
        }
    }

    pub fn bound(&self) -> [f64; 2] {
        let margin = if self.suppression { 1.25 } else { 1.0 };
        self.binaural.bound().map(|b| b * margin)
    }

    pub fn instantiate(&self, place: Placement, initial: Option<&VoiceState>) -> DualPulseVoice {
        let (sr, ramp) = (place.sample_rate, place.ramp);
        DualPulseVoice {
            spec: self.clone(),
            ramp,
            m: 0,
            binaural: self.binaural.instantiate(place, initial),
            clocks: [0, 1].map(|c| {
                Clock::new(
                    self.pulse[c].rate_hz,
                    ramp,
                    sr,
                    carried_clock(initial, PULSE[c]),
                )
            }),
            suppression: Suppression::new(
                self.binaural.base_hz(),
                ramp,
                sr,
                initial.and_then(|s| s.filters.as_ref()),
            ),
        }
    }
}

pub struct DualPulseVoice {
    spec: DualPulse,
    ramp: Ramp,
    m: u64,
    binaural: BinauralVoice,
    clocks: [Clock; 2],
    suppression: Suppression,
}

impl Voice for DualPulseVoice {
    fn render(&mut self, l: &mut [f64], r: &mut [f64], scratch: &mut [Buf]) {
        let n = l.len();
        let m0 = self.m;
        let ([alpha, tmp], rest) = take::<2>(scratch);
        self.binaural.render(l, r, rest);
        let alpha = &mut alpha[..n];
        fill_alpha(&self.ramp, m0, alpha);
        for (c, out) in [&mut *l, &mut *r].into_iter().enumerate() {
            if self.spec.pulse[c].is_active() {
                self.spec.pulse[c].apply(&self.clocks[c], m0, alpha, out, tmp);
            }
        }
        if self.spec.suppression {
            self.suppression.process(m0, l, r);
        }
        self.m += n as u64;
    }

    fn seek(&mut self, m: u64) {
        // Class F with suppression: replay a warm-up window from zero (or carried) state.
        let start = if self.spec.suppression {
            m.saturating_sub(self.suppression.warmup)
        } else {
            m
        };
        self.m = start;
        self.binaural.seek(start);
        if self.spec.suppression {
            self.suppression.restart(start);
            warm_up(self, m - start);
        }
    }

    fn state(&self) -> VoiceState {
        let mut s = self.binaural.state();
        for c in 0..2 {
            s.clocks[PULSE[c]] = self.clocks[c].at(self.m as f64);
        }
        s.filters = self.spec.suppression.then(|| self.suppression.state());
        s
    }
}

//! The pan stage of `voices.md` §2.7: an equal-power position that may move (linear,
//! inward, outward), applied as gains to a voice's existing stereo channels.

use crate::osc::Clock;
use crate::plan::Params;
use crate::ramp::Lerp;
use crate::shapes::{cos_cycles, sin_cycles};
use crate::smooth::{self, Knots};
use crate::Result;

use super::common::INV_TAU;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanType {
    Linear,
    Inward,
    Outward,
}

/// What a voice keeps for its pan stage: the cycle the motion starts in
/// ([`PanStage::first_cycle`]) and the gains' knot values of a static linear pan, kept from one
/// call to the next (one per channel; boxed: most voices do not pan).
pub struct PanRun {
    first: f64,
    knots: Box<[Knots; 2]>,
}

#[derive(Debug, Clone, Copy)]
pub struct PanStage {
    pub min: Lerp,
    pub max: Lerp,
    pub kind: PanType,
    pub rate_hz: Lerp,
    pub phase_rad: Lerp,
}

impl PanStage {
    pub fn parse(p: &Params) -> Result<PanStage> {
        let min = p.pair_in("pan_min", 0.0, -1.0, 1.0)?;
        let max = p.pair_in("pan_max", 0.0, -1.0, 1.0)?;
        // Limits given the wrong way round are swapped (per end of the ramp).
        let lo = (min.0.min(max.0), min.1.min(max.1));
        let hi = (min.0.max(max.0), min.1.max(max.1));
        let kind = match p.choice("pan_type", "linear", &["linear", "inward", "outward"])? {
            "inward" => PanType::Inward,
            "outward" => PanType::Outward,
            _ => PanType::Linear,
        };
        Ok(PanStage {
            min: Lerp::new(lo),
            max: Lerp::new(hi),
            kind,
            rate_hz: Lerp::new(p.pair_min("pan_freq_hz", 0.0, 0.0)?),
            phase_rad: Lerp::new(p.pair("pan_phase_rad", 0.0)?),
        })
    }

    /// Bypassed (unity gains) unless a limit or the rate is non-zero at either end.
    pub fn is_active(&self) -> bool {
        [self.min, self.max, self.rate_hz]
            .iter()
            .any(|l| l.start.abs() > 1e-8 || l.end.abs() > 1e-8)
    }

    /// The cycle the motion starts in: floor(q(0)). A cycle boundary glides only after it, so a
    /// negative `panPhase` does not leave an unglided first boundary (the spec says k ≥ 1,
    /// which is the same for phases in [0, 2π)).
    fn first_cycle(&self, clock: &Clock, alpha0: f64) -> f64 {
        crate::shapes::floor(clock.at(0.0) + self.phase_rad.at(alpha0) * INV_TAU)
    }

    /// Position p at frame position x.
    #[inline]
    fn position(&self, clock: &Clock, x: f64, a: f64, first: f64) -> f64 {
        let (lo, hi) = (self.min.at(a), self.max.at(a));
        if clock.is_stopped() {
            return 0.5 * (lo + hi);
        }
        let q = clock.at(x) + self.phase_rad.at(a) * INV_TAU;
        match self.kind {
            PanType::Linear => 0.5 * (lo + hi) + 0.5 * (hi - lo) * sin_cycles(q),
            PanType::Inward | PanType::Outward => {
                let k = crate::shapes::floor(q);
                let u = q - k;
                let even = (k as i64).rem_euclid(2) == 0;
                let ext = if even { hi } else { lo };
                let prev_ext = if even { lo } else { hi };
                let (v, v_prev, v_start) = match self.kind {
                    PanType::Inward => (ext * (1.0 - u), 0.0, ext),
                    _ => (ext * u, prev_ext, 0.0),
                };
                // 5 ms glide from where the previous cycle ended (no level step, no click).
                let us = (0.005 * self.rate_hz.at(a)).min(0.25);
                if k > first && us > 0.0 && u < us {
                    v + (v_prev - v_start) * (1.0 - u / us)
                } else {
                    v
                }
            }
        }
    }

    fn is_static(&self) -> bool {
        self.min.is_const()
            && self.max.is_const()
            && self.rate_hz.is_const()
            && self.phase_rad.is_const()
    }

    /// A voice's own state for this stage, the voice starting with α = `alpha0`.
    pub fn run(&self, clock: &Clock, alpha0: f64) -> PanRun {
        PanRun {
            first: self.first_cycle(clock, alpha0),
            knots: Box::new([Knots::EMPTY; 2]),
        }
    }

    /// Multiplies L and R by the pan-law gains for frames m0...
    #[inline]
    pub fn apply(
        &self,
        clock: &Clock,
        run: &mut PanRun,
        m0: u64,
        alpha: &[f64],
        l: &mut [f64],
        r: &mut [f64],
    ) {
        let PanRun { first, knots } = run;
        let first = *first;
        let linear = self.kind == PanType::Linear && self.is_static();
        if let (true, Some(inc), Some(knot)) = (
            linear,
            clock.const_inc(),
            smooth::knot_for(self.rate_hz.start, clock.sample_rate()),
        ) {
            // A static linear pan is smooth: gains from exact knots (smooth.rs), multiplied in
            // as they are interpolated.
            let (mid, half) = (
                0.5 * (self.min.start + self.max.start),
                0.5 * (self.max.start - self.min.start),
            );
            let off = self.phase_rad.start * INV_TAU;
            let tau = 2.0 * std::f64::consts::PI;
            for (ch, (out, knots)) in [&mut *l, &mut *r]
                .into_iter()
                .zip(knots.iter_mut())
                .enumerate()
            {
                let mut lfo = clock.linear(off).expect("constant rate");
                smooth::scale_phased_kept(
                    m0,
                    out,
                    knot,
                    |n| lfo.at(n),
                    |q| {
                        let p = (mid + half * sin_cycles(q)).clamp(-1.0, 1.0);
                        let dp = half * tau * inc * cos_cycles(q);
                        let theta = (p + 1.0) * 0.125;
                        // d/dn of cos/sin(2π·θ) with dθ/dn = dp/8
                        if ch == 0 {
                            (cos_cycles(theta), -tau * 0.125 * dp * sin_cycles(theta))
                        } else {
                            (sin_cycles(theta), tau * 0.125 * dp * cos_cycles(theta))
                        }
                    },
                    knots,
                );
            }
            return;
        }
        for k in 0..l.len() {
            let p = self
                .position(clock, (m0 + k as u64) as f64, alpha[k], first)
                .clamp(-1.0, 1.0);
            // θ = (p + 1)·π/4, in cycles (p + 1)/8.
            let theta = (p + 1.0) * 0.125;
            l[k] *= cos_cycles(theta);
            r[k] *= sin_cycles(theta);
        }
    }

    /// The largest gain each channel can get over the ramp (for amplitude bounds).
    pub fn max_gains(&self) -> [f64; 2] {
        if !self.is_active() {
            return [1.0, 1.0];
        }
        let lo = self.min.min().min(self.max.min());
        let hi = self.min.max().max(self.max.max());
        let lo = if self.kind == PanType::Linear {
            lo
        } else {
            lo.min(0.0)
        };
        let hi = if self.kind == PanType::Linear {
            hi
        } else {
            hi.max(0.0)
        };
        [
            cos_cycles((lo + 1.0) * 0.125),
            sin_cycles((hi + 1.0) * 0.125),
        ]
    }
}

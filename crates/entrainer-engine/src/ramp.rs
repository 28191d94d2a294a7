//! Transition progress α(m) of `render.md` §4, in frames, and the exact integral of α
//! used to integrate ramped rates (`voices.md` §2.1: ramps act before integration).

use crate::plan::{RampCurve, RampPlan};
use crate::timeline::frames;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// α = 0 everywhere (static voice, or a ramp that starts after the step).
    Hold,
    /// α jumps from 0 to 1 at frame A.
    Jump,
    /// α rises from 0 at A to 1 at B.
    Ramp,
}

/// The ramp of one voice in one step, in frames.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ramp {
    kind: Kind,
    a: f64,
    b: f64,
    curve: RampCurve,
}

impl Ramp {
    pub const HOLD: Ramp = Ramp {
        kind: Kind::Hold,
        a: 0.0,
        b: 0.0,
        curve: RampCurve::Linear,
    };

    pub fn new(plan: Option<&RampPlan>, step_frames: u64, sample_rate: u32) -> Ramp {
        let Some(plan) = plan else { return Ramp::HOLD };
        let n = step_frames;
        let a = frames(plan.initial_offset_s.max(0.0), sample_rate);
        let b = match plan.transition_s {
            None => n.saturating_sub(1),
            Some(t) => (a.saturating_add(frames(t.max(0.0), sample_rate))).min(n.saturating_sub(1)),
        };
        let kind = if a >= n {
            Kind::Hold
        } else if b <= a {
            Kind::Jump
        } else {
            Kind::Ramp
        };
        Ramp {
            kind,
            a: a as f64,
            b: b as f64,
            curve: plan.curve,
        }
    }

    pub fn is_hold(&self) -> bool {
        self.kind == Kind::Hold
    }

    #[inline(always)]
    fn shape(&self, u: f64) -> f64 {
        match self.curve {
            RampCurve::Linear => u,
            RampCurve::Logarithmic => 1.0 - (1.0 - u) * (1.0 - u),
            RampCurve::Exponential => u * u,
        }
    }

    /// ∫₀ᵘ shape.
    #[inline(always)]
    fn shape_integral(&self, u: f64) -> f64 {
        match self.curve {
            RampCurve::Linear => 0.5 * u * u,
            RampCurve::Logarithmic => {
                let v = 1.0 - u;
                u - (1.0 - v * v * v) / 3.0
            }
            RampCurve::Exponential => u * u * u / 3.0,
        }
    }

    /// α at (possibly fractional) frame position x.
    #[inline(always)]
    pub fn alpha(&self, x: f64) -> f64 {
        match self.kind {
            Kind::Hold => 0.0,
            Kind::Jump => {
                if x >= self.a {
                    1.0
                } else {
                    0.0
                }
            }
            Kind::Ramp => {
                if x <= self.a {
                    0.0
                } else if x >= self.b {
                    1.0
                } else {
                    self.shape((x - self.a) / (self.b - self.a))
                }
            }
        }
    }

    /// ∫₀ˣ α(ξ) dξ, in frames.
    #[inline(always)]
    pub fn alpha_integral(&self, x: f64) -> f64 {
        match self.kind {
            Kind::Hold => 0.0,
            Kind::Jump => (x - self.a).max(0.0),
            Kind::Ramp => {
                if x <= self.a {
                    0.0
                } else {
                    let w = self.b - self.a;
                    if x >= self.b {
                        w * self.shape_integral(1.0) + (x - self.b)
                    } else {
                        w * self.shape_integral((x - self.a) / w)
                    }
                }
            }
        }
    }

    /// Frame positions where α is not smooth (ramp start and end); quadrature splits there.
    pub fn breakpoints(&self) -> [f64; 2] {
        match self.kind {
            Kind::Hold => [f64::NAN, f64::NAN],
            Kind::Jump => [self.a, f64::NAN],
            Kind::Ramp => [self.a, self.b],
        }
    }

    /// Frame A of a jump (α = 0 before it, 1 from it).
    pub fn jump_frame(&self) -> Option<u64> {
        (self.kind == Kind::Jump).then_some(self.a as u64)
    }

    /// Frames at which α stops changing: after this, α = 1 (or 0 for Hold).
    pub fn settled_from(&self) -> f64 {
        match self.kind {
            Kind::Hold => 0.0,
            Kind::Jump => self.a,
            Kind::Ramp => self.b,
        }
    }
}

/// A parameter that is `start` at α = 0 and `end` at α = 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lerp {
    pub start: f64,
    pub end: f64,
}

impl Lerp {
    pub fn new((start, end): (f64, f64)) -> Lerp {
        Lerp { start, end }
    }

    pub const fn constant(v: f64) -> Lerp {
        Lerp { start: v, end: v }
    }

    #[inline(always)]
    pub fn at(&self, alpha: f64) -> f64 {
        self.start + (self.end - self.start) * alpha
    }

    pub fn is_const(&self) -> bool {
        self.start == self.end
    }

    pub fn max_abs(&self) -> f64 {
        self.start.abs().max(self.end.abs())
    }

    pub fn max(&self) -> f64 {
        self.start.max(self.end)
    }

    pub fn min(&self) -> f64 {
        self.start.min(self.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(a: f64, t: Option<f64>, curve: RampCurve) -> RampPlan {
        RampPlan {
            initial_offset_s: a,
            transition_s: t,
            curve,
        }
    }

    #[test]
    fn ramp_reaches_end_exactly_at_b() {
        let r = Ramp::new(Some(&plan(1.0, Some(2.0), RampCurve::Linear)), 100, 10);
        assert_eq!(r.alpha(10.0), 0.0);
        assert_eq!(r.alpha(20.0), 0.5);
        assert_eq!(r.alpha(30.0), 1.0);
        let to_end = Ramp::new(Some(&plan(0.0, None, RampCurve::Exponential)), 100, 10);
        assert_eq!(to_end.alpha(99.0), 1.0);
        assert!((to_end.alpha(49.5) - 0.25).abs() < 1e-12);
    }

    #[test]
    fn jump_and_hold() {
        let j = Ramp::new(Some(&plan(1.0, Some(0.0), RampCurve::Linear)), 100, 10);
        assert_eq!((j.alpha(9.0), j.alpha(10.0)), (0.0, 1.0));
        let h = Ramp::new(Some(&plan(20.0, None, RampCurve::Linear)), 100, 10);
        assert!(h.is_hold());
    }

    #[test]
    fn alpha_integral_matches_numeric_sum() {
        for curve in [
            RampCurve::Linear,
            RampCurve::Logarithmic,
            RampCurve::Exponential,
        ] {
            let r = Ramp::new(Some(&plan(1.0, Some(5.0), curve)), 1000, 100);
            let x = 420.0;
            let n = 100_000;
            let h = x / n as f64;
            let s: f64 = (0..n).map(|i| r.alpha((i as f64 + 0.5) * h) * h).sum();
            assert!((r.alpha_integral(x) - s).abs() < 1e-6, "{curve:?}");
        }
    }
}

//! Volume envelopes (`render.md` §5) and the 10 ms de-click edge fades (§6), in step frames.

use crate::plan::EnvelopePlan;
use crate::timeline::frames;

/// A voice's gain over its step: the volume envelope times the edge fades.
#[derive(Debug, Clone, Copy)]
pub struct Envelope {
    n: u64,
    shape: Shape,
    /// Fade width W (0 when fades are off), and which edges fade.
    w: u64,
    fade_start: bool,
    fade_end: bool,
}

#[derive(Debug, Clone, Copy)]
enum Shape {
    Flat,
    FadeIn {
        f: u64,
        s: f64,
        t: f64,
    },
    FadeOut {
        f: u64,
        s: f64,
        t: f64,
    },
    Adsr {
        a: u64,
        d: u64,
        h: u64,
        r: u64,
        sustain: f64,
    },
    Linen {
        a: u64,
        r: u64,
    },
}

impl Envelope {
    /// `fade_start`/`fade_end`: whether each edge is faded (not when the voice continues).
    pub fn new(
        plan: Option<&EnvelopePlan>,
        n: u64,
        sample_rate: u32,
        fade_start: bool,
        fade_end: bool,
    ) -> Envelope {
        let fr = |s: f64| frames(s.max(0.0), sample_rate);
        let shape = match plan {
            None => Shape::Flat,
            Some(EnvelopePlan::LinearFade {
                fade_s,
                start_amp,
                end_amp,
                fade_out,
            }) => {
                let f = fr(*fade_s).min(n);
                if *fade_out {
                    Shape::FadeOut {
                        f,
                        s: *start_amp,
                        t: *end_amp,
                    }
                } else {
                    Shape::FadeIn {
                        f,
                        s: *start_amp,
                        t: *end_amp,
                    }
                }
            }
            Some(EnvelopePlan::Adsr {
                attack_s,
                decay_s,
                sustain_level,
                release_s,
            }) => {
                let (mut a, mut d, mut r) = (fr(*attack_s), fr(*decay_s), fr(*release_s));
                let total = a + d + r;
                if total > n {
                    a = (a as u128 * n as u128 / total as u128) as u64;
                    d = (d as u128 * n as u128 / total as u128) as u64;
                    r = n - a - d;
                }
                Shape::Adsr {
                    a,
                    d,
                    h: n - a - d - r,
                    r,
                    sustain: sustain_level.clamp(0.0, 1.0),
                }
            }
            Some(EnvelopePlan::Linen {
                attack_s,
                release_s,
            }) => {
                let (mut a, mut r) = (fr(*attack_s), fr(*release_s));
                if a + r > n {
                    a = (a as u128 * n as u128 / (a + r) as u128) as u64;
                    r = n - a;
                }
                Shape::Linen { a, r }
            }
        };
        let w = n.min(frames(0.010, sample_rate));
        Envelope {
            n,
            shape,
            w: if w >= 2 { w } else { 0 },
            fade_start,
            fade_end,
        }
    }

    /// No volume envelope: the gain is 1 but for the edge fades.
    pub fn is_flat(&self) -> bool {
        matches!(self.shape, Shape::Flat)
    }

    pub fn is_unity(&self) -> bool {
        matches!(self.shape, Shape::Flat) && (self.w == 0 || (!self.fade_start && !self.fade_end))
    }

    /// The volume envelope alone, e(m).
    #[inline]
    pub fn envelope(&self, m: u64) -> f64 {
        let n = self.n;
        match self.shape {
            Shape::Flat => 1.0,
            Shape::FadeIn { f, s, t } => {
                // No fade, past it, or a one-frame fade: the target.
                if f <= 1 || m >= f {
                    t
                } else {
                    s + (t - s) * m as f64 / (f - 1) as f64
                }
            }
            Shape::FadeOut { f, s, t } => {
                if f == 0 || m < n - f {
                    s
                } else if f == 1 {
                    t
                } else {
                    s + (t - s) * (m - (n - f)) as f64 / (f - 1) as f64
                }
            }
            Shape::Adsr {
                a,
                d,
                h,
                r,
                sustain,
            } => {
                if m < a {
                    m as f64 / a as f64
                } else if m < a + d {
                    1.0 - (1.0 - sustain) * (m - a) as f64 / d as f64
                } else if m < a + d + h {
                    sustain
                } else {
                    let k = m - (a + d + h);
                    if r <= 1 {
                        0.0
                    } else {
                        sustain * (1.0 - k as f64 / (r - 1) as f64)
                    }
                }
            }
            Shape::Linen { a, r } => {
                if m < a {
                    m as f64 / a as f64
                } else if m < n - r {
                    1.0
                } else {
                    let k = m - (n - r);
                    if r <= 1 {
                        0.0
                    } else {
                        1.0 - k as f64 / (r - 1) as f64
                    }
                }
            }
        }
    }

    /// The edge-fade factor at m.
    #[inline]
    pub fn fade(&self, m: u64) -> f64 {
        let w = self.w;
        if w == 0 {
            return 1.0;
        }
        let mut g = 1.0;
        if self.fade_start && m < w {
            g = m as f64 / (w - 1) as f64;
        }
        let from_end = self.n - 1 - m;
        if self.fade_end && from_end < w {
            g *= from_end as f64 / (w - 1) as f64;
        }
        g
    }

    /// Gain at m: e(m) · fade(m).
    #[inline]
    pub fn gain(&self, m: u64) -> f64 {
        self.envelope(m) * self.fade(m)
    }

    /// An upper bound of |gain(m)| over the step (the edge fades only lower it).
    pub fn max_gain(&self) -> f64 {
        match self.shape {
            Shape::Flat | Shape::Linen { .. } => 1.0,
            Shape::FadeIn { s, t, .. } | Shape::FadeOut { s, t, .. } => s.abs().max(t.abs()),
            Shape::Adsr { sustain, .. } => sustain.abs().max(1.0),
        }
    }

    /// Whether [m0, m0 + len) lies where the gain is exactly 1.
    pub fn unity_over(&self, m0: u64, len: u64) -> bool {
        if !matches!(self.shape, Shape::Flat) {
            return false;
        }
        let lo_ok = !self.fade_start || m0 >= self.w;
        let hi_ok = !self.fade_end || m0 + len + self.w <= self.n;
        self.w == 0 || (lo_ok && hi_ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adsr_shortened_proportionally_and_ends_at_zero() {
        let p = EnvelopePlan::Adsr {
            attack_s: 0.5,
            decay_s: 0.5,
            sustain_level: 0.5,
            release_s: 1.0,
        };
        let e = Envelope::new(Some(&p), 100, 100, false, false); // A+D+R = 200 > 100
        assert_eq!(e.envelope(0), 0.0);
        assert_eq!(e.envelope(25), 1.0);
        assert_eq!(e.envelope(99), 0.0);
        assert_eq!(e.envelope(50), 0.5);
    }

    #[test]
    fn edge_fades_are_zero_at_both_ends() {
        let e = Envelope::new(None, 1000, 44_100, true, true);
        assert_eq!(e.fade(0), 0.0);
        assert_eq!(e.fade(999), 0.0);
        assert_eq!(e.fade(500), 1.0);
        let w = frames(0.010, 44_100);
        assert_eq!(e.fade(w - 1), 1.0);
    }

    #[test]
    fn linear_fade_in_and_out() {
        let p = EnvelopePlan::LinearFade {
            fade_s: 0.1,
            start_amp: 0.0,
            end_amp: 1.0,
            fade_out: false,
        };
        let e = Envelope::new(Some(&p), 100, 100, false, false);
        assert_eq!(
            (e.envelope(0), e.envelope(9), e.envelope(50)),
            (0.0, 1.0, 1.0)
        );
        let p = EnvelopePlan::LinearFade {
            fade_s: 0.1,
            start_amp: 1.0,
            end_amp: 0.0,
            fade_out: true,
        };
        let e = Envelope::new(Some(&p), 100, 100, false, false);
        assert_eq!(
            (e.envelope(89), e.envelope(90), e.envelope(99)),
            (1.0, 1.0, 0.0)
        );
    }
}

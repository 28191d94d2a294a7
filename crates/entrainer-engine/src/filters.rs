//! Recursive filters (`voices.md` §2.9): Direct Form I biquads in f64, Butterworth designs by
//! the bilinear transform with pre-warping, and the pole decay rate used for seek warm-up.

use std::f64::consts::PI;

use crate::shapes::fma;

/// Normalised second-order section (a0 = 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coeffs {
    pub b0: f64,
    pub b1: f64,
    pub b2: f64,
    pub a1: f64,
    pub a2: f64,
}

/// Quality factors of the sections of an order-4 Butterworth filter.
pub const BUTTER4_Q: [f64; 2] = [0.541_196_100_146_197, 1.306_562_964_876_376_8];

impl Coeffs {
    /// Second-order low-pass section at `fc` with quality `q` (bilinear, pre-warped at fc).
    pub fn lowpass(fc: f64, q: f64, sr: f64) -> Coeffs {
        let w0 = 2.0 * PI * fc / sr;
        let (s, c) = w0.sin_cos();
        let alpha = s / (2.0 * q);
        let a0 = 1.0 + alpha;
        Coeffs {
            b0: (1.0 - c) / 2.0 / a0,
            b1: (1.0 - c) / a0,
            b2: (1.0 - c) / 2.0 / a0,
            a1: -2.0 * c / a0,
            a2: (1.0 - alpha) / a0,
        }
    }

    /// The two sections of an order-4 Butterworth low-pass in SciPy's `butter(..., output='sos')`
    /// layout: the whole gain in the first section, numerators (1, 2, 1) otherwise. The layout
    /// matters when coefficients change while the filter runs (the states differ).
    pub fn butter4_lowpass(fc: f64, sr: f64) -> [Coeffs; 2] {
        let s0 = Coeffs::lowpass(fc, BUTTER4_Q[0], sr);
        let s1 = Coeffs::lowpass(fc, BUTTER4_Q[1], sr);
        let g = s0.b0 * s1.b0;
        [
            Coeffs {
                b0: g,
                b1: 2.0 * g,
                b2: g,
                a1: s0.a1,
                a2: s0.a2,
            },
            Coeffs {
                b0: 1.0,
                b1: 2.0,
                b2: 1.0,
                a1: s1.a1,
                a2: s1.a2,
            },
        ]
    }

    /// The two sections of an order-4 Butterworth high-pass in the same SciPy layout as
    /// [`Coeffs::butter4_lowpass`]: the whole gain in the first section, numerators (1, −2, 1).
    pub fn butter4_highpass(fc: f64, sr: f64) -> [Coeffs; 2] {
        let s0 = Coeffs::highpass(fc, BUTTER4_Q[0], sr);
        let s1 = Coeffs::highpass(fc, BUTTER4_Q[1], sr);
        let g = s0.b0 * s1.b0;
        [
            Coeffs {
                b0: g,
                b1: -2.0 * g,
                b2: g,
                a1: s0.a1,
                a2: s0.a2,
            },
            Coeffs {
                b0: 1.0,
                b1: -2.0,
                b2: 1.0,
                a1: s1.a1,
                a2: s1.a2,
            },
        ]
    }

    /// Second-order high-pass section.
    pub fn highpass(fc: f64, q: f64, sr: f64) -> Coeffs {
        let w0 = 2.0 * PI * fc / sr;
        let (s, c) = w0.sin_cos();
        let alpha = s / (2.0 * q);
        let a0 = 1.0 + alpha;
        Coeffs {
            b0: (1.0 + c) / 2.0 / a0,
            b1: -(1.0 + c) / a0,
            b2: (1.0 + c) / 2.0 / a0,
            a1: -2.0 * c / a0,
            a2: (1.0 - alpha) / a0,
        }
    }

    /// First-order low-pass (as a section with b2 = a2 = 0).
    pub fn lowpass1(fc: f64, sr: f64) -> Coeffs {
        let k = (PI * fc / sr).tan();
        let g = k / (1.0 + k);
        Coeffs {
            b0: g,
            b1: g,
            b2: 0.0,
            a1: (k - 1.0) / (k + 1.0),
            a2: 0.0,
        }
    }

    /// Slowest pole decay rate in 1/s (−ln|pole|·sr).
    pub fn decay_rate(&self, sr: f64) -> f64 {
        let disc = self.a1 * self.a1 - 4.0 * self.a2;
        let radius = if disc < 0.0 {
            self.a2.sqrt()
        } else {
            let r = disc.sqrt();
            ((-self.a1 + r) / 2.0)
                .abs()
                .max(((-self.a1 - r) / 2.0).abs())
        };
        if radius <= 0.0 {
            f64::INFINITY
        } else {
            -radius.ln() * sr
        }
    }

    /// |H(e^{jω})|² at frequency f.
    pub fn power_response(&self, f: f64, sr: f64) -> f64 {
        let w = 2.0 * PI * f / sr;
        let (z1r, z1i) = (w.cos(), -w.sin());
        let (z2r, z2i) = ((2.0 * w).cos(), -(2.0 * w).sin());
        let nr = self.b0 + self.b1 * z1r + self.b2 * z2r;
        let ni = self.b1 * z1i + self.b2 * z2i;
        let dr = 1.0 + self.a1 * z1r + self.a2 * z2r;
        let di = self.a1 * z1i + self.a2 * z2i;
        (nr * nr + ni * ni) / (dr * dr + di * di)
    }
}

/// Direct Form I state of one section.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Df1 {
    pub x1: f64,
    pub x2: f64,
    pub y1: f64,
    pub y2: f64,
}

impl Df1 {
    /// One sample. The feed-forward part and the older feedback term are summed first, so
    /// the recursion from one output to the next is a single multiply-add: cascaded sections
    /// then overlap across samples instead of waiting on each other.
    #[inline(always)]
    pub fn tick(&mut self, c: &Coeffs, x: f64) -> f64 {
        let ff = fma(c.b0, x, fma(c.b2, self.x2, c.b1 * self.x1));
        let y = fma(-c.a1, self.y1, fma(-c.a2, self.y2, ff));
        self.x2 = self.x1;
        self.x1 = x;
        self.y2 = self.y1;
        self.y1 = y;
        y
    }
}

/// Warm-up length after a seek (`voices.md` §2.9.5): ceil(sr·clamp(40/σ_min, 0.5 s, 60 s)).
pub fn warmup_frames(sigma_min: f64, sample_rate: u32) -> u64 {
    let t = (40.0 / sigma_min).clamp(0.5, 60.0);
    (sample_rate as f64 * t).ceil() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn butterworth4_lowpass_is_3db_down_at_cutoff() {
        let sr = 48_000.0;
        let g: f64 = BUTTER4_Q
            .iter()
            .map(|&q| Coeffs::lowpass(1000.0, q, sr).power_response(1000.0, sr))
            .product();
        assert!((10.0 * g.log10() + 3.0103).abs() < 1e-3);
        let g2: f64 = BUTTER4_Q
            .iter()
            .map(|&q| Coeffs::lowpass(1000.0, q, sr).power_response(2000.0, sr))
            .product();
        assert!(10.0 * g2.log10() < -23.0);
        let dc: f64 = BUTTER4_Q
            .iter()
            .map(|&q| Coeffs::lowpass(1000.0, q, sr).power_response(0.0, sr))
            .product();
        assert!((dc - 1.0).abs() < 1e-12);
    }

    #[test]
    fn butterworth4_highpass_matches_scipy() {
        // scipy.signal.butter(4, 30, "highpass", fs=48000, output="sos")
        let expected = [
            [
                0.994_882_28,
                -1.989_764_55,
                0.994_882_28,
                -1.992_754_75,
                0.992_770_12,
            ],
            [1.0, -2.0, 1.0, -1.996_983_53, 0.996_998_93],
        ];
        for (c, e) in Coeffs::butter4_highpass(30.0, 48_000.0)
            .iter()
            .zip(expected)
        {
            for (x, y) in [c.b0, c.b1, c.b2, c.a1, c.a2].iter().zip(e) {
                assert!((x - y).abs() < 1e-8, "{x} {y}");
            }
        }
        let sr = 48_000.0;
        let g: f64 = BUTTER4_Q
            .iter()
            .map(|&q| Coeffs::highpass(30.0, q, sr).power_response(30.0, sr))
            .product();
        assert!((10.0 * g.log10() + 3.0103).abs() < 1e-3);
    }

    #[test]
    fn warmup_matches_spec_examples() {
        // pink noise's slowest pole 0.99886 at 44.1 kHz needs about 0.8 s
        let sigma = -(0.99886f64).ln() * 44_100.0;
        let w = warmup_frames(sigma, 44_100);
        assert!((w as f64 / 44_100.0 - 0.795).abs() < 0.01);
    }
}

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

/// Four cascaded sections on both channels, in place: the same samples, bit for bit, as
/// ticking each section over the run in turn.
///
/// Ticking section by section waits on one recursion at a time (each output needs the one
/// before). Here the eight recursions (4 sections × 2 channels) run side by side in two
/// 4-wide vectors, section s [`SKEW`] samples behind section s − 1 per step, so no step waits
/// on another's result. Every lane does [`Df1::tick`]'s arithmetic exactly (the same fused
/// multiply-adds), so the bits do not change. Without AVX2 and FMA, or for short runs, the
/// sections are ticked in turn.
pub fn cascade4_stereo(c: &[Coeffs; 4], state: &mut [[Df1; 4]; 2], l: &mut [f64], r: &mut [f64]) {
    let run = l.len();
    let r = &mut r[..run];
    #[cfg(all(
        target_arch = "x86_64",
        target_feature = "avx2",
        target_feature = "fma"
    ))]
    if run >= 8 * SKEW {
        skewed::cascade4_stereo(c, state, l, r);
        return;
    }
    for s in 0..4 {
        let (mut a, mut b) = (state[0][s], state[1][s]);
        for k in 0..run {
            l[k] = a.tick(&c[s], l[k]);
            r[k] = b.tick(&c[s], r[k]);
        }
        state[0][s] = a;
        state[1][s] = b;
    }
}

/// Samples between consecutive sections in [`cascade4_stereo`]'s skewed loop.
pub const SKEW: usize = 4;

#[cfg(all(
    target_arch = "x86_64",
    target_feature = "avx2",
    target_feature = "fma"
))]
mod skewed {
    //! Lane q = 2s + channel: vector A holds sections 0–1, vector B sections 2–3. At step t
    //! section s filters sample t − SKEW·s; its input is section s − 1's output of step
    //! t − SKEW, kept in a history of SKEW vector pairs. While the pipeline fills and drains,
    //! lanes whose sample lies outside the run keep their state (masked steps).
    use super::{Coeffs, Df1, SKEW};
    use std::arch::x86_64::*;

    type V2 = [__m256d; 2];

    struct Regs {
        k: [V2; 5],
        x1: V2,
        x2: V2,
        y1: V2,
        y2: V2,
    }

    /// One step: `h` holds the outputs of step t − SKEW and receives those of step t; lanes
    /// off in `mask` (sign bit clear) keep their state. Returns section 3's two outputs.
    #[inline(always)]
    unsafe fn step(g: &mut Regs, h: &mut V2, lt: f64, rt: f64, mask: Option<V2>) -> (f64, f64) {
        let input = _mm256_castpd128_pd256(_mm_set_pd(rt, lt));
        let x = [
            _mm256_permute2f128_pd(input, h[0], 0x20),
            _mm256_permute2f128_pd(h[0], h[1], 0x21),
        ];
        let mut y = x;
        for v in 0..2 {
            // Df1::tick: ff = b0·x + (b2·x2 + b1·x1); y = −a1·y1 + (−a2·y2 + ff), fused.
            let ff = _mm256_fmadd_pd(
                g.k[0][v],
                x[v],
                _mm256_fmadd_pd(g.k[2][v], g.x2[v], _mm256_mul_pd(g.k[1][v], g.x1[v])),
            );
            y[v] = _mm256_fmadd_pd(g.k[3][v], g.y1[v], _mm256_fmadd_pd(g.k[4][v], g.y2[v], ff));
        }
        match mask {
            None => {
                g.x2 = g.x1;
                g.x1 = x;
                g.y2 = g.y1;
                g.y1 = y;
                *h = y;
            }
            Some(m) => {
                for v in 0..2 {
                    let keep = |old: __m256d, new: __m256d| _mm256_blendv_pd(old, new, m[v]);
                    g.x2[v] = keep(g.x2[v], g.x1[v]);
                    g.x1[v] = keep(g.x1[v], x[v]);
                    g.y2[v] = keep(g.y2[v], g.y1[v]);
                    g.y1[v] = keep(g.y1[v], y[v]);
                    h[v] = keep(h[v], y[v]);
                }
            }
        }
        let hi = _mm256_extractf128_pd(y[1], 1);
        (_mm_cvtsd_f64(hi), _mm_cvtsd_f64(_mm_unpackhi_pd(hi, hi)))
    }

    pub fn cascade4_stereo(
        c: &[Coeffs; 4],
        state: &mut [[Df1; 4]; 2],
        l: &mut [f64],
        r: &mut [f64],
    ) {
        let run = l.len();
        let fill = 3 * SKEW;
        debug_assert!(run >= 2 * fill);
        let lanes = |f: &dyn Fn(usize) -> f64| -> [f64; 8] { std::array::from_fn(f) };
        // SAFETY: the cfg guarantees AVX2 and FMA; every load and store goes through an
        // array of 8 lanes or a checked slice index.
        unsafe {
            let ld = |a: [f64; 8]| -> V2 {
                [
                    _mm256_loadu_pd(a.as_ptr()),
                    _mm256_loadu_pd(a.as_ptr().add(4)),
                ]
            };
            let coef = |f: fn(&Coeffs) -> f64| ld(lanes(&|q| f(&c[q / 2])));
            let st = |f: fn(&Df1) -> f64| ld(lanes(&|q| f(&state[q % 2][q / 2])));
            let mut g = Regs {
                k: [
                    coef(|c| c.b0),
                    coef(|c| c.b1),
                    coef(|c| c.b2),
                    coef(|c| -c.a1),
                    coef(|c| -c.a2),
                ],
                x1: st(|d| d.x1),
                x2: st(|d| d.x2),
                y1: st(|d| d.y1),
                y2: st(|d| d.y2),
            };
            let zero = _mm256_setzero_pd();
            let mut h: [V2; SKEW] = [[zero; 2]; SKEW];
            // Lanes of the sections whose sample t − SKEW·s lies in [0, run).
            let mask = |t: usize| -> V2 {
                ld(lanes(&|q| {
                    let s = q / 2;
                    if t >= SKEW * s && t - SKEW * s < run {
                        -1.0
                    } else {
                        1.0
                    }
                }))
            };
            for t in 0..fill {
                step(&mut g, &mut h[t % SKEW], l[t], r[t], Some(mask(t)));
            }
            let mut t = fill;
            while t + SKEW <= run {
                for (s, hs) in h.iter_mut().enumerate() {
                    let tt = t + s;
                    let (ol, or) = step(&mut g, hs, l[tt], r[tt], None);
                    l[tt - fill] = ol;
                    r[tt - fill] = or;
                }
                t += SKEW;
            }
            while t < run + fill {
                let (lt, rt) = if t < run { (l[t], r[t]) } else { (0.0, 0.0) };
                let m = if t < run { None } else { Some(mask(t)) };
                let (ol, or) = step(&mut g, &mut h[t % SKEW], lt, rt, m);
                l[t - fill] = ol;
                r[t - fill] = or;
                t += 1;
            }
            let mut out = [[0.0; 8]; 4];
            for (o, v) in out.iter_mut().zip([g.x1, g.x2, g.y1, g.y2]) {
                _mm256_storeu_pd(o.as_mut_ptr(), v[0]);
                _mm256_storeu_pd(o.as_mut_ptr().add(4), v[1]);
            }
            for q in 0..8 {
                state[q % 2][q / 2] = Df1 {
                    x1: out[0][q],
                    x2: out[1][q],
                    y1: out[2][q],
                    y2: out[3][q],
                };
            }
        }
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
    fn pipelined_cascade_matches_section_by_section() {
        let sr = 44_100.0;
        let [a, b] = Coeffs::butter4_lowpass(437.1, sr);
        let c = [a, b, a, b];
        for run in [1, 7, 8, 31, 32, 33, 35, 256, 1001] {
            let input: Vec<f64> = (0..run)
                .map(|k| ((k * 7919) % 101) as f64 / 50.0 - 1.0)
                .collect();
            let mut start = [[Df1::default(); 4]; 2];
            for (ch, sec) in start.iter_mut().enumerate() {
                for (s, d) in sec.iter_mut().enumerate() {
                    *d = Df1 {
                        x1: 0.1 * s as f64,
                        x2: -0.2,
                        y1: 0.05 * ch as f64,
                        y2: 0.3,
                    };
                }
            }
            let (mut l1, mut r1) = (
                input.clone(),
                input.iter().map(|x| -0.5 * x).collect::<Vec<_>>(),
            );
            let (mut l2, mut r2) = (l1.clone(), r1.clone());
            let mut s1 = start;
            for s in 0..4 {
                for k in 0..run {
                    l1[k] = s1[0][s].tick(&c[s], l1[k]);
                    r1[k] = s1[1][s].tick(&c[s], r1[k]);
                }
            }
            let mut s2 = start;
            cascade4_stereo(&c, &mut s2, &mut l2, &mut r2);
            assert_eq!(l1, l2, "run {run}");
            assert_eq!(r1, r2, "run {run}");
            assert_eq!(s1, s2, "run {run}");
        }
    }

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

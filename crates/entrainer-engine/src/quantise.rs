//! Quantisation of the output to b-bit PCM (`render.md` §11), with optional TPDF dither.
//!
//! q = clamp(round_half_away_from_zero(x·(2^(b−1) − 1) + d), −2^(b−1), 2^(b−1) − 1), where
//! d = 0 without dither, and with it d = u₁ + u₂ − 1 (triangular, ±1 LSB) from the uniforms
//! r(dither seed, 0, 4n + 2c) and r(dither seed, 0, 4n + 2c + 1) of frame n, channel c
//! (`render.md` §13). n is the frame of the track's timeline, so an excerpt gets the same
//! dither as the same frames of a full render.

use crate::error::{EngineError, Result};
use crate::rng;

/// Quantises stereo blocks to `bits` bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantiser {
    bits: u32,
    /// Key of stream 0 of the dither seed, when dithering.
    dither: Option<u64>,
}

impl Quantiser {
    /// `seed` is the render seed; `dither` switches TPDF dither on.
    pub fn new(bits: u32, dither: bool, seed: u64) -> Result<Quantiser> {
        if bits != 16 && bits != 24 {
            return Err(EngineError::Option {
                name: "bits",
                message: format!("expected 16 or 24, got {bits}"),
            });
        }
        Ok(Quantiser {
            bits,
            dither: dither.then(|| rng::key(rng::derived(seed, "dither"), 0)),
        })
    }

    /// The TPDF offset of frame n, channel c (in LSB, in (−1, 1)).
    #[inline]
    fn offset(key: u64, n: u64, c: u64) -> f64 {
        let i = 4 * n + 2 * c;
        rng::uniform(rng::r_keyed(key, i)) + rng::uniform(rng::r_keyed(key, i + 1)) - 1.0
    }

    /// Appends the interleaved codes of frames n0.. (`l`, `r` at the output level) to `out`
    /// and returns how many samples were clipped.
    pub fn run(&self, n0: u64, l: &[f64], r: &[f64], out: &mut Vec<i32>) -> u64 {
        let half = 1i64 << (self.bits - 1);
        let full = (half - 1) as f64;
        let (lo, hi) = (-half as f64, (half - 1) as f64);
        // Rounded half away from zero, then clipped in the floating-point domain: the same
        // code as clipping the integer (NaN gives 0 and is not counted), in a loop without
        // branches that vectorises.
        let code = |v: f64| -> (i32, u64) {
            let v = v.round();
            let clipped = u64::from(v < lo || v > hi);
            let v = if v.is_nan() { 0.0 } else { v.clamp(lo, hi) };
            // SAFETY: v is finite and within [lo, hi], which an i32 holds.
            (unsafe { v.to_int_unchecked::<i32>() }, clipped)
        };
        let n = l.len().min(r.len());
        let start = out.len();
        out.resize(start + 2 * n, 0);
        let frames = out[start..].chunks_exact_mut(2).zip(l.iter().zip(r));
        let mut clipped = 0;
        match self.dither {
            None => {
                for (o, (&xl, &xr)) in frames {
                    let ((a, ca), (b, cb)) = (code(xl * full), code(xr * full));
                    (o[0], o[1]) = (a, b);
                    clipped += ca + cb;
                }
            }
            Some(key) => {
                for (k, (o, (&xl, &xr))) in frames.enumerate() {
                    let m = n0 + k as u64;
                    let a = code(xl * full + Self::offset(key, m, 0));
                    let b = code(xr * full + Self::offset(key, m, 1));
                    (o[0], o[1]) = (a.0, b.0);
                    clipped += a.1 + b.1;
                }
            }
        }
        clipped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(q: &Quantiser, n0: u64, l: &[f64], r: &[f64]) -> Vec<i32> {
        let mut out = Vec::new();
        q.run(n0, l, r, &mut out);
        out
    }

    /// The codes are the module formula applied sample by sample (integer clipping), for
    /// half-way points, full scale, beyond it, infinities and NaN, with and without dither.
    #[test]
    fn codes_match_the_formula() {
        for bits in [16u32, 24] {
            let half = 1i64 << (bits - 1);
            let full = (half - 1) as f64;
            let lsb = 1.0 / full;
            let mut x: Vec<f64> = (-3000..=3000).map(|k| k as f64 * 0.5 * lsb).collect();
            x.extend([1.0, -1.0, 1.0 + lsb, -1.0 - 2.0 * lsb, 7.5, -1e300, 1e300]);
            x.extend([
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NAN,
                0.0,
                -0.0,
                0.999_999_9,
            ]);
            let y: Vec<f64> = x.iter().rev().map(|v| -0.7 * v).collect();
            for dither in [false, true] {
                let q = Quantiser::new(bits, dither, 11).unwrap();
                let mut out = vec![5, 6]; // appended after what is there
                let clipped = q.run(40, &x, &y, &mut out);
                let (mut want, mut want_clipped) = (vec![5, 6], 0);
                for (k, (&a, &b)) in x.iter().zip(&y).enumerate() {
                    for (c, v) in [a, b].into_iter().enumerate() {
                        let d = match q.dither {
                            Some(key) => Quantiser::offset(key, 40 + k as u64, c as u64),
                            None => 0.0,
                        };
                        let code = (v * full + d).round() as i64;
                        want_clipped += u64::from(code < -half || code > half - 1);
                        want.push(code.clamp(-half, half - 1) as i32);
                    }
                }
                assert_eq!(out, want, "{bits} bits, dither {dither}");
                assert_eq!(clipped, want_clipped, "{bits} bits, dither {dither}");
            }
        }
    }

    #[test]
    fn rounds_half_away_from_zero_and_clips() {
        let q = Quantiser::new(16, false, 0).unwrap();
        let lsb = 1.0 / 32_767.0;
        let l = [0.5 * lsb, -0.5 * lsb, 1.49 * lsb, 1.0, -1.0, 1.5, -1.5];
        let r = [0.0; 7];
        let mut out = Vec::new();
        let clipped = q.run(0, &l, &r, &mut out);
        let left: Vec<i32> = out.iter().step_by(2).copied().collect();
        assert_eq!(left, [1, -1, 1, 32_767, -32_767, 32_767, -32_768]);
        assert_eq!(clipped, 2);
        assert!(Quantiser::new(1, false, 0).is_err());
    }

    #[test]
    fn tpdf_dither_has_the_triangular_statistics() {
        // Silence: d rounds to ±1 when |d| ≥ 1/2, probability 1/8 each side.
        let n = 200_000;
        let q = Quantiser::new(16, true, 7).unwrap();
        let zeros = vec![0.0; n];
        let out = codes(&q, 0, &zeros, &zeros);
        let count = |v: i32| out.iter().filter(|&&x| x == v).count() as f64 / out.len() as f64;
        assert!((count(1) - 0.125).abs() < 0.005, "{}", count(1));
        assert!((count(-1) - 0.125).abs() < 0.005, "{}", count(-1));
        assert!((count(0) - 0.75).abs() < 0.005, "{}", count(0));
        // A signal: the error q − x·full has mean 0 and variance 1/6 + 1/12 = 1/4 LSB²,
        // independent of the signal (TPDF), and never reaches 2 LSB.
        let sig: Vec<f64> = (0..n).map(|k| 0.3 * (k as f64 * 0.001).sin()).collect();
        let out = codes(&q, 0, &sig, &sig);
        let err: Vec<f64> = out
            .iter()
            .step_by(2)
            .zip(&sig)
            .map(|(&c, &x)| c as f64 - x * 32_767.0)
            .collect();
        let mean = err.iter().sum::<f64>() / n as f64;
        let var = err.iter().map(|e| (e - mean) * (e - mean)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.01, "{mean}");
        assert!((var - 0.25).abs() < 0.01, "{var}");
        assert!(err.iter().all(|e| e.abs() < 1.5));
        // The two channels get different dither.
        assert_ne!(
            codes(&q, 0, &zeros, &zeros)
                .chunks(2)
                .filter(|p| p[0] != p[1])
                .count(),
            0
        );
    }

    #[test]
    fn dither_depends_on_the_frame_and_the_seed_only() {
        let q = Quantiser::new(24, true, 3).unwrap();
        let sig: Vec<f64> = (0..3000).map(|k| 0.2 * (k as f64 * 0.01).cos()).collect();
        let whole = codes(&q, 1000, &sig, &sig);
        let part = codes(&q, 1000 + 700, &sig[700..1900], &sig[700..1900]);
        assert_eq!(part, whole[2 * 700..2 * 1900]);
        let other = Quantiser::new(24, true, 4).unwrap();
        assert_ne!(codes(&other, 1000, &sig, &sig), whole);
        let plain = Quantiser::new(24, false, 3).unwrap();
        assert_eq!(
            codes(&plain, 0, &sig, &sig),
            codes(&Quantiser::new(24, false, 9).unwrap(), 5, &sig, &sig)
        );
    }
}

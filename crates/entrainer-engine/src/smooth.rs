//! Slow modulators evaluated exactly every [`KNOT`] frames and interpolated in between.
//!
//! Vibrato offsets, AM envelopes, pan gains and wobble are smooth functions of time whose
//! rates are a few hertz at most. Between exact knots (value and derivative) a cubic Hermite
//! interpolant is within A·(2πrh)⁴/384 of the true value: below 1e-10 of the modulator's
//! amplitude when [`smooth_enough`] holds. Knots sit at absolute multiples of KNOT, so any
//! block size and any seek give the same samples.

use crate::shapes::fma;

/// Knot spacing in frames.
pub const KNOT: u64 = 32;

/// Hermite basis h00, h10·G, h01, h11·G at t = k/KNOT.
struct Basis([[f64; KNOT as usize]; 4]);

const fn basis() -> Basis {
    let mut b = [[0.0; KNOT as usize]; 4];
    let mut k = 0;
    while k < KNOT as usize {
        let t = k as f64 / KNOT as f64;
        let t2 = t * t;
        let t3 = t2 * t;
        b[0][k] = 2.0 * t3 - 3.0 * t2 + 1.0;
        b[1][k] = (t3 - 2.0 * t2 + t) * KNOT as f64;
        b[2][k] = -2.0 * t3 + 3.0 * t2;
        b[3][k] = (t3 - t2) * KNOT as f64;
        k += 1;
    }
    Basis(b)
}

static BASIS: Basis = basis();

/// Whether a modulator of rate `rate_hz` is interpolated to 1e-10 of its amplitude:
/// (2π·r·KNOT/sr)⁴/384 ≤ 1e-10.
pub fn smooth_enough(rate_hz: f64, sample_rate: u32) -> bool {
    2.0 * std::f64::consts::PI * rate_hz * KNOT as f64 / sample_rate as f64 <= 0.0139
}

/// Fills `out` for frames n0.. from `knot(n) = (value, derivative per frame)`.
#[inline]
pub fn fill(n0: u64, out: &mut [f64], knot: impl Fn(u64) -> (f64, f64)) {
    let mut i = 0;
    let mut j = n0 / KNOT;
    let mut left = knot(j * KNOT);
    while i < out.len() {
        let n = n0 + i as u64;
        let k0 = (n - j * KNOT) as usize;
        let right = knot((j + 1) * KNOT);
        let run = (KNOT as usize - k0).min(out.len() - i);
        let (p0, m0, p1, m1) = (left.0, left.1, right.0, right.1);
        let b = &BASIS.0;
        for (k, o) in out[i..i + run].iter_mut().enumerate() {
            let t = k0 + k;
            *o = fma(b[3][t], m1, fma(b[2][t], p1, fma(b[1][t], m0, b[0][t] * p0)));
        }
        i += run;
        j += 1;
        left = right;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shapes::{cos_cycles, sin_cycles};

    #[test]
    fn interpolated_sine_is_within_1e10() {
        let sr = 44_100;
        let r = 3.0;
        assert!(smooth_enough(r, sr));
        let inc = r / sr as f64;
        let mut out = vec![0.0; 10_000];
        fill(123, &mut out, |n| (sin_cycles(n as f64 * inc), 2.0 * std::f64::consts::PI * inc * cos_cycles(n as f64 * inc)));
        let worst = out.iter().enumerate().map(|(k, v)| (v - sin_cycles((123 + k) as f64 * inc)).abs()).fold(0.0, f64::max);
        assert!(worst < 1e-10, "{worst}");
    }

    #[test]
    fn any_split_gives_the_same_bits() {
        let f = |n: u64| ((n as f64 * 0.001).sin(), 0.001 * (n as f64 * 0.001).cos());
        let mut whole = vec![0.0; 1000];
        fill(7, &mut whole, f);
        let mut parts = vec![0.0; 1000];
        for (c, chunk) in parts.chunks_mut(13).enumerate() {
            fill(7 + 13 * c as u64, chunk, f);
        }
        assert_eq!(whole, parts);
    }
}

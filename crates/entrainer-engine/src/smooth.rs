//! Slow modulators evaluated exactly at knots and interpolated in between.
//!
//! Vibrato offsets, AM envelopes, pan gains and wobble are smooth functions of time whose
//! rates are a few hertz at most. Between exact knots h frames apart (value and derivative) a
//! cubic Hermite interpolant is within A·(2πrh)⁴/384 of the true value: below 1e-10 of the
//! modulator's amplitude for the spacing [`knot_for`] picks, the longest power of two from
//! [`KNOT`] to [`MAX_KNOT`] frames that allows it. Knots sit at absolute multiples of the
//! spacing, so any block size and any seek give the same samples.

use crate::shapes::fma;

/// Shortest knot spacing in frames.
pub const KNOT: u64 = 32;

/// Longest knot spacing of [`fill_phased`].
pub const MAX_KNOT: usize = 1024;

/// The longest power-of-two spacing K from [`KNOT`] to `max` frames with
/// `radians_per_frame`·K ≤ `limit`, or `None` when even KNOT is too long.
fn longest_knot(radians_per_frame: f64, limit: f64, max: usize) -> Option<usize> {
    let mut k = max;
    while k >= KNOT as usize {
        if radians_per_frame * k as f64 <= limit {
            return Some(k);
        }
        k /= 2;
    }
    None
}

fn radians_per_frame(hz: f64, sample_rate: u32) -> f64 {
    2.0 * std::f64::consts::PI * hz.abs() / sample_rate as f64
}

/// The knot spacing that interpolates a modulator of rate `rate_hz` to 1e-10 of its
/// amplitude: the longest K with 2π·r·K/sr ≤ 0.0139, (2π·r·K/sr)⁴/384 ≤ 1e-10.
pub fn knot_for(rate_hz: f64, sample_rate: u32) -> Option<usize> {
    longest_knot(radians_per_frame(rate_hz, sample_rate), 0.0139, MAX_KNOT)
}

/// Longest knot spacing tried by [`phasor_knot`].
pub const MAX_PHASOR_KNOT: usize = 128;

/// The longest knot spacing K (128, 64 or 32 frames) at which e^{2πi·v(n)}, for a vibrato
/// phase offset v with frequency deviation and LFO rate adding up to `hz`, is interpolated
/// between knots to about 1e-9: 2π·hz·K/sr ≤ 0.0235 (the (2π·hz·K/sr)⁴/384 bound, with
/// margin; measured 7e-10 for a 5 Hz deviation at 0.05 Hz with K = 32). `None` when even
/// K = 32 is too long. Longer spacings mean fewer exact knots per frame.
pub fn phasor_knot(hz: f64, sample_rate: u32) -> Option<usize> {
    longest_knot(radians_per_frame(hz, sample_rate), 0.0235, MAX_PHASOR_KNOT)
}

/// The cubic Hermite from (p0, m0) to (p1, m1) over `knot` frames (derivatives per frame) in
/// the power basis p0 + m0·x + c2·x² + c3·x³: returns (c2, c3).
#[inline(always)]
fn power_basis(knot: usize, p0: f64, m0: f64, p1: f64, m1: f64) -> (f64, f64) {
    debug_assert!(knot.is_power_of_two());
    let kk = knot as f64;
    // 1/K² and 1/K³ are powers of two: multiplying by them is dividing, bit for bit.
    let (inv2, inv3) = (1.0 / (kk * kk), 1.0 / (kk * kk * kk));
    let c2 = (3.0 * (p1 - p0) - (2.0 * m0 + m1) * kk) * inv2;
    let c3 = (2.0 * (p0 - p1) + (m0 + m1) * kk) * inv3;
    (c2, c3)
}

/// re[k] + i·im[k] = H(k0 + k), where H is the complex cubic Hermite over a knot interval of
/// `knot` frames (≤ [`MAX_PHASOR_KNOT`]) with
/// `c = [p0.re, p0.im, m0.re, m0.im, p1.re, p1.im, m1.re, m1.im]` (derivatives per frame),
/// evaluated in the power basis by Horner's rule (three multiply-adds per part).
#[inline(always)]
pub fn hermite_complex(knot: usize, k0: usize, c: &[f64; 8], re: &mut [f64], im: &mut [f64]) {
    let (r0, r1, (r2, r3)) = (c[0], c[2], power_basis(knot, c[0], c[2], c[4], c[6]));
    let (i0, i1, (i2, i3)) = (c[1], c[3], power_basis(knot, c[1], c[3], c[5], c[7]));
    let n = re.len();
    let im = &mut im[..n];
    let ks = &FRAMES.0[k0..k0 + n];
    for k in 0..n {
        let x = ks[k];
        re[k] = fma(fma(fma(r3, x, r2), x, r1), x, r0);
        im[k] = fma(fma(fma(i3, x, i2), x, i1), x, i0);
    }
}

/// 0, 1, …, MAX_KNOT − 1 as f64.
struct Frames([f64; MAX_KNOT]);

static FRAMES: Frames = {
    let mut f = [0.0; MAX_KNOT];
    let mut k = 0;
    while k < MAX_KNOT {
        f[k] = k as f64;
        k += 1;
    }
    Frames(f)
};

/// Knots evaluated per batch in [`fill_phased`].
const BATCH: usize = 16;

/// Fills `out` for frames n0.. from knots `knot` frames apart (from [`knot_for`]) with
/// `value(phase(n)) = (value, derivative per frame)`.
///
/// The phases of a batch of knots come first (a cheap scalar step), then `value` runs over
/// them as one vectorised loop instead of one latency-bound sine after another; between knots
/// the cubic is evaluated in the power basis by Horner's rule. Knots sit at absolute multiples
/// of `knot`, so the samples do not depend on how `out` is split.
#[inline]
pub fn fill_phased(
    n0: u64,
    out: &mut [f64],
    knot: usize,
    phase: impl FnMut(u64) -> f64,
    value: impl Fn(f64) -> (f64, f64),
) {
    phased::<false>(n0, out, knot, phase, value);
}

/// Multiplies `out` by what [`fill_phased`] would write, in the same pass (the same bits as
/// filling a buffer and multiplying by it).
#[inline]
pub fn scale_phased(
    n0: u64,
    out: &mut [f64],
    knot: usize,
    phase: impl FnMut(u64) -> f64,
    value: impl Fn(f64) -> (f64, f64),
) {
    phased::<true>(n0, out, knot, phase, value);
}

/// [`fill_phased`], or with `SCALE` [`scale_phased`].
#[inline(always)]
fn phased<const SCALE: bool>(
    n0: u64,
    out: &mut [f64],
    knot: usize,
    mut phase: impl FnMut(u64) -> f64,
    value: impl Fn(f64) -> (f64, f64),
) {
    debug_assert!(knot.is_power_of_two() && (KNOT as usize..=MAX_KNOT).contains(&knot));
    let step = knot as u64;
    let len = out.len();
    let mut i = 0;
    while i < len {
        let n = n0 + i as u64;
        let first = n - n % step;
        let chunks = (((n0 + len as u64 - 1) - first) / step + 1).min(BATCH as u64) as usize;
        let mut q = [0.0; BATCH + 4];
        for (c, qc) in q.iter_mut().enumerate().take(chunks + 1) {
            *qc = phase(first + c as u64 * step);
        }
        let mut v = [0.0; BATCH + 4];
        let mut d = [0.0; BATCH + 4];
        for c in 0..((chunks + 4) & !3) {
            (v[c], d[c]) = value(q[c]);
        }
        for c in 0..chunks {
            let base = first + c as u64 * step;
            let k0 = if c == 0 { (n - base) as usize } else { 0 };
            let k1 = ((n0 + len as u64 - base) as usize).min(knot);
            let (p0, m0) = (v[c], d[c]);
            let (c2, c3) = power_basis(knot, p0, m0, v[c + 1], d[c + 1]);
            let seg = &mut out[i..i + (k1 - k0)];
            for (o, &x) in seg.iter_mut().zip(&FRAMES.0[k0..k1]) {
                let h = fma(fma(fma(c3, x, c2), x, m0), x, p0);
                *o = if SCALE { *o * h } else { h };
            }
            i += k1 - k0;
        }
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
        assert_eq!(knot_for(r, sr), Some(KNOT as usize));
        let inc = r / sr as f64;
        let mut out = vec![0.0; 10_000];
        fill_phased(
            123,
            &mut out,
            KNOT as usize,
            |n| n as f64 * inc,
            |x| {
                (
                    sin_cycles(x),
                    2.0 * std::f64::consts::PI * inc * cos_cycles(x),
                )
            },
        );
        let worst = out
            .iter()
            .enumerate()
            .map(|(k, v)| (v - sin_cycles((123 + k) as f64 * inc)).abs())
            .fold(0.0, f64::max);
        assert!(worst < 1e-10, "{worst}");
    }

    #[test]
    fn longer_knots_are_within_1e10_and_split_invariant() {
        let sr = 44_100;
        for r in [0.05, 0.4, 2.9] {
            let knot = knot_for(r, sr).unwrap();
            let inc = r / sr as f64;
            let f = |x: f64| {
                (
                    sin_cycles(x),
                    2.0 * std::f64::consts::PI * inc * cos_cycles(x),
                )
            };
            let n0 = 3_000_123;
            let mut whole = vec![0.0; 50_000];
            fill_phased(n0, &mut whole, knot, |n| n as f64 * inc, f);
            let worst = whole
                .iter()
                .enumerate()
                .map(|(k, v)| (v - sin_cycles((n0 + k as u64) as f64 * inc)).abs())
                .fold(0.0, f64::max);
            assert!(worst < 1e-10, "rate {r}, knot {knot}: {worst}");
            let mut parts = vec![0.0; 50_000];
            for (c, chunk) in parts.chunks_mut(333).enumerate() {
                fill_phased(n0 + 333 * c as u64, chunk, knot, |n| n as f64 * inc, f);
            }
            assert_eq!(whole, parts, "rate {r}");
        }
        assert_eq!(knot_for(0.05, sr), Some(1024));
        assert_eq!(knot_for(2.9, sr), Some(32));
        assert_eq!(knot_for(4.0, sr), None);
        assert_eq!(phasor_knot(2.25, sr), Some(64));
    }

    #[test]
    fn any_split_gives_the_same_bits() {
        let f = |x: f64| (x.sin(), 0.001 * x.cos());
        let mut whole = vec![0.0; 1000];
        fill_phased(7, &mut whole, 32, |n| n as f64 * 0.001, f);
        let mut parts = vec![0.0; 1000];
        for (c, chunk) in parts.chunks_mut(13).enumerate() {
            fill_phased(7 + 13 * c as u64, chunk, 32, |n| n as f64 * 0.001, f);
        }
        assert_eq!(whole, parts);
    }

    /// Scaling in the same pass gives the bits of filling a buffer and multiplying by it.
    #[test]
    fn scaling_in_place_equals_filling_then_multiplying() {
        let f = |x: f64| (1.0 + 0.5 * x.sin(), 0.0005 * x.cos());
        let signal: Vec<f64> = (0..3000).map(|k| (k as f64 * 0.37).sin()).collect();
        let mut gains = vec![0.0; 3000];
        fill_phased(901, &mut gains, 64, |n| n as f64 * 0.001, f);
        let want: Vec<f64> = signal.iter().zip(&gains).map(|(x, g)| x * g).collect();
        let mut got = signal.clone();
        for (c, chunk) in got.chunks_mut(100).enumerate() {
            scale_phased(901 + 100 * c as u64, chunk, 64, |n| n as f64 * 0.001, f);
        }
        assert_eq!(got, want);
    }
}

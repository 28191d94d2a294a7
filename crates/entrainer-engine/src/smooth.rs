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
pub const MAX_PHASOR_KNOT: usize = 512;

/// The longest knot spacing K (from 512 down to 32 frames) at which e^{2πi·v(n)}, for a
/// vibrato phase offset v with frequency deviation and LFO rate adding up to `hz`, is
/// interpolated between knots to about 1e-9 by the quintic Hermite of [`hermite5_complex`]:
/// (2π·hz·K/sr)⁶/46080 ≤ 1e-9, that is 2π·hz·K/sr ≤ 0.189. `None` when even K = 32 is too
/// long. Longer spacings mean fewer exact knots per frame.
pub fn phasor_knot(hz: f64, sample_rate: u32) -> Option<usize> {
    longest_knot(radians_per_frame(hz, sample_rate), 0.189, MAX_PHASOR_KNOT)
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

/// The quintic Hermite from (p0, m0, a0) to (p1, m1, a1) over `knot` frames (derivatives per
/// frame and per frame²) in the power basis p0 + m0·x + (a0/2)·x² + c3·x³ + c4·x⁴ + c5·x⁵:
/// returns (a0/2, c3, c4, c5).
#[inline(always)]
fn power_basis5(knot: usize, p: [f64; 6]) -> (f64, f64, f64, f64) {
    debug_assert!(knot.is_power_of_two());
    let [p0, m0, a0, p1, m1, a1] = p;
    let h = knot as f64;
    let hh = h * h;
    // With A = p1 − p0 − m0·h − a0·h²/2, B = (m1 − m0 − a0·h)·h, C = (a1 − a0)·h²:
    // c3·h³ = 10A − 4B + C/2, c4·h⁴ = −15A + 7B − C, c5·h⁵ = 6A − 3B + C/2
    // (1/h³, 1/h⁴, 1/h⁵ are powers of two: multiplying by them is dividing, bit for bit).
    let a = p1 - p0 - m0 * h - 0.5 * a0 * hh;
    let b = (m1 - m0 - a0 * h) * h;
    let c = (a1 - a0) * hh;
    let inv3 = 1.0 / (hh * h);
    let c3 = (10.0 * a - 4.0 * b + 0.5 * c) * inv3;
    let c4 = (-15.0 * a + 7.0 * b - c) * (inv3 / h);
    let c5 = (6.0 * a - 3.0 * b + 0.5 * c) * (inv3 / hh);
    (0.5 * a0, c3, c4, c5)
}

/// re[k] + i·im[k] = H(k0 + k), where H is the complex quintic Hermite over a knot interval of
/// `knot` frames (≤ [`MAX_PHASOR_KNOT`]) through the value, first and second derivative at
/// both ends: `c = [p0, m0, a0, p1, m1, a1]` for the real part, then the same for the
/// imaginary part (derivatives per frame and per frame²). Its error is
/// |H⁽⁶⁾|·(K/2)⁶/720 at most. Evaluated in the power basis by Horner's rule (five
/// multiply-adds per part).
#[inline(always)]
pub fn hermite5_complex(knot: usize, k0: usize, c: &[f64; 12], re: &mut [f64], im: &mut [f64]) {
    let (r0, r1) = (c[0], c[1]);
    let (r2, r3, r4, r5) = power_basis5(knot, [c[0], c[1], c[2], c[3], c[4], c[5]]);
    let (i0, i1) = (c[6], c[7]);
    let (i2, i3, i4, i5) = power_basis5(knot, [c[6], c[7], c[8], c[9], c[10], c[11]]);
    let n = re.len();
    let im = &mut im[..n];
    let ks = &FRAMES.0[k0..k0 + n];
    for k in 0..n {
        let x = ks[k];
        re[k] = fma(fma(fma(fma(fma(r5, x, r4), x, r3), x, r2), x, r1), x, r0);
        im[k] = fma(fma(fma(fma(fma(i5, x, i4), x, i3), x, i2), x, i1), x, i0);
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
    let mut knots = Knots::EMPTY;
    phased::<false>(n0, out, knot, phase, value, &mut knots, false);
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
    let mut knots = Knots::EMPTY;
    phased::<true>(n0, out, knot, phase, value, &mut knots, false);
}

/// [`scale_phased`] keeping the knot values in `knots` from one call to the next: a batch of
/// [`BATCH`] knot intervals is evaluated at once and serves the calls that fall in it (calls
/// shorter than the knot spacing otherwise evaluate the same knots again). `knots` must serve
/// this one modulator (the same `knot`, `phase` and `value`); the samples are those of
/// [`scale_phased`], bit for bit.
#[inline]
pub fn scale_phased_kept(
    n0: u64,
    out: &mut [f64],
    knot: usize,
    phase: impl FnMut(u64) -> f64,
    value: impl Fn(f64) -> (f64, f64),
    knots: &mut Knots,
) {
    phased::<true>(n0, out, knot, phase, value, knots, true);
}

/// Knot values (value, derivative) of one modulator, for knots j0, j0 + 1, … (in units of
/// the knot spacing); see [`scale_phased_kept`].
#[derive(Debug, Clone, Copy)]
pub struct Knots {
    j0: u64,
    count: usize,
    v: [f64; BATCH + 4],
    d: [f64; BATCH + 4],
}

impl Knots {
    pub const EMPTY: Knots = Knots {
        j0: 0,
        count: 0,
        v: [0.0; BATCH + 4],
        d: [0.0; BATCH + 4],
    };
}

/// [`fill_phased`], or with `SCALE` [`scale_phased`]. `knots` holds the values of knots
/// j0 .. j0 + count; a call needing others evaluates the knots from its own first one: as
/// many as it needs (up to BATCH + 1), or BATCH + 1 with `ahead`.
#[inline(always)]
fn phased<const SCALE: bool>(
    n0: u64,
    out: &mut [f64],
    knot: usize,
    mut phase: impl FnMut(u64) -> f64,
    value: impl Fn(f64) -> (f64, f64),
    knots: &mut Knots,
    ahead: bool,
) {
    debug_assert!(knot.is_power_of_two() && (KNOT as usize..=MAX_KNOT).contains(&knot));
    let step = knot as u64;
    let len = out.len();
    let mut i = 0;
    while i < len {
        let n = n0 + i as u64;
        let j = n / step;
        if j < knots.j0 || j + 1 >= knots.j0 + knots.count as u64 {
            let last = (n0 + len as u64 - 1) / step + 1;
            let count = if ahead {
                BATCH + 1
            } else {
                ((last - j + 1) as usize).min(BATCH + 1)
            };
            let mut q = [0.0; BATCH + 4];
            for (c, qc) in q.iter_mut().enumerate().take(count) {
                *qc = phase((j + c as u64) * step);
            }
            for c in 0..((count + 3) & !3) {
                (knots.v[c], knots.d[c]) = value(q[c]);
            }
            knots.j0 = j;
            knots.count = count;
        }
        // Knot intervals j.. while both ends are in `knots`.
        let mut c = (j - knots.j0) as usize;
        while i < len && c + 1 < knots.count {
            let base = (knots.j0 + c as u64) * step;
            let k0 = (n0 + i as u64 - base) as usize;
            let k1 = ((n0 + len as u64 - base) as usize).min(knot);
            let (p0, m0) = (knots.v[c], knots.d[c]);
            let (c2, c3) = power_basis(knot, p0, m0, knots.v[c + 1], knots.d[c + 1]);
            let seg = &mut out[i..i + (k1 - k0)];
            for (o, &x) in seg.iter_mut().zip(&FRAMES.0[k0..k1]) {
                let h = fma(fma(fma(c3, x, c2), x, m0), x, p0);
                *o = if SCALE { *o * h } else { h };
            }
            i += k1 - k0;
            c += 1;
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
        assert_eq!(phasor_knot(2.25, sr), Some(512));
        assert_eq!(phasor_knot(5.05, sr), Some(256));
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

    /// Keeping the knots between calls changes nothing: calls of any length, forwards, after
    /// a jump back and across a jump ahead, give the bits of [`scale_phased`] on the whole.
    #[test]
    fn kept_knots_give_the_same_bits() {
        let f = |x: f64| (0.7 + 0.3 * x.sin(), 0.0003 * x.cos());
        let phase = |n: u64| n as f64 * 0.0007;
        let signal: Vec<f64> = (0..40_000).map(|k| (k as f64 * 0.21).cos()).collect();
        for knot in [32, 256, 1024] {
            let mut want = signal.clone();
            scale_phased(5, &mut want, knot, phase, f);
            let mut knots = Knots::EMPTY;
            let mut got = signal.clone();
            // (start, length) pairs: short and long calls, a jump back, a jump ahead.
            let mut calls = vec![];
            let mut at = 0;
            for len in [1, 7, 256, 1024, 1500, 3000, 31] {
                calls.push((at, len));
                at += len;
            }
            calls.push((100, 900)); // back
            calls.push((30_000, 5000)); // ahead, past the kept batch
            calls.push((at, 30_000 - at));
            calls.push((35_000, 5000));
            let mut covered = vec![false; got.len()];
            for (a, len) in calls {
                let mut part = signal[a..a + len].to_vec();
                scale_phased_kept(5 + a as u64, &mut part, knot, phase, f, &mut knots);
                got[a..a + len].copy_from_slice(&part);
                covered[a..a + len].iter_mut().for_each(|c| *c = true);
            }
            assert!(covered.iter().all(|&c| c));
            assert_eq!(got, want, "knot {knot}");
        }
    }
}

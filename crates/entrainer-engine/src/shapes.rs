//! Waveform shapes of `voices.md` §2.2, their antiderivatives, and a fast sine in cycles.
//!
//! `sin_cycles` is a branch-free polynomial accurate to about 1e-15, so results do not depend
//! on the platform's libm and loops over blocks vectorise.

/// floor(x) for |x| < 2^51, in plain arithmetic so that loops vectorise (baseline x86-64 has
/// no rounding instruction: `f64::floor` is a libm call there). Adding and removing 1.5·2^52
/// rounds to the nearest integer; a comparison turns that into floor.
#[inline(always)]
pub fn floor(x: f64) -> f64 {
    const MAGIC: f64 = 6_755_399_441_055_744.0;
    let r = (x + MAGIC) - MAGIC;
    if r > x {
        r - 1.0
    } else {
        r
    }
}

/// sin(2π·x) for finite x with |x| < 2^51 (x in cycles).
#[inline(always)]
pub fn sin_cycles(x: f64) -> f64 {
    // Reduce to r in [-0.5, 0.5], then fold to [-0.25, 0.25] with sin(π − θ) = sin θ.
    let r = x - floor(x + 0.5);
    let a = r.abs();
    let folded = if a > 0.25 { (0.5 - a).copysign(r) } else { r };
    let t = folded * std::f64::consts::TAU; // |t| ≤ π/2
    let t2 = t * t;
    // Taylor series to t^17: truncation error below 7e-15 on |t| ≤ π/2.
    let mut p = 1.0 / 355_687_428_096_000.0; // 1/17!
    p = fma(p, t2, -1.0 / 1_307_674_368_000.0); // -1/15!
    p = fma(p, t2, 1.0 / 6_227_020_800.0);
    p = fma(p, t2, -1.0 / 39_916_800.0);
    p = fma(p, t2, 1.0 / 362_880.0);
    p = fma(p, t2, -1.0 / 5_040.0);
    p = fma(p, t2, 1.0 / 120.0);
    p = fma(p, t2, -1.0 / 6.0);
    p = fma(p, t2, 1.0);
    p * t
}

/// a·b + c, fused where the build targets a CPU with FMA (x86-64-v3, aarch64) and plain
/// otherwise, so that a baseline build never calls the slow software fma. The two forms can
/// differ in the last bit; within one build every render is bit-identical.
#[inline(always)]
pub fn fma(a: f64, b: f64, c: f64) -> f64 {
    #[cfg(any(target_feature = "fma", target_arch = "aarch64"))]
    {
        a.mul_add(b, c)
    }
    #[cfg(not(any(target_feature = "fma", target_arch = "aarch64")))]
    {
        a * b + c
    }
}

/// cos(2π·x) for x in cycles.
#[inline(always)]
pub fn cos_cycles(x: f64) -> f64 {
    sin_cycles(x + 0.25)
}

#[inline(always)]
pub fn frac(x: f64) -> f64 {
    x - floor(x)
}

#[inline(always)]
pub(crate) fn split(k: f64) -> f64 {
    (0.5 + 0.5 * k).clamp(1e-9, 1.0 - 1e-9)
}

/// Skewed sine S(p; k), p in [0, 1).
#[inline(always)]
pub fn skewed_sine(p: f64, k: f64) -> f64 {
    if k == 0.0 {
        return sin_cycles(p);
    }
    let c = split(k);
    if p < c {
        sin_cycles(p / (2.0 * c))
    } else {
        -sin_cycles((p - c) / (2.0 * (1.0 - c)))
    }
}

/// Skewed triangle T(p; k), p in [0, 1); starts at −1.
#[inline(always)]
pub fn skewed_triangle(p: f64, k: f64) -> f64 {
    let c = split(k);
    if p < c {
        -1.0 + 2.0 * p / c
    } else {
        1.0 - 2.0 * (p - c) / (1.0 - c)
    }
}

/// Antiderivative of S over [0, p], p in [0, 1].
#[inline(always)]
pub fn skewed_sine_integral(p: f64, k: f64) -> f64 {
    use std::f64::consts::PI;
    let c = split(k);
    if p < c {
        (c / PI) * (1.0 - cos_cycles(p / (2.0 * c)))
    } else {
        2.0 * c / PI - ((1.0 - c) / PI) * (1.0 - cos_cycles((p - c) / (2.0 * (1.0 - c))))
    }
}

/// Antiderivative of T over [0, p], p in [0, 1].
#[inline(always)]
pub fn skewed_triangle_integral(p: f64, k: f64) -> f64 {
    let c = split(k);
    if p < c {
        -p + p * p / c
    } else {
        let q = p - c;
        q - q * q / (1.0 - c)
    }
}

/// The two vibrato shapes (`freqOscShape`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Sine,
    Triangle,
}

impl Shape {
    #[inline(always)]
    pub fn value(self, p: f64, k: f64) -> f64 {
        match self {
            Shape::Sine => skewed_sine(p, k),
            Shape::Triangle => skewed_triangle(p, k),
        }
    }

    /// J(x) = ∫₀ˣ W over many cycles: floor(x)·I(1) + I(frac(x)).
    #[inline(always)]
    pub fn cycles_integral(self, x: f64, k: f64) -> f64 {
        let whole = floor(x);
        let p = x - whole;
        match self {
            Shape::Sine => {
                whole * (2.0 / std::f64::consts::PI) * split_mean(k) + skewed_sine_integral(p, k)
            }
            Shape::Triangle => skewed_triangle_integral(p, k),
        }
    }
}

/// I_S(1; k) / (2/π): the skewed sine's mean is (2/π)·k, with k clamped like the split.
#[inline(always)]
fn split_mean(k: f64) -> f64 {
    2.0 * split(k) - 1.0
}

/// `*o = v`, or `*o += v` with `ADD` (kernels that write a voice or add it into a mix: the
/// same value either way, so adding here equals writing and adding afterwards, bit for bit).
#[inline(always)]
pub fn put<const ADD: bool>(o: &mut f64, v: f64) {
    if ADD {
        *o += v;
    } else {
        *o = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_sine_matches_libm() {
        let mut worst: f64 = 0.0;
        for i in -20_000..20_000 {
            let x = i as f64 * 0.000_731 + 0.123;
            worst = worst.max((sin_cycles(x) - (std::f64::consts::TAU * x).sin()).abs());
        }
        assert!(worst < 5e-14, "{worst}");
        assert_eq!(sin_cycles(0.0), 0.0);
    }

    #[test]
    fn skewed_sine_reference_values() {
        let k_neg = [0.0, 1.0, 0.0, -0.5, -0.866, -1.0, -0.866, -0.5];
        let k_pos = [0.0, 0.5, 0.866, 1.0, 0.866, 0.5, 0.0, -1.0];
        for i in 0..8 {
            let p = i as f64 / 8.0;
            assert!((skewed_sine(p, -0.5) - k_neg[i]).abs() < 1e-3);
            assert!((skewed_sine(p, 0.5) - k_pos[i]).abs() < 1e-3);
        }
    }

    #[test]
    fn antiderivatives_match_numeric_integrals() {
        for &k in &[0.0, 0.3, -0.6] {
            for shape in [Shape::Sine, Shape::Triangle] {
                let x = 2.37;
                let n = 200_000;
                let h = x / n as f64;
                let mut s = 0.0;
                for i in 0..n {
                    let u = (i as f64 + 0.5) * h;
                    s += shape.value(frac(u), k) * h;
                }
                assert!(
                    (shape.cycles_integral(x, k) - s).abs() < 1e-7,
                    "{shape:?} {k}"
                );
            }
        }
    }
}

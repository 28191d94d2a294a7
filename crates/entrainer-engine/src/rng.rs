//! Counter-based SplitMix64 (`voices.md` §2.10.1) and seed derivation (`render.md` §13).
//!
//! Every random value is a pure function of (seed, stream, index), so seeks and any block
//! size give the same numbers without generating the ones before them.

pub const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

#[inline]
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[inline]
pub fn key(seed: u64, stream: u64) -> u64 {
    seed ^ mix(stream.wrapping_add(GAMMA))
}

/// Value `i` of stream `stream` under `seed`.
#[inline]
pub fn r(seed: u64, stream: u64, i: u64) -> u64 {
    r_keyed(key(seed, stream), i)
}

#[inline]
pub fn r_keyed(k: u64, i: u64) -> u64 {
    mix(k.wrapping_add(i.wrapping_add(1).wrapping_mul(GAMMA)))
}

/// Uniform in [0, 1).
#[inline]
pub fn uniform(x: u64) -> f64 {
    (x >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

/// Unit Gaussian sample `n` of a keyed stream (Box–Muller in pairs).
#[inline]
pub fn gaussian(k: u64, n: u64) -> f64 {
    let m = n / 2;
    let u1 = ((r_keyed(k, 2 * m) >> 11) + 1) as f64 * (1.0 / 9_007_199_254_740_992.0);
    let u2 = uniform(r_keyed(k, 2 * m + 1));
    let rho = (-2.0 * u1.ln()).sqrt();
    let angle = std::f64::consts::TAU * u2;
    if n.is_multiple_of(2) {
        rho * angle.cos()
    } else {
        rho * angle.sin()
    }
}

pub fn fnv1a64(s: &str) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in s.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

/// A consumer's seed: `mix(seed XOR fnv1a64(id))`.
pub fn derived(seed: u64, id: &str) -> u64 {
    mix(seed ^ fnv1a64(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_test_vectors() {
        assert_eq!(mix(GAMMA), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r(0, 0, 0), 0xA706_DD2F_4D19_7E6F);
        assert_eq!(r(0, 0, 1), 0xB382_A305_F441_4F5E);
        assert_eq!(r(1, 0, 0), 0x08B4_FDA8_C892_B50E);
        assert_eq!(r(42, 1, 0), 0x7EB3_B394_AC9E_FC29);
        assert_eq!(r(42, 1, 1_000_000), 0x0CF3_1ED1_15A7_DB53);
        let k = key(42, 1);
        let expected = [
            -0.620424296604,
            -1.010818225159,
            -0.177114491900,
            0.543839934627,
        ];
        for (n, e) in expected.iter().enumerate() {
            assert!((gaussian(k, n as u64) - e).abs() < 1e-11, "{n}");
        }
    }
}

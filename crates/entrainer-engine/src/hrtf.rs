//! Head-related rendering of a mono source at a moving azimuth (`voices.md` §2.12).
//!
//! Two renderers share one interface (`render(x, ψ) → L, R` over a history buffer):
//!
//! - [`Kemar`]: measured impulse responses on a 5° grid, linearly interpolated per frame, with
//!   a 5 ms crossfade where the azimuth jumps by more than 5°. The responses come from Python
//!   ([`HrirSet`]): the engine does no file I/O. Output at frame n depends only on x over the
//!   last `taps` frames and ψ over the last frames(0.005) + 1 frames, so it is class E.
//! - [`Sphere`]: the spherical-head model of Brown and Duda: per-ear Woodworth delay read with
//!   third-order Lagrange interpolation, and a one-pole/one-zero head-shadow filter whose α is
//!   refreshed every 16 frames. Class F (the shadow filter is recursive).
//!
//! Angles: ψ is in the data's convention here (degrees, positive = left); voices convert.

use std::f64::consts::PI;

use crate::error::{EngineError, Result};
use crate::filters::Df1;

pub const AZIMUTHS: usize = 72;
pub const GRID_DEG: f64 = 5.0;
pub const LEVEL_POINTS: usize = 1024;
pub const LEVEL_LOW_HZ: f64 = 10.0;
pub const JUMP_DEG: f64 = 5.0;
pub const HEAD_RADIUS_M: f64 = 0.0875;
pub const SOUND_SPEED_M_S: f64 = 343.0;
/// Shadow-filter coefficients are refreshed at frames n ≡ 0 (mod 16) (`voices.md` §2.9.4).
pub const COEFF_BLOCK: u64 = 16;

/// KEMAR responses prepared for one sample rate (by `entrainer.hrtf` in Python).
#[derive(Debug, Clone, PartialEq)]
pub struct HrirSet {
    pub sample_rate: u32,
    pub taps: usize,
    /// Time-reversed responses, [azimuth][ear][tap], so a dot product with the last `taps`
    /// inputs in time order is the convolution.
    reversed: Vec<f64>,
    /// g(f) on the log-spaced grid 10 Hz … sr/2.
    level: Vec<f64>,
}

impl HrirSet {
    /// `irs` is [azimuth 0°, 5°, …][ear L, R][tap] flattened, azimuth positive to the left.
    pub fn new(sample_rate: u32, taps: usize, irs: &[f64], level: &[f64]) -> Result<HrirSet> {
        let bad = |message: String| EngineError::Option { name: "hrtf", message };
        if taps == 0 || irs.len() != AZIMUTHS * 2 * taps {
            return Err(bad(format!("expected {AZIMUTHS} × 2 responses of {taps} taps, got {} values", irs.len())));
        }
        if level.len() != LEVEL_POINTS {
            return Err(bad(format!("expected a level table of {LEVEL_POINTS} values, got {}", level.len())));
        }
        if !irs.iter().chain(level).all(|v| v.is_finite()) {
            return Err(bad("expected finite values".to_string()));
        }
        let mut reversed = Vec::with_capacity(irs.len());
        for ir in irs.chunks_exact(taps) {
            reversed.extend(ir.iter().rev());
        }
        Ok(HrirSet { sample_rate, taps, reversed, level: level.to_vec() })
    }

    #[inline]
    fn reversed(&self, az: usize, ear: usize) -> &[f64] {
        let at = (az * 2 + ear) * self.taps;
        &self.reversed[at..at + self.taps]
    }

    /// g(f): linear in log-frequency between the table's points, held outside 10 Hz … sr/2.
    pub fn level_gain(&self, freq_hz: f64) -> f64 {
        let (lo, hi) = (LEVEL_LOW_HZ.ln(), (self.sample_rate as f64 / 2.0).ln());
        let pos = ((freq_hz.max(LEVEL_LOW_HZ).ln() - lo) * ((LEVEL_POINTS - 1) as f64 / (hi - lo))).clamp(0.0, (LEVEL_POINTS - 1) as f64);
        let i = (pos.floor() as usize).min(LEVEL_POINTS - 2);
        let w = pos - i as f64;
        self.level[i] + (self.level[i + 1] - self.level[i]) * w
    }
}

/// Frames of the crossfade after an azimuth jump: frames(0.005).
pub fn fade_frames(sample_rate: u32) -> u64 {
    crate::frames(0.005, sample_rate)
}

/// min over whole turns of |d| in degrees (the unsigned wrapped difference).
#[inline]
pub fn angle_distance(d: f64) -> f64 {
    let m = d.rem_euclid(360.0);
    m.min(360.0 - m)
}

/// Grid cell and weight: i = floor(ψ/5) mod 72, w = frac(ψ/5).
#[inline]
fn cell(psi_data: f64) -> (usize, f64) {
    let q = psi_data / GRID_DEG;
    let fl = q.floor();
    ((fl as i64).rem_euclid(AZIMUTHS as i64) as usize, q - fl)
}

#[inline]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    // Eight independent sums so that the loop vectorises without reassociation.
    let mut acc = [0.0f64; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut tail = 0.0;
    for (x, y) in ra.iter().zip(rb) {
        tail += x * y;
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

/// Interpolated-pair KEMAR renderer with the jump crossfade.
#[derive(Debug, Clone)]
pub struct Kemar {
    set: std::sync::Arc<HrirSet>,
    fade: u64,
    /// ψ at the previous frame (None at the first frame rendered after a reset).
    prev_psi: Option<f64>,
    /// Frame of the latest jump and the pair held from the frame before it.
    jump: Option<(u64, usize, f64)>,
}

impl Kemar {
    pub fn new(set: std::sync::Arc<HrirSet>) -> Kemar {
        let fade = fade_frames(set.sample_rate);
        Kemar { set, fade, prev_psi: None, jump: None }
    }

    /// Input frames needed before the first output frame.
    pub fn lead(&self) -> usize {
        self.set.taps - 1
    }

    /// Frames to replay after a reset so that frame m is exact: the input window and the
    /// longest crossfade (plus the frame before it, to see the jump).
    pub fn warmup(&self) -> u64 {
        (self.set.taps - 1) as u64 + self.fade + 1
    }

    pub fn reset(&mut self) {
        self.prev_psi = None;
        self.jump = None;
    }

    #[inline]
    fn pair(&self, x: &[f64], i: usize, w: f64, ear: usize) -> f64 {
        let j = (i + 1) % AZIMUTHS;
        let a = dot(self.set.reversed(i, ear), x);
        let b = dot(self.set.reversed(j, ear), x);
        (1.0 - w) * a + w * b
    }

    /// Renders frames m0… : `x` holds the input from frame m0 − lead on (lead + out.len()
    /// values), `psi` the data-convention azimuth per output frame.
    pub fn render(&mut self, m0: u64, x: &[f64], psi: &[f64], l: &mut [f64], r: &mut [f64]) {
        let taps = self.set.taps;
        for k in 0..l.len() {
            let n = m0 + k as u64;
            let win = &x[k..k + taps];
            let (i, w) = cell(psi[k]);
            if let Some(p) = self.prev_psi {
                if angle_distance(psi[k] - p) > JUMP_DEG {
                    let (hi, hw) = cell(p);
                    self.jump = Some((n, hi, hw));
                }
            }
            self.prev_psi = Some(psi[k]);
            let mut yl = self.pair(win, i, w, 0);
            let mut yr = self.pair(win, i, w, 1);
            if let Some((j, hi, hw)) = self.jump {
                if n - j < self.fade {
                    let u = (n - j) as f64 / self.fade as f64;
                    yl = (1.0 - u) * self.pair(win, hi, hw, 0) + u * yl;
                    yr = (1.0 - u) * self.pair(win, hi, hw, 1) + u * yr;
                } else {
                    self.jump = None;
                }
            }
            l[k] = yl;
            r[k] = yr;
        }
    }
}

/// Woodworth delay in seconds for the angle θ (radians) between source and ear axis.
#[inline]
pub fn woodworth_delay_s(theta_rad: f64) -> f64 {
    let k = HEAD_RADIUS_M / SOUND_SPEED_M_S;
    if theta_rad < PI / 2.0 {
        k * (1.0 - theta_rad.cos())
    } else {
        k * (theta_rad - PI / 2.0 + 1.0)
    }
}

/// (b0, b1, a1) of the head-shadow section at the ear angle θ (degrees).
#[inline]
pub fn shadow_coefficients(theta_deg: f64, sample_rate: u32) -> (f64, f64, f64) {
    let (alpha_min, theta_min) = (0.1, 150.0);
    let al = (1.0 + alpha_min / 2.0) + (1.0 - alpha_min / 2.0) * (PI * theta_deg / theta_min).cos();
    let tk = sample_rate as f64 * HEAD_RADIUS_M / SOUND_SPEED_M_S;
    ((1.0 + al * tk) / (1.0 + tk), (1.0 - al * tk) / (1.0 + tk), (1.0 - tk) / (1.0 + tk))
}

/// The spherical-head model.
#[derive(Debug, Clone)]
pub struct Sphere {
    sr: u32,
    lead: usize,
    /// Per ear: (b0, b1) in use, and the section state (x1 = previous delayed input, y1).
    coeffs: [(f64, f64); 2],
    a1: f64,
    pub state: [Df1; 2],
}

const DEG: f64 = 180.0 / PI;

impl Sphere {
    pub fn new(sample_rate: u32) -> Sphere {
        let max_delay = HEAD_RADIUS_M / SOUND_SPEED_M_S * (PI / 2.0 + 1.0) * sample_rate as f64 + 1.0;
        let (_, _, a1) = shadow_coefficients(0.0, sample_rate);
        Sphere { sr: sample_rate, lead: max_delay.floor() as usize + 2, coeffs: [(1.0, 0.0); 2], a1, state: [Df1::default(); 2] }
    }

    pub fn lead(&self) -> usize {
        self.lead
    }

    /// Warm-up after a seek (`voices.md` §2.9.5) for the shadow filter's fixed pole.
    pub fn warmup(&self) -> u64 {
        let sigma = -self.a1.abs().ln() * self.sr as f64;
        crate::filters::warmup_frames(sigma, self.sr)
    }

    pub fn reset(&mut self, carried: Option<[Df1; 2]>) {
        self.state = carried.unwrap_or_default();
    }

    /// Renders frames m0…; `x` holds the input from frame m0 − lead on; the first frame
    /// rendered after a reset must be a multiple of 16 (so that its coefficients are set).
    pub fn render(&mut self, m0: u64, x: &[f64], psi: &[f64], l: &mut [f64], r: &mut [f64]) {
        let lead = self.lead as i64;
        for k in 0..l.len() {
            let n = m0 + k as u64;
            let refresh = n % COEFF_BLOCK == 0;
            let mut out = [0.0; 2];
            for (ear, off) in [(0usize, -90.0f64), (1, 90.0)] {
                let theta = angle_distance(psi[k] + off);
                let d = woodworth_delay_s(theta / DEG) * self.sr as f64 + 1.0;
                let di = d.floor();
                let mu = d - di;
                let base = (lead + k as i64 - di as i64) as usize; // index of x[n − d]
                let h0 = -mu * (mu - 1.0) * (mu - 2.0) / 6.0;
                let h1 = (mu + 1.0) * (mu - 1.0) * (mu - 2.0) / 2.0;
                let h2 = -(mu + 1.0) * mu * (mu - 2.0) / 2.0;
                let h3 = (mu + 1.0) * mu * (mu - 1.0) / 6.0;
                let v = h0 * x[base + 1] + h1 * x[base] + h2 * x[base - 1] + h3 * x[base - 2];
                if refresh {
                    let (b0, b1, _) = shadow_coefficients(theta, self.sr);
                    self.coeffs[ear] = (b0, b1);
                }
                let (b0, b1) = self.coeffs[ear];
                let s = &mut self.state[ear];
                let y = b0 * v + b1 * s.x1 - self.a1 * s.y1;
                s.x1 = v;
                s.y1 = y;
                out[ear] = y;
            }
            l[k] = out[0];
            r[k] = out[1];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shadow_filter_has_unit_dc_gain_and_the_stated_extremes() {
        let sr = 48_000;
        for theta in [0.0, 90.0, 150.0, 180.0] {
            let (b0, b1, a1) = shadow_coefficients(theta, sr);
            assert!(((b0 + b1) / (1.0 + a1) - 1.0).abs() < 1e-12);
        }
        // Nyquist gain = α: 2 (+6 dB) facing the ear, 0.1 (−20 dB) at 150°.
        let g = |t: f64| {
            let (b0, b1, a1) = shadow_coefficients(t, sr);
            (b0 - b1) / (1.0 - a1)
        };
        assert!((g(0.0) - 2.0).abs() < 1e-12 && (g(150.0) - 0.1).abs() < 1e-12);
    }

    #[test]
    fn woodworth_delay_reaches_its_maximum_behind_the_ear() {
        let max = woodworth_delay_s(PI);
        assert!((max - 0.0875 / 343.0 * (PI / 2.0 + 1.0)).abs() < 1e-15);
        assert!((max * 1e3 - 0.656).abs() < 1e-3);
        assert_eq!(woodworth_delay_s(0.0), 0.0);
    }

    #[test]
    fn level_table_interpolates_in_log_frequency() {
        let level: Vec<f64> = (0..LEVEL_POINTS).map(|i| i as f64).collect();
        let set = HrirSet::new(48_000, 1, &[0.0; 144], &level).unwrap();
        assert_eq!(set.level_gain(1.0), 0.0);
        assert_eq!(set.level_gain(30_000.0), 1023.0);
        let mid = (10.0f64 * 24_000.0).sqrt();
        assert!((set.level_gain(mid) - 511.5).abs() < 1e-9);
    }
}

//! Head-related rendering of a mono source at a moving azimuth (`voices.md` §2.12).
//!
//! Two renderers:
//!
//! - [`Kemar`]: measured impulse responses on a 5° grid, linearly interpolated per frame, with
//!   a 5 ms crossfade where the azimuth jumps by more than 5°. The responses come from Python
//!   ([`HrirSet`]): the engine does no file I/O. The convolutions run per block (overlap-save
//!   FFT, within ~1e-15 of direct sums). Output at frame n depends only on x over the last
//!   `taps` frames and ψ over the last frames(0.005) + 1 frames, so it is class E.
//! - [`Sphere`]: the spherical-head model of Brown and Duda: per-ear Woodworth delay read with
//!   third-order Lagrange interpolation, and a one-pole/one-zero head-shadow filter whose α is
//!   refreshed every 16 frames. Class F (the shadow filter is recursive).
//!
//! Angles: ψ is in the data's convention here (degrees, positive = left); voices convert.

use std::f64::consts::PI;
use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

use crate::error::{EngineError, Result};
use crate::filters::Df1;
use crate::shapes::{cos_cycles, floor};

pub const AZIMUTHS: usize = 72;
pub const GRID_DEG: f64 = 5.0;
pub const LEVEL_POINTS: usize = 1024;
pub const LEVEL_LOW_HZ: f64 = 10.0;
pub const JUMP_DEG: f64 = 5.0;
pub const HEAD_RADIUS_M: f64 = 0.0875;
pub const SOUND_SPEED_M_S: f64 = 343.0;
/// Shadow-filter coefficients are refreshed at frames n ≡ 0 (mod 16) (`voices.md` §2.9.4).
pub const COEFF_BLOCK: u64 = 16;

/// One overlap-save layout: FFT length N, block B = N − taps + 1, the responses' spectra.
pub struct FftLayout {
    pub fft_len: usize,
    pub block: usize,
    /// Spectra of the responses zero-padded to N, scaled by 1/N: [azimuth][ear][bin].
    spectra: Vec<Complex<f64>>,
    fwd: Arc<dyn RealToComplex<f64>>,
    inv: Arc<dyn ComplexToReal<f64>>,
}

impl FftLayout {
    fn new(n: usize, taps: usize, irs: &[f64]) -> FftLayout {
        let mut planner = RealFftPlanner::<f64>::new();
        let (fwd, inv) = (planner.plan_fft_forward(n), planner.plan_fft_inverse(n));
        let bins = n / 2 + 1;
        let mut spectra = vec![Complex::new(0.0, 0.0); AZIMUTHS * 2 * bins];
        let mut buf = vec![0.0; n];
        for (ir, out) in irs.chunks_exact(taps).zip(spectra.chunks_exact_mut(bins)) {
            buf.fill(0.0);
            for (b, v) in buf.iter_mut().zip(ir) {
                *b = v / n as f64;
            }
            fwd.process(&mut buf, out)
                .expect("forward FFT of a response");
        }
        FftLayout {
            fft_len: n,
            block: n - taps + 1,
            spectra,
            fwd,
            inv,
        }
    }

    #[inline]
    fn spectrum(&self, az: usize, ear: usize) -> &[Complex<f64>] {
        let bins = self.fft_len / 2 + 1;
        let at = (az * 2 + ear) * bins;
        &self.spectra[at..at + bins]
    }

    /// Relative cost per frame when ψ moves up to `deg_per_frame`: the transforms of a block
    /// (one forward, one inverse per ear for each grid cell touched) times N·log N, over B.
    fn cost(&self, deg_per_frame: f64) -> f64 {
        let cells = (self.block as f64 * deg_per_frame / GRID_DEG).ceil() + 2.0;
        let n = self.fft_len as f64;
        (1.0 + 2.0 * cells.min(AZIMUTHS as f64)) * n * n.log2() / self.block as f64
    }
}

/// KEMAR responses prepared for one sample rate (by `entrainer.hrtf` in Python), with their
/// spectra for two block layouts (short blocks suit fast paths, long ones slow paths).
pub struct HrirSet {
    pub sample_rate: u32,
    pub taps: usize,
    /// g(f) on the log-spaced grid 10 Hz … sr/2.
    level: Vec<f64>,
    pub layouts: [FftLayout; 2],
}

impl std::fmt::Debug for HrirSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HrirSet")
            .field("sample_rate", &self.sample_rate)
            .field("taps", &self.taps)
            .finish()
    }
}

impl HrirSet {
    /// `irs` is [azimuth 0°, 5°, …][ear L, R][tap] flattened, azimuth positive to the left.
    pub fn new(sample_rate: u32, taps: usize, irs: &[f64], level: &[f64]) -> Result<HrirSet> {
        let bad = |message: String| EngineError::Option {
            name: "hrtf",
            message,
        };
        if taps == 0 || irs.len() != AZIMUTHS * 2 * taps {
            return Err(bad(format!(
                "expected {AZIMUTHS} × 2 responses of {taps} taps, got {} values",
                irs.len()
            )));
        }
        if level.len() != LEVEL_POINTS {
            return Err(bad(format!(
                "expected a level table of {LEVEL_POINTS} values, got {}",
                level.len()
            )));
        }
        if !irs.iter().chain(level).all(|v| v.is_finite()) {
            return Err(bad("expected finite values".to_string()));
        }
        // Blocks of at least 256 frames.
        let n = (taps + 255).next_power_of_two();
        let layouts = [
            FftLayout::new(n, taps, irs),
            FftLayout::new(2 * n, taps, irs),
        ];
        Ok(HrirSet {
            sample_rate,
            taps,
            level: level.to_vec(),
            layouts,
        })
    }

    /// The cheaper layout for a path moving up to `deg_per_frame`.
    pub fn layout_for(&self, deg_per_frame: f64) -> usize {
        if self.layouts[0].cost(deg_per_frame) <= self.layouts[1].cost(deg_per_frame) {
            0
        } else {
            1
        }
    }

    /// g(f): linear in log-frequency between the table's points, held outside 10 Hz … sr/2.
    pub fn level_gain(&self, freq_hz: f64) -> f64 {
        let (lo, hi) = (LEVEL_LOW_HZ.ln(), (self.sample_rate as f64 / 2.0).ln());
        let pos = ((freq_hz.max(LEVEL_LOW_HZ).ln() - lo) * ((LEVEL_POINTS - 1) as f64 / (hi - lo)))
            .clamp(0.0, (LEVEL_POINTS - 1) as f64);
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
    let m = d - 360.0 * floor(d / 360.0);
    m.min(360.0 - m)
}

/// Grid cell and weight: i = floor(ψ/5) mod 72, w = frac(ψ/5).
#[inline]
pub fn cell(psi_data: f64) -> (usize, f64) {
    let q = psi_data / GRID_DEG;
    let fl = q.floor();
    ((fl as i64).rem_euclid(AZIMUTHS as i64) as usize, q - fl)
}

/// The KEMAR renderer: overlap-save blocks of B frames aligned to multiples of B from frame
/// 0. Loading block b convolves its input x[bB − taps + 1, bB + B) with every response that
/// some frame of the block reads (both cells of its pair, and of the held pair while a jump
/// fades); each frame then blends two or four of those outputs. A block's outputs depend on
/// its inputs and ψ alone, so any host block size and any seek give the same samples.
pub struct Kemar {
    set: Arc<HrirSet>,
    layout: usize,
    fade: u64,
    /// Input segment: taps − 1 frames of history, then the block.
    pub seg: Box<[f64]>,
    /// ψ (data convention) of the block's frames.
    pub psi: Box<[f64]>,
    prev_psi: Option<f64>,
    jump: Option<(u64, usize, f64)>,
    // Per frame of the block: the moving pair, the held pair and the fade position (1 = none).
    pair: Box<[(usize, f64)]>,
    held: Box<[(usize, f64)]>,
    fade_u: Box<[f64]>,
    /// Convolution outputs [azimuth][ear][frame] (valid where `have`).
    conv: Box<[f64]>,
    have: [bool; AZIMUTHS],
    spec: Box<[Complex<f64>]>,
    prod: Box<[Complex<f64>]>,
    time: Box<[f64]>,
    scratch: Box<[Complex<f64>]>,
}

impl Kemar {
    /// A renderer using layout `layout` of the set ([`HrirSet::layout_for`]).
    pub fn new(set: Arc<HrirSet>, layout: usize) -> Kemar {
        let lay = &set.layouts[layout];
        let (n, b, bins) = (lay.fft_len, lay.block, lay.fft_len / 2 + 1);
        let scratch_len = lay.fwd.get_scratch_len().max(lay.inv.get_scratch_len());
        let zero = Complex::new(0.0, 0.0);
        Kemar {
            fade: fade_frames(set.sample_rate),
            seg: vec![0.0; n].into_boxed_slice(),
            psi: vec![0.0; b].into_boxed_slice(),
            prev_psi: None,
            jump: None,
            pair: vec![(0, 0.0); b].into_boxed_slice(),
            held: vec![(0, 0.0); b].into_boxed_slice(),
            fade_u: vec![1.0; b].into_boxed_slice(),
            conv: vec![0.0; AZIMUTHS * 2 * b].into_boxed_slice(),
            have: [false; AZIMUTHS],
            spec: vec![zero; bins].into_boxed_slice(),
            prod: vec![zero; bins].into_boxed_slice(),
            time: vec![0.0; n].into_boxed_slice(),
            scratch: vec![zero; scratch_len].into_boxed_slice(),
            set,
            layout,
        }
    }

    pub fn block(&self) -> usize {
        self.set.layouts[self.layout].block
    }

    /// Frames of input history before a block.
    pub fn history(&self) -> usize {
        self.set.taps - 1
    }

    pub fn fade(&self) -> u64 {
        self.fade
    }

    /// Jump state before the next block: ψ of the previous frame, and the latest jump that may
    /// still be fading (its frame and ψ before it), as a render from frame 0 leaves them.
    pub fn set_jump_state(&mut self, prev_psi: Option<f64>, jump: Option<(u64, f64)>) {
        self.prev_psi = prev_psi;
        self.jump = jump.map(|(j, held_psi)| {
            let (i, w) = cell(held_psi);
            (j, i, w)
        });
    }

    /// Convolves the block starting at frame `start` (seg and psi filled by the caller).
    pub fn load(&mut self, start: u64) {
        let b = self.block();
        self.have = [false; AZIMUTHS];
        for k in 0..b {
            let n = start + k as u64;
            let p = self.psi[k];
            if let Some(prev) = self.prev_psi {
                // The wrapped distance never exceeds the plain one: most frames skip it.
                if (p - prev).abs() > JUMP_DEG && angle_distance(p - prev) > JUMP_DEG {
                    let (i, w) = cell(prev);
                    self.jump = Some((n, i, w));
                }
            }
            self.prev_psi = Some(p);
            let (i, w) = cell(p);
            self.pair[k] = (i, w);
            self.have[i] = true;
            self.have[(i + 1) % AZIMUTHS] = true;
            self.fade_u[k] = 1.0;
            if let Some((j, hi, hw)) = self.jump {
                if n - j < self.fade {
                    self.held[k] = (hi, hw);
                    self.fade_u[k] = (n - j) as f64 / self.fade as f64;
                    self.have[hi] = true;
                    self.have[(hi + 1) % AZIMUTHS] = true;
                }
            }
        }
        let set = Arc::clone(&self.set);
        let lay = &set.layouts[self.layout];
        self.time.copy_from_slice(&self.seg);
        lay.fwd
            .process_with_scratch(&mut self.time, &mut self.spec, &mut self.scratch)
            .expect("forward FFT");
        let skip = set.taps - 1;
        for az in 0..AZIMUTHS {
            if !self.have[az] {
                continue;
            }
            for ear in 0..2 {
                for ((o, a), h) in self
                    .prod
                    .iter_mut()
                    .zip(self.spec.iter())
                    .zip(lay.spectrum(az, ear))
                {
                    *o = a * h;
                }
                let last = self.prod.len() - 1;
                self.prod[0].im = 0.0; // the DC and Nyquist bins of a real signal are real
                self.prod[last].im = 0.0;
                lay.inv
                    .process_with_scratch(&mut self.prod, &mut self.time, &mut self.scratch)
                    .expect("inverse FFT");
                let at = (az * 2 + ear) * b;
                self.conv[at..at + b].copy_from_slice(&self.time[skip..skip + b]);
            }
        }
    }

    /// Ear signals at frame k of the loaded block.
    #[inline]
    pub fn frame(&self, k: usize) -> (f64, f64) {
        let b = self.block();
        let at = |(i, w): (usize, f64)| {
            let (ci, cj) = (i * 2 * b + k, ((i + 1) % AZIMUTHS) * 2 * b + k);
            let c = &self.conv;
            (
                (1.0 - w) * c[ci] + w * c[cj],
                (1.0 - w) * c[ci + b] + w * c[cj + b],
            )
        };
        let (l, r) = at(self.pair[k]);
        let u = self.fade_u[k];
        if u < 1.0 {
            let (hl, hr) = at(self.held[k]);
            ((1.0 - u) * hl + u * l, (1.0 - u) * hr + u * r)
        } else {
            (l, r)
        }
    }
}

/// Woodworth delay in seconds for the angle θ (degrees) between source and ear axis.
#[inline]
pub fn woodworth_delay_s(theta_deg: f64) -> f64 {
    let k = HEAD_RADIUS_M / SOUND_SPEED_M_S;
    if theta_deg < 90.0 {
        // max(0): the polynomial cosine may exceed 1 by an ulp, and the delay reader needs d ≥ 1.
        k * (1.0 - cos_cycles(theta_deg / 360.0)).max(0.0)
    } else {
        k * (theta_deg * (PI / 180.0) - PI / 2.0 + 1.0)
    }
}

/// (b0, b1, a1) of the head-shadow section at the ear angle θ (degrees).
#[inline]
pub fn shadow_coefficients(theta_deg: f64, sample_rate: u32) -> (f64, f64, f64) {
    let (alpha_min, theta_min) = (0.1, 150.0);
    let al = (1.0 + alpha_min / 2.0)
        + (1.0 - alpha_min / 2.0) * cos_cycles(theta_deg / (2.0 * theta_min));
    let tk = sample_rate as f64 * HEAD_RADIUS_M / SOUND_SPEED_M_S;
    (
        (1.0 + al * tk) / (1.0 + tk),
        (1.0 - al * tk) / (1.0 + tk),
        (1.0 - tk) / (1.0 + tk),
    )
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

impl Sphere {
    pub fn new(sample_rate: u32) -> Sphere {
        let max_delay =
            HEAD_RADIUS_M / SOUND_SPEED_M_S * (PI / 2.0 + 1.0) * sample_rate as f64 + 1.0;
        let (_, _, a1) = shadow_coefficients(0.0, sample_rate);
        Sphere {
            sr: sample_rate,
            lead: max_delay.floor() as usize + 2,
            coeffs: [(1.0, 0.0); 2],
            a1,
            state: [Df1::default(); 2],
        }
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
            let refresh = n.is_multiple_of(COEFF_BLOCK);
            let mut out = [0.0; 2];
            // θ_L = |wrap(ψ − 90°)|, θ_R = |wrap(ψ + 90°)| = 180° − θ_L.
            let theta_l = angle_distance(psi[k] - 90.0);
            for (ear, theta) in [(0usize, theta_l), (1, 180.0 - theta_l)] {
                let d = woodworth_delay_s(theta) * self.sr as f64 + 1.0;
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
        let max = woodworth_delay_s(180.0);
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

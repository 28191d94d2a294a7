//! Background noise (`render.md` §8): a seeded colour source (`voices.md` §2.10.2) through the
//! swept-notch engine's pre-filters, calibrated to an RMS of 0.2, with gain, balance, fades and
//! an amplitude envelope over timeline time. Sweeps and static notches come with issue #3.

use crate::error::{EngineError, Result};
use crate::filters::{warmup_frames, Coeffs, Df1};
use crate::plan::NoisePlan;
use crate::rng::{derived, gaussian, key};
use crate::timeline::frames;

const PINK_POLES: [f64; 6] = [0.99886, 0.99332, 0.96900, 0.86650, 0.55000, -0.7616];
const PINK_GAINS: [f64; 6] = [0.0555179, 0.0750759, 0.1538520, 0.3104856, 0.5329522, -0.0168980];
const PINK_DIRECT: f64 = 0.5362;
const PINK_DELAYED: f64 = 0.115926;
const PINK_NORM: f64 = 3.05253;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    White,
    Pink,
    Brown,
}

impl Colour {
    pub fn parse(name: &str) -> Result<Colour> {
        match name {
            "white" => Ok(Colour::White),
            "pink" => Ok(Colour::Pink),
            "brown" | "red" => Ok(Colour::Brown),
            other => Err(EngineError::Unsupported {
                location: "background_noise".into(),
                message: format!("noise colour \"{other}\" is not supported yet (supported: white, pink, brown, red)"),
            }),
        }
    }
}

/// The unit-RMS colour source and pre-filters for one noise generator; state per sample.
#[derive(Debug, Clone)]
struct Source {
    colour: Colour,
    key: u64,
    rho: f64,
    pink: [f64; 7],
    brown: f64,
    pre: [Coeffs; 4],
    pre_state: [Df1; 4],
}

impl Source {
    fn new(colour: Colour, seed: u64, sr: f64) -> Source {
        let warmth = Coeffs::lowpass1(10_000f64.min(0.45 * sr), sr);
        let rumble = Coeffs::highpass(50.0, std::f64::consts::FRAC_1_SQRT_2, sr);
        Source {
            colour,
            key: key(seed, 0),
            rho: (-2.0 * std::f64::consts::PI * 10.0 / sr).exp(),
            pink: [0.0; 7],
            brown: 0.0,
            pre: [warmth, warmth, rumble, rumble],
            pre_state: [Df1::default(); 4],
        }
    }

    fn reset(&mut self) {
        self.pink = [0.0; 7];
        self.brown = 0.0;
        self.pre_state = [Df1::default(); 4];
    }

    #[inline]
    fn sample(&mut self, n: u64) -> f64 {
        let w = gaussian(self.key, n);
        let x = match self.colour {
            Colour::White => w,
            Colour::Pink => {
                let b = &mut self.pink;
                for i in 0..6 {
                    b[i] = PINK_POLES[i] * b[i] + PINK_GAINS[i] * w;
                }
                let y = b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + PINK_DIRECT * w;
                b[6] = PINK_DELAYED * w;
                y / PINK_NORM
            }
            Colour::Brown => {
                self.brown = self.rho * self.brown + w;
                self.brown * (1.0 - self.rho * self.rho).sqrt()
            }
        };
        let mut y = x;
        for (c, s) in self.pre.iter().zip(self.pre_state.iter_mut()) {
            y = s.tick(c, y);
        }
        y
    }

    /// Slowest decay rate among the source's and the pre-filters' poles.
    fn sigma_min(&self, sr: f64) -> f64 {
        let mut s = self.pre.iter().map(|c| c.decay_rate(sr)).fold(f64::INFINITY, f64::min);
        match self.colour {
            Colour::White => {}
            Colour::Pink => s = s.min(-PINK_POLES[0].ln() * sr),
            Colour::Brown => s = s.min(-self.rho.ln() * sr),
        }
        s
    }

    /// Expected output power for the calibration (`voices.md` §2.11), on a grid of K bins.
    fn mean_power(&self, sr: f64) -> f64 {
        const K: usize = 8192;
        let mut colour = vec![0.0; K];
        let mut pre = vec![0.0; K];
        for i in 0..K {
            let f = (i as f64 + 0.5) * sr / (2.0 * K as f64);
            let w = 2.0 * std::f64::consts::PI * f / sr;
            colour[i] = match self.colour {
                Colour::White => 1.0,
                Colour::Pink => {
                    let (c, s) = (w.cos(), -w.sin());
                    // Σ g/(1 − p z⁻¹) + direct + delayed·z⁻¹
                    let (mut re, mut im) = (PINK_DIRECT + PINK_DELAYED * c, PINK_DELAYED * s);
                    for j in 0..6 {
                        let (dr, di) = (1.0 - PINK_POLES[j] * c, -PINK_POLES[j] * s);
                        let d2 = dr * dr + di * di;
                        re += PINK_GAINS[j] * dr / d2;
                        im += -PINK_GAINS[j] * di / d2;
                    }
                    re * re + im * im
                }
                Colour::Brown => (1.0 - self.rho * self.rho) / (1.0 - 2.0 * self.rho * w.cos() + self.rho * self.rho),
            };
            pre[i] = self.pre.iter().map(|c| c.power_response(f, sr)).product();
        }
        let norm: f64 = colour.iter().sum::<f64>() / K as f64;
        colour.iter().zip(&pre).map(|(s, h)| s / norm * h).sum::<f64>() / K as f64
    }
}

/// Background noise placed on the timeline.
#[derive(Debug, Clone)]
pub struct BackgroundNoise {
    source: Source,
    calibration: f64,
    balance: [f64; 2],
    gain: f64,
    s0: u64,
    end: u64,
    fade_in: u64,
    fade_out: u64,
    envelope: Vec<(f64, f64)>,
    sr: f64,
    warmup: u64,
    /// Next noise-time frame the source will produce.
    next: u64,
}

impl BackgroundNoise {
    /// `end` is the end of the programme E; `render_seed` the render's seed.
    pub fn new(plan: &NoisePlan, sample_rate: u32, end: u64, render_seed: u64) -> Result<BackgroundNoise> {
        let sr = sample_rate as f64;
        let colour = Colour::parse(&plan.colour)?;
        let seed = plan.seed.unwrap_or_else(|| derived(render_seed, "background_noise"));
        let source = Source::new(colour, seed, sr);
        let calibration = 0.2 / source.mean_power(sr).sqrt();
        let warmup = warmup_frames(source.sigma_min(sr), sample_rate);
        let s0 = frames(plan.start_s, sample_rate);
        let span = end.saturating_sub(s0);
        let pan = plan.pan.clamp(-1.0, 1.0);
        Ok(BackgroundNoise {
            source,
            calibration,
            balance: [(1.0 - pan).min(1.0), (1.0 + pan).min(1.0)],
            gain: plan.gain,
            s0,
            end,
            fade_in: frames(plan.fade_in_s, sample_rate).min(span),
            fade_out: frames(plan.fade_out_s, sample_rate).min(span),
            envelope: plan.amp_envelope.clone(),
            sr,
            warmup,
            next: 0,
        })
    }

    pub fn span(&self) -> (u64, u64) {
        (self.s0, self.end)
    }

    /// Upper bound used by the provisional level plan: 6 × RMS × gain × max(env).
    pub fn peak_bound(&self) -> f64 {
        let env_max = self.envelope.iter().map(|p| p.1).fold(if self.envelope.is_empty() { 1.0 } else { 0.0 }, f64::max);
        1.2 * self.gain * env_max
    }

    fn envelope_at(&self, t_s: f64) -> f64 {
        let e = &self.envelope;
        if e.is_empty() {
            return 1.0;
        }
        if t_s < e[0].0 {
            return e[0].1;
        }
        // the last point at or before t (a repeated time makes a step: the later one applies)
        let i = e.partition_point(|p| p.0 <= t_s);
        if i >= e.len() {
            return e[e.len() - 1].1;
        }
        let (t0, a0) = e[i - 1];
        let (t1, a1) = e[i];
        if t1 <= t0 {
            a1
        } else {
            a0 + (a1 - a0) * (t_s - t0) / (t1 - t0)
        }
    }

    fn gain_at(&self, t: u64) -> f64 {
        let mut g = self.gain * self.envelope_at(t as f64 / self.sr);
        let k = t - self.s0;
        if self.fade_in >= 2 && k < self.fade_in {
            g *= k as f64 / (self.fade_in - 1) as f64;
        }
        let back = self.end - 1 - t;
        if self.fade_out >= 2 && back < self.fade_out {
            g *= back as f64 / (self.fade_out - 1) as f64;
        }
        g
    }

    /// Positions the generator for timeline frame `p` ahead of time (real time prepares a seek
    /// off the audio thread, where the warm-up would cost a fraction of a block).
    pub fn prepare_at(&mut self, p: u64) {
        let k = p.clamp(self.s0, self.end) - self.s0;
        if self.next != k {
            self.seek(k);
        }
    }

    /// Positions the generator at noise-time frame k (class F: warm-up from k − W).
    fn seek(&mut self, k: u64) {
        let from = k.saturating_sub(self.warmup);
        self.source.reset();
        for n in from..k {
            self.source.sample(n);
        }
        self.next = k;
    }

    /// Adds the noise for timeline frames [p0, p0 + len) to l and r.
    pub fn add(&mut self, p0: u64, l: &mut [f64], r: &mut [f64]) {
        let len = l.len() as u64;
        let lo = p0.max(self.s0);
        let hi = (p0 + len).min(self.end);
        if lo >= hi {
            return;
        }
        let k0 = lo - self.s0;
        if self.next != k0 {
            self.seek(k0);
        }
        for t in lo..hi {
            let x = self.source.sample(t - self.s0) * self.calibration;
            let g = self.gain_at(t);
            let i = (t - p0) as usize;
            l[i] += x * g * self.balance[0];
            r[i] += x * g * self.balance[1];
        }
        self.next = hi - self.s0;
    }
}

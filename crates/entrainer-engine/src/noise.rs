//! Background noise (`render.md` §8): the swept-notch engine (`notch.rs`, `voices.md` §2.11)
//! driven by a `.noise` preset and placed on the timeline from `start_s` to the programme end,
//! with gain, balance, fades and an amplitude envelope over timeline time.

use crate::error::{EngineError, Result};
use crate::notch::{NotchEngine, NotchSpec};
use crate::plan::{NoisePlan, Params, RampCurve, RampPlan};
use crate::ramp::Ramp;
use crate::rng::derived;
use crate::timeline::frames;

/// A piecewise-linear gain through points (t_s, a): the first value before the first point,
/// the last after the last one; two points at the same time make a step (the later applies).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Breakpoints(pub Vec<(f64, f64)>);

impl Breakpoints {
    pub fn at(&self, t_s: f64) -> f64 {
        let e = &self.0;
        if e.is_empty() {
            return 1.0;
        }
        if t_s < e[0].0 {
            return e[0].1;
        }
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

    /// The largest value (1 when empty).
    pub fn max(&self) -> f64 {
        if self.0.is_empty() {
            1.0
        } else {
            self.0.iter().map(|p| p.1).fold(0.0, f64::max)
        }
    }
}

/// Background noise placed on the timeline.
#[derive(Debug, Clone)]
pub struct BackgroundNoise {
    engine: NotchEngine,
    balance: [f64; 2],
    gain: f64,
    s0: u64,
    end: u64,
    fade_in: u64,
    fade_out: u64,
    envelope: Breakpoints,
    sr: f64,
    /// Next noise-time frame the engine will produce.
    next: u64,
}

impl BackgroundNoise {
    /// `end` is the end of the programme E; `render_seed` the render's seed.
    pub fn new(
        plan: &NoisePlan,
        sample_rate: u32,
        end: u64,
        render_seed: u64,
    ) -> Result<BackgroundNoise> {
        let sr = sample_rate as f64;
        let spec = NotchSpec::parse(&Params::new(0, 0, &plan.params)).map_err(|e| match e {
            EngineError::Param { key, message, .. } => EngineError::Plan {
                message: format!("noise.params.{key}: {message}"),
            },
            other => other,
        })?;
        let seed = plan
            .seed
            .unwrap_or_else(|| derived(render_seed, "background_noise"));
        let s0 = frames(plan.start_s, sample_rate);
        let span = end.saturating_sub(s0);
        // Ramps run in noise time over the span; the legacy post_offset is a hold at its end.
        let ramp = Ramp::new(
            plan.ramp
                .map(|r| RampPlan {
                    initial_offset_s: r.initial_offset_s,
                    transition_s: r.transition_s.or(r.hold_end_s.map(|h| {
                        (span as f64 / sr - r.initial_offset_s.max(0.0) - h.max(0.0)).max(0.0)
                    })),
                    curve: RampCurve::Linear,
                })
                .as_ref(),
            span,
            sample_rate,
        );
        let engine = NotchEngine::new(
            &spec,
            sample_rate,
            ramp,
            seed,
            spec.calibration(sample_rate),
        );
        let pan = plan.pan.clamp(-1.0, 1.0);
        Ok(BackgroundNoise {
            engine,
            balance: [(1.0 - pan).min(1.0), (1.0 + pan).min(1.0)],
            gain: plan.gain,
            s0,
            end,
            fade_in: frames(plan.fade_in_s, sample_rate).min(span),
            fade_out: frames(plan.fade_out_s, sample_rate).min(span),
            envelope: Breakpoints(plan.amp_envelope.clone()),
            sr,
            next: 0,
        })
    }

    pub fn span(&self) -> (u64, u64) {
        (self.s0, self.end)
    }

    /// Upper bound used by the provisional level plan: 6 × RMS × gain × max(env).
    pub fn peak_bound(&self) -> f64 {
        1.2 * self.gain * self.envelope.max()
    }

    fn gain_at(&self, t: u64) -> f64 {
        let mut g = self.gain * self.envelope.at(t as f64 / self.sr);
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
            self.engine.seek(k);
            self.next = k;
        }
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
            self.engine.seek(k0);
        }
        let mut t = lo;
        let (mut el, mut er) = ([0.0; 256], [0.0; 256]);
        while t < hi {
            let n = ((hi - t) as usize).min(256);
            self.engine.render(&mut el[..n], &mut er[..n]);
            for k in 0..n {
                let g = self.gain_at(t + k as u64);
                let i = (t + k as u64 - p0) as usize;
                l[i] += el[k] * g * self.balance[0];
                r[i] += er[k] * g * self.balance[1];
            }
            t += n as u64;
        }
        self.next = hi - self.s0;
    }
}

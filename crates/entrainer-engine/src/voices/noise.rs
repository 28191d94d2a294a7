//! `noise_generator` (`voices.md` §3.12), `noise_swept_notch` and
//! `generate_swept_notch_pink_sound` (§3.13): the swept-notch engine (`notch.rs`) as a voice,
//! with a per-ear gain that may ramp, linear fades inside the voice and an amplitude envelope
//! over voice time. Class F; never continued; the source is stream 0 of the voice seed.

use std::sync::{Arc, OnceLock};

use serde_json::Value;

use crate::noise::Breakpoints;
use crate::notch::{NotchEngine, NotchSpec};
use crate::plan::Params;
use crate::ramp::{Lerp, Ramp};
use crate::timeline::frames;
use crate::Result;

use super::Buf;
use super::{Placement, Voice, VoiceState};

#[derive(Debug, Clone)]
pub struct Noise {
    notch: NotchSpec,
    amp: [Lerp; 2],
    fade_in_s: f64,
    fade_out_s: f64,
    envelope: Breakpoints,
    /// Calibration gains at the last sample rate asked for; computed once, before rendering.
    calibration: Arc<OnceLock<(u32, [f64; 2])>>,
}

impl Noise {
    /// `default_amp`: 0.25 for `noise_generator`, 1 for the swept-notch voices (`volume`).
    pub fn parse(p: &Params, default_amp: f64) -> Result<Noise> {
        let mut points = Vec::new();
        match p.raw("amp_envelope") {
            None => {}
            Some(Value::Array(items)) => {
                for item in items {
                    let point = item
                        .as_array()
                        .filter(|a| a.len() == 2)
                        .and_then(|a| Some((a[0].as_f64()?, a[1].as_f64()?)));
                    match point {
                        Some((t, a))
                            if t >= 0.0
                                && a >= 0.0
                                && points.last().is_none_or(|&(t0, _)| t >= t0) =>
                        {
                            points.push((t, a))
                        }
                        _ => {
                            return Err(p.err(
                                "amp_envelope",
                                format!("expected [time_s, amp] pairs in time order, got {item}"),
                            ))
                        }
                    }
                }
            }
            Some(v) => return Err(p.err("amp_envelope", format!("expected an array, got {v}"))),
        }
        Ok(Noise {
            notch: NotchSpec::parse(p)?,
            amp: [
                Lerp::new(p.pair_in("amp_l", default_amp, 0.0, 10.0)?),
                Lerp::new(p.pair_in("amp_r", default_amp, 0.0, 10.0)?),
            ],
            fade_in_s: p.pair_min("fade_in_s", 0.0, 0.0)?.0,
            fade_out_s: p.pair_min("fade_out_s", 0.0, 0.0)?.0,
            envelope: Breakpoints(points),
            calibration: Arc::new(OnceLock::new()),
        })
    }

    /// 1.2 × the largest gain: six times the RMS of 0.2 (`voices.md` §2.16).
    pub fn bound(&self) -> [f64; 2] {
        let env = self.envelope.max();
        [1.2 * self.amp[0].max() * env, 1.2 * self.amp[1].max() * env]
    }

    /// Computes the calibration for `sample_rate` ahead of rendering.
    pub fn prepare(&self, sample_rate: u32) {
        self.calibration(sample_rate);
    }

    fn calibration(&self, sample_rate: u32) -> [f64; 2] {
        match self.calibration.get() {
            Some(&(sr, g)) if sr == sample_rate => g,
            Some(_) => self.notch.calibration(sample_rate),
            None => {
                self.calibration
                    .get_or_init(|| (sample_rate, self.notch.calibration(sample_rate)))
                    .1
            }
        }
    }

    pub fn instantiate(&self, place: Placement) -> NoiseVoice {
        let (sr, n) = (place.sample_rate, place.step_frames);
        NoiseVoice {
            engine: NotchEngine::new(
                &self.notch,
                sr,
                place.ramp,
                place.seed,
                self.calibration(sr),
            ),
            amp: self.amp,
            fade_in: frames(self.fade_in_s, sr).min(n),
            fade_out: frames(self.fade_out_s, sr).min(n),
            envelope: self.envelope.clone(),
            step_frames: n,
            sr: sr as f64,
            ramp: place.ramp,
            m: 0,
        }
    }
}

pub struct NoiseVoice {
    engine: NotchEngine,
    amp: [Lerp; 2],
    fade_in: u64,
    fade_out: u64,
    envelope: Breakpoints,
    step_frames: u64,
    sr: f64,
    ramp: Ramp,
    m: u64,
}

impl NoiseVoice {
    /// fade(n)·env(n) of §3.12: linear fades whose first and last samples are 0.
    #[inline]
    fn shape(&self, n: u64) -> f64 {
        let mut g = 1.0;
        if self.fade_in >= 2 && n < self.fade_in {
            g *= n as f64 / (self.fade_in - 1) as f64;
        }
        let back = self.step_frames.saturating_sub(n + 1);
        if self.fade_out >= 2 && back < self.fade_out {
            g *= back as f64 / (self.fade_out - 1) as f64;
        }
        if !self.envelope.0.is_empty() {
            g *= self.envelope.at(n as f64 / self.sr);
        }
        g
    }
}

impl Voice for NoiseVoice {
    fn render(&mut self, l: &mut [f64], r: &mut [f64], _scratch: &mut [Buf]) {
        self.engine.render(l, r);
        let m0 = self.m;
        let len = l.len() as u64;
        let plain = self.envelope.0.is_empty()
            && (self.fade_in < 2 || m0 >= self.fade_in)
            && (self.fade_out < 2 || m0 + len + self.fade_out <= self.step_frames);
        if plain && self.amp[0].is_const() && self.amp[1].is_const() {
            let (gl, gr) = (self.amp[0].start, self.amp[1].start);
            l.iter_mut().for_each(|x| *x *= gl);
            r.iter_mut().for_each(|x| *x *= gr);
        } else {
            for k in 0..l.len() {
                let n = m0 + k as u64;
                let a = self.ramp.alpha(n as f64);
                let s = self.shape(n);
                l[k] *= self.amp[0].at(a) * s;
                r[k] *= self.amp[1].at(a) * s;
            }
        }
        self.m += len;
    }

    fn seek(&mut self, m: u64) {
        self.engine.seek(m);
        self.m = m;
    }

    fn state(&self) -> VoiceState {
        VoiceState::default()
    }
}

//! The render plan: the validated, normalised track that the Python loader hands to the engine.
//!
//! Everything here is in seconds, hertz, radians and linear gain, with snake_case names that
//! carry their unit. Legacy camelCase keys never reach this far. `docs/plan.md` documents the
//! JSON form field by field; this file is its executable definition.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::{EngineError, Result};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Playable steps in file order.
    pub steps: Vec<StepPlan>,
    #[serde(default)]
    pub noise: Option<NoisePlan>,
    /// Overlay clips, in file order. Their audio is handed over separately (the engine reads
    /// no files): one buffer per clip, in the same order.
    #[serde(default)]
    pub clips: Vec<ClipPlan>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepPlan {
    /// Position of the step in the file (used for seeds and messages).
    pub source_index: usize,
    pub duration_s: f64,
    /// Crossfade from this step into the next (the per-step override or the global value).
    pub crossfade_out_s: f64,
    #[serde(default)]
    pub crossfade_curve: CrossfadeCurve,
    #[serde(default)]
    pub description: String,
    pub voices: Vec<VoicePlan>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrossfadeCurve {
    #[default]
    Linear,
    EqualPower,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoicePlan {
    /// Position of the voice in its step's list in the file.
    pub source_index: usize,
    /// Registry base name (never ending in `_transition`).
    pub function: String,
    /// The voice's own `seed` parameter, replacing the derived voice seed.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Present exactly when the voice is a transition voice.
    #[serde(default)]
    pub ramp: Option<RampPlan>,
    #[serde(default)]
    pub envelope: Option<EnvelopePlan>,
    /// Resolved parameters: a ramped number is `[start, end]`, anything else a scalar.
    pub params: Map<String, Value>,
    /// Decoded mono audio at the render rate, one buffer per id of `params.audio_buffers`
    /// (`subliminal_encode`). Not part of the JSON: attached by [`Plan::attach_audio`].
    #[serde(skip)]
    pub audio: Vec<Arc<[f32]>>,
}

impl VoicePlan {
    /// Attaches the buffers listed by `params.audio_buffers` (indices into `buffers`).
    pub fn attach_audio(
        &mut self,
        buffers: &[Arc<[f32]>],
        step: usize,
        voice: usize,
    ) -> Result<()> {
        let Some(ids) = self.params.get("audio_buffers") else {
            return Ok(());
        };
        let err = |message: String| EngineError::Param {
            step,
            voice,
            key: "audio_buffers".into(),
            message,
        };
        let ids = ids
            .as_array()
            .ok_or_else(|| err(format!("expected an array of buffer indices, got {ids}")))?;
        self.audio = ids
            .iter()
            .map(|id| match id.as_u64() {
                Some(i) if (i as usize) < buffers.len() => Ok(Arc::clone(&buffers[i as usize])),
                _ => Err(err(format!(
                    "expected a buffer index below {}, got {id}",
                    buffers.len()
                ))),
            })
            .collect::<Result<_>>()?;
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RampPlan {
    pub initial_offset_s: f64,
    /// `None`: until the end of the step.
    #[serde(default)]
    pub transition_s: Option<f64>,
    #[serde(default)]
    pub curve: RampCurve,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RampCurve {
    #[default]
    Linear,
    /// Quadratic ease-out, `1 − (1 − u)²` (the legacy name).
    Logarithmic,
    /// Quadratic ease-in, `u²` (the legacy name).
    Exponential,
}

#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum EnvelopePlan {
    LinearFade {
        fade_s: f64,
        start_amp: f64,
        end_amp: f64,
        fade_out: bool,
    },
    Adsr {
        attack_s: f64,
        decay_s: f64,
        sustain_level: f64,
        release_s: f64,
    },
    Linen {
        attack_s: f64,
        release_s: f64,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoisePlan {
    /// `noise_parameters.seed` of the preset, replacing the derived background-noise seed.
    #[serde(default)]
    pub seed: Option<u64>,
    pub gain: f64,
    #[serde(default)]
    pub pan: f64,
    #[serde(default)]
    pub start_s: f64,
    #[serde(default)]
    pub fade_in_s: f64,
    #[serde(default)]
    pub fade_out_s: f64,
    /// Piecewise-linear gain over timeline seconds: `[[t_s, amp], ...]`, times non-decreasing.
    #[serde(default)]
    pub amp_envelope: Vec<(f64, f64)>,
    /// Present for a transitioning preset: ramps in noise time, curve linear.
    #[serde(default)]
    pub ramp: Option<NoiseRampPlan>,
    /// The swept-notch engine's keys (`docs/plan.md`), as for the noise voices.
    #[serde(default)]
    pub params: Map<String, Value>,
}

/// Transition timing of a `.noise` preset. `post_offset` becomes `transition_s` only here,
/// because the noise's span depends on the render rate.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NoiseRampPlan {
    #[serde(default)]
    pub initial_offset_s: f64,
    /// `None`: until the end of the span (or as `hold_end_s` says).
    #[serde(default)]
    pub transition_s: Option<f64>,
    /// The legacy `post_offset`: end values held for this long at the end of the span.
    #[serde(default)]
    pub hold_end_s: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClipPlan {
    /// Position of the clip in the file's clip list (messages).
    pub source_index: usize,
    /// Timeline time of the clip's first frame.
    pub start_s: f64,
    /// Linear gain (`amp`).
    pub gain: f64,
    /// Balance, −1 … 1 (`render.md` §8 law).
    #[serde(default)]
    pub pan: f64,
    #[serde(default)]
    pub fade_in_s: f64,
    #[serde(default)]
    pub fade_out_s: f64,
    /// Play at most this long; `None` (or 0): the whole file.
    #[serde(default)]
    pub duration_s: Option<f64>,
}

impl Plan {
    pub fn from_json(text: &str) -> Result<Plan> {
        serde_json::from_str(text).map_err(|e| EngineError::Plan {
            message: e.to_string(),
        })
    }

    /// Hands each voice the audio buffers its `params.audio_buffers` lists.
    pub fn attach_audio(&mut self, buffers: &[Arc<[f32]>]) -> Result<()> {
        for step in &mut self.steps {
            for v in &mut step.voices {
                v.attach_audio(buffers, step.source_index, v.source_index)?;
            }
        }
        Ok(())
    }
}

/// Typed access to a voice's resolved parameters, with located errors.
pub struct Params<'a> {
    pub step: usize,
    pub voice: usize,
    map: &'a Map<String, Value>,
}

impl<'a> Params<'a> {
    pub fn new(step: usize, voice: usize, map: &'a Map<String, Value>) -> Self {
        Params { step, voice, map }
    }

    pub fn err(&self, key: &str, message: String) -> EngineError {
        EngineError::Param {
            step: self.step,
            voice: self.voice,
            key: key.to_string(),
            message,
        }
    }

    /// The raw JSON value of a key (null counts as absent), for structured parameters.
    pub fn raw(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn number(&self, key: &str, v: &Value) -> Result<f64> {
        match v.as_f64() {
            Some(x) if x.is_finite() && !v.is_boolean() => Ok(x),
            _ => Err(self.err(key, format!("expected a finite number, got {v}"))),
        }
    }

    /// A ramped number `[start, end]`; a plain number means start = end. Missing: `default`.
    pub fn pair(&self, key: &str, default: f64) -> Result<(f64, f64)> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok((default, default)),
            Some(Value::Array(a)) if a.len() == 2 => {
                Ok((self.number(key, &a[0])?, self.number(key, &a[1])?))
            }
            Some(v @ Value::Number(_)) => {
                let x = self.number(key, v)?;
                Ok((x, x))
            }
            Some(v) => Err(self.err(key, format!("expected [start, end] numbers, got {v}"))),
        }
    }

    /// Like [`pair`](Self::pair), with both values checked against `[lo, hi]`.
    pub fn pair_in(&self, key: &str, default: f64, lo: f64, hi: f64) -> Result<(f64, f64)> {
        let (a, b) = self.pair(key, default)?;
        for x in [a, b] {
            if !(lo..=hi).contains(&x) {
                return Err(self.err(key, format!("expected a number from {lo} to {hi}, got {x}")));
            }
        }
        Ok((a, b))
    }

    /// Like [`pair`](Self::pair), with both values ≥ `lo`.
    pub fn pair_min(&self, key: &str, default: f64, lo: f64) -> Result<(f64, f64)> {
        let (a, b) = self.pair(key, default)?;
        for x in [a, b] {
            if x < lo {
                return Err(self.err(key, format!("expected a number ≥ {lo}, got {x}")));
            }
        }
        Ok((a, b))
    }

    /// A number that does not ramp (a start phase, for example).
    pub fn scalar(&self, key: &str, default: f64) -> Result<f64> {
        Ok(self.pair(key, default)?.0)
    }

    pub fn flag(&self, key: &str, default: bool) -> Result<bool> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(v) => Err(self.err(key, format!("expected true or false, got {v}"))),
        }
    }

    pub fn choice(
        &self,
        key: &str,
        default: &'static str,
        allowed: &[&'static str],
    ) -> Result<&'static str> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::String(s)) => allowed
                .iter()
                .copied()
                .find(|a| *a == s.as_str())
                .ok_or_else(|| {
                    self.err(
                        key,
                        format!("expected one of {}, got \"{s}\"", allowed.join(", ")),
                    )
                }),
            Some(v) => Err(self.err(key, format!("expected a string, got {v}"))),
        }
    }
}

//! The engine's single error type. Each variant says where it happened.
//!
//! The Python loader validates tracks before they reach the engine, so these errors mostly
//! guard the plan contract (a missing key, a value out of range) and report it with the
//! same location syntax as the loader: `steps[3].voices[1].params.base_freq_hz`.

use std::fmt;

pub type Result<T> = std::result::Result<T, EngineError>;

#[derive(Debug, Clone, PartialEq)]
pub enum EngineError {
    /// The plan JSON could not be decoded into the plan structure.
    Plan { message: String },
    /// A voice parameter is missing, has the wrong type or is out of range.
    Param {
        step: usize,
        voice: usize,
        key: String,
        message: String,
    },
    /// A synth function name the engine does not implement.
    UnknownFunction {
        step: usize,
        voice: usize,
        name: String,
        known: Vec<&'static str>,
    },
    /// An overlay clip's plan entry or audio is invalid.
    Clip {
        index: usize,
        key: &'static str,
        message: String,
    },
    /// A feature the plan asks for that this engine version does not have.
    Unsupported { location: String, message: String },
    /// A render option is invalid (sample rate, target level, block size, ...).
    Option { name: &'static str, message: String },
    /// The caller cancelled a long operation (Ctrl-C, or a progress callback said stop).
    Cancelled,
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::Plan { message } => write!(f, "(plan): {message}"),
            EngineError::Param { step, voice, key, message } => {
                write!(f, "steps[{step}].voices[{voice}].params.{key}: {message}")
            }
            EngineError::UnknownFunction { step, voice, name, known } => write!(
                f,
                "steps[{step}].voices[{voice}].synth_function_name: unknown synth function \"{name}\"; known: {}",
                known.join(", ")
            ),
            EngineError::Clip { index, key, message } => write!(f, "clips[{index}].{key}: {message}"),
            EngineError::Unsupported { location, message } => write!(f, "{location}: {message}"),
            EngineError::Option { name, message } => write!(f, "{name}: {message}"),
            EngineError::Cancelled => write!(f, "cancelled"),
        }
    }
}

impl std::error::Error for EngineError {}

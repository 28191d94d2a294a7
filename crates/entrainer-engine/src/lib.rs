//! Entrainer's DSP engine (bootstrap).
pub mod error;
pub mod plan;
pub mod timeline;
pub use error::{EngineError, Result};
pub use timeline::{frames, Timeline};

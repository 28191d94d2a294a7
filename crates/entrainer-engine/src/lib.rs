//! Entrainer's DSP engine: one block renderer shared by offline export and real-time play.
//!
//! The engine takes a validated, normalised [`plan::Plan`] (built by the Python loader),
//! places its steps on the single timeline of `render.md` §2, and renders stereo frames in
//! blocks of any size. It has no Python, no audio device and no file I/O.

// Per-ear loops (`for c in 0..2`) index several arrays of the same ear side by side; a zip of
// three or four arrays reads worse.
#![allow(clippy::needless_range_loop)]

pub mod cache;
pub mod clips;
pub mod colour;
pub mod envelope;
pub mod error;
pub mod filters;
pub mod hrtf;
pub mod levels;
pub mod noise;
pub mod notch;
pub mod osc;
pub mod plan;
pub mod quantise;
pub mod ramp;
pub mod renderer;
pub mod rng;
pub mod shapes;
pub mod smooth;
pub mod timeline;
pub mod voices;

pub use error::{EngineError, Result};
pub use plan::Plan;
pub use renderer::{Levels, Program, RenderOptions, Renderer};
pub use timeline::{frames, Timeline};

/// Number of output channels. Everything Entrainer renders is stereo, left then right.
pub const CHANNELS: usize = 2;

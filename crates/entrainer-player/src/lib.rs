//! Real-time playback of Entrainer programs.
//!
//! A [`Player`] owns three sides: the **audio thread** ([`core::Core`], inside the cpal
//! callback or a paced thread) that renders blocks and never locks, allocates, frees, logs,
//! does I/O or waits; the **preparer** thread that builds upcoming steps and drops what the
//! audio thread hands back; and the **control side** (this API) that sends commands through a
//! wait-free queue (a full queue is an error, never a wait) and reads status from atomics.

pub mod bench;
pub mod commands;
pub mod core;
pub mod output;
pub mod player;
pub mod prepare;
pub mod status;

pub use output::Output;
pub use player::{Player, PlayerConfig};
pub use status::{Snapshot, State, Status};

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum PlayerError {
    /// No sound device (or none with that name); the message names the alternatives.
    NoDevice(String),
    /// The device or file could not be opened or written.
    Output(String),
    /// A bad argument (block size, gain, output spec, ...).
    Option(String),
    /// The command queue is full: the audio thread is not serving commands.
    QueueFull,
}

impl fmt::Display for PlayerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlayerError::NoDevice(m) | PlayerError::Output(m) | PlayerError::Option(m) => {
                f.write_str(m)
            }
            PlayerError::QueueFull => {
                f.write_str("the stream's command queue is full (is the audio thread running?)")
            }
        }
    }
}

impl std::error::Error for PlayerError {}

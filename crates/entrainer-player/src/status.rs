//! What the audio thread publishes: position, state, counters and levels, as atomics.
//! The control side reads them; it never asks the audio thread a question.

use std::sync::atomic::{AtomicU32, AtomicU64, AtomicU8, Ordering::Relaxed};

/// Playback state as published by the audio thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum State {
    Playing = 0,
    Paused = 1,
    Stopped = 2,
    Finished = 3,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Playing => "playing",
            State::Paused => "paused",
            State::Stopped => "stopped",
            State::Finished => "finished",
        }
    }

    fn from_u8(v: u8) -> State {
        match v {
            0 => State::Playing,
            1 => State::Paused,
            2 => State::Stopped,
            _ => State::Finished,
        }
    }
}

/// Atomics shared between the audio thread (writer) and everyone else (readers).
#[derive(Debug, Default)]
pub struct Status {
    position: AtomicU64,
    state: AtomicU8,
    blocks: AtomicU64,
    frames: AtomicU64,
    underruns: AtomicU64,
    missing: AtomicU64,
    generation: AtomicU64,
    peak_bits: AtomicU32,
    load_bits: AtomicU32,
    max_load_bits: AtomicU32,
    gain_bits: AtomicU32,
}

/// A copy of the status at one moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snapshot {
    /// Timeline frame of the next frame to be output.
    pub position: u64,
    pub state: State,
    /// Callbacks (or paced blocks) served.
    pub blocks: u64,
    /// Frames written to the output.
    pub frames: u64,
    pub underruns: u64,
    /// Frames rendered without a step that was not prepared in time (should stay 0).
    pub missing: u64,
    /// Which seek or update the audio thread is on.
    pub generation: u64,
    /// Largest |sample| of the last block, after every gain.
    pub peak: f32,
    /// Render time of the last block over its duration.
    pub load: f32,
    pub max_load: f32,
    /// Master gain in use (after its ramp).
    pub gain: f32,
}

impl Status {
    pub fn new() -> Status {
        let s = Status::default();
        s.gain_bits.store(1.0f32.to_bits(), Relaxed);
        s
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            position: self.position.load(Relaxed),
            state: State::from_u8(self.state.load(Relaxed)),
            blocks: self.blocks.load(Relaxed),
            frames: self.frames.load(Relaxed),
            underruns: self.underruns.load(Relaxed),
            missing: self.missing.load(Relaxed),
            generation: self.generation.load(Relaxed),
            peak: f32::from_bits(self.peak_bits.load(Relaxed)),
            load: f32::from_bits(self.load_bits.load(Relaxed)),
            max_load: f32::from_bits(self.max_load_bits.load(Relaxed)),
            gain: f32::from_bits(self.gain_bits.load(Relaxed)),
        }
    }

    pub fn position(&self) -> u64 {
        self.position.load(Relaxed)
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Relaxed)
    }

    pub fn state(&self) -> State {
        State::from_u8(self.state.load(Relaxed))
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn publish_block(
        &self,
        position: u64,
        state: State,
        frames: u64,
        peak: f32,
        gain: f32,
        missing: u64,
        generation: u64,
    ) {
        self.position.store(position, Relaxed);
        self.state.store(state as u8, Relaxed);
        self.blocks.fetch_add(1, Relaxed);
        self.frames.fetch_add(frames, Relaxed);
        self.peak_bits.store(peak.to_bits(), Relaxed);
        self.gain_bits.store(gain.to_bits(), Relaxed);
        self.missing.store(missing, Relaxed);
        self.generation.store(generation, Relaxed);
    }

    pub(crate) fn publish_load(&self, load: f32) {
        self.load_bits.store(load.to_bits(), Relaxed);
        if load > f32::from_bits(self.max_load_bits.load(Relaxed)) {
            self.max_load_bits.store(load.to_bits(), Relaxed);
        }
    }

    pub fn add_underrun(&self) {
        self.underruns.fetch_add(1, Relaxed);
    }

    pub(crate) fn set_state(&self, state: State) {
        self.state.store(state as u8, Relaxed);
    }
}

//! Commands from the control side to the audio thread, and what comes back for disposal.
//!
//! Everything a command carries was built (allocated) by the sender; the audio thread only
//! moves it. What the audio thread stops using travels back on the disposal queue and is
//! dropped on the control side.

use std::sync::Arc;

use entrainer_engine::noise::BackgroundNoise;
use entrainer_engine::renderer::StepInstance;
use entrainer_engine::{Program, Renderer};

/// Capacity of the command queue. A full queue is an error the caller sees, never a wait.
pub const COMMAND_SLOTS: usize = 64;
/// Capacity of the queues of prepared steps and of things to dispose of.
pub const STEP_QUEUE_SLOTS: usize = 32;

// Commands travel by value through a fixed-size queue: boxing the large `Seek` would make the
// audio thread free the box after taking it (it must not free).
#[allow(clippy::large_enum_variant)]
pub enum Command {
    Pause,
    Resume,
    /// Jump to a timeline frame with the steps prepared there.
    Seek {
        frame: u64,
        steps: Vec<StepInstance>,
        noise: Option<BackgroundNoise>,
        generation: u64,
    },
    /// Master gain in [0, 1], reached by a 20 ms linear ramp.
    SetGain(f64),
    Stop,
    /// Replace the program: the new renderer is positioned where the old one will be when the
    /// command is served, and the two are crossfaded.
    Update {
        renderer: Box<Renderer>,
        generation: u64,
    },
}

/// Things the audio thread hands back to be dropped elsewhere.
pub enum Disposal {
    Step(StepInstance),
    Steps(Vec<StepInstance>),
    Renderer(Box<Renderer>),
    Program(Arc<Program>),
    Noise(BackgroundNoise),
    Command(Command),
}

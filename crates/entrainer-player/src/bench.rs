//! Measurements for `bench/bench_realtime.py`: the audio callback timed block by block on the
//! calling thread, exactly as a device would call it (no device, no pacing).

use std::sync::Arc;
use std::time::Instant;

use entrainer_engine::{Levels, Program};

use crate::output::Output;
use crate::player::{Player, PlayerConfig};
use crate::PlayerError;

/// Runs `blocks` callbacks of `block` frames from `start_frame`; returns each one's duration
/// in nanoseconds. Steps are prepared by the preparer thread as in real playback, so the
/// caller should not ask for more than a few minutes of audio per second of wall time.
pub fn time_callbacks(
    program: Arc<Program>,
    levels: Levels,
    block: usize,
    blocks: usize,
    start_frame: u64,
) -> Result<Vec<u64>, PlayerError> {
    let mut player = Player::start(
        program,
        levels,
        PlayerConfig {
            block_size: block,
            output: Output::Manual,
            start_frame,
            gain: 1.0,
        },
    )?;
    let mut out = vec![0.0f32; 2 * block];
    let mut times = Vec::with_capacity(blocks);
    for _ in 0..blocks {
        let t0 = Instant::now();
        player.pull_into(&mut out)?;
        times.push(t0.elapsed().as_nanos() as u64);
    }
    player.stop()?;
    Ok(times)
}

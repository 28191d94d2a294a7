//! Measurements for `bench/bench_realtime.py`: the audio callback timed block by block on the
//! calling thread, exactly as a device would call it (no device, no pacing).

use std::sync::Arc;
use std::time::Instant;

use entrainer_engine::{Levels, Program};

use crate::output::Output;
use crate::player::{Player, PlayerConfig};
use crate::PlayerError;

/// Runs `blocks` rounds of callbacks of `block` frames, one callback per stream per round,
/// for `streams` players started `spacing` frames apart from `start_frame` (wrapping within
/// the track); returns each round's duration in nanoseconds. With many streams the callbacks
/// run with the cache pressure of that many streams, as on a server. Steps are prepared by the
/// preparer threads as in real playback, so the caller should not ask for more than a few
/// minutes of audio per second of wall time.
pub fn time_callbacks(
    program: Arc<Program>,
    levels: Levels,
    block: usize,
    blocks: usize,
    start_frame: u64,
    streams: usize,
    spacing: u64,
) -> Result<Vec<u64>, PlayerError> {
    let mut players = start_players(&program, &levels, block, start_frame, streams, spacing)?;
    let mut out = vec![0.0f32; 2 * block];
    let mut times = Vec::with_capacity(blocks);
    for _ in 0..blocks {
        let t0 = Instant::now();
        for p in players.iter_mut() {
            p.pull_into(&mut out)?;
        }
        times.push(t0.elapsed().as_nanos() as u64);
    }
    for mut p in players {
        p.stop()?;
    }
    Ok(times)
}

/// `streams` manual-output players (at least one) started `spacing` frames apart from
/// `start_frame`, wrapping within the track.
fn start_players(
    program: &Arc<Program>,
    levels: &Levels,
    block: usize,
    start_frame: u64,
    streams: usize,
    spacing: u64,
) -> Result<Vec<Player>, PlayerError> {
    let total = program.total_frames().max(1);
    (0..streams.max(1) as u64)
        .map(|i| {
            Player::start(
                Arc::clone(program),
                levels.clone(),
                PlayerConfig {
                    block_size: block,
                    output: Output::Manual,
                    start_frame: (start_frame + i * spacing) % total,
                    gain: 1.0,
                },
            )
        })
        .collect()
}

/// What [`serve_paced`] measured.
#[derive(Debug, Clone, Copy)]
pub struct Served {
    /// Rounds counted (after the warm-up).
    pub rounds: u64,
    /// Rounds that finished more than one period after their deadline: with two periods of
    /// device buffer, the audio would have had a gap.
    pub underruns: u64,
    /// Largest and mean time of one round (every stream's callback) over the period.
    pub max_load: f64,
    pub mean_load: f64,
}

/// Serves `streams` players from one thread in real time, as an audio server serves its
/// clients: every period of `block` frames, one callback per stream, then sleep until the
/// next period. The thread asks for SCHED_FIFO like a device thread. The first `warmup_s`
/// seconds (steps being prepared) are not counted.
pub fn serve_paced(
    program: Arc<Program>,
    levels: Levels,
    block: usize,
    streams: usize,
    spacing: u64,
    warmup_s: f64,
    seconds: f64,
) -> Result<Served, PlayerError> {
    use std::time::Duration;
    let sr = program.sample_rate() as f64;
    let mut players = start_players(&program, &levels, block, 0, streams, spacing)?;
    crate::output::promote_current_thread();
    let mut out = vec![0.0f32; 2 * block];
    let period = Duration::from_secs_f64(block as f64 / sr);
    let warm_rounds = (warmup_s * sr / block as f64) as u64;
    let rounds = (seconds * sr / block as f64) as u64;
    let mut served = Served {
        rounds: 0,
        underruns: 0,
        max_load: 0.0,
        mean_load: 0.0,
    };
    let mut deadline = Instant::now();
    for round in 0..warm_rounds + rounds {
        let t0 = Instant::now();
        for p in players.iter_mut() {
            p.pull_into(&mut out)?;
        }
        let now = Instant::now();
        let load = (now - t0).as_secs_f64() / period.as_secs_f64();
        deadline += period;
        let late = now > deadline + period;
        if round >= warm_rounds {
            served.rounds += 1;
            served.underruns += late as u64;
            served.max_load = served.max_load.max(load);
            served.mean_load += load;
        }
        if late {
            deadline = now;
        } else if deadline > now {
            std::thread::sleep(deadline - now);
        }
    }
    served.mean_load /= served.rounds.max(1) as f64;
    for mut p in players {
        p.stop()?;
    }
    Ok(served)
}

//! The preparer thread: builds the steps that will start soon (allocation, filter warm-up)
//! and hands them to the audio thread ahead of time; it also drops what the audio thread
//! gives back.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rtrb::{Consumer, Producer};

use entrainer_engine::renderer::StepInstance;
use entrainer_engine::Program;

use crate::commands::Disposal;
use crate::status::Status;

/// How far ahead steps are prepared.
pub const LOOKAHEAD_S: f64 = 2.0;

/// How often the preparer looks at the position just after a start, seek or update (when the
/// next step may be due at once). Far below the lookahead, so a step is always ready in time.
pub const POLL: Duration = Duration::from_millis(25);

/// Polls at [`POLL`] after a kick, before going back to longer sleeps.
const FAST_POLLS: u32 = 20;

/// The longest sleep otherwise; shorter when the next step enters the lookahead sooner. A
/// service runs one preparer per listener: idle preparers waking every 25 ms evicted the
/// audio threads' data from the caches (200 streams, 8000 wake-ups a second).
pub const IDLE: Duration = Duration::from_millis(250);

/// The programs the audio thread may be playing, by the generation that introduced them.
pub type Programs = Arc<Mutex<Vec<(u64, Arc<Program>)>>>;

pub fn program_for(programs: &Programs, generation: u64) -> Option<Arc<Program>> {
    let list = programs.lock().unwrap_or_else(|p| p.into_inner());
    // the newest program introduced at or before this generation
    list.iter()
        .filter(|(g, _)| *g <= generation)
        .max_by_key(|(g, _)| *g)
        .map(|(_, p)| Arc::clone(p))
}

pub fn spawn(
    programs: Programs,
    status: Arc<Status>,
    mut prepared: Producer<StepInstance>,
    mut disposal: Consumer<Disposal>,
    stop: Arc<AtomicBool>,
    kick: Arc<AtomicBool>,
) -> JoinHandle<()> {
    std::thread::Builder::new()
        .name("entrainer-prepare".into())
        .spawn(move || {
            let mut generation = u64::MAX;
            let mut sent: Vec<bool> = Vec::new();
            let mut program: Option<Arc<Program>> = None;
            let mut fast = FAST_POLLS;
            loop {
                while let Ok(d) = disposal.pop() {
                    drop(d);
                }
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let g = status.generation();
                let p = status.position();
                if g != generation {
                    program = program_for(&programs, g);
                    generation = g;
                    if let Some(prog) = &program {
                        // Steps already sounding came with the seek, start or update.
                        sent = prog.timeline.starts.iter().map(|&s| s <= p).collect();
                    }
                }
                let mut wait = IDLE;
                if let Some(prog) = &program {
                    let sr = prog.sample_rate() as f64;
                    let horizon = p + (LOOKAHEAD_S * sr) as u64;
                    for (i, &s) in prog.timeline.starts.iter().enumerate() {
                        if !sent[i]
                            && s > p
                            && s <= horizon
                            && prepared.slots() > 0
                            && prepared
                                .push(prog.instantiate_step(i, 0, generation))
                                .is_ok()
                        {
                            sent[i] = true;
                        }
                        if !sent[i] && s > horizon {
                            // at normal speed the step enters the lookahead after this long
                            wait = wait.min(Duration::from_secs_f64((s - horizon) as f64 / sr));
                        }
                    }
                }
                if fast > 0 {
                    fast -= 1;
                    wait = POLL;
                }
                std::thread::park_timeout(wait.max(POLL));
                if kick.swap(false, Ordering::AcqRel) {
                    fast = FAST_POLLS;
                }
            }
            while let Ok(d) = disposal.pop() {
                drop(d);
            }
        })
        .expect("spawn the preparer thread")
}

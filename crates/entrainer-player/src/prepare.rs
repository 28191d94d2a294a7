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

/// How often the preparer looks at the position. Far below the lookahead, so a step is always
/// ready in time; not much more often, because a service runs one preparer per listener (at
/// 5 ms, 100 idle streams cost a fifth of a core in wake-ups alone).
pub const POLL: Duration = Duration::from_millis(25);

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
) -> JoinHandle<()> {
    std::thread::Builder::new()
        .name("entrainer-prepare".into())
        .spawn(move || {
            let mut generation = u64::MAX;
            let mut sent: Vec<bool> = Vec::new();
            let mut program: Option<Arc<Program>> = None;
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
                if let Some(prog) = &program {
                    let horizon = p + (LOOKAHEAD_S * prog.sample_rate() as f64) as u64;
                    for (i, &s) in prog.timeline.starts.iter().enumerate() {
                        if !sent[i] && s > p && s <= horizon && prepared.slots() > 0 {
                            if prepared
                                .push(prog.instantiate_step(i, 0, generation))
                                .is_ok()
                            {
                                sent[i] = true;
                            }
                        }
                    }
                }
                std::thread::sleep(POLL);
            }
            while let Ok(d) = disposal.pop() {
                drop(d);
            }
        })
        .expect("spawn the preparer thread")
}

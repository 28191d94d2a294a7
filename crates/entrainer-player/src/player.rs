//! The control side of a stream: builds what the audio thread needs, sends commands through
//! the lock-free queue, and reads status from atomics. Everything here may allocate and block;
//! nothing here runs on the audio thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rtrb::{Producer, RingBuffer};

use entrainer_engine::{frames, Levels, Program, Renderer};

use crate::commands::{Command, COMMAND_SLOTS, STEP_QUEUE_SLOTS};
use crate::core::Core;
use crate::output::{Backend, Output};
use crate::prepare::{self, Programs};

/// Steps starting this soon after a start, seek or update target travel with it (the
/// preparer, woken by the same call, takes the rest).
const HANDOVER_S: f64 = 0.5;
use crate::status::{Snapshot, State, Status};
use crate::PlayerError;

/// How far ahead of the audio thread an update is aligned (blocks of slack plus 10 ms).
const UPDATE_SLACK_S: f64 = 0.010;

pub struct PlayerConfig {
    pub block_size: usize,
    pub output: Output,
    pub start_frame: u64,
    pub gain: f64,
}

/// A real-time stream of one program.
pub struct Player {
    commands: Producer<Command>,
    status: Arc<Status>,
    programs: Programs,
    program: Arc<Program>,
    levels: Levels,
    generation: u64,
    block_size: usize,
    backend: Option<Backend>,
    preparer: Option<JoinHandle<()>>,
    stop_preparer: Arc<AtomicBool>,
    /// Set (and the preparer unparked) when the generation changes: poll closely for a while.
    kick_preparer: Arc<AtomicBool>,
}

impl Player {
    pub fn start(
        program: Arc<Program>,
        levels: Levels,
        config: PlayerConfig,
    ) -> Result<Player, PlayerError> {
        if !(1..=8192).contains(&config.block_size) {
            return Err(PlayerError::Option(format!(
                "block_size: expected an integer from 1 to 8192, got {}",
                config.block_size
            )));
        }
        let sr = program.sample_rate();
        let status = Arc::new(Status::new());
        let (commands, cmd_rx) = RingBuffer::new(COMMAND_SLOTS);
        let (prep_tx, prep_rx) = RingBuffer::new(STEP_QUEUE_SLOTS);
        let (disp_tx, disp_rx) = RingBuffer::new(STEP_QUEUE_SLOTS * 4);
        let start = config.start_frame.min(program.total_frames());
        let steps = program.instantiate_around(start, frames(HANDOVER_S, sr), 0);
        let renderer = Box::new(Renderer::real_time(
            Arc::clone(&program),
            levels.clone(),
            start,
            steps,
            0,
        ));
        let core = Core::new(
            renderer,
            cmd_rx,
            prep_rx,
            disp_tx,
            Arc::clone(&status),
            config.gain.clamp(0.0, 1.0),
        );
        let programs: Programs = Arc::new(Mutex::new(vec![(0, Arc::clone(&program))]));
        let stop_preparer = Arc::new(AtomicBool::new(false));
        let kick_preparer = Arc::new(AtomicBool::new(false));
        // status starts at the start frame so the preparer looks ahead from there
        status_prime(&status, start);
        let preparer = prepare::spawn(
            Arc::clone(&programs),
            Arc::clone(&status),
            prep_tx,
            disp_rx,
            Arc::clone(&stop_preparer),
            Arc::clone(&kick_preparer),
        );
        let backend = match Backend::start(
            &config.output,
            core,
            sr,
            config.block_size,
            Arc::clone(&status),
        ) {
            Ok(b) => b,
            Err(e) => {
                stop_preparer.store(true, Ordering::Relaxed);
                preparer.thread().unpark();
                let _ = preparer.join();
                return Err(e);
            }
        };
        Ok(Player {
            commands,
            status,
            programs,
            program,
            levels,
            generation: 0,
            block_size: config.block_size,
            backend: Some(backend),
            preparer: Some(preparer),
            stop_preparer,
            kick_preparer,
        })
    }

    /// Wakes the preparer after a command that changes the generation (never called from the
    /// audio thread).
    fn kick(&self) {
        self.kick_preparer.store(true, Ordering::Release);
        if let Some(p) = &self.preparer {
            p.thread().unpark();
        }
    }

    fn send(&mut self, cmd: Command) -> Result<(), PlayerError> {
        self.commands.push(cmd).map_err(|_| PlayerError::QueueFull)
    }

    pub fn program(&self) -> &Arc<Program> {
        &self.program
    }

    pub fn status(&self) -> Snapshot {
        self.status.snapshot()
    }

    pub fn pause(&mut self) -> Result<(), PlayerError> {
        self.send(Command::Pause)
    }

    pub fn resume(&mut self) -> Result<(), PlayerError> {
        self.send(Command::Resume)
    }

    pub fn set_gain(&mut self, gain: f64) -> Result<(), PlayerError> {
        if !(gain.is_finite() && (0.0..=1.0).contains(&gain)) {
            return Err(PlayerError::Option(format!(
                "gain: expected a number from 0 to 1, got {gain}"
            )));
        }
        self.send(Command::SetGain(gain))
    }

    /// Jumps to timeline frame `frame` (clamped to the end) with a 10 ms fade out and in.
    pub fn seek(&mut self, frame: u64) -> Result<(), PlayerError> {
        let frame = frame.min(self.program.total_frames());
        self.generation += 1;
        let g = self.generation;
        self.register(g, Arc::clone(&self.program));
        let steps = self.program.instantiate_around(
            frame,
            frames(HANDOVER_S, self.program.sample_rate()),
            g,
        );
        let noise = self.program.noise_at(frame);
        let sent = self.send(Command::Seek {
            frame,
            steps,
            noise,
            generation: g,
        });
        self.kick();
        sent
    }

    /// Replaces the program while playing: the new one is positioned a little ahead of the
    /// audio thread and crossfaded in over 50 ms, so voices that continue keep their phase.
    pub fn update(&mut self, program: Arc<Program>, levels: Levels) -> Result<(), PlayerError> {
        if program.sample_rate() != self.program.sample_rate() {
            return Err(PlayerError::Option(
                "update: the new track must play at the stream's sample rate".into(),
            ));
        }
        let snap = self.status.snapshot();
        let sr = program.sample_rate() as f64;
        let ahead = if snap.state == State::Playing {
            4 * self.block_size as u64 + frames(UPDATE_SLACK_S, program.sample_rate())
        } else {
            0
        };
        let at = (snap.position + ahead).min(program.total_frames());
        let _ = sr;
        self.generation += 1;
        let g = self.generation;
        self.register(g, Arc::clone(&program));
        let steps = program.instantiate_around(at, frames(HANDOVER_S, program.sample_rate()), g);
        let renderer = Box::new(Renderer::real_time(
            Arc::clone(&program),
            levels.clone(),
            at,
            steps,
            g,
        ));
        self.program = program;
        self.levels = levels;
        let sent = self.send(Command::Update {
            renderer,
            generation: g,
        });
        self.kick();
        sent
    }

    fn register(&self, generation: u64, program: Arc<Program>) {
        let mut list = self.programs.lock().unwrap_or_else(|p| p.into_inner());
        list.push((generation, program));
        // keep the list short: programs of generations the audio thread has passed can go
        let current = self.status.generation();
        let newest_old = list
            .iter()
            .filter(|(g, _)| *g <= current)
            .map(|(g, _)| *g)
            .max()
            .unwrap_or(0);
        list.retain(|(g, _)| *g >= newest_old);
    }

    /// Manual output only: renders into `out` (interleaved stereo) through the audio callback
    /// path, exactly as a device callback would. Used by tests.
    pub fn pull_into(&self, out: &mut [f32]) -> Result<(), PlayerError> {
        match &self.backend {
            Some(Backend::Manual(core)) => {
                core.lock().unwrap_or_else(|p| p.into_inner()).process(out);
                Ok(())
            }
            _ => Err(PlayerError::Option(
                "pull: only a stream with output=\"manual\" can be pulled".into(),
            )),
        }
    }

    /// Manual output only: renders `frames` frames through the audio callback path.
    pub fn pull(&self, frames: usize) -> Result<Vec<f32>, PlayerError> {
        match &self.backend {
            Some(Backend::Manual(core)) => {
                let mut out = vec![0.0f32; 2 * frames];
                core.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .process(&mut out);
                Ok(out)
            }
            _ => Err(PlayerError::Option(
                "pull: only a stream with output=\"manual\" can be pulled".into(),
            )),
        }
    }

    /// Sends the stop command (a 10 ms fade-out, then silence) without tearing the stream down.
    pub fn request_stop(&mut self) -> Result<(), PlayerError> {
        self.send(Command::Stop)
    }

    /// Fades out (10 ms), stops the output and joins every thread.
    pub fn stop(&mut self) -> Result<(), PlayerError> {
        let Some(backend) = self.backend.take() else {
            return Ok(());
        };
        let manual = matches!(backend, Backend::Manual(_));
        if !manual && self.send(Command::Stop).is_ok() {
            let deadline = Instant::now() + Duration::from_millis(500);
            while !matches!(
                self.status.state(),
                State::Stopped | State::Finished | State::Paused
            ) && Instant::now() < deadline
            {
                std::thread::sleep(Duration::from_millis(2));
            }
        }
        let result = backend.finish();
        self.stop_preparer.store(true, Ordering::Relaxed);
        if let Some(p) = self.preparer.take() {
            p.thread().unpark();
            let _ = p.join();
        }
        self.status_stopped();
        result
    }

    fn status_stopped(&self) {
        if !matches!(self.status.state(), State::Finished) {
            self.status.set_state(State::Stopped);
        }
    }

    pub fn is_running(&self) -> bool {
        self.backend.is_some()
    }
}

fn status_prime(status: &Status, start: u64) {
    status.publish_block(start, State::Playing, 0, 0.0, 1.0, 0, 0);
}

impl Drop for Player {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

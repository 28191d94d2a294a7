//! The audio-thread side of a stream: serves commands, renders blocks, applies the control
//! ramps of `render.md` §12.2 and publishes status. It never locks, allocates, frees, logs,
//! does I/O or waits: everything it receives was built elsewhere, and everything it lets go
//! of goes back on the disposal queue.

use std::sync::Arc;
use std::time::Instant;

use rtrb::{Consumer, Producer};

use entrainer_engine::noise::BackgroundNoise;
use entrainer_engine::renderer::StepInstance;
use entrainer_engine::voices::{Buf, CHUNK, ZERO_BUF};
use entrainer_engine::{frames, Renderer};

use crate::commands::{Command, Disposal};
use crate::status::{State, Status};

/// A linear ramp: over R frames frame j gets v0 + (v1 − v0)·(j + 1)/R, then v1.
#[derive(Debug, Clone, Copy)]
struct Ramp {
    value: f64,
    from: f64,
    target: f64,
    len: u32,
    done: u32,
}

impl Ramp {
    fn at(value: f64) -> Ramp {
        Ramp {
            value,
            from: value,
            target: value,
            len: 0,
            done: 0,
        }
    }

    fn start(&mut self, target: f64, len: u32) {
        self.from = self.value;
        self.target = target;
        self.len = len.max(1);
        self.done = 0;
    }

    fn active(&self) -> bool {
        self.done < self.len
    }

    fn remaining(&self) -> u32 {
        self.len - self.done
    }

    #[inline]
    fn next(&mut self) -> f64 {
        if self.done < self.len {
            self.done += 1;
            self.value = if self.done == self.len {
                self.target
            } else {
                self.from + (self.target - self.from) * self.done as f64 / self.len as f64
            };
        }
        self.value
    }
}

/// Hands an object back for dropping elsewhere. A full queue leaks it rather than freeing it
/// on the audio thread (the queue holds 128 items and is emptied every 5 ms).
fn push_disposal(q: &mut Producer<Disposal>, d: Disposal) {
    if let Err(rtrb::PushError::Full(d)) = q.push(d) {
        std::mem::forget(d);
    }
}

/// What happens when the control fade-out reaches 0.
// Held by value in the callback's state for the same reason as `Command` (no freeing there).
#[allow(clippy::large_enum_variant)]
enum Pending {
    None,
    Pause,
    Seek {
        frame: u64,
        steps: Vec<StepInstance>,
        noise: Option<BackgroundNoise>,
        generation: u64,
    },
    Stop,
}

/// Control-ramp lengths in frames at one sample rate.
#[derive(Debug, Clone, Copy)]
struct Ramps {
    pause: u32,
    seek: u32,
    gain: u32,
    stop: u32,
    update: u32,
}

/// The callback-side state of one stream.
pub struct Core {
    renderer: Box<Renderer>,
    /// An update waiting for its frame, then crossfading in.
    incoming: Option<(Box<Renderer>, u64)>,
    xfade: u32,
    commands: Consumer<Command>,
    prepared: Consumer<StepInstance>,
    disposal: Producer<Disposal>,
    status: Arc<Status>,
    state: State,
    ctl: Ramp,
    master: Ramp,
    pending: Pending,
    ramps: Ramps,
    sample_rate: u32,
    total: u64,
    /// Missing-step frames of renderers replaced by updates.
    missing_before: u64,
    scratch: Box<[Buf; 4]>,
}

impl Core {
    pub(crate) fn new(
        renderer: Box<Renderer>,
        commands: Consumer<Command>,
        prepared: Consumer<StepInstance>,
        disposal: Producer<Disposal>,
        status: Arc<Status>,
        gain: f64,
    ) -> Core {
        let sr = renderer.program().sample_rate();
        let ms = |s: f64| frames(s, sr) as u32;
        let total = renderer.program().total_frames();
        // A stream that starts after frame 0 fades in over 10 ms; at 0 the track's own fades apply.
        let ctl = if renderer.position() > 0 {
            let mut r = Ramp::at(0.0);
            r.start(1.0, ms(0.010));
            r
        } else {
            Ramp::at(1.0)
        };
        status.set_state(State::Playing);
        Core {
            renderer,
            incoming: None,
            xfade: 0,
            commands,
            prepared,
            disposal,
            status,
            state: State::Playing,
            ctl,
            master: Ramp::at(gain),
            pending: Pending::None,
            ramps: Ramps {
                pause: ms(0.020),
                seek: ms(0.010),
                gain: ms(0.020),
                stop: ms(0.010),
                update: ms(0.050),
            },
            sample_rate: sr,
            total,
            missing_before: 0,
            scratch: Box::new([ZERO_BUF; 4]),
        }
    }

    fn dispose(&mut self, d: Disposal) {
        push_disposal(&mut self.disposal, d);
    }

    fn serve_commands(&mut self) {
        while let Ok(cmd) = self.commands.pop() {
            match cmd {
                Command::Pause => {
                    if self.state == State::Playing && !matches!(self.pending, Pending::Stop) {
                        self.ctl.start(0.0, self.ramps.pause);
                        self.pending = Pending::Pause;
                    }
                }
                Command::Resume => {
                    if self.state == State::Paused || matches!(self.pending, Pending::Pause) {
                        self.state = State::Playing;
                        self.pending = Pending::None;
                        self.ctl.start(1.0, self.ramps.pause);
                    }
                }
                Command::Seek {
                    frame,
                    steps,
                    noise,
                    generation,
                } => {
                    if self.state == State::Playing {
                        if let Pending::Seek {
                            steps: old,
                            noise: old_noise,
                            ..
                        } = std::mem::replace(
                            &mut self.pending,
                            Pending::Seek {
                                frame,
                                steps,
                                noise,
                                generation,
                            },
                        ) {
                            self.dispose(Disposal::Steps(old));
                            if let Some(n) = old_noise {
                                self.dispose(Disposal::Noise(n));
                            }
                        }
                        self.ctl.start(0.0, self.ramps.seek);
                    } else {
                        // Paused or finished: jump at once, silently.
                        self.apply_seek(frame, steps, noise, generation);
                        if self.state == State::Finished {
                            self.state = State::Paused;
                        }
                    }
                }
                Command::SetGain(g) => self.master.start(g.clamp(0.0, 1.0), self.ramps.gain),
                Command::Stop => {
                    if self.state == State::Playing {
                        self.ctl.start(0.0, self.ramps.stop);
                        self.pending = Pending::Stop;
                    } else {
                        self.state = State::Stopped;
                    }
                }
                Command::Update {
                    renderer,
                    generation: _,
                } => {
                    let at = renderer.position();
                    if let Some((old, _)) = self.incoming.replace((renderer, at)) {
                        self.dispose(Disposal::Renderer(old));
                    }
                    self.xfade = 0;
                }
            }
        }
    }

    fn apply_seek(
        &mut self,
        frame: u64,
        mut steps: Vec<StepInstance>,
        noise: Option<BackgroundNoise>,
        generation: u64,
    ) {
        self.renderer.seek_with(frame, &mut steps, generation);
        // the emptied vector still owns its buffer: free it elsewhere
        self.dispose(Disposal::Steps(steps));
        if let Some(old) = self.renderer.swap_noise(noise) {
            self.dispose(Disposal::Noise(old));
        }
        if let Some((r, _)) = self.incoming.take() {
            self.dispose(Disposal::Renderer(r));
        }
    }

    /// Prepared steps go to the renderer of their generation (an update's incoming renderer
    /// gets its upcoming steps before it takes over).
    fn take_prepared(&mut self) {
        while let Ok(step) = self.prepared.pop() {
            match self.incoming.as_mut() {
                Some((inc, _)) if inc.generation() == step.generation => {
                    inc.insert_step(step);
                }
                _ => {
                    self.renderer.insert_step(step);
                }
            }
        }
    }

    /// The generation the preparer should work for: the incoming program's, once there is one.
    fn newest_generation(&self) -> u64 {
        self.incoming
            .as_ref()
            .map_or(self.renderer.generation(), |(inc, _)| inc.generation())
    }

    fn drain_retired(&mut self) {
        while let Some(s) = self.renderer.pop_retired() {
            self.dispose(Disposal::Step(s));
        }
        if let Some((inc, _)) = self.incoming.as_mut() {
            while let Some(s) = inc.pop_retired() {
                push_disposal(&mut self.disposal, Disposal::Step(s));
            }
        }
    }

    /// Renders `out.len() / 2` interleaved stereo frames.
    pub fn process(&mut self, out: &mut [f32]) {
        let started = Instant::now();
        self.serve_commands();
        self.take_prepared();
        let frames_total = out.len() / 2;
        let mut peak = 0.0f32;
        let mut done = 0;
        while done < frames_total {
            let mut n = (frames_total - done).min(CHUNK);
            if self.ctl.active() {
                n = n.min(self.ctl.remaining() as usize);
            }
            let chunk = &mut out[2 * done..2 * (done + n)];
            self.render_chunk(chunk, &mut peak);
            done += n;
            if !self.ctl.active() {
                self.finish_pending();
            }
        }
        self.drain_retired();
        let r = &self.renderer;
        let missing = self.missing_before
            + r.missing_frames()
            + self
                .incoming
                .as_ref()
                .map_or(0, |(inc, _)| inc.missing_frames());
        self.status.publish_block(
            r.position(),
            self.state,
            frames_total as u64,
            peak,
            self.master.value as f32,
            missing,
            self.newest_generation(),
        );
        let period = frames_total as f64 / self.sample_rate as f64;
        if period > 0.0 {
            let load = started.elapsed().as_secs_f64() / period;
            self.status.publish_load(load as f32);
            if load > 1.0 {
                self.status.add_underrun();
            }
        }
    }

    fn finish_pending(&mut self) {
        match std::mem::replace(&mut self.pending, Pending::None) {
            Pending::None => {}
            Pending::Pause => self.state = State::Paused,
            Pending::Stop => self.state = State::Stopped,
            Pending::Seek {
                frame,
                steps,
                noise,
                generation,
            } => {
                self.apply_seek(frame, steps, noise, generation);
                self.ctl.start(1.0, self.ramps.seek);
            }
        }
    }

    fn render_chunk(&mut self, out: &mut [f32], peak: &mut f32) {
        let n = out.len() / 2;
        if self.state != State::Playing {
            out.fill(0.0);
            return;
        }
        let [l, r, l2, r2] = &mut *self.scratch;
        let (l, r) = (&mut l[..n], &mut r[..n]);
        let pos = self.renderer.position();
        let live = ((self.total.saturating_sub(pos)) as usize).min(n);
        if live > 0 {
            self.renderer.render(&mut l[..live], &mut r[..live]);
        }
        l[live..].fill(0.0);
        r[live..].fill(0.0);
        // A pending update starts its crossfade exactly at its own frame.
        if let Some((inc, at)) = self.incoming.as_mut() {
            if *at <= pos + n as u64 && *at >= pos {
                let off = (*at - pos) as usize;
                let m = n - off;
                let (il, ir) = (&mut l2[..m], &mut r2[..m]);
                let live_in = ((self.total.saturating_sub(*at)) as usize).min(m);
                inc.render(&mut il[..live_in], &mut ir[..live_in]);
                il[live_in..].fill(0.0);
                ir[live_in..].fill(0.0);
                let len = self.ramps.update.max(1);
                for k in 0..m {
                    let w = ((self.xfade + 1).min(len) as f64) / len as f64;
                    l[off + k] = (1.0 - w) * l[off + k] + w * il[k];
                    r[off + k] = (1.0 - w) * r[off + k] + w * ir[k];
                    self.xfade = (self.xfade + 1).min(len);
                }
                *at += m as u64;
                if self.xfade >= len {
                    // The new program takes over; the old one goes back for disposal.
                    let (new, _) = self.incoming.take().expect("incoming");
                    let old = std::mem::replace(&mut self.renderer, new);
                    self.missing_before += old.missing_frames();
                    push_disposal(&mut self.disposal, Disposal::Renderer(old));
                    self.total = self.renderer.program().total_frames();
                }
            } else if *at < pos {
                // Served too late to align: jump to the new program with a seek-like fade.
                let (new, _) = self.incoming.take().expect("incoming");
                let old = std::mem::replace(&mut self.renderer, new);
                self.missing_before += old.missing_frames();
                push_disposal(&mut self.disposal, Disposal::Renderer(old));
                self.total = self.renderer.program().total_frames();
                self.ctl = Ramp::at(0.0);
                self.ctl.start(1.0, self.ramps.seek);
            }
        }
        if !self.master.active() && !self.ctl.active() {
            // Steady gain (no ramp running): the same products, in a loop that vectorises.
            let g = self.master.value * self.ctl.value;
            let mut pk = *peak;
            for k in 0..n {
                let (a, b) = ((l[k] * g) as f32, (r[k] * g) as f32);
                out[2 * k] = a;
                out[2 * k + 1] = b;
                pk = pk.max(a.abs()).max(b.abs());
            }
            *peak = pk;
        } else {
            for k in 0..n {
                let g = self.master.next() * self.ctl.next();
                let (a, b) = ((l[k] * g) as f32, (r[k] * g) as f32);
                out[2 * k] = a;
                out[2 * k + 1] = b;
                *peak = peak.max(a.abs()).max(b.abs());
            }
        }
        if pos + n as u64 >= self.total
            && self.renderer.position() >= self.total
            && self.incoming.is_none()
        {
            self.state = State::Finished;
        }
    }
}

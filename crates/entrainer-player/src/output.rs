//! Where a stream's audio goes: the sound device (cpal), `null` (discarded, paced by a clock),
//! `wav:PATH` (captured to a file, paced like a device), or `manual` (pulled by the caller,
//! for tests). The paced outputs render on their own thread and hand samples to a writer
//! thread through a ring buffer, so the rendering thread does no I/O either.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};

use crate::core::Core;
use crate::status::Status;
use crate::PlayerError;

/// Output selection, as parsed from `ENTRAINER_OUTPUT` / the `output` argument.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// The system device: `None` for the default one, else a device whose name contains this.
    Device(Option<String>),
    Null,
    Wav(PathBuf),
    Manual,
}

impl Output {
    /// `"default"`, `"device:NAME"`, `"null"`, `"wav:PATH"`, `"manual"`.
    pub fn parse(spec: &str) -> Result<Output, PlayerError> {
        let s = spec.trim();
        Ok(match s {
            "" | "default" | "device" => Output::Device(None),
            "null" => Output::Null,
            "manual" => Output::Manual,
            _ if s.starts_with("wav:") && s.len() > 4 => Output::Wav(PathBuf::from(&s[4..])),
            _ if s.starts_with("device:") && s.len() > 7 => Output::Device(Some(s[7..].to_string())),
            _ => {
                return Err(PlayerError::Output(format!(
                    "output: expected \"default\", \"device:NAME\", \"null\", \"wav:PATH\" or \"manual\", got \"{spec}\""
                )))
            }
        })
    }
}

/// Names of the output devices of the default host.
pub fn device_names() -> Vec<String> {
    let host = cpal::default_host();
    match host.output_devices() {
        Ok(devs) => devs.filter_map(|d| d.name().ok()).collect(),
        Err(_) => Vec::new(),
    }
}

/// Asks the OS to schedule the calling thread as a real-time audio thread (SCHED_FIFO), as
/// audio servers do, so other busy processes cannot starve it. Called once, when the thread
/// starts serving audio; refused (no privilege) means ordinary scheduling, silently. Also sets
/// up the engine's per-thread caches, so that no later callback allocates.
pub fn promote_current_thread() -> bool {
    entrainer_engine::cache::touch_thread_caches();
    #[cfg(target_os = "linux")]
    unsafe {
        let param = libc::sched_param { sched_priority: 20 };
        libc::pthread_setschedparam(libc::pthread_self(), libc::SCHED_FIFO, &param) == 0
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

/// A running output.
pub enum Backend {
    Device(cpal::Stream),
    Paced {
        thread: JoinHandle<()>,
        writer: Option<JoinHandle<Result<(), String>>>,
        stop: Arc<AtomicBool>,
    },
    Manual(Arc<Mutex<Core>>),
}

// cpal::Stream is not Send on every platform; the Player keeps it on the thread that made it
// and only drops it there (Python objects stay on their creating thread under the GIL).
unsafe impl Send for Backend {}

impl Backend {
    pub fn start(
        output: &Output,
        core: Core,
        sample_rate: u32,
        block: usize,
        status: Arc<Status>,
    ) -> Result<Backend, PlayerError> {
        match output {
            Output::Manual => Ok(Backend::Manual(Arc::new(Mutex::new(core)))),
            Output::Null => Ok(paced(core, sample_rate, block, status, None)?),
            Output::Wav(path) => Ok(paced(core, sample_rate, block, status, Some(path.clone()))?),
            Output::Device(name) => device(core, sample_rate, block, status, name.as_deref()),
        }
    }

    /// Stops threads and closes files; returns the writer's error, if any.
    pub fn finish(self) -> Result<(), PlayerError> {
        match self {
            Backend::Device(stream) => {
                let _ = stream.pause();
                drop(stream);
                Ok(())
            }
            Backend::Paced {
                thread,
                writer,
                stop,
            } => {
                stop.store(true, Ordering::Relaxed);
                let _ = thread.join();
                if let Some(w) = writer {
                    match w.join() {
                        Ok(Ok(())) => Ok(()),
                        Ok(Err(e)) => Err(PlayerError::Output(e)),
                        Err(_) => Err(PlayerError::Output("the WAV writer thread panicked".into())),
                    }
                } else {
                    Ok(())
                }
            }
            Backend::Manual(_) => Ok(()),
        }
    }
}

fn paced(
    mut core: Core,
    sample_rate: u32,
    block: usize,
    status: Arc<Status>,
    wav: Option<PathBuf>,
) -> Result<Backend, PlayerError> {
    let stop = Arc::new(AtomicBool::new(false));
    // About two seconds of samples between the render thread and the writer.
    let (mut tx, mut rx) =
        rtrb::RingBuffer::<f32>::new((2 * sample_rate as usize * 2).max(4 * block));
    let writer = match wav {
        None => None,
        Some(path) => {
            let spec = hound::WavSpec {
                channels: 2,
                sample_rate,
                bits_per_sample: 32,
                sample_format: hound::SampleFormat::Float,
            };
            let mut w = hound::WavWriter::create(&path, spec).map_err(|e| {
                PlayerError::Output(format!("output: cannot write \"{}\": {e}", path.display()))
            })?;
            let stop_w = Arc::clone(&stop);
            Some(
                std::thread::Builder::new()
                    .name("entrainer-wav".into())
                    .spawn(move || -> Result<(), String> {
                        loop {
                            let n = rx.slots();
                            if n == 0 {
                                if stop_w.load(Ordering::Relaxed) && rx.is_abandoned() {
                                    break;
                                }
                                std::thread::sleep(Duration::from_millis(5));
                                continue;
                            }
                            let chunk = rx.read_chunk(n).map_err(|e| e.to_string())?;
                            let (a, b) = chunk.as_slices();
                            for &x in a.iter().chain(b.iter()) {
                                w.write_sample(x).map_err(|e| e.to_string())?;
                            }
                            chunk.commit_all();
                        }
                        w.finalize().map_err(|e| e.to_string())
                    })
                    .expect("spawn the WAV writer"),
            )
        }
    };
    let stop_r = Arc::clone(&stop);
    let capture = writer.is_some();
    let thread = std::thread::Builder::new()
        .name("entrainer-paced".into())
        .spawn(move || {
            promote_current_thread();
            let mut buf = vec![0.0f32; 2 * block];
            let period = Duration::from_secs_f64(block as f64 / sample_rate as f64);
            let mut deadline = Instant::now();
            while !stop_r.load(Ordering::Relaxed) {
                core.process(&mut buf);
                if capture {
                    if let Ok(chunk) = tx.write_chunk_uninit(buf.len()) {
                        let n = chunk.fill_from_iter(buf.iter().copied());
                        let _ = n;
                    } else {
                        status.add_underrun(); // the writer fell behind: samples lost
                    }
                }
                deadline += period;
                let now = Instant::now();
                if now > deadline + period {
                    status.add_underrun();
                    deadline = now;
                } else if deadline > now {
                    std::thread::sleep(deadline - now);
                }
            }
            drop(tx);
        })
        .expect("spawn the paced output thread");
    Ok(Backend::Paced {
        thread,
        writer,
        stop,
    })
}

fn device(
    mut core: Core,
    sample_rate: u32,
    block: usize,
    status: Arc<Status>,
    name: Option<&str>,
) -> Result<Backend, PlayerError> {
    let host = cpal::default_host();
    let dev = match name {
        None => host.default_output_device(),
        Some(n) => host
            .output_devices()
            .ok()
            .and_then(|mut it| it.find(|d| d.name().map(|x| x.contains(n)).unwrap_or(false))),
    };
    let Some(dev) = dev else {
        let names = device_names();
        let what = name.map_or("no default sound output device".to_string(), |n| {
            format!("no output device named \"{n}\"")
        });
        return Err(PlayerError::NoDevice(format!(
            "{what} (devices: {}); use output=\"null\" or \"wav:PATH\", or set ENTRAINER_OUTPUT",
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        )));
    };
    let dev_name = dev.name().unwrap_or_default();
    // The device keeps its own buffer size unless ENTRAINER_DEVICE_FIXED_BLOCK=1 asks for
    // callbacks of exactly `block` frames. The engine renders in blocks of at most 256 frames
    // whatever the callback size; a sound server's own period (PulseAudio's ALSA plugin asks
    // for a few tens of ms) rides out scheduling hiccups that a 256-frame device buffer cannot.
    let fixed = std::env::var("ENTRAINER_DEVICE_FIXED_BLOCK").is_ok_and(|v| v == "1");
    let buffer_size = match dev.default_output_config().map(|c| *c.buffer_size()) {
        Ok(cpal::SupportedBufferSize::Range { min, max })
            if fixed && (min..=max).contains(&(block as u32)) =>
        {
            cpal::BufferSize::Fixed(block as u32)
        }
        _ => cpal::BufferSize::Default,
    };
    let config = cpal::StreamConfig {
        channels: 2,
        sample_rate: cpal::SampleRate(sample_rate),
        buffer_size,
    };
    let err_status = Arc::clone(&status);
    let mut promoted = false;
    let stream = dev
        .build_output_stream(
            &config,
            move |data: &mut [f32], _: &cpal::OutputCallbackInfo| {
                if !promoted {
                    // one system call on the first callback, before any deadline matters
                    promoted = true;
                    promote_current_thread();
                }
                core.process(data)
            },
            move |_e: cpal::StreamError| err_status.add_underrun(),
            None,
        )
        .map_err(|e| {
            PlayerError::Output(format!(
                "cannot open \"{dev_name}\" at {sample_rate} Hz, stereo: {e}"
            ))
        })?;
    stream
        .play()
        .map_err(|e| PlayerError::Output(format!("cannot start \"{dev_name}\": {e}")))?;
    Ok(Backend::Device(stream))
}

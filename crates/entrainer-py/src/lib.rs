//! The Python binding `entrainer._engine`: converts types, releases the GIL, maps errors and
//! returns NumPy arrays. It holds no DSP: anything that computes samples lives in the engine.

use std::sync::{Arc, Mutex, MutexGuard};

use numpy::ndarray::Array2;
use numpy::{
    IntoPyArray, PyArray2, PyReadonlyArray1, PyReadonlyArray2, PyReadonlyArray3,
    PyUntypedArrayMethods,
};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyKeyboardInterrupt, PyValueError};
use pyo3::prelude::*;

use entrainer_engine::clips::ClipAudio;
use entrainer_engine::hrtf::HrirSet;
use entrainer_engine::levels;
use entrainer_engine::plan::VoicePlan;
use entrainer_engine::quantise::Quantiser;
use entrainer_engine::ramp::Ramp;
use entrainer_engine::timeline::Timeline;
use entrainer_engine::voices::{voice_seed, Placement, Resources, VoiceSpec, CHUNK};
use entrainer_engine::{EngineError, Levels, Plan, Program, RenderOptions, Renderer};
use entrainer_player::{Output, Player, PlayerConfig, PlayerError};

create_exception!(
    _engine,
    EntrainerError,
    PyException,
    "Base class of every error Entrainer raises."
);
mod exc {
    use super::*;
    create_exception!(
        _engine,
        EngineError,
        EntrainerError,
        "The engine rejected a plan or an option."
    );
}
use exc::EngineError as PyEngineError;

fn to_py(e: EngineError) -> PyErr {
    match e {
        EngineError::Cancelled => PyKeyboardInterrupt::new_err("render cancelled"),
        other => PyEngineError::new_err(other.to_string()),
    }
}

/// The one place that releases the GIL around a long engine call. The closure gets a progress
/// function; it calls `progress(done, total)` on the Python side now and then, and turns
/// Ctrl-C (or an exception in the callback) into a clean cancellation.
fn released<T: Send>(
    py: Python<'_>,
    progress: Option<&Py<PyAny>>,
    f: impl FnOnce(&mut dyn FnMut(u64, u64) -> bool) -> Result<T, EngineError> + Send,
) -> PyResult<T> {
    let mut pending: Option<PyErr> = None;
    let result = py.detach(|| {
        let mut report = |done: u64, total: u64| -> bool {
            Python::attach(|py| {
                if let Err(e) = py.check_signals() {
                    pending = Some(e);
                    return false;
                }
                if let Some(cb) = progress {
                    if let Err(e) = cb.call1(py, (done, total)) {
                        pending = Some(e);
                        return false;
                    }
                }
                true
            })
        };
        f(&mut report)
    });
    // An exception or Ctrl-C seen by any progress report wins, even if the work completed.
    match (result, pending) {
        (_, Some(e)) => Err(e),
        (Ok(v), None) => Ok(v),
        (Err(e), None) => Err(to_py(e)),
    }
}

/// The HRTF tables from Python (`entrainer.hrtf.engine_tables`): responses (72, 2, taps) and
/// the level table (1024,), both float64, at the render's sample rate.
type HrtfArg<'py> = Option<(PyReadonlyArray3<'py, f64>, PyReadonlyArray1<'py, f64>)>;

fn resources(hrtf: HrtfArg<'_>, sample_rate: u32) -> PyResult<Resources> {
    let Some((irs, level)) = hrtf else {
        return Ok(Resources::default());
    };
    let shape = irs.shape().to_vec();
    let irs = irs
        .as_slice()
        .map_err(|_| PyEngineError::new_err("hrtf: expected C-contiguous responses"))?;
    let level = level
        .as_slice()
        .map_err(|_| PyEngineError::new_err("hrtf: expected a C-contiguous level table"))?;
    let set = HrirSet::new(sample_rate, shape[2], irs, level).map_err(to_py)?;
    Ok(Resources {
        hrtf: Some(Arc::new(set)),
    })
}

/// Frames a renderer renders at once inside one call, whatever the caller's block size (the
/// samples do not depend on it): the mix, the final gain and the conversion to the output
/// format then work in the CPU's cache instead of streaming megabytes through memory.
const PIECE: usize = 4096;

/// Renders the next `frames` frames piece by piece, handing each piece (its first frame, and
/// the channels after the final gain) to `sink`.
fn render_pieces(
    renderer: &mut Renderer,
    frames: usize,
    mut sink: impl FnMut(u64, &[f64], &[f64]),
) {
    let mut l = vec![0.0; PIECE.min(frames)];
    let mut r = vec![0.0; PIECE.min(frames)];
    let mut done = 0;
    while done < frames {
        let n = (frames - done).min(PIECE);
        let n0 = renderer.position();
        renderer.render(&mut l[..n], &mut r[..n]);
        sink(n0, &l[..n], &r[..n]);
        done += n;
    }
}

/// Appends the frames of `l`, `r` to `out`, interleaved, as float32 (written once: no
/// zeroing pass first).
fn push_interleaved(out: &mut Vec<f32>, l: &[f64], r: &[f64]) {
    let n = 2 * l.len().min(r.len());
    out.reserve(n);
    let spare = &mut out.spare_capacity_mut()[..n];
    for (o, (&a, &b)) in spare.chunks_exact_mut(2).zip(l.iter().zip(r)) {
        o[0].write(a as f32);
        o[1].write(b as f32);
    }
    // SAFETY: the loop initialised the n values after the old length (n/2 frames of two).
    unsafe { out.set_len(out.len() + n) };
}

/// Renders a prepared track block by block (`render.md`). Create one per render.
#[pyclass(name = "Renderer", module = "entrainer._engine")]
struct PyRenderer {
    inner: Mutex<Renderer>,
    clipped: Mutex<u64>,
    /// Voice blocks the last analysis rendered, and in all.
    scan_stats: Mutex<(u64, u64)>,
}

impl PyRenderer {
    fn lock(&self) -> MutexGuard<'_, Renderer> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[pymethods]
impl PyRenderer {
    /// `clips`: one float32 array of shape (frames, channels) per plan clip, at `sample_rate`.
    /// `voice_audio`: the mono float32 buffers that voices list in `params.audio_buffers`.
    #[new]
    #[pyo3(signature = (plan_json, sample_rate, seed=0, step_ceiling=Some(1.0), target_level=Some(0.25), clips=None, voice_audio=None, hrtf=None))]
    #[allow(clippy::too_many_arguments)] // keyword arguments of the Python constructor
    fn new(
        py: Python<'_>,
        plan_json: &str,
        sample_rate: u32,
        seed: u64,
        step_ceiling: Option<f64>,
        target_level: Option<f64>,
        clips: Option<Vec<PyReadonlyArray2<'_, f32>>>,
        voice_audio: Option<Vec<PyReadonlyArray1<'_, f32>>>,
        hrtf: HrtfArg<'_>,
    ) -> PyResult<Self> {
        let options = RenderOptions {
            sample_rate,
            seed,
            step_ceiling,
            target_level,
        };
        let program = program_from(py, plan_json, options, clips, voice_audio, hrtf)?;
        let n = program.steps.len();
        Ok(PyRenderer {
            inner: Mutex::new(Renderer::new(program, Levels::unity(n))),
            clipped: Mutex::new(0),
            scan_stats: Mutex::new((0, 0)),
        })
    }

    #[getter]
    fn sample_rate(&self) -> u32 {
        self.lock().program().sample_rate()
    }

    /// Length of the timeline L in frames.
    #[getter]
    fn total_frames(&self) -> u64 {
        self.lock().program().total_frames()
    }

    #[getter]
    fn step_starts(&self) -> Vec<u64> {
        self.lock().program().timeline.starts.clone()
    }

    #[getter]
    fn step_lengths(&self) -> Vec<u64> {
        self.lock().program().timeline.lengths.clone()
    }

    #[getter]
    fn crossfades(&self) -> Vec<u64> {
        self.lock().program().timeline.crossfades.clone()
    }

    /// (step index in the file, voice index, continues from the previous step) per playable step.
    #[getter]
    fn continuations(&self) -> Vec<Vec<(usize, bool, bool)>> {
        let r = self.lock();
        r.program()
            .steps
            .iter()
            .map(|s| {
                s.voices
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (i, v.continues_in, v.continues_out))
                    .collect()
            })
            .collect()
    }

    #[getter]
    fn source_indices(&self) -> Vec<usize> {
        self.lock()
            .program()
            .steps
            .iter()
            .map(|s| s.source_index)
            .collect()
    }

    /// (step gains, final gain) in use.
    #[getter]
    fn levels(&self) -> (Vec<f64>, f64) {
        let r = self.lock();
        (r.levels().step_gains.clone(), r.levels().final_gain)
    }

    fn set_levels(&self, step_gains: Vec<f64>, final_gain: f64) -> PyResult<()> {
        self.lock()
            .set_levels(Levels {
                step_gains,
                final_gain,
            })
            .map_err(to_py)
    }

    /// Analyses the whole track: returns (step gains, final gain, step peaks, peak) and uses them.
    /// `scan="full"` renders every voice everywhere (the default "bounded" scan skips voices
    /// that cannot reach a step's peak, with the same result); `scan_stats` then holds
    /// (voice blocks rendered, voice blocks in all).
    #[pyo3(signature = (progress=None, scan="bounded"))]
    fn measure_levels(
        &self,
        py: Python<'_>,
        progress: Option<Py<PyAny>>,
        scan: &str,
    ) -> PyResult<(Vec<f64>, f64, Vec<f64>, f64)> {
        let mode = match scan {
            "bounded" => levels::Scan::Bounded,
            "full" => levels::Scan::Full,
            other => {
                return Err(PyValueError::new_err(format!(
                    "scan: expected \"bounded\" or \"full\", got {other:?}"
                )))
            }
        };
        let program = Arc::clone(self.lock().program());
        let a = released(py, progress.as_ref(), move |report| {
            levels::measure_with(&program, mode, report)
        })?;
        *self.scan_stats.lock().unwrap_or_else(|p| p.into_inner()) =
            (a.voice_blocks[0], a.voice_blocks[1]);
        self.lock().set_levels(a.levels.clone()).map_err(to_py)?;
        Ok((
            a.levels.step_gains,
            a.levels.final_gain,
            a.step_peaks,
            a.peak,
        ))
    }

    /// (voice blocks rendered, voice blocks in all) of the last `measure_levels`.
    #[getter]
    fn scan_stats(&self) -> (u64, u64) {
        *self.scan_stats.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Peak of M(t) over [start, end) with the step gains in use (for `levels="range"`).
    #[pyo3(signature = (start, end, progress=None))]
    fn measure_range_peak(
        &self,
        py: Python<'_>,
        start: u64,
        end: u64,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<f64> {
        let (program, lv) = {
            let r = self.lock();
            (Arc::clone(r.program()), r.levels().clone())
        };
        released(py, progress.as_ref(), move |report| {
            let total = end.saturating_sub(start);
            let mut done = 0;
            levels::mix_peak(&program, &lv, start, end, &mut done, total, report)
        })
    }

    /// The provisional plan from amplitude bounds (`render.md` §10.3).
    fn provisional_levels(&self) -> (Vec<f64>, f64) {
        let l = levels::provisional(self.lock().program());
        (l.step_gains, l.final_gain)
    }

    #[getter]
    fn position(&self) -> u64 {
        self.lock().position()
    }

    fn seek(&self, frame: u64) {
        self.lock().seek(frame);
    }

    /// Renders the next `frames` frames: float32 of shape (frames, 2), after the final gain.
    fn render(&self, py: Python<'_>, frames: usize) -> PyResult<Py<PyArray2<f32>>> {
        let samples = released(py, None, |_| {
            let mut out = Vec::with_capacity(2 * frames);
            render_pieces(&mut self.lock(), frames, |_, l, r| {
                push_interleaved(&mut out, l, r)
            });
            Ok(out)
        })?;
        let a = Array2::from_shape_vec((frames, 2), samples).expect("shape");
        Ok(a.into_pyarray(py).unbind())
    }

    /// Renders and quantises (`render.md` §11): int16 for 16 bits, int32 (value << 8) for 24,
    /// with TPDF dither when `dither` (seeded from the render seed, `render.md` §13).
    /// Samples beyond full scale are clipped and counted in `clipped`.
    #[pyo3(signature = (frames, bits, dither=false))]
    fn render_pcm<'py>(
        &self,
        py: Python<'py>,
        frames: usize,
        bits: u32,
        dither: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (q, clipped) = released(py, None, |_| {
            let mut guard = self.lock();
            let quantiser = Quantiser::new(bits, dither, guard.program().options.seed)?;
            let mut q = Vec::with_capacity(2 * frames);
            let mut clipped = 0;
            render_pieces(&mut guard, frames, |n0, l, r| {
                clipped += quantiser.run(n0, l, r, &mut q)
            });
            Ok((q, clipped))
        })?;
        *self.clipped.lock().unwrap_or_else(|p| p.into_inner()) += clipped;
        if bits == 16 {
            let a = Array2::from_shape_vec((frames, 2), q.into_iter().map(|v| v as i16).collect())
                .expect("shape");
            Ok(a.into_pyarray(py).into_any())
        } else {
            let a = Array2::from_shape_vec((frames, 2), q.into_iter().map(|v| v << 8).collect())
                .expect("shape");
            Ok(a.into_pyarray(py).into_any())
        }
    }

    /// Samples clipped by `render_pcm` so far.
    #[getter]
    fn clipped(&self) -> u64 {
        *self.clipped.lock().unwrap_or_else(|p| p.into_inner())
    }
}

mod exc_player {
    use super::*;
    create_exception!(
        _engine,
        StreamError,
        EntrainerError,
        "A real-time stream could not start or be controlled."
    );
    create_exception!(
        _engine,
        NoDeviceError,
        StreamError,
        "No sound device (or none with that name)."
    );
}
use exc_player::{NoDeviceError, StreamError};

fn player_err(e: PlayerError) -> PyErr {
    match e {
        PlayerError::NoDevice(m) => NoDeviceError::new_err(m),
        other => StreamError::new_err(other.to_string()),
    }
}

/// The one way a plan becomes a program: decode the JSON, attach the voices' audio buffers and
/// the clips' audio (float32 arrays from Python), prepare everything, with the GIL released.
/// `clips`: one (frames, channels) array per plan clip; `voice_audio`: the mono buffers that
/// voices list in `params.audio_buffers`.
fn program_from(
    py: Python<'_>,
    plan_json: &str,
    options: RenderOptions,
    clips: Option<Vec<PyReadonlyArray2<'_, f32>>>,
    voice_audio: Option<Vec<PyReadonlyArray1<'_, f32>>>,
    hrtf: HrtfArg<'_>,
) -> PyResult<Arc<Program>> {
    let res = resources(hrtf, options.sample_rate)?;
    let plan_json = plan_json.to_owned();
    let audio: Vec<ClipAudio> = clips
        .unwrap_or_default()
        .iter()
        .map(|a| {
            let view = a.as_array();
            // Row-major copy: interleaved frames, whatever the array's strides.
            ClipAudio::new(view.ncols(), view.iter().copied().collect::<Vec<f32>>())
        })
        .collect();
    let buffers = mono_buffers(voice_audio);
    released(py, None, move |_| {
        let mut plan = Plan::from_json(&plan_json)?;
        plan.attach_audio(&buffers)?;
        Program::prepared(&plan, options, &res, audio)
    })
    .map(Arc::new)
}

fn levels_for(program: &Program, levels: Option<(Vec<f64>, f64)>) -> PyResult<Levels> {
    match levels {
        Some((step_gains, final_gain)) => {
            if step_gains.len() != program.steps.len() {
                return Err(PyEngineError::new_err(format!(
                    "levels: expected {} step gains, got {}",
                    program.steps.len(),
                    step_gains.len()
                )));
            }
            Ok(Levels {
                step_gains,
                final_gain,
            })
        }
        None => Ok(levels::provisional(program)),
    }
}

/// A real-time stream (`entrainer-player`): the audio thread renders blocks; this object sends
/// commands through a lock-free queue and reads status from atomics.
#[pyclass(name = "Stream", module = "entrainer._engine")]
struct PyStream {
    player: Mutex<Option<Player>>,
    options: RenderOptions,
    step_starts: Vec<u64>,
    total_frames: u64,
}

impl PyStream {
    fn with<T>(&self, f: impl FnOnce(&mut Player) -> Result<T, PlayerError>) -> PyResult<T> {
        let mut guard = self.player.lock().unwrap_or_else(|p| p.into_inner());
        match guard.as_mut() {
            Some(p) => f(p).map_err(player_err),
            None => Err(StreamError::new_err("the stream is stopped")),
        }
    }
}

#[pymethods]
impl PyStream {
    /// Starts playing `plan_json` at once. `levels=None` uses the provisional level plan.
    #[new]
    #[pyo3(signature = (plan_json, sample_rate, output, block_size=256, start_frame=0, gain=1.0, seed=0, step_ceiling=Some(1.0), target_level=Some(0.25), levels=None, clips=None, voice_audio=None, hrtf=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        plan_json: &str,
        sample_rate: u32,
        output: &str,
        block_size: usize,
        start_frame: u64,
        gain: f64,
        seed: u64,
        step_ceiling: Option<f64>,
        target_level: Option<f64>,
        levels: Option<(Vec<f64>, f64)>,
        clips: Option<Vec<PyReadonlyArray2<'_, f32>>>,
        voice_audio: Option<Vec<PyReadonlyArray1<'_, f32>>>,
        hrtf: HrtfArg<'_>,
    ) -> PyResult<Self> {
        let options = RenderOptions {
            sample_rate,
            seed,
            step_ceiling,
            target_level,
        };
        let program = program_from(py, plan_json, options, clips, voice_audio, hrtf)?;
        let lv = levels_for(&program, levels)?;
        let output = Output::parse(output).map_err(player_err)?;
        let step_starts = program.timeline.starts.clone();
        let total_frames = program.total_frames();
        let config = PlayerConfig {
            block_size,
            output,
            start_frame,
            gain,
        };
        let player = py
            .detach(move || Player::start(program, lv, config))
            .map_err(player_err)?;
        Ok(PyStream {
            player: Mutex::new(Some(player)),
            options,
            step_starts,
            total_frames,
        })
    }

    #[getter]
    fn sample_rate(&self) -> u32 {
        self.options.sample_rate
    }

    #[getter]
    fn step_starts(&self) -> Vec<u64> {
        self.step_starts.clone()
    }

    #[getter]
    fn total_frames(&self) -> u64 {
        self.total_frames
    }

    fn pause(&self) -> PyResult<()> {
        self.with(|p| p.pause())
    }

    fn resume(&self) -> PyResult<()> {
        self.with(|p| p.resume())
    }

    fn set_gain(&self, gain: f64) -> PyResult<()> {
        self.with(|p| p.set_gain(gain))
    }

    /// Jumps to a timeline frame (the steps there are prepared on this thread, GIL released).
    fn seek(&self, py: Python<'_>, frame: u64) -> PyResult<()> {
        py.detach(|| self.with(|p| p.seek(frame)))
    }

    /// Replaces the track while playing (crossfaded over 50 ms).
    #[pyo3(signature = (plan_json, levels=None, clips=None, voice_audio=None, hrtf=None))]
    fn update(
        &mut self,
        py: Python<'_>,
        plan_json: &str,
        levels: Option<(Vec<f64>, f64)>,
        clips: Option<Vec<PyReadonlyArray2<'_, f32>>>,
        voice_audio: Option<Vec<PyReadonlyArray1<'_, f32>>>,
        hrtf: HrtfArg<'_>,
    ) -> PyResult<()> {
        let program = program_from(py, plan_json, self.options, clips, voice_audio, hrtf)?;
        let lv = levels_for(&program, levels)?;
        self.step_starts = program.timeline.starts.clone();
        self.total_frames = program.total_frames();
        py.detach(|| self.with(|p| p.update(program, lv)))
    }

    /// Sends the stop command only (10 ms fade-out, then silence); `stop()` also tears down.
    fn request_stop(&self) -> PyResult<()> {
        self.with(|p| p.request_stop())
    }

    /// Fades out and stops; joins the audio and helper threads. Stopping twice is harmless.
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        let player = self.player.lock().unwrap_or_else(|p| p.into_inner()).take();
        match player {
            Some(mut p) => py.detach(move || p.stop()).map_err(player_err),
            None => Ok(()),
        }
    }

    #[getter]
    fn running(&self) -> bool {
        self.player
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .is_some_and(|p| p.is_running())
    }

    /// Status from the atomics: a dict of position (frames), state, blocks, frames, underruns,
    /// missing, peak, load, max_load, gain.
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let s = self.with(|p| Ok(p.status()))?;
        let d = pyo3::types::PyDict::new(py);
        d.set_item("position", s.position)?;
        d.set_item("state", s.state.name())?;
        d.set_item("blocks", s.blocks)?;
        d.set_item("frames", s.frames)?;
        d.set_item("underruns", s.underruns)?;
        d.set_item("missing", s.missing)?;
        d.set_item("peak", s.peak)?;
        d.set_item("load", s.load)?;
        d.set_item("max_load", s.max_load)?;
        d.set_item("gain", s.gain)?;
        Ok(d)
    }

    /// output="manual" only: renders `frames` frames through the callback path (for tests).
    fn pull(&self, py: Python<'_>, frames: usize) -> PyResult<Py<PyArray2<f32>>> {
        let data = py.detach(|| self.with(|p| p.pull(frames)))?;
        let a = Array2::from_shape_vec((frames, 2), data).expect("shape");
        Ok(a.into_pyarray(py).unbind())
    }
}

/// A plan's program at `sample_rate` with its provisional levels, for the benchmark hooks.
fn bench_program(
    py: Python<'_>,
    plan_json: &str,
    sample_rate: u32,
) -> PyResult<(Arc<Program>, Levels)> {
    let program = program_from(
        py,
        plan_json,
        RenderOptions {
            sample_rate,
            ..RenderOptions::default()
        },
        None,
        None,
        None,
    )?;
    let lv = levels::provisional(&program);
    Ok((program, lv))
}

/// Benchmark hook: durations (ns) of `blocks` rounds of audio callbacks of `block` frames,
/// one per stream per round (`streams` players `spacing` frames apart).
#[pyfunction]
#[pyo3(signature = (plan_json, sample_rate, block, blocks, start_frame=0, streams=1, spacing=0))]
#[allow(clippy::too_many_arguments)]
fn time_callbacks(
    py: Python<'_>,
    plan_json: &str,
    sample_rate: u32,
    block: usize,
    blocks: usize,
    start_frame: u64,
    streams: usize,
    spacing: u64,
) -> PyResult<Vec<u64>> {
    let (program, lv) = bench_program(py, plan_json, sample_rate)?;
    py.detach(move || {
        entrainer_player::bench::time_callbacks(
            program,
            lv,
            block,
            blocks,
            start_frame,
            streams,
            spacing,
        )
    })
    .map_err(player_err)
}

/// Benchmark hook: `streams` players served in real time from this thread (one callback each
/// per period); returns (rounds, underruns, max load, mean load) after `warmup_s`.
#[pyfunction]
#[pyo3(signature = (plan_json, sample_rate, block, streams, spacing, warmup_s, seconds))]
#[allow(clippy::too_many_arguments)]
fn serve_paced(
    py: Python<'_>,
    plan_json: &str,
    sample_rate: u32,
    block: usize,
    streams: usize,
    spacing: u64,
    warmup_s: f64,
    seconds: f64,
) -> PyResult<(u64, u64, f64, f64)> {
    let (program, lv) = bench_program(py, plan_json, sample_rate)?;
    let s = py
        .detach(move || {
            entrainer_player::bench::serve_paced(
                program, lv, block, streams, spacing, warmup_s, seconds,
            )
        })
        .map_err(player_err)?;
    Ok((s.rounds, s.underruns, s.max_load, s.mean_load))
}

/// Names of the sound devices the default host offers.
#[pyfunction]
fn output_devices(py: Python<'_>) -> Vec<String> {
    py.detach(entrainer_player::output::device_names)
}

fn mono_buffers(arrays: Option<Vec<PyReadonlyArray1<'_, f32>>>) -> Vec<Arc<[f32]>> {
    arrays
        .unwrap_or_default()
        .iter()
        .map(|a| a.as_array().iter().copied().collect::<Vec<f32>>().into())
        .collect()
}

/// Test hook: one voice's own output (before envelope and edge fades) for step-local frames
/// [start, start + count) of a step of `step_frames` frames; float64 of shape (count, 2).
/// `audio`: the mono buffers the voice lists in `params.audio_buffers`.
#[pyfunction]
#[pyo3(signature = (voice_json, sample_rate, step_frames, start, count, audio=None, hrtf=None))]
#[allow(clippy::too_many_arguments)]
fn render_voice(
    py: Python<'_>,
    voice_json: &str,
    sample_rate: u32,
    step_frames: u64,
    start: u64,
    count: usize,
    audio: Option<Vec<PyReadonlyArray1<'_, f32>>>,
    hrtf: HrtfArg<'_>,
) -> PyResult<Py<PyArray2<f64>>> {
    let mut plan: VoicePlan = serde_json::from_str(voice_json)
        .map_err(|e| PyEngineError::new_err(format!("(voice): {e}")))?;
    let buffers = mono_buffers(audio);
    let res = resources(hrtf, sample_rate)?;
    let (l, r) = released(py, None, move |_| {
        plan.attach_audio(&buffers, 0, 0)?;
        let spec = VoiceSpec::parse_with(&plan, 0, 0, &res)?;
        let seed = voice_seed(0, 0, plan.source_index, plan.seed);
        let place = Placement {
            step_frames,
            sample_rate,
            ramp: Ramp::new(plan.ramp.as_ref(), step_frames, sample_rate),
            seed,
        };
        let mut v = spec.instantiate(place, None, start);
        let mut l = vec![0.0; count];
        let mut r = vec![0.0; count];
        let mut scratch = entrainer_engine::voices::Scratch::boxed();
        for (cl, cr) in l.chunks_mut(CHUNK).zip(r.chunks_mut(CHUNK)) {
            v.render(cl, cr, &mut scratch.0);
        }
        Ok((l, r))
    })?;
    let mut a = Array2::<f64>::zeros((count, 2));
    for k in 0..count {
        a[[k, 0]] = l[k];
        a[[k, 1]] = r[k];
    }
    Ok(a.into_pyarray(py).unbind())
}

/// Places steps on the timeline: returns `(starts, crossfades, end)` in frames.
#[pyfunction]
fn timeline(lengths: Vec<u64>, requested_crossfades: Vec<u64>) -> (Vec<u64>, Vec<u64>, u64) {
    let t = Timeline::new(&lengths, &requested_crossfades);
    (t.starts, t.crossfades, t.end)
}

/// `floor(seconds·sr + 0.5)`, the only seconds-to-frames conversion.
#[pyfunction]
fn frames(seconds: f64, sample_rate: u32) -> u64 {
    entrainer_engine::frames(seconds, sample_rate)
}

#[pymodule]
fn _engine(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyRenderer>()?;
    m.add_class::<PyStream>()?;
    m.add_function(wrap_pyfunction!(output_devices, m)?)?;
    m.add_function(wrap_pyfunction!(time_callbacks, m)?)?;
    m.add_function(wrap_pyfunction!(serve_paced, m)?)?;
    m.add("StreamError", m.py().get_type::<StreamError>())?;
    m.add("NoDeviceError", m.py().get_type::<NoDeviceError>())?;
    m.add_function(wrap_pyfunction!(render_voice, m)?)?;
    m.add_function(wrap_pyfunction!(timeline, m)?)?;
    m.add_function(wrap_pyfunction!(frames, m)?)?;
    m.add("EntrainerError", m.py().get_type::<EntrainerError>())?;
    m.add("EngineError", m.py().get_type::<PyEngineError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("CHUNK", CHUNK)?;
    Ok(())
}

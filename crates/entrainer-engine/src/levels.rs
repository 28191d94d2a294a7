//! The level plan (`render.md` §10): per-step peak limits g_i and the final gain G, measured
//! by analysing the render, or the provisional plan from amplitude bounds.
//!
//! Measuring needs each step's peak before the final peak can be known. When there is no
//! background noise, the final peak follows from one pass: outside crossfades M = g_i·y_i,
//! and the crossfade regions are kept (they are short) and mixed exactly as the renderer
//! mixes them. Otherwise (noise or clips) a second pass renders M.

use std::sync::Arc;

use crate::error::{EngineError, Result};
use crate::plan::CrossfadeCurve;
use crate::renderer::{add_voice, Levels, Program, Renderer};
use crate::voices::{Scratch, CHUNK};

/// Crossfade audio kept for the one-pass peak, in f64 values (32 MiB).
const KEEP_BUDGET: u64 = 4 << 20;

/// Progress callback: (frames done, frames in total) → false to cancel.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64) -> bool;

/// What the analysis measured, with the resulting gains.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub levels: Levels,
    /// P_i: peak of each step mix.
    pub step_peaks: Vec<f64>,
    /// P: peak of M(t) over the analysed range.
    pub peak: f64,
    /// Voice blocks the step scans rendered, and how many there are ([`Scan::Bounded`]
    /// skips the difference).
    pub voice_blocks: [u64; 2],
}

fn step_gain(peak: f64, ceiling: Option<f64>) -> f64 {
    match ceiling {
        Some(c) if peak > 0.0 => (c / peak).min(1.0),
        _ => 1.0,
    }
}

fn final_gain(peak: f64, target: Option<f64>) -> f64 {
    match target {
        Some(t) if peak > 1e-9 => t / peak,
        _ => 1.0,
    }
}

struct StepScan {
    peak: f64,
    /// Peak outside both crossfade regions.
    mid_peak: f64,
    head: Vec<[f64; 2]>,
    tail: Vec<[f64; 2]>,
    /// Voice blocks rendered, of all.
    voice_blocks: [u64; 2],
}

/// How the analysis finds a step's peak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scan {
    /// Every voice renders every frame.
    Full,
    /// Skips voices where their strict amplitude bounds cannot reach the peak found so far
    /// (below). Same result as [`Scan::Full`], bit for bit.
    Bounded,
}

/// Relative slack on the skip test: covers the rounding of the sums and the engine's
/// interpolation errors (≤ 1e-9 of a voice's amplitude), so a skipped block provably holds
/// no sample above the peak.
const SLACK: f64 = 1e-7;

/// Frames the step scan skips or renders at once (≤ [`CHUNK`]). Finer than the renderer's
/// blocks: a block is skipped only when its partial sums stay low throughout, so short blocks
/// skip more (F12 took the same time to analyse with 256, 512 or 1024).
const SCAN_BLOCK: usize = 256;

/// Frames over which a voice's [`Voice::block_bound`] is taken at once (its slow modulation
/// barely moves in 93 ms at 44.1 kHz, and one bound per window costs little).
const WINDOW: u64 = 4096;

/// The peak of one step mix y_i, with the crossfade audio kept when `keep`.
///
/// With [`Scan::Bounded`], a block inside the step (outside its crossfades) first renders the
/// voices without a strict bound (`VoiceSpec::strict_bound`: noise, filtered voices), then
/// the others from the loudest bound down. Before each, if max|partial sum| + the bounds of
/// the voices left (over the current window of [`WINDOW`] frames where the voice can say,
/// `Voice::block_bound`, else their strict bounds) cannot exceed the peak found so far, the block cannot hold the step's
/// peak and the rest is skipped; voices skipped this way seek to the next block they render
/// (class E voices seek exactly). A block that is not skipped sums its voices in step order
/// with the renderer's arithmetic (`renderer::add_voice`), so the peaks are those of the
/// full scan. In the real files a step's few loudest voices usually settle it.
fn scan_step(
    program: &Program,
    i: usize,
    keep: bool,
    mode: Scan,
    done: &mut u64,
    total: u64,
    progress: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<StepScan> {
    let t = &program.timeline;
    let n = t.lengths[i];
    let (kin, kout) = (t.crossfade_in(i), t.crossfade_out(i));
    let step = &program.steps[i];
    let nv = step.voices.len();
    let mut voices: Vec<_> = step.voices.iter().map(|v| v.instantiate(0)).collect();
    // Next frame each voice renders (voices skipped over a block seek before rendering again).
    let mut next = vec![0u64; nv];
    let mut scratch = Scratch::boxed();
    let mut scan = StepScan {
        peak: 0.0,
        mid_peak: 0.0,
        head: Vec::new(),
        tail: Vec::new(),
        voice_blocks: [0; 2],
    };
    if keep {
        scan.head.reserve(kin as usize);
        scan.tail.reserve(kout as usize);
    }
    // Strict bounds, the envelope's largest gain included; voices without one come first.
    let bounds: Vec<Option<[f64; 2]>> = step
        .voices
        .iter()
        .map(|v| match mode {
            Scan::Full => None,
            Scan::Bounded => v
                .spec
                .strict_bound()
                .map(|b| b.map(|x| x * v.envelope.max_gain())),
        })
        .collect();
    let mut order: Vec<usize> = (0..nv).collect();
    order.sort_by(|&a, &b| {
        let key = |j: usize| bounds[j].map_or(f64::INFINITY, |b| b[0].max(b[1]));
        key(b).total_cmp(&key(a))
    });
    let unbounded = bounds.iter().filter(|b| b.is_none()).count();
    let bounded = unbounded < nv;
    // Each bounded voice's bound over a window of frames from its own modulation
    // (`Voice::block_bound`), and where the window ends; the strict bound where it has none.
    let gains: Vec<f64> = step.voices.iter().map(|v| v.envelope.max_gain()).collect();
    let mut local: Vec<[f64; 2]> = bounds.iter().map(|b| b.unwrap_or([0.0; 2])).collect();
    let mut local_end = vec![0u64; nv];
    // Each voice's output for the current block, and the partial sum.
    let mut outs = vec![[0.0; CHUNK]; 2 * nv];
    let (mut sl, mut sr) = ([0.0; CHUNK], [0.0; CHUNK]);
    let mut m = 0;
    let mut since_report = 0;
    while m < n {
        let len = ((n - m) as usize).min(SCAN_BLOCK);
        let mid = m >= kin && m + len as u64 <= n - kout;
        if bounded && mid && scan.mid_peak > 0.0 {
            // Skip test and partial sum, in bound order. The sum starts as the first voice
            // rendered when its gain is 1 over the block (0 + v = v), copied only if a second
            // one joins it.
            let mut partial = [0.0f64; 2];
            let mut first: Option<usize> = None;
            let mut summed = false;
            let mut left = [0.0f64; 2];
            for j in 0..nv {
                let Some(b) = bounds[j] else { continue };
                if m + len as u64 > local_end[j] {
                    let g = gains[j];
                    local[j] = match voices[j].block_bound(m, WINDOW) {
                        Some(w) => [(w[0] * g).min(b[0]), (w[1] * g).min(b[1])],
                        None => b,
                    };
                    local_end[j] = m + WINDOW;
                }
                left = [left[0] + local[j][0], left[1] + local[j][1]];
            }
            let mut skipped = false;
            for (q, &j) in order.iter().enumerate() {
                if q >= unbounded
                    && (partial[0] + left[0]) * (1.0 + SLACK) <= scan.mid_peak
                    && (partial[1] + left[1]) * (1.0 + SLACK) <= scan.mid_peak
                {
                    skipped = true;
                    break;
                }
                render_voice(&mut voices, &mut next, &mut outs, &mut scratch, j, m, len);
                scan.voice_blocks[0] += 1;
                let pv = &step.voices[j];
                if first.is_none() && !summed && pv.envelope.unity_over(m, len as u64) {
                    first = Some(j);
                    let (vl, vr) = (&outs[2 * j][..len], &outs[2 * j + 1][..len]);
                    partial = [abs_max(vl), abs_max(vr)];
                } else {
                    if !summed {
                        match first.take() {
                            Some(f) => {
                                sl[..len].copy_from_slice(&outs[2 * f][..len]);
                                sr[..len].copy_from_slice(&outs[2 * f + 1][..len]);
                            }
                            None => {
                                sl[..len].fill(0.0);
                                sr[..len].fill(0.0);
                            }
                        }
                        summed = true;
                    }
                    let (vl, vr) = (&outs[2 * j][..len], &outs[2 * j + 1][..len]);
                    add_voice(pv, m, &mut sl[..len], &mut sr[..len], vl, vr);
                    partial = [abs_max(&sl[..len]), abs_max(&sr[..len])];
                }
                if bounds[j].is_some() {
                    left = [left[0] - local[j][0], left[1] - local[j][1]];
                }
            }
            if !skipped {
                // Every voice rendered: the exact mix, in step order.
                let (yl, yr) = exact_mix(step, &outs, m, &mut sl[..len], &mut sr[..len]);
                scan.mid_peak = scan.mid_peak.max(abs_max(yl)).max(abs_max(yr));
                scan.peak = scan.peak.max(scan.mid_peak);
            }
        } else {
            for j in 0..nv {
                render_voice(&mut voices, &mut next, &mut outs, &mut scratch, j, m, len);
            }
            scan.voice_blocks[0] += nv as u64;
            let (yl, yr) = exact_mix(step, &outs, m, &mut sl[..len], &mut sr[..len]);
            for k in 0..len {
                let mm = m + k as u64;
                let a = yl[k].abs().max(yr[k].abs());
                scan.peak = scan.peak.max(a);
                if mm >= kin && mm < n - kout {
                    scan.mid_peak = scan.mid_peak.max(a);
                }
                if keep {
                    if mm < kin {
                        scan.head.push([yl[k], yr[k]]);
                    } else if mm >= n - kout {
                        scan.tail.push([yl[k], yr[k]]);
                    }
                }
            }
        }
        scan.voice_blocks[1] += nv as u64;
        m += len as u64;
        *done += len as u64;
        since_report += len;
        if since_report >= 1 << 16 {
            since_report = 0;
            if !progress(*done, total) {
                return Err(EngineError::Cancelled);
            }
        }
    }
    Ok(scan)
}

/// max |x| over `x`, in four independent lanes (vectorises; no NaN reaches here).
#[inline]
fn abs_max(x: &[f64]) -> f64 {
    let mut m = [0.0f64; 4];
    let mut chunks = x.chunks_exact(4);
    for c in &mut chunks {
        for q in 0..4 {
            let a = c[q].abs();
            m[q] = if a > m[q] { a } else { m[q] };
        }
    }
    for &v in chunks.remainder() {
        m[0] = m[0].max(v.abs());
    }
    m[0].max(m[1]).max(m[2].max(m[3]))
}

/// y_i over one block from the voices' outputs: 0 + e·v voice by voice, in step order, as
/// `render_step_mix` sums it.
fn exact_mix<'a>(
    step: &crate::renderer::PreparedStep,
    outs: &[[f64; CHUNK]],
    m: u64,
    yl: &'a mut [f64],
    yr: &'a mut [f64],
) -> (&'a [f64], &'a [f64]) {
    let len = yl.len();
    yl.fill(0.0);
    yr.fill(0.0);
    for (j, pv) in step.voices.iter().enumerate() {
        let (vl, vr) = (&outs[2 * j][..len], &outs[2 * j + 1][..len]);
        add_voice(pv, m, yl, yr, vl, vr);
    }
    (yl, yr)
}

/// Renders voice `j` over [m, m + len) into its slot of `outs` (seeking first if it skipped
/// frames) and returns the two channels.
fn render_voice<'a>(
    voices: &mut [Box<dyn crate::voices::Voice>],
    next: &mut [u64],
    outs: &'a mut [[f64; CHUNK]],
    scratch: &mut Scratch,
    j: usize,
    m: u64,
    len: usize,
) -> (&'a [f64], &'a [f64]) {
    if next[j] != m {
        voices[j].seek(m);
    }
    let (a, b) = outs[2 * j..2 * j + 2].split_at_mut(1);
    voices[j].render(&mut a[0][..len], &mut b[0][..len], &mut scratch.0);
    next[j] = m + len as u64;
    (&a[0][..len], &b[0][..len])
}

/// Measures the track's level plan over the whole timeline.
pub fn measure(program: &Arc<Program>, progress: Progress) -> Result<Analysis> {
    measure_with(program, Scan::Bounded, progress)
}

/// [`measure`] with a choice of step scan (the two give the same plan; `Full` is there to
/// check it).
pub fn measure_with(program: &Arc<Program>, mode: Scan, progress: Progress) -> Result<Analysis> {
    let t = &program.timeline;
    let opts = program.options;
    let kept: u64 = t.crossfades.iter().sum::<u64>() * 4;
    let one_pass = program.noise.is_none() && program.clips.is_empty() && kept <= KEEP_BUDGET;
    let steps_total: u64 = t.lengths.iter().sum();
    let total = steps_total + if one_pass { 0 } else { program.total_frames() };
    let mut done = 0;
    let mut scans = Vec::with_capacity(t.len());
    for i in 0..t.len() {
        scans.push(scan_step(
            program, i, one_pass, mode, &mut done, total, progress,
        )?);
    }
    let step_peaks: Vec<f64> = scans.iter().map(|s| s.peak).collect();
    let step_gains: Vec<f64> = step_peaks
        .iter()
        .map(|&p| step_gain(p, opts.step_ceiling))
        .collect();
    let peak = if one_pass {
        let mut peak: f64 = 0.0;
        for (i, s) in scans.iter().enumerate() {
            peak = peak.max(step_gains[i] * s.mid_peak);
        }
        for i in 0..t.crossfades.len() {
            let k = t.crossfades[i];
            let n = t.lengths[i];
            for j in 0..k as usize {
                // Same arithmetic as Renderer::mix_steps: 0 + w_i·y_i + w_{i+1}·y_{i+1}.
                let wo = program.crossfade_weight(i, n - k + j as u64) * step_gains[i];
                let wi = program.crossfade_weight(i + 1, j as u64) * step_gains[i + 1];
                for c in 0..2 {
                    let m = wo * scans[i].tail[j][c] + wi * scans[i + 1].head[j][c];
                    peak = peak.max(m.abs());
                }
            }
        }
        peak
    } else {
        let levels = Levels {
            step_gains: step_gains.clone(),
            final_gain: 1.0,
        };
        mix_peak(
            program,
            &levels,
            0,
            program.total_frames(),
            &mut done,
            total,
            progress,
        )?
    };
    if !progress(total, total) {
        return Err(EngineError::Cancelled);
    }
    let final_gain = final_gain(peak, opts.target_level);
    Ok(Analysis {
        levels: Levels {
            step_gains,
            final_gain,
        },
        step_peaks,
        peak,
        voice_blocks: scans.iter().fold([0; 2], |a, s| {
            [a[0] + s.voice_blocks[0], a[1] + s.voice_blocks[1]]
        }),
    })
}

/// Peak of M(t) over timeline frames [a, b) with the given step gains.
pub fn mix_peak(
    program: &Arc<Program>,
    levels: &Levels,
    a: u64,
    b: u64,
    done: &mut u64,
    total: u64,
    progress: Progress,
) -> Result<f64> {
    let mut r = Renderer::new(
        Arc::clone(program),
        Levels {
            step_gains: levels.step_gains.clone(),
            final_gain: 1.0,
        },
    );
    r.seek(a);
    let mut l = vec![0.0; 4096];
    let mut rr = vec![0.0; 4096];
    let mut peak: f64 = 0.0;
    let mut p = a;
    let mut since_report = 0;
    while p < b {
        let n = ((b - p) as usize).min(4096);
        r.render_mix(&mut l[..n], &mut rr[..n]);
        for k in 0..n {
            peak = peak.max(l[k].abs()).max(rr[k].abs());
        }
        p += n as u64;
        *done += n as u64;
        since_report += n;
        if since_report >= 1 << 16 {
            since_report = 0;
            if !progress(*done, total) {
                return Err(EngineError::Cancelled);
            }
        }
    }
    Ok(peak)
}

/// The provisional plan for real time (`render.md` §10.3), from amplitude bounds only.
pub fn provisional(program: &Program) -> Levels {
    let opts = program.options;
    let mut step_gains = Vec::with_capacity(program.steps.len());
    let mut peak: f64 = 0.0;
    for step in &program.steps {
        let mut b = [0.0; 2];
        for v in &step.voices {
            let vb = v.spec.amplitude_bound();
            b[0] += vb[0];
            b[1] += vb[1];
        }
        let bi = b[0].max(b[1]);
        let g = step_gain(bi, opts.step_ceiling);
        step_gains.push(g);
        peak = peak.max(g * bi);
    }
    let equal_power = program
        .timeline
        .crossfades
        .iter()
        .zip(&program.steps)
        .any(|(&k, s)| k > 0 && s.curve_out == CrossfadeCurve::EqualPower);
    if equal_power {
        peak *= std::f64::consts::SQRT_2;
    }
    if let Some(noise) = &program.noise {
        peak += noise.peak_bound();
    }
    peak += program.clips.iter().map(|c| c.peak_bound()).sum::<f64>();
    Levels {
        step_gains,
        final_gain: final_gain(peak, opts.target_level),
    }
}

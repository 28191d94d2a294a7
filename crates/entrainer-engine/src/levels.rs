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
use crate::renderer::{render_step_mix, Levels, Program, Renderer};
use crate::voices::{take, Scratch, CHUNK};

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
}

fn scan_step(
    program: &Program,
    i: usize,
    keep: bool,
    done: &mut u64,
    total: u64,
    progress: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<StepScan> {
    let t = &program.timeline;
    let n = t.lengths[i];
    let (kin, kout) = (t.crossfade_in(i), t.crossfade_out(i));
    let step = &program.steps[i];
    let mut voices: Vec<_> = step.voices.iter().map(|v| v.instantiate(0)).collect();
    let mut scratch = Scratch::boxed();
    let mut scan = StepScan {
        peak: 0.0,
        mid_peak: 0.0,
        head: Vec::new(),
        tail: Vec::new(),
    };
    if keep {
        scan.head.reserve(kin as usize);
        scan.tail.reserve(kout as usize);
    }
    let mut m = 0;
    let mut since_report = 0;
    while m < n {
        let len = ((n - m) as usize).min(CHUNK);
        let ([yl, yr], rest) = take::<2>(&mut scratch.0);
        render_step_mix(step, &mut voices, m, &mut yl[..len], &mut yr[..len], rest);
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

/// Measures the track's level plan over the whole timeline.
pub fn measure(program: &Arc<Program>, progress: Progress) -> Result<Analysis> {
    let t = &program.timeline;
    let opts = program.options;
    let kept: u64 = t.crossfades.iter().sum::<u64>() * 4;
    let one_pass = program.noise.is_none() && program.clips.is_empty() && kept <= KEEP_BUDGET;
    let steps_total: u64 = t.lengths.iter().sum();
    let total = steps_total + if one_pass { 0 } else { program.total_frames() };
    let mut done = 0;
    let mut scans = Vec::with_capacity(t.len());
    for i in 0..t.len() {
        scans.push(scan_step(program, i, one_pass, &mut done, total, progress)?);
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

//! The swept-notch noise engine (`voices.md` §2.11), shared by the noise voices and the
//! track's background noise: one mono colour source (stream 0), the warmth and rumble
//! pre-filters, per-channel notch sweeps driven by an integrated LFO (pass A, and pass B at an
//! intra offset), static notches, and a calibration gain for a long-run RMS of 0.2.
//!
//! Notch coefficients and the cascade weights of fractional cascade counts are refreshed
//! every 16 frames counted from frame 0 (§2.9.4), so any block size gives the same samples.
//! After a seek the whole chain replays a warm-up window from zero state (class F, §2.9.5).

use std::f64::consts::PI;

use serde_json::Value;

use crate::colour::{Colour, ColourDesign, ColourSource, COLOUR_NAMES};
use crate::error::Result;
use crate::filters::{warmup_frames, Coeffs, Df1};
use crate::osc::Clock;
use crate::plan::Params;
use crate::ramp::{Lerp, Ramp};
use crate::rng::key;
use crate::shapes::{cos_cycles, frac};

/// Frames between coefficient refreshes, counted from frame 0.
pub const REFRESH: u64 = 16;
/// Long-run RMS of each channel after calibration.
pub const TARGET_RMS: f64 = 0.2;
/// Frequency grid size K and LFO positions averaged by the calibration.
const GRID: usize = 8192;
const POSITIONS: usize = 64;
const MAX_SUB: usize = REFRESH as usize;

/// One sweep: its range, quality and cascade count, each ramping from start to end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sweep {
    pub min_hz: Lerp,
    pub max_hz: Lerp,
    pub q: Lerp,
    /// Integer counts at both ends; fractional in between (§2.11).
    pub cascade: Lerp,
}

impl Sweep {
    fn sections(&self) -> usize {
        self.cascade.max().ceil() as usize
    }

    /// Centre frequency at LFO shape value `w` ∈ [−1, 1].
    #[inline]
    fn centre(&self, a: f64, w: f64) -> f64 {
        let (x, y) = (self.min_hz.at(a), self.max_hz.at(a));
        let (lo, hi) = (x.min(y), x.max(y));
        0.5 * (lo + hi) + 0.5 * (hi - lo) * w
    }
}

/// A fixed notch, applied as 2 × `cascade` sections (§2.9.2).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StaticNotch {
    pub freq_hz: f64,
    pub q: f64,
    pub cascade: usize,
}

/// Everything that defines the engine's output before placement (parsed once).
#[derive(Debug, Clone, PartialEq)]
pub struct NotchSpec {
    pub colour: Colour,
    /// `triangle` → N of §2.2; otherwise the cosine C.
    pub triangle: bool,
    pub lfo_freq_hz: Lerp,
    pub offset_r_deg: Lerp,
    pub intra_deg: Lerp,
    pub sweeps: Vec<Sweep>,
    pub statics: Vec<StaticNotch>,
    /// Test hook: false bypasses the warmth and rumble pre-filters.
    pub prefilters: bool,
}

/// The notch of §2.9.1 at f0 with quality q.
#[inline]
pub fn notch(f0: f64, q: f64, sr: f64) -> Coeffs {
    let w0 = 2.0 * PI * f0 / sr;
    let beta = (w0 / (2.0 * q)).tan();
    let g = 1.0 / (1.0 + beta);
    let c = w0.cos();
    Coeffs {
        b0: g,
        b1: -2.0 * g * c,
        b2: g,
        a1: -2.0 * g * c,
        a2: 2.0 * g - 1.0,
    }
}

/// The pre-filters: warmth (first-order low-pass at min(10 kHz, 0.45·sr)) and rumble
/// (second-order high-pass at 50 Hz), each twice (§2.9.2).
fn prefilter_sections(sr: f64) -> [Coeffs; 4] {
    let warmth = Coeffs::lowpass1(10_000f64.min(0.45 * sr), sr);
    let rumble = Coeffs::highpass(50.0, std::f64::consts::FRAC_1_SQRT_2, sr);
    [warmth, warmth, rumble, rumble]
}

impl NotchSpec {
    /// Reads the engine keys of `docs/plan.md` ("Swept-notch engine").
    pub fn parse(p: &Params) -> Result<NotchSpec> {
        let colour = match p.raw("colour") {
            None => Colour::Pink,
            Some(Value::String(s)) => Colour::from_name(s).ok_or_else(|| {
                p.err(
                    "colour",
                    format!("expected one of {}, got \"{s}\"", COLOUR_NAMES.join(", ")),
                )
            })?,
            Some(v) => return Err(p.err("colour", format!("expected a string, got {v}"))),
        };
        let triangle = p.choice("lfo_shape", "sine", &["sine", "triangle"])? == "triangle";
        let mut sweeps = Vec::new();
        match p.raw("sweeps") {
            None => {}
            Some(Value::Array(items)) => {
                for item in items {
                    let Value::Object(map) = item else {
                        return Err(p.err("sweeps", format!("expected objects, got {item}")));
                    };
                    let s = Params::new(p.step, p.voice, map);
                    let cascade = Lerp::new(s.pair_in("cascade", 10.0, 1.0, 50.0)?);
                    if cascade.start.fract() != 0.0 || cascade.end.fract() != 0.0 {
                        return Err(p.err(
                            "sweeps",
                            format!("expected integer cascade counts, got {item}"),
                        ));
                    }
                    sweeps.push(Sweep {
                        min_hz: Lerp::new(s.pair_min("min_hz", 1000.0, f64::MIN_POSITIVE)?),
                        max_hz: Lerp::new(s.pair_min("max_hz", 10_000.0, f64::MIN_POSITIVE)?),
                        q: Lerp::new(s.pair_in("q", 25.0, 0.1, 1000.0)?),
                        cascade,
                    });
                }
            }
            Some(v) => return Err(p.err("sweeps", format!("expected an array, got {v}"))),
        }
        let mut statics = Vec::new();
        match p.raw("static_notches") {
            None => {}
            Some(Value::Array(items)) => {
                for item in items {
                    let triple = item.as_array().filter(|a| a.len() == 3).and_then(|a| {
                        let (f, q, c) = (a[0].as_f64()?, a[1].as_f64()?, a[2].as_f64()?);
                        (f > 0.0
                            && (0.1..=1000.0).contains(&q)
                            && (1.0..=50.0).contains(&c)
                            && c.fract() == 0.0)
                            .then_some(StaticNotch {
                                freq_hz: f,
                                q,
                                cascade: c as usize,
                            })
                    });
                    statics.push(triple.ok_or_else(|| {
                        p.err(
                            "static_notches",
                            format!("expected [freq_hz, q, cascade], got {item}"),
                        )
                    })?);
                }
            }
            Some(v) => return Err(p.err("static_notches", format!("expected an array, got {v}"))),
        }
        Ok(NotchSpec {
            colour,
            triangle,
            lfo_freq_hz: Lerp::new(p.pair_min("lfo_freq_hz", 1.0 / 12.0, 0.0)?),
            offset_r_deg: Lerp::new(p.pair("lfo_offset_r_deg", 0.0)?),
            intra_deg: Lerp::new(p.pair("intra_offset_deg", 0.0)?),
            sweeps,
            statics,
            prefilters: p.flag("prefilters", true)?,
        })
    }

    /// Pass B runs when the intra offset is non-zero at either end.
    pub fn passes(&self) -> usize {
        if self.intra_deg.start != 0.0 || self.intra_deg.end != 0.0 {
            2
        } else {
            1
        }
    }

    /// With no right-channel offset at either end, R is L (one source, the same notches).
    fn stereo(&self) -> bool {
        self.offset_r_deg.start != 0.0 || self.offset_r_deg.end != 0.0
    }

    #[inline]
    fn shape(&self, p: f64) -> f64 {
        if self.triangle {
            if p < 0.5 {
                -1.0 + 4.0 * p
            } else {
                3.0 - 4.0 * p
            }
        } else {
            cos_cycles(p)
        }
    }

    /// Slowest pole decay rate (1/s) of the whole chain over the parameter range.
    pub fn sigma_min(&self, sample_rate: u32) -> f64 {
        let sr = sample_rate as f64;
        let mut s = ColourDesign::new(self.colour, sample_rate).sigma_min(sr);
        if self.prefilters {
            s = prefilter_sections(sr)
                .iter()
                .map(|c| c.decay_rate(sr))
                .fold(s, f64::min);
        }
        for k in &self.sweeps {
            // the slowest notch sits at the lowest centre with the highest quality
            let f = k.min_hz.min().min(k.max_hz.min());
            s = s.min(notch(f, k.q.max(), sr).decay_rate(sr));
        }
        for n in &self.statics {
            s = s.min(notch(n.freq_hz, n.q, sr).decay_rate(sr));
        }
        s
    }

    /// Calibration gains (G_start, G_end) of §2.11: 0.2/sqrt(P̄) for the start and end
    /// parameter sets, P̄ the expected output power on a grid of K = 8192 frequencies.
    pub fn calibration(&self, sample_rate: u32) -> [f64; 2] {
        let sr = sample_rate as f64;
        let design = ColourDesign::new(self.colour, sample_rate);
        let pre = prefilter_sections(sr);
        let mut base = vec![0.0; GRID];
        let mut cos1 = vec![0.0; GRID];
        let mut cos2 = vec![0.0; GRID];
        let mut colour_sum = 0.0;
        for i in 0..GRID {
            let f = (i as f64 + 0.5) * sr / (2.0 * GRID as f64);
            let w = 2.0 * PI * f / sr;
            cos1[i] = w.cos();
            cos2[i] = (2.0 * w).cos();
            let s = design.power_response(f, sr);
            colour_sum += s;
            let mut h = s;
            if self.prefilters {
                h *= pre.iter().map(|c| c.power_response(f, sr)).product::<f64>();
            }
            for n in &self.statics {
                h *= notch_power(&notch(n.freq_hz, n.q, sr), cos1[i], cos2[i])
                    .powi(2 * n.cascade as i32);
            }
            base[i] = h;
        }
        let colour_mean = colour_sum / GRID as f64;
        let gain_at = |a: f64| {
            let mut avg = vec![0.0; GRID];
            if self.sweeps.is_empty() {
                avg.fill(1.0);
            } else {
                let mut prod = vec![0.0; GRID];
                let intra = self.intra_deg.at(a) / 360.0;
                for j in 0..POSITIONS {
                    prod.fill(1.0);
                    let q = j as f64 / POSITIONS as f64;
                    for pass in 0..self.passes() {
                        let w = self.shape(frac(q + if pass == 1 { intra } else { 0.0 }));
                        for k in &self.sweeps {
                            let c = notch(k.centre(a, w), k.q.at(a), sr);
                            let count = k.cascade.at(a).round() as i32;
                            for i in 0..GRID {
                                prod[i] *= notch_power(&c, cos1[i], cos2[i]).powi(count);
                            }
                        }
                    }
                    for i in 0..GRID {
                        avg[i] += prod[i] / POSITIONS as f64;
                    }
                }
            }
            let p: f64 =
                (0..GRID).map(|i| base[i] * avg[i]).sum::<f64>() / GRID as f64 / colour_mean;
            TARGET_RMS / p.sqrt()
        };
        let g0 = gain_at(0.0);
        let ramps = self.sweeps.iter().any(|k| {
            !k.min_hz.is_const() || !k.max_hz.is_const() || !k.q.is_const() || !k.cascade.is_const()
        }) || !self.intra_deg.is_const();
        [g0, if ramps { gain_at(1.0) } else { g0 }]
    }
}

/// |H|² of a notch section at ω with cos ω and cos 2ω given:
/// 4g²(cos ω − cos ω₀)² / (1 + a₁² + a₂² + 2a₁(1 + a₂)cos ω + 2a₂ cos 2ω).
#[inline(always)]
fn notch_power(c: &Coeffs, cos1: f64, cos2: f64) -> f64 {
    // b1 = −2g cos ω₀, so 2g(cos ω − cos ω₀) = 2·b0·cos ω + b1
    let num = 2.0 * c.b0 * cos1 + c.b1;
    let den =
        1.0 + c.a1 * c.a1 + c.a2 * c.a2 + 2.0 * c.a1 * (1.0 + c.a2) * cos1 + 2.0 * c.a2 * cos2;
    num * num / den
}

/// Coefficients and cascade weights of one (channel, pass, sweep) for the current 16 frames.
#[derive(Debug, Clone, Copy)]
struct Stage {
    coeffs: Coeffs,
    /// Outputs after `lo` and `hi` sections are mixed as (1 − w)·y_lo + w·y_hi.
    lo: usize,
    hi: usize,
    w: f64,
}

/// The running engine for one placement (a voice in its step, or the background noise).
#[derive(Debug, Clone)]
pub struct NotchEngine {
    spec: NotchSpec,
    sr: u32,
    ramp: Ramp,
    clock: Clock,
    source: ColourSource,
    pre: [Coeffs; 4],
    pre_state: [Df1; 4],
    gain: Lerp,
    passes: usize,
    channels: usize,
    /// Stages indexed ((channel·passes + pass)·sweeps + sweep).
    stages: Vec<Stage>,
    /// First section state of each stage in `states`; sections per sweep in `sections`.
    first: Vec<usize>,
    sections: Vec<usize>,
    states: Vec<Df1>,
    statics: Vec<Coeffs>,
    static_states: Vec<Df1>,
    warmup: u64,
    /// Next frame to render.
    m: u64,
}

impl NotchEngine {
    /// `gain` is the spec's calibration at this rate (see [`NotchSpec::calibration`]).
    pub fn new(
        spec: &NotchSpec,
        sample_rate: u32,
        ramp: Ramp,
        seed: u64,
        gain: [f64; 2],
    ) -> NotchEngine {
        let sr = sample_rate as f64;
        let passes = spec.passes();
        let channels = if spec.stereo() { 2 } else { 1 };
        let sections: Vec<usize> = spec.sweeps.iter().map(Sweep::sections).collect();
        let mut first = Vec::new();
        let mut total = 0;
        for _ in 0..channels * passes {
            for &s in &sections {
                first.push(total);
                total += s;
            }
        }
        let statics: Vec<Coeffs> = spec
            .statics
            .iter()
            .flat_map(|n| std::iter::repeat_n(notch(n.freq_hz, n.q, sr), 2 * n.cascade))
            .collect();
        let blank = Stage {
            coeffs: Coeffs {
                b0: 1.0,
                b1: 0.0,
                b2: 0.0,
                a1: 0.0,
                a2: 0.0,
            },
            lo: 0,
            hi: 0,
            w: 0.0,
        };
        let mut e = NotchEngine {
            spec: spec.clone(),
            sr: sample_rate,
            ramp,
            clock: Clock::new(spec.lfo_freq_hz, ramp, sample_rate, 0.0),
            source: ColourSource::new(ColourDesign::new(spec.colour, sample_rate), key(seed, 0)),
            pre: prefilter_sections(sr),
            pre_state: [Df1::default(); 4],
            gain: Lerp::new((gain[0], gain[1])),
            passes,
            channels,
            stages: vec![blank; first.len()],
            first,
            sections,
            states: vec![Df1::default(); total],
            static_states: vec![Df1::default(); statics.len() * channels],
            statics,
            warmup: warmup_frames(spec.sigma_min(sample_rate), sample_rate),
            m: 0,
        };
        e.refresh(0);
        e
    }

    /// Warm-up length of a seek, in frames.
    pub fn warmup(&self) -> u64 {
        self.warmup
    }

    /// Recomputes every stage from the parameters at frame n (a multiple of 16).
    fn refresh(&mut self, n: u64) {
        let sr = self.sr as f64;
        let a = self.ramp.alpha(n as f64);
        let p = self.clock.at(n as f64);
        let nsweeps = self.spec.sweeps.len();
        for ch in 0..self.channels {
            let q_ch = if ch == 1 {
                p + self.spec.offset_r_deg.at(a) / 360.0
            } else {
                p
            };
            for pass in 0..self.passes {
                let q = if pass == 1 {
                    q_ch + self.spec.intra_deg.at(a) / 360.0
                } else {
                    q_ch
                };
                let w = self.spec.shape(frac(q));
                for (k, sweep) in self.spec.sweeps.iter().enumerate() {
                    let c = sweep.cascade.at(a);
                    let lo = c.floor();
                    self.stages[(ch * self.passes + pass) * nsweeps + k] = Stage {
                        coeffs: notch(sweep.centre(a, w), sweep.q.at(a), sr),
                        lo: lo as usize,
                        hi: c.ceil() as usize,
                        w: c - lo,
                    };
                }
            }
        }
    }

    /// Positions the engine so that the next frame rendered is frame m (class F warm-up).
    pub fn seek(&mut self, m: u64) {
        let start = m.saturating_sub(self.warmup);
        self.source.reset();
        self.pre_state = [Df1::default(); 4];
        self.states.fill(Df1::default());
        self.static_states.fill(Df1::default());
        self.refresh(start - start % REFRESH);
        self.m = start;
        let mut l = [0.0; MAX_SUB];
        let mut r = [0.0; MAX_SUB];
        while self.m < m {
            let len = ((m - self.m) as usize).min(MAX_SUB);
            self.render(&mut l[..len], &mut r[..len]);
        }
    }

    /// Writes the calibrated engine output e_L, e_R for the next `l.len()` frames.
    pub fn render(&mut self, l: &mut [f64], r: &mut [f64]) {
        let total = l.len();
        let mut done = 0;
        while done < total {
            let n = self.m;
            if n.is_multiple_of(REFRESH) {
                self.refresh(n);
            }
            let len = ((REFRESH - n % REFRESH) as usize).min(total - done);
            self.render_sub(&mut l[done..done + len], &mut r[done..done + len]);
            done += len;
        }
    }

    /// Up to 16 frames that share one set of stages.
    fn render_sub(&mut self, l: &mut [f64], r: &mut [f64]) {
        let len = l.len();
        let n0 = self.m;
        let mut mono = [0.0; MAX_SUB];
        for (k, x) in mono[..len].iter_mut().enumerate() {
            let mut y = self.source.sample(n0 + k as u64);
            if self.spec.prefilters {
                for (c, s) in self.pre.iter().zip(self.pre_state.iter_mut()) {
                    y = s.tick(c, y);
                }
            }
            *x = y;
        }
        let nsweeps = self.spec.sweeps.len();
        for ch in 0..self.channels {
            let out = if ch == 0 { &mut *l } else { &mut *r };
            let mut buf = mono;
            for pass in 0..self.passes {
                for k in 0..nsweeps {
                    let i = (ch * self.passes + pass) * nsweeps + k;
                    let stage = self.stages[i];
                    let states = &mut self.states[self.first[i]..self.first[i] + self.sections[k]];
                    cascade(&stage, states, &mut buf[..len]);
                }
            }
            let statics =
                &mut self.static_states[ch * self.statics.len()..(ch + 1) * self.statics.len()];
            for (c, s) in self.statics.iter().zip(statics.iter_mut()) {
                for x in buf[..len].iter_mut() {
                    *x = s.tick(c, *x);
                }
            }
            if self.gain.is_const() {
                for (o, x) in out.iter_mut().zip(&buf[..len]) {
                    *o = x * self.gain.start;
                }
            } else {
                for (k, (o, x)) in out.iter_mut().zip(&buf[..len]).enumerate() {
                    *o = x * self.gain.at(self.ramp.alpha((n0 + k as u64) as f64));
                }
            }
        }
        if self.channels == 1 {
            r.copy_from_slice(l);
        }
        self.m += len as u64;
    }
}

/// Runs `buf` through every section of one sweep, mixing the outputs after `lo` and `hi`
/// sections when the cascade count is fractional.
#[inline]
fn cascade(stage: &Stage, states: &mut [Df1], buf: &mut [f64]) {
    let len = buf.len();
    if stage.lo == states.len() && stage.hi == states.len() {
        for s in states.iter_mut() {
            for x in buf.iter_mut() {
                *x = s.tick(&stage.coeffs, *x);
            }
        }
        return;
    }
    let mut y_lo = [0.0; MAX_SUB];
    let mut y_hi = [0.0; MAX_SUB];
    for (j, s) in states.iter_mut().enumerate() {
        for x in buf.iter_mut() {
            *x = s.tick(&stage.coeffs, *x);
        }
        if j + 1 == stage.lo {
            y_lo[..len].copy_from_slice(buf);
        }
        if j + 1 == stage.hi {
            y_hi[..len].copy_from_slice(buf);
        }
    }
    if stage.lo != stage.hi {
        for k in 0..len {
            buf[k] = (1.0 - stage.w) * y_lo[k] + stage.w * y_hi[k];
        }
    } else {
        buf.copy_from_slice(&y_lo[..len]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{RampCurve, RampPlan};

    fn spec() -> NotchSpec {
        NotchSpec {
            colour: Colour::Pink,
            triangle: true,
            lfo_freq_hz: Lerp::new((0.5, 2.0)),
            offset_r_deg: Lerp::new((30.0, 120.0)),
            intra_deg: Lerp::new((0.0, 180.0)),
            sweeps: vec![Sweep {
                min_hz: Lerp::new((300.0, 900.0)),
                max_hz: Lerp::new((600.0, 1200.0)),
                q: Lerp::new((25.0, 40.0)),
                cascade: Lerp::new((6.0, 3.0)),
            }],
            statics: vec![StaticNotch {
                freq_hz: 1000.0,
                q: 10.0,
                cascade: 2,
            }],
            prefilters: true,
        }
    }

    fn run(block: usize, from: u64, len: usize) -> Vec<f64> {
        let sr = 8000;
        let s = spec();
        let ramp = Ramp::new(
            Some(&RampPlan {
                initial_offset_s: 0.5,
                transition_s: Some(2.0),
                curve: RampCurve::Linear,
            }),
            32_000,
            sr,
        );
        let mut e = NotchEngine::new(&s, sr, ramp, 42, s.calibration(sr));
        if from > 0 {
            e.seek(from);
        }
        let (mut l, mut r) = (vec![0.0; len], vec![0.0; len]);
        for (cl, cr) in l.chunks_mut(block).zip(r.chunks_mut(block)) {
            e.render(cl, cr);
        }
        l.into_iter().zip(r).flat_map(|(a, b)| [a, b]).collect()
    }

    #[test]
    fn block_size_never_changes_a_sample() {
        let whole = run(30_000, 0, 30_000);
        for block in [1, 64, 127, 256, 4096] {
            assert_eq!(run(block, 0, 30_000), whole, "block {block}");
        }
    }

    #[test]
    fn a_seek_matches_the_continuous_render_within_class_f_tolerance() {
        let whole = run(256, 0, 30_000);
        let m = 20_007;
        let tail = run(100, m as u64, 30_000 - m);
        let worst = tail
            .iter()
            .zip(&whole[2 * m..])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(worst <= 1e-6, "{worst}");
    }
}

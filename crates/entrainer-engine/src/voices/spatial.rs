//! `spatial_angle_modulation` (`voices.md` §3.10) and `spatial_angle_modulation_monaural_beat`
//! (§3.11): a mono source carried around the head, rendered by [`crate::hrtf`].
//!
//! Each voice is a [`Source`] (the level-scaled mono signal x and the azimuth ψ per frame)
//! inside one [`SpatialVoice`], which feeds a head renderer and applies amp(t):
//!
//! - KEMAR works in blocks aligned to frame 0 and asks the source for a whole block ahead;
//!   a seek refills the input history of its block and rebuilds the jump state from ψ, which
//!   is a pure function of the frame: class E.
//! - The sphere model streams; a seek replays from the warm-up start (`voices.md` §2.9.5).
//!
//! Before frame 0 the input is zero, except for a continued voice: its source extrapolated
//! backwards at the start values from the carried phases, so that it picks up where its
//! predecessor was (without this a continued voice would restart its responses and click).

use std::sync::Arc;

use crate::error::EngineError;
use crate::filters::Df1;
use crate::hrtf::{angle_distance, HrirSet, Kemar, Sphere, COEFF_BLOCK, JUMP_DEG};
use crate::osc::{Carrier, Clock};
use crate::plan::Params;
use crate::ramp::{Lerp, Ramp};
use crate::shapes::{cos_cycles, sin_cycles};
use crate::Result;

use super::common::{carried_clock, carried_phase, fill_alpha, CHUNK, INV_TAU};
use super::monaural::{Monaural, MonauralVoice};
use super::{take, Buf, ZERO_BUF};
use super::{Placement, Signature, Voice, VoiceState};

const DEG: f64 = 180.0 / std::f64::consts::PI;

/// Clock roles in the continuation state (the monaural core uses 0 and 1).
const PATH: usize = 0;
const MONO_SOURCE_AM: usize = 2;
const MONO_PATH: usize = 3;

#[derive(Debug, Clone)]
pub enum Model {
    Kemar(Arc<HrirSet>),
    Sphere,
}

impl Model {
    fn parse(p: &Params, hrtf: Option<&Arc<HrirSet>>) -> Result<Model> {
        match p.choice("hrtf_model", "kemar", &["kemar", "sphere"])? {
            "sphere" => Ok(Model::Sphere),
            _ => match hrtf {
                Some(set) => Ok(Model::Kemar(Arc::clone(set))),
                None => Err(EngineError::Param {
                    step: p.step,
                    voice: p.voice,
                    key: "hrtf_model".to_string(),
                    message:
                        "\"kemar\" needs the KEMAR responses, which were not given to the engine"
                            .to_string(),
                }),
            },
        }
    }

    fn is_sphere(&self) -> bool {
        matches!(self, Model::Sphere)
    }

    fn level(&self, f: f64) -> f64 {
        match self {
            Model::Kemar(set) => set.level_gain(f),
            Model::Sphere => 1.0,
        }
    }

    /// 1.1·amp covers the interpolation between measured directions; the sphere's near ear
    /// gains up to +6 dB at high frequencies.
    fn bound(&self, amp: f64) -> [f64; 2] {
        let b = if self.is_sphere() {
            2.2 * amp
        } else {
            1.1 * amp
        };
        [b, b]
    }
}

/// What a spatial voice carries around the head.
pub trait Source: Send {
    /// x (with the level table applied) and ψ (voice convention, degrees) for the next
    /// `x.len()` frames, starting at frame m0 (the source's position); advances.
    fn fill(&mut self, m0: u64, x: &mut [f64], psi: &mut [f64]);
    /// Positions the source so that the next `fill` starts at frame m.
    fn seek(&mut self, m: u64);
    /// ψ at any frame, exactly as `fill` computes it.
    fn psi_at(&self, n: u64) -> f64;
    /// Continuation state (phases and clocks) at frame m, where the source is positioned.
    fn state(&self, m: u64) -> VoiceState;
}

// One per voice, made when the voice is: its size does not matter.
#[allow(clippy::large_enum_variant)]
enum Head {
    Kemar(Box<Kemar>),
    Sphere {
        model: Sphere,
        x: Box<[f64]>,
        psi: Box<[f64; CHUNK]>,
        carried: Option<[Df1; 2]>,
    },
}

/// A source rendered through a head model, scaled by amp(t).
pub struct SpatialVoice<S: Source> {
    source: S,
    ramp: Ramp,
    amp: Lerp,
    m: u64,
    head: Head,
    /// x before frame 0 (see the module notes), `history` values ending at frame −1.
    preroll: Option<Box<[f64]>>,
    /// KEMAR: the block whose convolutions are loaded.
    loaded: Option<u64>,
    alpha: Box<[f64; CHUNK]>,
}

impl<S: Source> SpatialVoice<S> {
    /// `speed_hz` bounds how fast ψ turns, in revolutions per second (it picks the block
    /// layout of the KEMAR convolution, which changes the cost, not the samples' values
    /// beyond rounding; it depends on the parameters only, so renders stay deterministic).
    fn new(
        source: S,
        model: &Model,
        place: Placement,
        amp: Lerp,
        speed_hz: f64,
        initial: Option<&VoiceState>,
        preroll: impl FnOnce(usize) -> Box<[f64]>,
    ) -> Self {
        let head = match model {
            Model::Kemar(set) => {
                let layout = set.layout_for(360.0 * speed_hz / place.sample_rate as f64);
                Head::Kemar(Box::new(Kemar::new(Arc::clone(set), layout)))
            }
            Model::Sphere => {
                let model = Sphere::new(place.sample_rate);
                let lead = model.lead();
                let carried = initial.and_then(|s| s.filters).map(|f| [f[0][0], f[1][0]]);
                Head::Sphere {
                    model,
                    x: vec![0.0; lead + CHUNK].into_boxed_slice(),
                    psi: Box::new([0.0; CHUNK]),
                    carried,
                }
            }
        };
        let history = match &head {
            Head::Kemar(k) => k.history(),
            Head::Sphere { model, .. } => model.lead(),
        };
        let mut v = SpatialVoice {
            source,
            ramp: place.ramp,
            amp,
            m: 0,
            head,
            preroll: initial.map(|_| preroll(history)),
            loaded: None,
            alpha: Box::new([0.0; CHUNK]),
        };
        v.seek(0);
        v
    }

    /// Writes the input of frames [from, to) into `out` (to ≤ the source's next fill): the
    /// pre-roll or zeros before frame 0, then the source, which must be positioned at
    /// max(from, 0). `scratch` receives ψ and is discarded.
    fn history(
        source: &mut S,
        preroll: &Option<Box<[f64]>>,
        from: i64,
        out: &mut [f64],
        scratch: &mut [f64],
    ) {
        let neg = (-from).clamp(0, out.len() as i64) as usize;
        match preroll {
            Some(p) => out[..neg].copy_from_slice(&p[p.len() - neg..]),
            None => out[..neg].fill(0.0),
        }
        let mut at = neg;
        while at < out.len() {
            let n = (out.len() - at).min(scratch.len());
            source.fill(
                (from + at as i64) as u64,
                &mut out[at..at + n],
                &mut scratch[..n],
            );
            at += n;
        }
    }

    fn render_kemar(&mut self, l: &mut [f64], r: &mut [f64]) {
        let Head::Kemar(k) = &mut self.head else {
            unreachable!()
        };
        let b = k.block() as u64;
        let hist = k.history();
        for i in 0..l.len() {
            let n = self.m + i as u64;
            let blk = n / b;
            if self.loaded != Some(blk) {
                // The source is positioned at this block's start (the history is in place).
                k.seg.copy_within(b as usize..b as usize + hist, 0);
                let (seg, psi) = (&mut k.seg[hist..], &mut k.psi[..]);
                self.source.fill(blk * b, seg, psi);
                for p in psi.iter_mut() {
                    *p = -*p; // the data's convention: positive = left
                }
                k.load(blk * b);
                self.loaded = Some(blk);
            }
            let (yl, yr) = k.frame((n - blk * b) as usize);
            l[i] = yl;
            r[i] = yr;
        }
    }

    fn render_sphere(&mut self, l: &mut [f64], r: &mut [f64]) {
        let Head::Sphere { model, x, psi, .. } = &mut self.head else {
            unreachable!()
        };
        let (n, lead) = (l.len(), model.lead());
        self.source
            .fill(self.m, &mut x[lead..lead + n], &mut psi[..n]);
        for p in psi[..n].iter_mut() {
            *p = -*p;
        }
        model.render(self.m, &x[..lead + n], &psi[..n], l, r);
        x.copy_within(n..n + lead, 0);
    }

    fn seek_kemar(&mut self, m: u64) {
        let Head::Kemar(k) = &mut self.head else {
            unreachable!()
        };
        let b = k.block() as u64;
        let (hist, fade) = (k.history(), k.fade());
        let start = m / b * b;
        // Jump state at the block start: ψ of the frame before it and the latest jump (at a
        // frame j ≥ 1 with |ψ(j) − ψ(j − 1)| > 5°) that may still be fading there.
        let prev = (start > 0).then(|| -self.source.psi_at(start - 1));
        let mut jump = None;
        for j in start.saturating_sub(fade).max(1)..start {
            let (a, c) = (-self.source.psi_at(j - 1), -self.source.psi_at(j));
            if angle_distance(c - a) > JUMP_DEG {
                jump = Some((j, a));
            }
        }
        k.set_jump_state(prev, jump);
        // Input history: the `hist` frames before the block, at the top of the segment's
        // block part so that loading the block shifts them into place.
        let from = start as i64 - hist as i64;
        self.source.seek(from.max(0) as u64);
        let mut scratch = [0.0; CHUNK];
        Self::history(
            &mut self.source,
            &self.preroll,
            from,
            &mut k.seg[b as usize..b as usize + hist],
            &mut scratch,
        );
        self.loaded = None;
        self.m = start;
        let (mut l, mut r) = ([0.0; CHUNK], [0.0; CHUNK]);
        while self.m < m {
            let n = ((m - self.m) as usize).min(CHUNK);
            self.render_kemar(&mut l[..n], &mut r[..n]);
            self.m += n as u64;
        }
    }

    fn seek_sphere(&mut self, m: u64) {
        let Head::Sphere {
            model, x, carried, ..
        } = &mut self.head
        else {
            unreachable!()
        };
        // Replay from the warm-up start, a multiple of 16 (coefficient refresh), from the
        // carried filter state when that start is frame 0.
        let from = m.saturating_sub(model.warmup()) / COEFF_BLOCK * COEFF_BLOCK;
        model.reset(if from == 0 { *carried } else { None });
        let lead = model.lead();
        let hist_from = from as i64 - lead as i64;
        self.source.seek(hist_from.max(0) as u64);
        let mut scratch = [0.0; CHUNK];
        Self::history(
            &mut self.source,
            &self.preroll,
            hist_from,
            &mut x[..lead],
            &mut scratch,
        );
        self.m = from;
        let (mut l, mut r) = ([0.0; CHUNK], [0.0; CHUNK]);
        while self.m < m {
            let n = ((m - self.m) as usize).min(CHUNK);
            self.render_sphere(&mut l[..n], &mut r[..n]);
            self.m += n as u64;
        }
    }
}

impl<S: Source> Voice for SpatialVoice<S> {
    fn render(&mut self, l: &mut [f64], r: &mut [f64], _scratch: &mut [Buf]) {
        match self.head {
            Head::Kemar(_) => self.render_kemar(l, r),
            Head::Sphere { .. } => self.render_sphere(l, r),
        }
        let alpha = &mut self.alpha[..l.len()];
        fill_alpha(&self.ramp, self.m, alpha);
        for ((yl, yr), a) in l.iter_mut().zip(r.iter_mut()).zip(alpha.iter()) {
            let g = self.amp.at(*a);
            *yl *= g;
            *yr *= g;
        }
        self.m += l.len() as u64;
    }

    fn seek(&mut self, m: u64) {
        match self.head {
            Head::Kemar(_) => self.seek_kemar(m),
            Head::Sphere { .. } => self.seek_sphere(m),
        }
    }

    fn state(&self) -> VoiceState {
        // The KEMAR source runs ahead to the end of its block: ask for the state at m.
        let mut st = self.source.state(self.m);
        if let Head::Sphere { model, .. } = &self.head {
            let mut f: super::FilterState = Default::default();
            f[0][0] = model.state[0];
            f[1][0] = model.state[1];
            st.filters = Some(f);
        }
        st
    }
}

// --- spatial_angle_modulation -------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq)]
enum Path {
    Circle,
    Square,
    Linear,
    Arc,
    Diamond,
    OscillatingArc,
}

/// Azimuth of a point (X, Y) in degrees, voice convention (+ = right); radius 0 is front.
#[inline]
fn azimuth(x: f64, y: f64, r: f64) -> f64 {
    if r == 0.0 {
        0.0
    } else {
        x.atan2(y) * DEG
    }
}

#[derive(Debug, Clone)]
pub struct Sam {
    amp: Lerp,
    carrier_hz: Lerp,
    path_hz: Lerp,
    path: Path,
    radius: Lerp,
    arc_deg: [Lerp; 2],
    model: Model,
}

impl Sam {
    pub fn parse(p: &Params, hrtf: Option<&Arc<HrirSet>>) -> Result<Sam> {
        let path = match p.choice(
            "path_shape",
            "circle",
            &[
                "circle",
                "square",
                "linear",
                "arc",
                "diamond",
                "oscillating_arc",
            ],
        )? {
            "square" => Path::Square,
            "linear" => Path::Linear,
            "arc" => Path::Arc,
            "diamond" => Path::Diamond,
            "oscillating_arc" => Path::OscillatingArc,
            _ => Path::Circle,
        };
        Ok(Sam {
            amp: Lerp::new(p.pair_in("amp", 0.7, 0.0, 1.0)?),
            carrier_hz: Lerp::new(p.pair_min("carrier_freq_hz", 440.0, 0.0)?),
            path_hz: Lerp::new(p.pair_min("path_freq_hz", 4.0, 0.0)?),
            path,
            radius: Lerp::new(p.pair("path_radius", 1.0)?),
            arc_deg: [
                Lerp::new(p.pair("arc_start_deg", 0.0)?),
                Lerp::new(p.pair("arc_end_deg", 360.0)?),
            ],
            model: Model::parse(p, hrtf)?,
        })
    }

    pub fn signature(&self, a: f64) -> Signature {
        let f = self.carrier_hz.at(a);
        // `suppression` stands for "has recursive filters": the sphere model's shadow filter.
        Signature {
            function: "spatial_angle_modulation",
            freq_l_hz: f,
            freq_r_hz: f,
            suppression: self.model.is_sphere(),
        }
    }

    pub fn bound(&self) -> [f64; 2] {
        self.model.bound(self.amp.max())
    }

    pub fn instantiate(
        &self,
        place: Placement,
        initial: Option<&VoiceState>,
    ) -> SpatialVoice<SamSource> {
        let (sr, ramp) = (place.sample_rate, place.ramp);
        let phase0 = carried_phase(initial, 0);
        let source = SamSource {
            spec: self.clone(),
            ramp,
            carrier: Carrier::plain(self.carrier_hz, ramp, sr, phase0),
            path: Clock::new(self.path_hz, ramp, sr, carried_clock(initial, PATH)),
            scratch: Box::new([0.0; CHUNK]),
        };
        let preroll = |lead: usize| {
            // x before frame 0 at the start frequency, ending at the carried phase.
            let f0 = self.carrier_hz.start.max(0.0);
            let back = phase0.add_cycles(-f0 * lead as f64 / sr as f64);
            let mut pre = vec![0.0; lead].into_boxed_slice();
            Carrier::plain(Lerp::constant(f0), Ramp::HOLD, sr, back).fill(&mut pre);
            let g = self.model.level(f0);
            pre.iter_mut().for_each(|p| *p = g * sin_cycles(*p));
            pre
        };
        SpatialVoice::new(
            source,
            &self.model,
            place,
            self.amp,
            self.speed_hz(),
            initial,
            preroll,
        )
    }

    /// Revolutions per second ψ may turn at (an upper estimate: arcs sweep their span at up to
    /// π·rate, oscillating arcs at 2·rate; squares and diamonds turn faster near the sides).
    fn speed_hz(&self) -> f64 {
        let rate = self.path_hz.max();
        let span = (self.arc_deg[1].max_abs() + self.arc_deg[0].max_abs()) / 360.0;
        match self.path {
            Path::Circle => rate,
            Path::Linear => 0.0,
            Path::Square | Path::Diamond => 2.0 * rate,
            Path::Arc => std::f64::consts::PI * span * rate,
            Path::OscillatingArc => 2.0 * span * rate,
        }
    }

    /// ψ (voice convention) with α = a, where p = frac(path clock).
    #[inline]
    fn psi(&self, p: f64, a: f64) -> f64 {
        let r = self.radius.at(a);
        if self.path_hz.start == 0.0 && self.path_hz.end == 0.0 {
            return azimuth(0.0, r, r);
        }
        let (x, y) = match self.path {
            // atan2(r·sin 2πp, r·cos 2πp) is 360°·p (+180° for r < 0) up to whole turns, which
            // no use of ψ can tell apart (cells are taken mod 72, jumps as wrapped distances).
            Path::Circle if r > 0.0 => return 360.0 * p,
            Path::Circle if r < 0.0 => return 360.0 * p + 180.0,
            Path::Circle => (r * sin_cycles(p), r * cos_cycles(p)),
            Path::Linear => (0.0, r * sin_cycles(p)),
            Path::Arc | Path::OscillatingArc => {
                let (a0, a1) = (self.arc_deg[0].at(a) / DEG, self.arc_deg[1].at(a) / DEG);
                let ang = if self.path == Path::Arc {
                    a0 + (1.0 - cos_cycles(p)) / 2.0 * (a1 - a0)
                } else {
                    a0 + (1.0 - 2.0 * (p - 0.5).abs()) * (a1 - a0)
                };
                (r * ang.sin(), r * ang.cos())
            }
            Path::Square | Path::Diamond => {
                let (c, s) = (cos_cycles(p), sin_cycles(p));
                let m = c.abs().max(s.abs());
                let (x, y) = (r * c / m, r * s / m);
                if self.path == Path::Diamond {
                    (
                        (x + y) / std::f64::consts::SQRT_2,
                        (y - x) / std::f64::consts::SQRT_2,
                    )
                } else {
                    (x, y)
                }
            }
        };
        azimuth(x, y, r)
    }
}

pub struct SamSource {
    spec: Sam,
    ramp: Ramp,
    carrier: Carrier,
    path: Clock,
    scratch: Box<[f64; CHUNK]>,
}

impl Source for SamSource {
    fn fill(&mut self, m0: u64, x: &mut [f64], psi: &mut [f64]) {
        let s = &self.spec;
        self.carrier.fill(x);
        let const_g = s
            .carrier_hz
            .is_const()
            .then(|| s.model.level(s.carrier_hz.start));
        self.path.fill_frac(m0, 0.0, psi);
        let mut at = 0;
        while at < x.len() {
            let n = (x.len() - at).min(CHUNK);
            let alpha = &mut self.scratch[..n];
            fill_alpha(&self.ramp, m0 + at as u64, alpha);
            for k in 0..n {
                let a = alpha[k];
                let g = const_g.unwrap_or_else(|| s.model.level(s.carrier_hz.at(a)));
                x[at + k] = g * sin_cycles(x[at + k]);
                psi[at + k] = s.psi(psi[at + k], a);
            }
            at += n;
        }
    }

    fn seek(&mut self, m: u64) {
        self.carrier.seek(m);
    }

    fn psi_at(&self, n: u64) -> f64 {
        self.spec
            .psi(self.path.frac_at(n, 0.0), self.ramp.alpha(n as f64))
    }

    fn state(&self, m: u64) -> VoiceState {
        let mut clocks = [0.0; 8];
        clocks[PATH] = self.path.at(m as f64);
        let mut c = self.carrier.clone();
        c.seek(m);
        let p = c.phase();
        VoiceState::ears([p, p], clocks, None)
    }
}

// --- spatial_angle_modulation_monaural_beat -------------------------------------------------------

#[derive(Debug, Clone)]
pub struct SamMonaural {
    core: Monaural,
    base_hz: Lerp,
    beat_hz: Lerp,
    am_depth: Lerp,
    am_rate_hz: Lerp,
    am_phase_rad: Lerp,
    rate_hz: Lerp,
    phase_rad: Lerp,
    sign: f64,
    radius: Lerp,
    amp: Lerp,
    model: Model,
}

impl SamMonaural {
    pub fn parse(p: &Params, hrtf: Option<&Arc<HrirSet>>) -> Result<SamMonaural> {
        let beat = p.pair_min("beat_freq_hz", 4.0, 0.0)?;
        Ok(SamMonaural {
            core: Monaural::parse(p)?,
            base_hz: Lerp::new(p.pair_min("base_freq_hz", 200.0, 0.0)?),
            beat_hz: Lerp::new(beat),
            am_depth: Lerp::new(p.pair_in("sam_am_depth", 0.0, 0.0, 2.0)?),
            am_rate_hz: Lerp::new(p.pair_min("sam_am_freq_hz", 0.0, 0.0)?),
            am_phase_rad: Lerp::new(p.pair("sam_am_phase_rad", 0.0)?),
            rate_hz: Lerp::new(p.pair_min("spatial_freq_hz", beat.0, 0.0)?),
            phase_rad: Lerp::new(p.pair("spatial_phase_rad", 0.0)?),
            sign: if p.choice("rotation", "cw", &["cw", "ccw"])? == "ccw" {
                -1.0
            } else {
                1.0
            },
            radius: Lerp::new(p.pair("path_radius", 1.0)?),
            amp: Lerp::new(p.pair_in("amp", 0.7, 0.0, 1.0)?),
            model: Model::parse(p, hrtf)?,
        })
    }

    pub fn signature(&self, a: f64) -> Signature {
        let (b, d) = (self.base_hz.at(a), self.beat_hz.at(a) / 2.0);
        Signature {
            function: "spatial_angle_modulation_monaural_beat",
            freq_l_hz: (b - d).max(0.0),
            freq_r_hz: (b + d).max(0.0),
            suppression: self.model.is_sphere(),
        }
    }

    pub fn bound(&self) -> [f64; 2] {
        self.model.bound(self.amp.max())
    }

    /// Lift-form AM of the source, only when depth and rate are non-zero (as §3.3's core AM).
    fn am_active(&self) -> bool {
        (self.am_depth.start != 0.0 || self.am_depth.end != 0.0)
            && (self.am_rate_hz.start != 0.0 || self.am_rate_hz.end != 0.0)
    }

    pub fn instantiate(
        &self,
        place: Placement,
        initial: Option<&VoiceState>,
    ) -> SpatialVoice<SamMonauralSource> {
        let (sr, ramp) = (place.sample_rate, place.ramp);
        let source = SamMonauralSource {
            spec: self.clone(),
            ramp,
            place,
            initial: initial.copied(),
            core: self.core.instantiate(place, initial),
            am_clock: Clock::new(
                self.am_rate_hz,
                ramp,
                sr,
                carried_clock(initial, MONO_SOURCE_AM),
            ),
            path: Clock::new(self.rate_hz, ramp, sr, carried_clock(initial, MONO_PATH)),
            m: 0,
            scratch: Box::new([ZERO_BUF; 8]),
        };
        let preroll = |lead: usize| {
            self.preroll(place, initial.expect("pre-roll of a continued voice"), lead)
        };
        SpatialVoice::new(
            source,
            &self.model,
            place,
            self.amp,
            self.rate_hz.max(),
            initial,
            preroll,
        )
    }

    /// The source for the `lead` frames before frame 0, at the start values, ending at the
    /// carried phases and clocks.
    fn preroll(&self, place: Placement, init: &VoiceState, lead: usize) -> Box<[f64]> {
        let sr = place.sample_rate;
        let back = self.core.rewind(init, lead as f64, sr);
        let mut core = self.core.instantiate(
            Placement {
                ramp: Ramp::HOLD,
                ..place
            },
            Some(&back),
        );
        let (mut cl, mut cr) = (vec![0.0; lead], vec![0.0; lead]);
        let mut scratch = [ZERO_BUF; 4];
        for (a, b) in cl.chunks_mut(CHUNK).zip(cr.chunks_mut(CHUNK)) {
            core.render(a, b, &mut scratch);
        }
        let rate = self.am_rate_hz.start;
        let am = Clock::new(
            Lerp::constant(rate),
            Ramp::HOLD,
            sr,
            init.clocks[MONO_SOURCE_AM] - rate * lead as f64 / sr as f64,
        );
        let g = self.model.level(self.base_hz.start);
        let (d, th) = (self.am_depth.start, self.am_phase_rad.start * INV_TAU);
        (0..lead)
            .map(|k| {
                let mut x = 0.5 * (cl[k] + cr[k]);
                if self.am_active() {
                    x *= (1.0 - d / 2.0) + (d / 2.0) * sin_cycles(am.at(k as f64) + th);
                }
                g * x
            })
            .collect()
    }

    /// ψ (voice convention) with α = a, where p = frac(path clock).
    #[inline]
    fn psi(&self, p: f64, a: f64) -> f64 {
        let r = self.radius.at(a);
        if r == 0.0 {
            return 0.0;
        }
        let psi = self.phase_rad.at(a) * DEG + self.sign * 360.0 * p;
        if r < 0.0 {
            psi + 180.0
        } else {
            psi
        }
    }
}

pub struct SamMonauralSource {
    spec: SamMonaural,
    ramp: Ramp,
    place: Placement,
    initial: Option<VoiceState>,
    core: MonauralVoice,
    am_clock: Clock,
    path: Clock,
    /// Frame the core is positioned at.
    m: u64,
    /// α and the core's output, then the core's own scratch (the source API lends none).
    scratch: Box<[Buf; 8]>,
}

impl Source for SamMonauralSource {
    fn fill(&mut self, m0: u64, x: &mut [f64], psi: &mut [f64]) {
        let s = &self.spec;
        let am = s.am_active();
        let const_g = s.base_hz.is_const().then(|| s.model.level(s.base_hz.start));
        self.path.fill_frac(m0, 0.0, psi);
        let mut at = 0;
        while at < x.len() {
            let n = (x.len() - at).min(CHUNK);
            let ([alpha, cl, cr], rest) = take::<3>(&mut self.scratch[..]);
            let (alpha, cl, cr) = (&mut alpha[..n], &mut cl[..n], &mut cr[..n]);
            fill_alpha(&self.ramp, m0 + at as u64, alpha);
            self.core.render(cl, cr, rest);
            for k in 0..n {
                let a = alpha[k];
                let nk = m0 + (at + k) as u64;
                let mut v = 0.5 * (cl[k] + cr[k]);
                if am {
                    let d = s.am_depth.at(a);
                    v *= (1.0 - d / 2.0)
                        + (d / 2.0)
                            * sin_cycles(
                                self.am_clock.at(nk as f64) + s.am_phase_rad.at(a) * INV_TAU,
                            );
                }
                x[at + k] = const_g.unwrap_or_else(|| s.model.level(s.base_hz.at(a))) * v;
                psi[at + k] = s.psi(psi[at + k], a);
            }
            at += n;
        }
        self.m = m0 + x.len() as u64;
    }

    fn seek(&mut self, m: u64) {
        self.core.seek(m);
        self.m = m;
    }

    fn psi_at(&self, n: u64) -> f64 {
        self.spec
            .psi(self.path.frac_at(n, 0.0), self.ramp.alpha(n as f64))
    }

    fn state(&self, m: u64) -> VoiceState {
        let mut st = if m == self.m {
            self.core.state()
        } else {
            let mut core = self
                .spec
                .core
                .instantiate(self.place, self.initial.as_ref());
            core.seek(m);
            core.state()
        };
        st.clocks[MONO_SOURCE_AM] = self.am_clock.at(m as f64);
        st.clocks[MONO_PATH] = self.path.at(m as f64);
        st
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hrtf::{AZIMUTHS, LEVEL_POINTS};
    use crate::plan::{RampCurve, RampPlan, VoicePlan};
    use crate::voices::{Resources, VoiceSpec};

    const SR: u32 = 16_000;
    const LEN: u64 = 40_000;

    /// A made-up response set: a delay and a decaying ripple per direction and ear.
    fn set() -> Arc<HrirSet> {
        let taps = 150;
        let mut irs = vec![0.0; AZIMUTHS * 2 * taps];
        for az in 0..AZIMUTHS {
            for ear in 0..2 {
                let delay = 3 + (az * 7 + ear * 13) % 20;
                for k in delay..taps {
                    let t = (k - delay) as f64;
                    irs[(az * 2 + ear) * taps + k] =
                        (-t / 15.0).exp() * (0.3 * t + az as f64).cos() / (1.0 + ear as f64);
                }
            }
        }
        Arc::new(HrirSet::new(SR, taps, &irs, &[0.5; LEVEL_POINTS]).unwrap())
    }

    fn voice(function: &str, params: serde_json::Value) -> (VoiceSpec, Placement) {
        let plan: VoicePlan = serde_json::from_value(serde_json::json!({
            "source_index": 0, "function": function, "params": params,
        }))
        .unwrap();
        let spec = VoiceSpec::parse_with(&plan, 0, 0, &Resources { hrtf: Some(set()) }).unwrap();
        let ramp = Ramp::new(
            Some(&RampPlan {
                initial_offset_s: 0.3,
                transition_s: Some(1.5),
                curve: RampCurve::Exponential,
            }),
            LEN,
            SR,
        );
        (
            spec,
            Placement {
                step_frames: LEN,
                sample_rate: SR,
                ramp,
                seed: 0,
            },
        )
    }

    fn render(spec: &VoiceSpec, place: Placement, from: u64, n: usize, block: usize) -> Vec<f64> {
        let mut v = spec.instantiate(place, None, from);
        let (mut l, mut r) = (vec![0.0; n], vec![0.0; n]);
        let mut scratch = crate::voices::Scratch::boxed();
        for (a, b) in l.chunks_mut(block).zip(r.chunks_mut(block)) {
            v.render(a, b, &mut scratch.0);
        }
        l.into_iter().zip(r).flat_map(|(a, b)| [a, b]).collect()
    }

    fn cases() -> Vec<(VoiceSpec, Placement, f64)> {
        vec![
            {
                // radius ramping through 0 (a jump) on a linear path (front/back jumps)
                let (s, p) = voice(
                    "spatial_angle_modulation",
                    serde_json::json!({
                    "path_shape": "linear", "path_freq_hz": [3.0, 7.0], "carrier_freq_hz": [300.0, 900.0],
                    "path_radius": [1.0, -0.5], "amp": [0.3, 0.9]}),
                );
                (s, p, 0.0)
            },
            {
                let (s, p) = voice(
                    "spatial_angle_modulation_monaural_beat",
                    serde_json::json!({
                    "spatial_freq_hz": [0.5, 9.0], "base_freq_hz": 500.0, "am_depth": 0.5, "am_freq_hz": 2.0,
                    "sam_am_depth": 1.0, "sam_am_freq_hz": 3.0, "rotation": "ccw"}),
                );
                (s, p, 0.0)
            },
            {
                let (s, p) = voice(
                    "spatial_angle_modulation",
                    serde_json::json!({
                    "hrtf_model": "sphere", "path_shape": "square", "path_freq_hz": [1.0, 4.0]}),
                );
                (s, p, 1e-9)
            },
        ]
    }

    #[test]
    fn any_block_size_and_any_seek_give_the_same_samples() {
        for (spec, place, seek_tol) in cases() {
            let full = render(&spec, place, 0, LEN as usize, CHUNK);
            for block in [1, 64, 127, 200] {
                assert_eq!(
                    render(&spec, place, 0, LEN as usize, block),
                    full,
                    "block {block}"
                );
            }
            for m in [1u64, 2_000, 11_111, 33_333] {
                let tail = render(&spec, place, m, (LEN - m) as usize, 97);
                let worst = tail
                    .iter()
                    .zip(&full[2 * m as usize..])
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max);
                assert!(worst <= seek_tol, "seek {m}: {worst}");
            }
        }
    }

    #[test]
    fn kemar_blocks_match_direct_convolution() {
        // One static direction between grid cells: y = amp·g·((1 − w)·h_i + w·h_{i+1}) ∗ x.
        let (spec, place) = voice(
            "spatial_angle_modulation",
            serde_json::json!({
            "path_freq_hz": 0.0, "path_radius": 1.0, "carrier_freq_hz": 1234.5, "amp": 0.8}),
        );
        let y = render(&spec, place, 0, 3000, CHUNK);
        let set = set();
        // ψ = 0 → cell 0, w = 0: the response of azimuth 0.
        let x: Vec<f64> = (0..3000)
            .map(|n| 0.5 * sin_cycles(1234.5 * n as f64 / SR as f64))
            .collect();
        for n in [0usize, 1, 149, 150, 2999] {
            for ear in 0..2 {
                let ir = |k: usize| {
                    // rebuild the response exactly as set() made it
                    let delay = 3 + (ear * 13) % 20;
                    if k < delay {
                        0.0
                    } else {
                        let t = (k - delay) as f64;
                        (-t / 15.0).exp() * (0.3 * t).cos() / (1.0 + ear as f64)
                    }
                };
                let direct: f64 = (0..set.taps.min(n + 1))
                    .map(|k| ir(k) * x[n - k])
                    .sum::<f64>()
                    * 0.8;
                assert!(
                    (y[2 * n + ear] - direct).abs() < 1e-12,
                    "frame {n} ear {ear}: {} vs {direct}",
                    y[2 * n + ear]
                );
            }
        }
    }
}

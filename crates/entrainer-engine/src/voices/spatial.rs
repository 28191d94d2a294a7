//! `spatial_angle_modulation` (`voices.md` §3.10) and `spatial_angle_modulation_monaural_beat`
//! (§3.11): a mono source carried around the head, rendered by [`crate::hrtf`].
//!
//! Both voices keep a history of their source x (zero before frame 0) so that the renderer
//! sees the inputs it needs. A seek replays from a frame far enough back (the KEMAR window
//! and crossfade, or the sphere model's warm-up) with empty history, which makes KEMAR exact
//! (class E) and the sphere model class F.

use std::sync::Arc;

use crate::filters::Df1;
use crate::hrtf::{HrirSet, Kemar, Sphere, COEFF_BLOCK};
use crate::osc::{Carrier, CarrierSpec, Clock, Phase};
use crate::plan::Params;
use crate::ramp::{Lerp, Ramp};
use crate::shapes::{cos_cycles, sin_cycles};
use crate::Result;
use crate::error::EngineError;

use super::common::{fill_alpha, CHUNK, INV_TAU};
use super::monaural::{Monaural, MonauralVoice};
use super::{Placement, Signature, Voice, VoiceState};

const DEG: f64 = 180.0 / std::f64::consts::PI;

/// Clock roles in the continuation state.
const PATH: usize = 0;
const MONO_PATH: usize = 3;
const MONO_SOURCE_AM: usize = 2;

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
                    message: "\"kemar\" needs the KEMAR responses, which were not given to the engine".to_string(),
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
        let b = if self.is_sphere() { 2.2 * amp } else { 1.1 * amp };
        [b, b]
    }
}

/// The head renderer of one voice instance, with its source history.
struct Head {
    kemar: Option<Kemar>,
    sphere: Option<Sphere>,
    lead: usize,
    /// x from frame m − lead on: `lead` history values, then the chunk being rendered.
    x: Box<[f64]>,
    psi: Box<[f64; CHUNK]>,
    /// A continued voice's input before its frame 0: its source extrapolated backwards at the
    /// start values from the carried phases, so it picks up where its predecessor was.
    preroll: Option<Box<[f64]>>,
    carried: Option<[Df1; 2]>,
}

impl Head {
    fn new(model: &Model, sr: u32) -> Head {
        let (kemar, sphere) = match model {
            Model::Kemar(set) => (Some(Kemar::new(Arc::clone(set))), None),
            Model::Sphere => (None, Some(Sphere::new(sr))),
        };
        let lead = kemar.as_ref().map_or_else(|| sphere.as_ref().map_or(0, |s| s.lead()), |k| k.lead());
        Head { kemar, sphere, lead, x: vec![0.0; lead + CHUNK].into_boxed_slice(), psi: Box::new([0.0; CHUNK]), preroll: None, carried: None }
    }

    /// First frame to replay from (with empty history) so that frame m comes out right.
    fn replay_from(&self, m: u64) -> u64 {
        match (&self.kemar, &self.sphere) {
            (Some(k), _) => m.saturating_sub(k.warmup()),
            (_, Some(s)) => m.saturating_sub(s.warmup()) / COEFF_BLOCK * COEFF_BLOCK,
            _ => m,
        }
    }

    /// Empty state before rendering frame `from` (carried state and pre-roll at frame 0).
    fn reset(&mut self, from: u64) {
        self.x.fill(0.0);
        if from == 0 {
            if let Some(p) = &self.preroll {
                self.x[..self.lead].copy_from_slice(p);
            }
        }
        if let Some(k) = &mut self.kemar {
            k.reset();
        }
        if let Some(s) = &mut self.sphere {
            s.reset(if from == 0 { self.carried } else { None });
        }
    }

    /// Renders frames m0… from the source already written to x[lead..lead + n] and ψ (voice
    /// convention), scaled by amp; then shifts the history.
    fn render(&mut self, m0: u64, n: usize, l: &mut [f64], r: &mut [f64]) {
        for p in self.psi[..n].iter_mut() {
            *p = -*p; // the data convention: positive = left
        }
        let x = &self.x[..self.lead + n];
        if let Some(k) = &mut self.kemar {
            k.render(m0, x, &self.psi[..n], l, r);
        } else if let Some(s) = &mut self.sphere {
            s.render(m0, x, &self.psi[..n], l, r);
        }
        self.x.copy_within(n..n + self.lead, 0);
    }

    fn filters(&self) -> Option<[[Df1; 4]; 2]> {
        self.sphere.as_ref().map(|s| [[s.state[0], Df1::default(), Df1::default(), Df1::default()], [s.state[1], Df1::default(), Df1::default(), Df1::default()]])
    }
}

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
        let path = match p.choice("path_shape", "circle", &["circle", "square", "linear", "arc", "diamond", "oscillating_arc"])? {
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
            arc_deg: [Lerp::new(p.pair("arc_start_deg", 0.0)?), Lerp::new(p.pair("arc_end_deg", 360.0)?)],
            model: Model::parse(p, hrtf)?,
        })
    }

    pub fn signature(&self, a: f64) -> Signature {
        let f = self.carrier_hz.at(a);
        Signature { function: "spatial_angle_modulation", freq_l_hz: f, freq_r_hz: f, suppression: self.model.is_sphere() }
    }

    pub fn bound(&self) -> [f64; 2] {
        self.model.bound(self.amp.max())
    }

    /// ψ (voice convention) at frame n with α = a.
    #[inline]
    fn psi(&self, clock: &Clock, n: u64, a: f64) -> f64 {
        let r = self.radius.at(a);
        if clock.is_stopped() {
            return azimuth(0.0, r, r);
        }
        let p = clock.frac_at(n, 0.0);
        let (x, y) = match self.path {
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
                    ((x + y) / std::f64::consts::SQRT_2, (y - x) / std::f64::consts::SQRT_2)
                } else {
                    (x, y)
                }
            }
        };
        azimuth(x, y, r)
    }

    pub fn instantiate(&self, place: Placement, initial: Option<&VoiceState>) -> SamVoice {
        let (sr, ramp) = (place.sample_rate, place.ramp);
        let phase0 = initial.map_or(Phase::default(), |s| s.phases[0]);
        let carrier = Carrier::new(CarrierSpec { base_hz: self.carrier_hz, vibrato: None }, ramp, sr, phase0);
        let mut head = Head::new(&self.model, sr);
        if let Some(init) = initial {
            head.carried = init.filters.map(|f| [f[0][0], f[1][0]]);
            // x before frame 0 at the start frequency, ending at the carried phase.
            let (lead, f0) = (head.lead, self.carrier_hz.start.max(0.0));
            let back = init.phases[0].add(-f0 * lead as f64 / sr as f64);
            let mut pre = vec![0.0; lead].into_boxed_slice();
            Carrier::new(CarrierSpec { base_hz: Lerp::constant(f0), vibrato: None }, Ramp::HOLD, sr, back).fill(&mut pre);
            let g = self.model.level(f0);
            pre.iter_mut().for_each(|p| *p = g * sin_cycles(*p));
            head.preroll = Some(pre);
        }
        head.reset(0);
        SamVoice {
            spec: self.clone(),
            ramp,
            m: 0,
            carrier,
            path: Clock::new(self.path_hz, ramp, sr, initial.map_or(0.0, |s| s.clocks[PATH])),
            head,
            scratch: Box::new([[0.0; CHUNK]; 2]),
        }
    }
}

pub struct SamVoice {
    spec: Sam,
    ramp: Ramp,
    m: u64,
    carrier: Carrier,
    path: Clock,
    head: Head,
    scratch: Box<[[f64; CHUNK]; 2]>,
}

impl SamVoice {
    fn step(&mut self, l: &mut [f64], r: &mut [f64]) {
        let n = l.len();
        let m0 = self.m;
        let [alpha, phase] = &mut *self.scratch;
        let (alpha, phase) = (&mut alpha[..n], &mut phase[..n]);
        fill_alpha(&self.ramp, m0, alpha);
        self.carrier.fill(phase);
        let s = &self.spec;
        let lead = self.head.lead;
        let const_g = s.carrier_hz.is_const().then(|| s.model.level(s.carrier_hz.start));
        for k in 0..n {
            let g = const_g.unwrap_or_else(|| s.model.level(s.carrier_hz.at(alpha[k])));
            self.head.x[lead + k] = g * sin_cycles(phase[k]);
            self.head.psi[k] = s.psi(&self.path, m0 + k as u64, alpha[k]);
        }
        self.head.render(m0, n, l, r);
        for k in 0..n {
            let a = s.amp.at(alpha[k]);
            l[k] *= a;
            r[k] *= a;
        }
        self.m += n as u64;
    }
}

impl Voice for SamVoice {
    fn render(&mut self, l: &mut [f64], r: &mut [f64]) {
        self.step(l, r);
    }

    fn seek(&mut self, m: u64) {
        let from = self.head.replay_from(m);
        self.head.reset(from);
        self.carrier.seek(from);
        self.m = from;
        let (mut l, mut r) = ([0.0; CHUNK], [0.0; CHUNK]);
        while self.m < m {
            let n = ((m - self.m) as usize).min(CHUNK);
            self.step(&mut l[..n], &mut r[..n]);
        }
    }

    fn state(&self) -> VoiceState {
        let mut clocks = [0.0; 8];
        clocks[PATH] = self.path.at(self.m as f64);
        let c = self.carrier.phase();
        VoiceState { phases: [c, c], clocks, filters: self.head.filters() }
    }
}

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
            sign: if p.choice("rotation", "cw", &["cw", "ccw"])? == "ccw" { -1.0 } else { 1.0 },
            radius: Lerp::new(p.pair("path_radius", 1.0)?),
            amp: Lerp::new(p.pair_in("amp", 0.7, 0.0, 1.0)?),
            model: Model::parse(p, hrtf)?,
        })
    }

    pub fn signature(&self, a: f64) -> Signature {
        let (b, d) = (self.base_hz.at(a), self.beat_hz.at(a) / 2.0);
        Signature { function: "spatial_angle_modulation_monaural_beat", freq_l_hz: (b - d).max(0.0), freq_r_hz: (b + d).max(0.0), suppression: self.model.is_sphere() }
    }

    pub fn bound(&self) -> [f64; 2] {
        self.model.bound(self.amp.max())
    }

    fn am_active(&self) -> bool {
        (self.am_depth.start != 0.0 || self.am_depth.end != 0.0) && (self.am_rate_hz.start != 0.0 || self.am_rate_hz.end != 0.0)
    }

    pub fn instantiate(&self, place: Placement, initial: Option<&VoiceState>) -> SamMonauralVoice {
        let (sr, ramp) = (place.sample_rate, place.ramp);
        let clock0 = |role: usize| initial.map_or(0.0, |s| s.clocks[role]);
        let mut head = Head::new(&self.model, sr);
        if let Some(init) = initial {
            head.carried = init.filters.map(|f| [f[0][0], f[1][0]]);
            head.preroll = Some(self.preroll(place, init, head.lead));
        }
        head.reset(0);
        SamMonauralVoice {
            spec: self.clone(),
            ramp,
            m: 0,
            core: self.core.instantiate(place, initial),
            am_clock: Clock::new(self.am_rate_hz, ramp, sr, clock0(MONO_SOURCE_AM)),
            path: Clock::new(self.rate_hz, ramp, sr, clock0(MONO_PATH)),
            head,
            scratch: Box::new([[0.0; CHUNK]; 3]),
        }
    }

    /// The source for the `lead` frames before frame 0, at the start values, ending at the
    /// carried phases and clocks (see `Head::preroll`).
    fn preroll(&self, place: Placement, init: &VoiceState, lead: usize) -> Box<[f64]> {
        let sr = place.sample_rate;
        let back = self.core.rewind(init, lead as f64, sr);
        let mut core = self.core.instantiate(Placement { ramp: Ramp::HOLD, ..place }, Some(&back));
        let (mut cl, mut cr) = (vec![0.0; lead], vec![0.0; lead]);
        for (a, b) in cl.chunks_mut(CHUNK).zip(cr.chunks_mut(CHUNK)) {
            core.render(a, b);
        }
        let rate = self.am_rate_hz.start;
        let am = Clock::new(Lerp::constant(rate), Ramp::HOLD, sr, init.clocks[MONO_SOURCE_AM] - rate * lead as f64 / sr as f64);
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
}

pub struct SamMonauralVoice {
    spec: SamMonaural,
    ramp: Ramp,
    m: u64,
    core: MonauralVoice,
    am_clock: Clock,
    path: Clock,
    head: Head,
    scratch: Box<[[f64; CHUNK]; 3]>,
}

impl SamMonauralVoice {
    fn step(&mut self, l: &mut [f64], r: &mut [f64]) {
        let n = l.len();
        let m0 = self.m;
        let [alpha, cl, cr] = &mut *self.scratch;
        let (alpha, cl, cr) = (&mut alpha[..n], &mut cl[..n], &mut cr[..n]);
        fill_alpha(&self.ramp, m0, alpha);
        self.core.render(cl, cr);
        let s = &self.spec;
        let lead = self.head.lead;
        let am = s.am_active();
        let const_g = s.base_hz.is_const().then(|| s.model.level(s.base_hz.start));
        for k in 0..n {
            let a = alpha[k];
            let nk = m0 + k as u64;
            let mut x = 0.5 * (cl[k] + cr[k]);
            if am {
                let d = s.am_depth.at(a);
                x *= (1.0 - d / 2.0) + (d / 2.0) * sin_cycles(self.am_clock.at(nk as f64) + s.am_phase_rad.at(a) * INV_TAU);
            }
            let g = const_g.unwrap_or_else(|| s.model.level(s.base_hz.at(a)));
            self.head.x[lead + k] = g * x;
            let r = s.radius.at(a);
            self.head.psi[k] = if r == 0.0 {
                0.0
            } else {
                let psi = s.phase_rad.at(a) * DEG + s.sign * 360.0 * self.path.frac_at(nk, 0.0);
                if r < 0.0 { psi + 180.0 } else { psi }
            };
        }
        self.head.render(m0, n, l, r);
        for k in 0..n {
            let a = s.amp.at(alpha[k]);
            l[k] *= a;
            r[k] *= a;
        }
        self.m += n as u64;
    }
}

impl Voice for SamMonauralVoice {
    fn render(&mut self, l: &mut [f64], r: &mut [f64]) {
        self.step(l, r);
    }

    fn seek(&mut self, m: u64) {
        let from = self.head.replay_from(m);
        self.head.reset(from);
        self.core.seek(from);
        self.m = from;
        let (mut l, mut r) = ([0.0; CHUNK], [0.0; CHUNK]);
        while self.m < m {
            let n = ((m - self.m) as usize).min(CHUNK);
            self.step(&mut l[..n], &mut r[..n]);
        }
    }

    fn state(&self) -> VoiceState {
        let mut st = self.core.state();
        st.clocks[MONO_SOURCE_AM] = self.am_clock.at(self.m as f64);
        st.clocks[MONO_PATH] = self.path.at(self.m as f64);
        st.filters = self.head.filters();
        st
    }
}

//! The voice registry and the hooks `render.md` needs from every voice (`voices.md` §2.16):
//! rendering in blocks, state at any frame, continuation signature and state, amplitude bound.

mod am_shaping;
mod binaural;
mod common;
mod dual_pulse;
mod isochronic;
mod monaural;
mod noise;
mod pan;
mod qam;
mod spatial;
mod subliminal;

use crate::error::{EngineError, Result};
use crate::filters::Df1;
use crate::osc::{Carrier, Clock, Phase};
use crate::plan::{Params, VoicePlan};
use crate::ramp::Ramp;

pub use common::{DipAm, CHUNK};

/// Function names this engine renders, in registry order.
pub const IMPLEMENTED: [&str; 15] = [
    "binaural_beat",
    "isochronic_tone",
    "monaural_beat_stereo_amps",
    "noise_generator",
    "noise_swept_notch",
    "generate_swept_notch_pink_sound",
    "stereo_am_independent",
    "wave_shape_stereo_am",
    "rhythmic_waveshaping",
    "qam_beat",
    "hybrid_qam_monaural_beat",
    "dual_pulse_binaural",
    "subliminal_encode",
    "spatial_angle_modulation",
    "spatial_angle_modulation_monaural_beat",
];

/// One scratch buffer of a render call: [`CHUNK`] frames and a cache line of padding, so that
/// consecutive buffers do not start 8 KiB apart (which maps their first lines to the same
/// L1 cache sets: real-time calls use only the first few hundred frames of each).
pub type Buf = [f64; CHUNK + BUF_PAD];

/// Padding after each scratch buffer, in values.
const BUF_PAD: usize = 8;

/// A scratch buffer of zeros.
pub const ZERO_BUF: Buf = [0.0; CHUNK + BUF_PAD];

/// Scratch buffers a voice may use during one render call, at most.
pub const SCRATCH: usize = 16;

/// The scratch buffers lent to voices: they hold nothing between calls, so one set per thread
/// (`cache::with_scratch`) serves every voice of every renderer on it, and the streams a
/// thread serves keep a small working set (many streams share one core's caches). The level
/// analysis has its own ([`Scratch::boxed`]).
pub struct Scratch(pub [Buf; SCRATCH]);

impl Scratch {
    pub const EMPTY: Scratch = Scratch([ZERO_BUF; SCRATCH]);

    pub fn boxed() -> Box<Scratch> {
        Box::new(Scratch::EMPTY)
    }
}

/// The first K buffers of `s`, and the rest (for a voice that renders another one).
#[inline(always)]
pub fn take<const K: usize>(s: &mut [Buf]) -> (&mut [Buf; K], &mut [Buf]) {
    let (a, b) = s.split_at_mut(K);
    (a.try_into().expect("enough scratch buffers"), b)
}

/// A voice instance positioned in its step. Implementations never allocate in `render`.
pub trait Voice: Send {
    /// Writes the voice's own output for the next `l.len()` frames (≤ [`CHUNK`]) and advances.
    /// `scratch` holds at least [`SCRATCH`] buffers when called by the renderer.
    fn render(&mut self, l: &mut [f64], r: &mut [f64], scratch: &mut [Buf]);
    /// Adds the voice's output for the next `yl.len()` frames into `yl`, `yr` and advances:
    /// bit for bit what [`Voice::render`] into scratch and adding would give (the default).
    /// Voices may add from their last stage straight into the mix, saving a pass.
    fn render_add(&mut self, yl: &mut [f64], yr: &mut [f64], scratch: &mut [Buf]) {
        render_then_add(self, yl, yr, scratch);
    }
    /// Positions the voice so that the next frame rendered is step-local frame `m`.
    fn seek(&mut self, m: u64);
    /// Continuation state at the next frame to render (`voices.md` §2.16).
    fn state(&self) -> VoiceState;
    /// A strict bound on |output| per channel over step frames [m0, m0 + n), tighter than the
    /// spec's [`VoiceSpec::strict_bound`] where the voice knows its modulation (None: use
    /// that one). A function of m0 and n alone, whatever the voice's position; the level
    /// analysis skips on it (`levels.rs`), so it must never be below the output.
    fn block_bound(&self, _m0: u64, _n: u64) -> Option<[f64; 2]> {
        None
    }
    /// The voice's carriers when its output is exactly gain·e(n)·sin 2πΦ(n) per ear, each
    /// carrier on the phasor path (`osc::Carrier::phasor_key`) and e a static AM envelope or
    /// none: the step renderer may then add it with the other voices that share its vibrato
    /// phasors (`osc::add_phasor_group`). None (the default) otherwise; the answer never
    /// changes while the voice lives.
    fn phasor_part(&mut self) -> Option<PhasorPart<'_>> {
        None
    }
    /// Whether both ears are the same signal, without a volume stage of the voice's own that
    /// [`Voice::add_twin`] would skip: the step renderer may then add the voice once for both
    /// ears. False (the default) otherwise; the answer never changes while the voice lives.
    fn is_twin(&self) -> bool {
        false
    }
    /// For a twin voice: y += its (either) ear's output for the next `y.len()` frames, bit
    /// for bit what [`Voice::render`] writes to each ear, and advances.
    fn add_twin(&mut self, _y: &mut [f64], _scratch: &mut [Buf]) {
        unreachable!("only twin voices add one ear")
    }
}

/// A voice's share of the step's phasor groups ([`Voice::phasor_part`]).
pub struct PhasorPart<'a> {
    /// Each on the phasor path ([`Carrier::phasor_key`] is Some).
    pub carriers: &'a mut [Carrier; 2],
    pub gains: [f64; 2],
    /// Each ear's AM with its clock (static, so that its envelope needs no α), when active.
    pub am: [Option<(&'a DipAm, &'a Clock)>; 2],
    /// The voice's position, which the renderer advances after adding its carriers.
    pub m: &'a mut u64,
}

impl PhasorPart<'_> {
    /// Each ear's [`Carrier::phasor_key`].
    pub fn keys(&self) -> [[u64; 7]; 2] {
        self.carriers
            .each_ref()
            .map(|c| c.phasor_key().expect("carriers on the phasor path"))
    }
}

/// [`Voice::render`] into two scratch buffers, then y += v.
#[inline]
pub fn render_then_add<V: Voice + ?Sized>(
    voice: &mut V,
    yl: &mut [f64],
    yr: &mut [f64],
    scratch: &mut [Buf],
) {
    let n = yl.len();
    let ([vl, vr], rest) = take::<2>(scratch);
    voice.render(&mut vl[..n], &mut vr[..n], rest);
    add_into(yl, yr, &vl[..n], &vr[..n]);
}

/// y += v on both channels.
#[inline(always)]
pub fn add_into(yl: &mut [f64], yr: &mut [f64], vl: &[f64], vr: &[f64]) {
    let n = yl.len();
    let (yr, vl, vr) = (&mut yr[..n], &vl[..n], &vr[..n]);
    for k in 0..n {
        yl[k] += vl[k];
        yr[k] += vr[k];
    }
}

/// Delay lines of up to 8 sections per channel (harmonic suppression uses 4, the QAM
/// post-filter 8).
pub type FilterState = [[Df1; 8]; 2];

/// Carried phases, clocks (by role) and recursive-filter state of a voice.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct VoiceState {
    pub phases: [Phase; 4],
    pub clocks: [f64; 8],
    pub filters: Option<FilterState>,
}

impl VoiceState {
    /// The state of a voice with one carrier per ear (phases 0 and 1; the others stay 0).
    pub fn ears(phases: [Phase; 2], clocks: [f64; 8], filters: Option<FilterState>) -> VoiceState {
        VoiceState {
            phases: [phases[0], phases[1], Phase::default(), Phase::default()],
            clocks,
            filters,
        }
    }
}

/// What continuation matching compares (`render.md` §7.3).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Signature {
    pub function: &'static str,
    pub freq_l_hz: f64,
    pub freq_r_hz: f64,
    pub suppression: bool,
}

impl Signature {
    pub fn matches(&self, other: &Signature) -> bool {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * a.abs().max(1.0);
        self.function == other.function
            && self.suppression == other.suppression
            && close(self.freq_l_hz, other.freq_l_hz)
            && close(self.freq_r_hz, other.freq_r_hz)
    }
}

/// A parsed voice: parameters decoded once, instantiated per render position.
#[derive(Debug, Clone)]
pub enum VoiceSpec {
    Binaural(binaural::Binaural),
    Isochronic(isochronic::Isochronic),
    Monaural(monaural::Monaural),
    Noise(noise::Noise),
    StereoAm(am_shaping::StereoAm),
    WaveShape(am_shaping::WaveShape),
    Rhythmic(am_shaping::Rhythmic),
    Qam(qam::Qam),
    Hybrid(qam::Hybrid),
    DualPulse(dual_pulse::DualPulse),
    Subliminal(subliminal::Subliminal),
    Sam(spatial::Sam),
    SamMonaural(spatial::SamMonaural),
}

/// Data a voice may need that the engine cannot load itself (it does no file I/O).
#[derive(Debug, Clone, Default)]
pub struct Resources {
    /// KEMAR responses at the render rate, for `hrtf_model: "kemar"` (`voices.md` §2.12).
    pub hrtf: Option<std::sync::Arc<crate::hrtf::HrirSet>>,
}

/// Where a voice sits in its step.
#[derive(Debug, Clone, Copy)]
pub struct Placement {
    pub step_frames: u64,
    pub sample_rate: u32,
    pub ramp: Ramp,
    /// The voice seed (`render.md` §13): the voice's own `seed`, or derived from the render
    /// seed and the voice's position in the file.
    pub seed: u64,
}

/// The voice seed: `derived("step/<i>/voice/<j>")` unless the voice gives its own.
pub fn voice_seed(
    render_seed: u64,
    step_source: usize,
    voice_source: usize,
    own: Option<u64>,
) -> u64 {
    own.unwrap_or_else(|| {
        crate::rng::derived(
            render_seed,
            &format!("step/{step_source}/voice/{voice_source}"),
        )
    })
}

impl VoiceSpec {
    pub fn parse(plan: &VoicePlan, step: usize, voice: usize) -> Result<VoiceSpec> {
        Self::parse_with(plan, step, voice, &Resources::default())
    }

    /// Like [`parse`](Self::parse), with data prepared outside the engine (HRTF tables).
    pub fn parse_with(
        plan: &VoicePlan,
        step: usize,
        voice: usize,
        res: &Resources,
    ) -> Result<VoiceSpec> {
        let p = Params::new(step, voice, &plan.params);
        match plan.function.as_str() {
            "binaural_beat" => Ok(VoiceSpec::Binaural(binaural::Binaural::parse(&p)?)),
            "isochronic_tone" => Ok(VoiceSpec::Isochronic(isochronic::Isochronic::parse(&p)?)),
            "monaural_beat_stereo_amps" => Ok(VoiceSpec::Monaural(monaural::Monaural::parse(&p)?)),
            "noise_generator" => Ok(VoiceSpec::Noise(noise::Noise::parse(&p, 0.25)?)),
            "noise_swept_notch" | "generate_swept_notch_pink_sound" => {
                Ok(VoiceSpec::Noise(noise::Noise::parse(&p, 1.0)?))
            }
            "stereo_am_independent" => Ok(VoiceSpec::StereoAm(am_shaping::StereoAm::parse(&p)?)),
            "wave_shape_stereo_am" => Ok(VoiceSpec::WaveShape(am_shaping::WaveShape::parse(&p)?)),
            "rhythmic_waveshaping" => Ok(VoiceSpec::Rhythmic(am_shaping::Rhythmic::parse(&p)?)),
            "qam_beat" => Ok(VoiceSpec::Qam(qam::Qam::parse(&p)?)),
            "hybrid_qam_monaural_beat" => Ok(VoiceSpec::Hybrid(qam::Hybrid::parse(&p)?)),
            "dual_pulse_binaural" => Ok(VoiceSpec::DualPulse(dual_pulse::DualPulse::parse(&p)?)),
            "subliminal_encode" => Ok(VoiceSpec::Subliminal(subliminal::Subliminal::parse(
                &p,
                &plan.audio,
            )?)),
            "spatial_angle_modulation" => {
                Ok(VoiceSpec::Sam(spatial::Sam::parse(&p, res.hrtf.as_ref())?))
            }
            "spatial_angle_modulation_monaural_beat" => Ok(VoiceSpec::SamMonaural(
                spatial::SamMonaural::parse(&p, res.hrtf.as_ref())?,
            )),
            other => Err(EngineError::UnknownFunction {
                step,
                voice,
                name: other.to_string(),
                known: IMPLEMENTED.to_vec(),
            }),
        }
    }

    /// A voice positioned at step-local frame `at`, starting from `initial` when it continues.
    pub fn instantiate(
        &self,
        place: Placement,
        initial: Option<&VoiceState>,
        at: u64,
    ) -> Box<dyn Voice> {
        let mut v: Box<dyn Voice> = match self {
            VoiceSpec::Binaural(b) => Box::new(b.instantiate(place, initial)),
            VoiceSpec::Isochronic(b) => Box::new(b.instantiate(place, initial)),
            VoiceSpec::Monaural(b) => Box::new(b.instantiate(place, initial)),
            VoiceSpec::Noise(b) => Box::new(b.instantiate(place)),
            VoiceSpec::StereoAm(b) => Box::new(b.instantiate(place, initial)),
            VoiceSpec::WaveShape(b) => Box::new(b.instantiate(place, initial)),
            VoiceSpec::Rhythmic(b) => Box::new(b.instantiate(place, initial)),
            VoiceSpec::Qam(b) => Box::new(b.instantiate(place, initial)),
            VoiceSpec::Hybrid(b) => Box::new(b.instantiate(place, initial)),
            VoiceSpec::DualPulse(b) => Box::new(b.instantiate(place, initial)),
            VoiceSpec::Subliminal(b) => Box::new(b.instantiate(place)),
            VoiceSpec::Sam(b) => Box::new(b.instantiate(place, initial)),
            VoiceSpec::SamMonaural(b) => Box::new(b.instantiate(place, initial)),
        };
        if at != 0 {
            v.seek(at);
        }
        v
    }

    /// Signature at step-local frame position `x` (nominal frequencies, no modulation).
    pub fn signature(&self, ramp: &Ramp, x: f64) -> Option<Signature> {
        let a = ramp.alpha(x);
        Some(match self {
            VoiceSpec::Binaural(b) => b.signature(a),
            VoiceSpec::Isochronic(b) => b.signature(a),
            VoiceSpec::Monaural(b) => b.signature(a),
            VoiceSpec::Noise(_) => return None,
            VoiceSpec::StereoAm(b) => b.signature(a),
            VoiceSpec::WaveShape(b) => b.signature(a),
            VoiceSpec::Rhythmic(b) => b.signature(a),
            VoiceSpec::Qam(b) => b.signature(a),
            VoiceSpec::Hybrid(b) => b.signature(a),
            VoiceSpec::DualPulse(b) => b.signature(a),
            VoiceSpec::Subliminal(_) => return None,
            VoiceSpec::Sam(b) => b.signature(a),
            VoiceSpec::SamMonaural(b) => b.signature(a),
        })
    }

    /// Work that depends on where the voice sits (rate, step length), done once before any
    /// audio: `subliminal_encode` modulates and measures its segments here.
    /// The noise voices compute their calibration here, so instantiating one mid-render stays
    /// cheap.
    pub fn prepare(&mut self, place: &Placement) -> Result<()> {
        match self {
            VoiceSpec::Subliminal(b) => b.prepare(place),
            VoiceSpec::Noise(b) => {
                b.prepare(place.sample_rate);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// [`amplitude_bound`](Self::amplitude_bound) when it is a strict bound of every sample
    /// the engine renders (to within its 1e-9 interpolation error), so that the analysis may
    /// skip the voice where the bound cannot reach the peak (`levels.rs`). `None` for voices
    /// whose bound is statistical (noise) or allows for filter overshoot by a margin
    /// (harmonic suppression, the QAM filters, HRTFs, subliminal segments): those are always
    /// rendered. Property tested in `tests/test_levels.py` (bounded = full analysis).
    pub fn strict_bound(&self) -> Option<[f64; 2]> {
        match self {
            VoiceSpec::Binaural(b) => Some(b.bound()),
            VoiceSpec::Monaural(b) => Some(b.bound()),
            VoiceSpec::StereoAm(b) => Some(b.bound()),
            VoiceSpec::WaveShape(b) => Some(b.bound()),
            VoiceSpec::Rhythmic(b) => Some(b.bound()),
            VoiceSpec::Isochronic(b) if !b.suppression => Some(b.bound()),
            VoiceSpec::DualPulse(b) if !b.suppression => Some(b.bound()),
            _ => None,
        }
    }

    /// Upper bound of |output| per channel over the step (`render.md` §10.3).
    pub fn amplitude_bound(&self) -> [f64; 2] {
        match self {
            VoiceSpec::Binaural(b) => b.bound(),
            VoiceSpec::Isochronic(b) => b.bound(),
            VoiceSpec::Monaural(b) => b.bound(),
            VoiceSpec::StereoAm(b) => b.bound(),
            VoiceSpec::WaveShape(b) => b.bound(),
            VoiceSpec::Rhythmic(b) => b.bound(),
            VoiceSpec::Qam(b) => b.bound(),
            VoiceSpec::Hybrid(b) => b.bound(),
            VoiceSpec::DualPulse(b) => b.bound(),
            VoiceSpec::Noise(b) => b.bound(),
            VoiceSpec::Subliminal(b) => b.bound(),
            VoiceSpec::Sam(b) => b.bound(),
            VoiceSpec::SamMonaural(b) => b.bound(),
        }
    }
}

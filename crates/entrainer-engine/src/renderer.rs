//! The block renderer: steps on the timeline, voices with envelopes and edge fades,
//! continuation across boundaries, crossfades, background noise and the level plan's gains.
//!
//! [`Program`] is everything prepared from the plan before audio starts (immutable, shareable);
//! [`Renderer`] is a cursor over it that renders any block size from any position.

use std::sync::Arc;

use crate::clips::{Clip, ClipAudio};
use crate::envelope::Envelope;
use crate::error::{EngineError, Result};
use crate::noise::BackgroundNoise;
use crate::osc::GroupCarrier;
use crate::plan::{CrossfadeCurve, Plan};
use crate::ramp::Ramp;
use crate::shapes::{cos_cycles, sin_cycles};
use crate::timeline::{frames, Timeline};
use crate::voices::{
    add_into, take, voice_seed, Buf, PhasorPart, Placement, Resources, Voice, VoiceSpec,
    VoiceState, CHUNK,
};

/// Options that change the samples of a render.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RenderOptions {
    pub sample_rate: u32,
    pub seed: u64,
    /// Per-step peak ceiling C (`render.md` §10.1); `None` switches the limit off.
    pub step_ceiling: Option<f64>,
    /// Export target level T (`render.md` §10.2); `None` switches normalisation off.
    pub target_level: Option<f64>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            sample_rate: 44_100,
            seed: 0,
            step_ceiling: Some(1.0),
            target_level: Some(0.25),
        }
    }
}

impl RenderOptions {
    pub fn validate(&self) -> Result<()> {
        if !(8_000..=192_000).contains(&self.sample_rate) {
            return Err(EngineError::Option {
                name: "sample_rate",
                message: format!(
                    "expected an integer from 8000 to 192000, got {}",
                    self.sample_rate
                ),
            });
        }
        if let Some(c) = self.step_ceiling {
            if !(c.is_finite() && c > 0.0) {
                return Err(EngineError::Option {
                    name: "step_ceiling",
                    message: format!("expected a number > 0, got {c}"),
                });
            }
        }
        if let Some(t) = self.target_level {
            if !(t.is_finite() && t > 0.0 && t <= 1.0) {
                return Err(EngineError::Option {
                    name: "target_level",
                    message: format!("expected a number in (0, 1], got {t}"),
                });
            }
        }
        Ok(())
    }
}

/// One voice as prepared for its step.
#[derive(Debug, Clone)]
pub struct PreparedVoice {
    pub spec: VoiceSpec,
    pub place: Placement,
    pub envelope: Envelope,
    pub initial: Option<VoiceState>,
    pub continues_in: bool,
    pub continues_out: bool,
}

impl PreparedVoice {
    pub fn instantiate(&self, at: u64) -> Box<dyn Voice> {
        self.spec.instantiate(self.place, self.initial.as_ref(), at)
    }
}

#[derive(Debug, Clone)]
pub struct PreparedStep {
    pub source_index: usize,
    pub description: String,
    pub curve_out: CrossfadeCurve,
    pub voices: Vec<PreparedVoice>,
}

/// A track prepared for rendering at one sample rate.
#[derive(Debug, Clone)]
pub struct Program {
    pub options: RenderOptions,
    pub timeline: Timeline,
    pub steps: Vec<PreparedStep>,
    pub noise: Option<BackgroundNoise>,
    pub clips: Vec<Clip>,
    /// `L = max(E, end of every clip)`: the length of the timeline (`render.md` §2.2).
    pub length: u64,
}

impl Program {
    /// A program without clip audio (the plan must have no clips).
    pub fn new(plan: &Plan, options: RenderOptions) -> Result<Program> {
        Self::with_clips(plan, options, Vec::new())
    }

    /// Like [`Program::new`], with data prepared outside the engine (HRTF tables).
    pub fn with_resources(plan: &Plan, options: RenderOptions, res: &Resources) -> Result<Program> {
        Self::prepared(plan, options, res, Vec::new())
    }

    /// A program whose clips play `audio`: one buffer per plan clip, in order, already at
    /// the render rate.
    pub fn with_clips(
        plan: &Plan,
        options: RenderOptions,
        audio: Vec<ClipAudio>,
    ) -> Result<Program> {
        Self::prepared(plan, options, &Resources::default(), audio)
    }

    /// The general constructor: HRTF tables (`res`) and clip audio prepared outside the engine.
    pub fn prepared(
        plan: &Plan,
        options: RenderOptions,
        res: &Resources,
        audio: Vec<ClipAudio>,
    ) -> Result<Program> {
        options.validate()?;
        if audio.len() != plan.clips.len() {
            return Err(EngineError::Plan {
                message: format!(
                    "expected {} clip buffers (one per clip), got {}",
                    plan.clips.len(),
                    audio.len()
                ),
            });
        }
        let sr = options.sample_rate;
        // Steps shorter than one frame at this rate play nothing and take no time.
        let playable: Vec<_> = plan
            .steps
            .iter()
            .filter(|s| frames(s.duration_s, sr) >= 1)
            .collect();
        let lengths: Vec<u64> = playable.iter().map(|s| frames(s.duration_s, sr)).collect();
        let requested: Vec<u64> = playable
            .iter()
            .map(|s| frames(s.crossfade_out_s.max(0.0), sr))
            .collect();
        let timeline = Timeline::new(&lengths, &requested);

        let mut steps = Vec::with_capacity(playable.len());
        for (i, step) in playable.iter().enumerate() {
            let n = lengths[i];
            let mut voices = Vec::with_capacity(step.voices.len());
            for v in &step.voices {
                let mut spec = VoiceSpec::parse_with(v, step.source_index, v.source_index, res)?;
                let seed = voice_seed(options.seed, step.source_index, v.source_index, v.seed);
                let place = Placement {
                    step_frames: n,
                    sample_rate: sr,
                    ramp: Ramp::new(v.ramp.as_ref(), n, sr),
                    seed,
                };
                spec.prepare(&place)?;
                voices.push(PreparedVoice {
                    spec,
                    place,
                    envelope: Envelope::new(None, n, sr, true, true),
                    initial: None,
                    continues_in: false,
                    continues_out: false,
                });
            }
            steps.push(PreparedStep {
                source_index: step.source_index,
                description: step.description.clone(),
                curve_out: step.crossfade_curve,
                voices,
            });
        }
        Self::match_continuations(&timeline, &mut steps);
        for (i, step) in playable.iter().enumerate() {
            for (pv, v) in steps[i].voices.iter_mut().zip(&step.voices) {
                pv.envelope = Envelope::new(
                    v.envelope.as_ref(),
                    lengths[i],
                    sr,
                    !pv.continues_in,
                    !pv.continues_out,
                );
            }
        }
        let noise = match &plan.noise {
            Some(np) => {
                let noise = BackgroundNoise::new(np, sr, timeline.end, options.seed)?;
                let (s0, e) = noise.span();
                (s0 < e).then_some(noise)
            }
            None => None,
        };
        let clips = plan
            .clips
            .iter()
            .zip(audio)
            .enumerate()
            .map(|(i, (cp, a))| Clip::new(cp, a, sr, i))
            .collect::<Result<Vec<_>>>()?;
        let length = clips
            .iter()
            .map(|c| c.span().1)
            .fold(timeline.end, u64::max);
        Ok(Program {
            options,
            timeline,
            steps,
            noise,
            clips,
            length,
        })
    }

    /// Continuation matching at every boundary (`render.md` §7.3), step by step so that a
    /// voice that continues a continuation starts from the right carried state.
    fn match_continuations(timeline: &Timeline, steps: &mut [PreparedStep]) {
        for i in 0..steps.len().saturating_sub(1) {
            let n = timeline.lengths[i];
            let k = timeline.crossfades[i];
            let ends: Vec<_> = steps[i]
                .voices
                .iter()
                .map(|v| v.spec.signature(&v.place.ramp, (n - 1) as f64))
                .collect();
            let mut taken = vec![false; ends.len()];
            for w in 0..steps[i + 1].voices.len() {
                let next = &steps[i + 1].voices[w];
                let Some(start) = next.spec.signature(&next.place.ramp, 0.0) else {
                    continue;
                };
                let found = (0..ends.len())
                    .find(|&v| !taken[v] && ends[v].is_some_and(|e| e.matches(&start)));
                if let Some(v) = found {
                    taken[v] = true;
                    // State of v at its frame N − K, which is w's frame 0.
                    let state = steps[i].voices[v].instantiate(n - k).state();
                    steps[i].voices[v].continues_out = true;
                    let w_voice = &mut steps[i + 1].voices[w];
                    w_voice.initial = Some(state);
                    w_voice.continues_in = true;
                }
            }
        }
    }

    pub fn sample_rate(&self) -> u32 {
        self.options.sample_rate
    }

    /// Length of the timeline L (`render.md` §2.2), clips included.
    pub fn total_frames(&self) -> u64 {
        self.length
    }

    /// Step `i` with its voices positioned at step-local frame `m`.
    pub fn instantiate_step(&self, i: usize, m: u64, generation: u64) -> StepInstance {
        let mut voices: Vec<Box<dyn Voice>> = self.steps[i]
            .voices
            .iter()
            .map(|v| v.instantiate(m))
            .collect();
        let groups = Groups::new(&self.steps[i], &mut voices);
        StepInstance {
            index: i,
            generation,
            voices,
            groups: (groups.grouped != 0 || groups.twins != 0).then(|| Box::new(groups)),
        }
    }

    /// The steps sounding at timeline frame `p`, each positioned there.
    pub fn instantiate_at(&self, p: u64, generation: u64) -> Vec<StepInstance> {
        self.timeline
            .sounding(p)
            .map(|i| self.instantiate_step(i, p - self.timeline.starts[i], generation))
            .collect()
    }

    /// The steps sounding at `p`, positioned there, and the next few that start within
    /// `ahead` frames after it, positioned at their start: a seek or start hands them all
    /// over at once, so a step just after the target never waits for the preparer. (A step
    /// the preparer sends again is recognised and dropped.)
    pub fn instantiate_around(&self, p: u64, ahead: u64, generation: u64) -> Vec<StepInstance> {
        const UPCOMING: usize = 4;
        let t = &self.timeline;
        let mut steps: Vec<StepInstance> = (0..t.len())
            .filter(|&i| t.starts[i] > p && t.starts[i] <= p.saturating_add(ahead))
            .take(UPCOMING)
            .map(|i| self.instantiate_step(i, 0, generation))
            .collect();
        // sounding steps last: the renderer takes steps from the back of the list
        steps.extend(self.instantiate_at(p, generation));
        steps
    }

    /// The background noise positioned at timeline frame `p` (warm-up done here).
    pub fn noise_at(&self, p: u64) -> Option<BackgroundNoise> {
        self.noise.clone().map(|mut n| {
            n.prepare_at(p);
            n
        })
    }

    /// Crossfade weight of step `i` at its step-local frame `m` (1 outside crossfades).
    #[inline]
    pub fn crossfade_weight(&self, i: usize, m: u64) -> f64 {
        let t = &self.timeline;
        let kin = t.crossfade_in(i);
        let kout = t.crossfade_out(i);
        let n = t.lengths[i];
        if m < kin {
            curve_weight(
                self.steps[i - 1].curve_out,
                m as f64 / (kin - 1) as f64,
                true,
            )
        } else if kout > 0 && m >= n - kout {
            curve_weight(
                self.steps[i].curve_out,
                (m - (n - kout)) as f64 / (kout - 1) as f64,
                false,
            )
        } else {
            1.0
        }
    }
}

#[inline]
fn curve_weight(curve: CrossfadeCurve, w: f64, incoming: bool) -> f64 {
    match (curve, incoming) {
        (CrossfadeCurve::Linear, true) => w,
        (CrossfadeCurve::Linear, false) => 1.0 - w,
        (CrossfadeCurve::EqualPower, true) => sin_cycles(0.25 * w),
        (CrossfadeCurve::EqualPower, false) => cos_cycles(0.25 * w),
    }
}

/// Step gains g_i and the final gain G (`render.md` §10).
#[derive(Debug, Clone, PartialEq)]
pub struct Levels {
    pub step_gains: Vec<f64>,
    pub final_gain: f64,
}

impl Levels {
    pub fn unity(steps: usize) -> Levels {
        Levels {
            step_gains: vec![1.0; steps],
            final_gain: 1.0,
        }
    }
}

/// A step whose voices are instantiated at some frame, ready to render. Building one
/// allocates (and may replay a filter warm-up), so real-time playback builds them on another
/// thread and hands them over.
pub struct StepInstance {
    pub index: usize,
    /// Which seek or update this instance belongs to (real time discards stale ones).
    pub generation: u64,
    voices: Vec<Box<dyn Voice>>,
    /// Its phasor groups, when it has any (found once, as the voices are built).
    groups: Option<Box<Groups>>,
}

/// Renders a step's mix y_i for frames [m0, m0 + n) into `yl`, `yr` (n ≤ CHUNK); `scratch`
/// holds the voice output and the voices' own scratch.
///
/// Voices are added in step order, except twin voices ([`Voice::is_twin`]), added first and
/// once for both ears when the step has two or more, and those in phasor groups ([`Groups`]),
/// added after the others, one group per ear and vibrato phasor.
pub(crate) fn render_step_mix(
    step: &PreparedStep,
    voices: &mut [Box<dyn Voice>],
    groups: Option<&Groups>,
    m0: u64,
    yl: &mut [f64],
    yr: &mut [f64],
    scratch: &mut [Buf],
) {
    let n = yl.len();
    yl.fill(0.0);
    let nv = voices.len().min(step.voices.len());
    let groups = groups.unwrap_or(&Groups::NONE);
    if groups.twins == 0 {
        yr.fill(0.0);
    } else {
        // Twin voices first, once for both ears.
        for i in 0..nv {
            if !groups.is_twin(i) {
                continue;
            }
            if step.voices[i].envelope.unity_over(m0, n as u64) {
                voices[i].add_twin(yl, scratch);
            } else {
                let ([vl, vr], rest) = take::<2>(scratch);
                voices[i].render(&mut vl[..n], &mut vr[..n], rest);
                for k in 0..n {
                    yl[k] += step.voices[i].envelope.gain(m0 + k as u64) * vl[k];
                }
            }
        }
        yr.copy_from_slice(yl);
    }
    let own = |i: usize| !groups.has(i) && !groups.is_twin(i);
    if let Some(first) = (0..nv).find(|&i| own(i)) {
        prefetch(&*voices[first]);
    }
    for i in 0..nv {
        if !own(i) {
            continue;
        }
        // While this voice renders, the next one's state travels to the cache: with many
        // streams on one core, each voice's state is otherwise a cache miss away.
        if let Some(next) = (i + 1..nv).find(|&j| own(j)) {
            prefetch(&*voices[next]);
        }
        if step.voices[i].envelope.unity_over(m0, n as u64) {
            voices[i].render_add(yl, yr, scratch);
        } else {
            let ([vl, vr], rest) = take::<2>(scratch);
            voices[i].render(&mut vl[..n], &mut vr[..n], rest);
            add_voice(&step.voices[i], m0, yl, yr, &vl[..n], &vr[..n]);
        }
    }
    if groups.grouped != 0 {
        groups.render(step, &mut voices[..nv], yl, yr, scratch);
    }
}

/// Voices of a step that phasor groups consider (the first ones).
const GROUPABLE: usize = 64;
/// Distinct AM envelopes the groups of one step may use (one scratch buffer each).
const GROUP_ENVELOPES: usize = 8;

/// The step's phasor groups: voices whose output is a carrier on the phasor path per ear,
/// with a constant gain and a static AM envelope or none (`Voice::phasor_part`), and no volume
/// envelope but the edge fades. On each ear, the voices whose carriers share a vibrato phasor are added together
/// by `osc::add_phasor_group`, which multiplies by the phasor once for all (F12: eight voices,
/// one vibrato per ear). A voice joins when both its ears have company (two or more voices
/// with that phasor, up to `osc::GROUP`), so a track without shared vibratos renders as
/// before. Which voices join depends on the voices alone, never on the block, so the samples
/// stay a function of the frame.
pub(crate) struct Groups {
    /// Bit i: voice i is added by its groups.
    grouped: u64,
    /// Bit i: voice i is a twin ([`Voice::is_twin`]) added once for both ears, before the
    /// others (when the step has two or more).
    twins: u64,
    /// Per voice and ear: its group on that ear (groups numbered per ear in order of their
    /// first voice).
    group_of: [[u8; 2]; GROUPABLE],
    /// Groups on each ear.
    count: [u8; 2],
    /// Per voice and ear: 1 + the index of its AM envelope (a scratch buffer), or 0.
    envelope_of: [[u8; 2]; GROUPABLE],
}

impl Groups {
    const NONE: Groups = Groups {
        grouped: 0,
        twins: 0,
        group_of: [[0; 2]; GROUPABLE],
        count: [0; 2],
        envelope_of: [[0; 2]; GROUPABLE],
    };

    fn new(step: &PreparedStep, voices: &mut [Box<dyn Voice>]) -> Groups {
        let mut g = Groups::NONE;
        let nv = voices.len().min(GROUPABLE);
        let mut keys = vec![[[0u64; 7]; 2]; nv];
        let mut envelopes: Vec<[u64; 7]> = Vec::new();
        let mut eligible = 0u64;
        for (i, v) in voices.iter_mut().enumerate().take(nv) {
            if !step.voices[i].envelope.is_flat() {
                continue;
            }
            let Some(part) = v.phasor_part() else {
                continue;
            };
            // Its envelopes, each found or added (a voice that would overflow stays out).
            let mut slots = [0u8; 2];
            let mut fits = true;
            let mut added = envelopes.clone();
            for c in 0..2 {
                if let Some((am, clock)) = part.am[c] {
                    let key = am.envelope_key(clock);
                    match added.iter().position(|k| *k == key) {
                        Some(e) => slots[c] = e as u8 + 1,
                        None if added.len() < GROUP_ENVELOPES => {
                            added.push(key);
                            slots[c] = added.len() as u8;
                        }
                        None => fits = false,
                    }
                }
            }
            if fits {
                envelopes = added;
                keys[i] = part.keys();
                g.envelope_of[i] = slots;
                eligible |= 1 << i;
            }
        }
        for i in 0..nv {
            if eligible & (1 << i) == 0 {
                continue;
            }
            let company = (0..2).all(|c| {
                let same = |j: usize| eligible & (1 << j) != 0 && keys[j][c] == keys[i][c];
                let before = (0..i).filter(|&j| same(j)).count();
                let all = (0..nv).filter(|&j| same(j)).count();
                all >= 2 && before < crate::osc::GROUP
            });
            if company {
                g.grouped |= 1 << i;
            }
        }
        // Twins: the other voices with the same signal on both ears and no volume envelope.
        let twins = (0..nv)
            .filter(|&i| !g.has(i) && step.voices[i].envelope.is_flat() && voices[i].is_twin())
            .fold(0u64, |t, i| t | 1 << i);
        if twins.count_ones() >= 2 {
            g.twins = twins;
        }
        // Number the groups of each ear.
        for c in 0..2 {
            for i in 0..nv {
                if !g.has(i) {
                    continue;
                }
                match (0..i).find(|&j| g.has(j) && keys[j][c] == keys[i][c]) {
                    Some(j) => g.group_of[i][c] = g.group_of[j][c],
                    None => {
                        g.group_of[i][c] = g.count[c];
                        g.count[c] += 1;
                    }
                }
            }
        }
        g
    }

    fn has(&self, i: usize) -> bool {
        i < GROUPABLE && self.grouped & (1 << i) != 0
    }

    fn is_twin(&self, i: usize) -> bool {
        i < GROUPABLE && self.twins & (1 << i) != 0
    }

    /// Adds the grouped voices into `yl`, `yr` and advances them.
    fn render(
        &self,
        step: &PreparedStep,
        voices: &mut [Box<dyn Voice>],
        yl: &mut [f64],
        yr: &mut [f64],
        scratch: &mut [Buf],
    ) {
        let n = yl.len();
        let nv = voices.len().min(GROUPABLE);
        let mut parts: [Option<PhasorPart<'_>>; GROUPABLE] = [const { None }; GROUPABLE];
        for (i, v) in voices.iter_mut().enumerate().take(nv) {
            if self.has(i) {
                parts[i] = Some(v.phasor_part().expect("grouped voices have parts"));
            }
        }
        let (bufs, _) = take::<GROUP_ENVELOPES>(scratch);
        // The envelopes the grouped voices use, each computed once.
        let mut done = 0u32;
        for (i, part) in parts.iter().enumerate() {
            let Some(part) = part else { continue };
            for c in 0..2 {
                let e = self.envelope_of[i][c] as usize;
                if e > 0 && done & (1 << e) == 0 {
                    let (am, clock) = part.am[c].expect("an active AM");
                    // A static AM reads no α.
                    am.envelope(clock, *part.m, &[], &mut bufs[e - 1][..n]);
                    done |= 1 << e;
                }
            }
        }
        let bufs = &*bufs;
        for (c, out) in [yl, yr].into_iter().enumerate() {
            for group in 0..self.count[c] {
                let mut members: [Option<GroupCarrier<'_>>; crate::osc::GROUP] =
                    [const { None }; crate::osc::GROUP];
                let mut g = 0;
                for (j, part) in parts.iter_mut().enumerate() {
                    let Some(part) = part else { continue };
                    if self.group_of[j][c] != group {
                        continue;
                    }
                    let e = self.envelope_of[j][c] as usize;
                    let envelope = &step.voices[j].envelope;
                    let m = *part.m;
                    members[g] = Some(GroupCarrier {
                        carrier: &mut part.carriers[c],
                        gain: part.gains[c],
                        env: (e > 0).then(|| &bufs[e - 1][..n]),
                        vol: (!envelope.unity_over(m, n as u64)).then_some((envelope, m)),
                    });
                    g += 1;
                }
                crate::osc::add_phasor_group(&mut members, out);
            }
        }
        for part in parts.iter_mut().flatten() {
            *part.m += n as u64;
        }
    }
}

/// y += e(m)·v over frames m0..: one voice's share of the step mix. The level analysis sums
/// voices rendered apart with this same arithmetic, so its peaks are the mix's bits (to
/// within rounding for twin voices and phasor groups, which the mix adds in its own order).
#[inline]
pub(crate) fn add_voice(
    pv: &PreparedVoice,
    m0: u64,
    yl: &mut [f64],
    yr: &mut [f64],
    vl: &[f64],
    vr: &[f64],
) {
    let n = yl.len();
    let (yr, vl, vr) = (&mut yr[..n], &vl[..n], &vr[..n]);
    if pv.envelope.unity_over(m0, n as u64) {
        add_into(yl, yr, vl, vr);
    } else {
        for k in 0..n {
            let g = pv.envelope.gain(m0 + k as u64);
            yl[k] += g * vl[k];
            yr[k] += g * vr[k];
        }
    }
}

/// Hints the CPU to load the memory of `x` into the cache (no effect on results).
#[inline(always)]
fn prefetch<T: ?Sized>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        let p = x as *const T as *const u8;
        let size = std::mem::size_of_val(x);
        let mut off = 0;
        while off < size {
            // SAFETY: prefetching never faults and the address lies inside `x`.
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                    p.add(off) as *const i8
                )
            };
            off += 64;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

/// Room for steps handed over ahead of time, and for finished ones awaiting disposal.
const STEP_SLOTS: usize = 8;

/// A cursor over a [`Program`] that renders blocks of any size from any position.
///
/// Offline, it instantiates steps itself when they start. In real time
/// ([`Renderer::real_time`]) it never allocates or frees: steps arrive through
/// [`Renderer::insert_step`] before they start, and finished ones wait in a retired list
/// that the owner empties off the audio thread.
pub struct Renderer {
    program: Arc<Program>,
    levels: Levels,
    position: u64,
    active: Vec<StepInstance>,
    retired: Vec<StepInstance>,
    auto_instantiate: bool,
    generation: u64,
    /// Frames rendered without a step that should have sounded (real time, step not ready).
    missing: u64,
    noise: Option<BackgroundNoise>,
}

impl Renderer {
    pub fn new(program: Arc<Program>, levels: Levels) -> Renderer {
        let noise = program.noise.clone();
        Renderer {
            program,
            levels,
            position: 0,
            active: Vec::with_capacity(STEP_SLOTS),
            retired: Vec::with_capacity(STEP_SLOTS),
            auto_instantiate: true,
            generation: 0,
            missing: 0,
            noise,
        }
    }

    /// A renderer for the audio thread, positioned at `p` with the steps sounding there.
    pub fn real_time(
        program: Arc<Program>,
        levels: Levels,
        p: u64,
        steps: Vec<StepInstance>,
        generation: u64,
    ) -> Renderer {
        let mut r = Renderer::new(program, levels);
        r.auto_instantiate = false;
        r.noise = r.program.noise_at(p);
        let mut steps = steps;
        r.seek_with(p, &mut steps, generation);
        r
    }

    /// Hands over a prepared step (real time). Stale or surplus steps are retired.
    pub fn insert_step(&mut self, step: StepInstance) -> bool {
        let t = &self.program.timeline;
        let wanted = step.generation == self.generation
            && t.step_end(step.index) > self.position
            && !self.active.iter().any(|a| a.index == step.index)
            && self.active.len() < self.active.capacity();
        if wanted {
            self.active.push(step);
            self.active.sort_unstable_by_key(|a| a.index);
        } else {
            self.retire(step);
        }
        wanted
    }

    fn retire(&mut self, step: StepInstance) {
        if self.retired.len() < self.retired.capacity() {
            self.retired.push(step);
        }
        // else: dropped here; the owner empties the list every block, so this does not happen
    }

    /// A finished or replaced step, to be dropped off the audio thread.
    pub fn pop_retired(&mut self) -> Option<StepInstance> {
        self.retired.pop()
    }

    /// Jumps to `p` in real time with the steps sounding there (from [`Program::instantiate_at`]).
    /// The steps are moved out of `steps`, whose buffer the caller disposes of off the audio
    /// thread (anything left in it did not fit).
    pub fn seek_with(&mut self, p: u64, steps: &mut Vec<StepInstance>, generation: u64) {
        while let Some(s) = self.active.pop() {
            self.retire(s);
        }
        self.generation = generation;
        self.position = p.min(self.program.total_frames());
        while self.active.len() < self.active.capacity() {
            match steps.pop() {
                Some(s) => self.active.push(s),
                None => break,
            }
        }
        self.active.sort_unstable_by_key(|a| a.index);
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Replaces the background noise (one positioned by [`Program::noise_at`]); returns the old
    /// one for disposal off the audio thread.
    pub fn swap_noise(&mut self, noise: Option<BackgroundNoise>) -> Option<BackgroundNoise> {
        std::mem::replace(&mut self.noise, noise)
    }

    /// Frames during which a step that should have sounded was not ready (real time).
    pub fn missing_frames(&self) -> u64 {
        self.missing
    }

    pub fn program(&self) -> &Arc<Program> {
        &self.program
    }

    pub fn levels(&self) -> &Levels {
        &self.levels
    }

    pub fn set_levels(&mut self, levels: Levels) -> Result<()> {
        if levels.step_gains.len() != self.program.steps.len() {
            return Err(EngineError::Option {
                name: "levels",
                message: format!(
                    "expected {} step gains, got {}",
                    self.program.steps.len(),
                    levels.step_gains.len()
                ),
            });
        }
        self.levels = levels;
        Ok(())
    }

    /// Timeline frame of the next frame to render.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Jumps to timeline frame `p` (clamped to the end). Offline only: it drops the active
    /// steps here and instantiates new ones on the next render.
    pub fn seek(&mut self, p: u64) {
        self.position = p.min(self.program.total_frames());
        self.active.clear();
        self.retired.clear();
    }

    /// Renders the next `l.len()` frames of G·M(t).
    pub fn render(&mut self, l: &mut [f64], r: &mut [f64]) {
        self.render_mix(l, r);
        let g = self.levels.final_gain;
        if g != 1.0 {
            // One loop per channel: a chained iterator would not vectorise.
            for x in l.iter_mut() {
                *x *= g;
            }
            for x in r.iter_mut() {
                *x *= g;
            }
        }
    }

    /// Renders the next frames of M(t), before the final gain.
    pub fn render_mix(&mut self, l: &mut [f64], r: &mut [f64]) {
        assert_eq!(l.len(), r.len());
        l.fill(0.0);
        r.fill(0.0);
        let total = l.len() as u64;
        let p0 = self.position;
        let mut done = 0u64;
        while done < total {
            let p = p0 + done;
            let seg = self.segment_len(p, total - done);
            let off = done as usize;
            self.mix_steps(
                p,
                &mut l[off..off + seg as usize],
                &mut r[off..off + seg as usize],
            );
            done += seg;
        }
        if let Some(noise) = &mut self.noise {
            noise.add(p0, l, r);
        }
        // Clips last (render.md §9): not crossfaded, not touched by step gains.
        for clip in &self.program.clips {
            clip.add(p0, l, r);
        }
        self.position = p0 + total;
    }

    /// Frames from p to the next event (step start or end), at most `max` and CHUNK.
    fn segment_len(&self, p: u64, max: u64) -> u64 {
        let t = &self.program.timeline;
        let mut next = p + max.min(CHUNK as u64);
        if let Some(c) = t.current_step(p) {
            for i in c.saturating_sub(1)..(c + 2).min(t.len()) {
                for e in [t.starts[i], t.step_end(i)] {
                    if e > p && e < next {
                        next = e;
                    }
                }
            }
        } else if let Some(&s0) = t.starts.first() {
            if s0 > p && s0 < next {
                next = s0;
            }
        }
        next - p
    }

    fn mix_steps(&mut self, p: u64, l: &mut [f64], r: &mut [f64]) {
        let n = l.len();
        let t = &self.program.timeline;
        // Retire steps that have ended.
        let mut k = 0;
        while k < self.active.len() {
            if t.step_end(self.active[k].index) <= p {
                let s = self.active.swap_remove(k);
                if self.retired.len() < self.retired.capacity() {
                    self.retired.push(s);
                }
            } else {
                k += 1;
            }
        }
        let mut sorted = false;
        for i in t.sounding(p) {
            if !self.active.iter().any(|a| a.index == i) {
                if self.auto_instantiate {
                    let inst = self
                        .program
                        .instantiate_step(i, p - t.starts[i], self.generation);
                    self.active.push(inst);
                    sorted = true;
                } else {
                    self.missing += n as u64;
                }
            }
        }
        if sorted {
            self.active.sort_unstable_by_key(|a| a.index);
        }
        let program = &*self.program;
        let (active, levels) = (&mut self.active, &self.levels);
        crate::cache::with_scratch(|scratch| {
            let ([yl, yr], rest) = take::<2>(scratch);
            for a in active.iter_mut() {
                let i = a.index;
                if t.starts[i] > p {
                    continue; // handed over ahead of its start
                }
                let m0 = p - t.starts[i];
                render_step_mix(
                    &program.steps[i],
                    &mut a.voices,
                    a.groups.as_deref(),
                    m0,
                    &mut yl[..n],
                    &mut yr[..n],
                    rest,
                );
                let g = levels.step_gains[i];
                let (kin, kout, len) = (t.crossfade_in(i), t.crossfade_out(i), t.lengths[i]);
                if m0 >= kin && m0 + n as u64 <= len - kout {
                    // Outside both crossfades the weight is exactly 1, so 1·g = g: same bits, no call.
                    for k in 0..n {
                        l[k] += g * yl[k];
                        r[k] += g * yr[k];
                    }
                } else {
                    for k in 0..n {
                        let w = program.crossfade_weight(i, m0 + k as u64) * g;
                        l[k] += w * yl[k];
                        r[k] += w * yr[k];
                    }
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::voices::Scratch;

    /// Voices that add straight into the step mix (`Voice::render_add`) give the bits of
    /// rendering each voice apart and adding it, which the level analysis does; the voices in
    /// phasor groups (here the first three, which share their vibratos) give them to within
    /// rounding.
    #[test]
    fn adding_straight_into_the_mix_equals_rendering_then_adding() {
        let bin = |extra: serde_json::Value| {
            let mut p = serde_json::json!({
                "amp_l": [0.3, 0.3], "amp_r": [0.3, 0.3],
                "base_freq_hz": [200.0, 200.0], "beat_freq_hz": [4.0, 4.0],
                "vib_range_l_hz": [0.5, 0.5], "vib_freq_l_hz": [2.0, 2.0],
                "vib_range_r_hz": [0.25, 0.25], "vib_freq_r_hz": [1.667, 1.667]
            });
            for (k, v) in extra.as_object().unwrap() {
                p[k] = v.clone();
            }
            serde_json::json!({"source_index": 0, "function": "binaural_beat", "seed": null,
                               "ramp": null, "envelope": null, "params": p})
        };
        let voices = vec![
            bin(serde_json::json!({})),
            bin(
                serde_json::json!({"am_depth_l": [0.5, 0.5], "am_freq_l_hz": [0.7, 0.7],
                                   "am_depth_r": [0.5, 0.5], "am_freq_r_hz": [0.7, 0.7]}),
            ),
            bin(serde_json::json!({"am_depth_l": [0.4, 0.4], "am_freq_l_hz": [1.3, 1.3]})),
            bin(
                serde_json::json!({"beat_freq_hz": [0.0, 0.0], "vib_range_r_hz": [0.5, 0.5],
                                   "vib_freq_r_hz": [2.0, 2.0]}),
            ),
            bin(
                serde_json::json!({"amp_r": [0.1, 0.1], "base_freq_hz": [3000.0, 3000.0],
                                   "vib_range_l_hz": [300.0, 300.0], "vib_freq_l_hz": [0.4, 0.4],
                                   "vib_shape": "triangle"}),
            ),
            bin(
                serde_json::json!({"amp_l": [0.1, 0.4], "pan_min": [-1.0, -1.0],
                                   "pan_max": [1.0, 1.0], "pan_freq_hz": [0.3, 0.3]}),
            ),
            // AM multiplied in as the carrier is added (`DipAm::add_carriers`), on each carrier
            // path: constant, triangle chirp, and the general path of a deep vibrato.
            bin(
                serde_json::json!({"vib_range_l_hz": [0.0, 0.0], "vib_range_r_hz": [0.0, 0.0],
                                   "am_depth_l": [0.5, 0.5], "am_freq_l_hz": [0.7, 0.7],
                                   "am_depth_r": [0.3, 0.3], "am_freq_r_hz": [0.9, 0.9]}),
            ),
            bin(
                serde_json::json!({"base_freq_hz": [3000.0, 3000.0], "vib_range_l_hz": [300.0, 300.0],
                                   "vib_freq_l_hz": [0.4, 0.4], "vib_shape": "triangle",
                                   "am_depth_l": [0.5, 0.5], "am_freq_l_hz": [0.7, 0.7],
                                   "am_depth_r": [0.5, 0.5], "am_freq_r_hz": [0.7, 0.7]}),
            ),
            bin(
                serde_json::json!({"vib_range_l_hz": [80.0, 80.0], "vib_freq_l_hz": [3.0, 3.0],
                                   "am_depth_l": [0.6, 0.6], "am_freq_l_hz": [1.1, 1.1]}),
            ),
        ];
        let plan: Plan = serde_json::from_value(serde_json::json!({
            "steps": [{"source_index": 0, "duration_s": 2.0, "crossfade_out_s": 0.0,
                       "crossfade_curve": "linear", "description": "", "voices": voices}]
        }))
        .unwrap();
        let program = Arc::new(Program::new(&plan, RenderOptions::default()).unwrap());
        let grouped = program
            .instantiate_step(0, 0, 0)
            .groups
            .map_or(0, |g| g.grouped);
        assert_eq!(
            grouped, 0b111,
            "voices 0–2 share both vibratos; 3 shares only one"
        );
        // The same plan without the grouped voices: every voice is added on its own.
        let mut solo = plan.clone();
        solo.steps[0].voices.drain(..3);
        let solo = Arc::new(Program::new(&solo, RenderOptions::default()).unwrap());
        assert!(solo.instantiate_step(0, 0, 0).groups.is_none());
        for (program, exact) in [(&program, false), (&solo, true)] {
            let step = &program.steps[0];
            let mut r = Renderer::new(Arc::clone(program), Levels::unity(1));
            let mut apart: Vec<Box<dyn Voice>> =
                step.voices.iter().map(|v| v.instantiate(0)).collect();
            let mut scratch = Scratch::boxed();
            let (mut vl, mut vr) = (vec![0.0; CHUNK], vec![0.0; CHUNK]);
            let mut m0 = 0u64;
            // Through the 10 ms fade at the start (441 frames) and past it.
            for n in [1usize, 64, 200, 256, 37, 256, 256, 5, 1024] {
                let (mut l, mut rr) = (vec![0.0; n], vec![0.0; n]);
                r.render_mix(&mut l, &mut rr);
                let (mut yl, mut yr) = (vec![0.0; n], vec![0.0; n]);
                for (pv, v) in step.voices.iter().zip(apart.iter_mut()) {
                    v.render(&mut vl[..n], &mut vr[..n], &mut scratch.0);
                    add_voice(pv, m0, &mut yl, &mut yr, &vl[..n], &vr[..n]);
                }
                if exact {
                    assert_eq!((l, rr), (yl, yr), "frames {m0}..{}", m0 + n as u64);
                } else {
                    let worst = l
                        .iter()
                        .zip(&yl)
                        .chain(rr.iter().zip(&yr))
                        .map(|(a, b)| (a - b).abs())
                        .fold(0.0, f64::max);
                    // Voice amplitudes add up to 2.6: a few rounding steps of that.
                    assert!(worst < 4e-15, "frames {m0}..{}: {worst:e}", m0 + n as u64);
                }
                m0 += n as u64;
            }
        }
    }

    /// Phasor groups add their voices as a function of the frame alone: any blocks, any start
    /// (the edge fades included), the same bits. The grouped sum also equals the voices added
    /// one by one to within rounding over a long stretch.
    #[test]
    fn phasor_groups_are_block_and_seek_invariant() {
        let bin = |amp: f64, base: f64, am: bool| {
            let mut p = serde_json::json!({
                "amp_l": [amp, amp], "amp_r": [amp, amp],
                "base_freq_hz": [base, base], "beat_freq_hz": [4.0, 4.0],
                "vib_range_l_hz": [0.5, 0.5], "vib_freq_l_hz": [2.0, 2.0],
                "vib_range_r_hz": [0.25, 0.25], "vib_freq_r_hz": [1.667, 1.667]
            });
            if am {
                p["am_depth_l"] = serde_json::json!([0.5, 0.5]);
                p["am_freq_l_hz"] = serde_json::json!([0.05, 0.05]);
                p["am_depth_r"] = serde_json::json!([0.5, 0.5]);
                p["am_freq_r_hz"] = serde_json::json!([0.05, 0.05]);
            }
            serde_json::json!({"source_index": 0, "function": "binaural_beat", "seed": null,
                               "ramp": null, "envelope": null, "params": p})
        };
        let voices: Vec<_> = (0..19)
            .map(|j| bin(0.05 + 0.01 * j as f64, 100.0 + 37.3 * j as f64, j % 3 == 1))
            .collect();
        let plan: Plan = serde_json::from_value(serde_json::json!({
            "steps": [{"source_index": 0, "duration_s": 3.0, "crossfade_out_s": 0.0,
                       "crossfade_curve": "linear", "description": "", "voices": voices}]
        }))
        .unwrap();
        let program = Arc::new(Program::new(&plan, RenderOptions::default()).unwrap());
        // 19 voices: the first 16 of each ear's group join (crate::osc::GROUP).
        let grouped = program.instantiate_step(0, 0, 0).groups.map(|g| g.grouped);
        assert_eq!(grouped, Some((1 << 16) - 1));
        let worst = block_seek_invariant_and_near_the_voices_sum(&program);
        assert!(worst < 1e-14, "{worst:e}");
        assert!(worst > 0.0, "the grouped sum is not the voices' own sum");
    }

    /// Twin voices (the same signal on both ears) are added once for both ears, first: the
    /// same bits whatever the blocks or the start, the voices' own sum to within rounding.
    #[test]
    fn twin_voices_are_block_and_seek_invariant() {
        let bin = |extra: serde_json::Value| {
            let mut p = serde_json::json!({
                "amp_l": [0.2, 0.2], "amp_r": [0.2, 0.2],
                "base_freq_hz": [900.0, 900.0], "beat_freq_hz": [0.0, 0.0]
            });
            for (k, v) in extra.as_object().unwrap() {
                p[k] = v.clone();
            }
            serde_json::json!({"source_index": 0, "function": "binaural_beat", "seed": null,
                               "ramp": null, "envelope": null, "params": p})
        };
        let voices = vec![
            bin(serde_json::json!({"beat_freq_hz": [4.0, 4.0]})), // not a twin
            bin(serde_json::json!({})),
            bin(
                serde_json::json!({"base_freq_hz": [15_612.0, 15_612.0], "amp_l": [0.01, 0.01],
                                   "amp_r": [0.01, 0.01]}),
            ),
            bin(
                serde_json::json!({"vib_range_l_hz": [330.0, 330.0], "vib_freq_l_hz": [0.4, 0.4],
                                   "vib_range_r_hz": [330.0, 330.0], "vib_freq_r_hz": [0.4, 0.4],
                                   "vib_shape": "triangle"}),
            ),
            // AM: not added as a twin.
            bin(
                serde_json::json!({"am_depth_l": [0.5, 0.5], "am_freq_l_hz": [0.7, 0.7],
                                   "am_depth_r": [0.5, 0.5], "am_freq_r_hz": [0.7, 0.7]}),
            ),
        ];
        let plan: Plan = serde_json::from_value(serde_json::json!({
            "steps": [{"source_index": 0, "duration_s": 3.0, "crossfade_out_s": 0.0,
                       "crossfade_curve": "linear", "description": "", "voices": voices}]
        }))
        .unwrap();
        let program = Arc::new(Program::new(&plan, RenderOptions::default()).unwrap());
        let groups = program.instantiate_step(0, 0, 0).groups;
        assert_eq!(groups.map(|g| (g.grouped, g.twins)), Some((0, 0b1110)));
        let worst = block_seek_invariant_and_near_the_voices_sum(&program);
        assert!(worst < 1e-15, "{worst:e}");
        assert!(worst > 0.0, "the twins' sum is not the voices' own sum");
    }

    /// Renders `program`'s one step in several block patterns and from a seek, checks that
    /// they agree bit for bit (the 10 ms edge fades included), and returns the largest
    /// difference from adding its voices, rendered apart, one by one.
    fn block_seek_invariant_and_near_the_voices_sum(program: &Arc<Program>) -> f64 {
        let total = program.total_frames() as usize;
        let render = |start: u64, blocks: &[usize]| {
            let mut r = Renderer::new(Arc::clone(program), Levels::unity(1));
            r.seek(start);
            let (mut l, mut rr) = (Vec::new(), Vec::new());
            let mut at = start as usize;
            let mut q = 0;
            while at < total {
                let n = blocks[q % blocks.len()].min(total - at);
                let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
                r.render_mix(&mut a, &mut b);
                l.extend(a);
                rr.extend(b);
                at += n;
                q += 1;
            }
            (l, rr)
        };
        let whole = render(0, &[1024]);
        for blocks in [&[1usize, 7, 64][..], &[256], &[333, 1000, 3]] {
            assert_eq!(render(0, blocks), whole, "blocks {blocks:?}");
        }
        let tail = 130_001usize;
        let (l, r) = render(tail as u64, &[500]);
        assert_eq!((&l[..], &r[..]), (&whole.0[tail..], &whole.1[tail..]));
        // Against the voices one by one.
        let step = &program.steps[0];
        let mut apart: Vec<Box<dyn Voice>> = step.voices.iter().map(|v| v.instantiate(0)).collect();
        let mut scratch = Scratch::boxed();
        let (mut vl, mut vr) = (vec![0.0; CHUNK], vec![0.0; CHUNK]);
        let mut worst: f64 = 0.0;
        for m0 in (0..total).step_by(CHUNK) {
            let n = CHUNK.min(total - m0);
            let (mut yl, mut yr) = (vec![0.0; n], vec![0.0; n]);
            for (pv, v) in step.voices.iter().zip(apart.iter_mut()) {
                v.render(&mut vl[..n], &mut vr[..n], &mut scratch.0);
                add_voice(pv, m0 as u64, &mut yl, &mut yr, &vl[..n], &vr[..n]);
            }
            for k in 0..n {
                worst = worst
                    .max((yl[k] - whole.0[m0 + k]).abs())
                    .max((yr[k] - whole.1[m0 + k]).abs());
            }
        }
        worst
    }
}

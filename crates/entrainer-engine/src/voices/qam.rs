//! The QAM voices (`voices.md` §3.7–§3.8): `qam_beat` (a carrier per ear with bipolar AM,
//! secondary AM, cross-ear coupling, an added harmonic, a sub-harmonic AM, beating sidebands,
//! a wobble and an attack/release) and `hybrid_qam_monaural_beat` (a QAM tone on the left, a
//! monaural beat on the right). Both end in the causal post-filter of §2.9.2, so both are
//! class F: a seek replays a warm-up window (§2.9.5).

#[cfg(test)]
use crate::filters::Df1;
use crate::filters::{warmup_frames, Coeffs};
use crate::osc::{Carrier, CarrierSpec, Clock, Phase};
use crate::plan::Params;
use crate::ramp::{Lerp, Ramp};
use crate::shapes::{cos_cycles, sin_cycles, Shape};
use crate::smooth;
use crate::timeline::frames;
use crate::Result;

use super::binaural::VibratoParams;
use super::common::{carried_clock, carried_phase_or, fill_alpha, warm_up, DipAm, INV_TAU};
use super::{take, Buf};
use super::{FilterState, Placement, Signature, Voice, VoiceState};

fn nonzero(l: &Lerp) -> bool {
    l.start != 0.0 || l.end != 0.0
}

/// Bipolar cosine AM (`voices.md` §2.5): the factor 1 + d·M′ with M = cos(2π(P + θ/2π)) and
/// M′ = sign(M)·|M|^(1/shape) (M′ = M at shape 1).
#[derive(Debug, Clone, Copy)]
struct CosAm {
    depth: Lerp,
    rate_hz: Lerp,
    phase_rad: Lerp,
    shape: Lerp,
}

#[inline(always)]
fn shaped(m: f64, exponent: f64) -> f64 {
    if exponent == 1.0 {
        m
    } else {
        m.abs().powf(exponent).copysign(m)
    }
}

impl CosAm {
    fn plain(depth: Lerp, rate_hz: Lerp, phase_rad: Lerp) -> CosAm {
        CosAm {
            depth,
            rate_hz,
            phase_rad,
            shape: Lerp::constant(1.0),
        }
    }

    /// Active when the depth and the rate are non-zero at some end (legacy rule, kept).
    fn is_active(&self) -> bool {
        nonzero(&self.depth) && nonzero(&self.rate_hz)
    }

    /// 1 + d·M′ at a frame position x (any real, negative before the step start).
    #[inline]
    fn factor_at(&self, clock: &Clock, x: f64, a: f64) -> f64 {
        let q = clock.at(x) + self.phase_rad.at(a) * INV_TAU;
        1.0 + self.depth.at(a) * shaped(cos_cycles(q), 1.0 / self.shape.at(a))
    }

    /// out[k] *= 1 + d·M′ at frames n0 + k (α of those frames in `alpha`).
    #[inline]
    fn apply(&self, clock: &Clock, n0: u64, alpha: &[f64], out: &mut [f64], tmp: &mut [f64]) {
        let n = out.len();
        let statics = self.depth.is_const()
            && self.rate_hz.is_const()
            && self.phase_rad.is_const()
            && self.shape.is_const();
        if !statics {
            for (k, o) in out.iter_mut().enumerate() {
                let a = alpha[k];
                let q = clock.at((n0 + k as u64) as f64) + self.phase_rad.at(a) * INV_TAU;
                *o *= 1.0 + self.depth.at(a) * shaped(cos_cycles(q), 1.0 / self.shape.at(a));
            }
            return;
        }
        let (d, off, exponent) = (
            self.depth.start,
            self.phase_rad.start * INV_TAU,
            1.0 / self.shape.start,
        );
        let g = &mut tmp[..n];
        match (
            clock.const_inc(),
            smooth::knot_for(self.rate_hz.start, clock.sample_rate()),
        ) {
            (Some(inc), Some(knot)) if exponent == 1.0 => {
                // A plain cosine is smooth: exact knots, Hermite in between (smooth.rs).
                let w = 2.0 * std::f64::consts::PI * inc;
                let mut lfo = clock.linear(off).expect("constant rate");
                smooth::fill_phased(
                    n0,
                    g,
                    knot,
                    |k| lfo.at(k),
                    |q| (1.0 + d * cos_cycles(q), -d * w * sin_cycles(q)),
                );
            }
            _ => {
                clock.fill_frac(n0, off, g);
                g.iter_mut()
                    .for_each(|q| *q = 1.0 + d * shaped(cos_cycles(*q), exponent));
            }
        }
        out.iter_mut().zip(g.iter()).for_each(|(o, f)| *o *= f);
    }
}

/// A wobble with a phase: Δ/2π = (ρ/4π)·sin(2π(P + θ/2π)), in cycles.
#[derive(Debug, Clone, Copy)]
struct PhasedWobble {
    rate_hz: Lerp,
    range_rad: Lerp,
    phase_rad: Lerp,
}

impl PhasedWobble {
    fn is_active(&self) -> bool {
        nonzero(&self.range_rad)
    }

    fn fill_cycles(&self, clock: &Clock, m0: u64, alpha: &[f64], out: &mut [f64]) {
        if self.range_rad.is_const() && self.phase_rad.is_const() {
            clock.fill_frac(m0, self.phase_rad.start * INV_TAU, out);
            let g = 0.5 * self.range_rad.start * INV_TAU;
            out.iter_mut().for_each(|o| *o = g * sin_cycles(*o));
        } else {
            for (k, o) in out.iter_mut().enumerate() {
                let a = alpha[k];
                let q = clock.at((m0 + k as u64) as f64) + self.phase_rad.at(a) * INV_TAU;
                *o = 0.5 * self.range_rad.at(a) * INV_TAU * sin_cycles(q);
            }
        }
    }
}

/// The post-filter of `voices.md` §2.9.2: high-pass 30 Hz order 4 twice, then low-pass 0.45·sr
/// order 4 twice, on both channels (eight Direct Form I sections each).
struct PostFilter {
    coeffs: [Coeffs; 8],
    state: FilterState,
    carried: FilterState,
    warmup: u64,
}

impl PostFilter {
    fn new(sr: u32, carried: Option<&FilterState>) -> PostFilter {
        let srf = sr as f64;
        let [h0, h1] = Coeffs::butter4_highpass(30.0, srf);
        let [l0, l1] = Coeffs::butter4_lowpass(0.45 * srf, srf);
        let coeffs = [h0, h1, h0, h1, l0, l1, l0, l1];
        let sigma = coeffs
            .iter()
            .map(|c| c.decay_rate(srf))
            .fold(f64::INFINITY, f64::min);
        let carried = carried.copied().unwrap_or_default();
        PostFilter {
            coeffs,
            state: carried,
            carried,
            warmup: warmup_frames(sigma, sr),
        }
    }

    fn restart(&mut self, start: u64) {
        self.state = if start == 0 {
            self.carried
        } else {
            Default::default()
        };
    }

    /// Filters a block in place, section by section (each section's output depends on its
    /// input sequence only, so this equals the frame-by-frame order bit for bit). Both
    /// channels run in one loop, and the feedback is added last, so that the recurrence
    /// through y[n − 1] is one multiply and one subtraction long.
    fn process(&mut self, l: &mut [f64], r: &mut [f64]) {
        let [sl, sr] = &mut self.state;
        for (s, c) in self.coeffs.iter().enumerate() {
            let (fl, fr) = (&mut sl[s], &mut sr[s]);
            let (mut x1, mut x2, mut y1, mut y2) = (
                [fl.x1, fr.x1],
                [fl.x2, fr.x2],
                [fl.y1, fr.y1],
                [fl.y2, fr.y2],
            );
            for (a, b) in l.iter_mut().zip(r.iter_mut()) {
                let x = [*a, *b];
                let mut y = [0.0; 2];
                for ch in 0..2 {
                    let ff = c.b0 * x[ch] + c.b1 * x1[ch] + c.b2 * x2[ch] - c.a2 * y2[ch];
                    y[ch] = ff - c.a1 * y1[ch];
                }
                (x2, x1, y2, y1) = (x1, x, y1, y);
                (*a, *b) = (y[0], y[1]);
            }
            (fl.x1, fl.x2, fl.y1, fl.y2) = (x1[0], x2[0], y1[0], y2[0]);
            (fr.x1, fr.x2, fr.y1, fr.y2) = (x1[1], x2[1], y1[1], y2[1]);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// qam_beat (§3.7)

/// Continuation roles: phases (carriers, harmonics) and clocks.
const CARRIER: [usize; 2] = [0, 1];
const HARMONIC: [usize; 2] = [2, 3];
const PRIMARY: [usize; 2] = [0, 1];
const SECONDARY: [usize; 2] = [2, 3];
const SUB: usize = 4;
const WOBBLE: usize = 5;

#[derive(Debug, Clone)]
pub struct Qam {
    amp: [Lerp; 2],
    base_hz: [Lerp; 2],
    primary: [CosAm; 2],
    secondary: [CosAm; 2],
    cross_depth: Lerp,
    cross_delay_s: f64,
    harmonic_depth: Lerp,
    harmonic_ratio: f64,
    sub: CosAm,
    start_phase_rad: [f64; 2],
    wobble: PhasedWobble,
    sidebands: bool,
    sideband_offset_hz: f64,
    sideband_depth: f64,
    attack_s: f64,
    release_s: f64,
}

impl Qam {
    pub fn parse(p: &Params) -> Result<Qam> {
        let pair = |k: &str, d: f64| p.pair(k, d).map(Lerp::new);
        let rate = |k: &str, d: f64| p.pair_min(k, d, 0.0).map(Lerp::new);
        let unit = |k: &str, d: f64| p.pair_in(k, d, 0.0, 1.0).map(Lerp::new);
        let ear = |c: &str, base: f64| -> Result<(Lerp, Lerp, CosAm, CosAm)> {
            Ok((
                Lerp::new(p.pair_in(&format!("amp_{c}"), 0.5, 0.0, 10.0)?),
                rate(&format!("base_freq_{c}_hz"), base)?,
                CosAm {
                    depth: unit(&format!("am_depth_{c}"), 0.5)?,
                    rate_hz: rate(&format!("am_freq_{c}_hz"), 4.0)?,
                    phase_rad: pair(&format!("am_phase_{c}_rad"), 0.0)?,
                    shape: Lerp::new(p.pair_in(&format!("mod_shape_{c}"), 1.0, 0.05, 20.0)?),
                },
                CosAm::plain(
                    unit(&format!("am2_depth_{c}"), 0.0)?,
                    rate(&format!("am2_freq_{c}_hz"), 0.0)?,
                    pair(&format!("am2_phase_{c}_rad"), 0.0)?,
                ),
            ))
        };
        let (amp_l, base_l, am_l, am2_l) = ear("l", 200.0)?;
        let (amp_r, base_r, am_r, am2_r) = ear("r", 204.0)?;
        let scalar_in = |k: &str, d: f64, lo: f64, hi: f64| p.pair_in(k, d, lo, hi).map(|v| v.0);
        Ok(Qam {
            amp: [amp_l, amp_r],
            base_hz: [base_l, base_r],
            primary: [am_l, am_r],
            secondary: [am2_l, am2_r],
            cross_depth: unit("cross_mod_depth", 0.0)?,
            cross_delay_s: scalar_in("cross_mod_delay_s", 0.0, 0.0, 10.0)?,
            harmonic_depth: unit("harmonic_depth", 0.0)?,
            harmonic_ratio: scalar_in("harmonic_ratio", 2.0, 0.1, 16.0)?,
            sub: CosAm::plain(
                unit("sub_harmonic_depth", 0.0)?,
                rate("sub_harmonic_freq_hz", 0.0)?,
                Lerp::constant(0.0),
            ),
            start_phase_rad: [
                p.scalar("start_phase_l_rad", 0.0)?,
                p.scalar("start_phase_r_rad", 0.0)?,
            ],
            wobble: PhasedWobble {
                rate_hz: rate("wobble_freq_hz", 0.0)?,
                range_rad: Lerp::new(p.pair_min("wobble_range_rad", 0.0, 0.0)?),
                phase_rad: Lerp::constant(p.scalar("wobble_phase_rad", 0.0)?),
            },
            sidebands: p.flag("beating_sidebands", false)?,
            sideband_offset_hz: p.pair_min("sideband_offset_hz", 1.0, 0.0)?.0,
            sideband_depth: scalar_in("sideband_depth", 0.1, 0.0, 1.0)?,
            attack_s: p.pair_min("attack_s", 0.0, 0.0)?.0,
            release_s: p.pair_min("release_s", 0.0, 0.0)?.0,
        })
    }

    pub fn signature(&self, a: f64) -> Signature {
        Signature {
            function: "qam_beat",
            freq_l_hz: self.base_hz[0].at(a),
            freq_r_hz: self.base_hz[1].at(a),
            suppression: false,
        }
    }

    /// 1.2·amp_c·E_c·(1 + hd + 2·sd) with E_c of `voices.md` §2.16, every value at its max.
    pub fn bound(&self) -> [f64; 2] {
        let own =
            |c: usize| (1.0 + self.primary[c].depth.max()) * (1.0 + self.secondary[c].depth.max());
        let sd = if self.sidebands {
            self.sideband_depth
        } else {
            0.0
        };
        let extra = 1.0 + self.harmonic_depth.max() + 2.0 * sd;
        [0, 1].map(|c| {
            let e = own(c)
                * (1.0 + self.cross_depth.max() * (own(1 - c) - 1.0))
                * (1.0 + self.sub.depth.max());
            1.2 * self.amp[c].max() * e * extra
        })
    }

    fn coupling(&self) -> bool {
        nonzero(&self.cross_depth) && self.cross_delay_s > 0.0
    }

    pub fn instantiate(&self, place: Placement, initial: Option<&VoiceState>) -> QamVoice {
        let (sr, ramp) = (place.sample_rate, place.ramp);
        let phase0 =
            |role: usize, own: f64| initial.map_or(Phase::from_f64(own), |s| s.phases[role]);
        let ratio = self.harmonic_ratio;
        let carrier = |c: usize| {
            Carrier::plain(
                self.base_hz[c],
                ramp,
                sr,
                phase0(CARRIER[c], self.start_phase_rad[c] * INV_TAU),
            )
        };
        let harmonic = |c: usize| {
            let base = Lerp {
                start: ratio * self.base_hz[c].start,
                end: ratio * self.base_hz[c].end,
            };
            Carrier::plain(
                base,
                ramp,
                sr,
                phase0(HARMONIC[c], ratio * self.start_phase_rad[c] * INV_TAU),
            )
        };
        let srf = sr as f64;
        QamVoice {
            spec: self.clone(),
            ramp,
            m: 0,
            delay_frames: frames(self.cross_delay_s, sr),
            continued: initial.is_some(),
            step_s: place.step_frames as f64 / srf,
            inv_sr: 1.0 / srf,
            carriers: [carrier(0), carrier(1)],
            harmonics: [harmonic(0), harmonic(1)],
            primary: [0, 1].map(|c| {
                Clock::new(
                    self.primary[c].rate_hz,
                    ramp,
                    sr,
                    carried_clock(initial, PRIMARY[c]),
                )
            }),
            secondary: [0, 1].map(|c| {
                Clock::new(
                    self.secondary[c].rate_hz,
                    ramp,
                    sr,
                    carried_clock(initial, SECONDARY[c]),
                )
            }),
            sub: Clock::new(self.sub.rate_hz, ramp, sr, carried_clock(initial, SUB)),
            wobble: Clock::new(
                self.wobble.rate_hz,
                ramp,
                sr,
                carried_clock(initial, WOBBLE),
            ),
            filter: PostFilter::new(sr, initial.and_then(|s| s.filters.as_ref())),
        }
    }
}

pub struct QamVoice {
    spec: Qam,
    ramp: Ramp,
    m: u64,
    delay_frames: u64,
    /// Continues a voice of the previous step (its clocks carry on).
    continued: bool,
    step_s: f64,
    inv_sr: f64,
    carriers: [Carrier; 2],
    harmonics: [Carrier; 2],
    primary: [Clock; 2],
    secondary: [Clock; 2],
    sub: Clock,
    wobble: Clock,
    filter: PostFilter,
}

/// E′_c (primary × secondary) at frames n0… (α of those frames in `alpha`).
fn own_envelope(
    primary: (&CosAm, &Clock),
    secondary: (&CosAm, &Clock),
    n0: u64,
    alpha: &[f64],
    out: &mut [f64],
    tmp: &mut [f64],
) {
    out.fill(1.0);
    for (am, clock) in [primary, secondary] {
        if am.is_active() {
            am.apply(clock, n0, alpha, out, tmp);
        }
    }
}

impl QamVoice {
    /// The attack/release gain g at frame n (`voices.md` §3.7 step 4).
    #[inline]
    fn gain(spec: &Qam, step_s: f64, t: f64) -> f64 {
        let mut g = 1.0;
        if spec.attack_s > 0.0 && t < spec.attack_s {
            g = t / spec.attack_s;
        }
        if spec.release_s > 0.0 && t > step_s - spec.release_s {
            g *= (step_s - t) / spec.release_s;
        }
        g
    }

    fn render_raw(&mut self, l: &mut [f64], r: &mut [f64], scratch: &mut [Buf]) {
        let n = l.len();
        let m0 = self.m;
        let s = &self.spec;
        let ([alpha, alpha_d, env_l, env_r, envd_l, envd_r, ph_l, ph_r, wob, aux, tmp], _) =
            take::<11>(scratch);
        let alpha = &mut alpha[..n];
        fill_alpha(&self.ramp, m0, alpha);
        let env = [&mut env_l[..n], &mut env_r[..n]];
        for c in 0..2 {
            own_envelope(
                (&s.primary[c], &self.primary[c]),
                (&s.secondary[c], &self.secondary[c]),
                m0,
                alpha,
                env[c],
                tmp,
            );
        }
        if s.coupling() {
            // E_L ← E_L·(1 + k·(E′_R[n − D] − 1)) and the mirror, from frame D on; E′ is a closed
            // function of time, so the delayed values are evaluated directly.
            let d = self.delay_frames;
            let k0 = (d.saturating_sub(m0) as usize).min(n);
            if self.continued {
                // A continued voice's clocks run on from its predecessor's, so E′ extends to
                // the D frames before its start and the coupling does not restart.
                for k in 0..k0 {
                    let x = (m0 + k as u64) as f64 - d as f64;
                    let a = self.ramp.alpha(x);
                    let own = |c: usize| {
                        let mut e = 1.0;
                        if s.primary[c].is_active() {
                            e *= s.primary[c].factor_at(&self.primary[c], x, a);
                        }
                        if s.secondary[c].is_active() {
                            e *= s.secondary[c].factor_at(&self.secondary[c], x, a);
                        }
                        e
                    };
                    let (dl, dr) = (own(0), own(1));
                    let depth = s.cross_depth.at(alpha[k]);
                    env[0][k] *= 1.0 + depth * (dr - 1.0);
                    env[1][k] *= 1.0 + depth * (dl - 1.0);
                }
            }
            if k0 < n {
                let nd = m0 + k0 as u64 - d;
                let ad = &mut alpha_d[k0..n];
                fill_alpha(&self.ramp, nd, ad);
                let envd = [&mut envd_l[k0..n], &mut envd_r[k0..n]];
                for c in 0..2 {
                    own_envelope(
                        (&s.primary[c], &self.primary[c]),
                        (&s.secondary[c], &self.secondary[c]),
                        nd,
                        ad,
                        envd[c],
                        tmp,
                    );
                }
                for k in k0..n {
                    let depth = s.cross_depth.at(alpha[k]);
                    let (el, er) = (env[0][k], env[1][k]);
                    env[0][k] = el * (1.0 + depth * (envd[1][k - k0] - 1.0));
                    env[1][k] = er * (1.0 + depth * (envd[0][k - k0] - 1.0));
                }
            }
        }
        if s.sub.is_active() {
            let g = &mut aux[..n];
            g.fill(1.0);
            s.sub.apply(&self.sub, m0, alpha, g, tmp);
            for c in 0..2 {
                env[c].iter_mut().zip(g.iter()).for_each(|(e, f)| *e *= f);
            }
        }
        let wob = &mut wob[..n];
        if s.wobble.is_active() {
            s.wobble.fill_cycles(&self.wobble, m0, alpha, wob);
        } else {
            wob.fill(0.0);
        }
        let harmonic = nonzero(&s.harmonic_depth);
        let ratio = s.harmonic_ratio;
        // Sidebands: sd·E·(cos(φ − 2π·so·t) + cos(φ + 2π·so·t)) = E·cos φ·2·sd·cos(2π·so·t), so
        // the carrier term is scaled by 1 + 2·sd·cos(2π·so·t), shared by both ears.
        let side = &mut aux[..n];
        if s.sidebands {
            crate::osc::fill_linear(
                Phase::default(),
                s.sideband_offset_hz * self.inv_sr,
                0.0,
                m0,
                side,
            );
            let twice = 2.0 * s.sideband_depth;
            side.iter_mut()
                .for_each(|w| *w = 1.0 + twice * cos_cycles(*w));
        }
        let phases = [&mut ph_l[..n], &mut ph_r[..n]];
        for (c, out) in [&mut *l, &mut *r].into_iter().enumerate() {
            let sign = if c == 0 { -1.0 } else { 1.0 };
            let ph = &mut *phases[c];
            self.carriers[c].fill(ph);
            let e = &*env[c];
            if s.sidebands {
                for k in 0..n {
                    out[k] = e[k] * cos_cycles(ph[k] + sign * wob[k]) * side[k];
                }
            } else {
                for k in 0..n {
                    out[k] = e[k] * cos_cycles(ph[k] + sign * wob[k]);
                }
            }
            if harmonic {
                let hp = &mut tmp[..n];
                self.harmonics[c].fill(hp);
                for k in 0..n {
                    out[k] += s.harmonic_depth.at(alpha[k])
                        * e[k]
                        * cos_cycles(hp[k] + sign * ratio * wob[k]);
                }
            }
            let amp = s.amp[c];
            let ramped_gain = s.attack_s > 0.0 || s.release_s > 0.0;
            for k in 0..n {
                let mut a = amp.at(alpha[k]);
                if ramped_gain {
                    a *= Self::gain(s, self.step_s, (m0 + k as u64) as f64 * self.inv_sr);
                }
                out[k] *= a;
            }
        }
    }
}

impl Voice for QamVoice {
    fn render(&mut self, l: &mut [f64], r: &mut [f64], scratch: &mut [Buf]) {
        self.render_raw(l, r, scratch);
        self.filter.process(l, r);
        self.m += l.len() as u64;
    }

    fn seek(&mut self, m: u64) {
        let start = m.saturating_sub(self.filter.warmup);
        self.m = start;
        self.carriers
            .iter_mut()
            .chain(self.harmonics.iter_mut())
            .for_each(|c| c.seek(start));
        self.filter.restart(start);
        warm_up(self, m - start);
    }

    fn state(&self) -> VoiceState {
        let x = self.m as f64;
        let mut s = VoiceState::default();
        for c in 0..2 {
            s.phases[CARRIER[c]] = self.carriers[c].phase();
            s.phases[HARMONIC[c]] = if nonzero(&self.spec.harmonic_depth) {
                self.harmonics[c].phase()
            } else {
                // A silent harmonic is not rendered; its phase is still carried.
                let mut h = self.harmonics[c].clone();
                h.seek(self.m);
                h.phase()
            };
            s.clocks[PRIMARY[c]] = self.primary[c].at(x);
            s.clocks[SECONDARY[c]] = self.secondary[c].at(x);
        }
        s.clocks[SUB] = self.sub.at(x);
        s.clocks[WOBBLE] = self.wobble.at(x);
        s.filters = Some(self.filter.state);
        s
    }
}

// ---------------------------------------------------------------------------------------------
// hybrid_qam_monaural_beat (§3.8)

/// Continuation roles: phases (L carrier, R tones 1 and 2) and clocks.
const L_CARRIER: usize = 0;
const TONE: [usize; 2] = [1, 2];
const L_AM: usize = 0;
const R_AM: usize = 1;
const R_VIB: usize = 2;
const R_WOBBLE: usize = 3;

#[derive(Debug, Clone)]
pub struct Hybrid {
    amp: [Lerp; 2],
    carrier_l_hz: Lerp,
    am_l: CosAm,
    start_phase_l_rad: f64,
    centre_hz: Lerp,
    beat_hz: Lerp,
    am_r: DipAm,
    vib: VibratoParams,
    tone_phase_rad: [f64; 2],
    wobble: PhasedWobble,
}

impl Hybrid {
    pub fn parse(p: &Params) -> Result<Hybrid> {
        let pair = |k: &str| p.pair(k, 0.0).map(Lerp::new);
        let rate = |k: &str, d: f64| p.pair_min(k, d, 0.0).map(Lerp::new);
        let unit = |k: &str, d: f64| p.pair_in(k, d, 0.0, 1.0).map(Lerp::new);
        Ok(Hybrid {
            amp: [
                Lerp::new(p.pair_in("amp_l", 0.5, 0.0, 10.0)?),
                Lerp::new(p.pair_in("amp_r", 0.5, 0.0, 10.0)?),
            ],
            carrier_l_hz: rate("qam_carrier_freq_l_hz", 100.0)?,
            am_l: CosAm::plain(
                unit("qam_am_depth_l", 0.5)?,
                rate("qam_am_freq_l_hz", 4.0)?,
                pair("qam_am_phase_l_rad")?,
            ),
            start_phase_l_rad: p.scalar("qam_start_phase_l_rad", 0.0)?,
            centre_hz: rate("mono_carrier_freq_r_hz", 100.0)?,
            beat_hz: rate("mono_beat_freq_r_hz", 4.0)?,
            am_r: DipAm {
                depth: unit("mono_am_depth_r", 0.0)?,
                rate_hz: rate("mono_am_freq_r_hz", 0.0)?,
                phase_rad: pair("mono_am_phase_r_rad")?,
                skew: Lerp::constant(0.0),
            },
            vib: VibratoParams {
                range_hz: rate("mono_fm_range_r_hz", 0.0)?,
                rate_hz: rate("mono_fm_freq_r_hz", 0.0)?,
                skew: Lerp::constant(0.0),
                phase_rad: pair("mono_fm_phase_r_rad")?,
            },
            tone_phase_rad: [
                p.scalar("mono_start_phase_tone1_rad", 0.0)?,
                p.scalar("mono_start_phase_tone2_rad", 0.0)?,
            ],
            wobble: PhasedWobble {
                rate_hz: rate("mono_wobble_freq_r_hz", 0.0)?,
                range_rad: Lerp::new(p.pair_min("mono_wobble_range_r_rad", 0.0, 0.0)?),
                phase_rad: pair("mono_wobble_phase_r_rad")?,
            },
        })
    }

    pub fn signature(&self, a: f64) -> Signature {
        Signature {
            function: "hybrid_qam_monaural_beat",
            freq_l_hz: self.carrier_l_hz.at(a),
            freq_r_hz: self.centre_hz.at(a),
            suppression: false,
        }
    }

    pub fn bound(&self) -> [f64; 2] {
        [
            1.2 * self.amp[0].max() * (1.0 + self.am_l.depth.max()),
            2.4 * self.amp[1].max(),
        ]
    }

    /// The R dip AM acts only when its depth and rate are non-zero (legacy rule, kept).
    fn am_r_active(&self) -> bool {
        nonzero(&self.am_r.depth) && nonzero(&self.am_r.rate_hz)
    }

    pub fn instantiate(&self, place: Placement, initial: Option<&VoiceState>) -> HybridVoice {
        let (sr, ramp) = (place.sample_rate, place.ramp);
        let phase0 = |role: usize, own_rad: f64| carried_phase_or(initial, role, own_rad);
        // The centre vibrato acts only when its rate and range are non-zero.
        let vibrato = if nonzero(&self.vib.rate_hz) {
            self.vib
                .vibrato(Shape::Sine, ramp, sr, carried_clock(initial, R_VIB))
        } else {
            None
        };
        let half_beat = Lerp {
            start: 0.5 * self.beat_hz.start,
            end: 0.5 * self.beat_hz.end,
        };
        // Tone 1: max(0, c − b/2) = max(0, centre + v − b/2) with one clamp. Tone 2:
        // max(0, c) + b/2 is the clamped centre plus an integrated half-beat clock.
        let lower = Lerp {
            start: self.centre_hz.start - half_beat.start,
            end: self.centre_hz.end - half_beat.end,
        };
        let tones = [
            Carrier::new(
                CarrierSpec {
                    base_hz: lower,
                    vibrato,
                },
                ramp,
                sr,
                phase0(TONE[0], self.tone_phase_rad[0]),
            ),
            Carrier::new(
                CarrierSpec {
                    base_hz: self.centre_hz,
                    vibrato,
                },
                ramp,
                sr,
                phase0(TONE[1], self.tone_phase_rad[1]),
            ),
        ];
        HybridVoice {
            spec: self.clone(),
            ramp,
            m: 0,
            carrier_l: Carrier::plain(
                self.carrier_l_hz,
                ramp,
                sr,
                phase0(L_CARRIER, self.start_phase_l_rad),
            ),
            tones,
            half_beat: Clock::new(half_beat, ramp, sr, 0.0),
            am_l: Clock::new(self.am_l.rate_hz, ramp, sr, carried_clock(initial, L_AM)),
            am_r: Clock::new(self.am_r.rate_hz, ramp, sr, carried_clock(initial, R_AM)),
            vib: Clock::new(self.vib.rate_hz, ramp, sr, carried_clock(initial, R_VIB)),
            wobble: Clock::new(
                self.wobble.rate_hz,
                ramp,
                sr,
                carried_clock(initial, R_WOBBLE),
            ),
            filter: PostFilter::new(sr, initial.and_then(|s| s.filters.as_ref())),
        }
    }
}

pub struct HybridVoice {
    spec: Hybrid,
    ramp: Ramp,
    m: u64,
    carrier_l: Carrier,
    tones: [Carrier; 2],
    half_beat: Clock,
    am_l: Clock,
    am_r: Clock,
    vib: Clock,
    wobble: Clock,
    filter: PostFilter,
}

impl HybridVoice {
    fn render_raw(&mut self, l: &mut [f64], r: &mut [f64], scratch: &mut [Buf]) {
        let n = l.len();
        let m0 = self.m;
        let s = &self.spec;
        let ([alpha, ph1, ph2, wob, tmp], _) = take::<5>(scratch);
        let (alpha, ph1, ph2, wob) = (&mut alpha[..n], &mut ph1[..n], &mut ph2[..n], &mut wob[..n]);
        fill_alpha(&self.ramp, m0, alpha);
        // L: ampL·E_L·cos(2πΦ_L), E_L = 1 + d·cos(2π·P + θ) when active.
        self.carrier_l.fill(l);
        l.iter_mut().for_each(|v| *v = cos_cycles(*v));
        if s.am_l.is_active() {
            s.am_l.apply(&self.am_l, m0, alpha, l, tmp);
        }
        // R: sin(2πΦ₁ − Δ) + sin(2πΦ₂ + Δ), dip AM, ampR.
        self.tones[0].fill(ph1);
        self.tones[1].fill(ph2);
        let hb = &mut tmp[..n];
        self.half_beat.fill_frac(m0, 0.0, hb);
        ph2.iter_mut().zip(hb.iter()).for_each(|(p, h)| *p += h);
        if s.wobble.is_active() {
            s.wobble.fill_cycles(&self.wobble, m0, alpha, wob);
        } else {
            wob.fill(0.0);
        }
        for k in 0..n {
            r[k] = sin_cycles(ph1[k] - wob[k]) + sin_cycles(ph2[k] + wob[k]);
        }
        if s.am_r_active() {
            s.am_r.apply(&self.am_r, m0, alpha, r, tmp);
        }
        for (c, out) in [&mut *l, &mut *r].into_iter().enumerate() {
            let amp = s.amp[c];
            out.iter_mut()
                .zip(alpha.iter())
                .for_each(|(o, &a)| *o *= amp.at(a));
        }
    }
}

impl Voice for HybridVoice {
    fn render(&mut self, l: &mut [f64], r: &mut [f64], scratch: &mut [Buf]) {
        self.render_raw(l, r, scratch);
        self.filter.process(l, r);
        self.m += l.len() as u64;
    }

    fn seek(&mut self, m: u64) {
        let start = m.saturating_sub(self.filter.warmup);
        self.m = start;
        self.carrier_l.seek(start);
        self.tones.iter_mut().for_each(|t| t.seek(start));
        self.filter.restart(start);
        warm_up(self, m - start);
    }

    fn state(&self) -> VoiceState {
        let x = self.m as f64;
        let mut s = VoiceState::default();
        s.phases[L_CARRIER] = self.carrier_l.phase();
        s.phases[TONE[0]] = self.tones[0].phase();
        s.phases[TONE[1]] = self.tones[1].phase().add_cycles(self.half_beat.at(x));
        s.clocks[L_AM] = self.am_l.at(x);
        s.clocks[R_AM] = self.am_r.at(x);
        s.clocks[R_VIB] = self.vib.at(x);
        s.clocks[R_WOBBLE] = self.wobble.at(x);
        s.filters = Some(self.filter.state);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(n: usize) -> (Vec<f64>, Vec<f64>) {
        let l = (0..n)
            .map(|k| ((k as f64) * 0.0137).sin() + 0.3 * ((k as f64) * 0.71).cos())
            .collect();
        let r = (0..n)
            .map(|k| ((k as f64) * 0.0213).cos() - 0.2 * ((k as f64) * 1.3).sin())
            .collect();
        (l, r)
    }

    #[test]
    fn post_filter_is_the_direct_form_cascade_in_any_block_split() {
        let (l0, r0) = input(5000);
        let mut whole = PostFilter::new(48_000, None);
        let (mut l, mut r) = (l0.clone(), r0.clone());
        whole.process(&mut l, &mut r);
        // any split gives the same bits
        let mut split = PostFilter::new(48_000, None);
        let (mut l2, mut r2) = (l0.clone(), r0.clone());
        for (a, b) in l2.chunks_mut(77).zip(r2.chunks_mut(77)) {
            split.process(a, b);
        }
        assert_eq!((&l, &r), (&l2, &r2));
        // and it is the cascade of Direct Form I sections (up to rounding order, which the
        // poles near the unit circle of the 30 Hz high-pass amplify to about 1e-12)
        let mut state = [Df1::default(); 8];
        for k in 0..l0.len() {
            let mut y = l0[k];
            for (s, c) in whole.coeffs.iter().enumerate() {
                y = state[s].tick(c, y);
            }
            assert!((y - l[k]).abs() < 1e-9, "frame {k}: {y} vs {}", l[k]);
        }
    }

    #[test]
    fn post_filter_warm_up_is_that_of_the_30_hz_high_pass() {
        // voices.md §2.9.5: about 0.55 s
        let w = PostFilter::new(48_000, None).warmup as f64 / 48_000.0;
        assert!((w - 0.55).abs() < 0.01, "{w}");
    }
}

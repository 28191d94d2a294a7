//! Building blocks shared by the voice families: per-chunk α, dip AM, interaural wobble.

use crate::cache;
use crate::osc::{Carrier, Clock, Phase};
use crate::plan::Params;
use crate::ramp::{Lerp, Ramp};
use crate::shapes::{cos_cycles, frac, sin_cycles, skewed_sine};
use crate::smooth;
use crate::Result;

use super::{Voice, VoiceState, ZERO_BUF};

/// Frames a voice renders per call at most; scratch buffers have this size.
///
/// Offline renders and the level analysis call every voice with blocks of this size, so the
/// fixed cost of a call (cache lookups, chunk and knot set-up, one pass per stage) is paid
/// once per CHUNK frames: F12's render pass takes about 20 % less time with 1024 than with
/// 256 (`docs/status.md`). Real-time callbacks render their own, smaller, blocks. The
/// samples do not depend on it (block-size invariance).
pub const CHUNK: usize = 1024;

pub const INV_TAU: f64 = 0.5 / std::f64::consts::PI;

/// The LFO clocks of a voice, indexed by continuation role (`VoiceState::clocks`): role i runs
/// at `rates[i]` from the carried value when the voice continues, else from 0. Roles a voice
/// does not use get rate 0 and keep whatever they carry.
/// Phase `i` of a voice's continuation state, or 0 when the voice starts afresh.
pub fn carried_phase(initial: Option<&VoiceState>, i: usize) -> Phase {
    initial.map_or(Phase::default(), |s| s.phases[i])
}

/// Phase `i` of a voice's continuation state, or the voice's own start phase (radians) when
/// it starts afresh.
pub fn carried_phase_or(initial: Option<&VoiceState>, i: usize, start_rad: f64) -> Phase {
    initial.map_or(Phase::from_f64(start_rad * INV_TAU), |s| s.phases[i])
}

/// Clock `i` (by continuation role) of a voice's continuation state, or 0.
pub fn carried_clock(initial: Option<&VoiceState>, i: usize) -> f64 {
    initial.map_or(0.0, |s| s.clocks[i])
}

pub fn clock_bank(
    rates: [Lerp; 8],
    ramp: Ramp,
    sample_rate: u32,
    initial: Option<&VoiceState>,
) -> [Clock; 8] {
    std::array::from_fn(|i| Clock::new(rates[i], ramp, sample_rate, carried_clock(initial, i)))
}

/// Every clock of a bank at frame m: the `clocks` of the voice's continuation state.
pub fn clock_values(bank: &[Clock; 8], m: u64) -> [f64; 8] {
    std::array::from_fn(|i| bank[i].at(m as f64))
}

/// Fills α for frames m0.. of the chunk (all zero for a static voice).
#[inline]
pub fn fill_alpha(ramp: &Ramp, m0: u64, out: &mut [f64]) {
    if ramp.is_hold() {
        out.fill(0.0);
    } else {
        for (k, a) in out.iter_mut().enumerate() {
            *a = ramp.alpha((m0 + k as u64) as f64);
        }
    }
}

/// α of a static voice: all zero, shared (no fill per call).
static ZERO_ALPHA: [f64; CHUNK] = [0.0; CHUNK];

/// α for frames m0.. of the chunk: `buf` filled, or the shared zeros of a static voice.
#[inline]
pub fn alpha_for<'a>(ramp: &Ramp, m0: u64, buf: &'a mut [f64]) -> &'a [f64] {
    if ramp.is_hold() {
        &ZERO_ALPHA[..buf.len()]
    } else {
        fill_alpha(ramp, m0, buf);
        buf
    }
}

/// Dip-form amplitude modulation: e = 1 − d·(1 + S(frac(P + θ/2π); k))/2 (`voices.md` §2.5).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DipAm {
    pub depth: Lerp,
    pub rate_hz: Lerp,
    pub phase_rad: Lerp,
    pub skew: Lerp,
}

impl DipAm {
    pub fn parse(p: &Params, side: &str) -> Result<DipAm> {
        Ok(DipAm {
            depth: Lerp::new(p.pair_in(&format!("am_depth_{side}"), 0.0, 0.0, 1.0)?),
            rate_hz: Lerp::new(p.pair_min(&format!("am_freq_{side}_hz"), 0.0, 0.0)?),
            phase_rad: Lerp::new(p.pair(&format!("am_phase_{side}_rad"), 0.0)?),
            skew: Lerp::new(p.pair_in(&format!("am_skew_{side}"), 0.0, -1.0, 1.0)?),
        })
    }

    pub fn is_active(&self) -> bool {
        self.depth.start != 0.0 || self.depth.end != 0.0
    }

    pub fn is_static(&self) -> bool {
        self.depth.is_const()
            && self.rate_hz.is_const()
            && self.phase_rad.is_const()
            && self.skew.is_const()
    }

    /// Multiplies `out` by the envelope for frames m0.. (α per frame in `alpha`); `scratch`
    /// holds at least `out.len()` values.
    #[inline]
    pub fn apply(
        &self,
        clock: &Clock,
        m0: u64,
        alpha: &[f64],
        out: &mut [f64],
        scratch: &mut [f64],
    ) {
        self.with_envelope(clock, m0, alpha, scratch, out.len(), |e| {
            for (o, g) in out.iter_mut().zip(e.iter()) {
                *o *= g;
            }
        });
    }

    /// What a static envelope depends on, as bits: envelopes with the same key are equal.
    pub fn envelope_key(&self, clock: &Clock) -> [u64; 7] {
        [
            self.depth.start.to_bits(),
            self.rate_hz.start.to_bits(),
            self.phase_rad.start.to_bits(),
            self.skew.start.to_bits(),
            clock.p0.to_bits(),
            clock.rate.start.to_bits(),
            u64::from(clock.sample_rate()),
        ]
    }

    /// Whether both ears get the same envelope (same parameters, same clock).
    fn same_envelope(am: &[DipAm; 2], clocks: [&Clock; 2]) -> bool {
        am[0] == am[1] && clocks[0].p0 == clocks[1].p0 && clocks[0].rate == clocks[1].rate
    }

    /// Calls `f(c, e)` for ear 0, then ear 1, with that ear's AM envelope over the `n` frames
    /// from `m0` (`am[c]` on `clocks[c]`; None where the ear's AM is off). When the two are
    /// the same (as in most voices: same parameters, same clock) one envelope serves both
    /// ears. `scratch` holds at least `n` values.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn each_ear(
        am: &[DipAm; 2],
        clocks: [&Clock; 2],
        m0: u64,
        alpha: &[f64],
        scratch: &mut [f64],
        n: usize,
        mut f: impl FnMut(usize, Option<&[f64]>),
    ) {
        if DipAm::same_envelope(am, clocks) && am[0].is_active() {
            am[0].with_envelope(clocks[0], m0, alpha, scratch, n, |e| {
                f(0, Some(e));
                f(1, Some(e));
            });
            return;
        }
        for c in 0..2 {
            if am[c].is_active() {
                am[c].with_envelope(clocks[c], m0, alpha, scratch, n, |e| f(c, Some(e)));
            } else {
                f(c, None);
            }
        }
    }

    /// Applies each ear's AM (`am[c]` on `clocks[c]`) to `l` and `r`, one envelope for both
    /// ears when they share it; `scratch` holds at least `l.len()` values.
    #[inline]
    pub fn apply_ears(
        am: &[DipAm; 2],
        clocks: [&Clock; 2],
        m0: u64,
        alpha: &[f64],
        l: &mut [f64],
        r: &mut [f64],
        scratch: &mut [f64],
    ) {
        let n = l.len();
        let mut outs = [l, r];
        DipAm::each_ear(am, clocks, m0, alpha, scratch, n, |c, e| {
            if let Some(e) = e {
                for (o, g) in outs[c].iter_mut().zip(e.iter()) {
                    *o *= g;
                }
            }
        });
    }

    /// y += v·e per ear (y += v where an ear's AM is off): bit for bit [`DipAm::apply_ears`]
    /// on v and then adding, in one pass. `scratch` holds at least `yl.len()` values.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub fn add_ears(
        am: &[DipAm; 2],
        clocks: [&Clock; 2],
        m0: u64,
        alpha: &[f64],
        [vl, vr]: [&[f64]; 2],
        yl: &mut [f64],
        yr: &mut [f64],
        scratch: &mut [f64],
    ) {
        let n = yl.len();
        let (v, mut y) = ([&vl[..n], &vr[..n]], [&mut yl[..n], &mut yr[..n]]);
        DipAm::each_ear(am, clocks, m0, alpha, scratch, n, |c, e| {
            let (y, v) = (&mut *y[c], v[c]);
            match e {
                Some(e) => {
                    let e = &e[..n];
                    for k in 0..n {
                        y[k] += v[k] * e[k];
                    }
                }
                None => {
                    for k in 0..n {
                        y[k] += v[k];
                    }
                }
            }
        });
    }

    /// y += (gain·carrier)·e per ear (y += gain·carrier where an ear's AM is off): bit for bit
    /// filling each carrier with `Carrier::fill_sin_scaled` and then [`DipAm::add_ears`], with
    /// the envelope multiplied in as the carrier is added (no voice buffer, one pass less).
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub fn add_carriers(
        am: &[DipAm; 2],
        clocks: [&Clock; 2],
        m0: u64,
        alpha: &[f64],
        carriers: &mut [Carrier; 2],
        gains: [f64; 2],
        yl: &mut [f64],
        yr: &mut [f64],
        scratch: &mut [f64],
    ) {
        let n = yl.len();
        let mut y = [&mut yl[..n], &mut yr[..n]];
        DipAm::each_ear(am, clocks, m0, alpha, scratch, n, |c, e| match e {
            Some(e) => carriers[c].add_sin_scaled_env(y[c], gains[c], e),
            None => carriers[c].add_sin_scaled(y[c], gains[c]),
        });
    }

    /// The envelope's largest value over frames [m0, m0 + n), exactly (to rounding), for a
    /// static AM without skew on a constant-rate clock; None otherwise (the envelope never
    /// exceeds 1). e = 1 − (d/2)(1 + sin 2πq) peaks where sin 2πq is least: −1 if q passes
    /// a point ≡ 3/4 (mod 1) in the frames' span, else at one end.
    pub fn block_max(&self, clock: &Clock, m0: u64, n: u64) -> Option<f64> {
        if !self.is_active() {
            return Some(1.0);
        }
        if !self.is_static() || self.skew.start != 0.0 {
            return None;
        }
        let inc = clock.const_inc()?;
        let a = frac(clock.at(m0 as f64) + self.phase_rad.start * INV_TAU);
        let b = a + inc * n.saturating_sub(1) as f64;
        let least = if 0.75 + (b - 0.75).floor() >= a {
            -1.0
        } else {
            sin_cycles(a).min(sin_cycles(b))
        };
        Some(1.0 - 0.5 * self.depth.start * (1.0 + least))
    }

    /// Calls `f` with the envelope for frames [m0, m0 + n) (α per frame in `alpha`).
    ///
    /// With constant parameters the envelope is a function of them, the clock and the frames
    /// alone, so voices with the same AM share it through `cache::ENVELOPE` (F12: two pairs
    /// of voices): a hit gives exactly the values a computation would. Otherwise it is
    /// computed into `scratch` (at least n values). `f` must not ask for another envelope.
    #[inline]
    pub fn with_envelope<R>(
        &self,
        clock: &Clock,
        m0: u64,
        alpha: &[f64],
        scratch: &mut [f64],
        n: usize,
        f: impl FnOnce(&[f64]) -> R,
    ) -> R {
        if !self.is_static() || n > cache::PIECE {
            let e = &mut scratch[..n];
            self.envelope(clock, m0, alpha, e);
            return f(e);
        }
        let key = cache::Key {
            what: self.envelope_key(clock),
            n0: m0,
            len: n,
        };
        cache::ENVELOPE.with(|c| {
            let mut c = c.borrow_mut();
            let (e, _) = c.get(key, |e, _| self.envelope(clock, m0, alpha, e));
            f(e)
        })
    }

    /// Writes the envelope for frames m0.. into `e` (α per frame in `alpha`).
    #[inline]
    pub fn envelope(&self, clock: &Clock, m0: u64, alpha: &[f64], e: &mut [f64]) {
        if self.is_static() && self.skew.start == 0.0 {
            if let (Some(inc), Some(knot)) = (
                clock.const_inc(),
                smooth::knot_for(self.rate_hz.start, clock.sample_rate()),
            ) {
                // e(n) = 1 − (d/2)(1 + sin 2πq) is smooth: knots + interpolation (smooth.rs),
                // as far apart as the rate allows.
                let (half_d, off, w) = (
                    0.5 * self.depth.start,
                    self.phase_rad.start * INV_TAU,
                    2.0 * std::f64::consts::PI * inc,
                );
                let mut lfo = clock.linear(off).expect("constant rate");
                smooth::fill_phased(
                    m0,
                    e,
                    knot,
                    |k| lfo.at(k),
                    |q| {
                        (
                            1.0 - half_d * (1.0 + sin_cycles(q)),
                            -half_d * w * cos_cycles(q),
                        )
                    },
                );
                return;
            }
        }
        if self.is_static() {
            clock.fill_frac(m0, self.phase_rad.start * INV_TAU, e);
            let half_d = 0.5 * self.depth.start;
            let k = self.skew.start;
            if k == 0.0 {
                for q in e.iter_mut() {
                    *q = 1.0 - half_d * (1.0 + sin_cycles(*q));
                }
            } else {
                for q in e.iter_mut() {
                    *q = 1.0 - half_d * (1.0 + skewed_sine(*q, k));
                }
            }
            return;
        }
        for (k, g) in e.iter_mut().enumerate() {
            let a = alpha[k];
            let p = frac(clock.at((m0 + k as u64) as f64) + self.phase_rad.at(a) * INV_TAU);
            *g = 1.0 - self.depth.at(a) * (1.0 + skewed_sine(p, self.skew.at(a))) * 0.5;
        }
    }
}

/// Interaural phase wobble Δ(t) = (ρ/2)·sin(2π·P(t)) in radians (`voices.md` §2.5).
#[derive(Debug, Clone, Copy)]
pub struct Wobble {
    pub rate_hz: Lerp,
    pub range_rad: Lerp,
}

impl Wobble {
    pub fn parse(p: &Params) -> Result<Wobble> {
        Ok(Wobble {
            rate_hz: Lerp::new(p.pair_min("wobble_freq_hz", 0.0, 0.0)?),
            range_rad: Lerp::new(p.pair_min("wobble_range_rad", 0.0, 0.0)?),
        })
    }

    pub fn is_active(&self) -> bool {
        self.range_rad.start != 0.0 || self.range_rad.end != 0.0
    }

    /// Writes Δ/2π (in cycles) for frames m0...
    #[inline]
    pub fn fill_cycles(&self, clock: &Clock, m0: u64, alpha: &[f64], out: &mut [f64]) {
        if self.range_rad.is_const() {
            if let (Some(inc), Some(knot)) = (
                clock.const_inc(),
                smooth::knot_for(self.rate_hz.start, clock.sample_rate()),
            ) {
                let (g, w) = (
                    0.5 * self.range_rad.start * INV_TAU,
                    2.0 * std::f64::consts::PI * inc,
                );
                let mut lfo = clock.linear(0.0).expect("constant rate");
                smooth::fill_phased(
                    m0,
                    out,
                    knot,
                    |k| lfo.at(k),
                    |q| (g * sin_cycles(q), g * w * cos_cycles(q)),
                );
                return;
            }
            clock.fill_frac(m0, 0.0, out);
            let g = 0.5 * self.range_rad.start * INV_TAU;
            for o in out.iter_mut() {
                *o = g * sin_cycles(*o);
            }
            return;
        }
        for (k, o) in out.iter_mut().enumerate() {
            let a = alpha[k];
            *o =
                0.5 * self.range_rad.at(a) * sin_cycles(clock.at((m0 + k as u64) as f64)) * INV_TAU;
        }
    }
}

/// Lift-form amplitude modulation: m = 1 − d·(1 − sin(2π(P + θ/2π)))/2, in [1 − d, 1], maximum
/// when the sine peaks (`voices.md` §2.5).
#[derive(Debug, Clone, Copy)]
pub struct LiftAm {
    pub depth: Lerp,
    pub rate_hz: Lerp,
    pub phase_rad: Lerp,
}

impl LiftAm {
    pub fn is_active(&self) -> bool {
        self.depth.start != 0.0 || self.depth.end != 0.0
    }

    fn is_static(&self) -> bool {
        self.depth.is_const() && self.rate_hz.is_const() && self.phase_rad.is_const()
    }

    /// Writes m for frames m0.. into `out` (α per frame in `alpha`).
    #[inline]
    pub fn fill(&self, clock: &Clock, m0: u64, alpha: &[f64], out: &mut [f64]) {
        if self.is_static() {
            let (half_d, off) = (0.5 * self.depth.start, self.phase_rad.start * INV_TAU);
            if let (Some(inc), Some(knot)) = (
                clock.const_inc(),
                smooth::knot_for(self.rate_hz.start, clock.sample_rate()),
            ) {
                // Smooth: exact knots and Hermite interpolation in between (smooth.rs).
                let w = 2.0 * std::f64::consts::PI * inc;
                let mut lfo = clock.linear(off).expect("constant rate");
                smooth::fill_phased(
                    m0,
                    out,
                    knot,
                    |k| lfo.at(k),
                    |q| {
                        (
                            1.0 - half_d * (1.0 - sin_cycles(q)),
                            half_d * w * cos_cycles(q),
                        )
                    },
                );
                return;
            }
            clock.fill_frac(m0, off, out);
            for o in out.iter_mut() {
                *o = 1.0 - half_d * (1.0 - sin_cycles(*o));
            }
            return;
        }
        for (k, o) in out.iter_mut().enumerate() {
            let a = alpha[k];
            let q = clock.at((m0 + k as u64) as f64) + self.phase_rad.at(a) * INV_TAU;
            *o = 1.0 - 0.5 * self.depth.at(a) * (1.0 - sin_cycles(q));
        }
    }
}

/// The tanh waveshaper of `voices.md` §2.8: tanh(s·x)/tanh(s), and x itself below s = 1e-4.
#[inline(always)]
pub fn shaper(x: f64, s: f64) -> f64 {
    if s >= 1e-4 {
        (s * x).tanh() / s.tanh()
    } else {
        x
    }
}

/// Renders a class-F voice over `frames` frames and discards them: the warm-up replay of a
/// seek, after the voice has been set back to `start = m − warm-up` and its filters restarted.
pub fn warm_up(voice: &mut dyn Voice, frames: u64) {
    let mut l = [0.0; CHUNK];
    let mut r = [0.0; CHUNK];
    let mut scratch = [ZERO_BUF; 12];
    let mut left = frames;
    while left > 0 {
        let n = (left as usize).min(CHUNK);
        voice.render(&mut l[..n], &mut r[..n], &mut scratch);
        left -= n as u64;
    }
}

/// Whether the two ears' tones are the same samples (no beat, same amplitude; a wobble, which
/// moves the ears apart, is the caller's to exclude).
pub fn twin_ears(carriers: &[Carrier; 2], amp: &[Lerp; 2]) -> bool {
    amp[0] == amp[1] && carriers[0].is_twin(&carriers[1])
}

/// The two ears' tones of `binaural_beat` and `isochronic_tone`:
/// out_c = amp_c(α)·e·sin 2π(Φ_c ∓ w), with the interaural wobble w (cycles; − on the left)
/// when `wobble` is given and the envelope e (the isochronic pulse, shared by both ears) when
/// `envelope` is given. A constant amplitude is folded into the carrier's phasor (osc.rs);
/// `ph` is scratch of the block's length.
#[allow(clippy::too_many_arguments)]
pub fn ear_tones(
    carriers: &mut [Carrier; 2],
    amp: &[Lerp; 2],
    alpha: &[f64],
    wobble: Option<&[f64]>,
    envelope: Option<&[f64]>,
    l: &mut [f64],
    r: &mut [f64],
    ph: &mut [f64],
) {
    // Twin ears: render one and copy it (bit-identical, half the carrier work of such a voice).
    if wobble.is_none() && twin_ears(carriers, amp) {
        let [c0, c1] = carriers;
        ear_tone(c0, amp[0], 0, alpha, None, envelope, l, ph);
        c1.follow(c0);
        r.copy_from_slice(l);
        return;
    }
    for (c, out) in [l, r].into_iter().enumerate() {
        ear_tone(
            &mut carriers[c],
            amp[c],
            c,
            alpha,
            wobble,
            envelope,
            out,
            ph,
        );
    }
}

/// One ear of [`ear_tones`]; `envelope` multiplies the tone (1.0 without one: a·1.0·x is a·x
/// exactly).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn ear_tone(
    carrier: &mut Carrier,
    amp: Lerp,
    c: usize,
    alpha: &[f64],
    wobble: Option<&[f64]>,
    envelope: Option<&[f64]>,
    out: &mut [f64],
    ph: &mut [f64],
) {
    let n = out.len();
    let ph = &mut ph[..n];
    let e = |k: usize| envelope.map_or(1.0, |e| e[k]);
    match (amp.is_const(), wobble) {
        (true, Some(w)) => {
            let sign = if c == 0 { -1.0 } else { 1.0 };
            carrier.fill(ph);
            for k in 0..n {
                out[k] = amp.start * e(k) * sin_cycles(ph[k] + sign * w[k]);
            }
        }
        (false, Some(w)) => {
            let sign = if c == 0 { -1.0 } else { 1.0 };
            carrier.fill(ph);
            for k in 0..n {
                out[k] = amp.at(alpha[k]) * e(k) * sin_cycles(ph[k] + sign * w[k]);
            }
        }
        // The envelope multiplied in as the tone is written: the bits of filling, then
        // multiplying (and without one, of multiplying by 1).
        (true, None) => match envelope {
            Some(env) => carrier.fill_sin_scaled_env(out, amp.start, env),
            None => carrier.fill_sin_scaled(out, amp.start),
        },
        (false, None) => {
            carrier.fill_sin(ph);
            for k in 0..n {
                out[k] = amp.at(alpha[k]) * e(k) * ph[k];
            }
        }
    }
}

#[cfg(test)]
// 3.14 is the phase the real files write (not π).
#[allow(clippy::approx_constant)]
mod tests {
    use super::*;

    /// block_max is at least the rendered envelope's largest value over the frames (and no
    /// more than 1e-12 above it where the span reaches a crest or an end), for rates, depths,
    /// phases, carried clocks and windows of many kinds.
    #[test]
    fn dip_am_block_max_bounds_the_envelope_tightly() {
        let sr = 44_100;
        let mut worst_gap: f64 = 0.0;
        for (i, &(rate, depth, phase, p0)) in [
            (0.05, 0.5, 0.0, 0.0),
            (0.05, 0.5, 3.14, 0.37),
            (0.4, 1.0, -1.2, 12.9),
            (3.0, 0.2, 4.7, 0.0),
            (11.0, 1.0, 0.5, 0.9),
            (0.0, 0.8, 2.0, 0.25),
        ]
        .iter()
        .enumerate()
        {
            let am = DipAm {
                depth: Lerp::constant(depth),
                rate_hz: Lerp::constant(rate),
                phase_rad: Lerp::constant(phase),
                skew: Lerp::constant(0.0),
            };
            let clock = Clock::new(am.rate_hz, Ramp::HOLD, sr, p0);
            for k in 0..40u64 {
                let m0 = (k * 7919 + i as u64 * 104_729) * 37 % 3_000_000;
                let n = [1u64, 2, 255, 256, 4096, 20_000][(k % 6) as usize];
                let mut e = vec![0.0; n as usize];
                let alpha = vec![0.0; n as usize];
                am.envelope(&clock, m0, &alpha, &mut e);
                let top = e.iter().cloned().fold(f64::MIN, f64::max);
                let b = am.block_max(&clock, m0, n).expect("static AM");
                assert!(b >= top - 1e-10, "{rate} {m0} {n}: {b} < {top}");
                worst_gap = worst_gap.max(b - top);
                if n == 1 {
                    assert!((b - top).abs() < 1e-9, "{b} {top}");
                }
            }
        }
        // Tight: over ≤ 20 000 frames the bound is the crest itself or an end value.
        assert!(worst_gap < 1e-3, "{worst_gap}");
        // Skewed, ramped or inactive AMs.
        let skewed = DipAm {
            depth: Lerp::constant(0.5),
            rate_hz: Lerp::constant(1.0),
            phase_rad: Lerp::constant(0.0),
            skew: Lerp::constant(0.3),
        };
        let clock = Clock::new(skewed.rate_hz, Ramp::HOLD, sr, 0.0);
        assert_eq!(skewed.block_max(&clock, 0, 256), None);
        let off = DipAm {
            depth: Lerp::constant(0.0),
            ..skewed
        };
        assert_eq!(off.block_max(&clock, 0, 256), Some(1.0));
    }
}

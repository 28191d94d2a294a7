//! Oscillator phases (`voices.md` §2.1): LFO clocks with exact integrals, and carriers with
//! anchored phases so that any block size and any seek give bit-identical samples.
//!
//! A carrier picks one of three exact-in-f64 strategies at construction: constant frequency
//! (anchor + linear offset), static vibrato (closed-form antiderivative), or the general
//! anchored scheme (Gauss–Legendre anchors every 1024 frames, trapezoid between them).

use std::sync::{Arc, Mutex, Weak};

use crate::cache;
use crate::ramp::{Lerp, Ramp};
use crate::shapes::{cos_cycles, floor, fma, frac, put, sin_cycles, Shape};
use crate::smooth;

/// Anchor spacing in frames (`voices.md` §2.1: K = 1024).
pub const ANCHOR: u64 = 1024;

/// A phase in cycles held as whole cycles plus a fraction in [0, 1), so precision does not
/// decay in long steps.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Phase {
    pub cycles: i64,
    pub frac: f64,
}

impl Phase {
    pub fn from_f64(x: f64) -> Phase {
        let w = crate::shapes::floor(x);
        Phase {
            cycles: w as i64,
            frac: x - w,
        }
    }

    /// Adds `x` cycles, renormalising.
    pub fn add_cycles(self, x: f64) -> Phase {
        let w = crate::shapes::floor(x);
        let mut p = Phase {
            cycles: self.cycles + w as i64,
            frac: self.frac + (x - w),
        };
        if p.frac >= 1.0 {
            p.frac -= 1.0;
            p.cycles += 1;
        }
        p
    }

    /// Adds the exact product n·inc (two-product with a fused multiply-add).
    pub fn add_product(self, n: f64, inc: f64) -> Phase {
        let p = n * inc;
        let e = n.mul_add(inc, -p);
        self.add_cycles(p).add_cycles(e)
    }

    pub fn as_f64(self) -> f64 {
        self.cycles as f64 + self.frac
    }
}

/// An integrated rate (LFO, pulse, pan or wobble clock), in cycles:
/// P(x) = P₀ + (r₀·x + (r₁ − r₀)·∫₀ˣα)/sr for frame position x.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Clock {
    pub p0: f64,
    pub rate: Lerp,
    inv_sr: f64,
    sr: u32,
    ramp: Ramp,
}

impl Clock {
    pub fn new(rate: Lerp, ramp: Ramp, sample_rate: u32, p0: f64) -> Clock {
        Clock {
            p0,
            rate,
            inv_sr: 1.0 / sample_rate as f64,
            sr: sample_rate,
            ramp,
        }
    }

    pub fn sample_rate(&self) -> u32 {
        self.sr
    }

    /// P at frame position x. For a constant rate this is the same anchored sum that
    /// [`Clock::fill_frac`] uses, so a carried clock equals the rendered one.
    #[inline(always)]
    pub fn at(&self, x: f64) -> f64 {
        if self.rate.is_const() {
            let inc = self.rate.start * self.inv_sr;
            let n = x as u64;
            if n as f64 == x {
                let j = n / ANCHOR;
                let a = Phase::from_f64(self.p0).add_product((j * ANCHOR) as f64, inc);
                return a.as_f64() + (n - j * ANCHOR) as f64 * inc;
            }
            self.p0 + self.rate.start * x * self.inv_sr
        } else {
            self.p0
                + (self.rate.start * x
                    + (self.rate.end - self.rate.start) * self.ramp.alpha_integral(x))
                    * self.inv_sr
        }
    }

    pub fn is_stopped(&self) -> bool {
        self.rate.start == 0.0 && self.rate.end == 0.0
    }
}

/// Frequency vibrato: (R/2)·W(frac(P(t) + θ/2π); k).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Vibrato {
    pub range_hz: Lerp,
    pub clock: Clock,
    pub phase_rad: Lerp,
    pub skew: Lerp,
    pub shape: Shape,
}

impl Vibrato {
    #[inline(always)]
    fn value(&self, x: f64, alpha: f64) -> f64 {
        let p = frac(self.clock.at(x) + self.phase_rad.at(alpha) * (0.5 / std::f64::consts::PI));
        0.5 * self.range_hz.at(alpha) * self.shape.value(p, self.skew.at(alpha))
    }

    fn is_static(&self) -> bool {
        self.range_hz.is_const()
            && self.clock.rate.is_const()
            && self.phase_rad.is_const()
            && self.skew.is_const()
    }

    /// The shape's argument before frac(): q(x) = P(x) + θ/2π.
    #[inline(always)]
    fn argument(&self, x: f64, alpha: f64) -> f64 {
        self.clock.at(x) + self.phase_rad.at(alpha) * (0.5 / std::f64::consts::PI)
    }

    /// Whether the shape has corners (a skewed sine or any triangle), where the frequency
    /// has a kink that quadrature must not straddle.
    fn has_corners(&self) -> bool {
        self.shape == Shape::Triangle || self.skew.start != 0.0 || self.skew.end != 0.0
    }

    /// Frame positions in (lo, hi) where the shape's argument crosses a corner (frac = 0 or
    /// frac = c), found by bisection; pushed into `out`.
    fn corners(&self, ramp: &Ramp, lo: f64, hi: f64, out: &mut Edges) {
        let c_at = |x: f64| (0.5 + 0.5 * self.skew.at(ramp.alpha(x))).clamp(1e-9, 1.0 - 1e-9);
        let g0 = |x: f64| self.argument(x, ramp.alpha(x));
        let g1 = |x: f64| g0(x) - c_at(x);
        for g in [&g0 as &dyn Fn(f64) -> f64, &g1] {
            let (a, b) = (g(lo), g(hi));
            let (k0, k1) = (a.floor().min(b.floor()), a.floor().max(b.floor()));
            let mut k = k0 + 1.0;
            while k <= k1 && out.len < out.items.len() {
                let (mut x0, mut x1) = (lo, hi);
                let rising = b > a;
                for _ in 0..48 {
                    let xm = 0.5 * (x0 + x1);
                    if (g(xm) < k) == rising {
                        x0 = xm;
                    } else {
                        x1 = xm;
                    }
                }
                out.push(0.5 * (x0 + x1));
                k += 1.0;
            }
        }
    }
}

/// Split points of one anchor interval, on the stack (quadrature runs on the audio thread).
pub struct Edges {
    items: [f64; 40],
    len: usize,
}

impl Edges {
    fn push(&mut self, x: f64) {
        if self.len < self.items.len() {
            self.items[self.len] = x;
            self.len += 1;
        }
    }
}

/// What a carrier integrates: f(t) = max(0, base(t) + vibrato(t)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CarrierSpec {
    pub base_hz: Lerp,
    pub vibrato: Option<Vibrato>,
}

impl CarrierSpec {
    #[inline(always)]
    pub fn freq(&self, x: f64, ramp: &Ramp) -> f64 {
        self.unclamped(x, ramp.alpha(x)).max(0.0)
    }

    /// base + vibrato at x with a given α, before the clamp at 0 Hz.
    #[inline(always)]
    fn unclamped(&self, x: f64, a: f64) -> f64 {
        let v = match &self.vibrato {
            Some(vib) => vib.value(x, a),
            None => 0.0,
        };
        self.base_hz.at(a) + v
    }

    /// Positions in (lo, hi) where the frequency enters or leaves the clamp at 0 Hz (a corner
    /// quadrature must not straddle). Only intervals whose lower bound can reach 0 are scanned.
    fn clamp_corners(&self, ramp: &Ramp, lo: f64, hi: f64, out: &mut Edges) {
        let (a0, a1) = (ramp.alpha(lo), ramp.alpha(hi));
        let swing = self
            .vibrato
            .map_or(0.0, |v| 0.5 * v.range_hz.at(a0).max(v.range_hz.at(a1)));
        if self.base_hz.at(a0).min(self.base_hz.at(a1)) - swing > 0.0 {
            return;
        }
        let g = |x: f64| self.unclamped(x, ramp.alpha(x));
        const SCAN: usize = 64;
        let step = (hi - lo) / SCAN as f64;
        let mut prev = g(lo);
        for i in 1..=SCAN {
            let x1 = lo + step * i as f64;
            let cur = g(x1);
            if (prev > 0.0) != (cur > 0.0) {
                let (mut x0, mut x1b, rising) = (x1 - step, x1, cur > prev);
                for _ in 0..48 {
                    let xm = 0.5 * (x0 + x1b);
                    if (g(xm) > 0.0) != rising {
                        x0 = xm;
                    } else {
                        x1b = xm;
                    }
                }
                out.push(0.5 * (x0 + x1b));
            }
            prev = cur;
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Mode {
    /// f constant: Φ(n) = A_j + (n − jK)·inc.
    Constant { inc: f64 },
    /// Static vibrato without clamping: closed form of `voices.md` §2.2.
    StaticVibrato {
        inc: f64,
        scale: f64,
        rate_inc: f64,
        offset: f64,
        j_offset: f64,
        skew: f64,
        shape: Shape,
    },
    /// Anchors by quadrature, trapezoid between them.
    General,
}

/// Gauss–Legendre 8-point nodes and weights on [−1, 1].
const GL_X: [f64; 4] = [
    0.183_434_642_495_649_8,
    0.525_532_409_916_329,
    0.796_666_477_413_626_7,
    0.960_289_856_497_536_3,
];
const GL_W: [f64; 4] = [
    0.362_683_783_378_362,
    0.313_706_645_877_887_3,
    0.222_381_034_453_374_5,
    0.101_228_536_290_376_3,
];

/// A carrier oscillator positioned somewhere in its step.
#[derive(Debug, Clone)]
pub struct Carrier {
    spec: CarrierSpec,
    ramp: Ramp,
    mode: Mode,
    inv_sr: f64,
    phase0: Phase,
    /// Knot spacing of a static plain-sine vibrato slow enough for knots + interpolation
    /// (`smooth::knot_for`), else 0.
    smooth: usize,
    /// Knot spacing of the phasor path of [`Carrier::fill_sin`] for a static plain-sine
    /// vibrato shallow enough for it (`smooth::phasor_knot`), else 0.
    phasor: usize,
    /// e^{2πi·rate_inc·K} (re, im): the vibrato LFO's turn from one phasor knot to the next.
    knot_step: [f64; 2],
    /// The phasor path's knots of the current batch, kept between calls (a cache: calls
    /// shorter than a batch would otherwise start it again). Boxed, and only on that path.
    knots: Option<Box<KnotBatch>>,
    /// Static triangle vibrato: [`Carrier::fill_sin`] runs the chirp recurrence, and this is
    /// where it stopped, to continue it in the next call. Boxed, so that the other carriers
    /// stay small (many streams share one core's caches); built with the carrier, off the
    /// audio thread.
    chirp: Option<Box<Chirp>>,
    /// e^{2πi·k·inc} for k < [`ROT`]: the rotation from a phasor chunk's start to frame k,
    /// shared by every carrier of the same increment (streams of one track share the cache).
    rot: Arc<Rotation>,
    /// The carrier's linear phase and its vibrato LFO phase, with their last anchors kept
    /// from one call to the next (a cache: the values depend on the frame alone).
    lin_cache: [LinearPhase; 2],
    /// The last chunk-start phasor of the constant-frequency part (a cache too).
    chunk: ChunkPhasor,
    // Anchor j and its phase; for General also the running trapezoid state.
    anchor_j: u64,
    anchor: Phase,
    next_n: u64,
    acc: f64,
    f_prev: f64,
}

impl Carrier {
    /// A carrier without vibrato at `base_hz` (the tone of most voices).
    pub fn plain(base_hz: Lerp, ramp: Ramp, sample_rate: u32, phase0: Phase) -> Carrier {
        let spec = CarrierSpec {
            base_hz,
            vibrato: None,
        };
        Carrier::new(spec, ramp, sample_rate, phase0)
    }

    pub fn new(spec: CarrierSpec, ramp: Ramp, sample_rate: u32, phase0: Phase) -> Carrier {
        let sr = sample_rate as f64;
        let static_base = spec.base_hz.is_const() || ramp.is_hold();
        let base = spec.base_hz.start;
        let mode = match &spec.vibrato {
            _ if !static_base => Mode::General,
            None => Mode::Constant {
                inc: base.max(0.0) / sr,
            },
            Some(v) if v.range_hz.start == 0.0 && v.range_hz.end == 0.0 => Mode::Constant {
                inc: base.max(0.0) / sr,
            },
            Some(v) if v.is_static() || ramp.is_hold() => {
                let r = v.clock.rate.start;
                let half = 0.5 * v.range_hz.start;
                let offset = v.phase_rad.start * (0.5 / std::f64::consts::PI) + v.clock.p0;
                let k = v.skew.start;
                if r == 0.0 {
                    let f = (base + half * v.shape.value(frac(offset), k)).max(0.0);
                    Mode::Constant { inc: f / sr }
                } else if base - half >= 0.0 {
                    Mode::StaticVibrato {
                        inc: base / sr,
                        scale: half / r,
                        rate_inc: r / sr,
                        offset,
                        j_offset: v.shape.cycles_integral(offset, k),
                        skew: k,
                        shape: v.shape,
                    }
                } else {
                    Mode::General
                }
            }
            Some(_) => Mode::General,
        };
        let smooth = match mode {
            Mode::StaticVibrato {
                rate_inc,
                skew: 0.0,
                shape: Shape::Sine,
                ..
            } => smooth::knot_for(rate_inc * sr, sample_rate).unwrap_or(0),
            _ => 0,
        };
        let phasor = match mode {
            Mode::StaticVibrato {
                scale, rate_inc, ..
            } if smooth > 0 => {
                smooth::phasor_knot(scale * rate_inc * sr + rate_inc * sr, sample_rate).unwrap_or(0)
            }
            _ => 0,
        };
        let knot_step = match mode {
            Mode::StaticVibrato { rate_inc, .. } if phasor > 0 => {
                let a = rate_inc * phasor as f64;
                [cos_cycles(a), sin_cycles(a)]
            }
            _ => [1.0, 0.0],
        };
        let knots = (phasor > 0).then(|| Box::new(KnotBatch::NONE));
        let chirp = matches!(
            mode,
            Mode::StaticVibrato {
                shape: Shape::Triangle,
                ..
            }
        )
        .then(|| Box::new(Chirp::NONE));
        let rot = match mode {
            Mode::Constant { inc } | Mode::StaticVibrato { inc, .. } => Rotation::shared(inc),
            Mode::General => Rotation::shared(0.0),
        };
        let lin_cache = match mode {
            Mode::Constant { inc } => [LinearPhase::new(phase0, inc, 0.0); 2],
            Mode::StaticVibrato {
                inc,
                rate_inc,
                offset,
                ..
            } => [
                LinearPhase::new(phase0, inc, 0.0),
                LinearPhase::new(Phase::default(), rate_inc, offset),
            ],
            Mode::General => [LinearPhase::new(phase0, 0.0, 0.0); 2],
        };
        let mut c = Carrier {
            spec,
            ramp,
            mode,
            inv_sr: 1.0 / sr,
            phase0,
            smooth,
            phasor,
            knot_step,
            knots,
            chirp,
            rot,
            lin_cache,
            chunk: ChunkPhasor::NONE,
            anchor_j: 0,
            anchor: phase0,
            next_n: 0,
            acc: 0.0,
            f_prev: 0.0,
        };
        c.seek(0);
        c
    }

    fn linear_inc(&self) -> f64 {
        match self.mode {
            Mode::Constant { inc } | Mode::StaticVibrato { inc, .. } => inc,
            Mode::General => 0.0,
        }
    }

    /// ∫ f over frames [jK, (j+1)K] in cycles: 8-point Gauss–Legendre on each piece between
    /// the ramp's breakpoints (where f has a kink).
    fn quadrature(&self, j: u64) -> f64 {
        let lo = (j * ANCHOR) as f64;
        let hi = lo + ANCHOR as f64;
        let mut edges = Edges {
            items: [0.0; 40],
            len: 0,
        };
        for b in self.ramp.breakpoints() {
            if b > lo && b < hi {
                edges.push(b);
            }
        }
        if let Some(v) = self.spec.vibrato.as_ref().filter(|v| v.has_corners()) {
            v.corners(&self.ramp, lo, hi, &mut edges);
        }
        self.spec.clamp_corners(&self.ramp, lo, hi, &mut edges);
        edges.push(hi);
        let edges = &mut edges.items[..edges.len];
        edges.sort_unstable_by(f64::total_cmp);
        let mut total = 0.0;
        let mut a = lo;
        for &b in edges.iter() {
            if b <= a {
                continue;
            }
            let half = 0.5 * (b - a);
            let mid = a + half;
            let mut s = 0.0;
            for i in 0..4 {
                s += GL_W[i]
                    * (self.spec.freq(mid - half * GL_X[i], &self.ramp)
                        + self.spec.freq(mid + half * GL_X[i], &self.ramp));
            }
            total += s * half;
            a = b;
        }
        total * self.inv_sr
    }

    fn anchor_phase(&self, j: u64) -> Phase {
        match self.mode {
            Mode::General => {
                // Reuse the current anchor when moving forward.
                let (mut k, mut a) = if j >= self.anchor_j {
                    (self.anchor_j, self.anchor)
                } else {
                    (0, self.phase0)
                };
                while k < j {
                    a = a.add_cycles(self.quadrature(k));
                    k += 1;
                }
                a
            }
            _ => self
                .phase0
                .add_product((j * ANCHOR) as f64, self.linear_inc()),
        }
    }

    /// Whether `other` renders the very same samples from here on: same frequency function,
    /// ramp, rate and start phase, at the same frame (an ear pair without a beat, for example).
    pub fn is_twin(&self, other: &Carrier) -> bool {
        self.next_n == other.next_n
            && self.phase0 == other.phase0
            && self.inv_sr == other.inv_sr
            && self.spec == other.spec
            && self.ramp == other.ramp
    }

    /// Takes over the position of its twin `leader` (see [`Carrier::is_twin`]) after the
    /// leader rendered frames this carrier skipped: copies the state, allocates nothing.
    pub fn follow(&mut self, leader: &Carrier) {
        debug_assert!(self.spec == leader.spec && self.phase0 == leader.phase0);
        self.lin_cache = leader.lin_cache;
        self.chunk = leader.chunk;
        self.anchor_j = leader.anchor_j;
        self.anchor = leader.anchor;
        self.next_n = leader.next_n;
        self.acc = leader.acc;
        self.f_prev = leader.f_prev;
        if let (Some(mine), Some(theirs)) = (self.chirp.as_deref_mut(), leader.chirp.as_deref()) {
            *mine = *theirs;
        }
    }

    /// Positions the carrier so that the next sample rendered is frame `m`.
    pub fn seek(&mut self, m: u64) {
        let j = m / ANCHOR;
        self.anchor = self.anchor_phase(j);
        self.anchor_j = j;
        self.next_n = j * ANCHOR;
        if let Mode::General = self.mode {
            self.acc = 0.0;
            self.f_prev = self.spec.freq(self.next_n as f64, &self.ramp);
            while self.next_n < m {
                self.step_general();
            }
        } else {
            self.next_n = m;
        }
    }

    #[inline(always)]
    fn step_general(&mut self) {
        let n1 = self.next_n + 1;
        if n1.is_multiple_of(ANCHOR) {
            self.anchor = self.anchor.add_cycles(self.quadrature(self.anchor_j));
            self.anchor_j += 1;
            self.acc = 0.0;
            self.f_prev = self.spec.freq(n1 as f64, &self.ramp);
        } else {
            let f = self.spec.freq(n1 as f64, &self.ramp);
            // At a jump the interval before frame A still has the start values.
            let right = if self.ramp.jump_frame() == Some(n1) {
                self.spec.unclamped(n1 as f64, 0.0).max(0.0)
            } else {
                f
            };
            self.acc += (self.f_prev + right) * 0.5 * self.inv_sr;
            self.f_prev = f;
        }
        self.next_n = n1;
    }

    /// Phase (whole cycles and fraction) at the next frame to render.
    pub fn phase(&self) -> Phase {
        match self.mode {
            Mode::General => self.anchor.add_cycles(self.acc),
            Mode::Constant { inc } => self
                .anchor
                .add_cycles((self.next_n - self.anchor_j * ANCHOR) as f64 * inc),
            Mode::StaticVibrato { .. } => {
                let base = self
                    .anchor
                    .add_cycles((self.next_n - self.anchor_j * ANCHOR) as f64 * self.linear_inc());
                base.add_cycles(self.vibrato_term(self.next_n as f64))
            }
        }
    }

    #[inline(always)]
    fn vibrato_term(&self, x: f64) -> f64 {
        match self.mode {
            Mode::StaticVibrato {
                scale,
                rate_inc,
                offset,
                j_offset,
                skew,
                shape,
                ..
            } => scale * (shape.cycles_integral(x * rate_inc + offset, skew) - j_offset),
            _ => 0.0,
        }
    }

    /// Writes frac(Φ(n)) for the next `out.len()` frames and advances.
    pub fn fill(&mut self, out: &mut [f64]) {
        match self.mode {
            Mode::General => {
                for o in out.iter_mut() {
                    *o = frac(self.anchor.frac + self.acc);
                    self.step_general();
                }
            }
            Mode::Constant { inc } => {
                let (p0, n0) = (self.phase0, self.next_n);
                fill_linear(p0, inc, 0.0, n0, out);
                self.next_n += out.len() as u64;
            }
            Mode::StaticVibrato {
                inc,
                scale,
                rate_inc,
                offset,
                j_offset,
                ..
            } if self.smooth > 0 => {
                // The plain-sine vibrato offset v(n) = scale·(J(x) − J(o)) = s2·(cos 2πo − cos 2πx),
                // x = n·rate_inc + o, is smooth: exact knots, Hermite in between (smooth.rs).
                let (p0, n0) = (self.phase0, self.next_n);
                let s2 = scale * (0.5 / std::f64::consts::PI);
                let c0 = 1.0 - 2.0 * std::f64::consts::PI * j_offset;
                let dx = 2.0 * std::f64::consts::PI * rate_inc;
                let mut lfo = LinearPhase::new(Phase::default(), rate_inc, offset);
                smooth::fill_phased(
                    n0,
                    out,
                    self.smooth,
                    |n| lfo.at(n),
                    |x| (s2 * (c0 - cos_cycles(x)), s2 * dx * sin_cycles(x)),
                );
                fill_linear_add(p0, inc, n0, out);
                self.next_n += out.len() as u64;
            }
            Mode::StaticVibrato { .. } => {
                self.static_phases(self.next_n, out);
                self.next_n += out.len() as u64;
            }
        }
    }

    /// frac(Φ(n)) for frames n0.. of a static vibrato (any shape), without moving the carrier.
    fn static_phases(&self, n0: u64, out: &mut [f64]) {
        let Mode::StaticVibrato {
            inc,
            scale,
            rate_inc,
            offset,
            j_offset,
            skew,
            shape,
        } = self.mode
        else {
            unreachable!("static_phases on a carrier without a static vibrato")
        };
        // Φ(n) = Φ₀ + n·inc + scale·(J(n·rate_inc + o) − J(o)); both linear parts are
        // anchored so that each sample depends on n alone.
        let p0 = self.phase0;
        fill_linear(p0, inc, 0.0, n0, out);
        let mut i = 0;
        while i < out.len() {
            let n = n0 + i as u64;
            let j = n / ANCHOR;
            let base_k = (n - j * ANCHOR) as i32;
            let xj = frac(
                Phase::default()
                    .add_product((j * ANCHOR) as f64, rate_inc)
                    .frac
                    + offset,
            );
            let run = ((ANCHOR - (n - j * ANCHOR)) as usize).min(out.len() - i);
            let seg = &mut out[i..i + run];
            if shape == Shape::Sine && skew == 0.0 {
                // J of the plain sine is (1 − cos 2πx)/2π: no corners, no whole cycles.
                let s2 = scale * (0.5 / std::f64::consts::PI);
                let c0 = 1.0 - 2.0 * std::f64::consts::PI * j_offset; // cos(2πo)
                for (k, o) in seg.iter_mut().enumerate() {
                    let v = s2 * (c0 - cos_cycles(xj + (base_k + k as i32) as f64 * rate_inc));
                    *o = frac(*o + v);
                }
            } else {
                // xj was reduced by whole cycles; J(x) = floor(x)·I(1) + I(frac(x)) adds them back.
                let whole = floor(
                    Phase::default()
                        .add_product((j * ANCHOR) as f64, rate_inc)
                        .as_f64()
                        + offset,
                ) - floor(xj);
                let per_cycle = shape.cycles_integral(1.0, skew);
                if shape == Shape::Triangle {
                    // The skewed triangle's integral (shapes.rs) with the two divisions
                    // turned into products: a third of the time per sample.
                    let c = crate::shapes::split(skew);
                    let (ic, i1c) = (1.0 / c, 1.0 / (1.0 - c));
                    for (k, o) in seg.iter_mut().enumerate() {
                        let x = xj + (base_k + k as i32) as f64 * rate_inc;
                        let p = frac(x);
                        let q = p - c;
                        let tri = if p < c {
                            -p + p * p * ic
                        } else {
                            q - q * q * i1c
                        };
                        let v = scale * (tri + whole * per_cycle - j_offset);
                        *o = frac(*o + frac(v));
                    }
                } else {
                    for (k, o) in seg.iter_mut().enumerate() {
                        let x = xj + (base_k + k as i32) as f64 * rate_inc;
                        let v =
                            scale * (shape.cycles_integral(x, skew) + whole * per_cycle - j_offset);
                        *o = frac(*o + frac(v));
                    }
                }
            }
            i += run;
        }
    }
}

/// Phasor knots per batch of the vibrato path of [`Carrier::fill_sin`] (batches start at
/// absolute multiples of KNOTS knots).
const KNOTS: usize = 8;

/// The knots of one batch of the vibrato phasor computed so far (`Carrier::vibrato_phasor`):
/// the LFO phasor (kc, ks) and V (pc, ps) at knots 0 .. `have` of the batch at frame `nb`.
#[derive(Debug, Clone, Copy)]
struct KnotBatch {
    nb: u64,
    have: usize,
    kc: [f64; KNOTS + 1],
    ks: [f64; KNOTS + 1],
    pc: [f64; KNOTS + 1],
    ps: [f64; KNOTS + 1],
}

impl KnotBatch {
    const NONE: KnotBatch = KnotBatch {
        nb: 0,
        have: 0,
        kc: [0.0; KNOTS + 1],
        ks: [0.0; KNOTS + 1],
        pc: [0.0; KNOTS + 1],
        ps: [0.0; KNOTS + 1],
    };
}

/// (cos θ, sin θ) for |θ| ≤ 0.19 by their Taylor series (truncation below 1e-17).
#[inline(always)]
fn small_cis(t: f64) -> (f64, f64) {
    debug_assert!(t.abs() <= 0.19, "{t}");
    let t2 = t * t;
    let c = fma(
        fma(
            fma(
                fma(
                    fma(t2, -1.0 / 3_628_800.0, 1.0 / 40_320.0),
                    t2,
                    -1.0 / 720.0,
                ),
                t2,
                1.0 / 24.0,
            ),
            t2,
            -0.5,
        ),
        t2,
        1.0,
    );
    let s = t * fma(
        fma(
            fma(
                fma(
                    fma(t2, -1.0 / 39_916_800.0, 1.0 / 362_880.0),
                    t2,
                    -1.0 / 5_040.0,
                ),
                t2,
                1.0 / 120.0,
            ),
            t2,
            -1.0 / 6.0,
        ),
        t2,
        1.0,
    );
    (c, s)
}

/// Frames per chunk of the triangle-vibrato chirp (`Carrier::chirp_chunk`).
const CHIRP: usize = 256;
/// Chirp chunks per run: the recurrence starts from exact phases at the first chunk of each
/// run of CHAIN (absolute multiples) and carries on through the others on the same branch.
const CHAIN: u64 = 4;
/// Frames the chirp recurrence advances per step (its independent lanes).
const LANES: usize = 8;

/// The chirp recurrence of a triangle vibrato (`Carrier::chirp_chunk`) at frames
/// nc + LANES·group + lane: z = e^{2πiΦ}, w = e^{2πi(Φ(n + LANES) − Φ(n))}, and ρ.
#[derive(Debug, Clone, Copy)]
struct Chirp {
    nc: u64,
    group: usize,
    zr: [f64; LANES],
    zi: [f64; LANES],
    wr: [f64; LANES],
    wi: [f64; LANES],
    rho: [f64; 2],
}

impl Chirp {
    /// Advances every lane by [`LANES`] frames: z ← z·w, w ← w·ρ.
    #[inline(always)]
    fn step(&mut self) {
        let [rr, ri] = self.rho;
        for l in 0..LANES {
            let (zr, zi, wr, wi) = (self.zr[l], self.zi[l], self.wr[l], self.wi[l]);
            self.zr[l] = fma(zr, wr, -(zi * wi));
            self.zi[l] = fma(zr, wi, zi * wr);
            self.wr[l] = fma(wr, rr, -(wi * ri));
            self.wi[l] = fma(wr, ri, wi * rr);
        }
    }

    const NONE: Chirp = Chirp {
        nc: u64::MAX,
        group: 0,
        zr: [0.0; LANES],
        zi: [0.0; LANES],
        wr: [0.0; LANES],
        wi: [0.0; LANES],
        rho: [1.0, 0.0],
    };
}

/// e^{2πi·k·inc} for k < [`ROT`], and the turn from one chunk start to the next.
#[derive(Debug)]
pub struct Rotation {
    cos: [f64; ROT],
    sin: [f64; ROT],
    /// e^{2πi·ROT·inc} (re, im).
    step: [f64; 2],
}

impl Rotation {
    /// The table of `inc`, shared with every other live carrier of the same increment.
    /// Called where carriers are built (never on the audio thread).
    fn shared(inc: f64) -> Arc<Rotation> {
        static TABLES: Mutex<Vec<(u64, Weak<Rotation>)>> = Mutex::new(Vec::new());
        let mut tables = TABLES.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(t) = tables
            .iter()
            .find(|(k, _)| *k == inc.to_bits())
            .and_then(|(_, w)| w.upgrade())
        {
            return t;
        }
        let whole = ROT as f64 * inc; // exact: ROT is a power of two
        let mut r = Rotation {
            cos: [1.0; ROT],
            sin: [0.0; ROT],
            step: [cos_cycles(whole), sin_cycles(whole)],
        };
        for k in 0..ROT {
            r.cos[k] = cos_cycles(k as f64 * inc);
            r.sin[k] = sin_cycles(k as f64 * inc);
        }
        let r = Arc::new(r);
        tables.retain(|(_, w)| w.strong_count() > 0);
        tables.push((inc.to_bits(), Arc::downgrade(&r)));
        r
    }
}

/// Frames per chunk of a constant-frequency phasor (its rotation table's length), for constant
/// carriers and the constant part C of the vibrato phasor path alike.
pub const ROT: usize = 128;

/// Chunks from one exact chunk-start phasor to the next (see [`ChunkPhasor`]).
const CHUNKS_PER_ANCHOR: u64 = 16;

/// The phasor e^{2πiΦ} at the start of a constant-frequency chunk, and which chunk.
///
/// Chunk c·A (A = [`CHUNKS_PER_ANCHOR`]) starts from the exact phase; each following chunk's
/// start is the previous one turned by e^{2πi·ROT·inc} (one complex multiply instead of a sine
/// and a cosine), at most A − 1 turns, so the drift stays within a few 1e-16. The value for a
/// chunk is always computed by the same sequence of operations from its anchor, so it depends
/// on the chunk alone, wherever a render starts or however it is split.
#[derive(Debug, Clone, Copy)]
struct ChunkPhasor {
    chunk: u64,
    re: f64,
    im: f64,
}

impl ChunkPhasor {
    const NONE: ChunkPhasor = ChunkPhasor {
        chunk: u64::MAX,
        re: 1.0,
        im: 0.0,
    };

    /// (cos, sin) of 2πΦ at the start of chunk `c`, with `lin` the carrier's linear phase and
    /// `step` its chunk turn.
    #[inline(always)]
    fn at(&mut self, c: u64, step: [f64; 2], lin: &mut LinearPhase) -> (f64, f64) {
        if self.chunk != c {
            let anchor = c - c % CHUNKS_PER_ANCHOR;
            let (mut k, mut re, mut im) = if self.chunk >= anchor && self.chunk < c {
                (self.chunk, self.re, self.im)
            } else {
                let x = lin.at(anchor * ROT as u64);
                (anchor, cos_cycles(x), sin_cycles(x))
            };
            let [wr, wi] = step;
            while k < c {
                (re, im) = (fma(re, wr, -(im * wi)), fma(re, wi, im * wr));
                k += 1;
            }
            *self = ChunkPhasor { chunk: c, re, im };
        }
        (self.re, self.im)
    }
}

impl Carrier {
    /// Writes sin(2π·Φ(n)) for the next `out.len()` frames and advances: the same samples as
    /// [`Carrier::fill`] followed by `sin_cycles`, to within a few 1e-16 (or 1e-9 with vibrato).
    ///
    /// Constant frequency: each chunk of [`ROT`] frames rotates its start phasor e^{2πiΦ(n_c)}
    /// by the table e^{2πi·k·inc}, so a sample costs two multiply-adds instead of a sine; the
    /// start phasors come by recurrence between exact ones (`ChunkPhasor`). A shallow
    /// plain-sine vibrato multiplies by its own phasor e^{2πi·v(n)}, interpolated between
    /// knots by a complex quintic Hermite (error below 1e-9, `smooth::phasor_knot`) and shared
    /// by the carriers with the same vibrato (`cache::VIBRATO`). A triangle vibrato runs a
    /// chirp recurrence between its corners ([`Carrier::chirp_chunk`]). Chunk, run and batch
    /// starts sit at absolute frame multiples, so every sample depends on n alone.
    pub fn fill_sin(&mut self, out: &mut [f64]) {
        self.fill_sin_scaled(out, 1.0);
    }

    /// `gain`·sin(2π·Φ(n)), the gain folded into the per-chunk coefficients (no extra pass;
    /// within a rounding step of multiplying afterwards, and exactly [`Carrier::fill_sin`]
    /// for a gain of 1).
    pub fn fill_sin_scaled(&mut self, out: &mut [f64], gain: f64) {
        self.sin_into::<false>(out, gain, None);
    }

    /// out += `gain`·sin(2π·Φ(n)): exactly [`Carrier::fill_sin_scaled`] into a buffer, then
    /// added, without the buffer (voices that add straight into the step mix).
    pub fn add_sin_scaled(&mut self, out: &mut [f64], gain: f64) {
        self.sin_into::<true>(out, gain, None);
    }

    /// out[k] = (`gain`·sin(2π·Φ(n)))·`env`[k]: exactly [`Carrier::fill_sin_scaled`] and then
    /// multiplying by `env`, in one pass.
    pub fn fill_sin_scaled_env(&mut self, out: &mut [f64], gain: f64, env: &[f64]) {
        self.sin_into::<false>(out, gain, Some(&env[..out.len()]));
    }

    /// out[k] += (`gain`·sin(2π·Φ(n)))·`env`[k]: exactly [`Carrier::fill_sin_scaled`] into a
    /// buffer v, then y += v·env (an AM envelope applied as the voice is added), in one pass.
    pub fn add_sin_scaled_env(&mut self, out: &mut [f64], gain: f64, env: &[f64]) {
        self.sin_into::<true>(out, gain, Some(&env[..out.len()]));
    }

    /// `out` and `env` (when given) are aligned: each value is multiplied by its `env` value
    /// before it is written or added.
    fn sin_into<const ADD: bool>(&mut self, out: &mut [f64], gain: f64, env: Option<&[f64]>) {
        match self.mode {
            Mode::Constant { .. } => {
                let (mut lin, mut cz) = (self.lin_cache[0], self.chunk);
                self.phasor_chunks::<ADD>(gain, self.next_n, out, (&mut lin, &mut cz), None, env);
                (self.lin_cache[0], self.chunk) = (lin, cz);
                self.next_n += out.len() as u64;
            }
            Mode::StaticVibrato { .. } if self.phasor > 0 => {
                // sin 2πΦ = Im(C·V): C = e^{2πi(φ₀ + n·inc)} by chunks of the rotation table,
                // V = e^{2πi·v(n)} the vibrato's phasor, a function of the vibrato and n alone
                // (so carriers with the same vibrato share it, `cache::VIBRATO`).
                let source = self.phasor_source().expect("the phasor path");
                let n0 = self.next_n;
                let (mut lin, mut cz) = (self.lin_cache[0], self.chunk);
                let mut lfo = self.lin_cache[1];
                let mut kb = self.knots.take().expect("the phasor path keeps knots");
                for (p, seg) in out.chunks_mut(cache::PIECE).enumerate() {
                    let n = n0 + (p * cache::PIECE) as u64;
                    let env = env.map(|e| &e[p * cache::PIECE..p * cache::PIECE + seg.len()]);
                    source.with_piece(&mut lfo, &mut kb, n, seg.len(), |vr, vi| {
                        let v = Some((vr, vi));
                        self.phasor_chunks::<ADD>(gain, n, seg, (&mut lin, &mut cz), v, env);
                    });
                }
                (self.lin_cache, self.chunk) = ([lin, lfo], cz);
                self.knots = Some(kb);
                self.next_n += out.len() as u64;
            }
            Mode::StaticVibrato { .. } if self.chirp.is_some() => {
                let (n0, len) = (self.next_n, out.len());
                let mut i = 0;
                while i < len {
                    let n = n0 + i as u64;
                    let nc = n - n % CHIRP as u64;
                    let k0 = (n - nc) as usize;
                    let k1 = ((n0 + len as u64 - nc) as usize).min(CHIRP);
                    let seg = &mut out[i..i + (k1 - k0)];
                    let env = env.map(|e| &e[i..i + (k1 - k0)]);
                    if !self.chirp_chunk::<ADD>(nc, k0, k1, gain, seg, env) {
                        let mut ph = [0.0; CHIRP];
                        let ph = &mut ph[..seg.len()];
                        self.static_phases(n, ph);
                        for (k, (o, &x)) in seg.iter_mut().zip(ph.iter()).enumerate() {
                            put::<ADD>(o, enveloped(gain * sin_cycles(x), env, k));
                        }
                    }
                    i += k1 - k0;
                }
                self.next_n += len as u64;
            }
            _ if ADD => {
                let mut ph = [0.0; CHIRP];
                for (j, seg) in out.chunks_mut(CHIRP).enumerate() {
                    let ph = &mut ph[..seg.len()];
                    let env = env.map(|e| &e[j * CHIRP..j * CHIRP + seg.len()]);
                    self.fill(ph);
                    for (k, (o, &x)) in seg.iter_mut().zip(ph.iter()).enumerate() {
                        *o += enveloped(gain * sin_cycles(x), env, k);
                    }
                }
            }
            _ => {
                self.fill(out);
                for (k, o) in out.iter_mut().enumerate() {
                    *o = enveloped(gain * sin_cycles(*o), env, k);
                }
            }
        }
    }

    /// Frames [nc + k0, nc + k1) of the chunk of [`CHIRP`] frames at nc, for a triangle
    /// vibrato: false (nothing written) when a corner of the triangle falls inside the chunk.
    ///
    /// Between corners the triangle's frequency is linear in n, so Φ is a quadratic and
    /// e^{2πiΦ} a chirp: [`LANES`] lanes, frames nc + LANES·g + l, follow z ← z·w, w ← w·ρ
    /// with z = e^{2πiΦ}, w = e^{2πi(Φ(n + LANES) − Φ(n))} from exact phases at the chunk
    /// start and the constant ρ = e^{2πi·LANES²·Φ''}. Two complex multiplies per step instead
    /// of a phase and a sine per frame. The recurrence starts exactly at the first chunk of
    /// each run of [`CHAIN`] chunks (absolute multiples of CHIRP) and carries on through the
    /// run while it stays on one branch (else it restarts at the chunk); 128 steps drift well
    /// under 1e-9. A chunk's samples come from the same sequence of operations whatever came
    /// before, so each depends on n alone; a call that stops inside a chunk leaves the
    /// recurrence's state for the next one.
    fn chirp_chunk<const ADD: bool>(
        &mut self,
        nc: u64,
        k0: usize,
        k1: usize,
        gain: f64,
        out: &mut [f64],
        env: Option<&[f64]>,
    ) -> bool {
        let Mode::StaticVibrato {
            scale,
            rate_inc,
            offset,
            skew,
            ..
        } = self.mode
        else {
            return false;
        };
        let Some(mut st) = self.chirp.as_deref().copied() else {
            return false;
        };
        if st.nc != nc || st.group > k0 / LANES {
            // Whether frames [from, nc + CHIRP) lie on one branch of the triangle and in one
            // cycle, from the LFO position x at both ends as static_phases computes it.
            let c = crate::shapes::split(skew);
            let one_branch = |from: u64| {
                let j = from / ANCHOR;
                let xj = frac(
                    Phase::default()
                        .add_product((j * ANCHOR) as f64, rate_inc)
                        .frac
                        + offset,
                );
                let x_at = |n: u64| xj + (n - j * ANCHOR) as f64 * rate_inc;
                let (xa, xb) = (x_at(from), x_at(nc + CHIRP as u64 - 1));
                (floor(xa) == floor(xb) && (frac(xa) < c) == (frac(xb) < c)).then_some(frac(xa) < c)
            };
            let Some(rising) = one_branch(nc) else {
                return false;
            };
            // The recurrence starts exactly at chunk r: the first of its group of CHAIN
            // chunks when the whole run from there is one branch, else this chunk.
            let chunk = nc / CHIRP as u64;
            let first = chunk - chunk % CHAIN;
            let r = if chunk > first && one_branch(first * CHIRP as u64).is_some() {
                first
            } else {
                chunk
            };
            if r < chunk && nc.checked_sub(CHIRP as u64) == Some(st.nc) && st.group == CHIRP / LANES
            {
                // The previous chunk of the same run ended here: carry on.
                st.nc = nc;
                st.group = 0;
            } else {
                // Exact start: Φ at the run's first frames, and Φ'' of this branch (per frame²).
                let n_r = r * CHIRP as u64;
                let mut ph = [0.0; 2 * LANES];
                self.static_phases(n_r, &mut ph);
                let curvature = if rising { 1.0 / c } else { -1.0 / (1.0 - c) };
                let rho = (LANES * LANES) as f64 * 2.0 * scale * rate_inc * rate_inc * curvature;
                st = Chirp {
                    nc,
                    group: 0,
                    zr: std::array::from_fn(|l| cos_cycles(ph[l])),
                    zi: std::array::from_fn(|l| sin_cycles(ph[l])),
                    wr: std::array::from_fn(|l| cos_cycles(ph[l + LANES] - ph[l])),
                    wi: std::array::from_fn(|l| sin_cycles(ph[l + LANES] - ph[l])),
                    rho: [cos_cycles(rho), sin_cycles(rho)],
                };
                for _ in 0..(chunk - r) as usize * (CHIRP / LANES) {
                    st.step();
                }
            }
        }
        let mut g = st.group;
        loop {
            let first = LANES * g;
            if first >= k1 {
                break;
            }
            if first >= k0 && first + LANES <= k1 {
                let o = &mut out[first - k0..first - k0 + LANES];
                match env {
                    None => {
                        for (o, z) in o.iter_mut().zip(&st.zi) {
                            put::<ADD>(o, gain * z);
                        }
                    }
                    Some(e) => {
                        let e = &e[first - k0..first - k0 + LANES];
                        for ((o, z), e) in o.iter_mut().zip(&st.zi).zip(e) {
                            put::<ADD>(o, gain * z * e);
                        }
                    }
                }
            } else if first + LANES > k0 {
                for l in 0..LANES {
                    let k = first + l;
                    if k >= k0 && k < k1 {
                        put::<ADD>(&mut out[k - k0], enveloped(gain * st.zi[l], env, k - k0));
                    }
                }
            }
            if first + LANES > k1 {
                break; // a partial group: the next call starts here
            }
            st.step();
            g += 1;
        }
        st.group = g;
        if let Some(c) = self.chirp.as_deref_mut() {
            *c = st;
        }
        true
    }

    /// The constant-frequency phasor C = e^{2πi(φ₀ + n·inc)}, from the chunk-start phasors of
    /// `cz` (see [`ChunkPhasor`]) rotated by the table within a chunk: writes `gain`·Im(C), or
    /// `gain`·Im(C·V) with V given per frame (`v` = (re, im), aligned with `out`); adds
    /// instead with `ADD`.
    #[inline(always)]
    fn phasor_chunks<const ADD: bool>(
        &self,
        gain: f64,
        n0: u64,
        out: &mut [f64],
        (lin, cz): (&mut LinearPhase, &mut ChunkPhasor),
        v: Option<(&[f64], &[f64])>,
        env: Option<&[f64]>,
    ) {
        let len = out.len();
        let (rc, rs) = (&self.rot.cos, &self.rot.sin);
        let mut i = 0;
        while i < len {
            let n = n0 + i as u64;
            let chunk = n / ROT as u64;
            let k0 = (n % ROT as u64) as usize;
            let k1 = (k0 + (len - i)).min(ROT);
            let m = k1 - k0;
            let (cs, sn) = cz.at(chunk, self.rot.step, lin);
            let (c, s) = (gain * cs, gain * sn);
            let seg = &mut out[i..i + m];
            let (tc, ts) = (&rc[k0..k1], &rs[k0..k1]);
            match (v, env) {
                (None, None) => {
                    for k in 0..m {
                        put::<ADD>(&mut seg[k], fma(s, tc[k], c * ts[k]));
                    }
                }
                (None, Some(e)) => {
                    let e = &e[i..i + m];
                    for k in 0..m {
                        put::<ADD>(&mut seg[k], fma(s, tc[k], c * ts[k]) * e[k]);
                    }
                }
                (Some((vr, vi)), None) => {
                    let (vr, vi) = (&vr[i..i + m], &vi[i..i + m]);
                    for k in 0..m {
                        let cr = fma(c, tc[k], -(s * ts[k]));
                        let ci = fma(s, tc[k], c * ts[k]);
                        put::<ADD>(&mut seg[k], fma(cr, vi[k], ci * vr[k]));
                    }
                }
                (Some((vr, vi)), Some(e)) => {
                    let (vr, vi, e) = (&vr[i..i + m], &vi[i..i + m], &e[i..i + m]);
                    for k in 0..m {
                        let cr = fma(c, tc[k], -(s * ts[k]));
                        let ci = fma(s, tc[k], c * ts[k]);
                        put::<ADD>(&mut seg[k], fma(cr, vi[k], ci * vr[k]) * e[k]);
                    }
                }
            }
            i += m;
        }
    }
}

impl Carrier {
    /// The vibrato phasor V this carrier multiplies its constant-frequency part by, as the bits
    /// that identify it (`cache::VIBRATO`): carriers with the same key share V. Some on the
    /// phasor path of [`Carrier::fill_sin`] only.
    pub fn phasor_key(&self) -> Option<[u64; 7]> {
        self.phasor_source().map(|p| p.key)
    }

    /// What V depends on, on the phasor path: copied out of the carrier, so that V can be
    /// computed while the carriers are borrowed otherwise ([`add_phasor_group`]).
    fn phasor_source(&self) -> Option<PhasorSource> {
        match self.mode {
            Mode::StaticVibrato {
                scale,
                rate_inc,
                offset,
                j_offset,
                ..
            } if self.phasor > 0 => Some(PhasorSource {
                key: [
                    scale.to_bits(),
                    rate_inc.to_bits(),
                    offset.to_bits(),
                    j_offset.to_bits(),
                    self.phasor as u64,
                    0,
                    0,
                ],
                scale,
                rate_inc,
                j_offset,
                kn: self.phasor,
                knot_step: self.knot_step,
            }),
            _ => None,
        }
    }
}

/// A shallow plain-sine vibrato's phasor V = e^{2πi·v(n)} (the phasor path of
/// [`Carrier::fill_sin`]): its parameters, its knot spacing and the LFO's turn between knots.
#[derive(Debug, Clone, Copy)]
struct PhasorSource {
    key: [u64; 7],
    scale: f64,
    rate_inc: f64,
    j_offset: f64,
    kn: usize,
    knot_step: [f64; 2],
}

impl PhasorSource {
    /// Runs `f` with V over frames [n, n + len) (len ≤ `cache::PIECE`): from this thread's
    /// cache, or computed into it (`lfo` and `kb`: the LFO phase and knot batch of the carrier
    /// that computes it).
    fn with_piece<R>(
        &self,
        lfo: &mut LinearPhase,
        kb: &mut KnotBatch,
        n: u64,
        len: usize,
        f: impl FnOnce(&[f64], &[f64]) -> R,
    ) -> R {
        let key = cache::Key {
            what: self.key,
            n0: n,
            len,
        };
        cache::VIBRATO.with(|cache| {
            let mut cache = cache.borrow_mut();
            let (vr, vi) = cache.get(key, |re, im| self.fill(lfo, kb, n, re, im));
            f(vr, vi)
        })
    }

    /// V(n) = e^{2πi·v(n)} for frames n0.. into `re`, `im`: the phasor of a shallow plain-sine
    /// vibrato (the phasor path of [`Carrier::fill_sin`]). Exact at knots every `kn`
    /// frames (exact at each batch of [`KNOTS`] knots, which starts at an absolute multiple,
    /// then knot to knot by recurrence: the LFO phasor turns by e^{2πi·rate_inc·K}, V by
    /// e^{2πiΔv}, Δv small enough for a short series, |2πΔv| ≤ 0.189), a complex quintic
    /// Hermite between them through V, V' and V'' (error below 1e-9, `smooth::phasor_knot`).
    /// A function of the vibrato and n alone.
    fn fill(
        &self,
        lfo: &mut LinearPhase,
        kb: &mut KnotBatch,
        n0: u64,
        re: &mut [f64],
        im: &mut [f64],
    ) {
        let PhasorSource {
            scale,
            rate_inc,
            j_offset,
            kn,
            knot_step,
            ..
        } = *self;
        let s2 = scale * (0.5 / std::f64::consts::PI);
        let c0 = 1.0 - 2.0 * std::f64::consts::PI * j_offset;
        // v'(n) per frame in radians: 2π·s2·2π·rate_inc·sin 2πx.
        let d = 4.0 * std::f64::consts::PI * std::f64::consts::PI * s2 * rate_inc;
        // v''(n) per frame² in radians, over cos 2πx.
        let dd = d * 2.0 * std::f64::consts::PI * rate_inc;
        let [lr, li] = knot_step;
        let len = re.len();
        let span = (KNOTS * kn) as u64;
        let mut i = 0;
        while i < len {
            let n = n0 + i as u64;
            let nb = n - n % span;
            let q_first = ((n - nb) / kn as u64) as usize;
            let q_last = (((n0 + len as u64).min(nb + span) - 1 - nb) / kn as u64) as usize;
            // Knots 0 ..= q_last + 1 of the batch: the first exact, the others by recurrence,
            // carried on from those a previous call computed (the same operations).
            if kb.nb != nb || kb.have == 0 {
                let x0 = lfo.at(nb);
                (kb.kc[0], kb.ks[0]) = (cos_cycles(x0), sin_cycles(x0));
                let v0 = frac(s2 * (c0 - kb.kc[0]));
                (kb.pc[0], kb.ps[0]) = (cos_cycles(v0), sin_cycles(v0));
                (kb.nb, kb.have) = (nb, 1);
            }
            let KnotBatch { kc, ks, pc, ps, .. } = kb;
            for q in kb.have - 1..=q_last {
                let v = s2 * (c0 - kc[q]);
                kc[q + 1] = fma(kc[q], lr, -(ks[q] * li));
                ks[q + 1] = fma(kc[q], li, ks[q] * lr);
                let v1 = s2 * (c0 - kc[q + 1]);
                let (dc, ds) = small_cis(2.0 * std::f64::consts::PI * (v1 - v));
                pc[q + 1] = fma(pc[q], dc, -(ps[q] * ds));
                ps[q + 1] = fma(pc[q], ds, ps[q] * dc);
            }
            kb.have = kb.have.max(q_last + 2);
            for q in q_first..=q_last {
                let base = nb + (q * kn) as u64;
                let k0 = if q == q_first { (n - base) as usize } else { 0 };
                let k1 = ((n0 + len as u64 - base) as usize).min(kn);
                // V = e^{iθ}: V' = iθ'·V, V'' = (iθ'' − θ'²)·V, with θ' = d·sin 2πx and
                // θ'' = d·2π·rate_inc·cos 2πx at knots q and q + 1.
                let (w0, w1) = (d * ks[q], d * ks[q + 1]);
                let (u0, u1) = (dd * kc[q], dd * kc[q + 1]);
                let (s0, s1) = (-(w0 * w0), -(w1 * w1));
                let coeffs = [
                    pc[q],
                    -w0 * ps[q],
                    fma(s0, pc[q], -(u0 * ps[q])),
                    pc[q + 1],
                    -w1 * ps[q + 1],
                    fma(s1, pc[q + 1], -(u1 * ps[q + 1])),
                    ps[q],
                    w0 * pc[q],
                    fma(s0, ps[q], u0 * pc[q]),
                    ps[q + 1],
                    w1 * pc[q + 1],
                    fma(s1, ps[q + 1], u1 * pc[q + 1]),
                ];
                let m = k1 - k0;
                smooth::hermite5_complex(kn, k0, &coeffs, &mut re[i..i + m], &mut im[i..i + m]);
                i += m;
            }
        }
    }
}

/// Carriers in one call of [`add_phasor_group`], at most.
pub const GROUP: usize = 16;

/// One carrier of a phasor group: it adds `gain`·sin 2πΦ(n), times `env`[k] when given, times
/// the voice's volume gain at frame m + k when `vol` = (envelope, m) is given.
pub struct GroupCarrier<'a> {
    pub carrier: &'a mut Carrier,
    pub gain: f64,
    /// Aligned with the group's output.
    pub env: Option<&'a [f64]>,
    /// Where the gain may differ from 1 (the edge fades): with a gain of exactly 1 the
    /// samples are those without it.
    pub vol: Option<(&'a crate::envelope::Envelope, u64)>,
}

/// out[k] += Σ_j (gain_j·sin 2πΦ_j(n))·(env_j[k]·vol_j) for carriers on the phasor path that share
/// one vibrato phasor V (the same [`Carrier::phasor_key`]) and stand at the same frame, and
/// advances them. At most [`GROUP`] carriers, first in `members` (the rest None).
///
/// Each carrier alone costs a pass over V and the output per sample (`Carrier::sin_into`).
/// Since Im(C_j·V)·e_j summed over j is Im((Σ_j e_j·C_j)·V), the group sums its carriers'
/// constant parts S = Σ_j e_j·g_j·C_j in registers, sixteen frames at a time, and multiplies
/// by V once: per carrier and frame, two table values and four multiply-adds (and two
/// multiplies by its envelope). The samples are those of the carriers added one by one to
/// within rounding (a few 1e-16 of the sum), and like them a function of n alone.
pub fn add_phasor_group(members: &mut [Option<GroupCarrier<'_>>], out: &mut [f64]) {
    let g = members.iter().take_while(|m| m.is_some()).count();
    assert!((1..=GROUP).contains(&g), "1 to {GROUP} carriers first");
    let members = &mut members[..g];
    let lead = &mut *members[0].as_mut().expect("counted").carrier;
    let source = lead.phasor_source().expect("the phasor path");
    let (n0, mut lfo) = (lead.next_n, lead.lin_cache[1]);
    let mut kb = lead.knots.take().expect("the phasor path keeps knots");
    debug_assert!(members
        .iter()
        .flatten()
        .all(|m| m.carrier.phasor_key() == Some(source.key) && m.carrier.next_n == n0));
    let len = out.len();
    for (p, seg) in out.chunks_mut(cache::PIECE).enumerate() {
        let off = p * cache::PIECE;
        let n = n0 + off as u64;
        source.with_piece(&mut lfo, &mut kb, n, seg.len(), |vr, vi| {
            group_chunks(members, n, off, seg, vr, vi);
        });
    }
    let first = members[0].as_mut().expect("counted");
    first.carrier.lin_cache[1] = lfo;
    first.carrier.knots = Some(kb);
    for m in members.iter_mut().flatten() {
        m.carrier.next_n += len as u64;
    }
}

static NO_TABLE: [f64; ROT] = [0.0; ROT];

/// [`add_phasor_group`] over frames n0.. (`out`, `vr`, `vi` aligned; the envelopes from
/// `off` on), chunk by chunk of the rotation tables.
///
/// With carrier j's value C_j = (c_j + i·s_j)·(t_j + i·u_j) (its chunk coefficient times its
/// table), times its factor f_j (its envelope, times its volume gain where one is given),
/// the group sums A = Σ Im(f_j·C_j) and B = Σ Re(f_j·C_j), two multiply-adds each with the
/// coefficients scaled by f_j (not scaled without a factor: scaling by 1 changes nothing, so
/// frames near a fade have the same bits whatever the blocks), and the output gets
/// Im(S·V) = A·Re V + B·Im V.
fn group_chunks(
    members: &mut [Option<GroupCarrier<'_>>],
    n0: u64,
    off: usize,
    out: &mut [f64],
    vr: &[f64],
    vi: &[f64],
) {
    let g = members.len();
    let len = out.len();
    let mut i = 0;
    while i < len {
        let n = n0 + i as u64;
        let chunk = n / ROT as u64;
        let k0 = (n % ROT as u64) as usize;
        let k1 = (k0 + (len - i)).min(ROT);
        let m = k1 - k0;
        // Each carrier's chunk-start phasor times its gain, as `phasor_chunks` has it.
        let mut cs = [0.0; GROUP];
        let mut sn = [0.0; GROUP];
        for (q, t) in members.iter_mut().flatten().enumerate() {
            let c = &mut *t.carrier;
            let (a, b) = c.chunk.at(chunk, c.rot.step, &mut c.lin_cache[0]);
            (cs[q], sn[q]) = (t.gain * a, t.gain * b);
        }
        let mut tc: [&[f64; ROT]; GROUP] = [&NO_TABLE; GROUP];
        let mut ts: [&[f64; ROT]; GROUP] = [&NO_TABLE; GROUP];
        let mut vol: [Option<(&crate::envelope::Envelope, u64)>; GROUP] = [None; GROUP];
        let mut env: [Option<&[f64]>; GROUP] = [None; GROUP];
        for (q, t) in members.iter().flatten().enumerate() {
            tc[q] = &t.carrier.rot.cos;
            ts[q] = &t.carrier.rot.sin;
            vol[q] = t.vol.map(|(v, at)| (v, at + (off + i) as u64));
            env[q] = t.env.map(|e| &e[off + i..off + i + m]);
        }
        let (o, vr, vi) = (&mut out[i..i + m], &vr[i..i + m], &vi[i..i + m]);
        let mut k = 0;
        #[cfg(all(
            target_arch = "x86_64",
            target_feature = "avx2",
            target_feature = "fma"
        ))]
        if vol[..g].iter().all(|v| v.is_none()) {
            // SAFETY: the cfg guarantees AVX2 and FMA; `lanes` checks the lengths.
            k = unsafe {
                group_simd::lanes(
                    (&cs[..g], &sn[..g]),
                    (&tc[..g], &ts[..g]),
                    &env[..g],
                    k0,
                    o,
                    (vr, vi),
                )
            };
        }
        while k < m {
            let (mut a, mut b) = (0.0, 0.0);
            for q in 0..g {
                let f = match (env[q], vol[q]) {
                    (e, Some((v, at))) => {
                        let gain = v.gain(at + k as u64);
                        Some(e.map_or(gain, |e| e[k] * gain))
                    }
                    (Some(e), None) => Some(e[k]),
                    (None, None) => None,
                };
                let (c, s) = match f {
                    Some(f) => (cs[q] * f, sn[q] * f),
                    None => (cs[q], sn[q]),
                };
                let (t0, t1) = (tc[q][k0 + k], ts[q][k0 + k]);
                a = fma(c, t1, fma(s, t0, a));
                b = fma(-s, t1, fma(c, t0, b));
            }
            o[k] += fma(a, vr[k], b * vi[k]);
            k += 1;
        }
        i += m;
    }
}

#[cfg(all(
    target_arch = "x86_64",
    target_feature = "avx2",
    target_feature = "fma"
))]
mod group_simd {
    //! The inner loop of `group_chunks`, sixteen frames at a time in four 4-wide vectors, the
    //! sums in registers (four independent chains). Every lane does the arithmetic of the
    //! scalar loop there (the same operations in the same order), so the two give the same
    //! bits.
    use super::ROT;
    use std::arch::x86_64::*;

    /// Frames [0, K) of `o`, K the largest multiple of 16 ≤ o.len(); returns K.
    #[inline]
    pub unsafe fn lanes(
        (cs, sn): (&[f64], &[f64]),
        (tc, ts): (&[&[f64; ROT]], &[&[f64; ROT]]),
        env: &[Option<&[f64]>],
        k0: usize,
        o: &mut [f64],
        (vr, vi): (&[f64], &[f64]),
    ) -> usize {
        const V: usize = 4;
        let m = o.len();
        let g = cs.len();
        assert!(sn.len() == g && tc.len() == g && ts.len() == g && env.len() == g);
        assert!(vr.len() == m && vi.len() == m && k0 + m <= ROT);
        assert!(env.iter().flatten().all(|e| e.len() >= m));
        let mut k = 0;
        while k + 4 * V <= m {
            let mut a = [_mm256_setzero_pd(); V];
            let mut b = [_mm256_setzero_pd(); V];
            for q in 0..g {
                let c0 = _mm256_set1_pd(cs[q]);
                let s0 = _mm256_set1_pd(sn[q]);
                let (pc, ps) = (tc[q].as_ptr().add(k0 + k), ts[q].as_ptr().add(k0 + k));
                for v in 0..V {
                    let (c, s) = match env[q] {
                        Some(e) => {
                            let f = _mm256_loadu_pd(e.as_ptr().add(k + 4 * v));
                            (_mm256_mul_pd(c0, f), _mm256_mul_pd(s0, f))
                        }
                        None => (c0, s0),
                    };
                    let t0 = _mm256_loadu_pd(pc.add(4 * v));
                    let t1 = _mm256_loadu_pd(ps.add(4 * v));
                    // a = fma(c, t1, fma(s, t0, a)); b = fma(−s, t1, fma(c, t0, b))
                    a[v] = _mm256_fmadd_pd(c, t1, _mm256_fmadd_pd(s, t0, a[v]));
                    b[v] = _mm256_fnmadd_pd(s, t1, _mm256_fmadd_pd(c, t0, b[v]));
                }
            }
            for v in 0..V {
                let at = k + 4 * v;
                let (re, im) = (
                    _mm256_loadu_pd(vr.as_ptr().add(at)),
                    _mm256_loadu_pd(vi.as_ptr().add(at)),
                );
                // o += fma(a, Re V, b·Im V)
                let x = _mm256_fmadd_pd(a[v], re, _mm256_mul_pd(b[v], im));
                let p = o.as_mut_ptr().add(at);
                _mm256_storeu_pd(p, _mm256_add_pd(_mm256_loadu_pd(p), x));
            }
            k += 4 * V;
        }
        k
    }
}

/// `v`·env[k], or `v` without an envelope.
#[inline(always)]
fn enveloped(v: f64, env: Option<&[f64]>, k: usize) -> f64 {
    match env {
        Some(e) => v * e[k],
        None => v,
    }
}

/// [`linear_phase`] at many frames, keeping the last anchor so that frames sharing one cost
/// a multiply-add (same arithmetic, same bits).
#[derive(Debug, Clone, Copy)]
pub struct LinearPhase {
    p0: Phase,
    inc: f64,
    offset: f64,
    j: u64,
    a: f64,
}

impl LinearPhase {
    pub fn new(p0: Phase, inc: f64, offset: f64) -> LinearPhase {
        LinearPhase {
            p0,
            inc,
            offset,
            j: u64::MAX,
            a: 0.0,
        }
    }

    #[inline(always)]
    pub fn at(&mut self, n: u64) -> f64 {
        let j = n / ANCHOR;
        if j != self.j {
            self.j = j;
            self.a = frac(self.p0.add_product((j * ANCHOR) as f64, self.inc).frac + self.offset);
        }
        frac(self.a + ((n - j * ANCHOR) as i32) as f64 * self.inc)
    }
}

/// frac(p₀ + n·inc + offset) at one frame, with exactly the arithmetic of [`fill_linear`].
#[inline]
pub fn linear_phase(p0: Phase, inc: f64, offset: f64, n: u64) -> f64 {
    LinearPhase::new(p0, inc, offset).at(n)
}

/// out[k] ← frac(p₀ + n·inc + out[k]) for n = n0…: adds an offset already in `out`.
#[inline]
pub fn fill_linear_add(p0: Phase, inc: f64, n0: u64, out: &mut [f64]) {
    let mut i = 0;
    while i < out.len() {
        let n = n0 + i as u64;
        let j = n / ANCHOR;
        let a = p0.add_product((j * ANCHOR) as f64, inc).frac;
        let base = (n - j * ANCHOR) as i32;
        let run = ((ANCHOR - (n - j * ANCHOR)) as usize).min(out.len() - i);
        for (k, o) in out[i..i + run].iter_mut().enumerate() {
            *o = frac(a + (base + k as i32) as f64 * inc + *o);
        }
        i += run;
    }
}

/// frac(p₀ + n·inc + offset) for n = n0, n0 + 1, …: the phase of a constant-rate oscillator,
/// anchored every [`ANCHOR`] frames with an exact product so precision holds in long steps,
/// and computed from n alone (any block size gives the same bits).
#[inline]
pub fn fill_linear(p0: Phase, inc: f64, offset: f64, n0: u64, out: &mut [f64]) {
    let mut i = 0;
    while i < out.len() {
        let n = n0 + i as u64;
        let j = n / ANCHOR;
        let a = frac(p0.add_product((j * ANCHOR) as f64, inc).frac + offset);
        let base_k = n - j * ANCHOR;
        let run = ((ANCHOR - base_k) as usize).min(out.len() - i);
        let base = base_k as i32;
        for (k, o) in out[i..i + run].iter_mut().enumerate() {
            *o = frac(a + (base + k as i32) as f64 * inc);
        }
        i += run;
    }
}

impl Clock {
    /// frac(P(n) + offset) at frame n, as [`Clock::fill_frac`] computes it.
    #[inline]
    pub fn frac_at(&self, n: u64, offset: f64) -> f64 {
        if self.rate.is_const() {
            linear_phase(
                Phase::from_f64(self.p0),
                self.rate.start * self.inv_sr,
                offset,
                n,
            )
        } else {
            frac(self.at(n as f64) + offset)
        }
    }

    /// The constant-rate phase frac(P(n) + offset) as a [`LinearPhase`] (same bits as
    /// [`Clock::frac_at`]); `None` while the rate ramps.
    pub fn linear(&self, offset: f64) -> Option<LinearPhase> {
        self.rate.is_const().then(|| {
            LinearPhase::new(
                Phase::from_f64(self.p0),
                self.rate.start * self.inv_sr,
                offset,
            )
        })
    }

    /// Rate in cycles per frame when constant.
    pub fn const_inc(&self) -> Option<f64> {
        self.rate
            .is_const()
            .then_some(self.rate.start * self.inv_sr)
    }

    /// frac(P(n) + offset) for frames n0… (offset in cycles, constant).
    #[inline]
    pub fn fill_frac(&self, n0: u64, offset: f64, out: &mut [f64]) {
        if self.rate.is_const() {
            fill_linear(
                Phase::from_f64(self.p0),
                self.rate.start * self.inv_sr,
                offset,
                n0,
                out,
            );
        } else {
            for (k, o) in out.iter_mut().enumerate() {
                *o = frac(self.at((n0 + k as u64) as f64) + offset);
            }
        }
    }
}

#[cfg(test)]
// 3.14 is the phase the real files write (not π).
#[allow(clippy::approx_constant)]
mod tests {
    use super::*;
    use crate::plan::{RampCurve, RampPlan};

    const SR: u32 = 8000;
    const LEN: usize = 40_000;

    fn render(c: &mut Carrier, n: usize, block: usize) -> Vec<f64> {
        let mut out = vec![0.0; n];
        for chunk in out.chunks_mut(block) {
            c.fill(chunk);
        }
        out
    }

    fn specs() -> Vec<(CarrierSpec, Ramp)> {
        let sr = SR;
        let ramp = Ramp::new(
            Some(&RampPlan {
                initial_offset_s: 0.5,
                transition_s: Some(2.0),
                curve: RampCurve::Exponential,
            }),
            LEN as u64,
            sr,
        );
        let vib = |range: Lerp, rate: Lerp| Vibrato {
            range_hz: range,
            clock: Clock::new(rate, ramp, sr, 0.0),
            phase_rad: Lerp::constant(0.3),
            skew: Lerp::constant(0.2),
            shape: Shape::Sine,
        };
        vec![
            (
                CarrierSpec {
                    base_hz: Lerp::constant(123.4),
                    vibrato: None,
                },
                ramp,
            ),
            (
                CarrierSpec {
                    base_hz: Lerp::constant(123.4),
                    vibrato: Some(vib(Lerp::constant(20.0), Lerp::constant(0.7))),
                },
                ramp,
            ),
            (
                CarrierSpec {
                    base_hz: Lerp::new((100.0, 300.0)),
                    vibrato: Some(vib(Lerp::new((20.0, 5.0)), Lerp::new((0.7, 2.0)))),
                },
                ramp,
            ),
        ]
    }

    #[test]
    fn block_size_and_seek_invariance() {
        for (spec, ramp) in specs() {
            let full = render(
                &mut Carrier::new(spec, ramp, SR, Phase::default()),
                LEN,
                LEN,
            );
            for block in [1, 64, 65, 1024, 4096] {
                assert_eq!(
                    render(
                        &mut Carrier::new(spec, ramp, SR, Phase::default()),
                        LEN,
                        block
                    ),
                    full
                );
            }
            let mut c = Carrier::new(spec, ramp, SR, Phase::default());
            c.seek(33_307);
            assert_eq!(render(&mut c, LEN - 33_307, 100), full[33_307..]);
        }
    }

    fn render_sin(c: &mut Carrier, n: usize, block: usize) -> Vec<f64> {
        let mut out = vec![0.0; n];
        for chunk in out.chunks_mut(block) {
            c.fill_sin(chunk);
        }
        out
    }

    /// The recurrences that carry state from one chunk to the next (constant chunk starts,
    /// chirp runs) give a chunk the same bits whatever the carrier rendered before: after a
    /// seek backwards or forwards inside a run, and from a fresh carrier.
    #[test]
    fn seeks_inside_a_recurrence_run_give_the_same_bits() {
        let sr = 44_100;
        let ramp = Ramp::new(None, 10_000_000, sr);
        let triangle = Vibrato {
            range_hz: Lerp::constant(530.0),
            clock: Clock::new(Lerp::constant(0.4), ramp, sr, 0.0),
            phase_rad: Lerp::constant(3.14),
            skew: Lerp::constant(0.0),
            shape: Shape::Triangle,
        };
        for vibrato in [None, Some(triangle)] {
            let spec = CarrierSpec {
                base_hz: Lerp::constant(15_665.0),
                vibrato,
            };
            let fresh = |m: u64, len: usize| {
                let mut c = Carrier::new(spec, ramp, sr, Phase::from_f64(0.3));
                c.seek(m);
                render_sin(&mut c, len, 256)
            };
            // A run of 16 constant chunks is 2048 frames, a chirp run 1024.
            let base = 4_000_000 - 4_000_000 % 2048;
            let mut c = Carrier::new(spec, ramp, sr, Phase::from_f64(0.3));
            for (m, len) in [
                (base + 1900, 700),
                (base + 300, 900),
                (base + 1200, 2500),
                (base + 5, 64),
            ] {
                c.seek(m);
                assert_eq!(
                    render_sin(&mut c, len, 100),
                    fresh(m, len),
                    "{vibrato:?} at {m}"
                );
            }
        }
    }

    /// A carrier that follows its twin for a while, then renders on its own, gives exactly
    /// the samples of one that rendered throughout (constant, phasor, chirp and general paths).
    #[test]
    fn a_follower_continues_exactly_where_its_twin_stopped() {
        let hold = Ramp::new(None, LEN as u64, SR);
        let plain_vib = |range: f64, rate: f64, shape: Shape| CarrierSpec {
            base_hz: Lerp::constant(700.0),
            vibrato: Some(Vibrato {
                range_hz: Lerp::constant(range),
                clock: Clock::new(Lerp::constant(rate), hold, SR, 0.0),
                phase_rad: Lerp::constant(0.0),
                skew: Lerp::constant(0.0),
                shape,
            }),
        };
        let mut cases = specs();
        cases.push((plain_vib(0.5, 2.0, Shape::Sine), hold)); // phasor path
        cases.push((plain_vib(300.0, 0.4, Shape::Triangle), hold)); // chirp path
        for (spec, ramp) in cases {
            let p0 = Phase::from_f64(0.37);
            let mut reference = Carrier::new(spec, ramp, SR, p0);
            let expected = render_sin(&mut reference, 6000, 6000);
            let (mut a, mut b) = (
                Carrier::new(spec, ramp, SR, p0),
                Carrier::new(spec, ramp, SR, p0),
            );
            assert!(a.is_twin(&b));
            let mut got = vec![0.0; 6000];
            let (first, rest) = got.split_at_mut(2500);
            for chunk in first.chunks_mut(97) {
                a.fill_sin(chunk);
                b.follow(&a);
            }
            assert!(a.is_twin(&b) && b.phase() == a.phase());
            for chunk in rest.chunks_mut(131) {
                b.fill_sin(chunk);
            }
            assert_eq!(got, expected, "{spec:?}");
        }
        let other = Carrier::new(
            plain_vib(0.5, 2.0, Shape::Sine),
            hold,
            SR,
            Phase::from_f64(0.1),
        );
        assert!(!Carrier::new(
            plain_vib(0.5, 2.0, Shape::Sine),
            hold,
            SR,
            Phase::from_f64(0.2)
        )
        .is_twin(&other));
    }

    /// Carriers with the same vibrato share its phasor through the thread's cache: every
    /// carrier gives the bits it gives alone on a fresh thread, whatever renders in between
    /// (other carriers of the same vibrato, other vibratos evicting it, other block sizes).
    #[test]
    fn shared_vibrato_phasors_give_the_bits_of_each_carrier_alone() {
        let sr = 44_100;
        let ramp = Ramp::new(None, 1_000_000, sr);
        let carrier = move |base: f64, range: f64, rate: f64| {
            let spec = CarrierSpec {
                base_hz: Lerp::constant(base),
                vibrato: Some(Vibrato {
                    range_hz: Lerp::constant(range),
                    clock: Clock::new(Lerp::constant(rate), ramp, sr, 0.0),
                    phase_rad: Lerp::constant(0.0),
                    skew: Lerp::constant(0.0),
                    shape: Shape::Sine,
                }),
            };
            let c = Carrier::new(spec, ramp, sr, Phase::from_f64(0.25));
            assert!(c.phasor > 0);
            c
        };
        let make = move || {
            let mut v = vec![
                carrier(174.46, 0.5, 2.0),
                carrier(201.5, 0.5, 2.0),
                carrier(348.0, 0.5, 2.0),
            ];
            for k in 0..cache::SLOTS + 1 {
                v.push(carrier(300.0 + k as f64, 0.25 + 0.1 * k as f64, 1.667));
            }
            v
        };
        let len = 5_000;
        let alone: Vec<Vec<f64>> = std::thread::spawn(move || {
            make()
                .into_iter()
                .map(|mut c| {
                    let mut out = vec![0.0; len];
                    for chunk in out.chunks_mut(256) {
                        c.fill_sin(chunk);
                    }
                    out
                })
                .collect()
        })
        .join()
        .unwrap();
        // The three carriers of one vibrato alone (hits across blocks too), then all of them
        // (more vibratos than cache slots: evictions).
        for count in [3, alone.len()] {
            let together = std::thread::spawn(move || {
                let mut cs = make();
                cs.truncate(count);
                let mut outs = vec![vec![0.0; len]; count];
                let mut done = 0;
                let blocks = [256usize, 256, 100, 256, 7, 300, 1024, 50, 50];
                for (i, block) in blocks.iter().cycle().enumerate() {
                    if done >= len {
                        break;
                    }
                    let n = (*block).min(len - done);
                    // round-robin, starting from a different carrier each block
                    for j in 0..count {
                        let q = (i + j) % count;
                        cs[q].fill_sin(&mut outs[q][done..done + n]);
                    }
                    done += n;
                }
                outs
            })
            .join()
            .unwrap();
            assert_eq!(together[..], alone[..count], "{count} carriers");
        }
    }

    /// The phasor path equals sin of the phase path, and is as block- and seek-invariant.
    #[test]
    fn fill_sin_matches_the_phase_path() {
        let sr = 44_100;
        let n = 3_000_000u64;
        let ramp = Ramp::new(None, n, sr);
        let shaped = |half: f64, rate: f64, phase: f64, shape: Shape, skew: f64| Vibrato {
            range_hz: Lerp::constant(2.0 * half),
            clock: Clock::new(Lerp::constant(rate), ramp, sr, 0.37),
            phase_rad: Lerp::constant(phase),
            skew: Lerp::constant(skew),
            shape,
        };
        let vib = |half: f64, rate: f64, phase: f64| shaped(half, rate, phase, Shape::Sine, 0.0);
        let tri = |half: f64, rate: f64, skew: f64| shaped(half, rate, 3.14, Shape::Triangle, skew);
        let spec = |base: f64, vibrato| CarrierSpec {
            base_hz: Lerp::constant(base),
            vibrato,
        };
        let cases = [
            (spec(43.6, None), 1e-12),
            (spec(15_666.3, None), 1e-12),
            (spec(174.46, Some(vib(0.25, 2.0, 0.0))), 1e-10),
            (spec(291.4, Some(vib(5.0, 0.05, 3.14))), 2e-9),
            // At the edges of 32-, 64-, 128- and 512-frame knots (smooth::phasor_knot).
            (spec(8_120.0, Some(vib(40.5, 0.9, 1.0))), 2e-9),
            (spec(408.0, Some(vib(20.0, 0.7, 0.2))), 2e-9),
            (spec(15_665.0, Some(vib(10.0, 0.35, 2.0))), 2e-9),
            (spec(15_665.0, Some(vib(2.0, 0.59, 2.0))), 2e-9),
            // Too deep for the phasor: the fallback.
            (spec(500.0, Some(vib(60.0, 1.0, 0.0))), 0.0),
            // Triangle vibratos: the chirp recurrence between corners (F12's deep ones, a
            // skewed one, and one whose corners fall in many chunks).
            (spec(15_665.0, Some(tri(265.0, 0.4, 0.0))), 2e-9),
            (spec(8_000.0, Some(tri(165.0, 0.4, 0.6))), 2e-9),
            (spec(300.0, Some(tri(20.0, 35.0, -0.3))), 2e-9),
        ];
        let knots: Vec<usize> = cases
            .iter()
            .map(|(spec, _)| Carrier::new(*spec, ramp, sr, Phase::default()).phasor)
            .collect();
        assert_eq!(knots, [0, 0, 512, 256, 32, 64, 128, 512, 0, 0, 0, 0]);
        let chirps: Vec<bool> = cases
            .iter()
            .map(|(spec, _)| {
                Carrier::new(*spec, ramp, sr, Phase::default())
                    .chirp
                    .is_some()
            })
            .collect();
        assert_eq!(chirps.iter().filter(|&&c| c).count(), 3);
        for (idx, (spec, tol)) in cases.into_iter().enumerate() {
            let start = 2_500_000u64; // late in a long step, where precision matters
            let len = 40_000;
            let mut a = Carrier::new(spec, ramp, sr, Phase::from_f64(0.123));
            a.seek(start);
            let phases = render(&mut a, len, 256);
            let mut b = Carrier::new(spec, ramp, sr, Phase::from_f64(0.123));
            b.seek(start);
            let sines = render_sin(&mut b, len, 256);
            let worst = phases
                .iter()
                .zip(&sines)
                .map(|(p, s)| (sin_cycles(*p) - s).abs())
                .fold(0.0, f64::max);
            assert!(worst <= tol, "case {idx}: {worst}");
            for block in [
                1, 3, 7, 8, 9, 31, 32, 33, 63, 64, 100, 127, 128, 129, 255, 256, 257, 4096,
            ] {
                let mut c = Carrier::new(spec, ramp, sr, Phase::from_f64(0.123));
                c.seek(start);
                assert_eq!(
                    render_sin(&mut c, len, block),
                    sines,
                    "case {idx} block {block}"
                );
            }
            let mut c = Carrier::new(spec, ramp, sr, Phase::from_f64(0.123));
            c.seek(start + 1237);
            assert_eq!(
                render_sin(&mut c, len - 1237, 77),
                sines[1237..],
                "case {idx} seek"
            );
        }
    }

    #[test]
    fn phases_match_a_fine_numeric_integral() {
        let sr = SR as f64;
        for (idx, (spec, ramp)) in specs().into_iter().enumerate() {
            let out = render(
                &mut Carrier::new(spec, ramp, SR, Phase::default()),
                LEN,
                256,
            );
            // midpoint rule on 64 sub-steps per frame
            let mut phi = 0.0;
            for n in 0..LEN {
                let d = (phi - out[n]) - (phi - out[n]).round();
                // Between anchors the trapezoid errs by about f''/(12·sr³) per frame, and by
                // about f'-jump/(8·sr²) at a corner of a skewed vibrato (up to 2e-7 cycles at 8 kHz,
                // 1e-8 at 44.1 kHz); anchors reset it every 1024 frames.
                assert!(d.abs() < 3e-7, "spec {idx} frame {n}: {d}");
                for s in 0..16 {
                    phi += spec.freq(n as f64 + (s as f64 + 0.5) / 16.0, &ramp) / sr / 16.0;
                }
            }
        }
    }
}

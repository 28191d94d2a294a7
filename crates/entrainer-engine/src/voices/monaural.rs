//! `monaural_beat_stereo_amps` (`voices.md` §3.3): two tones at base ∓ beat/2 mixed into each
//! ear with their own levels, an optional shared lift-form AM and a hard clip to [−1, 1].

use crate::osc::{Carrier, Clock};
use crate::plan::Params;
use crate::ramp::{Lerp, Ramp};
use crate::shapes::sin_cycles;
use crate::Result;

use super::common::{carried_clock, carried_phase_or, fill_alpha, Wobble, INV_TAU};
use super::{take, Buf};
use super::{Placement, Signature, Voice, VoiceState};

const AM: usize = 0;
const WOBBLE: usize = 1;

#[derive(Debug, Clone)]
pub struct Monaural {
    /// [lower L, upper L, lower R, upper R]
    amp: [Lerp; 4],
    base_hz: Lerp,
    beat_hz: Lerp,
    start_phase_rad: [f64; 2],
    wobble: Wobble,
    am_depth: Lerp,
    am_rate_hz: Lerp,
    am_phase_rad: Lerp,
}

impl Monaural {
    pub fn parse(p: &Params) -> Result<Monaural> {
        let amp = |k: &str| p.pair_in(k, 0.5, 0.0, 10.0).map(Lerp::new);
        Ok(Monaural {
            amp: [
                amp("amp_lower_l")?,
                amp("amp_upper_l")?,
                amp("amp_lower_r")?,
                amp("amp_upper_r")?,
            ],
            base_hz: Lerp::new(p.pair_min("base_freq_hz", 200.0, 0.0)?),
            beat_hz: Lerp::new(p.pair_min("beat_freq_hz", 4.0, 0.0)?),
            start_phase_rad: [
                p.scalar("start_phase_lower_rad", 0.0)?,
                p.scalar("start_phase_upper_rad", 0.0)?,
            ],
            wobble: Wobble::parse(p)?,
            am_depth: Lerp::new(p.pair_in("am_depth", 0.0, 0.0, 2.0)?),
            am_rate_hz: Lerp::new(p.pair_min("am_freq_hz", 0.0, 0.0)?),
            am_phase_rad: Lerp::new(p.pair("am_phase_rad", 0.0)?),
        })
    }

    fn tone(&self, sign: f64) -> Lerp {
        Lerp {
            start: self.base_hz.start + sign * self.beat_hz.start / 2.0,
            end: self.base_hz.end + sign * self.beat_hz.end / 2.0,
        }
    }

    pub fn signature(&self, a: f64) -> Signature {
        Signature {
            function: "monaural_beat_stereo_amps",
            freq_l_hz: self.tone(-1.0).at(a).max(0.0),
            freq_r_hz: self.tone(1.0).at(a).max(0.0),
            suppression: false,
        }
    }

    pub fn bound(&self) -> [f64; 2] {
        [
            (self.amp[0].max() + self.amp[1].max()).min(1.0),
            (self.amp[2].max() + self.amp[3].max()).min(1.0),
        ]
    }

    /// AM acts only when both the depth and the rate are non-zero (legacy rule, kept).
    fn am_active(&self) -> bool {
        (self.am_depth.start != 0.0 || self.am_depth.end != 0.0)
            && (self.am_rate_hz.start != 0.0 || self.am_rate_hz.end != 0.0)
    }

    /// The continuation state `frames` frames before `s` at the start values: what a voice
    /// that renders this core as a source needs to rebuild its input history (spatial voices).
    pub fn rewind(&self, s: &VoiceState, frames: f64, sample_rate: u32) -> VoiceState {
        let back = |rate_hz: f64| -rate_hz * frames / sample_rate as f64;
        let mut out = *s;
        out.phases[0] = s.phases[0].add_cycles(back(self.tone(-1.0).start.max(0.0)));
        out.phases[1] = s.phases[1].add_cycles(back(self.tone(1.0).start.max(0.0)));
        out.clocks[AM] += back(self.am_rate_hz.start);
        out.clocks[WOBBLE] += back(self.wobble.rate_hz.start);
        out
    }

    pub fn instantiate(&self, place: Placement, initial: Option<&VoiceState>) -> MonauralVoice {
        let (sr, ramp) = (place.sample_rate, place.ramp);
        let tones = [-1.0, 1.0];
        let carriers = [0, 1].map(|i| {
            let phase0 = carried_phase_or(initial, i, self.start_phase_rad[i]);
            Carrier::plain(self.tone(tones[i]), ramp, sr, phase0)
        });
        MonauralVoice {
            spec: self.clone(),
            ramp,
            m: 0,
            carriers,
            am_clock: Clock::new(self.am_rate_hz, ramp, sr, carried_clock(initial, AM)),
            wobble_clock: Clock::new(
                self.wobble.rate_hz,
                ramp,
                sr,
                carried_clock(initial, WOBBLE),
            ),
        }
    }
}

pub struct MonauralVoice {
    spec: Monaural,
    ramp: Ramp,
    m: u64,
    carriers: [Carrier; 2],
    am_clock: Clock,
    wobble_clock: Clock,
}

impl Voice for MonauralVoice {
    fn render(&mut self, l: &mut [f64], r: &mut [f64], scratch: &mut [Buf]) {
        let n = l.len();
        let m0 = self.m;
        let ([alpha, wob, ph_lo, ph_hi], _) = take::<4>(scratch);
        let (alpha, wob, ph_lo, ph_hi) = (
            &mut alpha[..n],
            &mut wob[..n],
            &mut ph_lo[..n],
            &mut ph_hi[..n],
        );
        fill_alpha(&self.ramp, m0, alpha);
        let s = &self.spec;
        let wobble = s.wobble.is_active();
        if wobble {
            self.carriers[0].fill(ph_lo);
            self.carriers[1].fill(ph_hi);
            s.wobble.fill_cycles(&self.wobble_clock, m0, alpha, wob);
            for k in 0..n {
                ph_lo[k] = sin_cycles(ph_lo[k] - wob[k]);
                ph_hi[k] = sin_cycles(ph_hi[k] + wob[k]);
            }
        } else {
            // The carriers' sines directly (osc.rs phasor path).
            self.carriers[0].fill_sin(ph_lo);
            self.carriers[1].fill_sin(ph_hi);
        }
        let am = s.am_active();
        for k in 0..n {
            let a = alpha[k];
            let (lo, hi) = (ph_lo[k], ph_hi[k]);
            let mut yl = s.amp[0].at(a) * lo + s.amp[1].at(a) * hi;
            let mut yr = s.amp[2].at(a) * lo + s.amp[3].at(a) * hi;
            if am {
                let d = s.am_depth.at(a);
                let g = (1.0 - d / 2.0)
                    + (d / 2.0)
                        * sin_cycles(
                            self.am_clock.at((m0 + k as u64) as f64)
                                + s.am_phase_rad.at(a) * INV_TAU,
                        );
                yl *= g;
                yr *= g;
            }
            l[k] = yl.clamp(-1.0, 1.0);
            r[k] = yr.clamp(-1.0, 1.0);
        }
        self.m += n as u64;
    }

    fn seek(&mut self, m: u64) {
        self.m = m;
        for c in &mut self.carriers {
            c.seek(m);
        }
    }

    fn state(&self) -> VoiceState {
        let x = self.m as f64;
        let mut clocks = [0.0; 8];
        clocks[AM] = self.am_clock.at(x);
        clocks[WOBBLE] = self.wobble_clock.at(x);
        VoiceState::ears(
            [self.carriers[0].phase(), self.carriers[1].phase()],
            clocks,
            None,
        )
    }
}

//! Overlay clips (`render.md` §9): prepared audio placed on the timeline with gain, balance
//! and linear fades, added after the steps and the background noise.
//!
//! The engine does no file I/O: the caller decodes and resamples each clip to the render rate
//! and hands over the samples ([`ClipAudio`]). Everything here is a pure function of the
//! timeline frame, so clips are block-size and seek invariant by construction.

use std::sync::Arc;

use crate::error::{EngineError, Result};
use crate::plan::ClipPlan;
use crate::timeline::frames;

/// Decoded clip audio at the render rate: 1 or 2 channels, interleaved.
#[derive(Debug, Clone)]
pub struct ClipAudio {
    pub channels: usize,
    pub samples: Arc<[f32]>,
}

impl ClipAudio {
    pub fn new(channels: usize, samples: impl Into<Arc<[f32]>>) -> ClipAudio {
        ClipAudio {
            channels,
            samples: samples.into(),
        }
    }

    pub fn frames(&self) -> u64 {
        (self.samples.len() / self.channels.max(1)) as u64
    }
}

/// One clip placed on the timeline.
#[derive(Debug, Clone)]
pub struct Clip {
    audio: ClipAudio,
    /// `c0`: first timeline frame.
    start: u64,
    /// `P`: frames played.
    len: u64,
    /// amp × balance(pan), per channel.
    gain: [f64; 2],
    fade_in: u64,
    fade_out: u64,
    /// Largest |sample| of the played part, over both channels.
    peak: f64,
}

impl Clip {
    /// `index` is the clip's position in the plan (for messages).
    pub fn new(plan: &ClipPlan, audio: ClipAudio, sample_rate: u32, index: usize) -> Result<Clip> {
        let at = |key: &'static str, message: String| EngineError::Clip {
            index,
            key,
            message,
        };
        if audio.channels != 1 && audio.channels != 2 {
            return Err(at(
                "audio",
                format!(
                    "expected mono or stereo audio, got {} channels",
                    audio.channels
                ),
            ));
        }
        if !audio.samples.len().is_multiple_of(audio.channels) {
            return Err(at(
                "audio",
                format!(
                    "expected whole frames, got {} samples for {} channels",
                    audio.samples.len(),
                    audio.channels
                ),
            ));
        }
        for (key, x) in [
            ("start_s", plan.start_s),
            ("gain", plan.gain),
            ("fade_in_s", plan.fade_in_s),
            ("fade_out_s", plan.fade_out_s),
        ] {
            if !(x.is_finite() && x >= 0.0) {
                return Err(at(key, format!("expected a number ≥ 0, got {x}")));
            }
        }
        if !(plan.pan.is_finite() && (-1.0..=1.0).contains(&plan.pan)) {
            return Err(at(
                "pan",
                format!("expected a number from -1 to 1, got {}", plan.pan),
            ));
        }
        let decoded = audio.frames();
        let mut len = decoded;
        let mut cut = false;
        if let Some(d) = plan.duration_s.filter(|&d| d > 0.0) {
            let limit = frames(d, sample_rate);
            cut = limit < decoded;
            len = len.min(limit);
        }
        let fade_in = frames(plan.fade_in_s, sample_rate).min(len);
        let mut fade_out = frames(plan.fade_out_s, sample_rate).min(len);
        let declick = frames(0.05, sample_rate);
        if cut && fade_out < declick {
            // De-click a cut (the session tool did the same).
            fade_out = declick.min(len / 4);
        }
        let played = &audio.samples[..len as usize * audio.channels];
        let peak = played.iter().fold(0.0f64, |m, &x| m.max((x as f64).abs()));
        let pan = plan.pan;
        let balance = [(1.0 - pan).min(1.0), (1.0 + pan).min(1.0)];
        Ok(Clip {
            audio,
            start: frames(plan.start_s, sample_rate),
            len,
            gain: [plan.gain * balance[0], plan.gain * balance[1]],
            fade_in,
            fade_out,
            peak,
        })
    }

    /// Timeline frames `[c0, c0 + P)`.
    pub fn span(&self) -> (u64, u64) {
        (self.start, self.start + self.len)
    }

    /// Upper bound of |clip output| for the provisional level plan: amp × peak of the clip.
    pub fn peak_bound(&self) -> f64 {
        self.gain[0].max(self.gain[1]) * self.peak
    }

    /// f_in(k) · f_out(k) at clip frame k.
    #[inline]
    fn fades(&self, k: u64) -> f64 {
        let mut f = 1.0;
        if self.fade_in >= 2 && k < self.fade_in {
            f = k as f64 / (self.fade_in - 1) as f64;
        }
        let back = self.len - 1 - k;
        if self.fade_out >= 2 && back < self.fade_out {
            f *= back as f64 / (self.fade_out - 1) as f64;
        }
        f
    }

    /// Adds the clip for timeline frames `[p0, p0 + l.len())` to `l` and `r`.
    pub fn add(&self, p0: u64, l: &mut [f64], r: &mut [f64]) {
        let (s, e) = self.span();
        let lo = p0.max(s);
        let hi = (p0 + l.len() as u64).min(e);
        let x = &self.audio.samples;
        for t in lo..hi {
            let k = t - s;
            let f = self.fades(k);
            let (gl, gr) = (self.gain[0] * f, self.gain[1] * f);
            let i = (t - p0) as usize;
            let (a, b) = if self.audio.channels == 2 {
                (x[2 * k as usize] as f64, x[2 * k as usize + 1] as f64)
            } else {
                let v = x[k as usize] as f64;
                (v, v)
            };
            l[i] += gl * a;
            r[i] += gr * b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(start_s: f64, duration_s: Option<f64>) -> ClipPlan {
        ClipPlan {
            source_index: 0,
            start_s,
            gain: 1.0,
            pan: 0.0,
            fade_in_s: 0.0,
            fade_out_s: 0.0,
            duration_s,
        }
    }

    #[test]
    fn a_cut_clip_gets_a_declick_fade() {
        let audio = ClipAudio::new(1, vec![1.0f32; 1000]);
        let c = Clip::new(&plan(0.0, Some(0.5)), audio, 1000, 0).unwrap();
        assert_eq!(c.span(), (0, 500));
        assert_eq!(c.fade_out, 50);
        let mut l = vec![0.0; 500];
        let mut r = vec![0.0; 500];
        c.add(0, &mut l, &mut r);
        assert_eq!(l[499], 0.0);
        assert_eq!(l[450], 1.0);
        assert_eq!(l[451], 48.0 / 49.0);
    }

    #[test]
    fn blocks_and_offsets_do_not_matter() {
        let samples: Vec<f32> = (0..600).map(|i| (i as f32 * 0.37).sin()).collect();
        let mut p = plan(0.1, None);
        p.fade_in_s = 0.05;
        p.fade_out_s = 0.2;
        p.pan = 0.3;
        let c = Clip::new(&p, ClipAudio::new(2, samples), 1000, 0).unwrap();
        let mut whole = [vec![0.0; 500], vec![0.0; 500]];
        let [wl, wr] = &mut whole;
        c.add(0, wl, wr);
        for block in [1, 7, 64] {
            let mut l = vec![0.0; 500];
            let mut r = vec![0.0; 500];
            for p0 in (0..500).step_by(block) {
                let n = block.min(500 - p0);
                c.add(p0 as u64, &mut l[p0..p0 + n], &mut r[p0..p0 + n]);
            }
            assert_eq!((&l, &r), (&whole[0], &whole[1]));
        }
    }

    #[test]
    fn more_than_two_channels_is_refused() {
        let e = Clip::new(
            &plan(0.0, None),
            ClipAudio::new(3, vec![0.0f32; 9]),
            1000,
            2,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "clips[2].audio: expected mono or stereo audio, got 3 channels"
        );
    }
}

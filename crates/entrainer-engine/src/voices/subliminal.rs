//! `subliminal_encode` (`voices.md` §3.14): recorded audio shifted up to a near-ultrasonic
//! carrier by double-sideband AM, played in sequence with 1 s gaps or stacked, repeated to the
//! step length, at a final peak of `amp`.
//!
//! The caller decodes each file, mixes it to mono and resamples it to the render rate (the
//! engine reads no files); the buffers arrive with the plan (`VoicePlan::audio`). Everything
//! else happens here, once per step, before any audio: the band-limit, the modulation, the
//! per-segment normalisation and the step peak. Rendering is then a lookup per frame (class E).

use std::sync::Arc;

use crate::error::{EngineError, Result};
use crate::filters::{Coeffs, Df1};
use crate::plan::Params;
use crate::shapes::{frac, sin_cycles};

use super::Buf;
use super::{Placement, Voice, VoiceState};

/// Quality factors of the four sections of an order-8 Butterworth: 1/(2·cos((2k − 1)π/16)).
const BUTTER8_Q: [f64; 4] = [
    0.509_795_579_104_159_2,
    0.601_344_886_935_045_3,
    0.899_976_223_136_415_6,
    2.562_915_447_741_506_3,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Sequence,
    Stack,
}

#[derive(Debug, Clone)]
pub struct Subliminal {
    step: usize,
    voice: usize,
    audio: Vec<Arc<[f32]>>,
    mode: Mode,
    carrier_hz: f64,
    amp: f64,
    /// Built by `prepare` for one (rate, step length); rebuilt on demand for another.
    arranged: Option<Arc<Arrangement>>,
}

/// The modulated, normalised segments and where they sit in the step.
#[derive(Debug)]
pub struct Arrangement {
    sample_rate: u32,
    step_frames: u64,
    mode: Mode,
    segments: Vec<Vec<f64>>,
    /// Sequence: first frame of each segment within one cycle, and the cycle length.
    offsets: Vec<u64>,
    period: u64,
    /// amp / P (0 when the arranged signal is silent).
    gain: f64,
}

impl Subliminal {
    pub fn parse(p: &Params, audio: &[Arc<[f32]>]) -> Result<Subliminal> {
        let mode = match p.choice("mode", "sequence", &["sequence", "stack"])? {
            "stack" => Mode::Stack,
            _ => Mode::Sequence,
        };
        let carrier_hz = p.scalar("carrier_freq_hz", 17_500.0)?;
        let amp = p.scalar("amp", 0.5)?;
        let err = |key: &str, message: String| EngineError::Param {
            step: p.step,
            voice: p.voice,
            key: key.into(),
            message,
        };
        if !(15_000.0..=20_000.0).contains(&carrier_hz) {
            return Err(err(
                "carrier_freq_hz",
                format!("expected a number from 15000 to 20000, got {carrier_hz}"),
            ));
        }
        if !(0.0..=1.0).contains(&amp) {
            return Err(err(
                "amp",
                format!("expected a number from 0 to 1, got {amp}"),
            ));
        }
        Ok(Subliminal {
            step: p.step,
            voice: p.voice,
            audio: audio.to_vec(),
            mode,
            carrier_hz,
            amp,
            arranged: None,
        })
    }

    pub fn bound(&self) -> [f64; 2] {
        [self.amp; 2]
    }

    /// Builds the arrangement for this placement (at construction, never in the audio thread).
    pub fn prepare(&mut self, place: &Placement) -> Result<()> {
        let nyquist = place.sample_rate as f64 / 2.0;
        if self.carrier_hz >= nyquist {
            return Err(EngineError::Param {
                step: self.step,
                voice: self.voice,
                key: "carrier_freq_hz".into(),
                message: format!(
                    "expected a frequency below {nyquist} Hz (half the sample rate), got {}",
                    self.carrier_hz
                ),
            });
        }
        self.arranged = Some(Arc::new(self.arrange(place.sample_rate, place.step_frames)));
        Ok(())
    }

    fn arrange(&self, sample_rate: u32, step_frames: u64) -> Arrangement {
        let segments: Vec<Vec<f64>> = self
            .audio
            .iter()
            .map(|a| segment(a, self.carrier_hz, sample_rate))
            .collect();
        let gap = sample_rate as u64; // frames(1.0)
        let mut offsets = Vec::with_capacity(segments.len());
        let mut period = 0;
        for s in &segments {
            offsets.push(period);
            period += s.len() as u64 + gap;
        }
        let mut a = Arrangement {
            sample_rate,
            step_frames,
            mode: self.mode,
            segments,
            offsets,
            period,
            gain: 0.0,
        };
        let peak = a.peak();
        a.gain = if peak > 0.0 { self.amp / peak } else { 0.0 };
        a
    }

    pub fn instantiate(&self, place: Placement) -> SubliminalVoice {
        let arranged = match &self.arranged {
            Some(a) if a.sample_rate == place.sample_rate && a.step_frames == place.step_frames => {
                Arc::clone(a)
            }
            // Only the test hook gets here: the renderer prepares every voice first.
            _ => Arc::new(self.arrange(place.sample_rate, place.step_frames)),
        };
        SubliminalVoice::new(arranged)
    }
}

/// One file's segment: band-limited, on the carrier, normalised to a peak of 1.
fn segment(audio: &[f32], carrier_hz: f64, sample_rate: u32) -> Vec<f64> {
    let sr = sample_rate as f64;
    let band_hz = (0.95 * (sr / 2.0 - carrier_hz)).min(8000.0);
    let sections = BUTTER8_Q.map(|q| Coeffs::lowpass(band_hz, q, sr));
    // Zero-phase: the order-8 low-pass forward, then backward, each from zero state.
    let mut y: Vec<f64> = audio.iter().map(|&x| x as f64).collect();
    for pass in 0..2 {
        for c in &sections {
            let mut st = Df1::default();
            if pass == 0 {
                y.iter_mut().for_each(|v| *v = st.tick(c, *v));
            } else {
                y.iter_mut().rev().for_each(|v| *v = st.tick(c, *v));
            }
        }
    }
    for (k, v) in y.iter_mut().enumerate() {
        *v *= sin_cycles(frac(k as f64 * carrier_hz / sr));
    }
    let peak = y.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if peak > 0.0 {
        y.iter_mut().for_each(|v| *v /= peak);
    }
    y
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

impl Arrangement {
    fn cursor_len(&self) -> usize {
        self.segments.len().max(2)
    }

    /// Positions a cursor at step frame m (see [`Arrangement::fill`]).
    fn seek_cursor(&self, cursor: &mut [u64], m: u64) {
        match self.mode {
            Mode::Sequence if self.period > 0 => {
                let u = m % self.period;
                let i = self.offsets.partition_point(|&o| o <= u) - 1;
                cursor[0] = i as u64;
                cursor[1] = u - self.offsets[i];
            }
            Mode::Stack => {
                for (f, seg) in self.segments.iter().enumerate() {
                    cursor[f] = if seg.is_empty() {
                        0
                    } else {
                        m % seg.len() as u64
                    };
                }
            }
            _ => {}
        }
    }

    /// Writes the arranged signal (before the final gain) for the next `out.len()` frames and
    /// advances the cursor. Sequence: the cursor holds the current segment and the frame within
    /// it and its gap; stack: the frame within each segment. Runs of whole slices are copied,
    /// so no frame costs a division.
    fn fill(&self, cursor: &mut [u64], out: &mut [f64]) {
        let n = out.len();
        out.fill(0.0);
        match self.mode {
            Mode::Sequence if self.period > 0 => {
                let gap = self.sample_rate as u64;
                let mut k = 0;
                while k < n {
                    let (i, d) = (cursor[0] as usize, cursor[1]);
                    let seg = &self.segments[i];
                    let len = seg.len() as u64;
                    let left = (n - k) as u64;
                    let run = if d < len {
                        (len - d).min(left)
                    } else {
                        (len + gap - d).min(left)
                    };
                    if d < len {
                        out[k..k + run as usize]
                            .copy_from_slice(&seg[d as usize..(d + run) as usize]);
                    }
                    k += run as usize;
                    cursor[1] = d + run;
                    if cursor[1] == len + gap {
                        cursor[0] = ((i + 1) % self.segments.len()) as u64;
                        cursor[1] = 0;
                    }
                }
            }
            Mode::Stack if !self.segments.is_empty() => {
                for (f, seg) in self.segments.iter().enumerate() {
                    let len = seg.len() as u64;
                    if len == 0 {
                        continue;
                    }
                    let mut k = 0;
                    while k < n {
                        let d = cursor[f];
                        let run = (len - d).min((n - k) as u64) as usize;
                        for (o, x) in out[k..k + run]
                            .iter_mut()
                            .zip(&seg[d as usize..d as usize + run])
                        {
                            *o += x;
                        }
                        k += run;
                        cursor[f] = (d + run as u64) % len;
                    }
                }
                let count = self.segments.len() as f64;
                out.iter_mut().for_each(|o| *o /= count);
            }
            _ => {}
        }
    }

    /// P: the peak of the arranged signal over the step (`voices.md` §3.14).
    fn peak(&self) -> f64 {
        let n = self.step_frames;
        match self.mode {
            // Each segment is heard whole (peak 1) unless the step ends inside its first
            // occurrence; later occurrences are never longer than the first.
            Mode::Sequence => self
                .segments
                .iter()
                .zip(&self.offsets)
                .filter(|(_, &o)| o < n)
                .map(|(s, &o)| {
                    s[..s.len().min((n - o) as usize)]
                        .iter()
                        .fold(0.0f64, |m, v| m.max(v.abs()))
                })
                .fold(0.0, f64::max),
            // One common period of the repetitions, capped at the step length.
            Mode::Stack => {
                let mut common: u64 = 1;
                for s in self.segments.iter().filter(|s| !s.is_empty()) {
                    let len = s.len() as u64;
                    common = (common / gcd(common, len)).saturating_mul(len).min(n);
                }
                let mut cursor = vec![0; self.cursor_len()];
                let mut buf = vec![0.0; 4096];
                let (mut done, mut peak) = (0u64, 0.0f64);
                while done < common {
                    let len = ((common - done) as usize).min(buf.len());
                    self.fill(&mut cursor, &mut buf[..len]);
                    peak = buf[..len].iter().fold(peak, |m, v| m.max(v.abs()));
                    done += len as u64;
                }
                peak
            }
        }
    }
}

pub struct SubliminalVoice {
    arranged: Arc<Arrangement>,
    cursor: Vec<u64>,
}

impl SubliminalVoice {
    fn new(arranged: Arc<Arrangement>) -> SubliminalVoice {
        let cursor = vec![0; arranged.cursor_len()];
        SubliminalVoice { arranged, cursor }
    }
}

impl Voice for SubliminalVoice {
    fn render(&mut self, l: &mut [f64], r: &mut [f64], _scratch: &mut [Buf]) {
        let a = &*self.arranged;
        a.fill(&mut self.cursor, l);
        l.iter_mut().for_each(|x| *x *= a.gain);
        r.copy_from_slice(l);
    }

    fn seek(&mut self, m: u64) {
        self.arranged.seek_cursor(&mut self.cursor, m);
    }

    fn state(&self) -> VoiceState {
        // Never continued (no signature): nothing is carried.
        VoiceState::default()
    }
}

//! The one timeline (`render.md` §2): where every step starts, how long each crossfade is,
//! and how long the programme lasts. Rendering, seeking, progress and status all use it.

/// Seconds to frames: `floor(x·sr + 0.5)` in 64-bit floating point (spec conventions).
pub fn frames(seconds: f64, sample_rate: u32) -> u64 {
    let x = (seconds * sample_rate as f64 + 0.5).floor();
    if x <= 0.0 {
        0
    } else {
        x as u64
    }
}

/// Step placement in frames. Index `i` refers to the playable steps, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// `N_i`: frames of each playable step (each ≥ 1).
    pub lengths: Vec<u64>,
    /// `S_i`: first timeline frame of each step.
    pub starts: Vec<u64>,
    /// `K_i`: actual crossfade at boundary i (between step i and i+1); `crossfades.len() == n−1`.
    pub crossfades: Vec<u64>,
    /// `X_i`: requested crossfade at boundary i, before clamping.
    pub requested: Vec<u64>,
    /// `E`: end of the programme.
    pub end: u64,
}

impl Timeline {
    /// Builds the timeline from step lengths `N_i ≥ 1` and requested crossfades `X_i`
    /// (one per step; the last one is ignored).
    pub fn new(lengths: &[u64], requested_crossfades: &[u64]) -> Timeline {
        let n = lengths.len();
        let mut crossfades = Vec::with_capacity(n.saturating_sub(1));
        let mut requested = Vec::with_capacity(n.saturating_sub(1));
        let mut starts = Vec::with_capacity(n);
        let mut prev_k = 0u64;
        let mut s = 0u64;
        for i in 0..n {
            starts.push(s);
            if i + 1 < n {
                let x = requested_crossfades.get(i).copied().unwrap_or(0);
                let mut k = x.min(lengths[i] - prev_k).min(lengths[i + 1]);
                if k < 2 {
                    k = 0;
                }
                requested.push(x);
                crossfades.push(k);
                s += lengths[i] - k;
                prev_k = k;
            }
        }
        let end = if n == 0 {
            0
        } else {
            starts[n - 1] + lengths[n - 1]
        };
        Timeline {
            lengths: lengths.to_vec(),
            starts,
            crossfades,
            requested,
            end,
        }
    }

    pub fn len(&self) -> usize {
        self.lengths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lengths.is_empty()
    }

    /// Crossfade at the start of step `i` (`K_{i−1}`, 0 for the first step).
    pub fn crossfade_in(&self, i: usize) -> u64 {
        if i == 0 {
            0
        } else {
            self.crossfades[i - 1]
        }
    }

    /// Crossfade at the end of step `i` (`K_i`, 0 for the last step).
    pub fn crossfade_out(&self, i: usize) -> u64 {
        self.crossfades.get(i).copied().unwrap_or(0)
    }

    /// End frame (exclusive) of step `i`.
    pub fn step_end(&self, i: usize) -> u64 {
        self.starts[i] + self.lengths[i]
    }

    /// The current step at timeline frame `p`: the largest `i` with `S_i ≤ p` (`render.md` §2.5).
    pub fn current_step(&self, p: u64) -> Option<usize> {
        if self.is_empty() {
            return None;
        }
        let idx = self.starts.partition_point(|&s| s <= p);
        if idx == 0 {
            None
        } else {
            Some(idx - 1)
        }
    }

    /// Steps sounding at frame `p` (one or two, none after the end).
    pub fn sounding(&self, p: u64) -> impl Iterator<Item = usize> + '_ {
        let cur = self.current_step(p);
        let lo = cur.map(|c| c.saturating_sub(1)).unwrap_or(0);
        let hi = cur.map(|c| c + 1).unwrap_or(0);
        (lo..hi).filter(move |&i| self.starts[i] <= p && p < self.step_end(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f19_starts_match_the_spec_example() {
        let sr = 44_100;
        let d = [150.0, 150.0, 150.0, 150.0, 1800.0, 600.0];
        let n: Vec<u64> = d.iter().map(|&x| frames(x, sr)).collect();
        let x = vec![frames(1.0, sr); 6];
        let t = Timeline::new(&n, &x);
        assert_eq!(n[4], 79_380_000);
        assert_eq!(t.starts[5], 105_619_500);
        assert_eq!(t.end, 132_079_500);
        assert_eq!(t.crossfades, vec![44_100; 5]);
    }

    #[test]
    fn short_steps_clamp_their_crossfades() {
        // step 1 is 100 frames long, both neighbours ask for 80: K0 = 80, K1 = min(80, 100-80, .) = 20.
        let t = Timeline::new(&[1000, 100, 1000], &[80, 80, 80]);
        assert_eq!(t.crossfades, vec![80, 20]);
        assert_eq!(t.starts, vec![0, 920, 1000]);
        // a crossfade of one frame is no crossfade
        let t = Timeline::new(&[10, 10], &[1, 0]);
        assert_eq!(t.crossfades, vec![0]);
        assert_eq!(t.end, 20);
    }

    #[test]
    fn current_step_prefers_the_incoming_step() {
        let t = Timeline::new(&[100, 100], &[10, 0]);
        assert_eq!(t.current_step(89), Some(0));
        assert_eq!(t.current_step(90), Some(1));
        assert_eq!(t.sounding(95).collect::<Vec<_>>(), vec![0, 1]);
        assert_eq!(t.sounding(190).count(), 0);
    }
}

//! Noise colours at unit long-run RMS (`voices.md` §2.10.2), fed by the counter-based Gaussian
//! source of §2.10.1: per-sample generation, the power response used by the calibration, and
//! the slowest pole decay used by the seek warm-up.

use std::f64::consts::PI;

use crate::filters::{Coeffs, Df1};
use crate::rng::gaussian;

const PINK_POLES: [f64; 6] = [0.99886, 0.99332, 0.96900, 0.86650, 0.55000, -0.7616];
const PINK_GAINS: [f64; 6] = [
    0.0555179, 0.0750759, 0.1538520, 0.3104856, 0.5329522, -0.0168980,
];
const PINK_DIRECT: f64 = 0.5362;
const PINK_DELAYED: f64 = 0.115926;
const PINK_NORM: f64 = 3.05253;
const BLUE_NORM: f64 = 0.594308;
/// Corner of the leaky integrator of brown and deep brown noise (1/f² above it, flat below).
const BROWN_CORNER_HZ: f64 = 10.0;
/// Pass band of green noise (`voices.md` §2.10.2).
const GREEN_BAND_HZ: (f64, f64) = (100.0, 1000.0);

/// Every accepted `noise_type` name, aliases included.
pub const COLOUR_NAMES: [&str; 9] = [
    "white",
    "pink",
    "brown",
    "red",
    "deep brown",
    "blue",
    "purple",
    "violet",
    "green",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    White,
    Pink,
    Brown,
    DeepBrown,
    Blue,
    Purple,
    Green,
}

impl Colour {
    /// The colour of a `noise_type` name (trimmed, case-insensitive), or None.
    pub fn from_name(name: &str) -> Option<Colour> {
        Some(match name.trim().to_lowercase().as_str() {
            "white" => Colour::White,
            "pink" => Colour::Pink,
            "brown" | "red" => Colour::Brown,
            "deep brown" => Colour::DeepBrown,
            "blue" => Colour::Blue,
            "purple" | "violet" => Colour::Purple,
            "green" => Colour::Green,
            _ => return None,
        })
    }

    fn uses_pink(self) -> bool {
        matches!(
            self,
            Colour::Pink | Colour::DeepBrown | Colour::Blue | Colour::Green
        )
    }
}

/// The fixed filters of one colour at one sample rate.
#[derive(Debug, Clone, Copy)]
pub struct ColourDesign {
    pub colour: Colour,
    /// Leaky-integrator pole ρ = exp(−2π·10/sr).
    rho: f64,
    green: [Coeffs; 4],
    /// Output scale that makes the colour unit-RMS.
    scale: f64,
}

impl ColourDesign {
    pub fn new(colour: Colour, sample_rate: u32) -> ColourDesign {
        let sr = sample_rate as f64;
        let rho = (-2.0 * PI * BROWN_CORNER_HZ / sr).exp();
        let green = butter4_bandpass(GREEN_BAND_HZ.0, GREEN_BAND_HZ.1, sr);
        let mut d = ColourDesign {
            colour,
            rho,
            green,
            scale: 1.0,
        };
        d.scale = match colour {
            Colour::White => 1.0,
            Colour::Pink => 1.0 / PINK_NORM,
            Colour::Brown => (1.0 - rho * rho).sqrt(),
            Colour::Blue => 1.0 / BLUE_NORM,
            Colour::Purple => std::f64::consts::FRAC_1_SQRT_2,
            // Deep brown and green: ÷ the RMS gain of the exact impulse response.
            Colour::DeepBrown | Colour::Green => 1.0 / d.impulse_rms_gain(sample_rate),
        };
        d
    }

    /// sqrt(Σ h[n]²) of the chain fed with unit white noise (before `scale`), summed until
    /// the slowest pole has decayed by e⁻⁶⁰ in amplitude, far below 1e-15 of the sum.
    fn impulse_rms_gain(&self, sample_rate: u32) -> f64 {
        let len = (60.0 / self.sigma_min(sample_rate as f64) * sample_rate as f64).ceil() as usize;
        let mut state = ColourState::default();
        let mut sum = 0.0;
        for n in 0..len {
            let h = state.raw(self, if n == 0 { 1.0 } else { 0.0 });
            sum += h * h;
        }
        sum.sqrt()
    }

    /// Slowest decay rate (1/s) among the colour's poles (∞ for white and purple).
    pub fn sigma_min(&self, sr: f64) -> f64 {
        let mut s = f64::INFINITY;
        if self.colour.uses_pink() {
            s = s.min(-PINK_POLES[0].ln() * sr);
        }
        if matches!(self.colour, Colour::Brown | Colour::DeepBrown) {
            s = s.min(-self.rho.ln() * sr);
        }
        if self.colour == Colour::Green {
            s = self
                .green
                .iter()
                .map(|c| c.decay_rate(sr))
                .fold(s, f64::min);
        }
        s
    }

    /// The colour's power response at f, up to a constant factor (the calibration normalises it).
    pub fn power_response(&self, f: f64, sr: f64) -> f64 {
        let w = 2.0 * PI * f / sr;
        let (c, s) = (w.cos(), -w.sin());
        let pink = || {
            // Σ g/(1 − p z⁻¹) + direct + delayed·z⁻¹ at z⁻¹ = c + js
            let (mut re, mut im) = (PINK_DIRECT + PINK_DELAYED * c, PINK_DELAYED * s);
            for j in 0..6 {
                let (dr, di) = (1.0 - PINK_POLES[j] * c, -PINK_POLES[j] * s);
                let d2 = dr * dr + di * di;
                re += PINK_GAINS[j] * dr / d2;
                im -= PINK_GAINS[j] * di / d2;
            }
            re * re + im * im
        };
        let leaky = || 1.0 / (1.0 - 2.0 * self.rho * c + self.rho * self.rho);
        let difference = || 2.0 - 2.0 * c;
        match self.colour {
            Colour::White => 1.0,
            Colour::Pink => pink(),
            Colour::Brown => leaky(),
            Colour::DeepBrown => pink() * leaky(),
            Colour::Blue => pink() * difference(),
            Colour::Purple => difference(),
            Colour::Green => {
                pink()
                    * self
                        .green
                        .iter()
                        .map(|g| g.power_response(f, sr))
                        .product::<f64>()
            }
        }
    }
}

/// Filter state of a colour source; zero at n = 0.
#[derive(Debug, Clone, Copy, Default)]
pub struct ColourState {
    pink: [f64; 7],
    prev: f64,
    leaky: f64,
    green: [Df1; 4],
}

impl ColourState {
    /// One sample of the colour for white input w, unit RMS.
    #[inline(always)]
    pub fn next(&mut self, d: &ColourDesign, w: f64) -> f64 {
        self.raw(d, w) * d.scale
    }

    #[inline(always)]
    fn raw(&mut self, d: &ColourDesign, w: f64) -> f64 {
        let pink = |b: &mut [f64; 7]| {
            for i in 0..6 {
                b[i] = PINK_POLES[i] * b[i] + PINK_GAINS[i] * w;
            }
            let y = b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + PINK_DIRECT * w;
            b[6] = PINK_DELAYED * w;
            y
        };
        match d.colour {
            Colour::White => w,
            Colour::Pink => pink(&mut self.pink),
            Colour::Brown => {
                self.leaky = d.rho * self.leaky + w;
                self.leaky
            }
            Colour::DeepBrown => {
                let p = pink(&mut self.pink) / PINK_NORM;
                self.leaky = d.rho * self.leaky + p;
                self.leaky
            }
            Colour::Blue => {
                let p = pink(&mut self.pink) / PINK_NORM;
                let y = p - self.prev;
                self.prev = p;
                y
            }
            Colour::Purple => {
                let y = w - self.prev;
                self.prev = w;
                y
            }
            Colour::Green => {
                let mut y = pink(&mut self.pink) / PINK_NORM;
                for (c, s) in d.green.iter().zip(self.green.iter_mut()) {
                    y = s.tick(c, y);
                }
                y
            }
        }
    }
}

/// Unit-RMS colour noise from stream `key` of the counter generator: sample n uses Gaussian n.
#[derive(Debug, Clone)]
pub struct ColourSource {
    pub design: ColourDesign,
    key: u64,
    state: ColourState,
}

impl ColourSource {
    pub fn new(design: ColourDesign, key: u64) -> ColourSource {
        ColourSource {
            design,
            key,
            state: ColourState::default(),
        }
    }

    pub fn reset(&mut self) {
        self.state = ColourState::default();
    }

    /// Sample n; calls must come in increasing n without gaps (the filters hold state).
    #[inline(always)]
    pub fn sample(&mut self, n: u64) -> f64 {
        self.state.next(&self.design, gaussian(self.key, n))
    }
}

/// Order-4 Butterworth band-pass (8 poles) as four sections, the design of
/// `scipy.signal.butter(4, [f1, f2], 'bandpass', fs=sr)`: analog prototype, low-pass to
/// band-pass, bilinear transform with pre-warped edges. Numerators are (1, 0, −1); the gain is
/// in the first section.
pub fn butter4_bandpass(f1: f64, f2: f64, sr: f64) -> [Coeffs; 4] {
    const ORDER: i32 = 4;
    let fs2 = 2.0 * sr;
    let w1 = fs2 * (PI * f1 / sr).tan();
    let w2 = fs2 * (PI * f2 / sr).tan();
    let (bw, w0sq) = (w2 - w1, w1 * w2);
    // Prototype poles −exp(jπm/8), m = −3, −1, 1, 3; those with positive imaginary part after
    // the band-pass mapping give one section each (the conjugates are implied).
    let mut poles = [(0.0, 0.0); 4];
    let mut count = 0;
    let mut gain_den = (1.0, 0.0); // Π (fs2 − p) over all eight analog poles
    for m in [-3.0f64, -1.0, 1.0, 3.0] {
        let a = PI * m / 8.0;
        let p = (-a.cos() * bw / 2.0, -a.sin() * bw / 2.0);
        // p ± sqrt(p² − w0²)
        let d = csqrt((p.0 * p.0 - p.1 * p.1 - w0sq, 2.0 * p.0 * p.1));
        for s in [(p.0 + d.0, p.1 + d.1), (p.0 - d.0, p.1 - d.1)] {
            gain_den = cmul(gain_den, (fs2 - s.0, -s.1));
            let z = cdiv((fs2 + s.0, s.1), (fs2 - s.0, -s.1));
            if z.1 > 0.0 && count < 4 {
                poles[count] = z;
                count += 1;
            }
        }
    }
    // k = bw⁴ · fs2⁴ / Π(fs2 − p) (the zeros at s = 0 map to z = 1, those at infinity to −1)
    let k =
        (bw * fs2).powi(ORDER) * gain_den.0 / (gain_den.0 * gain_den.0 + gain_den.1 * gain_den.1);
    let mut sections = poles.map(|z| Coeffs {
        b0: 1.0,
        b1: 0.0,
        b2: -1.0,
        a1: -2.0 * z.0,
        a2: z.0 * z.0 + z.1 * z.1,
    });
    sections[0].b0 = k;
    sections[0].b2 = -k;
    sections
}

fn cmul(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}

fn cdiv(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    let d = b.0 * b.0 + b.1 * b.1;
    ((a.0 * b.0 + a.1 * b.1) / d, (a.1 * b.0 - a.0 * b.1) / d)
}

fn csqrt(a: (f64, f64)) -> (f64, f64) {
    let r = (a.0 * a.0 + a.1 * a.1).sqrt();
    let re = ((r + a.0) / 2.0).sqrt();
    let im = ((r - a.0) / 2.0).sqrt().copysign(a.1);
    (re, im)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rms_gains_match_the_spec_figures() {
        let g = |c, sr| 1.0 / ColourDesign::new(c, sr).scale;
        assert!(
            (g(Colour::DeepBrown, 44_100) - 298.5).abs() < 0.1,
            "{}",
            g(Colour::DeepBrown, 44_100)
        );
        assert!(
            (g(Colour::DeepBrown, 48_000) - 317.5).abs() < 0.1,
            "{}",
            g(Colour::DeepBrown, 48_000)
        );
        // green: the band-pass gain relative to unit pink
        assert!(
            (g(Colour::Green, 44_100) - 0.4986).abs() < 2e-4,
            "{}",
            g(Colour::Green, 44_100)
        );
        assert!(
            (g(Colour::Green, 48_000) - 0.4986).abs() < 2e-4,
            "{}",
            g(Colour::Green, 48_000)
        );
    }

    #[test]
    fn bandpass_is_unity_at_the_centre_and_half_power_at_the_edges() {
        let sr = 48_000.0;
        let bp = butter4_bandpass(100.0, 1000.0, sr);
        let h = |f: f64| bp.iter().map(|c| c.power_response(f, sr)).product::<f64>();
        assert!((h((100.0f64 * 1000.0).sqrt()) - 1.0).abs() < 1e-9);
        assert!((h(100.0) - 0.5).abs() < 1e-9 && (h(1000.0) - 0.5).abs() < 1e-9);
    }
}

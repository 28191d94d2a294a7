//! Nanoseconds per sample of each carrier path of `Carrier::fill_sin` (constant, shallow sine
//! vibrato, triangle chirp, deep sine vibrato), 256-frame calls:
//! `cargo run --release --example carrier_speed`.
use std::time::Instant;

use entrainer_engine::osc::{Carrier, CarrierSpec, Clock, Phase, Vibrato};
use entrainer_engine::ramp::{Lerp, Ramp};
use entrainer_engine::shapes::Shape;

fn main() {
    let sr = 44_100;
    let n: u64 = 44_100 * 600;
    let ramp = Ramp::new(None, n, sr);
    let vib = |half: f64, rate: f64, shape: Shape| {
        Some(Vibrato {
            range_hz: Lerp::constant(2.0 * half),
            clock: Clock::new(Lerp::constant(rate), ramp, sr, 0.0),
            phase_rad: Lerp::constant(0.0),
            skew: Lerp::constant(0.0),
            shape,
        })
    };
    let cases = [
        ("constant 15.6 kHz", None),
        ("sine vibrato ±0.25 Hz at 2 Hz", vib(0.25, 2.0, Shape::Sine)),
        (
            "triangle vibrato ±265 Hz at 0.4 Hz",
            vib(265.0, 0.4, Shape::Triangle),
        ),
        ("sine vibrato ±40 Hz at 1 Hz", vib(40.0, 1.0, Shape::Sine)),
    ];
    let mut out = [0.0; 256];
    let only = std::env::args().nth(1);
    for (name, vibrato) in cases {
        if only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        let spec = CarrierSpec {
            base_hz: Lerp::constant(if vibrato.is_some() { 8_000.0 } else { 15_666.3 }),
            vibrato,
        };
        let mut c = Carrier::new(spec, ramp, sr, Phase::default());
        let t = Instant::now();
        let mut acc = 0.0;
        for _ in 0..n / 256 {
            c.fill_sin(&mut out);
            acc += out[17];
        }
        let ns = t.elapsed().as_secs_f64() * 1e9 / n as f64;
        println!("{name:40} {ns:6.2} ns/sample  ({acc:.3})");
    }
}

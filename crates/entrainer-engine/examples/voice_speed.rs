//! Times one voice kind in isolation: `cargo run --release --example voice_speed`.
use entrainer_engine::plan::VoicePlan;
use entrainer_engine::ramp::Ramp;
use entrainer_engine::voices::{Placement, VoiceSpec, CHUNK};
use std::time::Instant;

fn main() {
    let cases = [
        r#"{"source_index":0,"function":"binaural_beat","params":{"base_freq_hz":[43.6,43.6],"beat_freq_hz":[0.35,0.35]}}"#,
        r#"{"source_index":0,"function":"binaural_beat","params":{"base_freq_hz":[174.0,174.0],"beat_freq_hz":[4.0,4.0],"vib_range_l_hz":[0.5,0.5],"vib_freq_l_hz":[2.0,2.0],"vib_range_r_hz":[0.5,0.5],"vib_freq_r_hz":[2.0,2.0],"am_depth_l":[0.5,0.5],"am_freq_l_hz":[0.05,0.05],"am_depth_r":[0.5,0.5],"am_freq_r_hz":[0.05,0.05]}}"#,
    ];
    let sr = 44_100;
    for c in cases {
        let plan: VoicePlan = serde_json::from_str(c).unwrap();
        let spec = VoiceSpec::parse(&plan, 0, 0).unwrap();
        let n = 3600 * sr as u64;
        let place = Placement {
            step_frames: n,
            sample_rate: sr,
            ramp: Ramp::new(None, n, sr),
            seed: 0,
        };
        let mut v = spec.instantiate(place, None, 0);
        let mut l = [0.0; CHUNK];
        let mut r = [0.0; CHUNK];
        let mut scratch = entrainer_engine::voices::Scratch::boxed();
        let frames = 60 * sr as usize;
        let t0 = Instant::now();
        let mut acc = 0.0;
        for _ in 0..frames / CHUNK {
            v.render(&mut l, &mut r, &mut scratch.0);
            acc += l[3];
        }
        let dt = t0.elapsed().as_secs_f64();
        println!(
            "{:.1} ns/frame, {:.0} x RT ({acc})",
            dt * 1e9 / frames as f64,
            60.0 / dt
        );
    }
}

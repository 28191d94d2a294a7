//! Times one voice in isolation, in calls of CHUNK frames (the fastest of ten 10-second runs):
//! `cargo run --release --example voice_speed` times two built-in binaural voices;
//! `... --example voice_speed -- PLAN.json STEP VOICE` times voice VOICE of step STEP of a plan
//! file (as `entrainer.plan.build_plan` writes it).
use entrainer_engine::plan::{Plan, VoicePlan};
use entrainer_engine::ramp::Ramp;
use entrainer_engine::voices::{Placement, VoiceSpec, CHUNK};
use std::time::Instant;

const BUILT_IN: [&str; 2] = [
    r#"{"source_index":0,"function":"binaural_beat","params":{"base_freq_hz":[43.6,43.6],"beat_freq_hz":[0.35,0.35]}}"#,
    r#"{"source_index":0,"function":"binaural_beat","params":{"base_freq_hz":[174.0,174.0],"beat_freq_hz":[4.0,4.0],"vib_range_l_hz":[0.5,0.5],"vib_freq_l_hz":[2.0,2.0],"vib_range_r_hz":[0.5,0.5],"vib_freq_r_hz":[2.0,2.0],"am_depth_l":[0.5,0.5],"am_freq_l_hz":[0.05,0.05],"am_depth_r":[0.5,0.5],"am_freq_r_hz":[0.05,0.05]}}"#,
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let voices: Vec<VoicePlan> = match args.get(1) {
        Some(path) => {
            let plan: Plan =
                serde_json::from_str(&std::fs::read_to_string(path).expect("plan file"))
                    .expect("plan json");
            let index = |k: usize| -> usize { args[k].parse().expect("an index") };
            vec![plan.steps[index(2)].voices[index(3)].clone()]
        }
        None => BUILT_IN
            .iter()
            .map(|c| serde_json::from_str(c).unwrap())
            .collect(),
    };
    let sr = 44_100;
    for plan in voices {
        let spec = VoiceSpec::parse(&plan, 0, 0).unwrap();
        let n = 3600 * sr as u64;
        let place = Placement {
            step_frames: n,
            sample_rate: sr,
            ramp: Ramp::new(None, n, sr),
            seed: 0,
        };
        let mut v = spec.instantiate(place, None, 0);
        let mut l = vec![0.0; CHUNK];
        let mut r = vec![0.0; CHUNK];
        let mut scratch = entrainer_engine::voices::Scratch::boxed();
        let frames = 10 * sr as usize;
        let mut best = f64::INFINITY;
        let mut acc = 0.0;
        for _ in 0..10 {
            let t0 = Instant::now();
            for _ in 0..frames / CHUNK {
                v.render(&mut l, &mut r, &mut scratch.0);
                acc += l[3];
            }
            best = best.min(t0.elapsed().as_secs_f64());
        }
        println!(
            "{}: {:.2} ns/frame, {:.0} x real time ({acc:.3})",
            plan.function,
            best * 1e9 / (frames - frames % CHUNK) as f64,
            10.0 / best
        );
    }
}

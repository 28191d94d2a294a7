//! The audio callback never allocates or frees: a counting global allocator watches this
//! thread while it drives the callback path across step changes, crossfades, a filtered
//! (class F) voice, background noise, seeks, pause/resume, gain changes and a live update.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use entrainer_engine::{levels, Plan, Program, RenderOptions};
use entrainer_player::{Output, Player, PlayerConfig};

struct Counting;

static EVENTS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static WATCHING: Cell<bool> = const { Cell::new(false) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if WATCHING.with(|w| w.get()) {
            EVENTS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        if WATCHING.with(|w| w.get()) {
            EVENTS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        if WATCHING.with(|w| w.get()) {
            EVENTS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static A: Counting = Counting;

fn watched<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = EVENTS.load(Ordering::Relaxed);
    WATCHING.with(|w| w.set(true));
    let r = f();
    WATCHING.with(|w| w.set(false));
    (r, EVENTS.load(Ordering::Relaxed) - before)
}

fn voice(idx: usize, function: &str, params: &str, extra: &str) -> String {
    format!(r#"{{"source_index": {idx}, "function": "{function}", "params": {{{params}}}{extra}}}"#)
}

fn program(beat: f64) -> Arc<Program> {
    let bp = format!(
        r#""base_freq_hz": [200, 300], "beat_freq_hz": [{beat}, 4], "vib_range_l_hz": [4, 4], "vib_freq_l_hz": [1, 1], "am_depth_r": [0.5, 0.5], "am_freq_r_hz": [0.5, 0.5]"#
    );
    let b = voice(0, "binaural_beat", &bp, "");
    let ramp =
        r#", "ramp": {"initial_offset_s": 0.05, "transition_s": 0.1, "curve": "exponential"}"#;
    let b_ramped = voice(0, "binaural_beat", &bp, ramp);
    let iso = voice(
        1,
        "isochronic_tone",
        r#""base_freq_hz": [400, 400], "harmonic_suppression": true, "pan_min": [-1, -1], "pan_max": [1, 1], "pan_freq_hz": [0.5, 0.5]"#,
        "",
    );
    let env = r#", "envelope": {"type": "adsr", "attack_s": 0.02, "decay_s": 0.05, "sustain_level": 0.7, "release_s": 0.05}"#;
    let mono_env = voice(
        0,
        "monaural_beat_stereo_amps",
        r#""base_freq_hz": [150, 150]"#,
        env,
    );
    // Shallow sine vibratos shared by two voices: the phasor path and its per-thread cache.
    let vp = r#""base_freq_hz": [300, 300], "beat_freq_hz": [5, 5], "vib_range_l_hz": [0.5, 0.5], "vib_freq_l_hz": [2, 2], "vib_range_r_hz": [0.5, 0.5], "vib_freq_r_hz": [2, 2]"#;
    let shared = voice(2, "binaural_beat", vp, "");
    let json = format!(
        r#"{{"steps": [
            {{"source_index": 0, "duration_s": 0.3, "crossfade_out_s": 0.05, "voices": [{b_ramped}, {iso}]}},
            {{"source_index": 1, "duration_s": 0.3, "crossfade_out_s": 0.0, "voices": [{mono_env}, {iso}, {shared}, {shared}]}},
            {{"source_index": 2, "duration_s": 0.3, "crossfade_out_s": 0.05, "crossfade_curve": "equal_power", "voices": [{b}]}}
        ], "noise": {{"params": {{"colour": "pink"}}, "gain": 0.2, "fade_in_s": 0.05}}}}"#
    );
    let plan = Plan::from_json(&json).expect("plan");
    Arc::new(
        Program::new(
            &plan,
            RenderOptions {
                sample_rate: 48_000,
                ..RenderOptions::default()
            },
        )
        .expect("program"),
    )
}

#[test]
fn the_callback_path_never_allocates() {
    let prog = program(6.0);
    let lv = levels::provisional(&prog);
    let mut player = Player::start(
        Arc::clone(&prog),
        lv,
        PlayerConfig {
            block_size: 64,
            output: Output::Manual,
            start_frame: 0,
            gain: 1.0,
        },
    )
    .expect("start");
    let mut out = vec![0.0f32; 2 * 64];
    let mut events = 0;
    let total_blocks = (prog.total_frames() / 64) as usize + 40;
    for b in 0..total_blocks {
        // control actions happen on this thread, outside the watched region (they may allocate)
        match b {
            100 => player.set_gain(0.5).unwrap(),
            150 => player.pause().unwrap(),
            170 => player.resume().unwrap(),
            200 => player.seek(20_000).unwrap(),
            260 => player
                .update(program(8.0), levels::provisional(&prog))
                .unwrap(),
            320 => player.seek(1_000).unwrap(),
            _ => {}
        }
        let (r, n) = watched(|| player.pull_into(&mut out));
        r.unwrap();
        events += n;
        // Pace the pulls like a device (a 64-frame block is 1.33 ms of audio): the preparer
        // thread, which wakes every 25 ms, hands steps over 2 s ahead of real time, not of a
        // test that pulls as fast as it can.
        std::thread::sleep(std::time::Duration::from_micros(1500));
    }
    let status = player.status();
    assert_eq!(events, 0, "allocations or frees on the audio thread");
    assert_eq!(status.missing, 0, "a step was not prepared in time");
    assert!(status.blocks as usize >= total_blocks);
    player.stop().unwrap();
}

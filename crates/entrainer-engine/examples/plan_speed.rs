//! Times one measured render of a plan file (as `entrainer.plan.build_plan` writes it):
//! `cargo run --release --example plan_speed -- PLAN.json [seconds]`
//! (`ENTRAINER_SCAN=full` for the analysis without bounds).
use std::sync::Arc;
use std::time::Instant;

use entrainer_engine::levels::{measure_with, Scan};
use entrainer_engine::plan::Plan;
use entrainer_engine::renderer::{Program, RenderOptions, Renderer};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(&args[1]).expect("plan file");
    let plan: Plan = serde_json::from_str(&text).expect("plan json");
    let program = Arc::new(Program::new(&plan, RenderOptions::default()).expect("program"));
    let total = match args.get(2) {
        Some(s) => (s.parse::<f64>().unwrap() * 44_100.0) as u64,
        None => program.total_frames(),
    };
    let t0 = Instant::now();
    // ENTRAINER_SCAN=full times the analysis that renders every voice everywhere.
    let mode = match std::env::var("ENTRAINER_SCAN").as_deref() {
        Ok("full") => Scan::Full,
        _ => Scan::Bounded,
    };
    // ENTRAINER_RENDER_ONLY=1 skips the analysis (unity levels), to profile the render alone.
    let analysis = if std::env::var_os("ENTRAINER_RENDER_ONLY").is_some() {
        let n = program.steps.len();
        entrainer_engine::levels::Analysis {
            levels: entrainer_engine::Levels::unity(n),
            step_peaks: vec![0.0; n],
            peak: 0.0,
            voice_blocks: [0; 2],
        }
    } else {
        measure_with(&program, mode, &mut |_, _| true).expect("measure")
    };
    let t_measure = t0.elapsed().as_secs_f64();
    println!(
        "{mode:?} scan: step peaks {:?}, peak {}, voice blocks {:?}",
        analysis.step_peaks, analysis.peak, analysis.voice_blocks
    );
    // ENTRAINER_ANALYSIS_ONLY=1 stops here, to profile the analysis alone.
    if std::env::var_os("ENTRAINER_ANALYSIS_ONLY").is_some() {
        println!("analysis {t_measure:.2} s");
        return;
    }
    let t1 = Instant::now();
    let mut r = Renderer::new(Arc::clone(&program), analysis.levels.clone());
    let (mut l, mut rr) = (vec![0.0; 4096], vec![0.0; 4096]);
    let mut done = 0;
    let mut peak: f64 = 0.0;
    while done < total {
        let n = ((total - done) as usize).min(4096);
        r.render(&mut l[..n], &mut rr[..n]);
        peak = peak.max(
            l[..n]
                .iter()
                .chain(&rr[..n])
                .fold(0.0, |a, &b| a.max(b.abs())),
        );
        done += n as u64;
    }
    let t_render = t1.elapsed().as_secs_f64();
    let secs = total as f64 / 44_100.0;
    println!(
        "analysis {t_measure:.2} s ({:.0}x), render {t_render:.2} s ({:.0}x), peak {peak}",
        program.total_frames() as f64 / 44_100.0 / t_measure,
        secs / t_render
    );
}

//! The Python binding `entrainer._engine`: type conversion, GIL release, error mapping. No DSP.

use pyo3::prelude::*;

use entrainer_engine::timeline::Timeline;

/// Places steps on the timeline: returns `(starts, crossfades, end)` in frames.
#[pyfunction]
fn timeline(lengths: Vec<u64>, requested_crossfades: Vec<u64>) -> (Vec<u64>, Vec<u64>, u64) {
    let t = Timeline::new(&lengths, &requested_crossfades);
    (t.starts, t.crossfades, t.end)
}

/// `floor(seconds·sr + 0.5)`, the only seconds-to-frames conversion.
#[pyfunction]
fn frames(seconds: f64, sample_rate: u32) -> u64 {
    entrainer_engine::frames(seconds, sample_rate)
}

#[pymodule]
fn _engine(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(timeline, m)?)?;
    m.add_function(wrap_pyfunction!(frames, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

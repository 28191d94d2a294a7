"""Entrainer: render and play brainwave-entrainment track files with a Rust DSP core."""

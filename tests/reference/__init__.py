"""Property tests of the NumPy reference voices (a package, so test module names may repeat elsewhere)."""

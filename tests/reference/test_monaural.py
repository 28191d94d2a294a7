"""Verification properties of `monaural_beat_stereo_amps` (`voices.md` §3.3), numbered as there.

sr 48 000, 10 s renders.
"""

from __future__ import annotations

import measure as M
import numpy as np
import pytest
from .cases import SR, frames, voice

N10 = frames(10.0)
LEVELS = ("amp_lower_l", "amp_upper_l", "amp_lower_r", "amp_upper_r")


def monaural(ramp=None, **params):
    return voice("monaural_beat_stereo_amps", ramp, **params)


def _two_tones(x):
    """(frequency, amplitude) of the lower (196–200 Hz) and upper (200–204 Hz) components."""
    return M.spectrum_peak(x, SR, 196.0, 200.0), M.spectrum_peak(x, SR, 200.0, 204.0)


def test_1_defaults(render):
    y = render(monaural(), SR, N10)
    for ch in (0, 1):
        (f_lo, a_lo), (f_hi, a_hi) = _two_tones(y[:, ch])
        assert f_lo == pytest.approx(198.0, abs=0.01)
        assert f_hi == pytest.approx(202.0, abs=0.01)
        assert M.db(a_lo / a_hi) == pytest.approx(0.0, abs=0.1)
    _, e = M.envelope(y[:, 0], SR, carrier_hz=200.0)
    assert M.tone_frequency(e - e.mean(), SR, 0.5, 50.0) == pytest.approx(4.0, abs=0.01)
    assert e.min() <= 0.03
    assert np.abs(y[:, 0]).max() <= 1.0


def test_2_separate_levels(render):
    y = render(monaural(amp_upper_l=0.1), SR, N10)
    (_, a_lo), (_, a_hi) = _two_tones(y[:, 0])
    assert M.db(a_lo / a_hi) == pytest.approx(13.98, abs=0.1)
    assert np.array_equal(y[:, 1], render(monaural(), SR, N10)[:, 1])


def test_3_hard_clip(render):
    y = render(monaural(**{k: 1.0 for k in LEVELS}), SR, N10)
    assert np.abs(y[:, 0]).max() == 1.0
    assert np.count_nonzero(np.abs(y[:, 0]) == 1.0) > 1


def test_4_amplitude_modulation(render):
    plain = render(monaural(), SR, N10)
    y = render(monaural(am_depth=1.0, am_freq_hz=2.0), SR, N10)
    _, e = M.envelope(y[:, 0], SR, carrier_hz=200.0)
    _, e_plain = M.envelope(plain[:, 0], SR, carrier_hz=200.0)
    f, a = M.spectrum_peak(e - e.mean(), SR, 1.0, 3.0)
    _, a_plain = M.spectrum_peak(e_plain - e_plain.mean(), SR, 1.0, 3.0)
    assert f == pytest.approx(2.0, abs=0.01)
    assert M.db(a / a_plain) >= 40.0  # a 2 Hz line where there was none
    # A depth with zero rate does nothing (legacy rule, kept).
    assert np.array_equal(render(monaural(am_depth=1.0, am_freq_hz=0.0), SR, N10), plain)

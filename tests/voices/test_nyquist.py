"""The maximum-instantaneous-frequency check (voices.md §0.4) at the file's rate and again
at another render rate."""

from __future__ import annotations

import pytest

from entrainer.loader import load_track
from entrainer.voices.nyquist import check_track


def track(rate: int, *voices: dict) -> dict:
    return {"global": {"sample_rate": rate}, "progression": [{"duration": 5, "description": "Hi", "voices": list(voices)}]}


def V(function: str, transition: bool = False, **params) -> dict:
    return {"synth_function_name": function, "is_transition": transition, "params": params}


LOC = "progression[0].voices[0].params"
CASES = [
    # (voice, render rate, messages)
    (V("binaural_beat", baseFreq=15700, beatFreq=0, freqOscRangeL=530), 44100, []),
    (V("binaural_beat", baseFreq=20000, beatFreq=10, freqOscRangeL=30, freqOscRangeR=40), 44100, []),
    (V("binaural_beat", baseFreq=20000, beatFreq=10, freqOscRangeL=30, freqOscRangeR=40), 32000,
     [f"{LOC}.baseFreq: expected baseFreq + beatFreq/2 + max(freqOscRangeL, freqOscRangeR)/2 below 16000 Hz "
      "(half the sample rate of 32000 Hz), got 20000 + 10/2 + max(30, 40)/2 = 20025 Hz (step \"Hi\", voice binaural_beat)"]),
    (V("isochronic_tone", baseFreq=15000, beatFreq=1000), 32000, []),            # the pulse rate is not a carrier
    (V("isochronic_tone", baseFreq=15990, freqOscRangeR=20), 32000,
     [f"{LOC}.baseFreq: expected baseFreq + max(freqOscRangeL, freqOscRangeR)/2 below 16000 Hz (half the sample "
      "rate of 32000 Hz), got 15990 + max(0, 20)/2 = 16000 Hz (step \"Hi\", voice isochronic_tone)"]),
    (V("monaural_beat_stereo_amps", baseFreq=15998, beatFreq=4), 32000,
     [f"{LOC}.baseFreq: expected baseFreq + beatFreq/2 below 16000 Hz (half the sample rate of 32000 Hz), "
      "got 15998 + 4/2 = 16000 Hz (step \"Hi\", voice monaural_beat_stereo_amps)"]),
    # the worst end of a ramp is reported, with the keys that gave its values
    (V("binaural_beat", True, startBaseFreq=100, endBaseFreq=15000, startFreqOscRangeL=4000,
       endFreqOscRangeR=2500), 32000,
     [f"{LOC}.endBaseFreq: expected endBaseFreq + beatFreq/2 + max(startFreqOscRangeL, endFreqOscRangeR)/2 below "
      "16000 Hz (half the sample rate of 32000 Hz), got 15000 + 4/2 + max(4000, 2500)/2 = 17002 Hz "
      "(step \"Hi\", voice binaural_beat_transition)"]),
    (V("binaural_beat", True, startBaseFreq=15900, endBaseFreq=100, beatFreq=400), 32000,
     [f"{LOC}.startBaseFreq: expected startBaseFreq + beatFreq/2 + max(freqOscRangeL, freqOscRangeR)/2 below "
      "16000 Hz (half the sample rate of 32000 Hz), got 15900 + 400/2 + max(0, 0)/2 = 16100 Hz "
      "(step \"Hi\", voice binaural_beat_transition)"]),
]


@pytest.mark.parametrize("voice, rate, lines", CASES)
def test_check_at_a_render_rate(voice, rate, lines):
    loaded = load_track(track(48000, voice))
    assert [str(d) for d in check_track(loaded, rate)] == lines
    assert {d.code for d in check_track(loaded, rate)} <= {"E_PARAM"}

"""Background noise (format.md §4.6) and `.noise` presets (§5.1): keys, chained locations
for errors inside a preset, and the parts this release refuses as "not supported yet"."""

from __future__ import annotations

import json

import pytest

from entrainer.errors import TrackError
from entrainer.loader import load_track

PRESETS = {
    "pink.noise": '{"noise_type": "pink", "duration_seconds": 60, "sweeps": [], "title": "soft"}',
    "white.noise": '{"noise_type": " White "}',
    "blue.noise": '{"noise_type": "blue"}',
    "swept.noise": '{"noise_type": "Deep Brown", "transition": true, "lfo_freq": 0.5, "end_lfo_freq": 0.25, '
                   '"start_lfo_phase_offset_deg": 90, "sweeps": [{"start_min": 800, "end_max": 4000, '
                   '"start_q": 30, "end_casc": 4}], "initial_offset": 2, "transition_duration": 10}',
    "notched.noise": '{"lfo_freq": 0.2, "start_lfo_freq": 9, "static_notches": [[1000, 10, 2], '
                     '{"frequency": 3000, "quality": 5}], "sweeps": [{"start_min": 200, "end_min": 900}]}',
    "badsweep.noise": '{"sweeps": [{"start_q": 0, "start_casc": 2.5, "start_max": 30000}, 5], '
                      '"static_notches": [[0, 10, 2], {"q": 5}, "x"]}',
    "many.noise": '{"sweeps": [{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}]}',
    "slow.noise": '{"sweeps": [{"start_min": 10, "start_q": 100}]}',
    "colour.noise": '{"noise_parameters": {"name": "x", "exponent": 1.5}}',
    "input.noise": '{"input_audio_path": "rain.wav"}',
    "odd.noise": '{"noise_type": "teal", "duration_seconds": "60", "lfo_waveform": "square"}',
    "broken.noise": '{"noise_type": "pink",',
    "twice.noise": '{"sweeps": [{"start_q": 1, "start_q": 2}]}',
    "list.noise": "[1, 2]",
}


@pytest.fixture()
def folder(tmp_path):
    for name, text in PRESETS.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "latin1.noise").write_bytes(b'{"title": "caf\xe9"}')
    return tmp_path


def _track(**noise) -> dict:
    return {"progression": [{"duration": 60, "voices": []}], "background_noise": noise}


def _load(folder, **noise):
    return load_track(_track(**noise), base_dir=folder)


def test_an_inactive_block_means_no_noise(folder):
    t = _load(folder, file_path="", amp=0.0, pan=0.0, start_time=0.0, fade_in=0.0, fade_out=0.0, amp_envelope=[])
    assert (t.background_noise, t.warnings) == (None, [])
    assert load_track({"progression": [{"duration": 1, "voices": []}], "background_noise": None}).background_noise is None


def test_a_preset_file_is_loaded_with_the_track_keys(folder):
    t = _load(folder, file_path="pink.noise", amp=0.4, pan=-0.5, start_time=2, fade_in=1, fade_out=3,
              amp_envelope=[[0, 1], [30, 0.5], [30, 0.8]], url="x")
    noise = t.background_noise
    assert noise.model_dump(exclude={"preset"}) == {
        "source": "pink.noise", "gain": 0.4, "pan": -0.5, "start_s": 2.0, "fade_in_s": 1.0,
        "fade_out_s": 3.0, "amp_envelope": [(0.0, 1.0), (30.0, 0.5), (30.0, 0.8)],
        "extras": {"url": "x"}, "location": "background_noise"}
    assert noise.preset.model_dump() == {
        "noise_type": "pink", "seed": None, "lfo_waveform": "sine", "transition": False,
        "lfo_freq_hz": (1 / 12, 1 / 12), "lfo_offset_r_deg": (0.0, 0.0), "intra_offset_deg": (0.0, 0.0),
        "sweeps": [], "static_notches": [], "initial_offset_s": 0.0, "transition_s": None, "hold_end_s": None,
        "extras": {"duration_seconds": 60, "title": "soft"}}
    assert t.warnings == []


def test_sweeps_ramp_only_in_transition_presets(folder):
    p = _load(folder, file_path="swept.noise").background_noise.preset
    assert (p.noise_type, p.transition, p.lfo_freq_hz, p.lfo_offset_r_deg) == ("deep brown", True, (0.5, 0.25), (90.0, 90.0))
    # missing end values repeat the start values; missing start values take the dialog's defaults
    assert p.sweeps == [{"min_hz": [800.0, 800.0], "max_hz": [10000.0, 4000.0], "q": [30.0, 30.0], "cascade": [10, 4]}]
    assert (p.initial_offset_s, p.transition_s, p.hold_end_s) == (2.0, 10.0, None)
    p = _load(folder, file_path="notched.noise").background_noise.preset
    # a static preset uses lfo_freq and the start values only
    assert (p.transition, p.lfo_freq_hz) == (False, (0.2, 0.2))
    assert p.sweeps == [{"min_hz": [200.0, 200.0], "max_hz": [10000.0, 10000.0], "q": [25.0, 25.0], "cascade": [10, 10]}]
    assert p.static_notches == [[1000.0, 10.0, 2], [3000.0, 5.0, 1]]


def test_a_notch_too_slow_for_the_seek_warm_up_is_a_warning(folder):
    assert [str(w) for w in _load(folder, file_path="slow.noise").warnings] == [
        'background_noise.file_path -> "slow.noise": sweeps[0]: a notch at 10 Hz with Q 100 decays so slowly '
        "that a seek may differ from a continuous render by more than 1e-6"]


def test_aliases_and_inline_presets(folder):
    t = load_track({"progression": [{"duration": 60, "voices": []}],
                    "noise": {"noise_file": "white.noise", "gain": 2}}, base_dir=folder)
    assert (t.background_noise.preset.noise_type, t.background_noise.gain) == ("white", 2.0)
    t = _load(folder, params={"noise_type": "brown"}, file_path="pink.noise")
    assert (t.background_noise.source, t.background_noise.preset.noise_type) == ("inline", "brown")
    assert [str(w) for w in t.warnings] == [
        'background_noise: "params" and "file_path" are both given; using "params"']


WARNINGS = [
    ({"file_path": "pink.noise", "amp": 0}, ["background_noise.amp: the background noise is active but its gain is 0, "
                                             "so it is silent"]),
    ({"file_path": "pink.noise", "start_time": 60}, ["background_noise: the noise would start at 60 s, at or after "
                                                     "the end of the programme (60 s), so it never plays"]),
]


@pytest.mark.parametrize("noise, lines", WARNINGS)
def test_noise_warnings(folder, noise, lines):
    assert [str(w) for w in _load(folder, **noise).warnings] == lines


ERRORS = [
    ({"file_path": "badsweep.noise"},
     ['background_noise.file_path -> "badsweep.noise": sweeps[0].start_max: expected a frequency below 21609 Hz '
      '(0.49 × the sample rate of 44100 Hz), got 30000',
      'background_noise.file_path -> "badsweep.noise": sweeps[0].start_q: expected a number from 0.1 to 1000, got 0',
      'background_noise.file_path -> "badsweep.noise": sweeps[0].start_casc: expected an integer from 1 to 50, got 2.5',
      'background_noise.file_path -> "badsweep.noise": sweeps[1]: expected a sweep object, got 5',
      'background_noise.file_path -> "badsweep.noise": static_notches[0][0]: expected a frequency > 0 Hz, got 0',
      'background_noise.file_path -> "badsweep.noise": static_notches[1].freq: expected a frequency > 0 Hz, '
      'got nothing',
      'background_noise.file_path -> "badsweep.noise": static_notches[2]: expected a static notch '
      '{"freq", "q", "cascade"} or [freq, q, cascade], got "x"']),
    ({"file_path": "many.noise"},
     ['background_noise.file_path -> "many.noise": sweeps: expected at most 10 sweeps, got 11']),
    ({"file_path": "colour.noise"},
     ['background_noise.file_path -> "colour.noise": noise_parameters: spectral colour models are not supported yet']),
    ({"file_path": "input.noise"},
     ['background_noise.file_path -> "input.noise": input_audio_path: filtering an audio file instead of noise '
      'is not supported yet']),
    ({"file_path": "odd.noise"},
     ['background_noise.file_path -> "odd.noise": noise_type: expected one of "white", "pink", "brown", "red", '
      '"deep brown", "blue", "purple", "violet", "green", got "teal"',
      'background_noise.file_path -> "odd.noise": duration_seconds: expected a number ≥ 0, got "60"',
      'background_noise.file_path -> "odd.noise": lfo_waveform: expected one of "sine", "triangle", got "square"']),
    ({"file_path": "broken.noise"},
     ['background_noise.file_path -> "broken.noise": invalid JSON at line 1, column 23: the text ends too early '
      '(is it truncated?)']),
    ({"file_path": "latin1.noise"},
     ['background_noise.file_path -> "latin1.noise": expected UTF-8 text, got an invalid byte at offset 14']),
    ({"file_path": "twice.noise"}, ['background_noise.file_path -> "twice.noise": sweeps[0]: duplicate key "start_q"']),
    ({"file_path": "list.noise"},
     ['background_noise.file_path -> "list.noise": expected an object (a .noise preset), got [1, 2]']),
    ({"file_path": "Rolling Pink.noise"},
     ['background_noise.file_path: file "Rolling Pink.noise" not found next to the track']),
    ({"file_path": "data:application/json;base64,e30="},
     ['background_noise.file_path: expected a file path, got "data:application/json;base64,e30=" '
      "(data: URLs are not allowed here)"]),
    ({"params": {"noise_type": "purple", "sweeps": {}}},
     ["background_noise.params.sweeps: expected an array, got {}"]),
    ({"params": 3}, ["background_noise.params: expected an object (an inline .noise preset), got 3"]),
    ({"file_path": "pink.noise", "amp": -1, "pan": 2, "fade_in": "1"},
     ["background_noise.amp: expected a number ≥ 0, got -1",
      "background_noise.pan: expected a number from -1 to 1, got 2",
      'background_noise.fade_in: expected a number ≥ 0, got "1"']),
    ({"file_path": "pink.noise", "amp_envelope": [[0, 1], [15.0, 0.5], [12.0, 1], [3], [20, -1], "x"]},
     ["background_noise.amp_envelope[2]: expected a time ≥ 15.0 (the previous point), got 12.0",
      "background_noise.amp_envelope[3]: expected a [time, amp] pair of numbers ≥ 0, got [3]",
      "background_noise.amp_envelope[4]: expected a [time, amp] pair of numbers ≥ 0, got [20, -1]",
      'background_noise.amp_envelope[5]: expected a [time, amp] pair of numbers ≥ 0, got "x"']),
]


@pytest.mark.parametrize("noise, lines", ERRORS, ids=[json.dumps(n)[:40] for n, _ in ERRORS])
def test_noise_errors(folder, noise, lines):
    with pytest.raises(TrackError) as info:
        _load(folder, **noise)
    count = f"{len(lines)} error{'' if len(lines) == 1 else 's'} in the track"
    assert str(info.value) == "\n".join([count, *lines])


def test_invalid_preset_json_is_an_unreadable_reference(folder):
    with pytest.raises(TrackError) as info:
        _load(folder, file_path="broken.noise")
    assert info.value.codes == ["E_REF_UNREADABLE"]


def test_the_noise_block_must_be_an_object():
    with pytest.raises(TrackError) as info:
        load_track({"progression": [{"duration": 1, "voices": []}], "background_noise": "pink"})
    assert str(info.value) == '1 error in the track\nbackground_noise: expected an object, got "pink"'

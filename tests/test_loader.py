"""The track loader (format.md §2–§4, §7): tables of inputs with their whole messages,
the layouts and aliases, the model it builds, and the real-file corpus."""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest

from entrainer.errors import MAX_ERRORS, TrackError
from entrainer.loader import load_track

ORIGINAL = Path(__file__).resolve().parents[2] / "shared" / "tracks" / "original"
KNOWN = ("binaural_beat, dual_pulse_binaural, generate_swept_notch_pink_sound, "
         "hybrid_qam_monaural_beat, isochronic_tone, monaural_beat_stereo_amps, noise, "
         "noise_generator, noise_swept_notch, qam_beat, rhythmic_waveshaping, "
         "spatial_angle_modulation, spatial_angle_modulation_monaural_beat, "
         "stereo_am_independent, subliminal_encode, wave_shape_stereo_am")


def V(name: str = "binaural_beat", transition: bool | None = None, envelope=None, **params) -> dict:
    v = {"synth_function_name": name, "params": params}
    if transition is not None:
        v["is_transition"] = transition
    if envelope is not None:
        v["volume_envelope"] = envelope
    return v


def S(*voices: dict, d: float = 10.0, desc: str = "Settle", **extra) -> dict:
    return {"duration": d, "description": desc, "voices": list(voices), **extra}


def T(*steps: dict, **top) -> dict:
    return {"progression": list(steps), **top}


def error_text(source, **kw) -> str:
    with pytest.raises(TrackError) as info:
        load_track(source, **kw)
    return str(info.value)


ERRORS = [
    # not a track (format.md §2.3, §5.3)
    ([1], '(root): expected an object with a "progression" or "steps" array, got an array'),
    (b"null", '(root): expected an object with a "progression" or "steps" array, got null'),
    ({"global": {}, "x": 1},
     '(root): expected an object with a "progression" or "steps" array, got an object with keys "global", "x"'),
    ({"steps": [{"binaural_preset_id": "voice:alpha", "duration": 60}], "sample_rate": 44100},
     "(root): this is a session file, not a track file"),
    ({"steps": [{"duration": 5, "oscillators": []}]},
     "(root): this is an LED light-sequence file, not a track file"),
    ({"progression": {"duration": 5}}, 'progression: expected an array of step objects, got {"duration": 5}'),
    # global block (format.md §4.2)
    (T(S(), **{"global": {"sample_rate": 192001}}),
     "global.sample_rate: expected an integer from 8000 to 192000, got 192001"),
    (T(S(), **{"global": {"sample_rate": 0}}),
     "global.sample_rate: expected an integer from 8000 to 192000, got 0"),
    (T(S(), **{"global": {"sample_rate": 44100.5}}),
     "global.sample_rate: expected an integer from 8000 to 192000, got 44100.5"),
    (T(S(), **{"global_settings": {"sampleRate": "44100"}}),
     'global_settings.sampleRate: expected an integer from 8000 to 192000, got "44100"'),
    (T(S(), **{"global": {"crossfade_duration": -1}}),
     "global.crossfade_duration: expected a number ≥ 0, got -1"),
    (T(S(), **{"global": {"crossfade_curve": "Linear"}}),
     'global.crossfade_curve: expected one of "linear", "equal_power", got "Linear"'),
    (T(S(), **{"global": []}), "global: expected an object, got []"),
    # steps (format.md §4.3)
    ({"steps": [S(), S(), {"duration": "10", "voices": []}]},
     'steps[2].duration: expected a number ≥ 0, got "10"'),
    (T(S(d=-1)), "progression[0].duration: expected a number ≥ 0, got -1"),
    (T({"voices": []}), "progression[0].duration: expected a number ≥ 0, got nothing"),
    (T({"duration": 5}), "progression[0].voices: expected an array of voice objects, got nothing"),
    (T(S(), 7), "progression[1]: expected a step object, got 7"),
    (T(S(crossfade_curve="cosine")),
     'progression[0].crossfade_curve: expected one of "linear", "equal_power", got "cosine"'),
    (T(), "progression: expected at least one step with a duration of one frame or more, got none"),
    # voices: names (format.md §4.4.1, voices.md §1.1, §3.15)
    (T(S(V(), V(), V("binaural_beats"))),
     'progression[0].voices[2].synth_function_name: unknown synth function "binaural_beats" '
     f'(step "Settle"); known: {KNOWN}'),
    (T(S(V("basic_am_transition"), desc="")),
     'progression[0].voices[0].synth_function_name: "basic_am_transition" was removed from the '
     f"legacy renderer and has no specification; known: {KNOWN}"),
    (T(S(V("calculate_transition_alpha"))),
     'progression[0].voices[0].synth_function_name: "calculate_transition_alpha" is a helper that '
     f'a legacy version registered as a voice by accident (step "Settle"); known: {KNOWN}'),
    (T(S(V(), V(), V(flangeEnable=True)), S(V("isochronic_tone", spatialEnable=True))),
     ['progression[0].voices[2].params.flangeEnable: the flanger is not supported yet (step "Settle", voice binaural_beat)',
      'progression[1].voices[0].params.spatialEnable: the spatial post-stage is not supported yet (step "Settle", voice isochronic_tone)']),
    (T(S({"params": {}}, d=5), S(V(""))),
     ["progression[0].voices[0].synth_function_name: expected a non-empty string, got nothing",
      'progression[1].voices[0].synth_function_name: expected a non-empty string, got ""']),
    (T(S({"synth_function_name": "binaural_beat", "is_transition": "yes"})),
     'progression[0].voices[0].is_transition: expected true or false, got "yes"'),
    (T(S({"synth_function_name": "binaural_beat", "params": [1]})),
     "progression[0].voices[0].params: expected an object, got [1]"),
    # parameters (voices.md §0.4 and the tables of §3.1–§3.3)
    ({"steps": [S(), S(), S(), S(V(), V(beatFreq="fast"), desc="Transition to 12")]},
     'steps[3].voices[1].params.beatFreq: expected a number ≥ 0, got "fast" '
     '(step "Transition to 12", voice binaural_beat)'),
    (T(S(V(baseFreq=True))),
     'progression[0].voices[0].params.baseFreq: expected a number ≥ 0, got true (step "Settle", voice binaural_beat)'),
    (T(S(V(baseFreq=float("nan")))),
     'progression[0].voices[0].params.baseFreq: expected a number ≥ 0, got NaN (step "Settle", voice binaural_beat)'),
    (T(S(V(baseFreq=-1))),
     'progression[0].voices[0].params.baseFreq: expected a number ≥ 0, got -1 (step "Settle", voice binaural_beat)'),
    (T(S(V(ampOscDepthL=1.5))),
     'progression[0].voices[0].params.ampOscDepthL: expected a number from 0 to 1, got 1.5 '
     '(step "Settle", voice binaural_beat)'),
    (T(S(V(freqOscShape="square"))),
     'progression[0].voices[0].params.freqOscShape: expected one of "sine", "triangle", got "square" '
     '(step "Settle", voice binaural_beat)'),
    (T(S(V("isochronic_tone", harmonicSuppression="yes"))),
     'progression[0].voices[0].params.harmonicSuppression: expected true or false (or 0 or 1), got "yes" '
     '(step "Settle", voice isochronic_tone)'),
    (T(S(V("isochronic_tone", panType="spiral"))),
     'progression[0].voices[0].params.panType: expected one of "linear", "inward", "outward", got "spiral" '
     '(step "Settle", voice isochronic_tone)'),
    (T(S(V("isochronic_tone", gapPercent=1.2))),
     'progression[0].voices[0].params.gapPercent: expected a number from 0 to 1, got 1.2 '
     '(step "Settle", voice isochronic_tone)'),
    (T(S(V("monaural_beat_stereo_amps", ampOscDepth=2.5))),
     'progression[0].voices[0].params.ampOscDepth: expected a number from 0 to 2, got 2.5 '
     '(step "Settle", voice monaural_beat_stereo_amps)'),
    (T(S(V(seed=-1))),
     'progression[0].voices[0].params.seed: expected an integer from 0 to 9223372036854775807, got -1 '
     '(step "Settle", voice binaural_beat)'),
    (T(S(V(flangeDelayLaw=5))),
     'progression[0].voices[0].params.flangeDelayLaw: expected one of 0, 1, 2 (or false/true for 0/1), '
     'got 5 (step "Settle", voice binaural_beat)'),
    (T(S(V(baseFreq=23000))),
     "progression[0].voices[0].params.baseFreq: expected baseFreq + beatFreq/2 + max(freqOscRangeL, "
     "freqOscRangeR)/2 below 22050 Hz (half the sample rate of 44100 Hz), got 23000 + 4/2 + max(0, 0)/2 "
     '= 23002 Hz (step "Settle", voice binaural_beat)'),
    (T(S(V(baseFreq=22000, beatFreq=0, freqOscRangeR=100))),
     "progression[0].voices[0].params.baseFreq: expected baseFreq + beatFreq/2 + max(freqOscRangeL, "
     "freqOscRangeR)/2 below 22050 Hz (half the sample rate of 44100 Hz), got 22000 + 0/2 + max(0, 100)/2 "
     '= 22050 Hz (step "Settle", voice binaural_beat)'),
    (T(S(V(transition=True, startBaseFreq=100, endBaseFreq=30000))),
     "progression[0].voices[0].params.endBaseFreq: expected endBaseFreq + beatFreq/2 + "
     "max(freqOscRangeL, freqOscRangeR)/2 below 22050 Hz (half the sample rate of 44100 Hz), got "
     '30000 + 4/2 + max(0, 0)/2 = 30002 Hz (step "Settle", voice binaural_beat_transition)'),
    (T(S(V("isochronic_tone", transition=True, startPanType="inward", endPanType="outward"))),
     'progression[0].voices[0].params.endPanType: expected the same value as "startPanType" ("inward"), '
     'got "outward" (step "Settle", voice isochronic_tone_transition)'),
    # later post-stages (voices.md §2.13–§2.15)
    (T(S(V(flangeEnable=True))),
     'progression[0].voices[0].params.flangeEnable: the flanger is not supported yet (step "Settle", voice binaural_beat)'),
    (T(S(V("isochronic_tone", spatialEnable=1))),
     'progression[0].voices[0].params.spatialEnable: the spatial post-stage is not supported yet '
     '(step "Settle", voice isochronic_tone)'),
    (T(S(V(transition=True, glitchInterval=2, glitchDur=0.1, endGlitchNoiseLevel=0.3))),
     'progression[0].voices[0].params.glitchInterval: the glitch-burst stage is not supported yet '
     '(step "Settle", voice binaural_beat_transition)'),
    (T(S(V(flangeShape=3))),
     'progression[0].voices[0].params.flangeShape: expected one of "sine", "triangle", got 3 '
     '(step "Settle", voice binaural_beat)'),
    # transition timing and envelopes (format.md §4.4.4, §4.5)
    (T(S(V(), V(), V(), V(), V(transition=True, transition_curve="alpha**2"))),
     'progression[0].voices[4].params.transition_curve: expected one of "linear", "logarithmic", '
     '"exponential", got "alpha**2" (curve expressions are not evaluated)'),
    (T(S(V(transition=True, transition_duration=-1))),
     "progression[0].voices[0].params.transition_duration: expected a number ≥ 0, got -1"),
    ({"steps": [S(V(), V(envelope={"type": "cubic"}))]},
     'steps[0].voices[1].volume_envelope.type: expected one of "linear_fade", "adsr", "linen", got "cubic"'),
    (T(S(V(envelope={"params": {}}))),
     'progression[0].voices[0].volume_envelope.type: expected one of "linear_fade", "adsr", "linen", got nothing'),
    (T(S(V(envelope={"type": "linear_fade", "params": {"fade_duration": -0.5, "fade_type": "Out"}}))),
     ["progression[0].voices[0].volume_envelope.params.fade_duration: expected a number ≥ 0, got -0.5",
      'progression[0].voices[0].volume_envelope.params.fade_type: expected one of "in", "out", got "Out"']),
    # metadata and clips (format.md §4.7, §4.8)
    (T(S(), metadata={"title": 5}), "metadata.title: expected a string, got 5"),
    (T(S(), clips=[{"path": ""}]), 'clips[0].path: expected a non-empty string, got ""'),
    (T(S(), overlay_clips=[{"start": 3}]), "overlay_clips[0].file_path: expected a non-empty string, got nothing"),
]
@pytest.mark.parametrize("source, lines", ERRORS, ids=range(len(ERRORS)))
def test_bad_input_gives_its_whole_message(source, lines):
    lines = [lines] if isinstance(lines, str) else lines
    count = f"{len(lines)} error{'' if len(lines) == 1 else 's'} in the track"
    assert error_text(source) == "\n".join([count, *lines])


def test_errors_come_in_file_order_with_the_count_first():
    text = error_text(T(S(V(panType="spiral", baseFreq="200", ampL=11)), S(d=-2), **{"global": {"sample_rate": 1}}))
    assert text == "\n".join([
        "5 errors in the track",
        "global.sample_rate: expected an integer from 8000 to 192000, got 1",
        'progression[0].voices[0].params.panType: expected one of "linear", "inward", "outward", got "spiral" '
        '(step "Settle", voice binaural_beat)',
        'progression[0].voices[0].params.baseFreq: expected a number ≥ 0, got "200" (step "Settle", voice binaural_beat)',
        'progression[0].voices[0].params.ampL: expected a number from 0 to 10, got 11 (step "Settle", voice binaural_beat)',
        "progression[1].duration: expected a number ≥ 0, got -2",
    ])


def test_loading_stops_after_fifty_errors():
    with pytest.raises(TrackError) as info:
        load_track(T(*[S(d=-1) for _ in range(80)]))
    lines = str(info.value).splitlines()
    assert lines[0] == f"{MAX_ERRORS} errors in the track (stopped after {MAX_ERRORS}; there may be more)"
    assert len(lines) == MAX_ERRORS + 1
    assert lines[-1] == f"progression[{MAX_ERRORS - 1}].duration: expected a number ≥ 0, got -1"


WARNINGS = [
    ({"progression": [S()], "steps": [S(d=20)]},
     ['(root): "progression" and "steps" hold different values; using "progression"']),
    ({"progression": [S()], "steps": [S()]}, []),
    (T({"duration": 10, "Duration": 20, "voices": []}),
     ['progression[0]: "duration" and "Duration" hold different values; using "duration"']),
    (T(S(d=0, desc="Intro"), S(d=1e-6), S()),
     ['progression[0]: skipped: its duration is 0, so it plays nothing (step "Intro")',
      'progression[1]: skipped: its duration (1e-06 s) is shorter than one frame at 44100 Hz, so it plays '
      'nothing (step "Settle")']),
    (T(S(start=0), S(start=9), S(start=19.5)),
     ["progression[2]: declared start 19.5 s, but the step starts at 18 s (frame 793800); "
      "the declared start is ignored"]),
    (T(S(d=10), S(d=1.5), S(d=10), **{"global": {"crossfade_duration": 1}}),
     ["progression[1]: the crossfade into the next step is shortened from 1 s to 0.5 s because a "
      "neighbouring step is too short"]),
    (T(S(V("binaural_beat_transition", transition=False))),
     ['progression[0].voices[0].synth_function_name: "binaural_beat_transition" ends in "_transition" '
      'but "is_transition" is false; it plays as a transition (step "Settle")']),
    (T(S(V(transition=True, initial_offset=-3, post_offset=-1))),
     ['progression[0].voices[0].params.initial_offset: expected a time ≥ 0, got -3; using 0 '
      '(step "Settle", voice binaural_beat_transition)',
      'progression[0].voices[0].params.post_offset: expected a time ≥ 0, got -1; using 0 '
      '(step "Settle", voice binaural_beat_transition)']),
    (T(S(V(transition=True, initial_offset=10))),
     ['progression[0].voices[0].params.initial_offset: the ramp would start at 10 s, at or after the end '
      'of the 10 s step; the voice plays its start values throughout (step "Settle", voice binaural_beat_transition)']),
    (T(S(V(transition=True, initial_offset=4, post_offset=6))),
     ['progression[0].voices[0].params: the ramp has length 0: the voice jumps from its start to its end '
      'values at 4 s (step "Settle", voice binaural_beat_transition)']),
    (T(S(), **{"global": {"output_filename": "C:\\renders\\track.ogg"}}),
     ['global.output_filename: folders are dropped; using "track.ogg"',
      'global.output_filename: expected a .wav, .flac or .mp3 name, got "C:\\\\renders\\\\track.ogg"']),
    (T(S(binaural_volume=0.6, noise_volume=0.8)),
     ["progression[0].noise_volume: kept, but it has no effect yet (format.md §4.9)"]),
    # What is not an error (format.md §7.4)
    (T(S(V(initial_offset=150, post_offset=1590, transition_curve="linear", startAmpL=3, glitchFocusExp=0,
           spatialTrajectory=[], flangeStereoMode=True, description=None)), S(desc="")), []),
]


@pytest.mark.parametrize("source, lines", WARNINGS)
def test_warnings_are_returned_with_the_model(source, lines):
    assert [str(w) for w in load_track(source).warnings] == lines


def test_warnings_travel_with_the_error_too():
    with pytest.raises(TrackError) as info:
        load_track(T(S(V("subliminal_encode", transition=True, carrierFreq=14000))))
    assert [str(w) for w in info.value.warnings] == [
        'progression[0].voices[0].synth_function_name: subliminal_encode has no transition variant; '
        'it plays static (step "Settle")']
    assert info.value.codes == ["E_PARAM"]


def test_both_layouts_become_one_model():
    legacy = load_track({"steps": [S(V(baseFreq=300), d=60)], "global_settings": {"crossfade_duration": 2}})
    v2 = load_track({"progression": [S(V(baseFreq=300), d=60)], "global": {"crossfade_duration": 2}})
    assert (legacy.layout, legacy.steps_key, v2.layout, v2.steps_key) == ("legacy", "steps", "v2", "progression")
    assert _without_locations(legacy.model_dump()) == _without_locations(v2.model_dump())


def _without_locations(value):
    """A model dump minus what depends on the key names as written (locations, layout)."""
    if isinstance(value, dict):
        return {k: _without_locations(v) for k, v in value.items()
                if not k.endswith("location") and k not in ("layout", "steps_key")}
    if isinstance(value, list):
        return [_without_locations(v) for v in value]
    return value


def test_defaults_aliases_nulls_and_unknown_keys():
    t = load_track({
        "global": {"sampleRate": 48000, "crossfade_duration": None, "parallel_voices": False},
        "steps": [{"stepDuration": 30, "voices": [
            {"synthFunctionName": "binaural_beat", "isTransition": True, "voice_type": "binaural",
             "parameters": {"baseFreq": 100, "beatFreq": None, "initial_offset": 5, "post_offset": 10,
                            "transition_curve": "exponential", "myKey": 1}}],
            "noise_preset_id": "n"}],
        "info": {"url": "https://example.org", "tags": ["a"]},
        "app": {"version": 3},
    })
    assert (t.sample_rate_hz, t.crossfade_s, t.crossfade_curve, t.output_filename) == (48000, 1.0, "linear", "generated_track.wav")
    assert (t.layout, t.global_extras, t.extras) == ("legacy", {"parallel_voices": False}, {"app": {"version": 3}})
    step = t.steps[0]
    assert (step.duration_s, step.extras, step.location) == (30.0, {"noise_preset_id": "n"}, "steps[0]")
    voice = step.voices[0]
    assert voice.params == {"baseFreq": 100, "myKey": 1}            # null and timing keys removed
    assert voice.ramp.model_dump() == {"initial_offset_s": 5.0, "transition_s": 15.0, "curve": "exponential"}
    assert (voice.function, voice.transition, voice.category, voice.extras) == (
        "binaural_beat", True, "binaurals", {"voice_type": "binaural"})
    assert voice.params_location == "steps[0].voices[0].parameters"
    assert t.metadata.model_dump() == {"title": "", "notes": "", "source_url": "https://example.org",
                                       "extras": {"tags": ["a"]}}


def test_global_with_steps_reads_the_steps():
    # The legacy loader took any file with "global" for v2 and lost "steps".
    t = load_track({"global": {}, "steps": [S(d=5)]})
    assert [s.duration_s for s in t.steps] == [5.0]


def test_static_voices_keep_their_timing_keys():
    t = load_track(T(S(V(initial_offset=150, post_offset=1590, transition_curve="linear"))))
    voice = t.steps[0].voices[0]
    assert (voice.transition, voice.ramp) == (False, None)
    assert voice.params == {"initial_offset": 150, "post_offset": 1590, "transition_curve": "linear"}


def test_envelopes_fill_in_defaults_and_keep_unknown_keys():
    t = load_track(T(S(
        V(envelope={"type": "linear_fade", "params": {"fade_type": "out"}}),
        V(envelope={"type": "adsr", "params": {"sustain_level": 3, "curve": "soft"}, "note": 1}),
        V(envelope={"type": "linen"}),
        V(envelope={}),
    )))
    envs = [v.envelope.model_dump() if v.envelope else None for v in t.steps[0].voices]
    assert envs == [
        {"type": "linear_fade", "fade_s": 0.1, "start_amp": 0.0, "end_amp": 1.0, "fade_type": "out",
         "extras": {}, "params_extras": {}},
        {"type": "adsr", "attack_s": 0.01, "decay_s": 0.1, "sustain_level": 1.0, "release_s": 0.1,
         "extras": {"note": 1}, "params_extras": {"curve": "soft"}},
        {"type": "linen", "attack_s": 0.1, "release_s": 0.1, "extras": {}, "params_extras": {}},
        None,
    ]


def test_sources_path_text_bytes_and_missing_file(tmp_path):
    data = json.dumps(T(S(d=7)))
    (tmp_path / "t.json").write_text(data)
    for source in (tmp_path / "t.json", str(tmp_path / "t.json"), data, data.encode(), "\n  " + data):
        assert load_track(source).steps[0].duration_s == 7.0
    assert load_track(tmp_path / "t.json").base_dir == tmp_path
    missing = tmp_path / "nope.json"
    assert error_text(missing) == f'1 error in {missing}\n(root): file "{missing}" not found'
    assert error_text(str(tmp_path / "t.json")[:-1] + "x") .endswith("not found")
    (tmp_path / "bad.json").write_bytes(b'{"progression": [')
    assert error_text(tmp_path / "bad.json") == (
        f"1 error in {tmp_path / 'bad.json'}\n"
        "(root): invalid JSON at line 1, column 18: the text ends too early (is it truncated?)")


# The real files (format.md §10): every one loads without errors or warnings.

def _corpus():
    files = sorted(ORIGINAL.glob("*.json"))
    if not files:
        pytest.skip("../shared/tracks/original is not beside the repository")
    return {f.name: load_track(f) for f in files}


@pytest.fixture(scope="module")
def corpus():
    return _corpus()


def test_every_real_file_loads_cleanly(corpus):
    assert len(corpus) == 10
    assert {name: [str(w) for w in t.warnings] for name, t in corpus.items()} == {name: [] for name in corpus}
    assert {t.layout for t in corpus.values()} == {"v2"}
    assert {t.sample_rate_hz for t in corpus.values()} == {44100}
    assert {t.crossfade_s for t in corpus.values()} == {1.0, 3.0}
    assert all(t.background_noise is None and not t.clips for t in corpus.values())


def test_real_files_use_the_voices_the_spec_counts(corpus):
    uses = collections.Counter(v.display_name for t in corpus.values() for s in t.steps for v in s.voices)
    assert uses == {"binaural_beat": 278, "binaural_beat_transition": 88, "isochronic_tone": 11}
    envelopes = {v.envelope for t in corpus.values() for s in t.steps for v in s.voices}
    assert envelopes == {None}


def test_f19_ramps_are_converted_from_post_offset(corpus):
    # format.md §4.4.4 and render.md §4.2: transition_s = duration − initial_offset − post_offset.
    t = corpus["f19.json"]
    ramps = collections.Counter(
        (s.source_index, v.ramp.initial_offset_s, v.ramp.transition_s, v.ramp.curve)
        for s in t.steps for v in s.voices if v.ramp)
    assert sorted(ramps.items()) == [
        ((0, 120.0, 30.0, "linear"), 2),
        ((1, 0.0, 150.0, "linear"), 2),
        ((2, 30.0, 120.0, "linear"), 2),
        ((3, 30.0, 120.0, "linear"), 32),
        ((4, 120.0, 120.0, "exponential"), 8),    # (120, 1560) on the 1800 s step: 120 s to 240 s
        ((4, 120.0, 120.0, "linear"), 8),
        ((4, 150.0, 60.0, "linear"), 6),          # (150, 1590): 150 s to 210 s
        ((4, 150.0, 90.0, "linear"), 4),          # (150, 1560): 150 s to 240 s
        ((5, 0.0, 120.0, "exponential"), 16),     # (0, 480) on the 600 s step
        ((5, 0.0, 120.0, "linear"), 4),
        ((5, 0.0, 600.0, "linear"), 4),
    ]
    assert [s.duration_s for s in t.steps] == [150, 150, 150, 150, 1800, 600]


def test_f19_b_static_voices_ignore_their_timing_keys(corpus):
    voices = [v for s in corpus["F19-B.json"].steps for v in s.voices if "post_offset" in v.params]
    assert len(voices) == 4
    assert {(v.transition, v.params["initial_offset"], v.params["post_offset"]) for v in voices} == {(False, 150.0, 1590.0)}

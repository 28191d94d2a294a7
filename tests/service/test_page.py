"""The web page in Debian's Chromium, driven by Playwright (../shared/notes/browser-tests.md): it
lists the library, plays a track through a plain <audio> element, the position advances, pause
closes the stream, and a broken upload shows the located errors."""

from __future__ import annotations

import json
import shutil

import httpx
import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--autoplay-policy=no-user-gesture-required"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not shutil.which("chromium"):
        pytest.fail("Chromium is missing: run scripts/setup.sh (it installs Debian's chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 820})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


def streams(server) -> int:
    return httpx.get(server.url + "/api/health").json()["streams"]


def test_play_a_track_audio_flows_and_the_position_advances(server, page, tmp_path):
    page.goto(server.url + "/")
    page.get_by_role("button", name="Entrainer demo: alpha to theta").click()
    page.wait_for_function("document.querySelector('#time-total').textContent === '2:12'")
    page.click("#play")
    # currentTime moves only while decoded audio is played
    page.wait_for_function("document.getElementById('audio').currentTime > 1.5", timeout=8000)
    first = page.inner_text("#time-now")
    page.wait_for_function(f"document.getElementById('time-now').textContent !== '{first}'", timeout=3000)
    assert streams(server) == 1
    assert page.inner_text("#now-state") == "PLAYING"
    assert page.inner_text("#beat-hz") == "10.0 Hz"
    assert "Arrive: alpha 10 Hz" in page.inner_text("#now-step")
    page.screenshot(path=str(tmp_path / "playing.png"))
    page.locator("#volume").fill("0.3")                     # acts at once, in the browser
    assert page.evaluate("document.getElementById('audio').volume") == 0.3

    page.click("#play")                                     # pause
    page.wait_for_function("document.querySelector('#now-state').textContent === 'Paused'")
    held = page.inner_text("#time-now")
    page.wait_for_timeout(1200)
    assert page.inner_text("#time-now") == held
    assert streams(server) == 0                             # pausing closed the connection
    assert page.errors == []


def test_seek_on_the_timeline_moves_the_listener(server, page):
    page.goto(server.url + "/")
    page.get_by_role("button", name="Entrainer demo: alpha to theta").click()
    page.click("#play")
    page.wait_for_function("document.getElementById('audio').currentTime > 0.5", timeout=8000)
    box = page.locator("#timeline").bounding_box()
    page.mouse.click(box["x"] + 14 + (box["width"] - 28) * 0.5, box["y"] + box["height"] / 2)   # 66 s
    page.wait_for_function("/^1:0[6-9]$/.test(document.getElementById('time-now').textContent)", timeout=3000)
    # and it keeps playing from there
    page.wait_for_function("document.getElementById('audio').currentTime > 1.0", timeout=8000)
    assert page.inner_text("#time-now") in ("1:06", "1:07", "1:08", "1:09", "1:10")
    assert "Descend" in page.inner_text("#now-step")
    assert page.errors == []


def test_a_broken_upload_shows_the_located_errors(server, page, tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text(json.dumps({"progression": [{"duration": "ten", "voices": []}]}))
    page.goto(server.url + "/")
    page.wait_for_selector(".track")
    page.set_input_files("#upload", str(bad))
    page.wait_for_selector("#upload-problems:not([hidden])")
    text = page.inner_text("#upload-problems")
    assert "Could not add “broken.json”: 1 error in the track" in text
    assert 'progression[0].duration: expected a number ≥ 0, got "ten"' in text

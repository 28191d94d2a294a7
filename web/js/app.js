// The page: the library on one side, the player on the other; wires the DOM to Player and Timeline.

import { api, ApiError } from "./api.js";
import { band, clock, duration } from "./format.js";
import { Player } from "./player.js";
import { Timeline } from "./timeline.js";

const $ = (id) => document.getElementById(id);
const TOKENS_KEY = "entrainer.trackTokens";

const ui = {
  tracks: $("tracks"), upload: $("upload"), uploadProblems: $("upload-problems"),
  title: $("now-title"), state: $("now-state"), step: $("now-step"),
  play: $("play"), beatHz: $("beat-hz"), beatBand: $("beat-band"),
  seek: $("seek"), timeNow: $("time-now"), timeTotal: $("time-total"),
  volume: $("volume"), format: $("format"), problems: $("problems"), health: $("health"), version: $("version"),
};

let tracks = [];
let selected = null;
let lastStatus = null;
let dragging = false;

const timeline = new Timeline($("timeline"), (t) => player.seek(t));
const player = new Player($("audio"), {
  onChange: render,
  onStatus: (s) => {
    lastStatus = s;
    if (s.changed && selected) reloadTimeline(selected);
    if (s.state === "stopped") player.session = null;
    render();
  },
  onError: (e) => showProblems(ui.problems, e),
});

function tokens() {
  try { return JSON.parse(localStorage.getItem(TOKENS_KEY)) || {}; } catch { return {}; }
}

function saveToken(id, token) {
  const all = tokens();
  all[id] = token;
  localStorage.setItem(TOKENS_KEY, JSON.stringify(all));
}

// --- errors -------------------------------------------------------------------------------

function showProblems(box, error, context = "") {
  box.replaceChildren();
  if (!error) { box.hidden = true; return; }
  const head = document.createElement("strong");
  const lines = error instanceof ApiError ? error.errors : [];
  const summary = lines.length && error.message.includes("\n")
    ? error.message.split("\n")[0]
    : (lines.length ? "Something needs attention" : error.message);
  head.textContent = context ? `${context}: ${summary}` : summary;
  box.append(head);
  if (lines.length) {
    const list = document.createElement("ul");
    for (const d of lines) {
      const li = document.createElement("li");
      const code = document.createElement("code");
      code.textContent = `${d.location}: ${d.text}`;
      li.append(code);
      list.append(li);
    }
    box.append(list);
  }
  const close = document.createElement("button");
  close.className = "button small";
  close.type = "button";
  close.textContent = "Dismiss";
  close.addEventListener("click", () => showProblems(box, null));
  box.append(close);
  box.hidden = false;
}

// --- library ------------------------------------------------------------------------------

function renderLibrary() {
  const mine = tokens();
  ui.tracks.replaceChildren(...tracks.map((t) => {
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button";
    b.className = "track";
    b.dataset.id = t.id;
    b.setAttribute("aria-current", String(selected?.id === t.id));
    const title = document.createElement("span");
    title.className = "title";
    title.textContent = t.title;
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = `${duration(t.duration_s)} · ${t.steps} step${t.steps === 1 ? "" : "s"}`;
    b.append(title, meta);
    if (t.notes) {
      const notes = document.createElement("span");
      notes.className = "notes";
      notes.textContent = t.notes;
      b.append(notes);
    }
    if (mine[t.id]) {
      const tag = document.createElement("span");
      tag.className = "mine";
      tag.textContent = "added by you";
      b.append(tag);
    }
    b.addEventListener("click", () => select(t.id));
    li.append(b);
    return li;
  }));
}

async function loadLibrary() {
  try {
    tracks = (await api.tracks()).tracks;
    renderLibrary();
  } catch (e) {
    showProblems(ui.problems, e);
  }
}

async function reloadTimeline(track) {
  track.timeline = await api.timeline(track.id);
  timeline.set(track.timeline);
}

async function select(id) {
  const info = tracks.find((t) => t.id === id);
  if (!info || selected?.id === id) return;
  showProblems(ui.problems, null);
  const track = { ...info };
  try {
    track.timeline = await api.timeline(id);
  } catch (e) {
    showProblems(ui.problems, e);
    return;
  }
  selected = track;
  lastStatus = null;
  timeline.set(track.timeline);
  await player.load(track);
  renderLibrary();
  render();
}

ui.upload.addEventListener("change", async () => {
  const file = ui.upload.files[0];
  ui.upload.value = "";
  if (!file) return;
  showProblems(ui.uploadProblems, null);
  try {
    const text = await file.text();
    const made = await api.createTrack(text, file.name.replace(/\.[^.]*$/, ""));
    saveToken(made.id, made.token);
    await loadLibrary();
    await select(made.id);
  } catch (e) {
    showProblems(ui.uploadProblems, e, `Could not add “${file.name}”`);
  }
});

// --- player -------------------------------------------------------------------------------

function render() {
  const has = Boolean(selected);
  ui.play.disabled = !has;
  ui.seek.disabled = !has;
  ui.play.classList.toggle("playing", player.playing);
  ui.play.setAttribute("aria-label", player.playing ? "Pause" : "Play");
  ui.title.textContent = has ? selected.title : "Nothing playing";
  let state = "Choose a track to begin";
  if (has) {
    if (player.finished) state = "Session complete";
    else if (player.playing && player.buffering) state = "Tuning in…";
    else if (player.playing) state = "Playing";
    else if (player.session) state = "Paused";
    else state = "Ready when you are";
  }
  ui.state.textContent = state;
  ui.timeTotal.textContent = clock(player.duration);
  ui.seek.max = String(player.duration || 1);
}

function frame() {
  if (selected) {
    const t = player.position();
    if (!dragging) {
      ui.seek.value = String(t);
      ui.timeNow.textContent = clock(t);
    }
    ui.seek.style.setProperty("--fill", `${(100 * (dragging ? Number(ui.seek.value) : t)) / (player.duration || 1)}%`);
    timeline.setPosition(t);
    const step = timeline.stepAt(t);
    ui.step.textContent = step ? `${step.description || `Step ${step.index + 1}`} · step ${step.index + 1} of ${selected.timeline.steps.length}` : "";
    const hz = timeline.beatAt(t);
    if (hz) {
      ui.beatHz.textContent = `${hz.toFixed(hz < 10 ? 2 : 1)} Hz`;
      const b = band(hz);
      ui.beatBand.textContent = `${b.name} · ${b.mood}`;
    } else {
      ui.beatHz.textContent = "–";
      ui.beatBand.textContent = "beat frequency";
    }
    player.updateMediaPosition();
  }
  requestAnimationFrame(frame);
}

ui.play.addEventListener("click", () => { showProblems(ui.problems, null); player.toggle(); });
ui.seek.addEventListener("input", () => { dragging = true; ui.timeNow.textContent = clock(Number(ui.seek.value)); });
ui.seek.addEventListener("change", () => { dragging = false; player.seek(Number(ui.seek.value)); });
ui.volume.addEventListener("input", () => {
  ui.volume.style.setProperty("--fill", `${ui.volume.value * 100}%`);
  player.setVolume(Number(ui.volume.value));
});
ui.format.addEventListener("change", () => player.setFormat(ui.format.value));
document.addEventListener("keydown", (e) => {
  if (e.target.closest("input, select, textarea") || !selected) return;
  if (e.code === "Space") { e.preventDefault(); player.toggle(); }
  if (e.code === "ArrowRight") player.seek(player.position() + 15);
  if (e.code === "ArrowLeft") player.seek(player.position() - 15);
});

// Ogg/Opus is not playable everywhere (older Safari): offer only what this browser plays.
const probe = document.createElement("audio");
for (const option of [...ui.format.options]) {
  const type = { mp3: "audio/mpeg", opus: 'audio/ogg; codecs="opus"', wav: "audio/wav" }[option.value];
  if (!probe.canPlayType(type)) option.disabled = true;
}
ui.volume.style.setProperty("--fill", `${ui.volume.value * 100}%`);
player.setVolume(Number(ui.volume.value));

async function health() {
  try {
    const h = await api.health();
    ui.version.textContent = `Entrainer ${h.version}`;
    ui.health.textContent = "";
  } catch {
    ui.health.textContent = "The service is not reachable right now.";
  }
}

render();
loadLibrary();
health();
requestAnimationFrame(frame);

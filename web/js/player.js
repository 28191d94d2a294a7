// The player: one listening session on the service, heard through a plain <audio> element (so it
// keeps playing with the screen locked), controlled over REST and watched over the WebSocket.
//
// Position: while audio plays, it is the connection's start plus the element's currentTime (what
// the listener actually hears). Pausing closes the audio connection and pauses the session;
// resuming and seeking open a new connection at the exact position (`&at=`), so the browser's
// buffer never plays stale audio.

import { api, ApiError } from "./api.js";

const RETRIES = 5;

// iOS keeps audio.volume at 1 whatever the page sets; elsewhere it works and acts at once.
const LOCAL_VOLUME = (() => { const a = new Audio(); a.volume = 0.5; return a.volume === 0.5; })();

export class Player {
  constructor(audio, { onChange, onStatus, onError }) {
    this.audio = audio;
    this.onChange = onChange;
    this.onStatus = onStatus;
    this.onError = onError;
    this.track = null;
    this.session = null;
    this.playing = false;
    this.buffering = false;
    this.held = 0;            // position while not playing
    this.connStart = 0;
    this.format = "mp3";
    this.volume = 0.8;
    this.retries = 0;
    this.finished = false;
    this.socket = null;
    this.version = null;
    this._gainTimer = null;
    audio.addEventListener("playing", () => { this.buffering = false; this.retries = 0; this.onChange(); });
    audio.addEventListener("waiting", () => { this.buffering = true; this.onChange(); });
    audio.addEventListener("ended", () => this._ended());
    audio.addEventListener("error", () => this._dropped());
    this._mediaSession();
  }

  get duration() { return this.track?.timeline?.duration_s || 0; }

  position() {
    if (this.playing && this.audio.src) return Math.min(this.duration, this.connStart + (this.audio.currentTime || 0));
    return this.held;
  }

  async load(track) {
    await this._close();
    this.track = track;
    this.held = 0;
    this.finished = false;
    this.onChange();
    this._metadata();
  }

  async toggle() {
    return this.playing ? this.pause() : this.play();
  }

  async play() {
    if (!this.track) return;
    if (this.finished || this.held >= this.duration - 0.5) this.held = 0;
    this.finished = false;
    try {
      if (!this.session) {
        await this._start(this.held);
      } else {
        await this._control("resume");
      }
      this._connect(this.held);
    } catch (e) {
      this.onError(e);
    }
  }

  async pause() {
    if (!this.playing) return;
    this.held = this.position();
    this._disconnect();
    this.onChange();
    try { await this._control("pause"); } catch (e) { this.onError(e); }
  }

  async seek(seconds) {
    const t = Math.max(0, Math.min(this.duration, seconds));
    this.held = t;
    this.finished = false;
    if (this.session) {
      try { await this._control("seek", { position_s: t }); } catch (e) { this.onError(e); return; }
    }
    if (this.playing) this._connect(t);
    this.onChange();
  }

  setVolume(v) {
    this.volume = v;
    if (LOCAL_VOLUME) {                 // instant, in the browser
      this.audio.volume = v;
      return;
    }
    // Phones that ignore audio.volume (iOS): the session's gain, heard within the stream's lead.
    clearTimeout(this._gainTimer);
    this._gainTimer = setTimeout(() => {
      if (!this.session) return;
      if (this.socket?.readyState === WebSocket.OPEN) {
        this.socket.send(JSON.stringify({ type: "gain", gain: v }));
      } else {
        this._control("gain", { gain: v }).catch((e) => this.onError(e));
      }
    }, 120);
  }

  setFormat(fmt) {
    this.format = fmt;
    if (this.playing) this._connect(this.position());
  }

  // --- internals -------------------------------------------------------------------------

  async _start(at) {
    this.session = await api.createSession(this.track.id, at, LOCAL_VOLUME ? 1 : this.volume);
    this.version = null;
    this._openSocket();
  }

  async _control(action, body) {
    try {
      return await api.control(this.session, action, body);
    } catch (e) {
      // The service forgets idle sessions: start a new one where we were.
      if (e instanceof ApiError && e.status === 404 && action !== "stop") {
        this.session = null;
        await this._start(this.held);
        return null;
      }
      throw e;
    }
  }

  _connect(at) {
    this.connStart = at;
    this.playing = true;
    this.buffering = true;
    const url = `${this.session.audio[this.format]}&at=${at.toFixed(3)}`;
    this.audio.src = url;
    this.audio.play().catch((e) => {
      if (e.name === "NotAllowedError") {
        this.playing = false;
        this.onError(new Error("The browser blocked playback: press play again."));
        this.onChange();
      }
    });
    this.onChange();
  }

  _disconnect() {
    this.playing = false;
    this.buffering = false;
    this.audio.pause();
    this.audio.removeAttribute("src");
    this.audio.load();           // closes the connection
  }

  _ended() {
    if (!this.playing) return;
    if (this.position() >= this.duration - 1.0) {
      this.held = this.duration;
      this.finished = true;
      this._disconnect();
      this.onChange();
    } else {
      this._dropped();
    }
  }

  _dropped() {
    if (!this.playing || !this.audio.getAttribute("src")) return;
    const at = this.position();
    if (this.retries >= RETRIES) {
      this.held = at;
      this._disconnect();
      this.onError(new Error("The audio stream keeps dropping. Check your connection, then press play."));
      this.onChange();
      return;
    }
    this.retries += 1;
    this.buffering = true;
    this.onChange();
    setTimeout(() => this._reconnect(at), 500 * this.retries);
  }

  async _reconnect(at) {
    if (!this.playing) return;
    try {
      if (!this.session) await this._start(at);       // the service forgot us: start again here
      this._connect(at);
    } catch (e) {
      this._dropped();
    }
  }

  _openSocket() {
    const s = this.session;
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${proto}//${location.host}${s.ws}`);
    this.socket = ws;
    ws.addEventListener("message", (e) => {
      const m = JSON.parse(e.data);
      if (m.type === "status") {
        if (this.version !== null && m.version !== this.version) this.onStatus({ ...m, changed: true });
        this.version = m.version;
        this.onStatus(m);
      } else if (m.type === "error") {
        this.onError(new ApiError(m.status || 422, m));
      }
    });
    ws.addEventListener("close", () => {
      if (this.socket === ws && this.session === s) setTimeout(() => this.session === s && this._openSocket(), 2000);
    });
  }

  async _close() {
    this._disconnect();
    const s = this.session;
    this.session = null;
    if (this.socket) { const ws = this.socket; this.socket = null; ws.close(); }
    if (s) { try { await api.control(s, "stop"); } catch { /* already gone */ } }
  }

  _metadata() {
    if (!("mediaSession" in navigator) || !this.track) return;
    navigator.mediaSession.metadata = new MediaMetadata({
      title: this.track.title, artist: "Entrainer", album: "Brainwave entrainment",
      artwork: [{ src: "/icon.svg", sizes: "any", type: "image/svg+xml" }],
    });
  }

  _mediaSession() {
    if (!("mediaSession" in navigator)) return;
    const ms = navigator.mediaSession;
    const handle = (name, fn) => { try { ms.setActionHandler(name, fn); } catch { /* unsupported */ } };
    handle("play", () => this.play());
    handle("pause", () => this.pause());
    handle("stop", () => this.pause());
    handle("seekbackward", (d) => this.seek(this.position() - (d.seekOffset || 15)));
    handle("seekforward", (d) => this.seek(this.position() + (d.seekOffset || 15)));
    handle("seekto", (d) => this.seek(d.seekTime));
  }

  updateMediaPosition() {
    if (!("mediaSession" in navigator) || !this.duration) return;
    try {
      navigator.mediaSession.playbackState = this.playing ? "playing" : "paused";
      navigator.mediaSession.setPositionState({ duration: this.duration, position: this.position(), playbackRate: 1 });
    } catch { /* older browsers */ }
  }
}

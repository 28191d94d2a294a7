// The timeline: the track's steps as soft bands, the beat frequency of each voice over time, and
// the current position. Drawn on a canvas at the device's pixel ratio; click to jump.

import { BANDS, band, clock } from "./format.js";

export class Timeline {
  constructor(canvas, onSeek) {
    this.canvas = canvas;
    this.onSeek = onSeek;
    this.data = null;
    this.position = 0;
    this.hover = null;
    canvas.addEventListener("click", (e) => {
      if (!this.data) return;
      this.onSeek(this.timeAt(e.offsetX));
    });
    canvas.addEventListener("mousemove", (e) => { this.hover = e.offsetX; this.draw(); });
    canvas.addEventListener("mouseleave", () => { this.hover = null; this.draw(); });
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  set(data) {
    this.data = data;
    const curves = data ? data.steps.flatMap((s) => s.beats).filter((c) => c.points.some((p) => p[1] > 0)) : [];
    const top = Math.max(4, ...curves.flatMap((c) => c.points.map((p) => p[1])));
    this.maxHz = Math.ceil((top * 1.15) / 2) * 2;
    this.draw();
  }

  setPosition(seconds) {
    this.position = seconds;
    this.draw();
  }

  timeAt(x) {
    const w = this.canvas.clientWidth - this.pad * 2;
    return Math.min(this.data.duration_s, Math.max(0, ((x - this.pad) / w) * this.data.duration_s));
  }

  get pad() { return 14; }

  // The beat of the first beating voice at time t (what the big number shows).
  beatAt(t) {
    if (!this.data) return null;
    const step = [...this.data.steps].reverse().find((s) => s.start_s <= t) || this.data.steps[0];
    const curve = step?.beats.find((c) => c.points.some((p) => p[1] > 0));
    if (!curve) return null;
    const pts = curve.points;
    for (let i = 1; i < pts.length; i++) {
      if (t <= pts[i][0]) {
        const [t0, v0] = pts[i - 1];
        const [t1, v1] = pts[i];
        return t1 > t0 ? v0 + ((v1 - v0) * (t - t0)) / (t1 - t0) : v1;
      }
    }
    return pts[pts.length - 1][1];
  }

  stepAt(t) {
    if (!this.data) return null;
    return [...this.data.steps].reverse().find((s) => s.start_s <= t) || null;
  }

  draw() {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const w = c.clientWidth;
    const h = c.clientHeight;
    if (!w || !h) return;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
    }
    const g = c.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    const d = this.data;
    if (!d) {
      g.fillStyle = "rgba(154,163,199,0.55)";
      g.font = "13px system-ui, sans-serif";
      g.textAlign = "center";
      g.fillText("The timeline appears when you choose a track", w / 2, h / 2);
      return;
    }
    const pad = this.pad;
    const top = 30;
    const bottom = h - 22;
    const x = (t) => pad + (t / d.duration_s) * (w - pad * 2);
    const y = (hz) => bottom - (hz / this.maxHz) * (bottom - top);

    // band guides (delta/theta/alpha/beta limits) under everything
    g.font = "10.5px system-ui, sans-serif";
    g.textAlign = "right";
    for (const b of BANDS) {
      if (!Number.isFinite(b.below) || b.below > this.maxHz) continue;
      g.strokeStyle = "rgba(255,255,255,0.06)";
      g.setLineDash([3, 5]);
      g.beginPath();
      g.moveTo(pad, y(b.below));
      g.lineTo(w - pad, y(b.below));
      g.stroke();
      g.setLineDash([]);
      g.fillStyle = "rgba(154,163,199,0.5)";
      g.fillText(`${b.below} Hz`, w - pad - 2, y(b.below) - 3);
    }

    // steps
    d.steps.forEach((s, i) => {
      const x0 = x(s.start_s);
      const x1 = x(s.start_s + s.duration_s);
      g.fillStyle = i % 2 ? "rgba(255,255,255,0.025)" : "rgba(255,255,255,0.05)";
      g.fillRect(x0, top - 6, x1 - x0, bottom - top + 6);
      g.fillStyle = "rgba(233,236,251,0.75)";
      g.textAlign = "left";
      g.font = "11.5px system-ui, sans-serif";
      const label = s.description || `Step ${i + 1}`;
      if (x1 - x0 > 40) {
        g.save();
        g.beginPath();
        g.rect(x0, 0, x1 - x0 - 4, top);
        g.clip();
        g.fillText(label, x0 + 6, 16);
        g.restore();
      }
    });

    // beat curves: the first beating voice of each step bold, the others faint
    for (const s of d.steps) {
      const curves = s.beats.filter((cv) => cv.points.some((p) => p[1] > 0));
      curves.forEach((cv, k) => {
        const mid = cv.points[Math.floor(cv.points.length / 2)][1];
        g.strokeStyle = band(mid).colour;
        g.globalAlpha = k === 0 ? 0.95 : 0.3;
        g.lineWidth = k === 0 ? 2.4 : 1.2;
        g.beginPath();
        cv.points.forEach(([t, hz], j) => (j ? g.lineTo(x(t), y(hz)) : g.moveTo(x(t), y(hz))));
        g.stroke();
      });
    }
    g.globalAlpha = 1;

    // time axis
    g.fillStyle = "rgba(154,163,199,0.6)";
    g.font = "10.5px system-ui, sans-serif";
    g.textAlign = "left";
    g.fillText("0:00", pad, h - 6);
    g.textAlign = "right";
    g.fillText(clock(d.duration_s), w - pad, h - 6);

    // position
    const px = x(Math.min(this.position, d.duration_s));
    const glow = g.createLinearGradient(px - 18, 0, px + 18, 0);
    glow.addColorStop(0, "rgba(185,166,255,0)");
    glow.addColorStop(0.5, "rgba(185,166,255,0.18)");
    glow.addColorStop(1, "rgba(185,166,255,0)");
    g.fillStyle = glow;
    g.fillRect(px - 18, top - 6, 36, bottom - top + 6);
    g.strokeStyle = "#ffffff";
    g.lineWidth = 1.5;
    g.beginPath();
    g.moveTo(px, top - 6);
    g.lineTo(px, bottom);
    g.stroke();
    const hz = this.beatAt(this.position);
    if (hz) {
      g.fillStyle = "#fff";
      g.beginPath();
      g.arc(px, y(hz), 4.5, 0, Math.PI * 2);
      g.fill();
    }

    // hover read-out
    if (this.hover !== null) {
      const t = this.timeAt(this.hover);
      const bhz = this.beatAt(t);
      g.fillStyle = "rgba(233,236,251,0.85)";
      g.textAlign = this.hover > w - 120 ? "right" : "left";
      g.font = "11px system-ui, sans-serif";
      const text = `${clock(t)}${bhz ? ` · ${bhz.toFixed(1)} Hz` : ""}`;
      g.fillText(text, this.hover + (g.textAlign === "left" ? 8 : -8), bottom - 8);
      g.strokeStyle = "rgba(255,255,255,0.25)";
      g.beginPath();
      g.moveTo(this.hover, top - 6);
      g.lineTo(this.hover, bottom);
      g.stroke();
    }
  }
}

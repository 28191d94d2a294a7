// Small formatting helpers: clock times and the names of brainwave bands.

export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds || 0));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${r}` : `${m}:${r}`;
}

export function duration(seconds) {
  const m = Math.round(seconds / 60);
  if (m < 1) return `${Math.round(seconds)} s`;
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

// Conventional EEG bands; the colours are the timeline's.
export const BANDS = [
  { name: "delta", below: 4, colour: "#7d8cff", mood: "deep sleep" },
  { name: "theta", below: 8, colour: "#a68bff", mood: "dreamy, meditative" },
  { name: "alpha", below: 13, colour: "#7fd4c6", mood: "relaxed, calm" },
  { name: "beta", below: 30, colour: "#f2c07b", mood: "alert, focused" },
  { name: "gamma", below: Infinity, colour: "#f09cb3", mood: "high focus" },
];

export function band(hz) {
  return BANDS.find((b) => hz < b.below);
}

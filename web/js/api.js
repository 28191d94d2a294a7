// The service's REST API: JSON in and out; every failure becomes an ApiError that carries the
// service's located lines ({code, location, text}), so the page can show them as they are.

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `request failed with status ${status}`);
    this.status = status;
    this.errors = body?.errors || [];
    this.warnings = body?.warnings || [];
  }
}

async function request(method, path, { body, token, raw } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload;
  if (raw !== undefined) {
    payload = raw;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload });
  } catch (e) {
    throw new ApiError(0, { message: "The service cannot be reached. Check your connection and try again." });
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { message: text }; }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const api = {
  health: () => request("GET", "/api/health"),
  tracks: () => request("GET", "/api/tracks"),
  track: (id) => request("GET", `/api/tracks/${id}`),
  timeline: (id) => request("GET", `/api/tracks/${id}/timeline`),
  createTrack: (text, name) =>
    request("POST", `/api/tracks${name ? `?name=${encodeURIComponent(name)}` : ""}`, { raw: text }),
  deleteTrack: (id, token) => request("DELETE", `/api/tracks/${id}`, { token }),
  createSession: (trackId, positionS, gain) =>
    request("POST", "/api/sessions", { body: { track_id: trackId, position_s: positionS, gain } }),
  control: (session, action, body) =>
    request("POST", `/api/sessions/${session.id}/${action}`, { token: session.token, body }),
};

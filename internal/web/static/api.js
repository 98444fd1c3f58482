// The console's API client. It speaks only the public API (API.md) and the
// session socket, like any other client.
//
// Where the tokens live, and why: the access token is kept in memory only;
// the refresh token in sessionStorage, so that a reload of the tab keeps
// the user signed in while closing the tab forgets them. No cookie carries
// a credential, so the browser never attaches one to a request on its own
// and cross-site request forgery has nothing to ride on. What could read
// sessionStorage is script running in our origin; the Content-Security-
// Policy allows only our own files, and the pages build the DOM with
// textContent, never with HTML strings, so user text cannot become script.

const base = document.body.dataset.api || "/api/v1";
const refreshKey = "gmc.refresh";

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
  // fieldErrors maps "body.name" style locations to messages.
  fieldErrors() {
    const out = {};
    for (const e of this.problem.errors || []) out[e.location || ""] = e.message;
    return out;
  }
}

let access = "";
let accessExpires = 0;
let refreshing = null;
const listeners = new Set();

export function onAuthChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }
function changed() { for (const fn of listeners) fn(signedIn()); }

export function signedIn() { return access !== "" || sessionStorage.getItem(refreshKey) !== null; }

function keep(pair) {
  access = pair.access_token;
  accessExpires = Date.now() + (pair.expires_in || 60) * 1000;
  sessionStorage.setItem(refreshKey, pair.refresh_token);
}

function forget() {
  access = "";
  accessExpires = 0;
  sessionStorage.removeItem(refreshKey);
}

// refresh trades the refresh token for a new pair. Only one runs at a time:
// presenting a spent refresh token revokes its whole family.
async function refresh() {
  if (!refreshing) {
    refreshing = (async () => {
      const token = sessionStorage.getItem(refreshKey);
      if (!token) throw new ApiError(401, { title: "Not signed in" });
      const res = await fetch(base + "/auth/refresh", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: token }),
      });
      if (!res.ok) {
        forget();
        changed();
        throw new ApiError(res.status, await problemOf(res));
      }
      keep(await res.json());
    })().finally(() => { refreshing = null; });
  }
  return refreshing;
}

async function problemOf(res) {
  try { return await res.json(); } catch { return { title: res.statusText }; }
}

async function token() {
  if (access && Date.now() < accessExpires - 5000) return access;
  await refresh();
  return access;
}

// request calls the API. body may be an object (sent as JSON), FormData or
// a Blob. It answers the parsed JSON, or null for 204; errors throw ApiError.
export async function request(method, path, body, opts = {}) {
  const send = async (bearer) => {
    const headers = { ...(opts.headers || {}) };
    if (bearer) headers.Authorization = "Bearer " + bearer;
    let payload = body;
    if (body !== undefined && body !== null && !(body instanceof FormData) && !(body instanceof Blob)) {
      headers["Content-Type"] = opts.contentType || "application/json";
      payload = JSON.stringify(body);
    }
    return fetch(base + path, { method, headers, body: payload, signal: opts.signal });
  };
  const anonymous = opts.anonymous === true;
  let res = await send(anonymous ? "" : await token());
  if (res.status === 401 && !anonymous) {
    await refresh();
    res = await send(access);
  }
  if (!res.ok) throw new ApiError(res.status, await problemOf(res));
  if (res.status === 204) return null;
  if (opts.raw) return res;
  const type = res.headers.get("Content-Type") || "";
  return type.includes("json") ? res.json() : res.text();
}

// apiBase and bearer serve the one request fetch cannot make: an upload
// whose progress is shown (XMLHttpRequest). fresh refreshes the token
// first, after a 401.
export const apiBase = base;
export async function bearer(fresh = false) {
  if (fresh) await refresh();
  return token();
}

export const get = (path, opts) => request("GET", path, undefined, opts);
export const post = (path, body, opts) => request("POST", path, body, opts);
export const put = (path, body, opts) => request("PUT", path, body, opts);
export const patch = (path, body, opts) => request("PATCH", path, body, { ...opts, contentType: "application/merge-patch+json" });
export const del = (path, opts) => request("DELETE", path, undefined, opts);

// all follows next_cursor and returns every item of a list route.
export async function all(path, max = 1000) {
  const items = [];
  let cursor = "";
  const sep = path.includes("?") ? "&" : "?";
  do {
    const page = await get(`${path}${sep}limit=200${cursor ? "&cursor=" + encodeURIComponent(cursor) : ""}`);
    items.push(...(page.items || []));
    cursor = page.next_cursor || "";
  } while (cursor && items.length < max);
  return items;
}

export async function login(email, password) {
  const pair = await request("POST", "/auth/login", { email, password }, { anonymous: true });
  keep(pair);
  changed();
}

export async function register(email, password, displayName) {
  await request("POST", "/auth/register", { email, password, display_name: displayName }, { anonymous: true });
  await login(email, password);
}

export async function logout() {
  const token = sessionStorage.getItem(refreshKey);
  forget();
  changed();
  if (token) {
    try { await request("POST", "/auth/logout", { refresh_token: token }, { anonymous: true }); } catch { /* signed out here either way */ }
  }
}

// me caches the signed-in user for the page's lifetime.
let meCache = null;
export async function me() {
  if (!meCache) meCache = get("/users/me").catch((e) => { meCache = null; throw e; });
  return meCache;
}
onAuthChange(() => { meCache = null; });

// socketURL returns a ws(s) URL for an API socket path, with a one-time
// ticket: browsers cannot set an Authorization header on a WebSocket.
export async function socketURL(sessionId, path = "/ws") {
  const { ticket } = await post(`/sessions/${sessionId}/ws-ticket`);
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  return `${proto}//${location.host}${base}/sessions/${sessionId}${path}?ticket=${encodeURIComponent(ticket)}`;
}

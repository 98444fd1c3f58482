import * as api from "../api.js";
import { h, clear, fmtTime } from "../dom.js";

// Files (portraits, maps, handouts) need the bearer token to be read, so
// an <img src> cannot point at them: their bytes are fetched and shown
// through blob: URLs (the CSP allows img-src blob:), revoked when the page
// is left.

export function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

// blobURL fetches a file and answers a blob: URL for it; ctx.onLeave
// revokes it.
export async function blobURL(ctx, fileId) {
  const res = await api.request("GET", `/files/${fileId}`, undefined, { raw: true });
  const url = URL.createObjectURL(await res.blob());
  ctx.onLeave(() => URL.revokeObjectURL(url));
  return url;
}

// download saves a file under its uploaded name.
export async function download(ctx, f) {
  const url = await blobURL(ctx, f.id);
  const a = h("a", { href: url, download: f.name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
}

// uploadError words an upload's refusal: the type (415) and the size or
// the campaign's quota (413) are what a user can do something about.
export function uploadError(status, problem) {
  const fieldMsgs = (problem.errors || []).map((e) => e.message).filter(Boolean);
  let detail = (problem.detail || fieldMsgs[0] || problem.title || `HTTP ${status}`).replace(/^form\.file:\s*/, "");
  if (status === 415) return `This type of file is not accepted: ${detail}`;
  if (status === 413) return `The file is too large: ${detail}`;
  if (status === 403) return `You may not upload this: ${detail}`;
  if (fieldMsgs.length && !problem.detail) detail = fieldMsgs.join("; ");
  return detail;
}

// send uploads one file with XMLHttpRequest, the one browser API that
// reports upload progress; onProgress gets 0…100. It answers {status,
// body} and retries once with a fresh token after a 401.
export function send(campaignId, file, fields, onProgress, signal) {
  const attempt = async (fresh) => {
    const token = await api.bearer(fresh);
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) if (v) form.append(k, v);
    form.append("file", file, file.name);
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", `${api.apiBase}/campaigns/${campaignId}/files`);
      xhr.setRequestHeader("Authorization", `Bearer ${token}`);
      xhr.upload.addEventListener("progress", (e) => {
        const of = e.lengthComputable ? e.total : file.size;
        onProgress(of ? Math.min(100, Math.floor((e.loaded / of) * 100)) : 0);
      });
      xhr.addEventListener("load", () => {
        let body = {};
        try { body = JSON.parse(xhr.responseText) || {}; } catch { body = { title: xhr.statusText }; }
        resolve({ status: xhr.status, body });
      });
      xhr.addEventListener("error", () => reject(new Error("the network failed")));
      xhr.addEventListener("abort", () => reject(new Error("cancelled")));
      if (signal) signal.addEventListener("abort", () => xhr.abort());
      xhr.send(form);
    });
  };
  return attempt(false).then((r) => (r.status === 401 ? attempt(true) : r));
}

// dropZone is a file picker that also takes a file dropped on it, with a
// progress bar and a status line. upload(file) is called with each file
// chosen; it reports through the returned setters.
export function dropZone({ label, hint, accept, name, onFile }) {
  const input = h("input", { type: "file", name: name || "file", accept, class: "drop-input" });
  const bar = h("progress", { class: "drop-bar", max: "100", value: "0", "aria-label": `${label}: upload progress` });
  const pct = h("span", { class: "drop-pct small muted" });
  const row = h("div", { class: "drop-progress", hidden: true }, bar, pct);
  const status = h("p", { class: "drop-status small", role: "status", "aria-live": "polite" });
  const id = `dz${Math.random().toString(36).slice(2, 8)}`;
  input.id = id;
  const zone = h("div", { class: "drop-zone" },
    h("label", { for: id }, label),
    input,
    hint ? h("small", { class: "muted" }, hint) : null,
    row, status);
  let busy = false;
  const take = (file) => { if (file && !busy) onFile(file); };
  input.addEventListener("change", () => take(input.files && input.files[0]));
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    take(e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0]);
  });
  return {
    el: zone,
    start() { busy = true; input.disabled = true; row.hidden = false; bar.value = 0; pct.textContent = "0 %"; status.textContent = "Uploading…"; status.className = "drop-status small"; },
    progress(p) { bar.value = p; pct.textContent = `${p} %`; },
    done(text) { busy = false; input.disabled = false; input.value = ""; status.className = "drop-status small ok"; status.textContent = text; },
    fail(text) { busy = false; input.disabled = false; input.value = ""; row.hidden = true; status.className = "drop-status small form-error"; status.textContent = text; },
  };
}

// upload runs one upload through a dropZone and answers the new file, or
// null when it was refused (the zone then shows why).
export async function upload(zone, campaignId, file, fields) {
  zone.start();
  try {
    const r = await send(campaignId, file, fields, (p) => zone.progress(p));
    if (r.status !== 201) { zone.fail(uploadError(r.status, r.body)); return null; }
    zone.done(`${r.body.name} uploaded (${size(r.body.size)}).`);
    return r.body;
  } catch (e) {
    zone.fail(`The upload failed: ${e.message}`);
    return null;
  }
}

const imageTypes = "image/png,image/jpeg,image/webp,image/gif";

// imageCard shows the newest image of a kind attached to a character or a
// location, and lets those who may upload replace it.
export function imageCard(ctx, { campaignId, kind, attachField, attachId, title, canUpload, className }) {
  const picture = h("div", { class: "picture", "aria-live": "polite" });
  const card = h("section", { class: `card image-card ${className || ""}`, "aria-label": title },
    h("h2", {}, title), picture);
  const show = async () => {
    let files;
    try {
      ({ files } = await api.get(`/campaigns/${campaignId}/files?kind=${kind}&attached_to=${encodeURIComponent(attachId)}`));
    } catch (e) {
      clear(picture).append(h("p", { class: "form-error" }, e.message));
      return;
    }
    const images = (files || []).filter((f) => f.content_type.startsWith("image/"))
      .sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
    if (!images.length) {
      clear(picture).append(h("p", { class: "muted" }, kind === "portrait" ? "No portrait yet." : "No map yet."));
      return;
    }
    const f = images[0];
    try {
      const url = await blobURL(ctx, f.id);
      if (!ctx.current()) return;
      clear(picture).append(h("img", { src: url, alt: `${title} (${f.name})`, class: "picture-img" }),
        h("p", { class: "muted small" }, `${f.name} · ${size(f.size)} · ${fmtTime(f.created_at)}`));
    } catch (e) {
      clear(picture).append(h("p", { class: "form-error" }, `The image could not be loaded: ${e.message}`));
    }
  };
  if (canUpload) {
    const zone = dropZone({
      label: kind === "portrait" ? "Upload a portrait" : "Upload a map", accept: imageTypes,
      hint: "Drop an image here or choose one: PNG, JPEG, WebP or GIF.",
      onFile: async (file) => {
        const f = await upload(zone, campaignId, file, { kind, [attachField]: attachId });
        if (f) await show();
      },
    });
    card.append(zone.el);
  }
  show();
  return card;
}

// Small DOM helpers. Every page builds its markup with h(), which sets text
// with textContent: user data never passes through an HTML parser.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k === "value" && "value" in el) el.value = v;
    else if (k === "checked" || k === "selected" || k === "disabled") el[k] = Boolean(v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// svg builds an SVG element (the graph pages draw with it).
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function clear(el) { el.replaceChildren(); return el; }

let fieldSeq = 0;
// field wraps an input with its label and a place for its error message;
// name is the API's field name, so problem+json errors ("body.name") land
// beside the right input.
export function field(label, input, hint) {
  const id = input.id || `f${++fieldSeq}`;
  input.id = id;
  const err = h("span", { class: "field-error", id: id + "-err", role: "alert" });
  input.setAttribute("aria-describedby", id + "-err");
  return h("div", { class: "field" }, h("label", { for: id }, label), input, hint ? h("small", { class: "muted" }, hint) : null, err);
}

// showErrors puts an ApiError's messages beside the form's inputs (by
// name) and the rest in the form's summary.
export function showErrors(form, err) {
  for (const e of form.querySelectorAll(".field-error")) e.textContent = "";
  for (const e of form.querySelectorAll("[aria-invalid]")) e.removeAttribute("aria-invalid");
  const summary = form.querySelector(".form-error") || form.appendChild(h("p", { class: "form-error", role: "alert" }));
  summary.textContent = "";
  const fields = err.fieldErrors ? err.fieldErrors() : {};
  let placed = false;
  for (const [loc, msg] of Object.entries(fields)) {
    const name = loc.replace(/^body\./, "").split(".")[0];
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (input) {
      input.setAttribute("aria-invalid", "true");
      const slot = form.querySelector("#" + CSS.escape(input.id + "-err"));
      if (slot) { slot.textContent = msg; placed = true; continue; }
    }
  }
  if (!placed || Object.keys(fields).length === 0) summary.textContent = err.message || String(err);
}

export function toast(text, kind = "info") {
  const box = document.getElementById("toasts");
  const t = h("div", { class: `toast ${kind}` }, text);
  box.append(t);
  setTimeout(() => t.remove(), 4000);
}

export function fmtTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

// debounce delays fn until calls stop for ms.
export function debounce(fn, ms) {
  let t;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}

// formValues reads a form's named inputs into an object; empty strings are
// left out so that optional fields keep their defaults.
export function formValues(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled) continue;
    if (el.type === "checkbox") out[el.name] = el.checked;
    else if (el.type === "number") { if (el.value !== "") out[el.name] = Number(el.value); }
    else if (el.value !== "") out[el.name] = el.value;
  }
  return out;
}

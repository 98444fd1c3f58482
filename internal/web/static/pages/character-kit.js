// Pieces shared by the campaign, character, graph and transfer pages. Not a
// page of its own: routes.js does not list it.
import * as api from "../api.js";
import { h } from "../dom.js";

// whoAmI answers the caller and their role in the campaign. The campaign
// itself does not carry the caller's role; the member list does, and every
// member (observers included) may read it.
export async function whoAmI(campaignId) {
  const [me, members] = await Promise.all([api.me(), api.all(`/campaigns/${campaignId}/members`)]);
  const mine = members.find((m) => m.user_id === me.id);
  return { me, members, role: mine ? mine.role : "", gm: mine ? mine.role === "gm" : false };
}

// ifMatch sends the version an edit is based on, so that a change made
// meanwhile by someone else is refused (409) instead of overwritten.
export function ifMatch(version) { return { headers: { "If-Match": `"${version}"` } }; }

export const conflictText = "Someone changed this while you were editing. Reload to see their version, then make your change again.";

// explain turns an ApiError into what the page says; a 409 gets the
// conflict sentence.
export function explain(err) {
  if (err && err.status === 409 && (err.problem.code === "stale_version")) return conflictText;
  return err && err.message ? err.message : String(err);
}

export function memberName(m) { return m ? (m.display_name || m.email || m.user_id) : ""; }

// attitude says a relationship's attitude (-100..100) in words, for the
// badge and the graph's colour.
export function attitudeOf(n) {
  if (n >= 50) return { word: "warm", cls: "att-warm" };
  if (n > 10) return { word: "friendly", cls: "att-friendly" };
  if (n >= -10) return { word: "neutral", cls: "att-neutral" };
  if (n > -50) return { word: "wary", cls: "att-wary" };
  return { word: "hostile", cls: "att-hostile" };
}

export function attitudeBadge(n) {
  const a = attitudeOf(n);
  return h("span", { class: `badge ${a.cls}`, title: `attitude ${n}` }, `${a.word} ${n > 0 ? "+" : ""}${n}`);
}

export function visibilityBadge(v) {
  return v === "gm" ? h("span", { class: "badge gm" }, "GM only") : h("span", { class: "badge" }, "players see");
}

// scalar writes a JSON value on one line.
function scalar(v) {
  if (v === null || v === undefined) return "—";
  if (Array.isArray(v) && v.every((x) => typeof x !== "object" || x === null)) return v.join(", ");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

// label writes a JSON key for people: "passive_perception" as "Passive
// perception", short keys such as "ac" or "hp" as abbreviations.
function label(k) {
  const t = k.replace(/_/g, " ");
  return t.length <= 3 && /^[a-z]+$/i.test(t) ? t.toUpperCase() : t.charAt(0).toUpperCase() + t.slice(1);
}

// kvView shows a JSON object as a definition list, one level of nesting
// drawn as a nested list; deeper values are written as compact JSON.
export function kvView(obj, cls = "kv") {
  const keys = obj && typeof obj === "object" ? Object.keys(obj) : [];
  if (keys.length === 0) return h("p", { class: "muted" }, "Nothing recorded.");
  return h("dl", { class: cls }, keys.map((k) => {
    const v = obj[k];
    const nested = v && typeof v === "object" && !Array.isArray(v);
    return [h("dt", {}, label(k)), h("dd", {}, nested
      ? h("dl", { class: "kv nested" }, Object.entries(v).map(([k2, v2]) => [h("dt", {}, label(k2)), h("dd", {}, scalar(v2))]))
      : scalar(v))];
  }));
}

const abilityNames = ["STR", "DEX", "CON", "INT", "WIS", "CHA"];
const abilityKeys = ["strength", "dexterity", "constitution", "intelligence", "wisdom", "charisma"];

// abilities reads the six ability scores of a character sheet, in the
// shapes sheets come in: D&D Beyond's stats [{id 1..6, value}] (with
// bonusStats and overrideStats), or an object keyed by "str"/"strength".
// It answers null for anything else.
export function abilities(sheet) {
  if (!sheet || typeof sheet !== "object") return null;
  if (Array.isArray(sheet.stats) && sheet.stats.length >= 6) {
    const val = (list, id) => {
      const s = Array.isArray(list) ? list.find((x) => x && x.id === id) : null;
      return s && typeof s.value === "number" ? s.value : null;
    };
    const out = abilityNames.map((name, i) => {
      const over = val(sheet.overrideStats, i + 1);
      const base = val(sheet.stats, i + 1);
      return { name, score: over !== null ? over : base === null ? null : base + (val(sheet.bonusStats, i + 1) || 0) };
    });
    return out.every((a) => a.score !== null) ? out : null;
  }
  const src = sheet.abilities && typeof sheet.abilities === "object" ? sheet.abilities : sheet;
  const out = abilityNames.map((name, i) => {
    const v = src[name.toLowerCase()] ?? src[name] ?? src[abilityKeys[i]];
    return { name, score: typeof v === "number" ? v : typeof v === "object" && v && typeof v.score === "number" ? v.score : null };
  });
  return out.every((a) => a.score !== null) ? out : null;
}

export function abilityBlock(list) {
  const mod = (s) => { const m = Math.floor((s - 10) / 2); return (m >= 0 ? "+" : "") + m; };
  return h("ul", { class: "abilities", "aria-label": "Ability scores" }, list.map((a) =>
    h("li", {}, h("span", { class: "ab-name" }, a.name), h("span", { class: "ab-score" }, String(a.score)), h("span", { class: "ab-mod" }, mod(a.score)))));
}

// kvEditor edits a JSON object as key/value rows. Values that were not
// strings are shown as JSON and read back as JSON; with typed, a new value
// that reads as a number, true/false, an array or an object is stored as
// one (stats: "STR 16" stays a number).
export function kvEditor(name, obj, { typed = false, multiline = false, keyLabel = "Key", valueLabel = "Value", title = label(name) } = {}) {
  const rows = h("div", { class: "kv-rows" });
  const box = h("fieldset", { class: "kv-editor", "data-kv": name }, h("legend", {}, title), rows);
  let seq = 0;
  const addRow = (k = "", v = "") => {
    const i = ++seq;
    const raw = typeof v === "string" ? v : JSON.stringify(v);
    const key = h("input", { "data-kv-key": "", value: k, id: `${name}-k${i}`, maxlength: 100 });
    const value = multiline
      ? h("textarea", { "data-kv-value": "", rows: 2, id: `${name}-v${i}`, "data-json": typeof v === "string" ? null : "1" }, raw)
      : h("input", { "data-kv-value": "", value: raw, id: `${name}-v${i}`, "data-json": typeof v === "string" ? null : "1" });
    const row = h("div", { class: "kv-row" },
      h("label", { for: key.id, class: "sr-only" }, `${keyLabel} ${i}`), key,
      h("label", { for: value.id, class: "sr-only" }, `${valueLabel} ${i}`), value,
      h("button", { type: "button", class: "secondary", "aria-label": `Remove row ${i}`, onclick: () => row.remove() }, "✕"));
    rows.append(row);
    return key;
  };
  for (const [k, v] of Object.entries(obj || {})) addRow(k, v);
  box.append(h("button", { type: "button", class: "secondary add-row", "aria-label": `Add a row to ${title}`, onclick: () => addRow().focus() }, "Add a row"));
  if (!obj || Object.keys(obj).length === 0) addRow();
  const value = () => {
    const out = {};
    for (const row of rows.querySelectorAll(".kv-row")) {
      const k = row.querySelector("[data-kv-key]").value.trim();
      const input = row.querySelector("[data-kv-value]");
      if (!k) continue;
      let v = input.value;
      if (input.dataset.json || typed) {
        try {
          const parsed = JSON.parse(v);
          if (input.dataset.json || typeof parsed !== "string") v = parsed;
        } catch { /* plain text stays text */ }
      }
      out[k] = v;
    }
    return out;
  };
  return { el: box, value };
}

export function splitList(s) {
  return (s || "").split(",").map((x) => x.trim()).filter(Boolean);
}

// fill replaces an element's children, skipping the null and false that
// conditional parts leave (replaceChildren would write them as text).
export function fill(el, ...kids) {
  el.replaceChildren(...kids.flat(Infinity).filter((k) => k !== null && k !== undefined && k !== false));
  return el;
}

// clearErrors takes a form's error messages away after a success.
export function clearErrors(form) {
  for (const e of form.querySelectorAll(".field-error, .form-error")) e.textContent = "";
  for (const e of form.querySelectorAll("[aria-invalid]")) e.removeAttribute("aria-invalid");
}

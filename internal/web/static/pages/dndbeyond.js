import * as api from "../api.js";
import { h, clear, field } from "../dom.js";
import { whoAmI } from "./character-kit.js";

// Import a character from D&D Beyond: by its sheet URL or id (the server
// fetches it; the character must be public), or by its JSON pasted or
// chosen as a file. Importing the same character again updates it and
// lists what changed on the sheet.

// codes the API gives the failures of an import, said for people.
const reasons = {
  dndbeyond_private: "The character is private on D&D Beyond. Its owner must set the sheet's privacy to Public, or paste its JSON instead.",
  dndbeyond_not_found: "D&D Beyond has no such character. Check the URL or id.",
  dndbeyond_malformed: "That is not a D&D Beyond character document.",
  dndbeyond_unavailable: "D&D Beyond did not answer. Try again later, or paste the character's JSON instead.",
  dndbeyond_disabled: "This server does not fetch from D&D Beyond. Paste the character's JSON, or choose its file, instead.",
  dndbeyond_conflict: "The same character was being imported at the same moment. Import it again to update it.",
};

const show = (v) => {
  if (v === null || v === undefined) return "—";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
};

export async function render(ctx) {
  const { campaign } = ctx.params;
  const who = await whoAmI(campaign);
  if (!ctx.current()) return;
  const c = encodeURIComponent(campaign);
  ctx.main.append(h("div", { class: "page-head" }, h("div", {},
    h("p", { class: "crumbs" }, h("a", { href: `#/c/${c}/characters` }, "Characters"), " › Import"),
    h("h1", {}, "Import from D&D Beyond"))));
  if (!who.gm && who.role !== "player") {
    ctx.main.append(h("p", { class: "card" }, "Only the campaign's GM and players can import characters."));
    return;
  }

  const source = h("input", { name: "url", autocomplete: "off", placeholder: "https://www.dndbeyond.com/characters/12345678 or 12345678" });
  const json = h("textarea", { name: "character_json", rows: 6, spellcheck: "false", placeholder: "{\"id\": 12345678, \"name\": …}" });
  const file = h("input", { name: "file", type: "file", accept: ".json,application/json" });
  const fileNote = h("small", { class: "muted", "aria-live": "polite" });
  const err = h("div", { class: "form-error ddb-error", role: "alert" });
  const submit = h("button", { type: "submit" }, "Import");
  const form = h("form", { class: "card ddb-form", "aria-labelledby": "ddb-h" },
    h("h2", { id: "ddb-h" }, "Which character"),
    h("p", { class: "muted small" }, "A public character by its sheet URL or id, or any character by its JSON. Importing a character already here updates it and shows what changed."),
    field("Sheet URL or id", source, "The sheet's privacy must be Public"),
    h("p", { class: "ddb-or muted" }, "or"),
    field("Character JSON", json, "Paste the document, or choose its file below"),
    field("JSON file", file), fileNote,
    err,
    h("div", { class: "actions" }, submit));
  const result = h("div", { class: "ddb-result", "aria-live": "polite" });
  ctx.main.append(form, result);

  file.addEventListener("change", async () => {
    const f = file.files && file.files[0];
    if (!f) return;
    if (f.size > 4 * 1024 * 1024) { fileNote.textContent = `${f.name} is too large for a character (${Math.round(f.size / 1024)} KB).`; return; }
    json.value = await f.text();
    fileNote.textContent = `Read ${f.name} (${Math.round(f.size / 1024)} KB) into the box above.`;
  });

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.replaceChildren();
    const body = { campaign_id: campaign };
    const src = source.value.trim();
    const doc = json.value.trim();
    if (src && doc) { err.textContent = "Give the URL or id, or the JSON: not both."; return; }
    if (!src && !doc) { err.textContent = "Give the character's sheet URL or id, or its JSON."; source.focus(); return; }
    if (doc) {
      try { body.character_json = JSON.parse(doc); } catch (x) {
        err.textContent = `The JSON does not parse: ${x.message}`;
        json.focus();
        return;
      }
    } else if (/^[0-9]+$/.test(src)) body.dndbeyond_id = Number(src);
    else body.url = src;
    submit.disabled = true;
    submit.textContent = "Importing…";
    try {
      const out = await api.post("/characters/import/dndbeyond", body);
      if (!ctx.current()) return;
      drawResult(out);
    } catch (x) {
      const code = x.problem && x.problem.code;
      const fields = x.fieldErrors ? Object.entries(x.fieldErrors()) : [];
      err.replaceChildren(
        h("strong", {}, reasons[code] || (x.status === 403 ? "You may not import this character here." : "The import failed.")),
        " ", h("span", {}, fields.length ? fields.map(([loc, m]) => `${loc.replace(/^body\./, "")}: ${m}`).join("; ") : x.message));
    } finally {
      submit.disabled = false;
      submit.textContent = "Import";
    }
  });

  function drawResult(out) {
    const ch = out.character;
    const link = h("a", { href: `#/c/${c}/characters/${encodeURIComponent(ch.id)}` }, ch.name);
    const changes = out.changes || [];
    clear(result).append(h("section", { class: `card ddb-done ${out.created ? "created" : "updated"}`, "aria-labelledby": "ddb-done-h" },
      h("h2", { id: "ddb-done-h" }, out.created ? "Imported" : "Updated"),
      h("p", {}, out.created ? ["New character ", link, ` (D&D Beyond ${out.dndbeyond_id}).`]
        : [link, ` was imported before (D&D Beyond ${out.dndbeyond_id}); `,
          changes.length ? `${changes.length} field${changes.length === 1 ? "" : "s"} changed:` : "nothing on the sheet changed."]),
      changes.length ? h("div", { class: "table-wrap" }, h("table", { class: "ddb-changes" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Field"), h("th", { scope: "col" }, "Before"), h("th", { scope: "col" }, "Now"))),
        h("tbody", {}, changes.map((x) => h("tr", {},
          h("td", {}, h("code", {}, x.field)), h("td", { class: "old" }, show(x.old)), h("td", { class: "new" }, show(x.new))))))) : null));
  }
}

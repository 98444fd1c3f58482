import * as api from "../api.js";
import { h, field, showErrors, clear } from "../dom.js";
import { whoAmI, clearErrors } from "./character-kit.js";

// Export and import. Both are answered in one request (no background job),
// so progress is the steps this page goes through: read, check, upload,
// done with the counts the server reports.
export async function render(ctx) {
  const cid = ctx.params.campaign;
  const [c, who] = await Promise.all([api.get(`/campaigns/${cid}`), whoAmI(cid)]);
  if (!ctx.current()) return;
  ctx.title(`Export · ${c.name}`);
  ctx.main.append(h("h1", {}, "Export and import"));
  const grid = h("div", { class: "grid-2 even" });
  ctx.main.append(grid);

  if (who.gm) {
    const status = h("p", { class: "muted", role: "status", "aria-live": "polite" });
    const download = async (format, button) => {
      button.disabled = true;
      status.textContent = `Preparing the ${format === "json" ? "JSON document" : "campaign book"}…`;
      try {
        // A plain link cannot carry the bearer token: fetch it, then hand
        // the browser the bytes as a Blob URL to save.
        const res = await api.request("GET", `/campaigns/${cid}/export?format=${format}`, undefined, { raw: true });
        const blob = await res.blob();
        const url = URL.createObjectURL(blob);
        const a = h("a", { href: url, download: `${slug(c.name)}-${new Date().toISOString().slice(0, 10)}.${format === "json" ? "json" : "md"}`, class: "sr-only" }, "download");
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 60000);
        status.textContent = `Downloaded ${a.download} (${size(blob.size)}).`;
      } catch (err) {
        status.textContent = err.message;
      } finally {
        button.disabled = false;
      }
    };
    const jsonBtn = h("button", { type: "button", id: "export-json" }, "Download JSON");
    const mdBtn = h("button", { type: "button", class: "secondary", id: "export-md" }, "Download campaign book (Markdown)");
    jsonBtn.addEventListener("click", () => download("json", jsonBtn));
    mdBtn.addEventListener("click", () => download("markdown", mdBtn));
    grid.append(h("section", { class: "card", "aria-labelledby": "export-title" },
      h("h2", { id: "export-title" }, `Export ${c.name}`),
      h("p", {}, "The JSON document holds the whole campaign — characters, relationships, places, plots, sessions, keywords — and imports back into gmc. The campaign book is the same, written for reading."),
      h("div", { class: "actions" }, jsonBtn, mdBtn), status));
  } else {
    grid.append(h("section", { class: "card" }, h("h2", {}, "Export"), h("p", { class: "muted" }, "Only the campaign's GM can export it.")));
  }

  const file = h("input", { type: "file", name: "file", accept: ".json,application/json", required: true });
  const name = h("input", { name: "name", maxlength: 255, placeholder: "as in the file" });
  const steps = h("ol", { class: "steps", "aria-live": "polite", id: "import-progress" });
  const result = h("div", { id: "import-result", "aria-live": "polite" });
  const form = h("form", { class: "card", id: "import-form", "aria-labelledby": "import-title" },
    h("h2", { id: "import-title" }, "Import into a new campaign"),
    h("p", { class: "muted" }, "Choose a JSON export. It becomes a new campaign with you as its GM; members whose e-mail has an account here join with their roles."),
    field("Export file", file), field("Name of the new campaign", name),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Import")), steps, result);
  let doc = null;
  file.addEventListener("change", async () => {
    doc = null;
    clear(steps); clear(result);
    const f = file.files[0];
    if (!f) return;
    const s = step(`Reading ${f.name} (${size(f.size)})`);
    try {
      doc = JSON.parse(await f.text());
      if (!doc || typeof doc !== "object" || !doc.campaign || typeof doc.format_version !== "number") throw new Error("this is not a gmc campaign export (no format_version or campaign)");
      done(s, `Read ${f.name}: ${summary(doc)}`);
      if (!name.value) name.placeholder = doc.campaign.name || "";
    } catch (err) {
      doc = null;
      fail(s, `${f.name}: ${err.message}`);
    }
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    if (!doc) { showErrors(form, { message: "Choose a gmc JSON export first." }); return; }
    const body = { ...doc, campaign: { ...doc.campaign } };
    if (name.value.trim()) body.campaign.name = name.value.trim();
    const btn = form.querySelector('button[type="submit"]');
    btn.disabled = true;
    clear(result);
    const s = step(`Uploading and importing “${body.campaign.name}”`);
    s.classList.add("busy");
    try {
      const out = await api.post("/campaigns/import", body);
      const counts = Object.entries(out.counts || {}).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k.replace(/_/g, " ")}`);
      done(s, `Imported “${out.campaign.name}”`);
      result.append(...[
        h("p", {}, counts.length ? `Created ${counts.join(", ")}.` : "The campaign was empty."),
        out.skipped_members && out.skipped_members.length ? h("p", { class: "muted" }, `No account here for ${out.skipped_members.join(", ")}: invite them.`) : null,
        h("p", {}, h("a", { class: "button", href: `#/c/${out.campaign.id}`, id: "imported-link" }, `Open ${out.campaign.name}`)),
      ].filter(Boolean));
    } catch (err) {
      fail(s, "Import failed");
      showErrors(form, err);
    } finally {
      btn.disabled = false;
    }
  });
  grid.append(form);

  function step(text) { const li = h("li", { class: "busy" }, text, "…"); steps.append(li); return li; }
  function done(li, text) { li.className = "ok"; li.textContent = text; }
  function fail(li, text) { li.className = "failed"; li.textContent = text; }
}

function summary(doc) {
  const parts = [];
  for (const k of ["characters", "relationships", "locations", "plots", "sessions", "keywords"]) {
    const n = Array.isArray(doc[k]) ? doc[k].length : 0;
    if (n) parts.push(`${n} ${k}`);
  }
  return `“${doc.campaign.name}”${parts.length ? ", " + parts.join(", ") : ""}`;
}

function slug(s) { return s.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "campaign"; }

function size(n) { return n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1048576).toFixed(1)} MB`; }

import * as api from "../api.js";
import { h, clear, field, showErrors, toast } from "../dom.js";
import { roleIn, ifMatch, confirmBox, options } from "./worldkit.js";

// Custom keywords: the campaign's own terms that the live table listens
// for (a faction, a deity, a magic item), with their aliases and the note
// shown on their card.

function keywordForm(k, onDone, onCancel) {
  const form = h("form", { class: "card keyword-form", "aria-label": k ? `Edit ${k.term}` : "New keyword" },
    h("h2", {}, k ? `Edit ${k.term}` : "New keyword"),
    h("div", { class: "grid-2 keyword-grid" },
      h("div", {},
        field("Term", h("input", { name: "term", required: true, maxlength: 255, value: k ? k.term : "", placeholder: "Iron Lanterns" })),
        field("Aliases", h("input", { name: "aliases", value: k ? k.aliases.join(", ") : "", placeholder: "the Lanterns, Lanternmen" }), "Other names, separated by commas"),
        field("Card note", h("textarea", { name: "notes", rows: 3, maxlength: 10000 }, k ? k.notes : ""), "Shown on the keyword's card at the table")),
      h("div", {},
        field("Category", h("input", { name: "category", maxlength: 32, value: k ? k.category : "", placeholder: "faction, deity, item…" }), "One word; custom if left empty"),
        field("Who sees it", h("select", { name: "visibility" }, options([["gm", "GM only"], ["players", "Players too"]], k ? k.visibility : "gm"))),
        h("div", { class: "field check" },
          h("label", {}, h("input", { type: "checkbox", name: "common", checked: k ? k.common : false }), " An everyday word"),
          h("small", { class: "muted" }, "Alert only when the words around it show the game sense")))),
    h("div", { class: "actions" }, h("button", { type: "submit" }, k ? "Save" : "Add keyword"),
      onCancel ? h("button", { type: "button", class: "secondary", onclick: onCancel }, "Cancel") : null));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const el = form.elements;
    const body = {
      term: el.term.value.trim(),
      aliases: el.aliases.value.split(",").map((s) => s.trim()).filter(Boolean),
      category: el.category.value.trim(),
      visibility: el.visibility.value,
      common: el.common.checked,
      notes: el.notes.value,
    };
    try {
      const saved = k ? await api.put(`/keywords/${k.id}`, body, ifMatch(k.version)) : await api.post(`/campaigns/${onDone.campaign}/keywords`, body);
      await onDone(saved);
    } catch (err) { showErrors(form, err); }
  });
  return form;
}

export async function render(ctx) {
  const { campaign } = ctx.params;
  const gm = (await roleIn(campaign)) === "gm";
  ctx.title("Keywords");
  const category = ctx.query.get("category") || "";
  const list = h("div", { "aria-live": "polite" });
  const formSlot = h("div");
  ctx.main.append(h("div", { class: "page-head" }, h("h1", {}, "Custom keywords"),
    gm ? h("button", { type: "button", onclick: () => showForm(null) }, "New keyword") : null),
  h("p", { class: "muted" }, "Names the live table listens for: when someone says one, its card appears beside the transcript."),
  formSlot, list);

  function showForm(k, slot = formSlot) {
    const done = async (saved) => { clear(slot); toast(k ? `Saved ${saved.term}` : `Added ${saved.term}`, "ok"); await draw(); };
    done.campaign = campaign;
    const form = keywordForm(k, done, () => { clear(slot); if (k) draw(); });
    clear(slot).append(form);
    form.querySelector("input").focus();
  }

  async function draw() {
    const items = await api.all(`/campaigns/${campaign}/keywords${category ? `?category=${encodeURIComponent(category)}` : ""}`);
    clear(list);
    const cats = [...new Set(items.map((k) => k.category))].sort();
    if (category || cats.length > 1) {
      list.append(h("div", { class: "chips", role: "group", "aria-label": "Filter by category" },
        h("a", { class: "chip", href: `#/c/${encodeURIComponent(campaign)}/keywords`, "aria-current": category ? null : "true" }, "All"),
        (category ? [category] : cats).map((c) => h("a", { class: "chip", href: `#/c/${encodeURIComponent(campaign)}/keywords?category=${encodeURIComponent(c)}`, "aria-current": c === category ? "true" : null }, c))));
    }
    if (items.length === 0) { list.append(h("p", { class: "muted" }, gm ? "No keywords yet: add the names your table uses." : "No keywords yet.")); return; }
    const rows = items.map((k) => {
      const tr = h("tr", { dataset: { id: k.id } },
        h("th", { scope: "row" }, k.term, k.common ? h("span", { class: "badge", title: "An everyday word: alerts need the game sense" }, "common") : null),
        h("td", { "data-label": "Aliases" }, k.aliases.length ? k.aliases.join(", ") : h("span", { class: "muted" }, "—")),
        h("td", { "data-label": "Category" }, h("span", { class: "badge" }, k.category)),
        gm ? h("td", { "data-label": "Seen by" }, h("span", { class: k.visibility === "gm" ? "badge gm" : "badge" }, k.visibility === "gm" ? "GM only" : "players")) : null,
        h("td", { class: "kw-notes", "data-label": "Card note" }, k.notes || h("span", { class: "muted" }, "—")),
        gm ? h("td", { class: "row-actions" },
          h("button", { type: "button", class: "link", "aria-label": `Edit ${k.term}`, onclick: () => {
            const slot = h("td", { colspan: 6 });
            tr.replaceWith(h("tr", { class: "editing" }, slot));
            showForm(k, slot);
          } }, "Edit"),
          h("button", { type: "button", class: "link danger-link", "aria-label": `Delete ${k.term}`, onclick: async () => {
            if (!(await confirmBox(`Delete the keyword “${k.term}”?`))) return;
            try { await api.del(`/keywords/${k.id}`, ifMatch(k.version)); toast(`Deleted ${k.term}`, "ok"); await draw(); } catch (err) { toast(err.message, "error"); }
          } }, "Delete")) : null);
      return tr;
    });
    list.append(h("div", { class: "table-scroll" }, h("table", { class: "keywords" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Term"), h("th", { scope: "col" }, "Aliases"), h("th", { scope: "col" }, "Category"),
        gm ? h("th", { scope: "col" }, "Seen by") : null, h("th", { scope: "col" }, "Card note"), gm ? h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Actions")) : null)),
      h("tbody", {}, rows))));
  }
  await draw();
}

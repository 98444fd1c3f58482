import * as api from "../api.js";
import { h, field, debounce, clear } from "../dom.js";
import { whoAmI, visibilityBadge, memberName } from "./character-kit.js";

// The campaign's characters, filtered by type, tag and text. The filters
// live in the address (?type=npc&tag=x&q=y) so a filtered list can be
// bookmarked and the back button returns to it.
export async function render(ctx) {
  const id = ctx.params.campaign;
  const who = await whoAmI(id);
  if (!ctx.current()) return;
  const q = ctx.query;

  const type = h("select", { name: "character_type" },
    h("option", { value: "" }, "All"), h("option", { value: "pc" }, "Player characters"), h("option", { value: "npc" }, "NPCs"));
  type.value = q.get("type") || "";
  const tag = h("input", { name: "tag", value: q.get("tag") || "", placeholder: "e.g. saltmere", autocomplete: "off" });
  const text = h("input", { name: "q", type: "search", value: q.get("q") || "", placeholder: "name, alias or notes", autocomplete: "off" });
  const status = h("p", { class: "muted", role: "status", "aria-live": "polite" });
  const list = h("ul", { class: "cards character-cards", id: "character-list" });

  const filters = h("form", { class: "toolbar", role: "search", "aria-label": "Filter characters" },
    field("Type", type), field("Tag", tag), field("Text", text),
    h("button", { type: "submit", class: "secondary" }, "Filter"));

  const canCreate = who.gm || who.role === "player";
  ctx.main.append(
    h("div", { class: "page-head" },
      h("h1", {}, "Characters"),
      canCreate ? h("div", { class: "actions" },
        h("a", { class: "button", href: `#/c/${id}/characters/new` }, "New character"),
        h("a", { class: "button secondary", href: `#/c/${id}/characters/import/dndbeyond` }, "Import from D&D Beyond")) : null),
    filters, status, list);

  const owners = new Map(who.members.map((m) => [m.user_id, m]));
  let seq = 0;
  const load = async () => {
    const my = ++seq;
    const params = new URLSearchParams();
    if (type.value) params.set("character_type", type.value);
    if (tag.value.trim()) params.set("tag", tag.value.trim());
    if (text.value.trim()) params.set("q", text.value.trim());
    const shown = new URLSearchParams();
    if (type.value) shown.set("type", type.value);
    if (tag.value.trim()) shown.set("tag", tag.value.trim());
    if (text.value.trim()) shown.set("q", text.value.trim());
    // Keep the address in step without a new history entry per keystroke.
    history.replaceState(null, "", `#/c/${id}/characters${shown.toString() ? "?" + shown : ""}`);
    status.textContent = "Loading…";
    let items;
    try {
      items = await api.all(`/campaigns/${id}/characters${params.toString() ? "?" + params : ""}`);
    } catch (err) {
      if (my === seq) status.textContent = err.message;
      return;
    }
    if (my !== seq || !ctx.current()) return;
    // Player characters first, then NPCs, each by name.
    items.sort((a, b) => b.character_type.localeCompare(a.character_type) || a.name.localeCompare(b.name));
    clear(list);
    status.textContent = items.length === 0
      ? (params.toString() ? "No character matches these filters." : "No characters yet.")
      : `${items.length} character${items.length === 1 ? "" : "s"}`;
    for (const ch of items) {
      const owner = ch.owner_id ? owners.get(ch.owner_id) : null;
      list.append(h("li", { class: "card character-card", "data-character": ch.id },
        h("h2", {}, h("a", { href: `#/c/${id}/characters/${ch.id}` }, ch.name)),
        h("p", { class: "badges" },
          h("span", { class: `badge type-${ch.character_type}` }, ch.character_type === "pc" ? "PC" : "NPC"),
          " ", visibilityBadge(ch.visibility),
          owner ? h("span", { class: "muted small" }, ` played by ${memberName(owner)}`) : null),
        ch.aliases && ch.aliases.length ? h("p", { class: "muted small" }, "also ", ch.aliases.join(", ")) : null,
        ch.tags && ch.tags.length ? h("p", { class: "tags" }, ch.tags.map((t) =>
          h("button", { type: "button", class: "tag", onclick: () => { tag.value = t; load(); }, "aria-label": `Filter by tag ${t}` }, "#" + t))) : null,
      ));
    }
  };

  filters.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  type.addEventListener("change", load);
  const later = debounce(load, 250);
  tag.addEventListener("input", later);
  text.addEventListener("input", later);
  await load();
}

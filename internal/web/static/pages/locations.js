import * as api from "../api.js";
import { h, clear, field, showErrors, toast, formValues } from "../dom.js";
import { roleIn, ifMatch, confirmBox, options } from "./worldkit.js";
import { imageCard } from "./file-kit.js";

// Locations: the tree, loaded one level at a time as the user expands it,
// beside the chosen location's breadcrumb, description and (for a GM) the
// forms to add, edit, move and delete. ?focus=<id> opens the tree down to
// a location (search results link here).

export async function render(ctx) {
  const { campaign } = ctx.params;
  const gm = (await roleIn(campaign)) === "gm";
  ctx.title("Locations");

  // node per location id: {loc, count, children (null until loaded), expanded}
  const nodes = new Map();
  let roots = [];
  let selected = ctx.query.get("focus") || "";

  const treeEl = h("ul", { role: "tree", class: "tree", "aria-label": "Locations", "aria-busy": "true" });
  const detail = h("section", { class: "card loc-detail", "aria-live": "polite", "aria-label": "Location" });
  ctx.main.append(h("h1", {}, "Locations"),
    h("div", { class: "grid-2 loc-layout" },
      h("div", { class: "card loc-tree" },
        h("div", { class: "loc-tree-head" }, h("h2", {}, "Tree"),
          gm ? h("button", { type: "button", class: "secondary", onclick: () => showCreate(null) }, "New root location") : null),
        treeEl),
      detail));

  // level loads the children of parentId (or the roots) with their
  // children counts: the list does not carry counts, a location's own
  // answer does, so each entry of the level is read once.
  async function level(parentId) {
    const items = await api.all(`/campaigns/${campaign}/locations${parentId ? `?parent_id=${parentId}` : ""}`);
    const views = await Promise.all(items.map((l) => api.get(`/locations/${l.id}`)));
    return views.map((v) => {
      const old = nodes.get(v.id);
      const n = { loc: v, count: v.children_count, children: old ? old.children : null, expanded: old ? old.expanded : false };
      nodes.set(v.id, n);
      return v.id;
    });
  }

  async function expand(id, on = true) {
    const n = nodes.get(id);
    if (!n || n.count === 0) return;
    if (on && n.children === null) {
      n.loading = true; draw();
      try { n.children = await level(id); } finally { n.loading = false; }
    }
    n.expanded = on;
    draw();
  }

  // reload re-reads every level that is open, keeping what is expanded.
  async function reload() {
    const open = new Set([...nodes.values()].filter((n) => n.expanded).map((n) => n.loc.id));
    nodes.clear();
    roots = await level("");
    const walk = async (ids) => {
      for (const id of ids) {
        const n = nodes.get(id);
        if (n && open.has(id) && n.count > 0) { n.children = await level(id); n.expanded = true; await walk(n.children); }
      }
    };
    await walk(roots);
  }

  // focusOn opens the tree down to id, one level at a time.
  async function focusOn(id) {
    const v = await api.get(`/locations/${id}`);
    for (const a of v.ancestors || []) {
      if (!nodes.has(a.id)) break;
      await expand(a.id, true);
    }
    selected = id;
  }

  function visibleIds() {
    const out = [];
    const walk = (ids) => { for (const id of ids) { out.push(id); const n = nodes.get(id); if (n.expanded && n.children) walk(n.children); } };
    walk(roots);
    return out;
  }
  function parentOf(id) {
    for (const n of nodes.values()) if (n.children && n.children.includes(id)) return n.loc.id;
    return "";
  }

  function item(id, depth) {
    const n = nodes.get(id);
    const l = n.loc;
    const has = n.count > 0;
    const li = h("li", {
      role: "treeitem", id: `loc-${id}`, "aria-level": depth, "aria-selected": String(id === selected),
      "aria-expanded": has ? String(n.expanded) : null, tabindex: id === (selected || roots[0]) ? "0" : "-1", dataset: { id },
      class: "tree-item",
    },
      h("div", { class: "tree-row" },
        has ? h("button", { type: "button", class: "tree-toggle", tabindex: "-1", "aria-hidden": "true",
          onclick: (e) => { e.stopPropagation(); expand(id, !n.expanded); } }, n.expanded ? "▾" : "▸") : h("span", { class: "tree-toggle" }),
        h("span", { class: "tree-name" }, l.name),
        l.location_type ? h("span", { class: "badge" }, l.location_type) : null,
        has ? h("span", { class: "muted tree-count", title: `${n.count} inside` }, `${n.count}`) : null,
        l.visibility === "gm" && gm ? h("span", { class: "badge gm", title: "GM only" }, "GM") : null,
        n.loading ? h("span", { class: "muted" }, "…") : null));
    li.addEventListener("click", (e) => { e.stopPropagation(); select(id); });
    if (has && n.expanded && n.children) {
      li.append(h("ul", { role: "group" }, n.children.map((c) => item(c, depth + 1))));
    }
    return li;
  }

  function draw() {
    const had = treeEl.contains(document.activeElement);
    clear(treeEl);
    treeEl.removeAttribute("aria-busy");
    if (roots.length === 0) treeEl.append(h("li", { class: "muted" }, gm ? "No locations yet: add the first one." : "No locations yet."));
    for (const id of roots) treeEl.append(item(id, 1));
    if (!treeEl.querySelector('[role=treeitem][tabindex="0"]')) {
      const first = treeEl.querySelector("[role=treeitem]");
      if (first) first.tabIndex = 0;
    }
    if (had) {
      const el = treeEl.querySelector(`[data-id="${CSS.escape(selected)}"]`) || treeEl.querySelector("[role=treeitem]");
      if (el) el.focus();
    }
  }

  function moveFocus(id) {
    for (const el of treeEl.querySelectorAll("[role=treeitem]")) el.tabIndex = -1;
    const el = treeEl.querySelector(`[data-id="${CSS.escape(id)}"]`);
    if (el) { el.tabIndex = 0; el.focus(); }
  }

  treeEl.addEventListener("keydown", async (e) => {
    const cur = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.id : "";
    if (!cur || !nodes.has(cur)) return;
    const vis = visibleIds();
    const i = vis.indexOf(cur);
    const n = nodes.get(cur);
    let handled = true;
    switch (e.key) {
      case "ArrowDown": if (i < vis.length - 1) moveFocus(vis[i + 1]); break;
      case "ArrowUp": if (i > 0) moveFocus(vis[i - 1]); break;
      case "Home": moveFocus(vis[0]); break;
      case "End": moveFocus(vis[vis.length - 1]); break;
      case "ArrowRight":
        if (n.count > 0 && !n.expanded) { await expand(cur, true); moveFocus(cur); }
        else if (n.expanded && n.children && n.children.length) moveFocus(n.children[0]);
        break;
      case "ArrowLeft":
        if (n.expanded) { await expand(cur, false); moveFocus(cur); }
        else { const p = parentOf(cur); if (p) moveFocus(p); }
        break;
      case "Enter": case " ": await select(cur); moveFocus(cur); break;
      default: handled = false;
    }
    if (handled) e.preventDefault();
  });

  async function select(id) {
    selected = id;
    history.replaceState(null, "", `#/c/${encodeURIComponent(campaign)}/locations?focus=${encodeURIComponent(id)}`);
    for (const el of treeEl.querySelectorAll("[role=treeitem]")) el.setAttribute("aria-selected", String(el.dataset.id === id));
    await showDetail(id);
  }

  async function showDetail(id) {
    clear(detail);
    if (!id) { detail.append(h("p", { class: "muted" }, "Choose a location in the tree.")); return; }
    let v;
    try { v = await api.get(`/locations/${id}`); } catch (e) {
      if (e.status === 404) { detail.append(h("p", { class: "muted" }, "This location no longer exists.")); return; }
      throw e;
    }
    if (selected !== id) return;
    clear(detail).append(
      h("nav", { "aria-label": "Breadcrumb", class: "breadcrumb" },
        h("ol", {}, (v.ancestors || []).map((a) => h("li", {}, h("button", { type: "button", class: "link", onclick: () => focusAndSelect(a.id) }, a.name))),
          h("li", { "aria-current": "location" }, v.name))),
      h("h2", { id: "loc-title" }, v.name),
      h("p", {}, v.location_type ? h("span", { class: "badge" }, v.location_type) : null, " ",
        gm ? h("span", { class: v.visibility === "gm" ? "badge gm" : "badge" }, v.visibility === "gm" ? "GM only" : "Players see it") : null, " ",
        h("span", { class: "muted" }, v.children_count ? `${v.children_count} location${v.children_count === 1 ? "" : "s"} inside` : "Nothing inside")),
      v.description ? h("p", { class: "prose" }, v.description) : h("p", { class: "muted" }, "No description."));
    if (gm) {
      const slot = h("div", { class: "loc-form" });
      detail.append(h("div", { class: "actions" },
        h("button", { type: "button", onclick: () => editForm(slot, v) }, "Edit"),
        h("button", { type: "button", class: "secondary", onclick: () => showCreate(v) }, "Add a location inside"),
        h("button", { type: "button", class: "secondary", onclick: () => moveForm(slot, v) }, "Move to…"),
        h("button", { type: "button", class: "danger", onclick: () => remove(v) }, "Delete")), slot);
    }
    detail.append(imageCard(ctx, { campaignId: campaign, kind: "map", attachField: "location_id", attachId: v.id, title: "Map", canUpload: gm, className: "map-card" }));
  }

  async function focusAndSelect(id) { await focusOn(id); draw(); await select(id); }

  function locFields(v) {
    return [
      field("Name", h("input", { name: "name", required: true, maxlength: 255, value: v ? v.name : "" })),
      field("Type", h("input", { name: "location_type", maxlength: 255, value: v ? v.location_type : "", placeholder: "city, tavern, dungeon…" })),
      field("Description", h("textarea", { name: "description", rows: 4 }, v ? v.description : "")),
      field("Who sees it", h("select", { name: "visibility" }, options([["gm", "GM only"], ["players", "Players too"]], v ? v.visibility : "gm"))),
    ];
  }

  function showCreate(parent) {
    const slot = detail.querySelector(".loc-form") || detail;
    if (slot === detail) clear(detail);
    const form = h("form", { class: "card", "aria-label": "New location" },
      h("h3", {}, parent ? `New location inside ${parent.name}` : "New root location"),
      locFields(null),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Create"),
        h("button", { type: "button", class: "secondary", onclick: () => showDetail(selected) }, "Cancel")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = formValues(form);
      if (parent) body.parent_id = parent.id;
      try {
        const l = await api.post(`/campaigns/${campaign}/locations`, body);
        toast(`Created ${l.name}`, "ok");
        if (parent) { const n = nodes.get(parent.id); if (n) n.expanded = true; }
        await reload();
        await focusOn(l.id);
        draw();
        await select(l.id);
      } catch (err) { showErrors(form, err); }
    });
    clear(slot).append(form);
    form.querySelector("input").focus();
  }

  function editForm(slot, v) {
    const form = h("form", { class: "card", "aria-label": "Edit location" }, h("h3", {}, `Edit ${v.name}`), locFields(v),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Save"),
        h("button", { type: "button", class: "secondary", onclick: () => clear(slot) }, "Cancel")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const b = formValues(form);
      try {
        await api.patch(`/locations/${v.id}`, { name: b.name || "", location_type: b.location_type || "", description: b.description || "", visibility: b.visibility }, ifMatch(v.version));
        toast("Saved", "ok");
        await reload(); draw(); await showDetail(v.id);
      } catch (err) { showErrors(form, err); }
    });
    clear(slot).append(form);
    form.querySelector("input").focus();
  }

  async function moveForm(slot, v) {
    const all = await api.all(`/campaigns/${campaign}/locations?flat=true`);
    const pick = h("select", { name: "parent_id" },
      h("option", { value: "" }, "(top level)"),
      all.filter((l) => l.id !== v.id).map((l) => h("option", { value: l.id, selected: l.id === v.parent_id }, `${"\u00a0\u00a0\u00a0".repeat(l.depth - 1)}${l.depth > 1 ? "└\u00a0" : ""}${l.name}`)));
    const form = h("form", { class: "card", "aria-label": "Move location" },
      h("h3", {}, `Move ${v.name}`),
      h("p", { class: "muted" }, "Everything inside it moves with it."),
      field("New place", pick),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Move"),
        h("button", { type: "button", class: "secondary", onclick: () => clear(slot) }, "Cancel")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        await api.post(`/locations/${v.id}/move`, { parent_id: pick.value || null }, ifMatch(v.version));
        toast(`Moved ${v.name}`, "ok");
        if (pick.value) { const n = nodes.get(pick.value); if (n) n.expanded = true; }
        await reload();
        await focusOn(v.id);
        draw();
        await select(v.id);
      } catch (err) {
        if (err.status === 409 && err.problem && /cycle|below itself|descendant/i.test(err.message)) {
          err.message = `Refused: ${v.name} cannot go inside itself or a place within it (${err.message}).`;
        }
        showErrors(form, err);
      }
    });
    clear(slot).append(form);
    pick.focus();
  }

  async function remove(v) {
    const q = v.children_count > 0
      ? `Delete ${v.name} and everything inside it (${v.children_count} location${v.children_count === 1 ? "" : "s"} directly inside, and all below them)?`
      : `Delete ${v.name}?`;
    if (!(await confirmBox(q, v.children_count > 0 ? "Delete all" : "Delete"))) return;
    try {
      await api.del(`/locations/${v.id}${v.children_count > 0 ? "?cascade=true" : ""}`, ifMatch(v.version));
      toast(`Deleted ${v.name}`, "ok");
      selected = v.parent_id || "";
      await reload(); draw(); await showDetail(selected);
    } catch (err) { toast(err.message, "error"); }
  }

  roots = await level("");
  if (!ctx.current()) return;
  if (selected) {
    try { await focusOn(selected); } catch (e) { if (e.status !== 404) throw e; selected = ""; }
  }
  draw();
  await showDetail(selected);
  if (selected) {
    const el = treeEl.querySelector(`[data-id="${CSS.escape(selected)}"]`);
    if (el) el.scrollIntoView({ block: "nearest" });
  }
}

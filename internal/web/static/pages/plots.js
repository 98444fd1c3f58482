import * as api from "../api.js";
import { h, svg, clear, field, showErrors, toast, formValues } from "../dom.js";
import { roleIn, ifMatch, confirmBox, options } from "./worldkit.js";

// Plot threads: a board with a column per status, the dependencies drawn
// as a graph (an arrow from a thread to each thread waiting on it), the
// chosen thread's detail (progress, milestones, dependencies,
// foreshadowing) and, for a GM, the reminders of what was left alone.

const statuses = [["hook", "Hooks"], ["active", "Active"], ["stalled", "Stalled"], ["resolved", "Resolved"], ["abandoned", "Abandoned"]];
const statusName = { hook: "Hook", active: "Active", stalled: "Stalled", resolved: "Resolved", abandoned: "Abandoned" };

function progressBar(value, label) {
  const fill = h("div", { class: "bar-fill" });
  fill.style.width = `${Math.max(0, Math.min(100, value))}%`;
  return h("div", { class: "bar", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": String(value), "aria-label": label }, fill);
}

export async function render(ctx) {
  const { campaign } = ctx.params;
  const gm = (await roleIn(campaign)) === "gm";
  ctx.title("Plot threads");
  let selected = ctx.query.get("focus") || "";
  let plots = [];
  let byId = new Map();
  let deps = new Map(); // id → ids it depends on directly

  const board = h("div", { class: "board", "aria-label": "Plot threads by status" });
  const detail = h("section", { class: "card plot-detail", "aria-label": "Plot thread", "aria-live": "polite" });
  const reminders = h("section", { class: "card plot-reminders", "aria-labelledby": "rem-title" });
  const graph = h("section", { class: "card plot-graph", "aria-labelledby": "graph-title" });
  const createSlot = h("div");

  ctx.main.append(
    h("div", { class: "page-head" }, h("h1", {}, "Plot threads"),
      gm ? h("button", { type: "button", onclick: () => createForm() }, "New plot thread") : null),
    createSlot, board,
    h("div", { class: "grid-2 plot-lower" }, detail, gm ? reminders : graph));
  if (gm) ctx.main.append(graph);

  async function load() {
    plots = await api.all(`/campaigns/${campaign}/plots`);
    byId = new Map(plots.map((p) => [p.id, p]));
    const lists = await Promise.all(plots.map((p) => api.get(`/plots/${p.id}/dependencies`)));
    deps = new Map(plots.map((p, i) => [p.id, (lists[i].upstream || []).filter((r) => (r.depth || 1) === 1).map((r) => r.id)]));
  }

  function drawBoard() {
    clear(board);
    for (const [st, label] of statuses) {
      const col = plots.filter((p) => p.status === st);
      board.append(h("section", { class: `board-col status-${st}`, "aria-labelledby": `col-${st}` },
        h("h2", { id: `col-${st}` }, label, " ", h("span", { class: "muted" }, String(col.length))),
        h("ul", { class: "board-cards" }, col.map((p) => h("li", {},
          h("button", { type: "button", class: `plot-card${p.id === selected ? " chosen" : ""}`, dataset: { id: p.id }, "aria-pressed": String(p.id === selected), onclick: () => select(p.id) },
            h("span", { class: "plot-card-title" }, p.title),
            progressBar(p.progress, `${p.title}: ${p.progress}%`),
            h("span", { class: "plot-card-meta" }, h("span", {}, `${p.progress}%`),
              p.milestones && p.milestones.length ? h("span", {}, `${p.milestones.filter((m) => m.done).length}/${p.milestones.length} milestones`) : null,
              gm && p.visibility === "gm" ? h("span", { class: "badge gm" }, "GM") : null),
            p.blocked_by && p.blocked_by.length ? h("span", { class: "blocked" }, "Blocked by ", p.blocked_by.map((b) => b.title).join(", ")) : null))))));
    }
  }

  // drawGraph lays threads out in columns by how deep their chain of
  // prerequisites is, so every arrow points right.
  function drawGraph() {
    clear(graph).append(h("h2", { id: "graph-title" }, "Dependencies"));
    const edges = [];
    for (const [id, ups] of deps) for (const u of ups) if (byId.has(u)) edges.push([u, id]);
    if (edges.length === 0) { graph.append(h("p", { class: "muted" }, "No thread waits on another yet.")); return; }
    const layer = new Map();
    const depth = (id, seen = new Set()) => {
      if (layer.has(id)) return layer.get(id);
      if (seen.has(id)) return 0;
      seen.add(id);
      const ups = (deps.get(id) || []).filter((u) => byId.has(u));
      const d = ups.length ? 1 + Math.max(...ups.map((u) => depth(u, seen))) : 0;
      layer.set(id, d);
      return d;
    };
    const linked = new Set(edges.flat());
    const ids = plots.map((p) => p.id).filter((id) => linked.has(id));
    ids.forEach((id) => depth(id));
    const cols = [];
    for (const id of ids) { const d = layer.get(id); (cols[d] = cols[d] || []).push(id); }
    const W = 200, H = 46, GX = 70, GY = 18, PAD = 10;
    const pos = new Map();
    cols.forEach((col, x) => col.forEach((id, y) => pos.set(id, { x: PAD + x * (W + GX), y: PAD + y * (H + GY) })));
    const width = PAD * 2 + cols.length * W + (cols.length - 1) * GX;
    const height = PAD * 2 + Math.max(...cols.map((c) => c.length)) * (H + GY) - GY;
    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, class: "dep-graph", role: "group", "aria-label": "Dependencies between plot threads" },
      svg("defs", {}, svg("marker", { id: "dep-arrow", viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "8", markerHeight: "8", orient: "auto-start-reverse" },
        svg("path", { d: "M0,0 L10,5 L0,10 z", class: "dep-arrowhead" }))));
    for (const [from, to] of edges) {
      const a = pos.get(from), b = pos.get(to);
      const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x - 2, y2 = b.y + H / 2;
      const mx = (x1 + x2) / 2;
      const blocking = !["resolved", "abandoned"].includes(byId.get(from).status);
      root.append(svg("path", { d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`, class: `dep-edge${blocking ? " blocking" : ""}`, "marker-end": "url(#dep-arrow)" },
        svg("title", {}, `${byId.get(to).title} waits on ${byId.get(from).title}`)));
    }
    for (const id of ids) {
      const p = byId.get(id), { x, y } = pos.get(id);
      const title = p.title.length > 24 ? p.title.slice(0, 23) + "…" : p.title;
      const link = svg("a", { href: `#/c/${encodeURIComponent(campaign)}/plots?focus=${encodeURIComponent(id)}`, class: `dep-node status-${p.status}${id === selected ? " chosen" : ""}`, "aria-label": `${p.title} (${statusName[p.status]})` },
        svg("title", {}, `${p.title} — ${statusName[p.status]}, ${p.progress}%`),
        svg("rect", { x, y, width: W, height: H, rx: 8 }),
        svg("text", { x: x + 10, y: y + 19, class: "dep-title" }, title),
        svg("text", { x: x + 10, y: y + 36, class: "dep-sub" }, `${statusName[p.status]} · ${p.progress}%`));
      link.addEventListener("click", (e) => { e.preventDefault(); select(id); });
      root.append(link);
    }
    graph.append(h("div", { class: "graph-scroll" }, root),
      h("p", { class: "muted small" }, "An arrow runs from a thread to the threads waiting on it; a solid arrow still blocks."));
  }

  async function drawReminders() {
    if (!gm) return;
    clear(reminders).append(h("h2", { id: "rem-title" }, "Reminders"));
    const r = await api.get(`/campaigns/${campaign}/plots/reminders`);
    reminders.append(h("p", { class: "muted small" }, `Left alone for ${r.reminder_sessions} session${r.reminder_sessions === 1 ? "" : "s"} or more (latest session: ${r.latest_session_number || "none yet"}).`));
    if (!r.plots.length && !r.foreshadowing.length) { reminders.append(h("p", {}, "Nothing waiting.")); return; }
    if (r.plots.length) {
      reminders.append(h("h3", {}, "Threads"), h("ul", { class: "plain" }, r.plots.map((x) => h("li", {},
        h("button", { type: "button", class: "link", onclick: () => select(x.plot.id) }, x.plot.title), " ",
        h("span", { class: "muted" }, `${statusName[x.plot.status]}, untouched for ${x.sessions_untouched} session${x.sessions_untouched === 1 ? "" : "s"}`)))));
    }
    if (r.foreshadowing.length) {
      reminders.append(h("h3", {}, "Foreshadowing to pay off"), h("ul", { class: "plain" }, r.foreshadowing.map((x) => h("li", {},
        h("span", {}, x.foreshadowing.description), " ",
        h("span", { class: "muted" }, "— ", h("button", { type: "button", class: "link", onclick: () => select(x.plot.id) }, x.plot.title),
          `, planted ${x.sessions_since_planted} session${x.sessions_since_planted === 1 ? "" : "s"} ago`)))));
    }
  }

  async function select(id) {
    selected = id;
    history.replaceState(null, "", `#/c/${encodeURIComponent(campaign)}/plots?focus=${encodeURIComponent(id)}`);
    for (const b of board.querySelectorAll(".plot-card")) { b.classList.toggle("chosen", b.dataset.id === id); b.setAttribute("aria-pressed", String(b.dataset.id === id)); }
    await drawDetail();
    detail.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  async function refresh() {
    await load();
    drawBoard(); drawGraph();
    await Promise.all([drawDetail(), drawReminders()]);
  }

  // detailSeq keeps a slow answer from drawing over a newer one.
  let detailSeq = 0;
  async function drawDetail() {
    const seq = ++detailSeq;
    if (!selected) { clear(detail).append(h("h2", {}, "Thread"), h("p", { class: "muted" }, "Choose a thread on the board.")); return; }
    let p;
    try { p = await api.get(`/plots/${selected}`); } catch (e) {
      if (seq !== detailSeq) return;
      if (e.status === 404) { clear(detail).append(h("p", { class: "muted" }, "This plot thread no longer exists.")); return; }
      throw e;
    }
    if (seq !== detailSeq) return;
    const id = p.id;
    const ups = (deps.get(id) || []).map((u) => byId.get(u)).filter(Boolean);
    const downs = plots.filter((q) => (deps.get(q.id) || []).includes(id));
    const link = (q) => h("button", { type: "button", class: "link", onclick: () => select(q.id) }, q.title);

    // Element.append would print null as text: the optional parts go
    // through filter.
    clear(detail).append(...[
      h("h2", { id: "plot-title" }, p.title),
      h("p", {}, h("span", { class: `badge status-${p.status}` }, statusName[p.status]), " ",
        gm ? h("span", { class: p.visibility === "gm" ? "badge gm" : "badge" }, p.visibility === "gm" ? "GM only" : "Players see it") : null, " ",
        p.last_touched_session_number ? h("span", { class: "muted" }, `last moved in session ${p.last_touched_session_number}`) : null),
      progressBar(p.progress, `Progress ${p.progress}%`),
      p.summary ? h("p", { class: "prose" }, p.summary) : null,
      p.blocked_by && p.blocked_by.length ? h("p", { class: "blocked", role: "note" }, "Blocked by ", p.blocked_by.map((b, i) => [i ? ", " : "", link(b)])) : null].filter(Boolean));

    if (gm) {
      const range = h("input", { type: "range", name: "progress", min: 0, max: 100, step: 5, value: p.progress });
      const out = h("output", { class: "progress-out", "aria-live": "polite" }, `${p.progress}%`);
      range.addEventListener("input", () => { out.textContent = `${range.value}%`; });
      const st = h("select", { name: "status" }, options(statuses.map(([v]) => [v, statusName[v]]), p.status));
      const form = h("form", { class: "plot-progress", "aria-label": "Progress" },
        h("div", { class: "row" }, field("Progress", range), out, field("Status", st)),
        h("div", { class: "actions" }, h("button", { type: "submit" }, "Record progress")));
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        try {
          await api.put(`/plots/${id}/progress`, { progress: Number(range.value), status: st.value }, ifMatch(p.version));
          toast("Progress recorded", "ok");
          await refresh();
        } catch (err) { showErrors(form, err); }
      });
      detail.append(form);
    }

    // Milestones
    const ms = p.milestones || [];
    detail.append(h("h3", {}, "Milestones"));
    detail.append(ms.length ? h("ul", { class: "plain milestones" }, ms.map((m) => {
      const box = h("input", { type: "checkbox", checked: m.done, disabled: !gm, id: `ms-${m.id}` });
      box.addEventListener("change", async () => {
        try {
          await api.put(`/plots/${id}/progress`, { progress: p.progress, status: p.status, milestone_id: m.id, completed: box.checked }, ifMatch(p.version));
          await refresh();
        } catch (err) { box.checked = !box.checked; toast(err.message, "error"); }
      });
      return h("li", {}, box, " ", h("label", { for: box.id, class: m.done ? "done" : "" }, m.title));
    })) : h("p", { class: "muted" }, "No milestones."));
    if (gm) {
      const mi = h("input", { name: "title", required: true, maxlength: 255 });
      const mf = h("form", { class: "inline-form", "aria-label": "Add a milestone" }, field("New milestone", mi), h("button", { type: "submit", class: "secondary" }, "Add milestone"));
      mf.addEventListener("submit", async (e) => {
        e.preventDefault();
        const list = ms.map((m) => ({ id: m.id, title: m.title, done: m.done, order: m.order }));
        list.push({ title: mi.value.trim(), order: list.length + 1 });
        try { await api.patch(`/plots/${id}`, { milestones: list }, ifMatch(p.version)); await refresh(); } catch (err) { showErrors(mf, err); }
      });
      detail.append(mf);
    }

    // Dependencies
    detail.append(h("h3", {}, "Dependencies"),
      h("p", {}, h("strong", {}, "Waits on: "), ups.length ? ups.map((q, i) => [i ? ", " : "", link(q),
        gm ? h("button", { type: "button", class: "link danger-link", "aria-label": `Remove the dependency on ${q.title}`, onclick: async () => {
          try { await api.del(`/plots/${id}/dependencies/${q.id}`); toast("Dependency removed", "ok"); await refresh(); } catch (err) { toast(err.message, "error"); }
        } }, "✕") : null]) : h("span", { class: "muted" }, "nothing")),
      h("p", {}, h("strong", {}, "Needed by: "), downs.length ? downs.map((q, i) => [i ? ", " : "", link(q)]) : h("span", { class: "muted" }, "nothing")));
    if (gm) {
      const others = plots.filter((q) => q.id !== id && !ups.includes(q));
      const pick = h("select", { name: "depends_on", required: true }, h("option", { value: "" }, "Choose a thread…"), others.map((q) => h("option", { value: q.id }, q.title)));
      const df = h("form", { class: "inline-form", "aria-label": "Add a dependency" }, field("Make it wait on", pick), h("button", { type: "submit", class: "secondary" }, "Add dependency"));
      df.addEventListener("submit", async (e) => {
        e.preventDefault();
        try {
          await api.post(`/plots/${id}/dependencies`, { depends_on: pick.value });
          toast("Dependency added", "ok");
          await refresh();
        } catch (err) {
          if (err.status === 409) err.message = `Refused: ${err.message}.`;
          showErrors(df, err);
        }
      });
      detail.append(df);
    }

    // Foreshadowing
    const fs = p.foreshadowing || [];
    detail.append(h("h3", {}, "Foreshadowing"));
    detail.append(fs.length ? h("ul", { class: "plain foreshadowing" }, fs.map((f) => h("li", {},
      h("span", {}, f.description), " ",
      h("span", { class: "muted" }, f.planted_session_number ? `planted in session ${f.planted_session_number}` : "planted before the first session"), " ",
      f.revealed ? h("span", { class: "badge revealed" }, "revealed") : h("span", { class: "badge" }, "hidden"),
      gm ? h("span", { class: "actions-inline" },
        f.revealed ? null : h("button", { type: "button", class: "link", onclick: async () => {
          try { await api.patch(`/foreshadowing/${f.id}`, { revealed: true }, ifMatch(f.version)); toast("Marked revealed", "ok"); await drawDetail(); await drawReminders(); } catch (err) { toast(err.message, "error"); }
        } }, "Mark revealed"),
        h("button", { type: "button", class: "link danger-link", onclick: async () => {
          if (!(await confirmBox(`Delete this foreshadowing: “${f.description}”?`))) return;
          try { await api.del(`/foreshadowing/${f.id}`, ifMatch(f.version)); await drawDetail(); await drawReminders(); } catch (err) { toast(err.message, "error"); }
        } }, "Delete")) : null))) : h("p", { class: "muted" }, "No foreshadowing."));
    if (gm) {
      const fi = h("textarea", { name: "description", required: true, rows: 2, maxlength: 20000 });
      const ff = h("form", { class: "inline-form", "aria-label": "Plant foreshadowing" }, field("New hint", fi), h("button", { type: "submit", class: "secondary" }, "Plant"));
      ff.addEventListener("submit", async (e) => {
        e.preventDefault();
        try { await api.post(`/plots/${id}/foreshadowing`, { description: fi.value }); await drawDetail(); await drawReminders(); } catch (err) { showErrors(ff, err); }
      });
      detail.append(ff);
      detail.append(h("div", { class: "actions plot-admin" },
        h("button", { type: "button", class: "secondary", onclick: () => createForm(p) }, "Edit thread"),
        h("button", { type: "button", class: "danger", onclick: async () => {
          if (!(await confirmBox(`Delete “${p.title}” with its dependencies and foreshadowing?`))) return;
          try { await api.del(`/plots/${id}`, ifMatch(p.version)); selected = ""; history.replaceState(null, "", `#/c/${encodeURIComponent(campaign)}/plots`); await refresh(); } catch (err) { toast(err.message, "error"); }
        } }, "Delete thread")));
    }
  }

  // createForm creates a thread, or edits one's title, summary and
  // visibility.
  function createForm(p) {
    const form = h("form", { class: "card", "aria-label": p ? "Edit plot thread" : "New plot thread" },
      h("h2", {}, p ? `Edit ${p.title}` : "New plot thread"),
      h("div", { class: "grid-2" },
        h("div", {}, field("Title", h("input", { name: "title", required: true, maxlength: 255, value: p ? p.title : "" })),
          field("Summary", h("textarea", { name: "summary", rows: 3 }, p ? p.summary : ""))),
        h("div", {}, p ? null : field("Status", h("select", { name: "status" }, options(statuses.map(([v]) => [v, statusName[v]]), "hook"))),
          field("Who sees it", h("select", { name: "visibility" }, options([["gm", "GM only"], ["players", "Players too"]], p ? p.visibility : "gm"))))),
      h("div", { class: "actions" }, h("button", { type: "submit" }, p ? "Save" : "Create"),
        h("button", { type: "button", class: "secondary", onclick: () => clear(createSlot) }, "Cancel")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const b = formValues(form);
      try {
        if (p) await api.patch(`/plots/${p.id}`, { title: b.title || "", summary: b.summary || "", visibility: b.visibility }, ifMatch(p.version));
        else { const made = await api.post(`/campaigns/${campaign}/plots`, b); selected = made.id; }
        clear(createSlot);
        toast(p ? "Saved" : "Created", "ok");
        await refresh();
      } catch (err) { showErrors(form, err); }
    });
    clear(createSlot).append(form);
    form.querySelector("input").focus();
    createSlot.scrollIntoView({ block: "nearest" });
  }

  await load();
  if (!ctx.current()) return;
  drawBoard(); drawGraph();
  await Promise.all([drawDetail(), drawReminders()]);
}

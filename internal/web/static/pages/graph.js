import * as api from "../api.js";
import { h, svg, field, clear, debounce } from "../dom.js";
import { attitudeOf } from "./character-kit.js";

// The relationship graph around a character, drawn in SVG. The layout is a
// small force simulation started from a seeded position for each node, so
// the same graph is always drawn the same way.
export async function render(ctx) {
  const cid = ctx.params.campaign;
  const depth = Math.min(4, Math.max(1, Number(ctx.query.get("depth")) || 2));
  const all = await api.all(`/campaigns/${cid}/characters`);
  if (!ctx.current()) return;
  all.sort((a, b) => a.name.localeCompare(b.name));
  let center = ctx.query.get("center");
  if (!center || !all.some((c) => c.id === center)) {
    if (all.length === 0) {
      ctx.main.append(h("h1", {}, "Relationship graph"), h("p", {}, "No characters yet. ", h("a", { href: `#/c/${cid}/characters/new` }, "Create one")));
      return;
    }
    const first = all.find((c) => c.character_type === "pc") || all[0];
    ctx.navigate(`/c/${cid}/graph?center=${first.id}&depth=${depth}`, { replace: true });
    return;
  }
  const byId = new Map(all.map((c) => [c.id, c]));
  const go = (id, d = depth) => ctx.navigate(`/c/${cid}/graph?center=${id}&depth=${d}`);

  const graph = await api.get(`/campaigns/${cid}/graph?center=${encodeURIComponent(center)}&depth=${depth}`);
  if (!ctx.current()) return;
  const me = byId.get(center);
  ctx.title(`Graph around ${me.name}`);

  const depthSel = h("select", { name: "depth" }, [1, 2, 3, 4].map((d) => h("option", { value: d, selected: d === depth }, `${d} step${d > 1 ? "s" : ""}`)));
  depthSel.addEventListener("change", () => go(center, Number(depthSel.value)));
  const centreSel = picker("center", center);
  centreSel.addEventListener("change", () => go(centreSel.value));

  const stage = h("div", { class: "graph-stage" });
  const legend = h("p", { class: "graph-legend muted small" },
    h("span", { class: "lg lg-pc" }, "PC"), h("span", { class: "lg lg-npc" }, "NPC"),
    ...["warm", "friendly", "neutral", "wary", "hostile"].map((w) => h("span", { class: `lg lg-edge att-${w}` }, w)));
  const pathOut = h("div", { class: "path-out", "aria-live": "polite", id: "path-result" });
  const nodeList = h("ul", { class: "graph-nodes" });

  const from = picker("from", center);
  const to = picker("to", "");
  const pathForm = h("form", { class: "toolbar path-form", id: "path-form", "aria-labelledby": "path-title" },
    h("h2", { id: "path-title", class: "sr-only" }, "Shortest path"),
    field("From", from), field("To", to), h("button", { type: "submit" }, "Find shortest path"));

  ctx.main.append(
    h("div", { class: "page-head" },
      h("h1", {}, "Relationships around ", h("a", { href: `#/c/${cid}/characters/${center}`, id: "center-link" }, me.name)),
      h("div", { class: "toolbar compact" }, field("Centre", centreSel), field("Depth", depthSel))),
    h("p", { class: "muted small" }, "Click a character (or focus it and press Enter) to centre the graph on them."),
    stage, legend,
    h("section", { class: "card", "aria-labelledby": "path-h" }, h("h2", { id: "path-h" }, "Shortest path between two characters"), pathForm, pathOut),
    h("section", { class: "card", "aria-labelledby": "in-graph" }, h("h2", { id: "in-graph" }, "In this graph"), nodeList));

  let data = { nodes: graph.nodes || [], edges: graph.edges || [] };
  let onPath = { nodes: new Set(), edges: new Set() };
  draw();
  // The layout follows the drawing area's shape: draw again when it changes.
  let drawnWidth = stage.clientWidth;
  const resized = debounce(() => { if (ctx.current() && stage.clientWidth !== drawnWidth) { drawnWidth = stage.clientWidth; draw(); } }, 100);
  window.addEventListener("resize", resized);
  ctx.onLeave(() => window.removeEventListener("resize", resized));

  pathForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    clear(pathOut);
    if (!from.value || !to.value) { pathOut.append(h("p", { class: "form-error" }, "Choose both characters.")); return; }
    let path;
    try {
      path = await api.get(`/campaigns/${cid}/graph/path?from=${encodeURIComponent(from.value)}&to=${encodeURIComponent(to.value)}`);
    } catch (err) {
      onPath = { nodes: new Set(), edges: new Set() };
      draw();
      pathOut.append(h("p", { class: err.status === 404 ? "muted" : "form-error" }, err.status === 404 ? "No chain of relationships you can see connects them." : err.message));
      return;
    }
    const nodes = (path.nodes || []).slice().sort((a, b) => a.depth - b.depth);
    const edges = path.edges || [];
    // The path may leave the drawn neighbourhood: its nodes and edges join
    // the drawing so the highlight is whole.
    const have = new Set(data.nodes.map((n) => n.id));
    const haveE = new Set(data.edges.map((x) => x.id));
    data = {
      nodes: data.nodes.concat(nodes.filter((n) => !have.has(n.id)).map((n) => ({ ...n, depth: 9 }))),
      edges: data.edges.concat(edges.filter((x) => !haveE.has(x.id))),
    };
    onPath = { nodes: new Set(nodes.map((n) => n.id)), edges: new Set(edges.map((x) => x.id)) };
    draw();
    const steps = [];
    for (let i = 0; i < nodes.length; i++) {
      steps.push(h("li", {}, h("a", { href: `#/c/${cid}/characters/${nodes[i].id}` }, nodes[i].name)));
      if (i + 1 < nodes.length) {
        const a = nodes[i].id, b = nodes[i + 1].id;
        const ed = edges.find((x) => (x.source === a && x.target === b) || (x.source === b && x.target === a));
        if (ed) steps.push(h("li", { class: "path-edge" }, ed.source === a ? `${ed.kind.replace(/_/g, " ")} →` : `← ${ed.kind.replace(/_/g, " ")}`));
      }
    }
    pathOut.append(h("p", {}, `${nodes.length - 1} step${nodes.length === 2 ? "" : "s"} from ${nodes[0].name} to ${nodes[nodes.length - 1].name}:`),
      h("ol", { class: "path-steps", "aria-label": "Path" }, steps));
  });

  function picker(name, value) {
    const sel = h("select", { name }, h("option", { value: "" }, "Choose…"), all.map((c) => h("option", { value: c.id }, c.name)));
    sel.value = value;
    return sel;
  }

  function draw() {
    const tall = window.matchMedia("(max-width: 760px)").matches ? 420 : 560;
    const pos = layout(data.nodes, data.edges, center, (stage.clientWidth || 800) / tall);
    const R = 22;
    const xs = [...pos.values()].map((p) => p.x), ys = [...pos.values()].map((p) => p.y);
    const pad = 90;
    const minX = Math.min(...xs) - pad, maxX = Math.max(...xs) + pad, minY = Math.min(...ys) - pad / 1.5, maxY = Math.max(...ys) + pad / 1.5;
    const w = Math.max(maxX - minX, 320), hgt = Math.max(maxY - minY, 240);
    const root = svg("svg", {
      viewBox: `${minX - (w - (maxX - minX)) / 2} ${minY - (hgt - (maxY - minY)) / 2} ${w} ${hgt}`,
      class: "graph", role: "group", "aria-label": `Relationship graph around ${me.name}: ${data.nodes.length} characters, ${data.edges.length} relationships`,
      preserveAspectRatio: "xMidYMid meet",
    });
    const defs = svg("defs", {});
    for (const w2 of ["warm", "friendly", "neutral", "wary", "hostile", "path"]) {
      defs.append(svg("marker", { id: `arrow-${w2}`, viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 11, markerHeight: 11, markerUnits: "userSpaceOnUse", orient: "auto-start-reverse", class: `arrow att-${w2}` },
        svg("path", { d: "M0,0 L10,5 L0,10 z" })));
    }
    root.append(defs);
    const pairs = new Set(data.edges.map((e) => `${e.source}>${e.target}`));
    const edgeLayer = svg("g", { class: "edges" });
    const labelLayer = svg("g", { class: "edge-labels" });
    for (const e of data.edges) {
      const a = pos.get(e.source), b = pos.get(e.target);
      if (!a || !b) continue;
      const dx = b.x - a.x, dy = b.y - a.y, len = Math.hypot(dx, dy) || 1;
      const ux = dx / len, uy = dy / len;
      // Two characters related both ways get two arcs bent apart.
      const bend = pairs.has(`${e.target}>${e.source}`) ? 56 : 0;
      const mx = (a.x + b.x) / 2 - uy * bend, my = (a.y + b.y) / 2 + ux * bend;
      const sx = a.x + ux * R, sy = a.y + uy * R, tx = b.x - ux * (R + 3), ty = b.y - uy * (R + 3);
      const on = onPath.edges.has(e.id);
      const att = attitudeOf(e.attitude).cls.replace("att-", "");
      edgeLayer.append(svg("path", {
        d: `M${sx},${sy} Q${mx},${my} ${tx},${ty}`, class: `edge att-${att}${on ? " on-path" : ""}`,
        "marker-end": `url(#arrow-${on ? "path" : att})`, "data-edge": e.id,
      }, svg("title", {}, `${nameOf(e.source)} → ${e.kind} → ${nameOf(e.target)} (attitude ${e.attitude})`)));
      // The label sits on the curve's midpoint (a quadratic's t=0.5).
      // A bent arc's label goes on its outer side, so a pair's two labels
      // do not cover each other.
      const px = -uy, py = ux;
      const lx = (sx + 2 * mx + tx) / 4 + (bend ? px * 6 : 0), ly = (sy + 2 * my + ty) / 4 + (bend ? py * 6 : 0);
      const anchor = !bend ? "middle" : px < -0.35 ? "end" : px > 0.35 ? "start" : "middle";
      labelLayer.append(svg("text", { x: lx, y: ly, class: `edge-label${on ? " on-path" : ""}`, "text-anchor": anchor, "dominant-baseline": "middle" }, e.kind.replace(/_/g, " ")));
    }
    const nodeLayer = svg("g", { class: "nodes" });
    for (const n of data.nodes) {
      const p = pos.get(n.id);
      const isCenter = n.id === center;
      const g = svg("g", {
        class: `node type-${n.character_type}${isCenter ? " center" : ""}${onPath.nodes.has(n.id) ? " on-path" : ""}`,
        transform: `translate(${p.x},${p.y})`, tabindex: 0, role: "button", "data-node": n.id,
        "aria-label": `${n.name}, ${n.character_type === "pc" ? "player character" : "NPC"}${isCenter ? ", the centre" : ""}. Enter centres the graph here.`,
      });
      g.append(svg("circle", { r: isCenter ? R + 4 : R }), svg("text", { class: "initials", "text-anchor": "middle", "dominant-baseline": "central" }, initials(n.name)),
        svg("text", { class: "node-label", y: R + 18, "text-anchor": "middle" }, n.name));
      g.addEventListener("click", () => go(n.id));
      g.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); go(n.id); } });
      nodeLayer.append(g);
    }
    root.append(edgeLayer, labelLayer, nodeLayer);
    stage.replaceChildren(root);

    clear(nodeList);
    for (const n of data.nodes.slice().sort((a, b) => a.depth - b.depth || a.name.localeCompare(b.name))) {
      const rels = data.edges.filter((e) => e.source === n.id || e.target === n.id).length;
      nodeList.append(h("li", {},
        h("a", { href: `#/c/${cid}/characters/${n.id}` }, n.name), " ",
        h("span", { class: "muted small" }, n.id === center ? "centre" : n.depth <= 4 ? `${n.depth} step${n.depth > 1 ? "s" : ""} away` : "on the path", ` · ${rels} relationship${rels === 1 ? "" : "s"} `),
        n.id !== center ? h("button", { type: "button", class: "link", onclick: () => go(n.id), "aria-label": `Centre the graph on ${n.name}` }, "centre here") : null));
    }
  }

  function nameOf(id) {
    const n = data.nodes.find((x) => x.id === id);
    return n ? n.name : (byId.get(id) || { name: "?" }).name;
  }
}

function initials(name) {
  let parts = name.split(/\s+/).filter((w) => /^\p{L}/u.test(w));
  if (parts.length > 1 && /^(the|a|an)$/i.test(parts[0])) parts = parts.slice(1);
  return ((parts[0] || "?")[0] + (parts.length > 1 ? parts[parts.length - 1][0] : "")).toUpperCase();
}

// mulberry32: a tiny seeded generator, so the layout is the same each time.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// layout places the nodes with a force simulation: every pair repels,
// every relationship pulls like a spring, and a weak pull keeps the graph
// around the centre, which stays fixed at the origin. Nodes start on rings
// by their distance from the centre, in name order with seeded jitter.
export function layout(nodes, edges, centerId, aspect = 1.6) {
  const rand = rng(0x5eed);
  const sorted = nodes.slice().sort((a, b) => a.depth - b.depth || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  const pos = new Map();
  const ring = new Map();
  for (const n of sorted) ring.set(n.depth, (ring.get(n.depth) || 0) + 1);
  const seen = new Map();
  for (const n of sorted) {
    if (n.id === centerId) { pos.set(n.id, { x: 0, y: 0, vx: 0, vy: 0 }); continue; }
    const k = seen.get(n.depth) || 0;
    seen.set(n.depth, k + 1);
    const count = ring.get(n.depth);
    const angle = (2 * Math.PI * k) / count + n.depth * 0.7 + rand() * 0.3;
    const r = 170 * Math.min(n.depth, 5) + rand() * 20;
    pos.set(n.id, { x: Math.cos(angle) * r, y: Math.sin(angle) * r, vx: 0, vy: 0 });
  }
  const links = edges.filter((e) => pos.has(e.source) && pos.has(e.target) && e.source !== e.target);
  const list = [...pos.entries()];
  const spring = 190, repel = 42000;
  for (let iter = 0, temp = 40; iter < 400; iter++, temp *= 0.99) {
    for (const [, p] of list) { p.fx = -p.x * 0.012; p.fy = -p.y * 0.012; }
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i][1], b = list[j][1];
        let dx = a.x - b.x, dy = a.y - b.y;
        let d2 = dx * dx + dy * dy;
        if (d2 < 1) { dx = rand() - 0.5; dy = rand() - 0.5; d2 = 1; }
        const d = Math.sqrt(d2), f = repel / d2;
        a.fx += (dx / d) * f; a.fy += (dy / d) * f;
        b.fx -= (dx / d) * f; b.fy -= (dy / d) * f;
      }
    }
    for (const e of links) {
      const a = pos.get(e.source), b = pos.get(e.target);
      const dx = b.x - a.x, dy = b.y - a.y, d = Math.hypot(dx, dy) || 1;
      const f = (d - spring) * 0.06;
      a.fx += (dx / d) * f; a.fy += (dy / d) * f;
      b.fx -= (dx / d) * f; b.fy -= (dy / d) * f;
    }
    for (const [id, p] of list) {
      if (id === centerId) continue;
      const m = Math.hypot(p.fx, p.fy);
      const step = Math.min(m, temp);
      if (m > 0) { p.x += (p.fx / m) * step; p.y += (p.fy / m) * step; }
    }
  }
  // Stretch towards the drawing area's shape (wide on a desktop, nearly
  // square on a phone) so the graph uses the room it has.
  const xs = list.map(([, p]) => p.x), ys = list.map(([, p]) => p.y);
  const w = Math.max(...xs) - Math.min(...xs) + 180, hgt = Math.max(...ys) - Math.min(...ys) + 120;
  const stretch = Math.min(2, Math.max(0.75, aspect / (w / hgt)));
  for (const [, p] of list) p.x *= stretch;
  return pos;
}

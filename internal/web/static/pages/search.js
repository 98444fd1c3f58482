import * as api from "../api.js";
import { h, clear, field, debounce } from "../dom.js";
import { highlightNodes, entityHash, typeLabels } from "./worldkit.js";

// Search: the menu's box with instant results as you type, and the page
// /c/<campaign>/search?q=&types= with every result and filters by type.
// The API forgives typos and sound-alikes; each result says how it
// matched (exact, prefix, fuzzy, phonetic, fulltext).

const matchLabels = { exact: "exact", prefix: "prefix", fuzzy: "typo", phonetic: "sounds like", fulltext: "in text" };

// clock is an offset into a session's recording as h:mm:ss or m:ss.
function clock(ms) {
  const s = Math.floor(ms / 1000);
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = String(s % 60).padStart(2, "0");
  return hh ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

// resultHash is where a result opens: a transcript line opens its session
// at that line.
function resultHash(campaign, item) {
  if (item.type === "segment" && item.segment) {
    return `/c/${encodeURIComponent(campaign)}/sessions/${encodeURIComponent(item.segment.session_id)}?seq=${item.segment.seq}`;
  }
  return entityHash(campaign, item.type, item.id);
}

// segmentBody shows a transcript line: the snippet, then which session,
// when and who said it.
function segmentBody(item) {
  const seg = item.segment;
  const at = new Date(seg.at);
  return [
    h("span", { class: "search-name search-snippet" }, highlightNodes(item.highlight)),
    h("span", { class: "search-meta" },
      h("span", { class: "badge type-segment" }, typeLabels.segment),
      " ",
      h("span", { class: `badge match match-${item.match}`, title: `Matched: ${item.match}` }, matchLabels[item.match] || item.match)),
    h("span", { class: "muted search-context search-segment" },
      h("strong", {}, seg.session_title || `Session ${seg.session_number}`), " · ",
      h("time", { datetime: seg.at, title: at.toLocaleString() }, clock(seg.start_ms)), " · ",
      h("span", { class: "search-speaker" }, seg.speaker_name || seg.speaker_label || "Unknown speaker")),
  ];
}

function resultBody(item) {
  if (item.type === "segment" && item.segment) return segmentBody(item);
  return [
    h("span", { class: "search-name" }, highlightNodes(item.highlight || item.name)),
    item.highlight && !item.highlight.replace(/<\/?mark>/g, "").includes(item.name) ? h("span", { class: "muted search-of" }, ` — ${item.name}`) : null,
    h("span", { class: "search-meta" },
      h("span", { class: `badge type-${item.type}` }, typeLabels[item.type] || item.type),
      " ",
      h("span", { class: `badge match match-${item.match}`, title: `Matched: ${item.match}` }, matchLabels[item.match] || item.match)),
    item.context ? h("span", { class: "muted search-context" }, item.context) : null,
  ];
}

let boxSeq = 0;
// openList is the menu's current box: a resize (a phone turned) places its
// list again. One listener for the page, whatever the number of menus drawn.
let openList = null;
window.addEventListener("resize", () => { if (openList && openList.list.isConnected) openList.place(); });

// searchBox is the menu's search field (a combobox): results appear in a
// list below it as the user types; arrows move, Enter opens, Escape closes;
// Enter with nothing chosen opens the search page.
export function searchBox(campaign, navigate) {
  const n = ++boxSeq;
  const listId = `qs-list-${n}`;
  // No name attribute: the box lives in the menu, beside every page, and
  // must not be mistaken for a page's own field (a list filter named q).
  const input = h("input", {
    type: "search", id: `qs-${n}`, class: "quick-search-input", placeholder: "Search…", autocomplete: "off",
    role: "combobox", "aria-expanded": "false", "aria-controls": listId, "aria-autocomplete": "list",
  });
  const list = h("ul", { id: listId, role: "listbox", class: "quick-search-list", "aria-label": "Search results", hidden: true });
  const status = h("span", { class: "sr-only", role: "status", "aria-live": "polite" });
  let items = [];
  let active = -1;
  let ctrl = null;

  // place opens the list towards the side with room: the box sits at the
  // menu's end on a wide screen and at its start on a phone.
  const place = () => {
    if (list.hidden) return;
    list.style.left = "0";
    list.style.right = "auto";
    const room = document.documentElement.clientWidth;
    if (list.getBoundingClientRect().right > room - 8) {
      list.style.left = "auto";
      list.style.right = "0";
    }
  };
  openList = { list, place };
  const close = () => { list.hidden = true; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); active = -1; };
  const open = (i) => { const it = items[i]; if (!it) return; close(); input.value = ""; navigate(resultHash(campaign, it)); };
  const setActive = (i) => {
    active = i;
    [...list.children].forEach((li, j) => li.setAttribute("aria-selected", String(j === i)));
    if (i >= 0 && list.children[i]) {
      input.setAttribute("aria-activedescendant", list.children[i].id);
      list.children[i].scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  };

  const run = debounce(async () => {
    const q = input.value.trim();
    if (ctrl) ctrl.abort();
    if (!q) { close(); return; }
    ctrl = new AbortController();
    let res;
    try {
      res = await api.get(`/campaigns/${campaign}/search?q=${encodeURIComponent(q)}&limit=8`, { signal: ctrl.signal });
    } catch (e) {
      if (e.name === "AbortError") return;
      items = [];
      clear(list).append(h("li", { class: "muted quick-search-empty" }, e.message));
      list.hidden = false;
      return;
    }
    if (input.value.trim() !== q) return;
    items = res.items || [];
    clear(list);
    items.forEach((it, i) => {
      list.append(h("li", {
        id: `${listId}-${i}`, role: "option", "aria-selected": "false", class: "quick-search-item",
        onmousedown: (e) => e.preventDefault(), // keep the focus in the input
        onclick: () => open(i),
      }, resultBody(it)));
    });
    if (items.length === 0) list.append(h("li", { class: "muted quick-search-empty" }, "Nothing found"));
    list.append(h("li", { class: "quick-search-all" },
      h("a", { href: `#/c/${encodeURIComponent(campaign)}/search?q=${encodeURIComponent(q)}`, onclick: close }, "All results →")));
    status.textContent = `${items.length} result${items.length === 1 ? "" : "s"}`;
    list.hidden = false;
    place();
    input.setAttribute("aria-expanded", "true");
    setActive(-1);
  }, 150);

  input.addEventListener("input", run);
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" && items.length) { e.preventDefault(); if (list.hidden) run(); setActive((active + 1) % items.length); }
    else if (e.key === "ArrowUp" && items.length) { e.preventDefault(); setActive(active <= 0 ? items.length - 1 : active - 1); }
    else if (e.key === "Escape") { close(); }
    else if (e.key === "Enter") {
      e.preventDefault();
      if (active >= 0 && !list.hidden) open(active);
      else if (input.value.trim()) { const q = input.value.trim(); close(); navigate(`/c/${encodeURIComponent(campaign)}/search?q=${encodeURIComponent(q)}`); }
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
  return h("div", { class: "quick-search", role: "search" },
    h("label", { for: input.id, class: "sr-only" }, "Search the campaign"), input, list, status);
}

const allTypes = ["character", "location", "plot", "session", "segment"];

export async function render(ctx) {
  const { campaign } = ctx.params;
  const q = (ctx.query.get("q") || "").trim();
  const types = (ctx.query.get("types") || "").split(",").filter((t) => allTypes.includes(t));
  ctx.title(q ? `Search: ${q}` : "Search");
  const here = (nq, nt) => {
    const p = new URLSearchParams();
    if (nq) p.set("q", nq);
    if (nt.length) p.set("types", nt.join(","));
    return `/c/${encodeURIComponent(campaign)}/search?${p}`;
  };

  const input = h("input", { type: "search", name: "q", value: q, required: true, maxlength: 200, autocomplete: "off" });
  const form = h("form", { class: "toolbar search-form", onsubmit: (e) => { e.preventDefault(); ctx.navigate(here(input.value.trim(), types)); } },
    field("Search characters, locations, plot threads, sessions and transcripts", input),
    h("button", { type: "submit" }, "Search"));
  ctx.main.append(h("h1", {}, "Search"), form);
  if (!q) {
    ctx.main.append(h("p", { class: "muted" }, "Names may be misspelt or sounded out: “Xilandra”, “moon wisper”."));
    input.focus();
    return;
  }

  const p = new URLSearchParams({ q, limit: "50" });
  if (types.length) p.set("types", types.join(","));
  const res = await api.get(`/campaigns/${campaign}/search?${p}`);
  if (!ctx.current()) return;
  const facets = res.facets || {};
  const chips = h("div", { class: "chips", role: "group", "aria-label": "Filter by type" },
    allTypes.filter((t) => facets[t] || types.includes(t)).map((t) => {
      const on = types.includes(t);
      return h("button", {
        type: "button", class: "chip", "aria-pressed": String(on),
        onclick: () => ctx.navigate(here(q, on ? types.filter((x) => x !== t) : [...types, t])),
      }, `${typeLabels[t]}s `, h("span", { class: "chip-count" }, String(facets[t] || 0)));
    }));
  const items = res.items || [];
  const total = Object.values(facets).reduce((a, b) => a + b, 0);
  ctx.main.append(chips,
    h("p", { class: "muted", role: "status" }, items.length ? `${items.length} of ${total} matches, best first` : "Nothing matches."),
    h("ol", { class: "search-results" }, items.map((it) =>
      h("li", {}, h("a", { href: "#" + resultHash(campaign, it), class: "search-result" }, resultBody(it))))));
}

// Helpers shared by the world pages (search, locations, plots, keywords,
// sessions). Not a page itself: routes.js does not name it.
import * as api from "../api.js";
import { h } from "../dom.js";

// roleIn answers the caller's role in a campaign (gm, player, observer):
// the API tells it through the members list, matched with /users/me.
const roles = new Map();
api.onAuthChange(() => roles.clear());
export async function roleIn(campaign) {
  if (!roles.has(campaign)) {
    const p = Promise.all([api.me(), api.get(`/campaigns/${campaign}/members`)]).then(([me, members]) => {
      const mine = (members.items || []).find((m) => m.user_id === me.id);
      return mine ? mine.role : "observer";
    });
    roles.set(campaign, p);
    p.catch(() => roles.delete(campaign));
  }
  return roles.get(campaign);
}

const entities = { "&lt;": "<", "&gt;": ">", "&amp;": "&", "&#39;": "'", "&#34;": '"', "&quot;": '"', "&apos;": "'" };
function unescape(s) {
  return s.replace(/&(?:lt|gt|amp|quot|apos|#39|#34);/g, (m) => entities[m]).replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)));
}

// highlightNodes turns a search highlight into DOM nodes. The API sends an
// escaped HTML fragment whose only markup is <mark>; rather than trusting
// it to an HTML parser, the markers are split out and every piece of text
// becomes a text node, so nothing in it can ever become markup.
export function highlightNodes(fragment) {
  const out = [];
  const parts = String(fragment || "").split(/(<mark>|<\/mark>)/);
  let marked = false;
  for (const p of parts) {
    if (p === "<mark>") { marked = true; continue; }
    if (p === "</mark>") { marked = false; continue; }
    if (p === "") continue;
    const text = unescape(p);
    out.push(marked ? h("mark", {}, text) : document.createTextNode(text));
  }
  return out;
}

// entityHash is where a search result (or any entity reference) opens.
export function entityHash(campaign, type, id) {
  const c = encodeURIComponent(campaign);
  switch (type) {
    case "character": return `/c/${c}/characters/${encodeURIComponent(id)}`;
    case "location": return `/c/${c}/locations?focus=${encodeURIComponent(id)}`;
    case "plot": return `/c/${c}/plots?focus=${encodeURIComponent(id)}`;
    case "session": return `/c/${c}/sessions/${encodeURIComponent(id)}`;
    default: return `/c/${c}/search`;
  }
}

export const typeLabels = { character: "Character", location: "Location", plot: "Plot thread", session: "Session", segment: "Transcript line" };

// ifMatch is the header that makes a change conditional on the version the
// page showed, so that two GMs editing at once do not overwrite each other.
export const ifMatch = (version) => ({ headers: { "If-Match": `"${version}"` } });

// confirmBox asks a yes/no question in a modal dialog (window.confirm
// would block the page and cannot be styled). It answers a promise of
// true when the user confirms.
export function confirmBox(question, yes = "Delete", { danger = true } = {}) {
  return new Promise((resolve) => {
    const done = (v) => { dlg.close(); dlg.remove(); resolve(v); };
    const dlg = h("dialog", { class: "confirm", "aria-labelledby": "confirm-q" },
      h("p", { id: "confirm-q" }, question),
      h("div", { class: "actions" },
        h("button", { type: "button", class: danger ? "danger" : "", onclick: () => done(true) }, yes),
        h("button", { type: "button", class: "secondary", onclick: () => done(false) }, "Cancel")));
    dlg.addEventListener("cancel", (e) => { e.preventDefault(); done(false); });
    document.body.append(dlg);
    dlg.showModal();
    dlg.querySelector("button.secondary").focus();
  });
}

// options builds <option>s from [value, label] pairs.
export function options(pairs, selected) {
  return pairs.map(([v, label]) => h("option", { value: v, selected: v === selected }, label));
}

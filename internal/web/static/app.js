// The console's shell: hash routing, the menu, and signing in. Pages are
// ES modules loaded on first visit (routes.js lists them).
import { routes } from "./routes.js";
import * as api from "./api.js";
import { h, clear, toast } from "./dom.js";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
let leaving = [];
let renderSeq = 0;

function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, qs] = raw.split("?");
  return { path: path || "/", query: new URLSearchParams(qs || "") };
}

function match(path) {
  const parts = path.split("/").filter(Boolean);
  for (const r of routes) {
    const want = r.path.split("/").filter(Boolean);
    if (want.length !== parts.length) continue;
    const params = {};
    let ok = true;
    for (let i = 0; i < want.length; i++) {
      if (want[i].startsWith(":")) params[want[i].slice(1)] = decodeURIComponent(parts[i]);
      else if (want[i] !== parts[i]) { ok = false; break; }
    }
    if (ok) return { route: r, params };
  }
  return null;
}

export function navigate(path, { replace = false } = {}) {
  const target = "#" + path;
  if (replace) history.replaceState(null, "", target);
  else if (location.hash !== target) { location.hash = target; return; }
  render();
}

// campaignCache keeps the current campaign for the menu.
let campaignCache = { id: "", campaign: null };
async function campaignOf(id) {
  if (campaignCache.id !== id) campaignCache = { id, campaign: await api.get(`/campaigns/${id}`) };
  return campaignCache.campaign;
}
export function forgetCampaign() { campaignCache = { id: "", campaign: null }; }

// navSearch is the menu's search box, kept from page to page within a
// campaign: a GM who starts typing while a page loads keeps the words typed
// and the focus.
let navSearch = { campaign: "", slot: null };
let navSeq = 0;

async function drawNav(params) {
  const seq = ++navSeq;
  const parts = [];
  if (!api.signedIn()) {
    parts.push(h("a", { href: "#/signin" }, "Sign in"), h("a", { href: "#/register" }, "Register"));
  } else {
    parts.push(h("a", { href: "#/" }, "Campaigns"));
    if (params.campaign) {
      const c = await campaignOf(params.campaign).catch(() => null);
      if (seq !== navSeq) return; // a later page draws the menu
      const overview = "#/c/" + params.campaign;
      const list = h("span", { class: "campaign-nav" },
        c ? h("a", { href: overview, class: "campaign-name", "aria-current": location.hash.split("?")[0] === overview ? "page" : null }, c.name) : null);
      for (const r of routes) {
        if (!r.nav) continue;
        const href = "#" + r.path.replace(":campaign", params.campaign);
        const here = location.hash.split("?")[0] === href;
        list.append(h("a", { href, "aria-current": here ? "page" : null }, r.nav));
      }
      // The campaign's search box sits on the account's row, beside Sign
      // out, where there is room for it; the module loads once, on first use.
      if (navSearch.campaign !== params.campaign || !navSearch.slot) {
        const slot = h("span", { class: "nav-search" });
        import("./pages/search.js").then((m) => slot.append(m.searchBox(params.campaign, navigate))).catch((e) => console.error(e));
        navSearch = { campaign: params.campaign, slot };
      }
      parts.push(list, navSearch.slot);
    }
    parts.push(h("button", { class: "link", type: "button", onclick: async () => { await api.logout(); navigate("/signin"); } }, "Sign out"));
  }
  // The kept search box stays in place while the rest is redrawn around
  // it: taking a focused input out of the page would drop the focus.
  const kept = parts.includes(navSearch.slot) && navSearch.slot.parentNode === nav ? navSearch.slot : null;
  if (!kept) {
    clear(nav).append(...parts);
    return;
  }
  for (const child of [...nav.childNodes]) if (child !== kept) child.remove();
  const at = parts.indexOf(kept);
  for (const part of parts.slice(0, at)) nav.insertBefore(part, kept);
  nav.append(...parts.slice(at + 1));
}

async function render() {
  const seq = ++renderSeq;
  for (const fn of leaving) { try { fn(); } catch (e) { console.error(e); } }
  leaving = [];
  const { path, query } = parseHash();
  const m = match(path);
  if (!m) {
    clear(main).append(h("h1", {}, "Not found"), h("p", {}, "No page here. "), h("a", { href: "#/" }, "Back to your campaigns"));
    return;
  }
  if (!m.route.public && !api.signedIn()) {
    navigate("/signin?next=" + encodeURIComponent(path + (query.toString() ? "?" + query : "")), { replace: true });
    return;
  }
  document.title = `${m.route.title} · GameMaster's Companion`;
  drawNav(m.params).catch(() => {});
  let mod;
  try {
    mod = await import(`./pages/${m.route.page}.js`);
  } catch (e) {
    console.error(e);
    clear(main).append(h("h1", {}, "This page failed to load"), h("p", {}, String(e)));
    return;
  }
  if (seq !== renderSeq) return;
  // Each render draws into a view of its own: a page still awaiting the
  // API when the user moves on appends to a detached view, not over the
  // next page.
  const view = h("div", { class: "view" });
  clear(main).append(view);
  const ctx = {
    params: m.params, query, main: view, navigate,
    title: (t) => { document.title = `${t} · GameMaster's Companion`; },
    onLeave: (fn) => leaving.push(fn),
    current: () => seq === renderSeq,
  };
  try {
    await mod.render(ctx);
  } catch (e) {
    if (seq !== renderSeq) return;
    if (e instanceof api.ApiError && e.status === 401) {
      navigate("/signin?next=" + encodeURIComponent(path), { replace: true });
      return;
    }
    console.error(e);
    main.append(h("p", { class: "form-error", role: "alert" }, e.message || String(e)));
  }
  // The page takes the focus, unless the user is typing in the menu (the
  // search box) while it loaded.
  const typing = nav.contains(document.activeElement) && document.activeElement.matches("input, textarea");
  if (seq === renderSeq && !main.contains(document.activeElement) && !typing) main.focus({ preventScroll: true });
}

window.addEventListener("hashchange", render);
window.addEventListener("unhandledrejection", (e) => {
  if (e.reason instanceof api.ApiError) toast(e.reason.message, "error");
});
api.onAuthChange(() => { forgetCampaign(); navSearch = { campaign: "", slot: null }; });
render();

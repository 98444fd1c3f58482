import * as api from "../api.js";
import { h, clear, field, toast } from "../dom.js";
import { roleIn, entityHash, options } from "./worldkit.js";

// The built-in generators: an NPC, a location, an encounter, plot hooks.
// Every draft carries its seed; sending it back (?seed=) gives the same
// draft from the same campaign state, which is how "Save" stores exactly
// what the GM read, and how a GM repeats a draft they liked.

const kinds = [
  ["npc", "NPC"],
  ["location", "Location"],
  ["encounter", "Encounter"],
  ["hooks", "Plot hooks"],
];

const cultures = [["", "From the ancestry"], ["human", "Human"], ["elvish", "Elvish"], ["dwarvish", "Dwarvish"], ["halfling", "Halfling"], ["orcish", "Orcish"]];
const ancestries = ["human", "elf", "dwarf", "halfling", "gnome", "half-elf", "half-orc", "orc", "tiefling", "dragonborn"];
const locationTypes = ["tavern", "shop", "village", "city", "castle", "temple", "dungeon", "crypt", "cave", "ruins", "forest", "swamp", "mountain", "port"];
const hookKinds = { unresolved_thread: "unresolved thread", npc_motivation: "NPC motivation", foreshadowing: "foreshadowing", strained_relationship: "strained relationship" };

// path is each generator's route below the campaign.
const path = { npc: "generate/npc", location: "generate/location", encounter: "generate/encounter", hooks: "plot-hooks" };

export async function render(ctx) {
  const { campaign } = ctx.params;
  const role = await roleIn(campaign);
  if (!ctx.current()) return;
  ctx.main.append(h("h1", {}, "Generate"));
  if (role !== "gm") {
    ctx.main.append(h("div", { class: "card gen-closed" },
      h("p", {}, "The generators are the GM's tools: they draft NPCs, locations, encounters and plot hooks from the campaign's own state, secrets included."),
      h("p", { class: "muted" }, "Only the campaign's GM can use them. What the GM saves from here appears in the campaign like anything else they make, once they show it to the players.")));
    return;
  }

  let kind = kinds.some(([k]) => k === ctx.query.get("kind")) ? ctx.query.get("kind") : "npc";
  const locations = await api.all(`/campaigns/${campaign}/locations?flat=true`).catch(() => []);
  if (!ctx.current()) return;
  const locName = new Map(locations.map((l) => [l.id, l.name]));
  const locationPick = (name, none) => h("select", { name },
    h("option", { value: "" }, none),
    locations.map((l) => h("option", { value: l.id }, `${"\u00a0\u00a0\u00a0".repeat(Math.max(0, l.depth - 1))}${l.depth > 1 ? "└\u00a0" : ""}${l.name}`)));

  const tabs = h("div", { class: "gen-tabs", role: "group", "aria-label": "What to generate" });
  const panel = h("section", { class: "gen-panel" });
  ctx.main.append(tabs, panel);

  const draw = () => {
    clear(tabs);
    for (const [k, label] of kinds) {
      tabs.append(h("button", {
        type: "button", id: `gen-tab-${k}`, class: k === kind ? "" : "secondary", "aria-pressed": String(k === kind),
        onclick: () => { kind = k; history.replaceState(null, "", `#/c/${campaign}/generate?kind=${k}`); draw(); },
      }, label));
    }
    panel.setAttribute("aria-labelledby", `gen-tab-${kind}`);
    clear(panel).append(formFor(kind));
  };

  // formFor builds a generator's form and the list its drafts go into,
  // newest first.
  function formFor(k) {
    const seed = h("input", { name: "seed", inputmode: "numeric", pattern: "[0-9]{1,16}", autocomplete: "off", placeholder: "random" });
    let inputs;
    let body;
    if (k === "npc") {
      inputs = {
        ancestry: h("input", { name: "ancestry", maxlength: 64, list: "gen-ancestries", placeholder: "any", autocomplete: "off" }),
        culture: h("select", { name: "culture" }, options(cultures, "")),
        occupation: h("input", { name: "occupation", maxlength: 128, placeholder: "any, e.g. blacksmith", autocomplete: "off" }),
      };
      body = () => {
        const hints = {};
        for (const n of ["ancestry", "culture", "occupation"]) if (inputs[n].value.trim()) hints[n] = inputs[n].value.trim();
        return { hints };
      };
    } else if (k === "location") {
      inputs = {
        type: h("input", { name: "type", maxlength: 255, list: "gen-location-types", placeholder: "any, e.g. tavern", autocomplete: "off" }),
        parent_id: locationPick("parent_id", "(nowhere in particular)"),
        culture: h("select", { name: "culture" }, options([["", "Mostly human"], ...cultures.slice(1)], "")),
        mood: h("select", { name: "mood" }, options([["", "Any"], ["welcoming", "Welcoming"], ["neutral", "Neutral"], ["sinister", "Sinister"]], "")),
      };
      body = () => {
        const b = { hints: {} };
        if (inputs.type.value.trim()) b.type = inputs.type.value.trim();
        if (inputs.parent_id.value) b.parent_id = inputs.parent_id.value;
        if (inputs.culture.value) b.hints.culture = inputs.culture.value;
        if (inputs.mood.value) b.hints.mood = inputs.mood.value;
        return b;
      };
    } else if (k === "encounter") {
      inputs = {
        party_level: h("input", { name: "party_level", type: "number", min: 1, max: 20, value: "3", required: true }),
        party_size: h("input", { name: "party_size", type: "number", min: 1, max: 12, value: "4", required: true }),
        difficulty: h("select", { name: "difficulty" }, options([["easy", "Easy"], ["medium", "Medium"], ["hard", "Hard"], ["deadly", "Deadly"]], "medium")),
        location_id: locationPick("location_id", "(any monsters)"),
      };
      body = () => {
        const b = { party_level: Number(inputs.party_level.value), party_size: Number(inputs.party_size.value), difficulty: inputs.difficulty.value };
        if (inputs.location_id.value) b.location_id = inputs.location_id.value;
        return b;
      };
    } else {
      inputs = { count: h("input", { name: "count", type: "number", min: 1, max: 20, value: "5" }) };
      body = () => ({ count: Number(inputs.count.value) || 5 });
    }

    const labels = {
      ancestry: ["Ancestry", "e.g. dwarf, tiefling; others kept as written"], culture: ["Naming culture"], occupation: ["Occupation"],
      type: ["Type", "tavern, crypt, port… or your own"], parent_id: ["Lies in"], mood: ["Mood"],
      party_level: ["Party level"], party_size: ["Party size"], difficulty: ["Difficulty"], location_id: ["Location", "Themes the monsters"],
      count: ["How many hooks"],
    };
    const err = h("p", { class: "form-error", role: "alert" });
    const form = h("form", { class: "card gen-form", "aria-label": `Generate ${kinds.find(([x]) => x === k)[1]}` },
      h("div", { class: "gen-fields" },
        Object.entries(inputs).map(([n, el]) => field(labels[n][0], el, labels[n][1])),
        field("Seed", seed, "Blank for a new one")),
      h("datalist", { id: "gen-ancestries" }, ancestries.map((a) => h("option", { value: a }))),
      h("datalist", { id: "gen-location-types" }, locationTypes.map((a) => h("option", { value: a }))),
      err,
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Generate")));
    const drafts = h("div", { class: "gen-drafts", "aria-live": "polite" });

    // run asks for a draft (or, with save, stores it) and answers the
    // response; errors go to the form.
    const run = async (b, seedValue, save) => {
      const qs = new URLSearchParams();
      if (seedValue !== "" && seedValue !== undefined) qs.set("seed", String(seedValue));
      if (save) qs.set("save", "true");
      return api.post(`/campaigns/${campaign}/${path[k]}${qs.toString() ? "?" + qs : ""}`, b);
    };
    const show = async (b, seedValue) => {
      err.textContent = "";
      const btn = form.querySelector("button[type=submit]");
      btn.disabled = true;
      try {
        const res = await run(b, seedValue, false);
        if (!ctx.current()) return;
        drafts.prepend(draftCard(k, res, b));
        // Keep a few drafts to compare; older ones drop off.
        while (drafts.children.length > 4) drafts.lastElementChild.remove();
      } catch (e) {
        err.textContent = problemText(e);
      } finally { btn.disabled = false; }
    };

    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const s = seed.value.trim();
      if (s !== "" && !/^[0-9]{1,16}$/.test(s)) { err.textContent = "Seed: digits only, at most 16 of them."; seed.focus(); return; }
      show(body(), s);
    });

    // draftCard draws one draft with its Save and Another buttons.
    function draftCard(kk, res, b) {
      const d = res.draft || res;
      const card = h("article", { class: `card gen-draft gen-${kk}`, dataset: { seed: String(d.seed) } });
      const saved = h("p", { class: "gen-saved", role: "status" });
      const actions = h("div", { class: "actions" });
      if (kk !== "encounter") {
        const save = h("button", { type: "button" }, kk === "hooks" ? "Save as plot threads" : "Save");
        save.addEventListener("click", async () => {
          save.disabled = true;
          try {
            const out = await run(b, d.seed, true);
            save.remove();
            saved.replaceChildren(...savedLinks(kk, out));
            toast("Saved", "ok");
          } catch (e) {
            save.disabled = false;
            saved.textContent = problemText(e);
          }
        });
        actions.append(save);
      }
      actions.append(h("button", { type: "button", class: "secondary", onclick: () => show(b, "") }, "Another"));
      card.append(
        body_(kk, d),
        h("p", { class: "gen-seed muted small" }, "Seed ", h("code", {}, String(d.seed)), " — enter it above to get this draft again."),
        actions, saved);
      return card;
    }

    return h("div", {}, form, drafts);
  }

  function savedLinks(kk, out) {
    const c = encodeURIComponent(campaign);
    if (kk === "npc" && out.character) return ["Saved as a GM-only NPC: ", h("a", { href: `#/c/${c}/characters/${out.character.id}` }, out.character.name)];
    if (kk === "location" && out.location) {
      const extra = (out.inhabitants || []).length;
      return ["Saved: ", h("a", { href: "#" + entityHash(campaign, "location", out.location.id) }, out.location.name),
        extra ? ` with ${extra} inhabitant${extra === 1 ? "" : "s"} as GM-only NPCs` : ""];
    }
    if (kk === "hooks" && out.plots) {
      return ["Saved as GM-only plot threads: ", out.plots.flatMap((p, i) => [i ? ", " : "", h("a", { href: "#" + entityHash(campaign, "plot", p.id) }, p.title)])];
    }
    return ["Saved."];
  }

  function refLink(r) {
    if (r.type === "character" || r.type === "location" || r.type === "plot") return h("a", { href: "#" + entityHash(campaign, r.type, r.id) }, r.name);
    return h("span", {}, r.name);
  }

  function body_(kk, d) {
    if (kk === "npc") return npcCard(d);
    if (kk === "location") return locationCard(d);
    if (kk === "encounter") return encounterCard(d);
    return hooksCard(d);
  }

  function npcCard(d) {
    const v = d.voice || {};
    return h("div", {},
      h("h2", { class: "gen-name" }, d.name),
      h("p", { class: "badges" }, h("span", { class: "badge" }, d.ancestry), h("span", { class: "badge" }, d.occupation),
        d.culture ? h("span", { class: "muted small" }, `${d.culture} name`) : null),
      h("p", { class: "gen-appearance" }, d.appearance),
      h("dl", { class: "kv" },
        h("dt", {}, "Personality"), h("dd", {}, (d.personality || []).join("; ")),
        h("dt", {}, "Ideal"), h("dd", {}, d.ideal),
        h("dt", {}, "Bond"), h("dd", {}, d.bond),
        h("dt", {}, "Flaw"), h("dd", {}, d.flaw),
        h("dt", {}, "Motivation"), h("dd", {}, d.motivation)),
      h("div", { class: "gen-secret" }, h("span", { class: "badge gm" }, "GM only"), " ", h("strong", {}, "Secret: "), d.secret),
      h("p", { class: "gen-voice" }, h("strong", {}, "Voice: "), [v.pitch, v.pace, v.accent].filter(Boolean).join(", "),
        v.tic ? [" — ", h("q", {}, v.tic)] : null),
      (d.references || []).length ? h("p", { class: "small" }, "Ties to ", d.references.flatMap((r, i) => [i ? ", " : "", refLink(r)])) : null);
  }

  function locationCard(d) {
    return h("div", {},
      h("h2", { class: "gen-name" }, d.name),
      h("p", { class: "badges" }, h("span", { class: "badge" }, d.location_type), d.mood ? h("span", { class: "badge" }, d.mood) : null,
        d.parent_id && locName.has(d.parent_id) ? h("span", { class: "muted small" }, "in ", locName.get(d.parent_id)) : null),
      h("p", { class: "prose" }, d.description),
      (d.features || []).length ? [h("h3", {}, "Features"), h("ul", {}, d.features.map((f) => h("li", {}, f)))] : null,
      (d.inhabitants || []).length ? [h("h3", {}, "Inhabitants"), h("ul", { class: "gen-inhabitants" }, d.inhabitants.map((i) =>
        h("li", {}, h("strong", {}, i.name), ` — ${i.role}${i.ancestry ? `, ${i.ancestry}` : ""}. `, i.trait)))] : null,
      (d.hooks || []).length ? [h("h3", {}, "Hooks"), h("ul", {}, d.hooks.map((x) => h("li", {}, x)))] : null);
  }

  function encounterCard(d) {
    const t = d.thresholds || {};
    const order = ["easy", "medium", "hard", "deadly"];
    const word = (x) => x ? x.charAt(0).toUpperCase() + x.slice(1) : "";
    return h("div", {},
      h("h2", {}, `${word(d.difficulty)} encounter for ${d.party_size} level-${d.party_level} character${d.party_size === 1 ? "" : "s"}`),
      d.location ? h("p", { class: "muted small" }, "At ", refLink({ ...d.location, type: "location" }), d.theme ? ` (theme: ${d.theme}${d.themed ? "" : ", not fully met"})` : "") : null,
      h("div", { class: "table-wrap" }, h("table", { class: "gen-monsters" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Monster"), h("th", { scope: "col" }, "Count"), h("th", { scope: "col" }, "CR"), h("th", { scope: "col" }, "XP each"), h("th", { scope: "col" }, "XP"))),
        h("tbody", {}, (d.monsters || []).map((m) => h("tr", {},
          h("td", {}, h("strong", {}, m.name), h("span", { class: "muted small" }, ` ${m.size} ${m.type}`)),
          h("td", { class: "num" }, `× ${m.count}`), h("td", { class: "num" }, m.cr), h("td", { class: "num" }, m.xp), h("td", { class: "num" }, m.total_xp)))))),
      h("dl", { class: "kv gen-xp" },
        h("dt", {}, "XP"), h("dd", {}, `${d.xp} (what the party earns)`),
        h("dt", {}, "Adjusted XP"), h("dd", {}, `${d.adjusted_xp} (× ${d.multiplier} for the number of monsters)`),
        h("dt", {}, "Difficulty reached"), h("dd", {}, h("strong", { class: `gen-reached diff-${d.difficulty_reached}` }, word(d.difficulty_reached)))),
      h("ol", { class: "gen-thresholds", "aria-label": "The party's XP thresholds" }, order.map((o) =>
        h("li", { class: `diff-${o}${o === d.difficulty_reached ? " reached" : ""}`, "aria-current": o === d.difficulty_reached ? "true" : null },
          h("span", { class: "th-name" }, word(o)), h("span", { class: "th-xp" }, `${t[o]} XP`)))),
      (d.notes || []).length ? h("ul", { class: "muted small" }, d.notes.map((n) => h("li", {}, n))) : null);
  }

  function hooksCard(d) {
    if (!(d.hooks || []).length) return h("p", { class: "muted" }, "No hooks: the campaign has no unresolved threads, NPC motivations, foreshadowing or strained relationships to build on yet.");
    return h("ol", { class: "gen-hooks" }, d.hooks.map((x) => h("li", {},
      h("p", { class: "badges" }, h("span", { class: "badge" }, hookKinds[x.kind] || x.kind)),
      h("h3", {}, x.title),
      h("p", {}, x.text),
      (x.sources || []).length ? h("p", { class: "small muted" }, "From ", x.sources.flatMap((r, i) => [i ? ", " : "", refLink(r)])) : null)));
  }

  draw();
}

// problemText says what went wrong, field errors included.
function problemText(e) {
  const fields = e.fieldErrors ? Object.entries(e.fieldErrors()) : [];
  if (fields.length) return fields.map(([loc, msg]) => `${loc.replace(/^(body|query)\.(hints\.)?/, "").replace(/_/g, " ")}: ${msg}`).join("; ");
  return e.message || String(e);
}

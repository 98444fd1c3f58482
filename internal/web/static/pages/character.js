import * as api from "../api.js";
import { h, field, showErrors, toast, fmtTime, clear } from "../dom.js";
import {
  whoAmI, ifMatch, explain, memberName, kvView, abilities, abilityBlock,
  attitudeBadge, visibilityBadge, fill, clearErrors } from "./character-kit.js";
import { imageCard } from "./file-kit.js";

// One character: what the table knows of them, how they are voiced, who
// they relate to (both ways, with how each relationship changed), and what
// they achieved. GMs and the PC's owner edit; only GMs relate and award.
export async function render(ctx) {
  const { campaign: cid, id } = ctx.params;
  const [ch, who, all] = await Promise.all([
    api.get(`/characters/${id}`), whoAmI(cid), api.all(`/campaigns/${cid}/characters`),
  ]);
  if (!ctx.current()) return;
  ctx.title(ch.name);
  const names = new Map(all.map((x) => [x.id, x]));
  const canEdit = who.gm || (ch.owner_id && ch.owner_id === who.me.id);
  const owner = ch.owner_id ? who.members.find((m) => m.user_id === ch.owner_id) : null;

  const del = h("div", { class: "actions" });
  const drawDelete = () => {
    clear(del);
    if (canEdit) del.append(h("a", { class: "button", href: `#/c/${cid}/characters/${id}/edit`, id: "edit-character" }, "Edit"));
    if (who.gm) {
      del.append(h("button", {
        type: "button", class: "danger", onclick: () => {
          clear(del).append(
            h("span", {}, `Delete ${ch.name} with their relationships and achievements?`),
            h("button", {
              type: "button", class: "danger", onclick: async () => {
                try {
                  await api.del(`/characters/${id}`);
                  toast(`${ch.name} was deleted`, "ok");
                  ctx.navigate(`/c/${cid}/characters`);
                } catch (err) { toast(explain(err), "error"); drawDelete(); }
              },
            }, "Delete for good"),
            h("button", { type: "button", class: "secondary", onclick: drawDelete }, "Cancel"));
          del.querySelector("button.secondary").focus();
        },
      }, "Delete"));
    }
  };
  drawDelete();

  ctx.main.append(
    h("p", { class: "crumbs" }, h("a", { href: `#/c/${cid}/characters` }, "Characters"), " / "),
    h("div", { class: "page-head" },
      h("div", {},
        h("h1", {}, ch.name),
        h("p", { class: "badges" },
          h("span", { class: `badge type-${ch.character_type}` }, ch.character_type === "pc" ? "Player character" : "NPC"), " ",
          visibilityBadge(ch.visibility),
          owner ? h("span", { class: "muted" }, ` played by ${memberName(owner)}`) : null),
        ch.aliases && ch.aliases.length ? h("p", { class: "muted" }, "Also known as ", ch.aliases.join(", ")) : null,
        ch.tags && ch.tags.length ? h("p", { class: "tags" }, ch.tags.map((t) => h("a", { class: "tag", href: `#/c/${cid}/characters?tag=${encodeURIComponent(t)}` }, "#" + t))) : null),
      h("div", { class: "head-actions" }, del,
        h("a", { class: "button secondary", href: `#/c/${cid}/graph?center=${id}&depth=2` }, "Show in graph"))),
  );

  const left = h("div", {});
  const right = h("div", {});
  ctx.main.append(h("div", { class: "grid-2" }, left, right));
  right.append(imageCard(ctx, { campaignId: cid, kind: "portrait", attachField: "character_id", attachId: id, title: "Portrait", canUpload: canEdit, className: "portrait-card" }));

  // Stats: a character sheet's abilities up top when the stats hold one.
  const stats = ch.stats || {};
  const sheetAbilities = abilities(stats.sheet) || abilities(stats);
  const rest = { ...stats };
  if (abilities(stats.sheet)) delete rest.sheet;
  left.append(h("section", { class: "card", "aria-labelledby": "stats-title" },
    h("h2", { id: "stats-title" }, "Stats"),
    sheetAbilities ? abilityBlock(sheetAbilities) : null,
    Object.keys(rest).length || !sheetAbilities ? kvView(rest) : null));

  left.append(h("section", { class: "card", "aria-labelledby": "notes-title" },
    h("h2", { id: "notes-title" }, "Notes"), kvView(ch.notes)));
  if (ch.gm_notes && Object.keys(ch.gm_notes).length) {
    left.append(h("section", { class: "card gm-card", "aria-labelledby": "gmnotes-title" },
      h("h2", { id: "gmnotes-title" }, "GM notes ", h("span", { class: "badge gm" }, "GM only")), kvView(ch.gm_notes)));
  }

  left.append(await relationshipsCard());
  right.append(await voiceCard(), await achievementsCard());

  async function voiceCard() {
    const card = h("section", { class: "card", id: "voice-notes", "aria-labelledby": "voice-title" });
    let v = await api.get(`/characters/${id}/voice-notes`);
    const show = () => {
      fill(card, h("h2", { id: "voice-title" }, "Voice"),
        v.voice_notes ? h("p", { class: "prose" }, v.voice_notes) : h("p", { class: "muted" }, "No voice notes yet."),
        canEdit ? h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", onclick: edit }, "Edit voice notes")) : null);
    };
    const edit = () => {
      const text = h("textarea", { name: "voice_notes", rows: 4, maxlength: 20000 }, v.voice_notes);
      const form = h("form", {}, field("How they sound", text, "Accent, pace, verbal tics — whatever helps you voice them."),
        h("div", { class: "actions" }, h("button", { type: "submit" }, "Save"), h("button", { type: "button", class: "secondary", onclick: show }, "Cancel")));
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        try {
          v = await api.put(`/characters/${id}/voice-notes`, { voice_notes: text.value }, ifMatch(v.version));
          ch.version = v.version;
          show();
        } catch (err) {
          showErrors(form, err);
          if (err.status === 409) form.querySelector(".form-error").textContent = explain(err);
        }
      });
      fill(card, h("h2", { id: "voice-title" }, "Voice"), form);
      text.focus();
    };
    show();
    return card;
  }

  async function achievementsCard() {
    const card = h("section", { class: "card", id: "achievements", "aria-labelledby": "ach-title" });
    const items = await api.all(`/characters/${id}/achievements`);
    const list = h("ul", { class: "achievements", "aria-live": "polite" });
    const draw = () => {
      clear(list);
      items.sort((a, b) => b.awarded_at.localeCompare(a.awarded_at));
      for (const a of items) {
        list.append(h("li", {}, h("strong", {}, a.title), " ", h("span", { class: "muted small" }, fmtTime(a.awarded_at)),
          a.description ? h("div", { class: "small" }, a.description) : null));
      }
      if (items.length === 0) list.append(h("li", { class: "muted" }, "None yet."));
    };
    draw();
    card.append(h("h2", { id: "ach-title" }, "Achievements"), list);
    if (who.gm) {
      const title = h("input", { name: "title", required: true, maxlength: 255 });
      const desc = h("textarea", { name: "description", rows: 2 });
      const form = h("form", { class: "award" }, h("h3", {}, "Award an achievement"), field("Title", title), field("Description", desc),
        h("div", { class: "actions" }, h("button", { type: "submit", class: "secondary" }, "Award")));
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        try {
          const a = await api.post(`/characters/${id}/achievements`, { title: title.value.trim(), description: desc.value });
          clearErrors(form);
          items.push(a);
          draw();
          form.reset();
        } catch (err) { showErrors(form, err); }
      });
      card.append(form);
    }
    return card;
  }

  async function relationshipsCard() {
    const card = h("section", { class: "card", id: "relationships", "aria-labelledby": "rel-title" });
    let rels = await api.all(`/characters/${id}/relationships`);
    const nameOf = (cid2) => (names.get(cid2) || { name: "someone hidden" }).name;
    const link = (cid2) => names.has(cid2) ? h("a", { href: `#/c/${cid}/characters/${cid2}` }, nameOf(cid2)) : h("span", { class: "muted" }, nameOf(cid2));
    const body = h("div", {});
    const reload = async () => { rels = await api.all(`/characters/${id}/relationships`); draw(); };

    const history = (r) => {
      const hist = (r.history || []).slice().reverse();
      if (hist.length === 0) return null;
      return h("details", { class: "history" }, h("summary", {}, `History (${hist.length})`),
        h("ol", {}, hist.map((c) => h("li", {},
          h("span", { class: "muted small" }, fmtTime(c.at)), " ",
          c.attitude_before === null || c.attitude_before === undefined ? `began at ${c.attitude_after}` : `${c.attitude_before} → ${c.attitude_after}`,
          c.note ? h("span", {}, " — ", c.note) : null))));
    };

    const item = (r, outgoing) => {
      const other = outgoing ? r.target_id : r.source_id;
      const li = h("li", { class: "rel", "data-rel": r.id, "data-direction": outgoing ? "out" : "in" });
      const show = () => {
        fill(li,
          h("div", { class: "rel-line" },
            outgoing ? [h("strong", {}, ch.name), " → "] : [link(other), " → "],
            h("span", { class: "rel-kind" }, r.kind.replace(/_/g, " ")), " → ",
            outgoing ? link(other) : h("strong", {}, ch.name), " ",
            attitudeBadge(r.attitude), " ", r.mutual ? h("span", { class: "badge" }, "mutual") : null, " ",
            r.visibility === "gm" ? h("span", { class: "badge gm" }, "GM only") : null),
          r.description ? h("p", { class: "small" }, r.description) : null,
          history(r),
          who.gm ? h("div", { class: "actions" },
            h("button", { type: "button", class: "link", onclick: () => { fill(li, relForm(r, show)); li.querySelector("input, select").focus(); } }, "Edit"),
            h("button", { type: "button", class: "link", onclick: askDelete }, "Delete")) : null);
      };
      const askDelete = () => {
        fill(li.querySelector(".actions"),
          h("span", {}, r.mutual ? "Delete this relationship (both directions)? " : "Delete this relationship? "),
          h("button", {
            type: "button", class: "danger", onclick: async () => {
              try { await api.del(`/relationships/${r.id}`); toast("Relationship deleted", "ok"); await reload(); } catch (err) { toast(explain(err), "error"); show(); }
            },
          }, "Delete"),
          h("button", { type: "button", class: "secondary", onclick: show }, "Cancel"));
      };
      show();
      return li;
    };

    // relForm adds (r null) or edits a relationship from this character.
    const relForm = (r, cancel) => {
      const target = h("select", { name: "target_id", required: true, disabled: !!r },
        h("option", { value: "" }, "Choose a character"),
        all.filter((x) => x.id !== id).sort((a, b) => a.name.localeCompare(b.name)).map((x) => h("option", { value: x.id, selected: r && r.target_id === x.id }, x.name)));
      if (r && !names.has(r.target_id)) target.append(h("option", { value: r.target_id, selected: true }, "someone hidden"));
      const kind = h("input", { name: "kind", required: true, maxlength: 32, value: r ? r.kind.replace(/_/g, " ") : "", placeholder: "ally, rival, owes money to", list: "rel-kinds" });
      const attitude = h("input", { name: "attitude", type: "number", min: -100, max: 100, step: 1, value: r ? r.attitude : 0 });
      const desc = h("textarea", { name: "description", rows: 2 }, r ? r.description : "");
      const vis = h("select", { name: "visibility" }, h("option", { value: "gm" }, "GM only"), h("option", { value: "players" }, "Players see it"));
      vis.value = r ? r.visibility : "gm";
      const mutual = h("input", { name: "mutual", type: "checkbox", checked: r ? r.mutual : false });
      const note = h("input", { name: "note", maxlength: 2000, placeholder: r ? "why the attitude changed" : "how it began" });
      const kinds = h("datalist", { id: "rel-kinds" }, ["ally", "friend", "rival", "enemy", "family", "mentor", "employer", "owes money to", "loves", "fears", "serves"].map((k) => h("option", { value: k })));
      const form = h("form", { class: "rel-form" },
        h("div", { class: "grid-2 even" }, field("To", target), field("Kind", kind, "A word or a few, e.g. ally or owes money to")), kinds,
        h("div", { class: "grid-2 even" }, field("Attitude (−100 to 100)", attitude), field("Visibility", vis)),
        field("Description", desc),
        field("History note", note),
        h("div", { class: "field check" }, h("label", {}, mutual, " Mutual (the other feels the same towards them)")),
        h("div", { class: "actions" }, h("button", { type: "submit" }, r ? "Save relationship" : "Add relationship"),
          cancel ? h("button", { type: "button", class: "secondary", onclick: cancel }, "Cancel") : null));
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        // The API's kinds are identifiers (owes_money_to); people type words.
        const body = { kind: kind.value.trim().toLowerCase().replace(/[\s-]+/g, "_"), attitude: Number(attitude.value || 0), description: desc.value, visibility: vis.value, mutual: mutual.checked };
        if (note.value.trim()) body.note = note.value.trim();
        try {
          if (r) await api.patch(`/relationships/${r.id}`, body, ifMatch(r.version));
          else await api.post(`/characters/${id}/relationships`, { ...body, target_id: target.value });
          toast(r ? "Relationship saved" : "Relationship added", "ok");
          await reload();
        } catch (err) {
          showErrors(form, err);
          if (err.status === 409) form.querySelector(".form-error").textContent = explain(err);
        }
      });
      return form;
    };

    const draw = () => {
      const out = rels.filter((r) => r.source_id === id);
      const inc = rels.filter((r) => r.target_id === id);
      fill(body,
        h("h3", {}, `How ${ch.name} sees others`),
        out.length ? h("ul", { class: "rels", id: "rels-out" }, out.map((r) => item(r, true))) : h("p", { class: "muted", id: "rels-out" }, "No relationships recorded."),
        h("h3", {}, `How others see ${ch.name}`),
        inc.length ? h("ul", { class: "rels", id: "rels-in" }, inc.map((r) => item(r, false))) : h("p", { class: "muted", id: "rels-in" }, "No relationships recorded."),
        who.gm ? h("details", { class: "add-rel", open: rels.length === 0 }, h("summary", {}, "Add a relationship"), relForm(null, null)) : null);
    };
    draw();
    card.append(h("h2", { id: "rel-title" }, "Relationships"), body);
    return card;
  }
}

import * as api from "../api.js";
import { h, field, showErrors, toast } from "../dom.js";
import { whoAmI, ifMatch, explain, memberName, kvEditor, splitList } from "./character-kit.js";

// Creating (/characters/new) and editing (/characters/:id/edit) a
// character. An edit is a PATCH sent with the version it was based on; a
// change made meanwhile by someone else answers 409 and the page says so
// instead of overwriting it.
export async function render(ctx) {
  const { campaign: cid, id } = ctx.params;
  const who = await whoAmI(cid);
  const ch = id ? await api.get(`/characters/${id}`) : null;
  if (!ctx.current()) return;
  ctx.title(ch ? `Edit ${ch.name}` : "New character");
  const gm = who.gm;

  const name = h("input", { name: "name", required: true, maxlength: 255, value: ch ? ch.name : "" });
  const type = h("select", { name: "character_type" }, h("option", { value: "npc" }, "NPC"), h("option", { value: "pc" }, "Player character"));
  type.value = ch ? ch.character_type : gm ? "npc" : "pc";
  const vis = h("select", { name: "visibility" }, h("option", { value: "players" }, "Players see this character"), h("option", { value: "gm" }, "GM only"));
  vis.value = ch ? ch.visibility : "players";
  const owner = h("select", { name: "owner_id" }, h("option", { value: "" }, "No one"),
    who.members.filter((m) => m.role !== "observer" || (ch && ch.owner_id === m.user_id))
      .map((m) => h("option", { value: m.user_id }, memberName(m) + (m.user_id === who.me.id ? " (you)" : ""))));
  owner.value = ch ? (ch.owner_id || "") : gm ? "" : who.me.id;
  const tags = h("input", { name: "tags", value: ch ? (ch.tags || []).join(", ") : "", placeholder: "saltmere, innkeeper" });
  const aliases = h("input", { name: "aliases", value: ch ? (ch.aliases || []).join(", ") : "", placeholder: "Ma Gull, the innkeeper" });
  const voice = h("textarea", { name: "voice_notes", rows: 2, maxlength: 20000 }, ch ? ch.voice_notes : "");
  const stats = kvEditor("stats", ch ? ch.stats : { class: "", level: 1 }, { typed: true, keyLabel: "Stat", valueLabel: "Stat value", title: "Stats" });
  const notes = kvEditor("notes", ch ? ch.notes : { summary: "" }, { multiline: true, keyLabel: "Note title", valueLabel: "Note", title: "Notes" });
  const gmNotes = gm ? kvEditor("gm_notes", ch ? ch.gm_notes : {}, { multiline: true, keyLabel: "GM note title", valueLabel: "GM note", title: "GM notes (only GMs see them)" }) : null;

  const cancelHref = ch ? `#/c/${cid}/characters/${id}` : `#/c/${cid}/characters`;
  const form = h("form", { class: "card character-form", id: "character-form", "aria-labelledby": "form-title", novalidate: false },
    h("h1", { id: "form-title" }, ch ? `Edit ${ch.name}` : "New character"),
    h("div", { class: "grid-2 even" }, field("Name", name), field("Type", type)),
    gm ? h("div", { class: "grid-2 even" }, field("Visibility", vis), field("Played by", owner)) : null,
    h("div", { class: "grid-2 even" },
      field("Tags", tags, "Comma-separated."),
      field("Aliases", aliases, "Comma-separated: other names the table uses.")),
    ch ? null : field("Voice notes", voice),
    h("p", { class: "muted small" }, "Stats and notes are key/value rows. A stat value such as 16, true or [1,2] is stored as that value; anything else as text."),
    stats.el, notes.el, gmNotes ? gmNotes.el : null,
    h("div", { class: "actions" },
      h("button", { type: "submit" }, ch ? "Save changes" : "Create character"),
      h("a", { href: cancelHref }, "Cancel")),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!name.value.trim()) {
      showErrors(form, { message: "", fieldErrors: () => ({ "body.name": "A character needs a name." }) });
      name.focus();
      return;
    }
    const body = {
      name: name.value.trim(), character_type: type.value,
      tags: splitList(tags.value), aliases: splitList(aliases.value),
      stats: stats.value(), notes: notes.value(),
    };
    if (gm) {
      body.visibility = vis.value;
      body.owner_id = owner.value || null;
      body.gm_notes = gmNotes.value();
    } else if (!ch) {
      body.owner_id = who.me.id;
    }
    const btn = form.querySelector('button[type="submit"]');
    btn.disabled = true;
    try {
      let saved;
      if (ch) {
        saved = await api.patch(`/characters/${id}`, body, ifMatch(ch.version));
      } else {
        if (voice.value.trim()) body.voice_notes = voice.value;
        saved = await api.post(`/campaigns/${cid}/characters`, body);
      }
      toast(ch ? "Saved" : `${saved.name} created`, "ok");
      ctx.navigate(`/c/${cid}/characters/${saved.id}`);
    } catch (err) {
      showErrors(form, err);
      if (err.status === 409) {
        const msg = form.querySelector(".form-error");
        msg.textContent = explain(err);
        msg.classList.add("conflict");
      }
    } finally {
      btn.disabled = false;
    }
  });
  ctx.main.append(h("p", { class: "crumbs" }, h("a", { href: `#/c/${cid}/characters` }, "Characters"),
    ch ? [" / ", h("a", { href: cancelHref }, ch.name)] : null, " / "), form);
  name.focus();
}

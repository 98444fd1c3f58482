import * as api from "../api.js";
import { h, field, showErrors, toast, fmtTime } from "../dom.js";
import { forgetCampaign } from "../app.js";
import { whoAmI, ifMatch, explain, memberName, fill, clearErrors } from "./character-kit.js";
import { discordCard, filesCard } from "./campaign-discord.js";

const roles = ["gm", "player", "observer"];
const roleNames = { gm: "Game master", player: "Player", observer: "Observer" };
const expiries = [["3600", "1 hour"], ["86400", "1 day"], ["604800", "7 days"], ["2592000", "30 days"], ["7776000", "90 days"]];

// The campaign's overview, and for its GM the settings, members, invites
// and deletion. Players see the overview and the members.
export async function render(ctx) {
  const id = ctx.params.campaign;
  let [c, who] = await Promise.all([api.get(`/campaigns/${id}`), whoAmI(id)]);
  if (!ctx.current()) return;
  ctx.title(c.name);

  const overview = h("section", { class: "card", "aria-labelledby": "overview-title" });
  const drawOverview = () => {
    fill(overview,
      h("h1", { id: "overview-title" }, c.name, " ", who.gm ? h("span", { class: "badge gm" }, "you are the GM") : h("span", { class: "badge" }, roleNames[who.role] || who.role)),
      c.game_system ? h("p", { class: "muted" }, c.game_system) : null,
      c.description ? h("p", { class: "prose" }, c.description) : h("p", { class: "muted" }, "No description yet."),
      h("p", { class: "actions" },
        h("a", { class: "button secondary", href: `#/c/${id}/characters` }, "Characters"),
        h("a", { class: "button secondary", href: `#/c/${id}/graph` }, "Relationship graph"),
        who.gm ? h("a", { class: "button secondary", href: `#/c/${id}/transfer` }, "Export") : null),
      h("p", { class: "muted small" }, `Created ${fmtTime(c.created_at)} · ${who.members.length} member${who.members.length === 1 ? "" : "s"}`),
    );
  };
  drawOverview();
  ctx.main.append(overview);

  const layout = h("div", { class: "grid-2 campaign-grid" });
  const left = h("div", {});
  const right = h("div", {});
  layout.append(left, right);
  ctx.main.append(layout);

  const usage = who.gm ? usageCard() : null;
  if (who.gm) left.append(settingsForm(), usage.card);
  left.append(membersCard());
  if (who.gm) right.append(invitesCard(), discordCard(id));
  right.append(filesCard(ctx, id, who));
  if (who.gm) right.append(deleteCard());

  function settingsForm() {
    const s = c.settings || {};
    const name = h("input", { name: "name", required: true, maxlength: 255, value: c.name });
    const system = h("input", { name: "game_system", maxlength: 255, value: c.game_system || "", placeholder: "dnd5e" });
    const desc = h("textarea", { name: "description", rows: 4 }, c.description || "");
    const reminder = h("input", { name: "reminder_sessions", type: "number", min: 1, max: 100, step: 1, required: true, value: s.reminder_sessions ?? 3 });
    const threshold = h("input", { name: "keyword_threshold", type: "number", min: 0, max: 1, step: 0.05, required: true, value: s.keyword_threshold ?? 0.6 });
    const keep = h("input", { name: "keep_recordings", type: "checkbox", checked: !!s.keep_recordings });
    const retention = h("input", { name: "recording_retention_days", type: "number", min: 0, max: 3650, step: 1, value: s.recording_retention_days ?? 0 });
    // A checked box leaves the feature on; the server keeps the ones
    // switched off (settings.disabled_features).
    const features = [["audio", "Live audio and recording uploads"], ["ai", "Generators (NPCs, locations, encounters, plot hooks)"],
      ["discord", "Posting recaps to Discord"], ["dndbeyond_sync", "Daily re-import of D&D Beyond characters"]].map(([f, label]) =>
      [f, h("input", { name: "disabled_features", type: "checkbox", value: f, checked: !(s.disabled_features || []).includes(f) }), label]);
    // The campaign's own monthly budgets; 0 leaves the server's, and the
    // server refuses one above its own (the host pays).
    const aiBudget = h("input", { name: "ai_tokens_per_month", type: "number", min: 0, step: 1, value: s.ai_tokens_per_month ?? 0 });
    const audioBudget = h("input", { name: "audio_minutes_per_month", type: "number", min: 0, step: 1, value: s.audio_minutes_per_month ?? 0 });
    const syncRetention = () => { retention.disabled = !keep.checked; };
    keep.addEventListener("change", syncRetention);
    syncRetention();
    const form = h("form", { class: "card", id: "campaign-settings", "aria-labelledby": "settings-title" },
      h("h2", { id: "settings-title" }, "Settings"),
      h("div", { class: "grid-2 even" }, field("Name", name), field("Game system", system)),
      field("Description", desc),
      h("div", { class: "grid-2 even" },
        field("Remind after (sessions)", reminder, "A hook or hint untouched this many sessions gets a reminder."),
        field("Keyword confidence threshold", threshold, "Live keyword cards below this confidence (0–1) are dropped.")),
      h("div", { class: "field check" }, h("label", {}, keep, " Keep recordings after transcription")),
      field("Delete kept recordings after (days)", retention, "0 keeps them until deleted by hand."),
      h("div", { class: "grid-2 even" },
        field("AI tokens per month", aiBudget, "0 uses the server's budget; you can set a lower one, not a higher one."),
        field("Audio minutes per month", audioBudget, "Minutes of speech transcribed; 0 uses the server's budget, which you can only lower.")),
      h("fieldset", { class: "features" }, h("legend", {}, "Features in this campaign"),
        ...features.map(([, box, label]) => h("div", { class: "field check" }, h("label", {}, box, " " + label)))),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Save settings")),
    );
    // The server's own switches (GMC_FEATURES_OFF, GMC_FEATURES_FILE) can
    // change while it runs: asked afresh at every drawing, a feature off
    // there is marked, whatever the campaign's box says.
    api.get("/readyz", { anonymous: true }).then((r) => {
      const on = (r && r.components && r.components.features) || {};
      for (const [f, box] of features) {
        if (on[f] === false) box.closest(".field").append(h("small", { class: "muted server-off" }, " (switched off on this server)"));
      }
    }).catch(() => {});
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = {
        name: name.value.trim(), game_system: system.value.trim(), description: desc.value,
        settings: {
          reminder_sessions: Number(reminder.value), keyword_threshold: Number(threshold.value),
          keep_recordings: keep.checked, recording_retention_days: Number(retention.value || 0),
          disabled_features: features.filter(([, box]) => !box.checked).map(([f]) => f),
          ai_tokens_per_month: Number(aiBudget.value || 0), audio_minutes_per_month: Number(audioBudget.value || 0),
        },
      };
      try {
        const renamed = body.name !== c.name;
        c = await api.patch(`/campaigns/${id}`, body, ifMatch(c.version));
        clearErrors(form);
        forgetCampaign();
        toast("Settings saved", "ok");
        // The menu shows the campaign's name: draw the page again to renew it.
        if (renamed) { ctx.navigate(`/c/${id}`, { replace: true }); return; }
        drawOverview();
        usage.refresh();
      } catch (err) {
        showErrors(form, err);
        if (err.status === 409) form.querySelector(".form-error").textContent = explain(err);
        // Settings' errors name "body.settings.<field>": put them beside
        // that field rather than in the summary.
        for (const [loc, msg] of Object.entries(err.fieldErrors ? err.fieldErrors() : {})) {
          const m = /^body\.settings\.(\w+)/.exec(loc);
          const input = m && form.querySelector(`[name="${m[1]}"]`);
          if (!input || !input.id) continue;
          input.setAttribute("aria-invalid", "true");
          form.querySelector("#" + CSS.escape(input.id + "-err")).textContent = msg;
          form.querySelector(".form-error").textContent = "";
        }
      }
    });
    return form;
  }

  // This month's spending against the campaign's AI and audio budgets.
  function usageCard() {
    const card = h("section", { class: "card", id: "campaign-usage", "aria-labelledby": "usage-title" });
    const num = (n) => Number(n).toLocaleString();
    const minutes = (sec) => sec % 60 ? `${Math.floor(sec / 60)} min ${sec % 60} s` : `${sec / 60} min`;
    const row = (label, b, show) => h("tr", { "data-budget": label.toLowerCase() },
      h("th", { scope: "row" }, label),
      h("td", { class: "used" }, show(b.used)),
      h("td", { class: "limit" }, b.limit ? show(b.limit) : "no limit",
        b.campaign_limit && b.limit === b.campaign_limit ? h("small", { class: "muted" }, " (this campaign's)") : null),
      h("td", {}, b.used_up ? h("span", { class: "badge danger" }, "used up") : ""));
    const refresh = async () => {
      try {
        const u = await api.get(`/campaigns/${id}/usage`);
        fill(card,
          h("h2", { id: "usage-title" }, "Usage this month"),
          h("div", { class: "table-wrap" }, h("table", { class: "usage" },
            h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Budget"), h("th", { scope: "col" }, "Used"), h("th", { scope: "col" }, "Limit"),
              h("th", { scope: "col" }, h("span", { class: "sr-only" }, "State")))),
            h("tbody", {},
              row("AI", u.ai_tokens, (n) => `${num(n)} tokens`),
              row("Audio", u.audio_seconds, minutes)))),
          h("p", { class: "muted small" }, `Counts for ${u.month} start again ${fmtTime(u.resets_at)}. Past a limit, AI drafts, summaries and audio are refused until then.`));
      } catch (err) {
        fill(card, h("h2", { id: "usage-title" }, "Usage this month"), h("p", { class: "form-error" }, explain(err)));
      }
    };
    fill(card, h("h2", { id: "usage-title" }, "Usage this month"), h("p", { class: "muted" }, "Loading…"));
    refresh();
    return { card, refresh };
  }

  function membersCard() {
    const card = h("section", { class: "card", "aria-labelledby": "members-title" });
    const draw = () => {
      const rows = who.members.map((m) => {
        const self = m.user_id === who.me.id;
        let roleCell = h("span", {}, roleNames[m.role] || m.role);
        if (who.gm) {
          const sel = h("select", { "aria-label": `Role of ${memberName(m)}`, name: "role" },
            roles.map((r) => h("option", { value: r, selected: r === m.role }, roleNames[r])));
          sel.addEventListener("change", async () => {
            try {
              const updated = await api.put(`/campaigns/${id}/members/${m.user_id}`, { role: sel.value });
              Object.assign(m, updated);
              toast(`${memberName(m)} is now ${roleNames[m.role]}`, "ok");
              if (self && m.role !== "gm") { forgetCampaign(); ctx.navigate(`/c/${id}`, { replace: true }); }
            } catch (err) {
              sel.value = m.role;
              toast(explain(err), "error");
            }
          });
          roleCell = sel;
        }
        const actions = h("td", { class: "row-actions" });
        const ask = () => {
          fill(actions,
            h("span", {}, self ? "Leave the campaign? " : `Remove ${memberName(m)}? `),
            h("button", { type: "button", class: "danger", onclick: remove }, self ? "Leave" : "Remove"),
            h("button", { type: "button", class: "secondary", onclick: reset }, "Cancel"));
          actions.querySelector("button.secondary").focus();
        };
        const reset = () => {
          fill(actions, (who.gm || self)
            ? h("button", { type: "button", class: "secondary", onclick: ask, "aria-label": self ? "Leave the campaign" : `Remove ${memberName(m)}` }, self ? "Leave" : "Remove")
            : "");
        };
        const remove = async () => {
          try {
            await api.del(`/campaigns/${id}/members/${m.user_id}`);
            if (self) { forgetCampaign(); ctx.navigate("/"); return; }
            who.members = who.members.filter((x) => x !== m);
            draw();
            toast(`${memberName(m)} was removed`, "ok");
          } catch (err) {
            toast(explain(err), "error");
            reset();
          }
        };
        reset();
        return h("tr", { "data-member": m.user_id },
          h("td", {}, h("strong", {}, memberName(m)), self ? h("span", { class: "muted" }, " (you)") : null,
            m.email && m.email !== m.display_name ? h("div", { class: "muted small" }, m.email) : null),
          h("td", {}, roleCell),
          actions);
      });
      fill(card,
        h("h2", { id: "members-title" }, "Members"),
        h("div", { class: "table-wrap" }, h("table", { class: "members" },
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Member"), h("th", { scope: "col" }, "Role"), h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Actions")))),
          h("tbody", {}, rows))));
    };
    draw();
    return card;
  }

  function invitesCard() {
    const role = h("select", { name: "role" }, roles.map((r) => h("option", { value: r, selected: r === "player" }, roleNames[r])));
    const expiry = h("select", { name: "expires_in" }, expiries.map(([v, t]) => h("option", { value: v, selected: v === "604800" }, t)));
    const uses = h("input", { name: "max_uses", type: "number", min: 1, max: 1000, value: 1, required: true });
    const out = h("div", { class: "invites", "aria-live": "polite" });
    const form = h("form", { class: "card", id: "invite-form", "aria-labelledby": "invites-title" },
      h("h2", { id: "invites-title" }, "Invite people"),
      h("p", { class: "muted" }, "An invite link lets whoever opens it join with the role you choose."),
      h("div", { class: "grid-2 even" }, field("Role", role), field("Expires after", expiry)),
      field("Uses", uses, "How many people may join with it (up to 1000)."),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Create invite link")),
      out,
    );
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = { role: role.value, expires_in: Number(expiry.value) };
      if (uses.value) body.max_uses = Number(uses.value);
      try {
        const inv = await api.post(`/campaigns/${id}/invites`, body);
        clearErrors(form);
        const link = `${location.origin}/#/invite/${inv.code}`;
        const input = h("input", { readonly: true, value: link, class: "invite-link", "aria-label": "Invite link" });
        const copy = h("button", { type: "button", class: "secondary" }, "Copy");
        copy.addEventListener("click", async () => {
          try {
            await navigator.clipboard.writeText(link);
          } catch {
            // Without clipboard permission, select the text for Ctrl+C.
            input.select();
            document.execCommand("copy");
          }
          copy.textContent = "Copied";
          setTimeout(() => { copy.textContent = "Copy"; }, 2000);
        });
        out.prepend(h("div", { class: "invite" },
          h("div", { class: "invite-row" }, input, copy),
          h("small", { class: "muted" }, `${roleNames[inv.role]} · expires ${fmtTime(inv.expires_at)} · ${inv.max_uses === 1 ? "one person" : `${inv.max_uses} people`} may join with it`)));
        input.focus();
        input.select();
      } catch (err) {
        showErrors(form, err);
      }
    });
    return form;
  }

  function deleteCard() {
    const card = h("section", { class: "card danger-zone", "aria-labelledby": "delete-title" });
    const start = () => {
      const typed = h("input", { name: "confirm_name", autocomplete: "off" });
      const go = h("button", { type: "submit", class: "danger", disabled: true }, "Delete for good");
      typed.addEventListener("input", () => { go.disabled = typed.value.trim() !== c.name; });
      const form = h("form", {},
        h("p", {}, "This deletes the campaign with all its characters, places, plots, sessions and transcripts. It cannot be undone."),
        field(`Type the campaign's name (${c.name}) to confirm`, typed),
        h("div", { class: "actions" }, go, h("button", { type: "button", class: "secondary", onclick: draw }, "Cancel")));
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        if (typed.value.trim() !== c.name) return;
        try {
          await api.del(`/campaigns/${id}`);
          forgetCampaign();
          toast(`${c.name} was deleted`, "ok");
          ctx.navigate("/");
        } catch (err) {
          showErrors(form, err);
        }
      });
      fill(card, h("h2", { id: "delete-title" }, "Delete the campaign"), form);
      typed.focus();
    };
    const draw = () => fill(card,
      h("h2", { id: "delete-title" }, "Delete the campaign"),
      h("div", { class: "actions" }, h("button", { type: "button", class: "danger", onclick: start }, "Delete campaign…")));
    draw();
    return card;
  }
}

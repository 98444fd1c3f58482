import * as api from "../api.js";
import { h, field, showErrors, toast, fmtTime, clear } from "../dom.js";
import { dropZone, upload, download, size } from "./file-kit.js";

// The campaign's Discord webhooks (GM only): the API answers a token's
// last characters, never the token, so that is all this card can show.
export function discordCard(campaignId) {
  const list = h("div", { class: "webhooks", "aria-live": "polite" });
  const name = h("input", { name: "name", required: true, maxlength: 100, placeholder: "#session-recaps" });
  const url = h("input", { name: "url", required: true, type: "url", autocomplete: "off", placeholder: "https://discord.com/api/webhooks/…" });
  const form = h("form", { class: "webhook-form", id: "webhook-form", novalidate: true },
    h("h3", {}, "Add a webhook"),
    field("Name", name),
    field("Webhook URL", url, "In Discord: channel settings › Integrations › Webhooks › Copy Webhook URL."),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Add webhook")));
  const auto = h("div", { class: "auto-post" });
  const card = h("section", { class: "card discord-card", id: "discord", "aria-labelledby": "discord-title" },
    h("h2", { id: "discord-title" }, "Discord ", h("span", { class: "badge gm" }, "GM")),
    h("p", { class: "muted" }, "Session recaps can be posted to a Discord channel through a webhook."),
    list, auto, form);

  // drawAuto offers the webhook approved summaries are posted to; the
  // choice is a campaign setting, saved as soon as it changes.
  const drawAuto = async (hooks) => {
    clear(auto);
    let campaign;
    try { campaign = await api.get(`/campaigns/${campaignId}`); } catch (e) {
      auto.append(h("p", { class: "form-error" }, e.message));
      return;
    }
    const current = (campaign.settings || {}).discord_auto_post_webhook_id || "";
    const live = hooks.filter((w) => !w.gone_at || w.id === current);
    const pick = h("select", { name: "discord_auto_post_webhook_id", id: "auto-post-webhook" },
      h("option", { value: "" }, "No automatic post"),
      live.map((w) => h("option", { value: w.id }, `${w.name} (${w.token_hint})`)));
    pick.value = current;
    const note = h("p", { class: "small", role: "status", "aria-live": "polite" });
    pick.addEventListener("change", async () => {
      pick.disabled = true;
      note.className = "small";
      note.textContent = "Saving…";
      try {
        await api.patch(`/campaigns/${campaignId}`, { settings: { discord_auto_post_webhook_id: pick.value } });
        note.className = "small ok";
        note.textContent = pick.value ? "Approved summaries are posted to this webhook." : "Approved summaries are not posted.";
      } catch (e) {
        note.className = "small form-error";
        note.textContent = e.message;
      } finally { pick.disabled = false; }
    });
    auto.append(field("Post approved summaries to", pick, "When you approve a session's summary, its players' recap is posted here."), note);
  };

  const draw = async () => {
    let hooks;
    try { hooks = await api.all(`/discord/webhooks?campaign_id=${campaignId}`); } catch (e) {
      clear(list).append(h("p", { class: "form-error" }, e.message));
      return;
    }
    drawAuto(hooks);
    if (!hooks.length) { clear(list).append(h("p", { class: "muted" }, "No webhook yet.")); return; }
    clear(list).append(h("ul", { class: "webhook-list" }, hooks.map((w) => h("li", { dataset: { id: w.id } },
      h("div", {},
        h("strong", { class: "webhook-name" }, w.name), " ",
        h("code", { class: "token-hint", title: "The token's last characters" }, w.token_hint),
        w.gone_at ? h("span", { class: "badge danger" }, "deleted in Discord") : null,
        h("br"), h("small", { class: "muted" }, `Added ${fmtTime(w.created_at)}`)),
      h("button", {
        type: "button", class: "danger", "aria-label": `Delete webhook ${w.name}`, onclick: async (e) => {
          e.target.disabled = true;
          try { await api.del(`/discord/webhooks/${w.id}`); toast(`Webhook ${w.name} deleted`, "ok"); } catch (err) { toast(err.message, "error"); }
          draw();
        },
      }, "Delete")))));
  };

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const btn = form.querySelector("button[type=submit]");
    btn.disabled = true;
    try {
      await api.post("/discord/webhooks", { campaign_id: campaignId, name: name.value.trim(), url: url.value.trim() });
      form.reset();
      for (const el of form.querySelectorAll(".field-error, .form-error")) el.textContent = "";
      for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
      toast("Webhook added", "ok");
      await draw();
    } catch (err) {
      showErrors(form, err);
    } finally { btn.disabled = false; }
  });
  draw();
  return card;
}

// filesCard lists the campaign's handouts: members download them, upload
// new ones, and delete what they uploaded (the GM anything).
export function filesCard(ctx, campaignId, who) {
  const list = h("div", { class: "handouts", "aria-live": "polite" });
  const card = h("section", { class: "card files-card", id: "files", "aria-labelledby": "files-title" },
    h("h2", { id: "files-title" }, "Files"), list);
  const draw = async () => {
    let files;
    try { ({ files } = await api.get(`/campaigns/${campaignId}/files?kind=handout`)); } catch (e) {
      clear(list).append(h("p", { class: "form-error" }, e.message));
      return;
    }
    files = (files || []).sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
    if (!files.length) { clear(list).append(h("p", { class: "muted" }, "No handouts yet.")); return; }
    clear(list).append(h("ul", { class: "file-list" }, files.map((f) => h("li", { dataset: { id: f.id } },
      h("div", { class: "file-meta" },
        h("button", {
          type: "button", class: "link file-name", onclick: async () => {
            try { await download(ctx, f); } catch (e) { toast(e.message, "error"); }
          },
        }, f.name),
        h("small", { class: "muted" }, ` ${size(f.size)} · ${fmtTime(f.created_at)}`),
        who.gm && f.visibility === "gm" ? h("span", { class: "badge gm" }, "GM only") : null),
      who.gm || f.created_by === who.me.id ? h("button", {
        type: "button", class: "danger", "aria-label": `Delete ${f.name}`, onclick: async (e) => {
          e.target.disabled = true;
          try { await api.del(`/files/${f.id}`); toast(`${f.name} deleted`, "ok"); } catch (err) { toast(err.message, "error"); }
          draw();
        },
      }, "Delete") : null))));
  };
  if (who.gm || who.role === "player") {
    const zone = dropZone({
      label: "Upload a handout", hint: "Drop a file here or choose one: an image, a PDF or audio.",
      onFile: async (file) => { if (await upload(zone, campaignId, file, { kind: "handout" })) await draw(); },
    });
    card.append(zone.el);
  }
  draw();
  return card;
}

// discordPost is the summary page's "Post to Discord" control: it picks
// a webhook, starts the post job and follows it by polling GET /jobs/{id}.
export function discordPost(ctx, campaignId, sessionId) {
  const box = h("section", { class: "card discord-post", "aria-labelledby": "discord-post-h" },
    h("h2", { id: "discord-post-h" }, "Post to Discord"));
  const status = h("p", { class: "small", role: "status", "aria-live": "polite" });
  const bar = h("progress", { max: "1", value: "0", "aria-label": "Discord post progress", hidden: true });
  let timer = 0;
  ctx.onLeave(() => clearTimeout(timer));
  (async () => {
    let hooks;
    try { hooks = await api.all(`/discord/webhooks?campaign_id=${campaignId}`); } catch (e) {
      box.append(h("p", { class: "form-error" }, e.message));
      return;
    }
    hooks = hooks.filter((w) => !w.gone_at);
    if (!hooks.length) {
      box.append(h("p", { class: "muted" }, "No Discord webhook yet: ", h("a", { href: `#/c/${encodeURIComponent(campaignId)}` }, "add one on the campaign page"), "."));
      return;
    }
    const pick = h("select", { name: "webhook_id" }, hooks.map((w) => h("option", { value: w.id }, `${w.name} (${w.token_hint})`)));
    const go = h("button", { type: "submit", class: "post-discord" }, "Post the recap");
    const form = h("form", { class: "discord-post-form" },
      field("Webhook", pick), h("div", { class: "actions" }, go), bar, status);
    box.append(h("p", { class: "muted small" }, "Posts the players' recap of this session (never GM-only facts)."), form);
    const follow = (jobId) => {
      const tick = async () => {
        if (!ctx.current()) return;
        let j;
        try { j = await api.get(`/jobs/${jobId}`); } catch (e) {
          status.className = "small form-error";
          status.textContent = `Could not follow the post: ${e.message}`;
          go.disabled = false;
          return;
        }
        if (typeof j.progress === "number") bar.value = j.progress;
        if (j.state === "succeeded") {
          bar.value = 1;
          status.className = "small ok";
          const n = j.result && j.result.messages;
          status.textContent = n ? `Posted to Discord in ${n} message${n === 1 ? "" : "s"}.` : "Posted to Discord.";
          go.disabled = false;
          return;
        }
        if (j.state === "failed" || j.state === "cancelled") {
          status.className = "small form-error";
          status.textContent = `The post failed${j.error ? `: ${j.error}` : ""}.`;
          go.disabled = false;
          return;
        }
        status.className = "small";
        status.textContent = j.error ? `Trying again: ${j.error}` : (j.message || (j.state === "queued" ? "Waiting to post…" : "Posting…"));
        timer = setTimeout(tick, 700);
      };
      tick();
    };
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      go.disabled = true;
      bar.hidden = false;
      bar.value = 0;
      status.className = "small";
      status.textContent = "Starting…";
      try {
        const { job_id: jobId } = await api.post(`/sessions/${sessionId}/discord/post`, { webhook_id: pick.value });
        follow(jobId);
      } catch (err) {
        bar.hidden = true;
        status.className = "small form-error";
        status.textContent = err.message;
        go.disabled = false;
      }
    });
  })();
  return box;
}

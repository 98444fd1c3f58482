import * as api from "../api.js";
import { h, clear, field, showErrors, toast, fmtTime } from "../dom.js";
import { roleIn } from "./worldkit.js";

// Game sessions: planned, live and ended, newest first; a GM plans one and
// starts and ends it. Each opens its live table page.

const sameDay = (a, b) => a && b && new Date(a).toDateString() === new Date(b).toDateString();
const clock = (iso) => new Date(iso).toLocaleTimeString(undefined, { timeStyle: "short" });

const statusLabel = { scheduled: "planned", live: "live", ended: "ended" };

export async function render(ctx) {
  const { campaign } = ctx.params;
  const gm = (await roleIn(campaign)) === "gm";
  ctx.title("Sessions");
  const list = h("div", { "aria-live": "polite" });
  ctx.main.append(h("h1", {}, "Sessions"));

  if (gm) {
    const title = h("input", { name: "title", maxlength: 255, placeholder: "Session 4: The Sunless Citadel" });
    const when = h("input", { name: "scheduled_at", type: "datetime-local" });
    const notes = h("textarea", { name: "notes", rows: 2 });
    const form = h("form", { class: "card session-form", "aria-labelledby": "plan-title" },
      h("h2", { id: "plan-title" }, "Plan a session"),
      h("div", { class: "grid-2 even" }, field("Title", title), field("When", when, "Optional")),
      field("Notes", notes),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Plan session")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = { title: title.value.trim(), notes: notes.value };
      if (when.value) {
        const d = new Date(when.value);
        if (Number.isNaN(d.getTime())) { showErrors(form, new api.ApiError(422, { title: "Invalid date", errors: [{ location: "body.scheduled_at", message: "is not a date" }] })); return; }
        body.scheduled_at = d.toISOString();
      }
      try {
        const s = await api.post(`/campaigns/${campaign}/sessions`, body);
        form.reset();
        toast(`Planned session ${s.number}`, "ok");
        await draw();
      } catch (err) { showErrors(form, err); }
    });
    ctx.main.append(form);
  }
  ctx.main.append(h("h2", {}, "All sessions"), list);

  async function act(s, what) {
    try {
      await api.post(`/sessions/${s.id}/${what}`);
      toast(what === "start" ? `Session ${s.number} is live` : `Session ${s.number} ended`, "ok");
      await draw();
    } catch (err) {
      toast(err.status === 409 && what === "start" ? `Cannot start: ${err.message}` : err.message, "error");
    }
  }

  async function draw() {
    const items = await api.all(`/campaigns/${campaign}/sessions`);
    items.sort((a, b) => b.number - a.number);
    clear(list);
    if (!items.length) { list.append(h("p", { class: "muted" }, gm ? "No sessions yet: plan the first one above." : "No sessions yet.")); return; }
    const live = items.some((s) => s.status === "live");
    list.append(h("ul", { class: "session-list" }, items.map((s) => {
      const href = `#/c/${encodeURIComponent(campaign)}/sessions/${encodeURIComponent(s.id)}`;
      const when = s.status === "live" ? `started ${fmtTime(s.started_at)}`
        : s.status === "ended" ? `played ${fmtTime(s.started_at)}${s.ended_at ? `–${sameDay(s.started_at, s.ended_at) ? clock(s.ended_at) : fmtTime(s.ended_at)}` : ""}`
          : s.scheduled_at ? `planned for ${fmtTime(s.scheduled_at)}` : "not scheduled";
      return h("li", { class: `session-row status-${s.status}`, dataset: { id: s.id } },
        h("span", { class: "session-num", "aria-hidden": "true" }, `#${s.number}`),
        h("div", { class: "session-main" },
          h("a", { href, class: "session-title" }, s.title || `Session ${s.number}`),
          h("span", { class: "muted" }, when)),
        h("span", { class: `badge session-${s.status}` }, s.status === "live" ? "● live" : statusLabel[s.status] || s.status),
        h("div", { class: "actions session-actions" },
          s.status === "live" ? h("a", { class: "button", href }, "Join the table") : h("a", { class: "button secondary", href }, s.status === "ended" ? "Transcript" : "Open"),
          s.status === "ended" ? h("a", { class: "button secondary", href: `${href}/summary`, "aria-label": `Summary of session ${s.number}` }, "Summary") : null,
          gm && s.status === "scheduled" ? h("button", { type: "button", disabled: live, "aria-label": `Start session ${s.number}`, title: live ? "Another session is live: end it first" : null, onclick: () => act(s, "start") }, "Start") : null,
          gm && s.status === "live" ? h("button", { type: "button", class: "danger", "aria-label": `End session ${s.number}`, onclick: () => act(s, "end") }, "End") : null));
    })));
  }
  await draw();
}

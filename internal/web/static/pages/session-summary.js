import * as api from "../api.js";
import { h, clear, toast, fmtTime } from "../dom.js";
import { roleIn, entityHash } from "./worldkit.js";
import { discordPost } from "./campaign-discord.js";

// A session's summary: scenes, recap, who and what came up, plot points,
// relationship changes and achievements, each with the transcript lines
// it was taken from one click away; and, for the GM, the updates the
// summary proposes, to apply or reject.
//
// The API answers GET /sessions/{id}/summary with the caller's view: the
// GM's holds the player recap and marks GM-only facts, so the GM's preview
// of the player view is drawn from it by the same rule the server applies
// for players (player recap, GM-only facts left out).

const ms = (n) => {
  const s = Math.max(0, Math.floor(n / 1000));
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  return `${hh ? hh + ":" : ""}${String(mm).padStart(hh ? 2 : 1, "0")}:${String(ss).padStart(2, "0")}`;
};

const proposalLabels = {
  new_npc: "New NPC", attitude_change: "Attitude change", plot_progress: "Plot progress",
  milestone_done: "Milestone done", achievement: "Achievement", location_visited: "Location visited",
};
const featLabels = { first_kill: "First kill", natural_20: "Natural 20", level_up: "Level up", boss_defeated: "Boss defeated" };

export async function render(ctx) {
  const { campaign, session } = ctx.params;
  const [role, s] = await Promise.all([roleIn(campaign), api.get(`/sessions/${session}`)]);
  if (!ctx.current()) return;
  const gm = role === "gm";
  const title = s.title || `Session ${s.number}`;
  ctx.title(`Summary · ${title}`);
  const c = encodeURIComponent(campaign);
  const sessionHref = `#/c/${c}/sessions/${encodeURIComponent(session)}`;

  // The transcript is fetched once, on the first evidence opened.
  let segments = null;
  const transcript = async () => {
    if (!segments) {
      segments = (async () => {
        const byId = new Map();
        let after = 0;
        for (let i = 0; i < 200; i++) {
          const page = await api.get(`/sessions/${session}/transcript?limit=200${after ? "&after_seq=" + after : ""}`);
          for (const seg of page.items || []) byId.set(seg.id, seg);
          if (!page.next_after_seq) break;
          after = page.next_after_seq;
        }
        return byId;
      })();
      segments.catch(() => { segments = null; });
    }
    return segments;
  };

  let evidenceSeq = 0;
  // evidence is a button that opens, below the fact, the transcript lines
  // the fact was taken from.
  const evidence = (ids) => {
    ids = ids || [];
    if (!ids.length) return null;
    const id = `ev-${++evidenceSeq}`;
    const box = h("ol", { class: "evidence", id, hidden: true, "aria-live": "polite" });
    const btn = h("button", { type: "button", class: "link ev-toggle", "aria-expanded": "false", "aria-controls": id },
      `Evidence (${ids.length} line${ids.length === 1 ? "" : "s"})`);
    btn.addEventListener("click", async () => {
      const open = box.hidden;
      box.hidden = !open;
      btn.setAttribute("aria-expanded", String(open));
      if (!open || box.dataset.loaded) return;
      box.replaceChildren(h("li", { class: "muted" }, "Loading…"));
      try {
        const byId = await transcript();
        box.dataset.loaded = "1";
        box.replaceChildren(...ids.map((sid) => {
          const seg = byId.get(sid);
          if (!seg) return h("li", { class: "muted", dataset: { segment: sid } }, "A line that is no longer in the transcript.");
          return h("li", { dataset: { segment: sid } },
            h("span", { class: "ev-time muted" }, ms(seg.start_ms)), " ",
            seg.speaker_label ? h("span", { class: "ev-speaker" }, seg.speaker_label + ": ") : null,
            h("span", { class: "ev-text" }, seg.text));
        }));
      } catch (e) {
        box.replaceChildren(h("li", { class: "form-error" }, e.message));
      }
    });
    return [btn, box];
  };

  const head = h("div", { class: "page-head" },
    h("div", {},
      h("p", { class: "crumbs" }, h("a", { href: `#/c/${c}/sessions` }, "Sessions"), " › ", h("a", { href: sessionHref }, title)),
      h("h1", {}, `Summary: ${title}`)));
  const jobBox = h("div", { class: "summary-job", "aria-live": "polite" });
  const viewBox = h("div", { class: "summary-view-toggle" });
  const body = h("div", { class: "summary-body" });
  const props = h("section", { class: "card proposals", "aria-labelledby": "proposals-h" });
  ctx.main.append(head, jobBox, viewBox);
  ctx.main.append(gm ? h("div", { class: "grid-2 summary-grid" }, body, h("div", {}, discordPost(ctx, campaign, session), props)) : body);

  let summary = null;
  let view = gm ? "gm" : "players";
  let timer = 0;
  ctx.onLeave(() => clearTimeout(timer));

  if (gm) {
    const start = h("button", { type: "button", class: "summarise" }, "Summarise now");
    const bar = h("progress", { max: 1, value: 0, "aria-label": "Summary progress", hidden: true });
    const msg = h("span", { class: "muted small", role: "status" });
    jobBox.append(h("div", { class: "actions" }, start, bar, msg));
    start.addEventListener("click", async () => {
      start.disabled = true;
      msg.textContent = "Starting…";
      try {
        const { job_id: jobId } = await api.post(`/sessions/${session}/summary`);
        bar.hidden = false;
        bar.value = 0;
        follow(jobId);
      } catch (e) {
        start.disabled = false;
        msg.textContent = e.status === 409 ? `Cannot summarise: ${e.message}` : e.message;
      }
    });
    // follow polls the job until it finishes; the bar shows its progress.
    const follow = async (jobId) => {
      if (!ctx.current()) return;
      let j;
      try { j = await api.get(`/jobs/${encodeURIComponent(jobId)}`); } catch (e) {
        msg.textContent = e.message;
        start.disabled = false;
        return;
      }
      if (!ctx.current()) return;
      bar.value = j.progress || 0;
      msg.textContent = `${Math.round((j.progress || 0) * 100)}%${j.message ? " · " + j.message : ""}${j.error ? " · " + j.error : ""}`;
      if (j.state === "succeeded") {
        bar.hidden = true;
        start.disabled = false;
        msg.textContent = "Summary ready.";
        toast("Summary ready", "ok");
        await Promise.all([load(), loadProposals()]);
        return;
      }
      if (j.state === "failed" || j.state === "cancelled") {
        bar.hidden = true;
        start.disabled = false;
        msg.textContent = `The summary ${j.state}${j.error ? ": " + j.error : ""}.`;
        return;
      }
      timer = setTimeout(() => follow(jobId), 500);
    };
  }

  const drawToggle = () => {
    clear(viewBox);
    if (!gm || !summary) return;
    const b = (v, label) => h("button", { type: "button", class: view === v ? "" : "secondary", "aria-pressed": String(view === v), onclick: () => { view = v; drawToggle(); draw(); } }, label);
    // On a phone the proposals come after the whole summary.
    const jump = h("button", { type: "button", class: "link jump-proposals", onclick: () => props.scrollIntoView() }, "Proposed updates ↓");
    viewBox.append(h("div", { class: "actions", role: "group", "aria-label": "Which view" }, b("gm", "GM view"), b("players", "Preview the player view"), jump));
    if (view === "players") viewBox.append(h("p", { class: "muted small" }, "What players see: the player recap, and only facts not marked GM-only."));
  };

  const gmBadge = (x) => (x.gm_only ? h("span", { class: "badge gm" }, "GM only") : null);
  const section = (id, label, items, row, empty) => h("section", { class: `card summary-${id}`, "aria-labelledby": `sum-${id}` },
    h("h2", { id: `sum-${id}` }, label),
    items.length ? h("ul", { class: "facts" }, items.map((x) => h("li", { class: "fact" }, row(x)))) : h("p", { class: "muted" }, empty));
  const charLink = (id, name) => (id ? h("a", { href: "#" + entityHash(campaign, "character", id) }, name) : name);

  // approval shows whether a GM approved this summary, and to GMs an
  // Approve button; approving may also post the recap to Discord (the
  // campaign's auto-post webhook), which the note then follows.
  let postTimer = 0;
  ctx.onLeave(() => clearTimeout(postTimer));
  const approvalNote = h("span", { class: "small approval-note", role: "status", "aria-live": "polite" });
  function approval() {
    const box = h("div", { class: "summary-approval actions" });
    if (summary.approved_at) {
      box.append(h("span", { class: "badge ok approved-badge" }, "Approved"), h("span", { class: "muted small" }, ` ${fmtTime(summary.approved_at)}`));
    } else if (gm) {
      const btn = h("button", { type: "button", class: "approve-summary" }, "Approve");
      btn.addEventListener("click", async () => {
        btn.disabled = true;
        approvalNote.className = "small approval-note";
        approvalNote.textContent = "Approving…";
        try {
          const res = await api.post(`/sessions/${session}/summary/approve`);
          summary = res.summary;
          toast("Summary approved", "ok");
          approvalNote.textContent = res.discord_job_id ? "Approved; posting the recap to Discord…"
            : res.discord_skipped ? `Approved; not posted to Discord: ${res.discord_skipped}.` : "Approved.";
          draw();
          if (res.discord_job_id) followPost(res.discord_job_id);
        } catch (e) {
          btn.disabled = false;
          approvalNote.className = "small approval-note form-error";
          approvalNote.textContent = e.message;
        }
      });
      box.append(h("span", { class: "muted small" }, "Not approved yet. "), btn);
    }
    box.append(approvalNote);
    return box;
  }
  const followPost = async (jobId) => {
    if (!ctx.current()) return;
    let j;
    try { j = await api.get(`/jobs/${encodeURIComponent(jobId)}`); } catch (e) {
      approvalNote.textContent = `Approved; could not follow the Discord post: ${e.message}`;
      return;
    }
    if (j.state === "succeeded") {
      approvalNote.className = "small approval-note ok";
      approvalNote.textContent = "Approved and posted to Discord.";
      return;
    }
    if (j.state === "failed" || j.state === "cancelled") {
      approvalNote.className = "small approval-note form-error";
      approvalNote.textContent = `Approved; the Discord post ${j.state}${j.error ? ": " + j.error : ""}.`;
      return;
    }
    postTimer = setTimeout(() => followPost(jobId), 500);
  };

  function draw() {
    // Without a summary, load's "no summary yet" note stays.
    if (!summary) return;
    clear(body);
    const players = view === "players";
    const keep = (list) => (list || []).filter((x) => !players || !x.gm_only);
    const recap = players ? summary.player_recap || [] : (summary.gm_recap && summary.gm_recap.length ? summary.gm_recap : summary.player_recap || []);
    body.dataset.view = players ? "players" : summary.view;
    body.append(
      h("p", { class: "muted small summary-meta" }, `Version ${summary.version} · ${summary.mode === "llm" ? "language model" : "built-in"} summary · `,
        summary.view === "gm" && !players ? "GM view" : "player view"),
      approval(),
      h("section", { class: "card summary-recap", "aria-labelledby": "sum-recap" },
        h("h2", { id: "sum-recap" }, players || summary.view !== "gm" ? "Recap" : "Recap (GM)"),
        recap.length ? h("ol", { class: "recap" }, recap.map((l) => h("li", { class: "fact" },
          l.speaker ? h("span", { class: "recap-speaker" }, l.speaker + ": ") : null, h("span", {}, l.text), " ", evidence(l.segment_ids)))) : h("p", { class: "muted" }, "Nothing to recap.")),
      section("scenes", "Scenes", summary.scenes || [], (x) => [
        h("span", { class: `badge scene-${x.kind}` }, x.kind), " ",
        h("span", { class: "scene-time" }, `${ms(x.start_ms)}–${ms(x.end_ms)}`),
        (x.cues || []).length ? h("span", { class: "muted small" }, ` · ${x.cues.join(", ")}`) : null, " ", evidence(x.segment_ids)], "No scenes."),
      section("entities", "Who and what came up", keep(summary.entities), (x) => [
        /^(character|location|plot):./.test(x.key || "")
          ? h("a", { href: "#" + entityHash(campaign, x.key.split(":")[0], x.key.slice(x.key.indexOf(":") + 1)) }, x.name)
          : h("strong", {}, x.name),
        h("span", { class: "muted small" }, ` ${x.category} · ${x.count}×`), " ", gmBadge(x), " ", evidence(x.segment_ids)], "Nothing named."),
      section("plots", "Plot points", keep(summary.plot_points), (x) => [
        h("a", { href: "#" + entityHash(campaign, "plot", x.plot_id) }, x.title), " ", h("em", {}, x.word), " ", gmBadge(x),
        h("p", { class: "fact-text" }, x.text), evidence(x.segment_ids)], "No plot thread moved."),
      section("relationships", "Relationship changes", keep(summary.relationship_changes), (x) => [
        charLink(x.source_id, x.source_name), " → ", charLink(x.target_id, x.target_name), " ",
        h("span", { class: `badge ${x.delta >= 0 ? "att-friendly" : "att-wary"}` }, `${x.delta > 0 ? "+" : ""}${x.delta}`), " ", h("em", {}, x.word), " ", gmBadge(x),
        h("p", { class: "fact-text" }, x.text), evidence(x.segment_ids)], "No change heard."),
      section("achievements", "Achievements", keep(summary.achievements), (x) => [
        h("strong", {}, x.title), " ", h("span", { class: "badge" }, featLabels[x.kind] || x.kind), " ",
        x.character_id ? charLink(x.character_id, x.character_name) : x.character_name || "", " ", gmBadge(x),
        h("p", { class: "fact-text" }, x.text), evidence(x.segment_ids)], "None this time."));
  }

  async function load() {
    try {
      summary = await api.get(`/sessions/${session}/summary`);
    } catch (e) {
      if (e.status !== 404) throw e;
      summary = null;
      clear(body).append(h("div", { class: "card" }, h("p", {}, "This session has no summary yet."),
        h("p", { class: "muted" }, s.status === "ended"
          ? (gm ? "Summarise it now: the summary is made from its transcript." : "The GM can make one from its transcript.")
          : "A summary is made from the transcript once the session has ended.")));
    }
    if (!ctx.current()) return;
    drawToggle();
    draw();
  }

  const describe = (p) => {
    const d = p.payload || {};
    switch (p.kind) {
      case "new_npc": return [`Add an NPC named `, h("strong", {}, d.name), ` (named ${d.mentions} time${d.mentions === 1 ? "" : "s"})`];
      case "attitude_change": return [charLink(d.source_id, d.source_name), "’s attitude to ", charLink(d.target_id, d.target_name), ` ${d.delta > 0 ? "+" : ""}${d.delta}`, d.word ? ` (“${d.word}”)` : ""];
      case "plot_progress": return [h("a", { href: "#" + entityHash(campaign, "plot", d.plot_id) }, d.title), `: progress to ${d.progress}%`, d.status ? `, status ${d.status}` : "", d.word ? ` (“${d.word}”)` : ""];
      case "milestone_done": return ["Mark milestone ", h("strong", {}, d.title), " done on ", h("a", { href: "#" + entityHash(campaign, "plot", d.plot_id) }, "its thread")];
      case "achievement": return ["Award ", h("strong", {}, d.title), " to ", charLink(d.character_id, d.character_name), d.description ? `: ${d.description}` : ""];
      case "location_visited": return ["Mark ", h("a", { href: "#" + entityHash(campaign, "location", d.location_id) }, d.name), " as visited"];
      default: return [JSON.stringify(d)];
    }
  };

  const resultOf = (p) => {
    const r = p.result || {};
    if (r.character_id) return [" → ", h("a", { href: "#" + entityHash(campaign, "character", r.character_id) }, "open the character")];
    return null;
  };

  function proposalRow(p) {
    const status = h("span", { class: `badge prop-${p.status}` }, p.status);
    const note = h("p", { class: "small prop-note", role: "status" });
    const actions = h("div", { class: "actions" });
    const li = h("li", { class: `proposal status-${p.status}`, dataset: { id: p.id, kind: p.kind } },
      h("p", { class: "badges" }, h("span", { class: "badge" }, proposalLabels[p.kind] || p.kind), status),
      h("p", { class: "prop-what" }, describe(p), resultOf(p)),
      evidence(p.segment_ids), actions, note);
    const decide = async (what) => {
      for (const b of actions.querySelectorAll("button")) b.disabled = true;
      try {
        const out = await api.post(`/proposals/${p.id}/${what}`);
        li.replaceWith(proposalRow(out));
        recount();
        toast(what === "apply" ? "Applied" : "Rejected", "ok");
      } catch (e) {
        if (e.status === 409) {
          note.textContent = `Already decided: ${e.message}.`;
          // Show where it stands now.
          try {
            const list = await api.get(`/sessions/${session}/proposals`);
            const now = (list.items || []).find((x) => x.id === p.id);
            if (now) { const row = proposalRow(now); row.querySelector(".prop-note").textContent = note.textContent; li.replaceWith(row); recount(); }
          } catch { /* the note says enough */ }
        } else {
          note.textContent = e.message;
          for (const b of actions.querySelectorAll("button")) b.disabled = false;
        }
      }
    };
    if (p.status === "pending") {
      actions.append(
        h("button", { type: "button", onclick: () => decide("apply"), "aria-label": `Apply: ${proposalLabels[p.kind] || p.kind}` }, "Apply"),
        h("button", { type: "button", class: "secondary", onclick: () => decide("reject"), "aria-label": `Reject: ${proposalLabels[p.kind] || p.kind}` }, "Reject"));
    } else if (p.decided_at) {
      note.textContent = `${p.status === "applied" ? "Applied" : "Rejected"} ${new Date(p.decided_at).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })}`;
      note.classList.add("muted");
    }
    return li;
  }

  let countEl = null;
  // recount says how many proposals still wait, after each decision.
  function recount() {
    if (!countEl) return;
    const all = props.querySelectorAll(".proposal").length;
    const pending = props.querySelectorAll(".proposal.status-pending").length;
    countEl.textContent = !all ? "The summary proposes no update."
      : pending ? `${pending} of ${all} waiting for you; applying one changes the campaign, recorded in its history.`
        : `All ${all} decided.`;
  }

  async function loadProposals() {
    if (!gm) return;
    const list = await api.get(`/sessions/${session}/proposals`);
    if (!ctx.current()) return;
    const items = list.items || [];
    const order = { pending: 0, applied: 1, rejected: 2 };
    items.sort((a, b) => order[a.status] - order[b.status]);
    clear(props).append(
      h("h2", { id: "proposals-h" }, "Proposed updates"),
      countEl = h("p", { class: "muted small prop-count" }),
      h("ul", { class: "proposal-list", "aria-live": "polite" }, items.map(proposalRow)));
    recount();
  }

  await Promise.all([load(), loadProposals()]);
}

import * as api from "../api.js";
import { h, clear, field, showErrors, toast, fmtTime } from "../dom.js";
import { audioPanels } from "./session-audio.js";

// The live table: the transcript as it is spoken, keyword cards beside it,
// who is here, chat and whispers, and the scene and initiative everyone
// shares. It is a client of the session socket like any other (API.md,
// "Game sessions and the live table").
//
// The socket's seq numbers the channel's messages; a segment's own seq
// numbers the transcript. Resuming uses the first; the transcript keeps
// its lines by the second, so a line that arrives twice (replayed after a
// reconnect and also paged over HTTP) is shown once.

const maxCards = 40;
const maxChat = 200;

export async function render(ctx) {
  const sessionId = ctx.params.session;
  const campaignId = ctx.params.campaign;
  const [session, campaign, user] = await Promise.all([
    api.get(`/sessions/${sessionId}`), api.get(`/campaigns/${campaignId}`), api.me(),
  ]);
  const [members, characters] = await Promise.all([
    api.all(`/campaigns/${campaignId}/members`), api.all(`/campaigns/${campaignId}/characters`).catch(() => []),
  ]);
  if (!ctx.current()) return;
  const mine = members.find((m) => m.user_id === user.id);
  const t = new Table(ctx, { session, campaign, user, members, characters, role: mine ? mine.role : "observer" });
  ctx.title(session.title || `Session ${session.number}`);
  await t.start();
}

class Table {
  constructor(ctx, o) {
    Object.assign(this, o);
    this.ctx = ctx;
    this.sid = o.session.id;
    this.cid = o.campaign.id;
    this.segments = new Map(); // segment seq → {seg, el}
    this.hits = new Set(); // hit ids already shown
    this.cards = new Map(); // term key → card element
    this.pendingMarks = new Map(); // segment seq → mentions seen before the line
    this.speakers = new Map(); // label → {user_id, character_id}
    this.present = new Map();
    this.state = { version: 0, data: {} };
    this.lastSeq = 0; // the channel's, for resume
    this.ws = null;
    this.attempt = 0;
    this.stopped = false;
    this.replay = null;
    this.pending = []; // state updates sent and not answered yet
    this.consentMissing = [];
    this.consentWatchers = []; // called with the member's answer to the consent question
    this.jobWatchers = []; // called with each job.progress
    this.audio = null; // the microphone (session-audio.js)
    ctx.onLeave(() => this.stop());
  }

  get gm() { return this.role === "gm"; }

  nameOfUser(id) {
    if (id === this.user.id) return this.user.display_name;
    const m = this.members.find((x) => x.user_id === id);
    return m ? (m.display_name || m.email || "member") : (this.present.get(id)?.display_name || "someone");
  }

  nameOfCharacter(id) {
    const c = this.characters.find((x) => x.id === id);
    return c ? c.name : "";
  }

  // speakerName: a mapped character first (who speaks at the table), then
  // the member, then the label itself.
  speakerName(seg) {
    const map = this.speakers.get(seg.speaker_label) || seg.speaker || null;
    if (map) {
      if (map.character_id && this.nameOfCharacter(map.character_id)) return this.nameOfCharacter(map.character_id);
      if (map.user_id) return this.nameOfUser(map.user_id);
    }
    return seg.speaker_label || "Unknown speaker";
  }

  async start() {
    this.draw();
    await this.loadSpeakers();
    await this.loadHistory();
    await this.loadHits();
    if (this.stopped) return;
    this.showAsked();
    if (this.session.status === "live") this.connect();
    else this.setStatus(this.session.status === "ended" ? "This session has ended." : "This session has not started yet.");
    if (this.session.status === "scheduled") this.waitForStart();
    if (this.gm && this.session.status === "live") this.loadConsent();
  }

  // waitForStart looks now and then whether the GM has started the
  // session, so that a player who came early is let in.
  waitForStart() {
    this.startTimer = setInterval(async () => {
      try {
        const s = await api.get(`/sessions/${this.sid}`);
        if (s.status !== "scheduled" && !this.stopped) { this.session = s; this.redraw(); }
      } catch { /* try again at the next tick */ }
    }, 5000);
  }

  stop() {
    this.stopped = true;
    clearInterval(this.startTimer);
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    if (this.replay) this.replay.stop();
    if (this.audio) this.audio.leave();
    if (this.ws) { try { this.ws.close(1000); } catch { /* already closed */ } }
  }

  // ---- layout ----

  draw() {
    const s = this.session;
    const main = this.ctx.main;
    this.statusEl = h("p", { class: "live-status muted", role: "status" });
    this.controls = h("div", { class: "actions" });
    this.drawControls();
    main.append(
      h("div", { class: "live-head" },
        h("div", {},
          h("h1", {}, s.title || `Session ${s.number}`),
          h("p", { class: "muted" }, `${this.campaign.name} · session ${s.number}`, " ", h("span", { class: `badge live-${s.status}` }, s.status),
            " · ", h("a", { href: `#/c/${encodeURIComponent(this.campaign.id)}/sessions/${encodeURIComponent(s.id)}/summary`, class: "summary-link" }, "Summary"))),
        this.controls),
      this.statusEl,
    );

    this.transcriptEl = h("ol", { class: "transcript", "aria-live": "polite", "aria-relevant": "additions", "aria-label": "Transcript" });
    this.transcriptBox = h("div", { class: "transcript-box", tabindex: "0", role: "region", "aria-label": "Transcript, scrollable" }, this.transcriptEl);
    this.emptyEl = h("p", { class: "muted transcript-empty" }, "Nothing has been said yet.");
    this.cardsEl = h("ul", { class: "kw-cards", "aria-live": "polite", "aria-label": "Keyword cards" });
    this.cardsEmpty = h("p", { class: "muted" }, "Spells, monsters, conditions and campaign names appear here as they are mentioned.");

    this.sceneEl = h("p", { class: "scene-text prose" });
    this.initEl = h("ol", { class: "initiative" });
    this.presenceEl = h("ul", { class: "presence" });
    this.chatLog = h("ol", { class: "chat-log", "aria-live": "polite", "aria-label": "Chat messages" });

    const side = h("div", { class: "live-side" },
      h("section", { class: "card cards-card", "aria-labelledby": "cards-h" }, h("h2", { id: "cards-h" }, "Cards"), this.cardsEmpty, this.cardsEl),
      this.drawState(),
      h("section", { class: "card presence-card", "aria-labelledby": "presence-h" }, h("h2", { id: "presence-h" }, "At the table"), this.presenceEl,
        this.consentEl = h("div", { class: "consent-note" })),
      this.drawChat(),
    );
    const left = h("div", { class: "live-main" },
      h("section", { class: "card transcript-card", "aria-labelledby": "transcript-h" },
        h("h2", { id: "transcript-h" }, "Transcript"), this.emptyEl, this.transcriptBox),
      audioPanels(this),
      this.gm ? this.drawGMTools() : null,
    );
    main.append(h("div", { class: "live-grid" }, left, side));
    // Chat, the shared state and the GM's tools need the live table.
    if (s.status !== "live") for (const el of main.querySelectorAll(".live-only")) el.hidden = true;
    this.drawPresence();
    this.drawStateView();
  }

  drawControls() {
    clear(this.controls);
    if (!this.gm) return;
    if (this.session.status === "scheduled") {
      this.controls.append(h("button", { type: "button", onclick: () => this.startSession() }, "Start session"));
    } else if (this.session.status === "live") {
      this.controls.append(h("button", { type: "button", class: "danger", onclick: () => this.confirmEnd() }, "End session"));
    }
  }

  setStatus(text, kind = "") {
    this.statusEl.textContent = text;
    this.statusEl.className = `live-status ${kind || "muted"}`;
  }

  async startSession() {
    try {
      this.session = await api.post(`/sessions/${this.sid}/start`);
      toast("The session is live.", "ok");
      this.redraw();
    } catch (e) { toast(e.message, "error"); }
  }

  // confirmEnd asks on the page before ending: ending disconnects everyone.
  confirmEnd() {
    clear(this.controls);
    const keep = h("button", { type: "button", class: "secondary", onclick: () => this.drawControls() }, "Keep playing");
    this.controls.append(h("span", { role: "alert" }, "End the session for everyone at the table?"),
      h("button", { type: "button", class: "danger", onclick: () => this.endSession() }, "End it for everyone"), keep);
    keep.focus();
  }

  async endSession() {
    try {
      this.session = await api.post(`/sessions/${this.sid}/end`);
      this.ended("The session has ended.");
    } catch (e) { toast(e.message, "error"); }
  }

  // redraw starts the page over (after the session's status changed).
  redraw() {
    this.stop();
    clear(this.ctx.main);
    const t = new Table(this.ctx, { session: this.session, campaign: this.campaign, user: this.user, members: this.members, characters: this.characters, role: this.role });
    t.start();
  }

  // ---- transcript ----

  async loadHistory() {
    let after = this.maxSegSeq();
    for (;;) {
      const page = await api.get(`/sessions/${this.sid}/transcript?after_seq=${after}&limit=200`);
      for (const seg of page.items) this.addSegment(seg);
      if (!page.next_after_seq) break;
      after = page.next_after_seq;
    }
  }

  // showAsked scrolls to the line a link asked for (?seq=, from search)
  // and marks it.
  showAsked() {
    const seq = Number(this.ctx.query.get("seq"));
    const entry = seq ? this.segments.get(seq) : null;
    if (!entry) return;
    entry.el.classList.add("seg-asked");
    entry.el.scrollIntoView({ block: "center" });
  }

  maxSegSeq() {
    let m = 0;
    for (const k of this.segments.keys()) m = Math.max(m, k);
    return m;
  }

  addSegment(seg) {
    if (this.segments.has(seg.seq)) return;
    const box = this.transcriptBox;
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    const textEl = h("span", { class: "seg-text" }, seg.text);
    const el = h("li", { class: "seg", dataset: { seq: String(seg.seq) } },
      h("span", { class: "seg-meta" },
        h("strong", { class: "seg-speaker" }, this.speakerName(seg)), " ",
        h("time", { class: "muted", datetime: seg.created_at, title: this.segTitle(seg) }, this.segTime(seg))),
      textEl);
    const entry = { seg, el, textEl, marks: [] };
    this.segments.set(seg.seq, entry);
    // Lines arrive in order almost always; a line paged in after a
    // reconnect may belong before the last one shown.
    let before = null;
    const last = this.transcriptEl.lastElementChild;
    if (last && Number(last.dataset.seq) > seg.seq) {
      for (const li of this.transcriptEl.children) {
        if (Number(li.dataset.seq) > seg.seq) { before = li; break; }
      }
    }
    this.transcriptEl.insertBefore(el, before);
    this.emptyEl.hidden = true;
    const pending = this.pendingMarks.get(seg.seq);
    if (pending) { this.pendingMarks.delete(seg.seq); for (const a of pending) this.mark(a); }
    if (atBottom || !before) box.scrollTop = box.scrollHeight;
    if (this.gm && seg.speaker_label && !this.speakers.has(seg.speaker_label)) this.noteLabel(seg.speaker_label);
  }

  segTime(seg) {
    return new Date(seg.created_at).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  }

  // segTitle adds where in the recording the line was said, when known.
  segTitle(seg) {
    if (!(seg.start_ms > 0)) return fmtTime(seg.created_at);
    const s = Math.floor(seg.start_ms / 1000);
    const hh = Math.floor(s / 3600), mm = Math.floor(s / 60) % 60, ss = s % 60;
    return `${fmtTime(seg.created_at)} · ${hh}:${String(mm).padStart(2, "0")}:${String(ss).padStart(2, "0")} into the session`;
  }

  renameSpeakers() {
    for (const { seg, el } of this.segments.values()) el.querySelector(".seg-speaker").textContent = this.speakerName(seg);
  }

  // mark highlights a keyword's mention in its line. Spans are byte
  // offsets into the UTF-8 text.
  mark(alert) {
    const entry = this.segments.get(alert.seq);
    if (!entry) {
      const list = this.pendingMarks.get(alert.seq) || [];
      list.push(alert);
      this.pendingMarks.set(alert.seq, list);
      return;
    }
    const [a, b] = alert.span || [0, 0];
    if (b <= a) return;
    if (entry.marks.some((m) => m[0] < b && a < m[1])) return;
    const rule = alert.kind === "rule" ? (alert.rule || alert.name || "").replaceAll("_", " ") : null;
    entry.marks.push([a, b, alert.gm_only ? "gm" : rule !== null ? "rule" : null, rule]);
    entry.marks.sort((x, y) => x[0] - y[0]);
    const bytes = new TextEncoder().encode(entry.seg.text);
    const dec = new TextDecoder();
    const parts = [];
    let at = 0;
    for (const [s, e, cls, title] of entry.marks) {
      parts.push(dec.decode(bytes.slice(at, s)));
      parts.push(h("mark", { class: cls, title }, dec.decode(bytes.slice(s, e))));
      at = e;
    }
    parts.push(dec.decode(bytes.slice(at)));
    entry.textEl.replaceChildren(...parts.map((p) => (typeof p === "string" ? document.createTextNode(p) : p)));
  }

  // ---- keyword cards ----

  async loadHits() {
    let hits;
    try { hits = await api.all(`/sessions/${this.sid}/keywords`); } catch { return; }
    // The list holds what this member may see: a player's never holds a
    // GM-only term. Each term's latest mention makes its card, the most
    // recent on top.
    const latest = new Map();
    for (const hit of hits) {
      this.mark(hit);
      if (!hit.merged && hit.kind === "term") { latest.delete(hit.term_key); latest.set(hit.term_key, hit); }
    }
    for (const hit of [...latest.values()].slice(-maxCards)) {
      this.showAlert({ kind: "term", hit_id: hit.id, seq: hit.seq, span: hit.span, surface: hit.surface, gm_only: hit.gm_only,
        term: { key: hit.term_key, name: hit.name, category: hit.category, source: hit.source, ref: hit.ref }, card: null, history: true });
    }
  }

  showAlert(a) {
    if (a.hit_id && this.hits.has(a.hit_id)) return;
    if (a.hit_id) this.hits.add(a.hit_id);
    this.mark(a);
    // Rule phrases (dice, DCs, saving throws) are underlined in the line;
    // cards are for the things named.
    if (a.kind === "rule") return;
    const key = a.term?.key || a.surface;
    const old = this.cards.get(key);
    const seg = this.segments.get(a.seq)?.seg;
    const who = seg ? this.speakerName(seg) : "";
    if (old) {
      // The same term again, later: bring its card back to the top.
      old.querySelector(".kw-when").textContent = who ? `mentioned again by ${who}` : "mentioned again";
      this.cardsEl.prepend(old);
      return;
    }
    const el = this.termCard(a, who);
    this.cards.set(key, el);
    this.cardsEl.prepend(el);
    this.cardsEmpty.hidden = true;
    while (this.cardsEl.children.length > maxCards) {
      const last = this.cardsEl.lastElementChild;
      for (const [k, v] of this.cards) if (v === last) this.cards.delete(k);
      last.remove();
    }
  }

  termCard(a, who) {
    const term = a.term || {};
    const card = a.card;
    const body = h("div", { class: "kw-body" });
    const el = h("li", { class: `kw-card card kw-${term.category || "term"}${a.gm_only ? " kw-gm" : ""}`, dataset: { key: term.key || "" } },
      h("div", { class: "kw-head" },
        h("h3", {}, card?.type === "character" && card.id
          ? h("a", { href: `#/c/${this.cid}/characters/${card.id}` }, card.name)
          : card?.name || term.name || a.surface),
        h("span", { class: "badge" }, categoryLabel(term.category)),
        a.gm_only ? h("span", { class: "badge gm", title: "Only game masters see this card" }, "GM only") : null),
      body,
      h("p", { class: "kw-when muted" }, who ? `said by ${who}` : ""));
    if (card) this.fillCard(body, card, term.category);
    else if (term.source === "srd" && term.ref) this.fetchCard(body, term.ref);
    return el;
  }

  async fetchCard(body, ref) {
    const [kind, slug] = ref.split("/");
    try {
      const e = await api.get(`/reference/${encodeURIComponent(kind)}/${encodeURIComponent(slug)}`);
      this.fillCard(body, { ...e.card, name: e.name, attribution: e.attribution });
    } catch { /* the card keeps its name */ }
  }

  fillCard(body, card, category) {
    clear(body);
    const effects = card.effects || [];
    const bare = [categoryLabel(card.type), categoryLabel(category)].map((x) => x.toLowerCase());
    if (card.summary && !bare.includes(card.summary.toLowerCase()) && card.summary !== effects[0]) {
      body.append(h("p", { class: "kw-summary" }, card.summary));
    }
    const facts = [];
    const m = card.monster;
    if (m) {
      facts.push(["AC", `${m.ac}${m.ac_note ? ` (${m.ac_note})` : ""}`], ["HP", `${m.hp}${m.hit_dice ? ` (${m.hit_dice})` : ""}`], ["Speed", m.speed], ["CR", `${m.cr} (${m.xp} XP)`]);
    }
    const sp = card.spell;
    if (sp) {
      facts.push(["Casting time", sp.casting_time], ["Range", sp.range], ["Duration", (sp.concentration ? "Concentration, " : "") + sp.duration]);
      if (sp.components?.length) facts.push(["Components", sp.components.join(", ")]);
    }
    const it = card.item;
    if (it) {
      if (it.rarity) facts.push(["Rarity", it.rarity + (it.attunement ? " (attunement)" : "")]);
      if (it.damage) facts.push(["Damage", it.damage]);
      if (it.armor_class) facts.push(["AC", it.armor_class]);
      if (it.cost) facts.push(["Cost", it.cost]);
    }
    // The summary line already holds the facts when the server made one.
    if (facts.length && !card.summary) body.append(h("dl", { class: "kw-facts" }, facts.filter((f) => f[1]).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])));
    if (m?.attacks?.length) {
      body.append(h("ul", { class: "kw-attacks" }, m.attacks.slice(0, 3).map((x) =>
        h("li", {}, h("strong", {}, x.name), " ", [x.bonus != null ? `+${x.bonus} to hit` : "", x.damage, x.save].filter(Boolean).join(" · ")))));
    }
    if (effects.length) body.append(h("ul", { class: "kw-effects kw-summary" }, effects.slice(0, 3).map((e) => h("li", {}, e))));
    else if (card.text && card.text !== card.summary) body.append(h("p", { class: "kw-text" }, card.text));
    // The SRD's licence asks for its statement with the material.
    if (card.attribution) body.append(h("details", { class: "kw-attr muted" }, h("summary", {}, "Source: SRD 5.1, CC BY 4.0"), card.attribution));
  }

  // ---- the socket ----

  async connect() {
    if (this.stopped) return;
    this.setStatus(this.attempt ? "Reconnecting…" : "Connecting…");
    let url;
    try {
      url = await api.socketURL(this.sid);
    } catch (e) {
      if (e instanceof api.ApiError && e.status === 409) { this.ended("The session is not live any more."); return; }
      if (e instanceof api.ApiError && (e.status === 401 || e.status === 403 || e.status === 404)) { this.setStatus(e.message, "form-error"); return; }
      this.retry();
      return;
    }
    if (this.stopped) return;
    const ws = new WebSocket(url);
    this.ws = ws;
    this.held = this.maxSegSeq();
    this.resuming = this.lastSeq > 0;
    ws.addEventListener("open", () => {
      // The first message ends the server's wait for a resume; a client
      // that was here before asks for what it missed.
      if (this.lastSeq > 0) this.send("resume", { last_seq: this.lastSeq });
      else this.send("ping", {});
    });
    ws.addEventListener("message", (ev) => {
      let m;
      try { m = JSON.parse(ev.data); } catch { return; }
      if (m.seq > this.lastSeq) this.lastSeq = m.seq;
      this.handle(m);
    });
    ws.addEventListener("close", (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      clearInterval(this.pingTimer);
      if (this.stopped) return;
      if (ev.code === 4001) { this.ended("The session has ended."); return; }
      this.retry();
    });
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.send("ping", {}), 25000);
  }

  retry() {
    if (this.stopped) return;
    this.attempt++;
    const wait = Math.min(10000, 400 * 2 ** Math.min(this.attempt - 1, 5)) * (0.75 + Math.random() / 2);
    this.setStatus(`Connection lost; reconnecting in ${Math.ceil(wait / 1000)} s…`, "form-error");
    this.presenceEl.classList.add("stale");
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), wait);
  }

  ended(text) {
    this.stopped = true;
    clearInterval(this.pingTimer);
    if (this.ws) { try { this.ws.close(1000); } catch { /* already closed */ } }
    if (this.replay) this.replay.stop();
    if (this.audio) this.audio.stop("The session ended.");
    this.session = { ...this.session, status: "ended" };
    this.setStatus(text);
    this.drawControls();
    for (const el of this.ctx.main.querySelectorAll(".live-only")) el.hidden = true;
    this.present.clear();
    this.drawPresence();
  }

  send(type, data) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify({ type, data }));
    return true;
  }

  handle(m) {
    const d = m.data || {};
    switch (m.type) {
      case "welcome": this.welcome(d); break;
      case "presence":
        for (const u of d.left || []) this.present.delete(u.user_id);
        for (const u of d.joined || []) this.present.set(u.user_id, u);
        this.drawPresence();
        if (this.gm && (d.joined || []).length) this.loadConsent();
        break;
      case "transcript.segment": this.addSegment(d); break;
      case "keyword.alert": this.showAlert(d); break;
      case "state.patch":
        if (d.by === this.user.id) {
          const sent = JSON.stringify(parseJSON(d.patch));
          const i = this.pending.findIndex((p) => p.sent === sent);
          if (i >= 0) this.pending.splice(i, 1);
        }
        if (d.version > this.state.version) {
          this.state = { version: d.version, data: parseJSON(d.data) };
          this.drawStateView();
        }
        break;
      case "chat": this.addChat(d, m.ts); break;
      case "job.progress": this.jobProgress(d); break;
      case "entity.changed": break;
      case "session.ended": this.ended("The session has ended."); break;
      case "error": this.socketError(d); break;
    }
  }

  welcome(d) {
    this.attempt = 0;
    this.pending = []; // a new connection: what the old one sent is settled
    this.role = d.role || this.role;
    this.setStatus(`Connected as ${this.user.display_name} (${roleLabel(this.role)}).`);
    this.presenceEl.classList.remove("stale");
    this.present.clear();
    for (const u of d.present || []) this.present.set(u.user_id, u);
    this.drawPresence();
    if (d.state) { this.state = { version: d.state.version, data: parseJSON(d.state.data) }; this.drawStateView(); }
    // A welcome answering a resume comes before the messages it replays:
    // the seq to resume from moves with those, not with the welcome.
    if (!this.resuming || d.reason) this.lastSeq = d.last_seq;
    // The database keeps every line: page what came after the last line
    // held when this connection opened. Lines that also arrive live are
    // dropped by their seq.
    const held = this.held;
    (async () => {
      let after = held;
      for (;;) {
        const page = await api.get(`/sessions/${this.sid}/transcript?after_seq=${after}&limit=200`);
        for (const seg of page.items) this.addSegment(seg);
        if (!page.next_after_seq) break;
        after = page.next_after_seq;
      }
      if (d.reason) await this.loadHits();
    })().catch(() => {});
    if (d.consent_required && !this.consentAsked) this.askConsent();
  }

  socketError(d) {
    if (d.code === "stale_state" && d.state) {
      this.state = { version: d.state.version, data: parseJSON(d.state.data) };
      this.drawStateView();
      const p = this.pending.shift();
      if (p && p.tries < 3) this.update(p.make, p.tries + 1);
      else toast("Someone changed the table at the same time; here is their version. Try again.", "error");
      return;
    }
    if (d.code === "invalid_patch" || (d.code === "forbidden" && this.pending.length)) this.pending.shift();
    toast(d.message || d.code || "The table refused that.", "error");
  }

  jobProgress(d) {
    const pct = Math.round((d.progress || 0) * 100);
    this.setStatus(`${d.kind}: ${d.state}${d.state === "running" ? ` (${pct}%)` : ""}${d.message ? ` — ${d.message}` : ""}`);
    for (const fn of this.jobWatchers) fn(d);
  }

  // ---- presence and consent ----

  drawPresence() {
    clear(this.presenceEl);
    const seen = new Set();
    const row = (id, name, role, here) => {
      seen.add(id);
      const missing = this.gm && this.consentMissing.includes(id);
      return h("li", { class: here ? "here" : "away" },
        h("span", { class: "dot", "aria-hidden": "true" }),
        h("span", {}, name, id === this.user.id ? " (you)" : ""), " ",
        h("span", { class: `badge${role === "gm" ? " gm" : ""}` }, roleLabel(role)),
        h("span", { class: "visually-hidden" }, here ? " — here" : " — away"),
        missing ? h("span", { class: "badge consent-missing", title: "Has not agreed to voice processing: their audio is dropped" }, "no voice consent") : null);
    };
    for (const u of this.present.values()) this.presenceEl.append(row(u.user_id, u.display_name, u.role, true));
    for (const m of this.members) {
      if (seen.has(m.user_id)) continue;
      this.presenceEl.append(row(m.user_id, m.display_name || m.email, m.role, false));
    }
    this.drawWhisperTargets();
  }

  async loadConsent() {
    try {
      const r = await api.get(`/sessions/${this.sid}/consent`);
      this.consentMissing = r.missing || [];
      clear(this.consentEl);
      if (this.consentMissing.length) {
        this.consentEl.append(h("p", { class: "muted" }, `Voice consent missing: ${this.consentMissing.map((id) => this.nameOfUser(id)).join(", ")}. Their audio is dropped until they agree.`));
      }
      this.drawPresence();
    } catch { /* not for this member */ }
  }

  askConsent() {
    this.consentAsked = true;
    const dlg = h("dialog", { class: "consent-dialog", "aria-labelledby": "consent-h" },
      h("h2", { id: "consent-h" }, "May this campaign process your voice?"),
      h("p", {}, `If you say yes, what you say at the table with a microphone on is transcribed for “${this.campaign.name}”: the lines appear in this transcript, keyword cards are drawn from them, and the GM may keep the recording. If you say no, your audio is dropped and never stored. You can change your answer at any time.`),
      h("div", { class: "actions" },
        h("button", { type: "button", onclick: () => answer(true) }, "Yes, process my voice"),
        h("button", { type: "button", class: "secondary", onclick: () => answer(false) }, "No, drop my audio")),
    );
    const answer = async (yes) => {
      try {
        const me = await api.put(`/campaigns/${this.cid}/members/me/voice-consent`, { consent: yes });
        const i = this.members.findIndex((m) => m.user_id === this.user.id);
        if (i >= 0) this.members[i] = { ...this.members[i], voice_consent: me?.voice_consent ?? yes };
        for (const fn of this.consentWatchers) fn(yes);
        toast(yes ? "Thanks: your voice will be transcribed." : "Your audio will be dropped.", "ok");
        dlg.close();
        dlg.remove();
      } catch (e) { toast(e.message, "error"); }
    };
    if (!this.ctx.current()) return;
    this.ctx.main.append(dlg);
    dlg.showModal();
  }

  // ---- chat ----

  drawChat() {
    this.chatTo = h("select", { name: "to" });
    const text = h("input", { name: "text", autocomplete: "off", maxlength: 2000, required: true, placeholder: "Say something to the table" });
    const form = h("form", { class: "chat-form" }, field("Message", text), field("To", this.chatTo),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Send")));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const body = { text: text.value.trim() };
      if (!body.text) return;
      if (this.chatTo.value) body.to = this.chatTo.value;
      if (this.send("chat", body)) text.value = "";
      else toast("Not connected: the message was not sent.", "error");
    });
    this.chatEmpty = h("p", { class: "muted" }, "No messages yet.");
    return h("section", { class: "card chat-card live-only", "aria-labelledby": "chat-h" }, h("h2", { id: "chat-h" }, "Chat"), this.chatEmpty, this.chatLog, form);
  }

  drawWhisperTargets() {
    if (!this.chatTo) return;
    const keep = this.chatTo.value;
    clear(this.chatTo).append(h("option", { value: "" }, "Everyone"));
    for (const m of this.members) {
      if (m.user_id === this.user.id) continue;
      this.chatTo.append(h("option", { value: m.user_id, selected: m.user_id === keep }, `Whisper to ${m.display_name || m.email}`));
    }
  }

  addChat(d, ts) {
    const whisper = Boolean(d.to);
    const toName = whisper ? (d.to === this.user.id ? "you" : this.nameOfUser(d.to)) : "";
    this.chatLog.append(h("li", { class: whisper ? "whisper" : "" },
      h("span", { class: "chat-meta" }, h("strong", {}, d.from === this.user.id ? "You" : d.name), whisper ? ` whispers to ${toName}` : "", " ",
        h("time", { class: "muted", datetime: ts }, ts ? new Date(ts).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" }) : "")),
      h("span", { class: "chat-text" }, d.text)));
    this.chatEmpty.hidden = true;
    while (this.chatLog.children.length > maxChat) this.chatLog.firstElementChild.remove();
    this.chatLog.scrollTop = this.chatLog.scrollHeight;
  }

  // ---- shared state: scene and initiative ----

  drawState() {
    const sec = h("section", { class: "card state-card live-only", "aria-labelledby": "state-h" },
      h("h2", { id: "state-h" }, "Scene"), this.sceneEl,
      h("h3", { class: "init-h" }, "Initiative", this.roundEl = h("span", { class: "muted" })), this.initEl);
    if (!this.gm) return sec;
    this.sceneInput = h("textarea", { name: "scene", rows: 3, maxlength: 2000 });
    const sceneForm = h("form", { class: "scene-form" }, field("Scene", this.sceneInput, "Everyone at the table sees it."),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Set scene")));
    sceneForm.addEventListener("submit", (e) => {
      e.preventDefault();
      const scene = this.sceneInput.value.trim();
      this.update(() => ({ scene }));
    });
    const name = h("input", { name: "init_name", maxlength: 100, required: true, autocomplete: "off" });
    const roll = h("input", { name: "init_roll", type: "number", min: -10, max: 99, required: true });
    const initForm = h("form", { class: "init-form" },
      h("div", { class: "toolbar" }, field("Combatant", name), field("Initiative", roll), h("button", { type: "submit", class: "secondary" }, "Add")));
    initForm.addEventListener("submit", (e) => {
      e.preventDefault();
      const who = { name: name.value.trim(), roll: Number(roll.value) };
      this.update(() => {
        const list = this.initiative().concat([who]);
        list.sort((a, b) => b.roll - a.roll);
        return { initiative: list, turn: 0, round: this.state.data.round || 1 };
      });
      name.value = ""; roll.value = "";
      name.focus();
    });
    const turnBar = h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary", onclick: () => this.nextTurn() }, "Next turn"),
      h("button", { type: "button", class: "secondary", onclick: () => this.update(() => ({ initiative: [], turn: 0, round: null })) }, "Clear initiative"));
    sec.append(h("details", { class: "gm-edit" }, h("summary", {}, "Edit scene and initiative"), sceneForm, initForm, turnBar));
    return sec;
  }

  initiative() {
    const v = this.state.data.initiative;
    if (!Array.isArray(v)) return [];
    return v.map((x) => (typeof x === "string" ? { name: x } : x)).filter((x) => x && x.name);
  }

  nextTurn() {
    this.update(() => {
      const list = this.initiative();
      if (!list.length) return null;
      let turn = (Number(this.state.data.turn) || 0) + 1;
      let round = Number(this.state.data.round) || 1;
      if (turn >= list.length) { turn = 0; round++; }
      return { turn, round };
    });
  }

  // update sends a change of the shared state, made by make from the state
  // as this page knows it. Should someone else's change have come first
  // (stale_state), the change is made again from theirs and resent. The
  // server answers updates in order: each is either echoed in a
  // state.patch by this user or refused with an error.
  update(make, tries = 0) {
    const patch = make();
    if (!patch) return;
    const sent = JSON.stringify(patch);
    if (!this.send("state.update", { base_version: this.state.version, patch })) {
      toast("Not connected: try again in a moment.", "error");
      return;
    }
    this.pending.push({ make, tries, sent });
  }

  drawStateView() {
    const d = this.state.data || {};
    this.sceneEl.textContent = d.scene || (this.gm ? "No scene set: describe where the party is." : "The GM has not set the scene.");
    this.sceneEl.classList.toggle("muted", !d.scene);
    if (this.sceneInput && document.activeElement !== this.sceneInput) this.sceneInput.value = d.scene || "";
    const list = this.initiative();
    const turn = Number(d.turn) || 0;
    clear(this.initEl).append(...list.map((x, i) => h("li", { class: i === turn ? "turn" : "", "aria-current": i === turn ? "true" : null },
      h("span", {}, x.name), x.roll != null ? h("span", { class: "muted" }, String(x.roll)) : null)));
    if (!list.length) this.initEl.append(h("li", { class: "muted" }, "No one has rolled initiative."));
    this.roundEl.textContent = d.round && list.length ? ` · round ${d.round}` : "";
  }

  // ---- GM tools: segments, speakers, replay ----

  drawGMTools() {
    const label = h("input", { name: "speaker_label", maxlength: 64, list: "speaker-labels", autocomplete: "off", placeholder: "GM" });
    this.labelList = h("datalist", { id: "speaker-labels" });
    const text = h("textarea", { name: "text", rows: 3, required: true, placeholder: "Wren: I loose an arrow at the ghoul\nGM: It hisses and charges." });
    const form = h("form", { class: "segment-form" },
      h("h3", {}, "Add to the transcript"),
      field("Speaker label", label, "Used when a line does not start with “Name:”."), this.labelList,
      field("Lines", text, "One line, or paste several: each “Name: text” line becomes a line of its own."),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Add lines")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const segs = parseLines(text.value, label.value.trim()).map((s) => ({ ...s, ...this.times(s.text) }));
      if (!segs.length) return;
      try {
        await api.post(`/sessions/${this.sid}/transcript/segments`, { segments: segs });
        text.value = "";
        for (const el of form.querySelectorAll(".form-error, .field-error")) el.textContent = "";
        text.focus();
      } catch (err) { showErrors(form, err); }
    });
    text.addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) form.requestSubmit(); });

    this.speakerForm = h("form", { class: "speaker-form" });
    this.drawSpeakerForm();

    const demo = this.campaign.name.startsWith("Demo:");
    this.speed = h("select", { name: "speed" }, h("option", { value: "1" }, "1× (real pace)"), h("option", { value: "4" }, "4×"), h("option", { value: "16" }, "16×"));
    this.replayBtn = h("button", { type: "button", class: "secondary", onclick: () => this.toggleReplay() }, demo ? "Replay the demo table" : "Replay a sample table");
    this.replayInfo = h("p", { class: "muted", role: "status" });
    const replay = h("div", { class: "replay" },
      h("h3", {}, "Sample table"),
      h("p", { class: "muted" }, demo
        ? "Plays a few minutes of the demo party's table talk into this session, line by line, through the same API a recogniser uses."
        : "Plays a few minutes of a sample table's talk into this session, line by line, through the same API a recogniser uses."),
      h("div", { class: "toolbar" }, field("Speed", this.speed), this.replayBtn), this.replayInfo);

    return h("section", { class: "card gm-tools live-only", "aria-labelledby": "gm-tools-h" },
      h("h2", { id: "gm-tools-h" }, "GM tools ", h("span", { class: "badge gm" }, "GM")),
      form,
      h("details", { class: "speakers" }, h("summary", {}, "Who is speaking: map labels to members and characters"), this.speakerForm),
      replay);
  }

  // times places a line on the session's clock, so the transcript shows
  // when in the evening it was said.
  times(text) {
    const started = this.session.started_at ? Date.parse(this.session.started_at) : Date.now();
    const start = Math.max(1, Date.now() - started);
    return { start_ms: start, end_ms: start + Math.min(15000, 300 + 60 * text.length) };
  }

  async loadSpeakers() {
    try {
      const r = await api.get(`/sessions/${this.sid}/speakers`);
      this.speakers.clear();
      for (const s of r.speakers || []) this.speakers.set(s.label, s);
      this.renameSpeakers();
      this.drawSpeakerForm();
    } catch { /* names stay labels */ }
  }

  noteLabel(label) {
    this.newLabels = this.newLabels || new Set();
    if (this.newLabels.has(label)) return;
    this.newLabels.add(label);
    this.drawSpeakerForm();
  }

  drawSpeakerForm() {
    const form = this.speakerForm;
    if (!form) return;
    const labels = new Set([...this.speakers.keys(), ...(this.newLabels || [])]);
    for (const { seg } of this.segments.values()) if (seg.speaker_label) labels.add(seg.speaker_label);
    if (this.labelList) clear(this.labelList).append(...[...labels].map((l) => h("option", { value: l })));
    const open = form.closest("details")?.open;
    clear(form);
    if (!labels.size) {
      form.append(h("p", { class: "muted" }, "No speaker labels yet: they appear with the first lines."));
      return;
    }
    const rows = [...labels].sort().map((l) => {
      const cur = this.speakers.get(l) || {};
      const member = h("select", { name: `user:${l}`, "aria-label": `Member for ${l}` }, h("option", { value: "" }, "—"),
        this.members.map((m) => h("option", { value: m.user_id, selected: cur.user_id === m.user_id }, m.display_name || m.email)));
      const ch = h("select", { name: `character:${l}`, "aria-label": `Character for ${l}` }, h("option", { value: "" }, "—"),
        this.characters.map((c) => h("option", { value: c.id, selected: cur.character_id === c.id }, c.name)));
      return h("tr", {}, h("th", { scope: "row" }, l), h("td", {}, member), h("td", {}, ch));
    });
    form.append(h("table", { class: "speaker-table" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Label"), h("th", { scope: "col" }, "Member"), h("th", { scope: "col" }, "Character"))),
      h("tbody", {}, rows)),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "secondary" }, "Save speakers")));
    form.onsubmit = async (e) => {
      e.preventDefault();
      const speakers = [...labels].map((l) => {
        const u = form.elements[`user:${l}`].value, c = form.elements[`character:${l}`].value;
        return u || c ? { label: l, user_id: u || undefined, character_id: c || undefined } : null;
      }).filter(Boolean);
      try {
        const r = await api.put(`/sessions/${this.sid}/speakers`, { speakers });
        this.speakers.clear();
        for (const s of r.speakers || []) this.speakers.set(s.label, s);
        this.renameSpeakers();
        toast("Speakers saved.", "ok");
      } catch (err) { showErrors(form, err); }
    };
    if (open) form.closest("details").open = true;
  }

  async toggleReplay() {
    if (this.replay) { this.replay.stop(); return; }
    let script;
    try {
      const res = await fetch(new URL("../demo/script.json", import.meta.url));
      if (!res.ok) throw new Error(`the sample script is missing (HTTP ${res.status})`);
      script = await res.json();
    } catch (e) { toast(String(e.message || e), "error"); return; }
    this.replay = new Replay(this, script, Number(this.speed.value) || 1);
    this.replayBtn.textContent = "Stop the replay";
    this.speed.disabled = true;
    this.replay.run().finally(() => {
      this.replay = null;
      this.replayBtn.textContent = this.campaign.name.startsWith("Demo:") ? "Replay the demo table" : "Replay a sample table";
      this.speed.disabled = false;
    });
  }
}

// Replay posts a script's lines to the session one by one at their time
// offsets, through the ordinary segments route.
class Replay {
  constructor(table, script, speed) {
    this.t = table;
    this.lines = script.lines || [];
    this.speed = speed;
    this.stopped = false;
    this.wake = null;
  }

  stop() {
    this.stopped = true;
    if (this.wake) this.wake();
  }

  sleep(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => { clearTimeout(timer); resolve(); };
    });
  }

  async run() {
    const t0 = performance.now();
    let i = 0;
    for (const line of this.lines) {
      if (this.stopped) break;
      const due = line.at_ms / this.speed - (performance.now() - t0);
      if (due > 0) await this.sleep(due);
      if (this.stopped) break;
      i++;
      this.t.replayInfo.textContent = `Line ${i} of ${this.lines.length} (${this.speed}×).`;
      try {
        await api.post(`/sessions/${this.t.sid}/transcript/segments`, { segments: [{ speaker_label: line.speaker, text: line.text, source: "demo", ...this.t.times(line.text) }] });
        // The GM moves the scene and the initiative on as the table talks.
        if (line.state) this.t.update(() => line.state);
      } catch (e) {
        this.t.replayInfo.textContent = `The replay stopped: ${e.message}`;
        return;
      }
    }
    this.t.replayInfo.textContent = this.stopped ? `Stopped after ${i} of ${this.lines.length} lines.` : `Replayed all ${this.lines.length} lines.`;
  }
}

// parseLines turns typed or pasted text into segments: "Name: text" lines
// are spoken by Name; other lines continue the previous line's speaker, or
// take the label given.
export function parseLines(text, fallback) {
  const out = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^([^:]{1,64}):\s+(.+)$/.exec(line);
    if (m && !/^\d+$/.test(m[1]) && m[1].split(/\s+/).length <= 4) out.push({ speaker_label: m[1].trim(), text: m[2] });
    else out.push({ speaker_label: out.length ? out[out.length - 1].speaker_label : fallback, text: line });
  }
  return out.map((s) => (s.speaker_label ? s : { text: s.text }));
}

function parseJSON(v) {
  if (v && typeof v === "object") return v;
  try { return JSON.parse(v) || {}; } catch { return {}; }
}

function roleLabel(r) { return { gm: "GM", player: "player", observer: "observer" }[r] || r || ""; }

function categoryLabel(c) {
  return { magic_item: "magic item", npc: "NPC", pc: "PC" }[c] || (c || "term").replaceAll("_", " ");
}

import * as api from "../api.js";
import { h, clear, field, showErrors } from "../dom.js";

// The live table's audio: a member's microphone streamed to the speech
// pipeline (GET /sessions/{id}/audio/ws), and, for the GM, a recording
// uploaded to be transcribed (POST /sessions/{id}/audio). What is heard
// reaches every page as transcript.segment on the session socket, like
// any other line; this module only sends audio and tells the user how it
// goes.
//
// The table (session.js) gives: sid, user, members, gm, session,
// askConsent(), loadHistory(), and two hooks this module fills:
// consentWatchers (called with the member's answer) and jobWatchers
// (called with each job.progress message).

// speechState is the server's speech component as /readyz reports it:
// {on, detail}. A failing probe is not taken for "off": the socket's own
// refusal says more when the user tries.
let speechProbe = null;
function speechState() {
  if (!speechProbe) {
    speechProbe = api.get("/readyz", { anonymous: true }).then((r) => {
      const s = (r && r.components && r.components.speech) || "";
      return s.startsWith("off") ? { on: false, detail: s.replace(/^off:\s*/, "") } : { on: true, detail: s };
    }).catch(() => ({ on: true, detail: "" }));
    // Asked again on the next page: an operator may turn speech on.
    speechProbe.finally(() => setTimeout(() => { speechProbe = null; }, 10000));
  }
  return speechProbe;
}

// audioPanels returns the live table's audio sections: the microphone for
// everyone, the recording upload for the GM.
export function audioPanels(t) {
  const mic = new Mic(t);
  t.audio = mic;
  const out = [mic.el];
  if (t.gm) out.push(new Upload(t).el);
  return out;
}

const maxHeldSeconds = 300; // audio the page holds for a slow server before it gives up, saying so

class Mic {
  constructor(t) {
    this.t = t;
    this.live = null; // the running stream
    this.stateEl = h("p", { class: "mic-state muted", role: "status" });
    this.heardEl = h("p", { class: "mic-heard muted", "aria-live": "polite" });
    this.bar = h("span", { class: "mic-bar" });
    this.meter = h("div", { class: "mic-meter", role: "meter", "aria-label": "Microphone level", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": "0" }, this.bar);
    this.button = h("button", { type: "button", class: "mic-toggle", onclick: () => this.toggle() }, "Stream my microphone");
    this.body = h("div", { class: "mic-body" });
    this.el = h("section", { class: "card mic-card live-only", "aria-labelledby": "mic-h" },
      h("h2", { id: "mic-h" }, "Microphone"), this.body);
    t.consentWatchers.push((yes) => { if (!this.live) this.draw(); else if (!yes && !t.gm) this.stop("You withdrew your consent: the stream stopped."); });
    this.draw();
  }

  mine() { return this.t.members.find((m) => m.user_id === this.t.user.id); }

  consented() { return this.t.gm || this.mine()?.voice_consent === true; }

  async draw() {
    const body = this.body;
    clear(body).append(h("p", { class: "muted" }, "Checking whether this server transcribes speech…"));
    const gen = (this.drawn = (this.drawn || 0) + 1);
    const speech = await speechState();
    if (this.live || gen !== this.drawn) return; // a later draw (a consent answer) wins
    clear(body);
    if (!speech.on) {
      body.append(h("p", { class: "mic-off" }, "Speech-to-text is off on this server, so a microphone cannot be streamed here.",
        speech.detail ? ` (${speech.detail})` : "",
        this.t.gm ? " The server's operator can turn it on (GMC_STT); lines can still be typed or pasted below." : " Lines typed by the GM still appear."));
      return;
    }
    if (!this.consented()) {
      body.append(
        h("p", {}, "To stream your microphone, first agree that this campaign may process your voice. Until then your audio is dropped, never stored."),
        h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", onclick: () => { if (!document.querySelector(".consent-dialog")) this.t.askConsent(); } }, "Answer the voice consent question")));
      return;
    }
    if (!navigator.mediaDevices?.getUserMedia || typeof AudioWorkletNode === "undefined") {
      body.append(h("p", { class: "form-error" }, window.isSecureContext
        ? "This browser cannot capture audio for streaming."
        : "Browsers give the microphone only to pages opened over https (or on localhost): open the console at its https address to stream."));
      return;
    }
    body.append(h("p", { class: "muted" }, this.t.gm
      ? "Streams this device's microphone into the transcript. Around one table, one microphone hears everyone and the server tells the voices apart; online, each player can stream their own."
      : "Streams your microphone into the transcript as your own voice."));
    if (this.t.gm) {
      this.mode = h("select", { name: "mic_mode" },
        h("option", { value: "room" }, "The whole table (one microphone)"),
        h("option", { value: "own" }, "Only my voice"));
      body.append(field("This microphone hears", this.mode));
    } else this.mode = null;
    body.append(h("div", { class: "mic-row" }, this.button, this.meter), this.stateEl, this.heardEl);
  }

  toggle() {
    if (this.live) this.stop();
    else this.start();
  }

  setState(text, kind = "") {
    this.stateEl.textContent = text;
    this.stateEl.className = `mic-state ${kind || "muted"}`;
  }

  level(v) {
    const pct = Math.round(Math.max(0, Math.min(1, v)) * 100);
    this.bar.style.width = `${pct}%`;
    this.meter.setAttribute("aria-valuenow", String(pct));
  }

  async start() {
    const t = this.t;
    // The context is made in the click itself: a browser lets a page's
    // audio run only after a gesture.
    const ac = new AudioContext();
    const s = {
      ac, media: null, node: null, ws: null, queue: [], queued: 0, ready: false, pausedUntil: 0,
      stopping: false, finished: false, lines: 0, dropped: 0, label: "", timer: null, flushed: null,
    };
    this.live = s;
    this.button.textContent = "Stop";
    this.button.classList.add("danger");
    if (this.mode) this.mode.disabled = true;
    this.heardEl.textContent = "";
    try {
      this.setState("Asking for the microphone…");
      s.media = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, channelCount: 1 } });
      if (this.live !== s) return this.release(s);
      await ac.resume();
      await ac.audioWorklet.addModule(new URL("../audio-worklet.js", import.meta.url));
      if (this.live !== s) return this.release(s);
      const src = ac.createMediaStreamSource(s.media);
      s.node = new AudioWorkletNode(ac, "pcm16-frames", { processorOptions: { frameMs: 100 }, numberOfOutputs: 1, outputChannelCount: [1] });
      s.node.port.onmessage = (e) => this.frame(s, e.data);
      src.connect(s.node);
      // The node's output is silence; connecting it keeps the graph
      // pulling it, so the frames keep coming.
      s.node.connect(ac.destination);
    } catch (e) {
      this.fail(s, e.name === "NotAllowedError" ? "The browser was not allowed to use the microphone: allow it in the site's settings and try again."
        : e.name === "NotFoundError" ? "No microphone was found on this device." : `The microphone could not start: ${e.message || e}`);
      return;
    }
    this.setState("Connecting…");
    let url;
    try {
      url = await api.socketURL(t.sid, "/audio/ws");
    } catch (e) {
      this.fail(s, `Could not connect: ${e.message}`);
      return;
    }
    if (this.live !== s) return this.release(s);
    const ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    s.ws = ws;
    ws.addEventListener("open", () => {
      const header = { sample_rate: ac.sampleRate, channels: 1 };
      // The room microphone names no speaker (the server tells voices
      // apart); a member's own voice is a track the server labels with
      // their name, and the GM's own is labelled the same way.
      if (this.mode && this.mode.value === "own") header.speaker = t.user.display_name;
      ws.send(JSON.stringify(header));
    });
    ws.addEventListener("message", (e) => this.event(s, e.data));
    ws.addEventListener("close", (e) => this.closed(s, e));
    s.timer = setInterval(() => this.pump(s), 200);
  }

  // frame takes one frame from the audio thread: it joins the queue and
  // the queue goes out as fast as the socket and the server take it.
  frame(s, d) {
    if (d.flushed) { if (s.flushed) s.flushed(); return; }
    const rms = d.rms || 0;
    // -60 dBFS (silence) to 0 dBFS (full scale) across the meter.
    this.level(rms > 0 ? (20 * Math.log10(rms) + 60) / 60 : 0);
    s.queue.push(d.pcm);
    s.queued += d.pcm.byteLength;
    if (s.queued > maxHeldSeconds * s.ac.sampleRate * 2) {
      this.stop(`The server has not taken audio for ${maxHeldSeconds / 60} minutes, so the microphone was turned off; what it heard is still sent.`);
      return;
    }
    this.pump(s);
  }

  pump(s) {
    const ws = s.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || !s.ready) return;
    const now = performance.now();
    const bytesPerSec = s.ac.sampleRate * 2;
    if (now >= s.pausedUntil) {
      // The browser's own send buffer is kept short so that a server
      // that stops reading is noticed here, where the audio is held.
      while (s.queue.length && ws.bufferedAmount < bytesPerSec / 2) {
        const b = s.queue.shift();
        s.queued -= b.byteLength;
        ws.send(b);
      }
    }
    if (s.stopping) return;
    const held = (s.queued + ws.bufferedAmount) / bytesPerSec;
    if (now < s.pausedUntil) {
      this.setState(`Slowed down by the server: ${held.toFixed(1)} s of audio held here, none of it lost.`, "mic-slow");
    } else if (held > 1) {
      this.setState(`Catching up: sending ${held.toFixed(1)} s of audio held here.`, "mic-slow");
    } else if (s.behind && now < s.behind.until) {
      this.setState(`Live, but recognition is ${(s.behind.ms / 1000).toFixed(1)} s behind: lines will come a little late, none are lost.`, "mic-slow");
    } else {
      this.setState(s.label ? `Live: streaming as “${s.label}”.` : "Live: streaming the table's microphone.", "mic-live");
    }
  }

  event(s, data) {
    let m;
    try { m = JSON.parse(data); } catch { return; }
    switch (m.type) {
      case "ready":
        s.ready = true;
        s.label = m.speaker || "";
        this.pump(s);
        break;
      case "heard": {
        s.lines += m.segments || 0;
        s.dropped += m.dropped || 0;
        const when = `${clock(m.start_ms)}–${clock(m.end_ms)}`;
        let text = m.segments ? `Heard ${m.segments === 1 ? "a line" : `${m.segments} lines`} (${when} into the stream).` : `Heard something at ${when}, but no words in it.`;
        if (m.dropped) text += ` ${m.dropped === 1 ? "A line was" : `${m.dropped} lines were`} dropped: the speaker has not agreed to voice processing.`;
        this.heardEl.textContent = text;
        break;
      }
      case "slow_down":
        if (m.reason === "recognition_behind") {
          // The server goes on reading (its queue holds the audio), but
          // the lines will come late: say so for a while.
          s.behind = { ms: m.ahead_ms || 0, until: performance.now() + 4000 };
        } else {
          // Sent faster than real time (after a stall): the server reads
          // nothing more until it is about a second ahead, so wait that
          // long, holding the audio here meanwhile.
          s.pausedUntil = performance.now() + Math.max(250, (m.ahead_ms || 0) - 1000);
        }
        this.pump(s);
        break;
      case "done":
        s.finished = true;
        break;
      case "error":
        s.error = { code: m.code, text: m.detail || m.code };
        break;
    }
  }

  async closed(s, e) {
    if (s.timer) clearInterval(s.timer);
    const total = s.lines === 1 ? "1 line" : `${s.lines} lines`;
    if (s.finished) {
      this.done(s, `Stopped. ${total} heard in this stream${s.dropped ? `, ${s.dropped} dropped for want of consent` : ""}.`);
      return;
    }
    if (!s.ready && !s.error) {
      // A refusal before the upgrade reaches the browser only as a close:
      // the same request without the upgrade tells why.
      s.error = await refusal(this.t.sid);
      if (this.t.stopped) return;
    }
    if (s.error?.code === "voice_consent_required" && !this.t.gm) {
      // Withdrawn elsewhere (another tab, another device): this page
      // learns it now, and asks again.
      const mine = this.mine();
      if (mine) mine.voice_consent = false;
      this.fail(s, "");
      this.draw();
      return;
    }
    const why = s.error?.text || (e.code === 1006 ? "the connection was lost" : `the server closed the stream (${e.code}${e.reason ? ` ${e.reason}` : ""})`);
    this.fail(s, `The microphone stream stopped: ${why}.${s.lines ? ` ${total} were heard before.` : ""}`);
  }

  // stop ends the stream the orderly way: the last partial frame, the
  // audio still held, then "end"; the server answers "done" once every
  // utterance is transcribed, and closes.
  async stop(note) {
    const s = this.live;
    if (!s || s.stopping) return;
    s.stopping = true;
    this.button.disabled = true;
    this.setState("Finishing: sending the last audio…");
    for (const tr of s.media?.getTracks() || []) tr.stop();
    if (s.node) {
      await new Promise((resolve) => {
        s.flushed = resolve;
        s.node.port.postMessage("flush");
        setTimeout(resolve, 1000);
      });
    }
    this.level(0);
    s.ac.close().catch(() => {});
    const ws = s.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || !s.ready) {
      if (ws) ws.close(1000);
      this.done(s, note || "Stopped.");
      return;
    }
    s.pausedUntil = 0;
    while (s.queue.length && ws.readyState === WebSocket.OPEN) {
      this.pump(s);
      await new Promise((r) => setTimeout(r, 50));
    }
    if (ws.readyState !== WebSocket.OPEN) return; // closed() reports
    this.setState("Finishing: transcribing the last words…");
    ws.send(JSON.stringify({ type: "end" }));
    if (note) this.heardEl.textContent = note;
    // The server closes after "done"; a server that does not is left.
    setTimeout(() => { if (ws.readyState === WebSocket.OPEN) ws.close(1000); }, 60000);
  }

  // leave ends everything at once: the page is going away.
  leave() {
    const s = this.live;
    if (!s) return;
    this.live = null;
    this.release(s);
    if (s.ws) {
      try {
        if (s.ws.readyState === WebSocket.OPEN && s.ready) s.ws.send(JSON.stringify({ type: "end" }));
        s.ws.close(1000);
      } catch { /* closed already */ }
    }
  }

  release(s) {
    if (s.timer) clearInterval(s.timer);
    for (const tr of s.media?.getTracks() || []) tr.stop();
    if (s.ac.state !== "closed") s.ac.close().catch(() => {});
  }

  done(s, text) {
    if (this.live !== s) return;
    this.release(s);
    this.live = null;
    this.setState(text);
    this.reset();
  }

  fail(s, text) {
    if (this.live !== s) return;
    this.release(s);
    if (s.ws && s.ws.readyState <= WebSocket.OPEN) s.ws.close(1000);
    this.live = null;
    this.setState(text, "form-error");
    this.reset();
  }

  reset() {
    this.level(0);
    this.button.textContent = "Stream my microphone";
    this.button.classList.remove("danger");
    this.button.disabled = false;
    if (this.mode) this.mode.disabled = false;
  }
}

// refusal asks the audio route, without the upgrade, why it refused: the
// server checks everything before the upgrade and answers a problem
// ({code, text}), or, having nothing to refuse, 426 (null).
async function refusal(sid) {
  try {
    await api.get(`/sessions/${sid}/audio/ws`);
  } catch (e) {
    if (!(e instanceof api.ApiError) || e.status === 426 || e.status === 400) return null;
    const code = e.problem.code || "";
    const text = {
      speech_unavailable: `speech-to-text is off on this server (${e.message})`,
      session_not_live: "the session is not live",
    }[code] || e.message;
    return { code, text };
  }
  return null;
}

function clock(ms) {
  const s = Math.floor((ms || 0) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function size(bytes) {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

// Upload sends a recording with XMLHttpRequest, the one browser API that
// reports upload progress, then follows its transcription job: by the
// session socket's job.progress while the table is live, and by asking
// GET /jobs/{id} now and then, which also covers a table that is not.
class Upload {
  constructor(t) {
    this.t = t;
    this.input = h("input", { type: "file", name: "file", required: true, accept: ".wav,.flac,.ogg,.oga,.zip,audio/wav,audio/x-wav,audio/flac,audio/ogg,application/zip" });
    this.submit = h("button", { type: "submit" }, "Upload and transcribe");
    this.upBar = h("progress", { class: "upload-bar", max: "100", value: "0", "aria-label": "Upload" });
    this.upText = h("span", { class: "upload-pct" });
    this.jobBar = h("progress", { class: "job-bar", max: "100", value: "0", "aria-label": "Transcription" });
    this.jobText = h("span", { class: "job-pct" });
    this.statusEl = h("p", { class: "upload-status muted", role: "status" });
    this.upRow = h("div", { class: "upload-row", hidden: true }, h("span", { class: "upload-label" }, "Upload"), this.upBar, this.upText);
    this.jobRow = h("div", { class: "upload-row", hidden: true }, h("span", { class: "upload-label" }, "Transcription"), this.jobBar, this.jobText);
    this.form = h("form", { class: "upload-form" },
      field("Recording", this.input, "WAV, FLAC or Ogg Vorbis, or a zip with one file per speaker (as Craig records them, each file named after its speaker)."),
      h("div", { class: "actions" }, this.submit),
      this.upRow, this.jobRow, this.statusEl);
    this.form.addEventListener("submit", (e) => { e.preventDefault(); this.send(); });
    this.el = h("section", { class: "card upload-card", "aria-labelledby": "upload-h" },
      h("h2", { id: "upload-h" }, "Upload a recording ", h("span", { class: "badge gm" }, "GM")),
      h("p", { class: "muted" }, "A recording of the session is transcribed in the background; its lines join this transcript as they are recognised."),
      this.form);
    this.job = null;
    t.jobWatchers.push((d) => { if (this.job && d.job_id === this.job) this.progress(d); });
    t.ctx.onLeave(() => { this.stopped = true; if (this.xhr) this.xhr.abort(); clearTimeout(this.poll); });
    speechState().then((sp) => {
      if (sp.on) return;
      this.input.disabled = this.submit.disabled = true;
      this.statusEl.textContent = `Speech-to-text is off on this server, so recordings cannot be transcribed here${sp.detail ? ` (${sp.detail})` : ""}.`;
    });
  }

  async send() {
    const file = this.input.files && this.input.files[0];
    if (!file) return;
    for (const el of this.form.querySelectorAll(".form-error, .field-error")) el.textContent = "";
    for (const el of this.form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    this.submit.disabled = true;
    this.upRow.hidden = false;
    this.jobRow.hidden = true;
    this.upBar.value = 0;
    this.upText.textContent = `0 % of ${size(file.size)}`;
    this.statusEl.textContent = `Uploading ${file.name}…`;
    const body = new FormData();
    body.append("file", file, file.name);
    let res;
    try {
      res = await this.post(body, file.size, false);
      if (res.status === 401) res = await this.post(body, file.size, true);
    } catch (e) {
      this.submit.disabled = false;
      this.statusEl.textContent = `The upload failed: ${e.message}. Nothing was stored.`;
      return;
    }
    if (this.stopped) return;
    this.submit.disabled = false;
    if (res.status !== 202) {
      const err = new api.ApiError(res.status, res.body);
      showErrors(this.form, err);
      this.statusEl.textContent = "";
      this.upRow.hidden = true;
      return;
    }
    // The bar is left where the upload's own progress events put it.
    this.input.value = "";
    const rec = res.body.recording || {};
    this.job = res.body.job_id;
    this.jobRow.hidden = false;
    this.jobBar.value = 0;
    this.jobText.textContent = "queued";
    this.statusEl.textContent = `Uploaded ${rec.file_name || file.name}${rec.duration_ms ? ` (${clock(rec.duration_ms)}${rec.tracks > 1 ? `, ${rec.tracks} tracks` : ""})` : ""}: waiting for its turn to be transcribed.`;
    this.follow(this.job);
  }

  // post sends the form once; fresh asks for a new access token first
  // (after a 401). It answers {status, body}, body being the
  // parsed body.
  async post(body, total, fresh) {
    const token = await api.bearer(fresh);
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      this.xhr = xhr;
      xhr.open("POST", `${api.apiBase}/sessions/${this.t.sid}/audio`);
      xhr.setRequestHeader("Authorization", `Bearer ${token}`);
      xhr.upload.addEventListener("progress", (e) => {
        const of = e.lengthComputable ? e.total : total;
        const pct = of ? Math.min(100, Math.floor((e.loaded / of) * 100)) : 0;
        this.upBar.value = pct;
        this.upText.textContent = `${pct} % of ${size(total)}`;
      });
      xhr.addEventListener("load", () => {
        let parsed = {};
        try { parsed = JSON.parse(xhr.responseText) || {}; } catch { parsed = { title: xhr.statusText }; }
        resolve({ status: xhr.status, body: parsed });
      });
      xhr.addEventListener("error", () => reject(new Error("the network failed")));
      xhr.addEventListener("abort", () => reject(new Error("cancelled")));
      xhr.send(body);
    });
  }

  follow(id) {
    clearTimeout(this.poll);
    const tick = async () => {
      if (this.stopped || this.job !== id) return;
      try {
        const j = await api.get(`/jobs/${id}`);
        this.progress({ job_id: j.id, state: j.state, progress: j.progress, message: j.message, error: j.error, result: j.result });
      } catch { /* asked again at the next tick */ }
      if (!this.stopped && this.job === id) this.poll = setTimeout(tick, 2000);
    };
    this.poll = setTimeout(tick, 1000);
  }

  progress(d) {
    if (this.job !== d.job_id) return;
    const pct = d.state === "succeeded" ? 100 : Math.round((d.progress || 0) * 100);
    this.jobBar.value = pct;
    this.jobText.textContent = d.state === "running" ? `${pct} %` : d.state;
    switch (d.state) {
      case "queued": this.statusEl.textContent = d.error ? `Transcription failed (${d.error}); it will be tried again.` : "Waiting for its turn to be transcribed."; break;
      case "running": this.statusEl.textContent = `Transcribing: ${pct} %${d.message ? ` — ${d.message}` : ""}.`; break;
      case "succeeded":
        this.job = null;
        clearTimeout(this.poll);
        this.statusEl.textContent = "Transcribed: its lines are in the transcript.";
        // Lines that came while this page was not connected are paged in.
        this.t.loadHistory().catch(() => {});
        break;
      case "failed": case "cancelled":
        this.job = null;
        clearTimeout(this.poll);
        this.statusEl.textContent = `Transcription ${d.state}${d.error ? `: ${d.error}` : ""}.`;
        break;
    }
  }
}

package wsbench

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"

	"github.com/gmc-project/gmc/internal/speech/audio"
	"github.com/gmc-project/gmc/internal/speech/stt/whisper"
)

// In a spoken evening every live session gets its words the way a real
// table does: a room microphone plays a recording, looped, at real time
// into the session's audio socket, and the server cuts, recognises and
// diarizes it before the segments fan out. What is measured on top of
// the typed evening: how long after an utterance ends its "heard" comes
// back and its segments reach the sockets, whether the server had to
// slow a microphone down (recognition falling behind), and how much
// audio was still waiting at the end.

// speechFrameMS is the audio in one binary message, as the console's
// recorder sends it.
const speechFrameMS = 100

// speechReport is the spoken part of an evening.
type speechReport struct {
	heard     routeStats // utterance end → its "heard" on the audio socket
	toSockets routeStats // utterance end → its transcript.segment on a member's socket
	streams   atomic.Int64
	utts      atomic.Int64
	slowDowns atomic.Int64
	audioMS   atomic.Int64 // audio sent, all streams
	backlogMS atomic.Int64 // audio sent but not yet heard when the evening ended, all streams
	maxLagMS  atomic.Int64 // longest a frame left after its real-time moment
	errs      atomic.Int64
	errOnce   sync.Once
	firstErr  string
	cpuStart  time.Duration
	cpu       time.Duration // this process's CPU time while measured: server and bench client
	named     sync.Once
	stt, dia  string // the providers the first stream's "ready" named
}

func (r *speechReport) fail(err error) {
	r.errs.Add(1)
	r.errOnce.Do(func() { r.firstErr = err.Error() })
}

// micClock remembers when each frame of one stream left, so that a
// segment's end_ms (stream time) can be turned into the wall time its
// last word was spoken.
type micClock struct {
	mu   sync.Mutex
	sent []time.Time // by frame index
}

func (c *micClock) mark(frame int, t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.sent) <= frame {
		c.sent = append(c.sent, time.Time{})
	}
	c.sent[frame] = t
}

// spokenAt is when the audio at ms of stream time was handed over: the
// frame that holds it.
func (c *micClock) spokenAt(ms int64) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := int((ms + speechFrameMS - 1) / speechFrameMS)
	i = max(0, i-1)
	if i >= len(c.sent) || c.sent[i].IsZero() {
		return time.Time{}, false
	}
	return c.sent[i], true
}

// playMic streams clip, looped, into the GM's audio socket of g's session
// from the moment measure starts until it ends, then sends "end" and
// waits (up to drain) for the last utterances to be heard. Each group
// starts at its own phase of the recording (0 ≤ phase < 1), so the
// tables do not all finish a sentence at the same moment.
func playMic(ctx, measure context.Context, g *group, clip *audio.Clip, phase float64, clock *micClock, rep *speechReport, drain time.Duration) {
	u, err := g.gm.wsURL(ctx)
	if err != nil {
		rep.fail(err)
		return
	}
	u = strings.Replace(u, "/ws?", "/audio/ws?", 1)
	mic, res, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: http.Header{"X-Forwarded-For": {g.gm.addr}}})
	if err != nil {
		if res != nil {
			err = fmt.Errorf("%s: %w", res.Status, err)
		}
		rep.fail(fmt.Errorf("audio socket: %w", err))
		return
	}
	defer mic.CloseNow()
	if err := writeEvent(ctx, mic, map[string]int{"sample_rate": clip.Rate, "channels": clip.Channels}); err != nil {
		rep.fail(fmt.Errorf("audio socket header: %w", err))
		return
	}
	var ready struct{ Type, STT, Diarization, Code, Detail string }
	if err := readEvent(ctx, mic, &ready); err != nil || ready.Type != "ready" {
		rep.fail(fmt.Errorf("audio socket: first message %q %s %s (%v), want ready", ready.Type, ready.Code, ready.Detail, err))
		return
	}
	rep.named.Do(func() { rep.stt, rep.dia = ready.STT, ready.Diarization })
	rep.streams.Add(1)

	var heardMS atomic.Int64 // end of the last utterance heard, stream time
	done := make(chan error, 1)
	go func() {
		for {
			var ev struct {
				Type         string
				EndMS        int64 `json:"end_ms"`
				Code, Detail string
			}
			if err := readEvent(ctx, mic, &ev); err != nil {
				done <- err
				return
			}
			switch ev.Type {
			case "heard":
				heardMS.Store(ev.EndMS)
				if measure.Err() == nil {
					rep.utts.Add(1)
					if t0, ok := clock.spokenAt(ev.EndMS); ok {
						rep.heard.add(time.Since(t0), nil)
					}
				}
			case "slow_down":
				if measure.Err() == nil {
					rep.slowDowns.Add(1)
				}
			case "done":
				done <- nil
				return
			case "error":
				done <- fmt.Errorf("audio socket: %s: %s", ev.Code, ev.Detail)
				return
			}
		}
	}()

	// A microphone hands over a frame once it has been captured: frame i
	// leaves at (i+1)·100 ms after the start. A frame held back by the
	// server's flow control leaves late, and its clock says when.
	step := clip.Rate * speechFrameMS / 1000 * clip.Channels
	frames := max(1, len(clip.Samples)/step)
	first := int(phase * float64(frames))
	buf := make([]byte, 0, 2*step)
	start := time.Now()
	var sentMS int64
	for i := 0; measure.Err() == nil; i++ {
		due := start.Add(time.Duration(i+1) * speechFrameMS * time.Millisecond)
		if d := time.Until(due); d > 0 {
			select {
			case <-time.After(d):
			case err := <-done:
				rep.fail(fmt.Errorf("audio socket closed early: %v", err))
				return
			case <-measure.Done():
				continue
			}
		}
		off := ((first + i) % frames) * step
		buf = buf[:0]
		for _, v := range clip.Samples[off:min(off+step, len(clip.Samples))] {
			buf = binary.LittleEndian.AppendUint16(buf, uint16(whisper.PCM16(v)))
		}
		if err := mic.Write(ctx, websocket.MessageBinary, buf); err != nil {
			rep.fail(fmt.Errorf("audio socket: %w", err))
			return
		}
		now := time.Now()
		clock.mark(i, now)
		sentMS += speechFrameMS
		for lag := now.Sub(due).Milliseconds(); ; {
			was := rep.maxLagMS.Load()
			if lag <= was || rep.maxLagMS.CompareAndSwap(was, lag) {
				break
			}
		}
	}
	rep.audioMS.Add(sentMS)
	rep.backlogMS.Add(max(0, sentMS-heardMS.Load()))
	if err := writeEvent(ctx, mic, map[string]string{"type": "end"}); err != nil {
		rep.fail(fmt.Errorf("audio socket end: %w", err))
		return
	}
	select {
	case err := <-done:
		if err != nil && ctx.Err() == nil {
			rep.fail(err)
		}
	case <-time.After(drain):
	case <-ctx.Done():
	}
	mic.Close(websocket.StatusNormalClosure, "")
}

func readEvent(ctx context.Context, ws *websocket.Conn, v any) error {
	_, raw, err := ws.Read(ctx)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

func writeEvent(ctx context.Context, ws *websocket.Conn, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return ws.Write(ctx, websocket.MessageText, b)
}

// processCPU is the CPU time this process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func loadClip(path string) (*audio.Clip, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	clip, err := audio.Decode(f, audio.DefaultLimits())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(clip.Samples) < clip.Rate*clip.Channels {
		return nil, fmt.Errorf("%s: shorter than a second", path)
	}
	return clip, nil
}

// A whisperStandIn is an OpenAI-compatible speech-to-text server on
// loopback, for measuring gmc with recognition on a server of its own
// (as a Whisper server on a GPU would be) rather than on gmc's cores: it
// reads the uploaded utterance, waits rtf × its length, and answers with
// a sentence naming the campaign's people, words spread evenly over the
// utterance, in the verbose_json shape gmc asks for.
type whisperStandIn struct {
	srv  *http.Server
	url  string
	rtf  float64
	next atomic.Int64
}

func startWhisperStandIn(rtf float64) (*whisperStandIn, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	w := &whisperStandIn{url: "http://" + ln.Addr().String(), rtf: rtf}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/audio/transcriptions", w.transcribe)
	w.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go w.srv.Serve(ln)
	return w, nil
}

func (w *whisperStandIn) close() { w.srv.Close() }

func (w *whisperStandIn) transcribe(rw http.ResponseWriter, r *http.Request) {
	mr, err := r.MultipartReader()
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	var clip *audio.Clip
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		if p.FormName() == "file" {
			if clip, err = audio.Decode(p, audio.DefaultLimits()); err != nil {
				http.Error(rw, "file: "+err.Error(), http.StatusBadRequest)
				return
			}
		}
		p.Close()
	}
	if clip == nil {
		http.Error(rw, "no file part", http.StatusBadRequest)
		return
	}
	secs := float64(len(clip.Samples)) / float64(clip.Rate*clip.Channels)
	time.Sleep(time.Duration(w.rtf * secs * float64(time.Second)))
	n := int(w.next.Add(1))
	text := fmt.Sprintf("%s says we should ask %s about the road", eveningNames[n%4], eveningNames[4+n%(len(eveningNames)-4)])
	fields := strings.Fields(text)
	words := make([]map[string]any, len(fields))
	per := secs / float64(len(fields))
	for i, f := range fields {
		words[i] = map[string]any{"word": f, "start": float64(i) * per, "end": float64(i+1) * per}
	}
	rw.Header().Set("Content-Type", "application/json")
	json.NewEncoder(rw).Encode(map[string]any{
		"text": text, "language": "english", "duration": secs,
		"segments": []any{map[string]any{"start": 0, "end": secs, "text": text}},
		"words":    words,
	})
}

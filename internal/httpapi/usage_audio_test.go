package httpapi_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/httpapi"
	"github.com/gmc-project/gmc/internal/jobs"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/speech/audio"
	"github.com/gmc-project/gmc/internal/speech/diarize"
	"github.com/gmc-project/gmc/internal/speech/pipeline"
	"github.com/gmc-project/gmc/internal/speech/stt/whisper"
	"github.com/gmc-project/gmc/internal/speech/vad"
	"github.com/gmc-project/gmc/internal/testenv"
	"github.com/gmc-project/gmc/internal/transcribe"
)

// loopbackSpeech is a speech engine whose recogniser is a loopback
// Whisper server (the OpenAI transcription protocol) that hears the same
// words in every utterance, with the real voice activity detector.
func loopbackSpeech(t *testing.T) *transcribe.Engine {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"task":"transcribe","language":"english","duration":1.0,"text":"I cast fireball.",
			"segments":[{"id":0,"seek":0,"start":0.0,"end":0.9,"text":" I cast fireball.","tokens":[1],"temperature":0.0,"avg_logprob":-0.2,"no_speech_prob":0.01}],
			"words":[{"word":"I","start":0.0,"end":0.2},{"word":"cast","start":0.3,"end":0.5},{"word":"fireball","start":0.6,"end":0.9}]}`)
	}))
	t.Cleanup(srv.Close)
	rec, err := whisper.New(whisper.Config{URL: srv.URL, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	engine, err := transcribe.New(transcribe.Config{Recognizer: rec, Tracks: diarize.Tracks(), Language: "en",
		NewSegmenter: func() pipeline.Segmenter {
			d, err := vad.New(vad.DefaultConfig())
			if err != nil {
				panic(err)
			}
			return d
		}})
	if err != nil {
		t.Fatal(err)
	}
	return engine
}

// spokenPCM is 16 kHz mono PCM16: a second of silence, then n
// utterances of a speech-like buzz (a 140 Hz voice with harmonics, its
// loudness moving at a syllable rate) of a second each, each followed by
// 0.8 s of silence.
func spokenPCM(n int) []byte {
	const rate = 16000
	var x []float64
	x = append(x, make([]float64, rate)...)
	for range n {
		off := len(x)
		for i := range rate {
			t := float64(off+i) / rate
			env := 0.625 + 0.375*math.Sin(2*math.Pi*4*t)
			var v float64
			for h, a := range []float64{1, 0.6, 0.8, 0.4, 0.5, 0.2, 0.3} {
				v += a * math.Sin(2*math.Pi*140*float64(h+1)*t)
			}
			x = append(x, 0.3*env*v/2.5)
		}
		x = append(x, make([]float64, rate*8/10)...)
	}
	out := make([]byte, 2*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint16(out[2*i:], uint16(int16(v*32767)))
	}
	return out
}

// dialAudio opens a session's audio socket as the holder of token.
func dialAudio(t *testing.T, c *client, sessionID, token string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	u := strings.Replace(c.base, "http://", "ws://", 1) + "/api/v1/sessions/" + sessionID + "/audio/ws"
	ws, res, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + token}}})
	if err == nil {
		t.Cleanup(func() { ws.CloseNow() })
	}
	return ws, res, err
}

// TestAudioBudget: a live stream that crosses the campaign's audio
// budget is stopped with an error event naming it and close code 1008,
// after the utterance that crossed it is stored; then new streams and
// uploads are refused with 429 quota_exceeded until the next month.
func TestAudioBudget(t *testing.T) {
	t.Parallel()
	engine := loopbackSpeech(t)
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			// Five minutes before the month ends: access tokens (15 minutes)
			// outlive the change of month.
			clock := &fakeClock{t: time.Date(2026, 11, 30, 23, 55, 0, 0, time.UTC)}
			c := newServer(t, b.open, serverOpts{now: clock.Now, speech: engine, budgets: service.Budgets{AudioMinutesPerMonth: 1}, bundleJobs: true, holdJobs: true})
			// The queue runs transcriptions once started, further down.
			if err := jobs.RegisterTranscribe(c.jobs, c.svc, engine, audio.Limits{}); err != nil {
				t.Fatal(err)
			}
			p := newParty(t, c)
			gm := p.token["gm"]
			sid := newSession(t, c, p)
			c.must(200, "POST", "/api/v1/sessions/"+sid+"/start", gm, nil)
			// An earlier stream spent all but a second of the minute.
			if err := c.svc.ChargeAudio(ctx, p.campaign, 59*time.Second); err != nil {
				t.Fatalf("ChargeAudio within the budget = %v", err)
			}

			// A recording accepted now is transcribed only after the stream
			// below has spent the budget (the job queue starts later).
			early := upload(c, gm, "/api/v1/sessions/"+sid+"/audio", nil, "early.wav", "audio/wav", string(testenv.WAV(spokenPCM(1))))
			if early.status != 202 {
				t.Fatalf("upload with a second of budget left = %d %s", early.status, early.raw)
			}
			if recs, _ := c.must(200, "GET", "/api/v1/sessions/"+sid+"/recordings", gm, nil).body["recordings"].([]any); len(recs) != 1 {
				t.Fatalf("recordings after the upload: %v", recs)
			}

			ws, res, err := dialAudio(t, c, sid, gm)
			if err != nil {
				t.Fatalf("audio socket with a second of budget left: %v (%v)", err, res)
			}
			rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			if err := wsjson.Write(rctx, ws, httpapi.AudioHeader{SampleRate: 16000, Channels: 1}); err != nil {
				t.Fatal(err)
			}
			var ready httpapi.AudioEvent
			if err := wsjson.Read(rctx, ws, &ready); err != nil || ready.Type != "ready" {
				t.Fatalf("first event %+v, %v; want ready", ready, err)
			}
			go func() {
				pcm := spokenPCM(4)
				for i := 0; i < len(pcm); i += 3200 {
					if ws.Write(rctx, websocket.MessageBinary, pcm[i:min(len(pcm), i+3200)]) != nil {
						return
					}
				}
				_ = wsjson.Write(rctx, ws, map[string]string{"type": "end"})
			}()
			var events []httpapi.AudioEvent
			var readErr error
			for {
				var ev httpapi.AudioEvent
				if readErr = wsjson.Read(rctx, ws, &ev); readErr != nil {
					break
				}
				events = append(events, ev)
			}
			last := httpapi.AudioEvent{}
			heard := 0
			for _, ev := range events {
				if ev.Type == "heard" {
					heard++
				}
				if ev.Type != "slow_down" {
					last = ev
				}
			}
			if heard != 1 || last.Type != "error" || last.Code != "quota_exceeded" || !strings.Contains(last.Detail, "audio") ||
				!strings.Contains(last.Detail, "2026-12-01T00:00:00Z") || websocket.CloseStatus(readErr) != websocket.StatusPolicyViolation {
				t.Errorf("stream crossing the budget: events %+v, end %v; want one heard, then error quota_exceeded naming the audio budget and its reset, closed 1008",
					events, readErr)
			}
			// The utterance that crossed the budget was transcribed: it is
			// stored and counted.
			if segs := c.must(200, "GET", "/api/v1/sessions/"+sid+"/transcript", gm, nil).items(); len(segs) != 1 {
				t.Errorf("transcript after the stopped stream has %d segments, want the one heard", len(segs))
			}
			u := c.must(200, "GET", p.path("/usage"), gm, nil)
			if used, _ := u.field("audio_seconds", "used").(float64); used < 60 || used > 62 || u.field("audio_seconds", "used_up") != true ||
				u.field("audio_seconds", "limit") != float64(60) {
				t.Errorf("usage after the stopped stream: %s", u.raw)
			}

			// Spent: a new stream and an upload are refused before anything
			// is read.
			_, res, err = dialAudio(t, c, sid, gm)
			if err == nil || res == nil || res.StatusCode != 429 || res.Header.Get("Retry-After") != "300" {
				t.Errorf("audio socket over budget: %v, %+v; want 429 with Retry-After 300", err, res)
			}
			r := upload(c, gm, "/api/v1/sessions/"+sid+"/audio", nil, "table.wav", "audio/wav", string(testenv.WAV(spokenPCM(1))))
			if r.status != 429 || r.str("code") != "quota_exceeded" || r.str("budget") != "audio_seconds" || r.str("resets_at") != "2026-12-01T00:00:00Z" {
				t.Errorf("upload over budget = %d %s", r.status, r.raw)
			}
			if err := c.svc.ChargeAudio(ctx, p.campaign, time.Second); !errors.Is(err, gmc.ErrQuotaExceeded) {
				t.Errorf("ChargeAudio over budget = %v, want a quota error", err)
			}

			// Another campaign has its own budget: its recording is
			// transcribed by the job and the speech in it counted there.
			if err := c.jobs.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				_ = c.jobs.Stop(sctx)
			})
			// The recording queued within the budget meets it spent: its
			// job fails for good on its first attempt, naming the budget,
			// and the recording is marked failed.
			if j := waitJob(t, c, early.str("job_id"), gm); j.str("state") != "failed" || j.field("attempt") != float64(1) ||
				!strings.Contains(j.str("error"), "audio budget") {
				t.Errorf("transcription queued before the budget was spent: %s", j.raw)
			}
			if recs, _ := c.must(200, "GET", "/api/v1/sessions/"+sid+"/recordings", gm, nil).body["recordings"].([]any); len(recs) != 1 ||
				recs[0].(map[string]any)["status"] != "failed" {
				t.Errorf("recordings after the refused transcription: %v", recs)
			}
			other := c.must(201, "POST", "/api/v1/campaigns", gm, map[string]any{"name": "Elsewhere"}).str("id")
			osid := c.must(201, "POST", "/api/v1/campaigns/"+other+"/sessions", gm, map[string]any{"title": "Another evening"}).str("id")
			r = upload(c, gm, "/api/v1/sessions/"+osid+"/audio", nil, "table.wav", "audio/wav", string(testenv.WAV(spokenPCM(2))))
			if r.status != 202 {
				t.Fatalf("upload within the budget = %d %s", r.status, r.raw)
			}
			job := waitJob(t, c, r.str("job_id"), gm)
			ou := c.must(200, "GET", "/api/v1/campaigns/"+other+"/usage", gm, nil)
			if used, _ := ou.field("audio_seconds", "used").(float64); job.str("state") != "succeeded" || used < 2 || used > 4 || ou.field("audio_seconds", "used_up") != false {
				t.Errorf("after transcribing two utterances of the other campaign: job %s, usage %s", job.raw, ou.raw)
			}

			// The next month starts from zero.
			clock.Advance(6 * time.Minute)
			ws, res, err = dialAudio(t, c, sid, gm)
			if err != nil {
				t.Fatalf("audio socket in the new month: %v (%v)", err, res)
			}
			ws.Close(websocket.StatusNormalClosure, "")
			if u := c.must(200, "GET", p.path("/usage"), gm, nil); u.str("month") != "2026-12" || u.field("audio_seconds", "used") != float64(0) {
				t.Errorf("usage in the new month: %s", u.raw)
			}
		})
	}
}

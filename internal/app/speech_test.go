package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/jobs"
	"github.com/gmc-project/gmc/internal/speech/diarize/diart/diarttest"
	"github.com/gmc-project/gmc/internal/speech/stt/pocketsphinx"
	"github.com/gmc-project/gmc/internal/testenv"
)

// The speech tests speak with flite, resample with sox and recognise with
// PocketSphinx, all Debian packages: without them the tests are skipped,
// except under CI=true where .ci/run installs them.
func needTool(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not installed: %v", name, err)
		}
		t.Skipf("SKIPPING: %s not installed: %v", name, err)
	}
}

func needSphinx(t testing.TB) {
	t.Helper()
	if err := pocketsphinx.Probe(""); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skipf("SKIPPING: %v", err)
	}
}

// speak writes text spoken by a flite voice as a 16 kHz mono 16-bit WAV
// file in dir and returns its path.
func speak(t testing.TB, dir, name, voice, text string) string {
	t.Helper()
	needTool(t, "flite")
	needTool(t, "sox")
	raw, wav := filepath.Join(dir, name+".raw.wav"), filepath.Join(dir, name)
	if out, err := exec.Command("flite", "-voice", voice, "-t", text, "-o", raw).CombinedOutput(); err != nil {
		t.Fatalf("flite: %v: %s", err, out)
	}
	if out, err := exec.Command("sox", raw, "-r", "16000", "-c", "1", "-b", "16", wav).CombinedOutput(); err != nil {
		t.Fatalf("sox: %v: %s", err, out)
	}
	return wav
}

// pcmOf returns the data chunk of a PCM WAV file.
func pcmOf(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 12; i+8 <= len(b); {
		id, n := string(b[i:i+4]), int(binary.LittleEndian.Uint32(b[i+4:]))
		if id == "data" {
			return b[i+8 : min(len(b), i+8+n)]
		}
		i += 8 + n + n&1
	}
	t.Fatalf("%s: no data chunk", path)
	return nil
}

// stereo48k makes 16 kHz mono PCM16 48 kHz stereo, each sample repeated.
func stereo48k(pcm []byte) []byte {
	out := make([]byte, 0, 6*len(pcm))
	for i := 0; i+1 < len(pcm); i += 2 {
		for range 6 {
			out = append(out, pcm[i], pcm[i+1])
		}
	}
	return out
}

// silence is d of 16 kHz PCM16 silence.
func silence(d time.Duration) []byte { return make([]byte, 2*int(d.Seconds()*16000)) }

// wer is the word error rate of got against want, case and punctuation
// ignored.
func wer(want, got string) float64 {
	norm := func(s string) []string {
		return strings.Fields(strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == ' ' || r == '\'' {
				return r
			}
			return ' '
		}, strings.ToLower(s)))
	}
	w, g := norm(want), norm(got)
	prev := make([]int, len(g)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(w); i++ {
		cur := make([]int, len(g)+1)
		cur[0] = i
		for j := 1; j <= len(g); j++ {
			sub := prev[j-1]
			if w[i-1] != g[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev = cur
	}
	return float64(prev[len(g)]) / float64(max(len(w), 1))
}

// audioClient is one audio socket.
type audioClient struct {
	t      *testing.T
	ws     *websocket.Conn
	events chan audioEvent
	// readErr is the error that ended the connection, set before events
	// is closed.
	readErr error
}

// audioEvent is a server message on an audio socket.
type audioEvent struct {
	Type        string `json:"type"`
	Speaker     string `json:"speaker"`
	STT         string `json:"stt"`
	Diarization string `json:"diarization"`
	Segments    int    `json:"segments"`
	Dropped     int    `json:"dropped"`
	AheadMS     int64  `json:"ahead_ms"`
	Reason      string `json:"reason"`
	Code        string `json:"code"`
	Detail      string `json:"detail"`
}

func (in *instance) dialAudio(sessionID, token, query string) (*audioClient, *http.Response, error) {
	u := strings.Replace(in.base, "http://", "ws://", 1) + "/sessions/" + sessionID + "/audio/ws" + query
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	opts := &websocket.DialOptions{HTTPHeader: http.Header{}}
	if token != "" {
		opts.HTTPHeader.Set("Authorization", "Bearer "+token)
	}
	ws, res, err := websocket.Dial(ctx, u, opts)
	if err != nil {
		return nil, res, err
	}
	a := &audioClient{t: in.t, ws: ws, events: make(chan audioEvent, 256)}
	go func() {
		defer close(a.events)
		for {
			var ev audioEvent
			if err := wsjson.Read(context.Background(), ws, &ev); err != nil {
				a.readErr = err
				return
			}
			a.events <- ev
		}
	}()
	in.t.Cleanup(func() { ws.CloseNow() })
	return a, res, nil
}

// stream sends the header, the PCM at speed times real time in 100 ms
// messages, and "end"; it returns every event up to "done".
func (a *audioClient) stream(header map[string]any, pcm []byte, speed float64) []audioEvent {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := wsjson.Write(ctx, a.ws, header); err != nil {
		a.t.Fatal(err)
	}
	var got []audioEvent
	select {
	case ev := <-a.events:
		got = append(got, ev)
		if ev.Type != "ready" {
			a.t.Fatalf("audio socket: first event %+v, want ready", ev)
		}
	case <-ctx.Done():
		a.t.Fatal("audio socket: no ready")
	}
	perSec := 2 * header["sample_rate"].(int) * header["channels"].(int)
	chunk := perSec / 10 // 100 ms
	start := time.Now()
	for i := 0; i < len(pcm); i += chunk {
		if err := a.ws.Write(ctx, websocket.MessageBinary, pcm[i:min(len(pcm), i+chunk)]); err != nil {
			a.t.Fatalf("audio socket: send: %v", err)
		}
		sent := time.Duration(float64(i+chunk) / float64(perSec) * float64(time.Second) / speed)
		if wait := sent - time.Since(start); wait > 0 {
			time.Sleep(wait)
		}
	}
	if err := wsjson.Write(ctx, a.ws, map[string]string{"type": "end"}); err != nil {
		a.t.Fatal(err)
	}
	for {
		select {
		case ev, ok := <-a.events:
			if !ok {
				a.t.Fatalf("audio socket closed before done; events %+v", got)
			}
			got = append(got, ev)
			if ev.Type == "done" {
				return got
			}
			if ev.Type == "error" {
				a.t.Fatalf("audio socket: error %+v", ev)
			}
		case <-ctx.Done():
			a.t.Fatalf("audio socket: no done; events %+v", got)
		}
	}
}

func count(evs []audioEvent, typ string) (n, segments, dropped int) {
	for _, ev := range evs {
		if ev.Type == typ {
			n++
			segments += ev.Segments
			dropped += ev.Dropped
		}
	}
	return n, segments, dropped
}

// segments collects transcript.segment messages until none has come for quiet.
func (c *client) segments(quiet time.Duration) []gmc.TranscriptSegment {
	c.t.Helper()
	var out []gmc.TranscriptSegment
	for {
		f, ok := c.read(quiet)
		if !ok {
			return out
		}
		if f.Type != "transcript.segment" {
			continue
		}
		var s gmc.TranscriptSegment
		if err := json.Unmarshal(f.Data, &s); err != nil {
			c.t.Fatalf("%s: transcript.segment %s: %v", c.name, f.Data, err)
		}
		out = append(out, s)
	}
}

// heard collects transcript.segment messages and the names of keyword
// alerts until no message has come for quiet.
func (c *client) heard(quiet time.Duration) ([]gmc.TranscriptSegment, []string) {
	c.t.Helper()
	var segs []gmc.TranscriptSegment
	var alerts []string
	for {
		f, ok := c.read(quiet)
		if !ok {
			return segs, alerts
		}
		switch f.Type {
		case "transcript.segment":
			var s gmc.TranscriptSegment
			if err := json.Unmarshal(f.Data, &s); err != nil {
				c.t.Fatalf("%s: transcript.segment %s: %v", c.name, f.Data, err)
			}
			segs = append(segs, s)
		case "keyword.alert":
			var a kwAlert
			if err := json.Unmarshal(f.Data, &a); err != nil {
				c.t.Fatalf("%s: keyword.alert %s: %v", c.name, f.Data, err)
			}
			alerts = append(alerts, a.name())
		}
	}
}

func joinText(segs []gmc.TranscriptSegment) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteString(s.Text + " ")
	}
	return b.String()
}

// transcript is the session's stored transcript.
func (in *instance) transcript(sessionID, token string) []gmc.TranscriptSegment {
	in.t.Helper()
	req, _ := http.NewRequest("GET", in.base+"/sessions/"+sessionID+"/transcript?limit=200", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Items []gmc.TranscriptSegment `json:"items"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != 200 {
		in.t.Fatalf("GET transcript = %d, %v", res.StatusCode, err)
	}
	return out.Items
}

// problemOf reads a problem+json answer.
func problemOf(t *testing.T, res *http.Response) (status int, contentType, code string) {
	t.Helper()
	defer res.Body.Close()
	var p struct {
		Code string `json:"code"`
	}
	raw, _ := io.ReadAll(res.Body)
	_ = json.Unmarshal(raw, &p)
	return res.StatusCode, res.Header.Get("Content-Type"), p.Code
}

// upload posts a recording and returns the answer.
func (in *instance) upload(sessionID, token, fileName string, content []byte) (int, map[string]any) {
	in.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", fileName)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", in.base+"/sessions/"+sessionID+"/audio", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		in.t.Fatalf("upload answer %d %q: %v", res.StatusCode, raw, err)
	}
	return res.StatusCode, out
}

// awaitJobEnd polls GET /jobs/{id} until the job is over.
func (in *instance) awaitJobEnd(jobID, token string) map[string]any {
	in.t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		j := in.call("GET", "/jobs/"+jobID, token, nil, 200)
		switch j["state"] {
		case "succeeded", "failed", "cancelled":
			return j
		}
		time.Sleep(100 * time.Millisecond)
	}
	in.t.Fatalf("job %s not over within 3 min", jobID)
	return nil
}

func bothDatabases() []struct {
	name string
	cfg  func(t *testing.T) config.Config
} {
	return []struct {
		name string
		cfg  func(t *testing.T) config.Config
	}{
		{"embedded", func(*testing.T) config.Config { return config.Config{} }},
		{"postgres+redis", func(t *testing.T) config.Config {
			return config.Config{DatabaseURL: testenv.PostgresSchema(t), RedisURL: testenv.RedisURL(t), RedisPrefix: testenv.RedisPrefix(t)}
		}},
	}
}

const castSentence = "I cast fireball at the goblin"

// TestSpeechLiveTrack streams a player's own voice into a live session at
// four times real time: the client is told to slow down, every utterance
// is heard, and the words arrive as transcript.segment on the table's
// sockets, labelled with the player, with the spell's keyword alert.
func TestSpeechLiveTrack(t *testing.T) {
	t.Parallel()
	needSphinx(t)
	wav := speak(t, t.TempDir(), "cast.wav", "slt", castSentence)
	// Silence around the sentence, long enough that sending at 4x runs
	// ahead of real time by more than the server allows.
	pcm := slices.Concat(silence(time.Second), pcmOf(t, wav), silence(3*time.Second))
	for _, s := range bothDatabases() {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			cfg := s.cfg(t)
			cfg.STT = "pocketsphinx"
			in := startInstance(t, cfg)
			if _, err := in.app.Service().ImportReference(context.Background(), testSRD); err != nil {
				t.Fatal(err)
			}
			tb := setUpTable(t, in)
			in.call("PUT", "/campaigns/"+tb.campaignID+"/members/me/voice-consent", tb.p1, map[string]any{"consent": true}, 200)
			// With Redis, the table watches on another instance than the
			// one the audio goes to.
			watch := in
			if cfg.RedisURL != "" {
				watch = startInstance(t, cfg)
			}
			gm := watch.mustDial("gm", tb.sessionID, tb.gm)
			p2 := watch.mustDial("p2", tb.sessionID, tb.p2)
			for _, c := range []*client{gm, p2} {
				c.send("ping", nil)
			}
			a, res, err := in.dialAudio(tb.sessionID, tb.p1, "")
			if err != nil {
				t.Fatalf("audio socket: %v (%v)", err, res)
			}
			evs := a.stream(map[string]any{"sample_rate": 16000, "channels": 1}, pcm, 4)
			if evs[0].Speaker != "p1" || evs[0].STT != "pocketsphinx" {
				t.Errorf("ready = %+v, want speaker p1 and stt pocketsphinx", evs[0])
			}
			if n, _, _ := count(evs, "slow_down"); n == 0 {
				t.Errorf("sent at 4x real time and never told to slow down: %+v", evs)
			}
			heard, stored, _ := count(evs, "heard")
			done := evs[len(evs)-1]
			if heard == 0 || stored == 0 || done.Segments != stored {
				t.Errorf("heard %d utterances, %d segments, done %+v", heard, stored, done)
			}
			for _, c := range []*client{gm, p2} {
				segs, alerts := c.heard(2 * time.Second)
				if strings.Contains(strings.ToLower(joinText(segs)), "fireball") && !slices.Contains(alerts, "Fireball") {
					t.Errorf("%s: fireball heard, alerts %v", c.name, alerts)
				}
				if len(segs) != stored {
					t.Errorf("%s: %d transcript.segment, want %d", c.name, len(segs), stored)
				}
				for _, s := range segs {
					if s.SpeakerLabel != "p1" || s.Source == "" {
						t.Errorf("%s: segment %+v, want label p1 and a source", c.name, s)
					}
				}
				if e := wer(castSentence, joinText(segs)); e > 0.5 {
					t.Errorf("%s: heard %q for %q: WER %.2f", c.name, joinText(segs), castSentence, e)
				}
			}
			// All of the audio is there: the sentence ends within it.
			stored2 := in.transcript(tb.sessionID, tb.gm)
			if len(stored2) != stored || len(stored2) > 0 && stored2[len(stored2)-1].EndMS > int64(len(pcm)/32) {
				t.Errorf("stored transcript %+v", stored2)
			}
			hits := in.call("GET", "/sessions/"+tb.sessionID+"/keywords", tb.p2, nil, 200)["items"].([]any)
			if !strings.Contains(strings.ToLower(joinText(stored2)), "fireball") {
				t.Logf("the recogniser did not hear fireball (%q): no alert to check", joinText(stored2))
			} else if len(hits) == 0 {
				t.Errorf("fireball heard but no keyword hit")
			}
		})
	}
}

// TestSpeechConsent: no voice without consent, and a room microphone's
// segments of a member who said no are never stored.
func TestSpeechConsent(t *testing.T) {
	t.Parallel()
	needSphinx(t)
	pcm := slices.Concat(silence(500*time.Millisecond), pcmOf(t, speak(t, t.TempDir(), "cast.wav", "slt", castSentence)), silence(time.Second))
	in := startInstance(t, config.Config{STT: "pocketsphinx"})
	tb := setUpTable(t, in)

	_, res, err := in.dialAudio(tb.sessionID, tb.p1, "")
	if err == nil {
		t.Fatal("a player who has not consented opened an audio socket")
	}
	if status, ct, code := problemOf(t, res); status != 403 || code != "voice_consent_required" || ct != "application/problem+json" {
		t.Errorf("no consent: %d %s %q, want 403 problem+json voice_consent_required", status, ct, code)
	}
	in.call("PUT", "/campaigns/"+tb.campaignID+"/members/me/voice-consent", tb.p1, map[string]any{"consent": true}, 200)
	a, res, err := in.dialAudio(tb.sessionID, tb.p1, "")
	if err != nil {
		t.Fatalf("after consent: %v (%v)", err, res)
	}
	// As a browser sends it: 48 kHz stereo.
	evs := a.stream(map[string]any{"sample_rate": 48000, "channels": 2}, stereo48k(pcm), 8)
	if _, n, _ := count(evs, "heard"); n == 0 {
		t.Errorf("consenting player: nothing stored: %+v", evs)
	}
	heard := in.transcript(tb.sessionID, tb.gm)
	if e := wer(castSentence, joinText(heard)); e > 0.5 {
		t.Errorf("48 kHz stereo: heard %q, WER %.2f", joinText(heard), e)
	}
	before := len(heard)

	// p2 says no; the GM maps the room microphone's only voice to p2.
	in.call("PUT", "/campaigns/"+tb.campaignID+"/members/me/voice-consent", tb.p2, map[string]any{"consent": false}, 200)
	in.call("PUT", "/sessions/"+tb.sessionID+"/speakers", tb.gm, map[string]any{"speakers": []any{
		map[string]any{"label": "speaker1", "user_id": tb.p2ID}}}, 200)
	a, res, err = in.dialAudio(tb.sessionID, tb.gm, "")
	if err != nil {
		t.Fatalf("GM room mic: %v (%v)", err, res)
	}
	evs = a.stream(map[string]any{"sample_rate": 16000, "channels": 1}, pcm, 8)
	if _, stored, dropped := count(evs, "heard"); stored != 0 || dropped == 0 {
		t.Errorf("room mic of a refusing member: %d stored, %d dropped, want 0 and >0 (%+v)", stored, dropped, evs)
	}
	if after := len(in.transcript(tb.sessionID, tb.gm)); after != before {
		t.Errorf("transcript grew from %d to %d segments with a refusing member's voice", before, after)
	}
	// The GM sees who may not be heard: p2 said no, the GM and the
	// observer have not answered; p1 has.
	report := in.call("GET", "/sessions/"+tb.sessionID+"/consent", tb.gm, nil, 200)
	missing, _ := report["missing"].([]any)
	if !slices.Contains(missing, any(tb.p2ID)) || slices.Contains(missing, any(tb.p1ID)) {
		t.Errorf("consent report missing %v, want p2 and not p1", missing)
	}
	in.call("GET", "/sessions/"+tb.sessionID+"/consent", tb.p1, nil, 403)
	// A player may not take a label the GM mapped to someone else.
	_, res, err = in.dialAudio(tb.sessionID, tb.p1, "?speaker=speaker1")
	if err == nil {
		t.Fatal("p1 opened a track labelled as p2")
	}
	if status, _, code := problemOf(t, res); status != 409 || code != "speaker_taken" {
		t.Errorf("p1 sending as p2's label: %d %q, want 409 speaker_taken", status, code)
	}
	// The GM may not send a track mapped to them either.
	_, res, err = in.dialAudio(tb.sessionID, tb.gm, "?speaker=speaker1")
	if err == nil {
		t.Fatal("GM opened a track of a refusing member")
	}
	if status, _, code := problemOf(t, res); status != 403 || code != "voice_consent_required" {
		t.Errorf("GM track of a refusing member: %d %q", status, code)
	}
}

// TestSpeechOff: with GMC_STT=off /readyz says why, and the audio socket
// and uploads answer 503 speech_unavailable.
func TestSpeechOff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		stt, want string
	}{
		{"off", "off: "},
		{"pocketsphinx", "pocketsphinx/builtin"},
	} {
		t.Run(tc.stt, func(t *testing.T) {
			t.Parallel()
			if tc.stt == "pocketsphinx" {
				needSphinx(t)
			}
			in := startInstance(t, config.Config{STT: tc.stt})
			res, err := http.Get(in.srv.URL + "/readyz")
			if err != nil {
				t.Fatal(err)
			}
			var r struct {
				Components map[string]any `json:"components"`
			}
			json.NewDecoder(res.Body).Decode(&r)
			res.Body.Close()
			if got, _ := r.Components["speech"].(string); !strings.HasPrefix(got, tc.want) || tc.stt == "off" && len(got) <= len(tc.want) {
				t.Errorf("/readyz speech = %q, want %q…", got, tc.want)
			}
			if tc.stt != "off" {
				return
			}
			tb := setUpTable(t, in)
			_, res, err = in.dialAudio(tb.sessionID, tb.gm, "")
			if err == nil {
				t.Fatal("audio socket opened with speech off")
			}
			if status, ct, code := problemOf(t, res); status != 503 || code != "speech_unavailable" || ct != "application/problem+json" {
				t.Errorf("audio socket: %d %s %q", status, ct, code)
			}
			if status, out := in.upload(tb.sessionID, tb.gm, "a.wav", testenv.WAV(silence(time.Second))); status != 503 || out["code"] != "speech_unavailable" {
				t.Errorf("upload: %d %v", status, out)
			}
		})
	}
}

// zipOf is a zip of the named files.
func zipOf(t *testing.T, files ...any) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := 0; i < len(files); i += 2 {
		w, err := zw.Create(files[i].(string))
		if err != nil {
			t.Fatal(err)
		}
		w.Write(files[i+1].([]byte))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// recordings lists a session's recordings.
func (in *instance) recordings(sessionID, token string) []any {
	in.t.Helper()
	out := in.call("GET", "/sessions/"+sessionID+"/recordings", token, nil, 200)
	recs, ok := out["recordings"].([]any)
	if !ok {
		in.t.Fatalf("GET recordings = %v, want a recordings array", out)
	}
	return recs
}

// blobFiles counts the files under the instance's file store.
func blobFiles(t *testing.T, dataDir string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(filepath.Join(dataDir, "files"), func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// TestSpeechUpload uploads recordings to transcribe in the background: a
// WAV file, deleted once transcribed; a zip of two speakers' tracks, kept
// as the campaign asks; and files that are not audio, refused before
// anything is stored.
func TestSpeechUpload(t *testing.T) {
	t.Parallel()
	needSphinx(t)
	dir := t.TempDir()
	alice := pcmOf(t, speak(t, dir, "alice.wav", "slt", castSentence))
	bob := pcmOf(t, speak(t, dir, "bob.wav", "rms", "roll for initiative"))
	single := testenv.WAV(slices.Concat(silence(300*time.Millisecond), alice, silence(500*time.Millisecond)))
	// Craig style: every track starts with the session, so bob's starts
	// with silence while alice speaks.
	tracks := zipOf(t,
		"1-alice.wav", testenv.WAV(slices.Concat(silence(300*time.Millisecond), alice, silence(500*time.Millisecond))),
		"2-bob.wav", testenv.WAV(slices.Concat(silence(300*time.Millisecond), silence(time.Duration(len(alice)/32)*time.Millisecond), silence(time.Second), bob, silence(500*time.Millisecond))),
		// carol's voice belongs to a member who said no: left out.
		"3-carol.wav", testenv.WAV(slices.Concat(silence(300*time.Millisecond), alice)))
	for _, s := range bothDatabases() {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			cfg := s.cfg(t)
			cfg.STT, cfg.DataDir = "pocketsphinx", t.TempDir()
			in := startInstance(t, cfg)
			tb := setUpTable(t, in)
			gm := in.mustDial("gm", tb.sessionID, tb.gm)
			p1 := in.mustDial("p1", tb.sessionID, tb.p1)
			for _, c := range []*client{gm, p1} {
				c.send("ping", nil)
			}

			// Uploads are the GM's.
			if status, out := in.upload(tb.sessionID, tb.p1, "night.wav", single); status != 403 {
				t.Errorf("player upload = %d %v, want 403", status, out)
			}
			// One WAV file, not kept.
			status, out := in.upload(tb.sessionID, tb.gm, "night.wav", single)
			if status != 202 {
				t.Fatalf("upload = %d %v", status, out)
			}
			jobID, _ := out["job_id"].(string)
			if rec, _ := out["recording"].(map[string]any); jobID == "" || rec == nil || rec["tracks"] != 1.0 || rec["status"] != "stored" {
				t.Fatalf("upload answer %v", out)
			}
			gm.awaitJob(jobID, func(p jobProgress) bool { return p.Kind == "speech.transcribe" })
			if j := in.awaitJobEnd(jobID, tb.gm); j["state"] != "succeeded" {
				t.Fatalf("job = %v", j)
			}
			segs := in.transcript(tb.sessionID, tb.gm)
			if len(segs) == 0 || wer(castSentence, joinText(segs)) > 0.5 {
				t.Errorf("transcript of the upload: %+v", segs)
			}
			// The table sees the words; the job is the GM's business.
			seen := map[string]int{}
			for {
				f, ok := p1.read(time.Second)
				if !ok {
					break
				}
				seen[f.Type]++
			}
			if seen["transcript.segment"] != len(segs) || seen["job.progress"] != 0 {
				t.Errorf("p1 saw %v, want %d transcript.segment and no job.progress", seen, len(segs))
			}
			if recs := in.recordings(tb.sessionID, tb.gm); len(recs) != 0 {
				t.Errorf("recording kept with keep_recordings false: %v", recs)
			}
			if n := blobFiles(t, cfg.DataDir); n != 0 {
				t.Errorf("%d files left in the file store", n)
			}

			// A zip of two tracks, kept.
			settings := in.call("GET", "/campaigns/"+tb.campaignID, tb.gm, nil, 200)["settings"].(map[string]any)
			settings["keep_recordings"] = true
			in.call("PATCH", "/campaigns/"+tb.campaignID, tb.gm, map[string]any{"settings": settings}, 200)
			session2 := in.call("POST", "/campaigns/"+tb.campaignID+"/sessions", tb.gm, map[string]any{"title": "Night two"}, 201)["id"].(string)
			in.call("PUT", "/campaigns/"+tb.campaignID+"/members/me/voice-consent", tb.p2, map[string]any{"consent": false}, 200)
			in.call("PUT", "/sessions/"+session2+"/speakers", tb.gm, map[string]any{"speakers": []any{
				map[string]any{"label": "carol", "user_id": tb.p2ID}}}, 200)
			status, out = in.upload(session2, tb.gm, "craig.zip", tracks)
			if status != 202 {
				t.Fatalf("zip upload = %d %v", status, out)
			}
			j := in.awaitJobEnd(out["job_id"].(string), tb.gm)
			if j["state"] != "succeeded" {
				t.Fatalf("zip job = %v", j)
			}
			var result struct {
				Segments int `json:"segments"`
				Tracks   []struct {
					Label    string `json:"label"`
					Segments int    `json:"segments"`
					Skipped  string `json:"skipped"`
				} `json:"tracks"`
			}
			raw, _ := json.Marshal(j["result"])
			if err := json.Unmarshal(raw, &result); err != nil || len(result.Tracks) != 3 {
				t.Fatalf("zip job result %s: %v", raw, err)
			}
			for _, tr := range result.Tracks {
				if (tr.Label == "carol") != (tr.Skipped != "") || tr.Label == "carol" && tr.Segments != 0 {
					t.Errorf("track report %+v: want carol, and only carol, skipped", tr)
				}
			}
			segs = in.transcript(session2, tb.gm)
			var labels []string
			for i, s := range segs {
				if i > 0 && s.StartMS < segs[i-1].StartMS {
					t.Errorf("segments out of time order: %+v", segs)
				}
				if len(labels) == 0 || labels[len(labels)-1] != s.SpeakerLabel {
					labels = append(labels, s.SpeakerLabel)
				}
			}
			if !slices.Equal(labels, []string{"alice", "bob"}) {
				t.Errorf("zip transcript speakers %v, want alice then bob: %+v", labels, segs)
			}
			if recs := in.recordings(session2, tb.gm); len(recs) != 1 || recs[0].(map[string]any)["status"] != "transcribed" || recs[0].(map[string]any)["tracks"] != 3.0 {
				t.Errorf("kept recordings = %v", recs)
			}
			// The kept recording downloads as it was uploaded.
			recs := in.recordings(session2, tb.gm)
			req, _ := http.NewRequest("GET", in.base+"/recordings/"+recs[0].(map[string]any)["id"].(string)+"/audio", nil)
			req.Header.Set("Authorization", "Bearer "+tb.gm)
			if res, err := http.DefaultClient.Do(req); err != nil {
				t.Fatal(err)
			} else {
				got, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != 200 || !bytes.Equal(got, tracks) {
					t.Errorf("recording download: %d, %d bytes, want 200 and the %d uploaded", res.StatusCode, len(got), len(tracks))
				}
			}
			kept := blobFiles(t, cfg.DataDir)

			// Not audio: refused, nothing stored.
			bomb := testenv.WAV(make([]byte, 64<<20))
			for _, tc := range []struct {
				name    string
				content []byte
				status  int
				code    string
			}{
				{"cut.wav", single[:44+1000], 400, "truncated_audio"},
				{"song.mp3", append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x64"), make([]byte, 4000)...), 415, "unsupported_audio"},
				{"bomb.zip", zipOf(t, "1-alice.wav", bomb), 413, "zip_bomb"},
			} {
				status, out := in.upload(session2, tb.gm, tc.name, tc.content)
				if status != tc.status || out["code"] != tc.code {
					t.Errorf("%s: %d %v, want %d %s", tc.name, status, out, tc.status, tc.code)
				}
				if errs, _ := out["errors"].([]any); tc.status == 400 && (len(errs) == 0 || errs[0].(map[string]any)["location"] != "body.file") {
					t.Errorf("%s: errors %v, want one at body.file", tc.name, out["errors"])
				}
			}
			if recs := in.recordings(session2, tb.gm); len(recs) != 1 {
				t.Errorf("refused uploads stored: %v", recs)
			}
			if n := blobFiles(t, cfg.DataDir); n != kept {
				t.Errorf("refused uploads left files: %d, want %d", n, kept)
			}
		})
	}
}

// openAIAnswer is a Whisper server's verbose_json answer, as the whisper
// package's tests have it.
const openAIAnswer = `{"task":"transcribe","language":"english","duration":3.0,"text":"I cast fireball.",
 "segments":[{"id":0,"seek":0,"start":0.0,"end":2.4,"text":" I cast fireball.","tokens":[50364,286,4193],
   "temperature":0.0,"avg_logprob":-0.21,"compression_ratio":0.9,"no_speech_prob":0.01}],
 "words":[{"word":"I","start":0.0,"end":0.2},{"word":"cast","start":0.3,"end":0.7},{"word":"fireball","start":0.8,"end":1.6}]}`

// TestSpeechWhisper transcribes an upload with a Whisper server on
// loopback: its text becomes the segments; a server that keeps failing
// fails the job, with the reason in GET /jobs/{job_id}.
func TestSpeechWhisper(t *testing.T) {
	t.Parallel()
	wav := testenv.WAV(slices.Concat(silence(300*time.Millisecond), pcmOf(t, speak(t, t.TempDir(), "cast.wav", "slt", castSentence)), silence(500*time.Millisecond)))
	for _, tc := range []struct {
		name   string
		status int
		answer string
	}{
		{"answers", 200, openAIAnswer},
		{"fails", 500, `{"error":{"message":"the GPU caught fire"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int64
			whisper := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				if r.Method != http.MethodPost || r.URL.Path != "/v1/audio/transcriptions" {
					http.Error(w, `{"error":{"message":"no such route"}}`, http.StatusNotFound)
					return
				}
				if f, _, err := r.FormFile("file"); err != nil || r.FormValue("response_format") != "verbose_json" {
					http.Error(w, `{"error":{"message":"bad form"}}`, http.StatusBadRequest)
					return
				} else {
					f.Close()
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.answer)
			}))
			t.Cleanup(whisper.Close)
			in := startInstance(t, config.Config{STT: "whisper", WhisperURL: whisper.URL},
				app.WithJobConfig(func(c *jobs.Config) {
					c.PollInterval = 50 * time.Millisecond
					c.Backoff = func(int) time.Duration { return 10 * time.Millisecond }
				}))
			tb := setUpTable(t, in)
			status, out := in.upload(tb.sessionID, tb.gm, "night.wav", wav)
			if status != 202 {
				t.Fatalf("upload = %d %v", status, out)
			}
			j := in.awaitJobEnd(out["job_id"].(string), tb.gm)
			segs := in.transcript(tb.sessionID, tb.gm)
			if tc.status == 200 {
				if j["state"] != "succeeded" || len(segs) == 0 || wer("I cast fireball", joinText(segs)) > 0 {
					t.Errorf("job %v, transcript %+v; want Whisper's words", j, segs)
				}
				for _, s := range segs {
					if s.Source == "" || !strings.Contains(s.Source, "whisper") {
						t.Errorf("segment source %q, want whisper", s.Source)
					}
				}
				// And live, from the GM's room microphone.
				a, res, err := in.dialAudio(tb.sessionID, tb.gm, "")
				if err != nil {
					t.Fatalf("audio socket: %v (%v)", err, res)
				}
				evs := a.stream(map[string]any{"sample_rate": 16000, "channels": 1}, wav[44:], 8)
				if evs[0].STT != "whisper" {
					t.Errorf("ready = %+v, want stt whisper", evs[0])
				}
				if _, n, _ := count(evs, "heard"); n == 0 || len(in.transcript(tb.sessionID, tb.gm)) != len(segs)+n {
					t.Errorf("live through Whisper: events %+v", evs)
				}
				return
			}
			if j["state"] != "failed" || !strings.Contains(fmt.Sprint(j["error"]), "500") || len(segs) != 0 {
				t.Errorf("job %v, transcript %+v; want failed naming the 500, nothing stored", j, segs)
			}
			// A failed recording stays, for the GM to retry or download.
			if recs := in.recordings(tb.sessionID, tb.gm); len(recs) != 1 || recs[0].(map[string]any)["status"] != "failed" {
				t.Errorf("recordings after the failed job: %v, want one failed", recs)
			}
			if calls.Load() < 2 {
				t.Errorf("Whisper server called %d times, want retries", calls.Load())
			}
		})
	}
}

// roomMic streams pcm as the GM's room microphone (no speaker: the
// diarizer tells the voices apart) and returns the ready event and the
// stored transcript.
func roomMic(t *testing.T, cfg config.Config, pcm []byte) (audioEvent, []gmc.TranscriptSegment) {
	t.Helper()
	in := startInstance(t, cfg)
	tb := setUpTable(t, in)
	gm := in.mustDial("gm", tb.sessionID, tb.gm)
	gm.send("ping", nil)
	a, res, err := in.dialAudio(tb.sessionID, tb.gm, "")
	if err != nil {
		t.Fatalf("audio socket: %v (%v)", err, res)
	}
	evs := a.stream(map[string]any{"sample_rate": 16000, "channels": 1}, pcm, 8)
	segs := in.transcript(tb.sessionID, tb.gm)
	if live := gm.segments(time.Second); len(live) != len(segs) {
		t.Errorf("%d transcript.segment on the GM's socket, %d stored", len(live), len(segs))
	}
	return evs[0], segs
}

func labelsOf(segs []gmc.TranscriptSegment) []string {
	var out []string
	for _, s := range segs {
		if !slices.Contains(out, s.SpeakerLabel) {
			out = append(out, s.SpeakerLabel)
		}
	}
	return out
}

// TestSpeechDiart diarizes the GM's room microphone with a Diart server on
// loopback: the labels are the server's.
func TestSpeechDiart(t *testing.T) {
	t.Parallel()
	needSphinx(t)
	dir := t.TempDir()
	s1 := pcmOf(t, speak(t, dir, "a.wav", "slt", castSentence))
	s2 := pcmOf(t, speak(t, dir, "b.wav", "rms", "roll for initiative"))
	pcm := slices.Concat(silence(300*time.Millisecond), s1, silence(time.Second), s2, silence(time.Second), s1, silence(2*time.Second))
	srv := diarttest.New(t, false)
	ready, segs := roomMic(t, config.Config{STT: "pocketsphinx", Diarization: "diart", DiartURL: srv.URL()}, pcm)
	if ready.Speaker != "" || ready.STT != "pocketsphinx" || ready.Diarization != "diart" {
		t.Errorf("ready = %+v", ready)
	}
	labels := labelsOf(segs)
	if len(segs) == 0 || slices.ContainsFunc(labels, func(l string) bool { return l != "speaker0" && l != "speaker1" }) {
		t.Errorf("labels %v, want the Diart server's speaker0/speaker1: %+v", labels, segs)
	}
	if _, blocks := srv.Counts(); blocks == 0 {
		t.Error("the Diart server got no audio")
	}

	// Shorter than Diart's first 5 s chunk: the server never answers, and
	// the words are still stored.
	_, segs = roomMic(t, config.Config{STT: "pocketsphinx", Diarization: "diart", DiartURL: diarttest.New(t, false).URL()},
		slices.Concat(silence(300*time.Millisecond), s2, silence(500*time.Millisecond)))
	if len(segs) == 0 {
		t.Error("a room mic stream shorter than 5 s: nothing stored")
	}
}

// TestSpeechBuiltinDiarization: two voices, one after the other, on the
// GM's room microphone get two labels from the builtin diarizer.
func TestSpeechBuiltinDiarization(t *testing.T) {
	t.Parallel()
	needSphinx(t)
	dir := t.TempDir()
	s1 := pcmOf(t, speak(t, dir, "a.wav", "slt", "the dragon sleeps under the mountain of gold"))
	s2 := pcmOf(t, speak(t, dir, "b.wav", "rms", "roll for initiative and draw your swords"))
	pcm := slices.Concat(silence(300*time.Millisecond), s1, silence(time.Second), s2, silence(time.Second))
	ready, segs := roomMic(t, config.Config{STT: "pocketsphinx", Diarization: "builtin"}, pcm)
	if ready.Diarization != "builtin" {
		t.Errorf("ready = %+v, want diarization builtin", ready)
	}
	if labels := labelsOf(segs); !slices.Equal(labels, []string{"speaker1", "speaker2"}) {
		t.Errorf("labels %v, want speaker1 then speaker2: %+v", labels, segs)
	}
}

// TestSpeechLiveCloseWithoutEnd: the protocol lets a client end with a
// plain close instead of "end"; what it sent is still transcribed and
// stored, though nobody is left to hear "heard".
func TestSpeechLiveCloseWithoutEnd(t *testing.T) {
	t.Parallel()
	needSphinx(t)
	pcm := slices.Concat(silence(300*time.Millisecond), pcmOf(t, speak(t, t.TempDir(), "cast.wav", "slt", castSentence)), silence(time.Second))
	in := startInstance(t, config.Config{STT: "pocketsphinx"})
	tb := setUpTable(t, in)
	in.call("PUT", "/campaigns/"+tb.campaignID+"/members/me/voice-consent", tb.p1, map[string]any{"consent": true}, 200)
	a, res, err := in.dialAudio(tb.sessionID, tb.p1, "")
	if err != nil {
		t.Fatalf("audio socket: %v (%v)", err, res)
	}
	ctx := context.Background()
	if err := wsjson.Write(ctx, a.ws, map[string]any{"sample_rate": 16000, "channels": 1}); err != nil {
		t.Fatal(err)
	}
	if ev := <-a.events; ev.Type != "ready" {
		t.Fatalf("first event %+v", ev)
	}
	if err := a.ws.Write(ctx, websocket.MessageBinary, pcm); err != nil {
		t.Fatal(err)
	}
	a.ws.Close(websocket.StatusNormalClosure, "")
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if segs := in.transcript(tb.sessionID, tb.gm); len(segs) > 0 {
			if e := wer(castSentence, joinText(segs)); e > 0.5 {
				t.Errorf("heard %q: WER %.2f", joinText(segs), e)
			}
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatal("nothing stored of a stream closed without end")
}

// TestSpeechAudioSocketRefusals: what the audio socket refuses, before
// the upgrade as a problem and after it as an error event and a close
// code. Recognition is a loopback Whisper server that is never reached.
func TestSpeechAudioSocketRefusals(t *testing.T) {
	t.Parallel()
	whisper := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(whisper.Close)
	in := startInstance(t, config.Config{STT: "whisper", WhisperURL: whisper.URL})
	tb := setUpTable(t, in)
	_, outsider := in.signUp("outsider@example.com")
	idle := in.call("POST", "/campaigns/"+tb.campaignID+"/sessions", tb.gm, map[string]any{"title": "Not yet"}, 201)["id"].(string)

	for _, tc := range []struct {
		name, session, token, query string
		status                      int
		code                        string
	}{
		{"outsider", tb.sessionID, outsider, "", 404, "session_not_found"},
		{"session not live", idle, tb.gm, "", 409, "session_not_live"},
		{"no token", tb.sessionID, "", "", 401, "missing_token"},
	} {
		_, res, err := in.dialAudio(tc.session, tc.token, tc.query)
		if err == nil {
			t.Errorf("%s: audio socket opened", tc.name)
			continue
		}
		if status, ct, code := problemOf(t, res); status != tc.status || ct != "application/problem+json" || tc.code != "" && code != tc.code {
			t.Errorf("%s: %d %s %q, want %d %s", tc.name, status, ct, code, tc.status, tc.code)
		}
	}

	for _, tc := range []struct {
		name  string
		msgs  []any // a string is sent as text, []byte as binary
		close websocket.StatusCode
		code  string
		ready bool
	}{
		{"rate too low", []any{`{"sample_rate": 1000, "channels": 1}`}, websocket.StatusPolicyViolation, "bad_audio_header", false},
		{"unknown field", []any{`{"sample_rate": 16000, "channels": 1, "codec": "opus"}`}, websocket.StatusPolicyViolation, "bad_audio_header", false},
		{"binary header", []any{[]byte{1, 2}}, websocket.StatusPolicyViolation, "bad_audio_header", false},
		{"text after header", []any{`{"sample_rate": 16000, "channels": 1}`, `{"type": "pause"}`}, websocket.StatusUnsupportedData, "bad_message", true},
	} {
		a, res, err := in.dialAudio(tb.sessionID, tb.gm, "")
		if err != nil {
			t.Fatalf("%s: %v (%v)", tc.name, err, res)
		}
		ctx := context.Background()
		for _, m := range tc.msgs {
			switch m := m.(type) {
			case string:
				err = a.ws.Write(ctx, websocket.MessageText, []byte(m))
			case []byte:
				err = a.ws.Write(ctx, websocket.MessageBinary, m)
			}
			if err != nil {
				t.Fatalf("%s: send: %v", tc.name, err)
			}
		}
		var evs []audioEvent
		timeout := time.After(10 * time.Second)
	read:
		for {
			select {
			case ev, ok := <-a.events:
				if !ok {
					break read
				}
				evs = append(evs, ev)
			case <-timeout:
				t.Fatalf("%s: socket not closed; events %+v", tc.name, evs)
			}
		}
		last := audioEvent{}
		if len(evs) > 0 {
			last = evs[len(evs)-1]
		}
		if last.Type != "error" || last.Code != tc.code || last.Detail == "" || (len(evs) > 1) != tc.ready {
			t.Errorf("%s: events %+v, want error %s", tc.name, evs, tc.code)
		}
		if got := websocket.CloseStatus(a.readErr); got != tc.close {
			t.Errorf("%s: close status %v (%v), want %v", tc.name, got, a.readErr, tc.close)
		}
	}
}

// TestSpeechCampaignNames: the server adds a campaign's names to
// PocketSphinx's dictionary, so an invented name that its stock
// dictionary lacks comes out as the campaign writes it, among sixty-odd
// other invented names (as many as crashed this PocketSphinx when they
// were written into its stock language model).
func TestSpeechCampaignNames(t *testing.T) {
	t.Parallel()
	needSphinx(t)
	const name, sentence = "Xylandra", "we follow Xylandra into the cave"
	wav := speak(t, t.TempDir(), "names.wav", "kal", sentence)
	pcm := slices.Concat(silence(300*time.Millisecond), pcmOf(t, wav), silence(time.Second))

	in := startInstance(t, config.Config{STT: "pocketsphinx"})
	tb := setUpTable(t, in)
	in.call("POST", "/campaigns/"+tb.campaignID+"/characters", tb.gm, map[string]any{
		"name": name + " the Veiled", "character_type": "npc", "visibility": "gm", "aliases": []string{name}}, 201)
	syllables := []string{"bra", "dor", "kel", "mir", "thu", "zan", "vel", "gor"}
	for i, a := range syllables {
		for j, b := range syllables {
			if i != j {
				in.call("POST", "/campaigns/"+tb.campaignID+"/characters", tb.gm, map[string]any{
					"name": strings.ToUpper(a[:1]) + a[1:] + b + "ax", "character_type": "npc", "visibility": "gm"}, 201)
			}
		}
	}
	a, res, err := in.dialAudio(tb.sessionID, tb.gm, "")
	if err != nil {
		t.Fatalf("audio socket: %v (%v)", err, res)
	}
	evs := a.stream(map[string]any{"sample_rate": 16000, "channels": 1}, pcm, 8)
	if evs[0].STT != "pocketsphinx" {
		t.Fatalf("ready = %+v, want stt pocketsphinx", evs[0])
	}
	got := joinText(in.transcript(tb.sessionID, tb.gm))
	t.Logf("heard %q", got)
	if !slices.Contains(strings.Fields(got), name) {
		t.Errorf("heard %q for %q, want %s as written", got, sentence, name)
	}
	if e := wer(sentence, got); e > 0.5 {
		t.Errorf("heard %q for %q: WER %.2f", got, sentence, e)
	}
}

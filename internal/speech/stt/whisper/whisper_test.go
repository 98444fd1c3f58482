package whisper

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/speech"
)

// Answers in the shapes of PROTOCOLS.md §4.3, for "I cast fireball." in a
// 3 s utterance.
const (
	openAIAnswer = `{"task":"transcribe","language":"english","duration":3.0,"text":"I cast fireball.",
 "segments":[{"id":0,"seek":0,"start":0.0,"end":2.4,"text":" I cast fireball.","tokens":[50364,286,4193],
   "temperature":0.0,"avg_logprob":-0.21,"compression_ratio":0.9,"no_speech_prob":0.01}],
 "words":[{"word":"I","start":0.0,"end":0.2},{"word":"cast","start":0.3,"end":0.7},{"word":"fireball","start":0.8,"end":1.6}]}`
	speachesAnswer = `{"language":"en","duration":3.0,"text":"I cast fireball.",
 "segments":[{"id":1,"seek":0,"start":0.0,"end":2.4,"text":" I cast fireball.","tokens":[1],"temperature":0.0,
   "avg_logprob":-0.2,"compression_ratio":0.9,"no_speech_prob":0.01,"words":null}],
 "words":[{"start":0.0,"end":0.2,"word":" I","probability":0.9},{"start":0.3,"end":0.7,"word":" cast","probability":0.8},
   {"start":0.8,"end":1.6,"word":" fireball.","probability":0.95}]}`
	vllmAnswer = `{"text":"I cast fireball.","language":"en","duration":"3.0",
 "segments":[{"id":0,"seek":0,"start":0.0,"end":2.4,"text":" I cast fireball.","tokens":[1],"temperature":0.0,
   "avg_logprob":-0.2,"compression_ratio":0.9,"no_speech_prob":null}]}`
	whisperCppAnswer = `{"task":"transcribe","language":"english","duration":3.0,"text":" I cast fireball.",
 "detected_language":"english","detected_language_probability":0.98,"language_probabilities":{"en":0.98},
 "segments":[{"id":0,"text":" I cast fireball.","start":0.0,"end":2.4,"tokens":[1,2,3,4,5],
   "words":[{"word":" I","start":0.0,"end":0.2,"t_dtw":-1,"probability":0.9},
            {"word":" cast","start":0.3,"end":0.7,"t_dtw":-1,"probability":0.8},
            {"word":" fire","start":0.8,"end":1.1,"t_dtw":-1,"probability":0.7},
            {"word":"ball","start":1.1,"end":1.5,"t_dtw":-1,"probability":0.6},
            {"word":".","start":1.5,"end":1.6,"t_dtw":-1,"probability":0.99}],
   "temperature":0.0,"avg_logprob":-0.3,"no_speech_prob":0.02}]}`
)

// request is what the test server saw.
type request struct {
	fields map[string][]string
	wav    []byte
	auth   string
}

// server is a loopback Whisper server that checks the request's form and
// answers with answer.
func server(t *testing.T, status int, answer string, seen chan<- request) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/audio/transcriptions" {
			http.Error(w, `{"error":{"message":"no such route"}}`, http.StatusNotFound)
			return
		}
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			http.Error(w, `{"error":{"message":"bad form"}}`, http.StatusBadRequest)
			return
		}
		f, _, err := r.FormFile("file")
		if err != nil {
			http.Error(w, `{"error":{"message":"file is required"}}`, http.StatusBadRequest)
			return
		}
		wav, _ := io.ReadAll(f)
		if seen != nil {
			seen <- request{fields: r.MultipartForm.Value, wav: wav, auth: r.Header.Get("Authorization")}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func mustNew(t *testing.T, cfg Config) *Recognizer {
	t.Helper()
	r, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

func threeSeconds() []float32 {
	s := make([]float32, 3*speech.SampleRate)
	for i := range s {
		s[i] = float32(i%100-50) / 100
	}
	return s
}

func TestRecognizeServerShapes(t *testing.T) {
	t.Parallel()
	// Words from the server's own times; the whisper.cpp tokens merge into
	// words; vLLM's segment is spread over its 2.4 s by length.
	wantTimed := []speech.Word{{Text: "I", StartMS: 0, EndMS: 200}, {Text: "cast", StartMS: 300, EndMS: 700}, {Text: "fireball", StartMS: 800, EndMS: 1600}}
	tests := []struct {
		name, answer string
		want         []speech.Word
		wantConf     bool
	}{
		{"openai", openAIAnswer, wantTimed, false},
		{"speaches", speachesAnswer, wantTimed, true},
		{"whisper.cpp", whisperCppAnswer, wantTimed, true},
		{"vllm", vllmAnswer, []speech.Word{{Text: "I", StartMS: 0, EndMS: 300}, {Text: "cast", StartMS: 300, EndMS: 1050}, {Text: "fireball", StartMS: 1050, EndMS: 2400}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			seen := make(chan request, 1)
			srv := server(t, http.StatusOK, tc.answer, seen)
			r := mustNew(t, Config{URL: srv.URL, Model: "large-v3", APIKey: "sk-test", Language: "de"})
			samples := threeSeconds()
			got, err := r.Recognize(context.Background(), samples, speech.Hints{Language: "en", Names: []string{"Xylandra", "Mord Kainen", "xylandra", ""}})
			if err != nil {
				t.Fatalf("Recognize: %v", err)
			}
			req := <-seen
			checkForm(t, req, samples)
			if len(got.Words) != len(tc.want) {
				t.Fatalf("Recognize words = %+v, want %+v", got.Words, tc.want)
			}
			for i, w := range got.Words {
				if w.Text != tc.want[i].Text || w.StartMS != tc.want[i].StartMS || w.EndMS != tc.want[i].EndMS {
					t.Errorf("word %d = %+v, want %+v", i, w, tc.want[i])
				}
				if (w.Confidence > 0) != tc.wantConf {
					t.Errorf("word %d confidence = %v, want given: %v", i, w.Confidence, tc.wantConf)
				}
			}
			if got.Text() != "I cast fireball" {
				t.Errorf("Text() = %q, want %q", got.Text(), "I cast fireball")
			}
		})
	}
}

func checkForm(t *testing.T, req request, samples []float32) {
	t.Helper()
	want := map[string][]string{
		"model":                     {"large-v3"},
		"language":                  {"en"},
		"response_format":           {"verbose_json"},
		"timestamp_granularities[]": {"segment", "word"},
		"prompt":                    {"Xylandra, Mord Kainen"},
	}
	for k, v := range want {
		if got := strings.Join(req.fields[k], "|"); got != strings.Join(v, "|") {
			t.Errorf("form field %s = %q, want %q", k, got, strings.Join(v, "|"))
		}
	}
	if req.auth != "Bearer sk-test" {
		t.Errorf("Authorization = %q, want the bearer key", req.auth)
	}
	if len(req.wav) != 44+2*len(samples) || string(req.wav[:4]) != "RIFF" || string(req.wav[8:12]) != "WAVE" {
		t.Fatalf("file is %d bytes starting %q, want a WAV of %d samples", len(req.wav), req.wav[:min(12, len(req.wav))], len(samples))
	}
	if rate := binary.LittleEndian.Uint32(req.wav[24:]); rate != 16000 {
		t.Errorf("WAV rate = %d, want 16000", rate)
	}
	if ch, bits := binary.LittleEndian.Uint16(req.wav[22:]), binary.LittleEndian.Uint16(req.wav[34:]); ch != 1 || bits != 16 {
		t.Errorf("WAV channels, bits = %d, %d, want 1, 16", ch, bits)
	}
	for i := 0; i < len(samples); i += 997 {
		if got := int16(binary.LittleEndian.Uint16(req.wav[44+2*i:])); got != PCM16(samples[i]) {
			t.Fatalf("WAV sample %d = %d, want %d", i, got, PCM16(samples[i]))
		}
	}
}

func TestRecognizeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    int
		answer    string
		wantIn    []string
		wantCalls int32
	}{
		{"openai error", 400, `{"error":{"message":"Invalid file format.","type":"invalid_request_error"}}`, []string{"400", "Invalid file format."}, 1},
		{"fastapi detail", 422, `{"detail":"model is required"}`, []string{"422", "model is required"}, 1},
		{"unauthorised", 401, `{"error":{"message":"Incorrect API key provided"}}`, []string{"401", "Incorrect API key"}, 1},
		{"overloaded retried", 503, `{"error":{"message":"loading model"}}`, []string{"503", "loading model"}, 3},
		{"rate limited retried", 429, `{"error":{"message":"slow down"}}`, []string{"429", "slow down"}, 3},
		{"not json", 200, `<html>oops</html>`, []string{"decode verbose_json"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.answer)
			}))
			t.Cleanup(srv.Close)
			r := mustNew(t, Config{URL: srv.URL, APIKey: "sk-secret", MaxRetries: 2, Backoff: time.Millisecond})
			_, err := r.Recognize(context.Background(), threeSeconds(), speech.Hints{})
			if err == nil {
				t.Fatal("Recognize succeeded, want an error")
			}
			for _, s := range tc.wantIn {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if strings.Contains(err.Error(), "sk-secret") {
				t.Errorf("error %q shows the API key", err)
			}
			if got := calls.Load(); got != tc.wantCalls {
				t.Errorf("server called %d times, want %d", got, tc.wantCalls)
			}
		})
	}
}

func TestRecognizeRetriesThenSucceeds(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			w.Header().Set("Retry-After", "0")
			http.Error(w, `{"error":{"message":"busy"}}`, http.StatusBadGateway)
			return
		}
		io.WriteString(w, openAIAnswer)
	}))
	t.Cleanup(srv.Close)
	r := mustNew(t, Config{URL: srv.URL, MaxRetries: 3, Backoff: time.Millisecond})
	got, err := r.Recognize(context.Background(), threeSeconds(), speech.Hints{})
	if err != nil {
		t.Fatalf("Recognize: %v", err)
	}
	if got.Text() != "I cast fireball" || calls.Load() != 3 {
		t.Errorf("Recognize = %q after %d calls, want %q after 3", got.Text(), calls.Load(), "I cast fireball")
	}
}

func TestRecognizeHangingServer(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	tests := []struct {
		name    string
		cfg     Config
		ctx     func() (context.Context, context.CancelFunc)
		wantErr error
	}{
		{"request timeout", Config{URL: srv.URL, Timeout: 50 * time.Millisecond, MaxRetries: -1},
			func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }, context.DeadlineExceeded},
		{"caller's deadline", Config{URL: srv.URL, MaxRetries: 5},
			func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 50*time.Millisecond)
			}, context.DeadlineExceeded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := tc.ctx()
			defer cancel()
			_, err := mustNew(t, tc.cfg).Recognize(ctx, threeSeconds(), speech.Hints{})
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("Recognize error = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestNewRejectsBadURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"", "127.0.0.1:8000", "ftp://host/x", "http://"} {
		if _, err := New(Config{URL: u}); err == nil {
			t.Errorf("New(URL %q) succeeded, want an error", u)
		}
	}
	r := mustNew(t, Config{URL: "http://user:pw@127.0.0.1:8080/inference"})
	if got := r.Endpoint(); strings.Contains(got, "pw") || !strings.HasSuffix(got, "/inference") {
		t.Errorf("Endpoint() = %q, want the /inference path without the password", got)
	}
}

func TestPromptBounded(t *testing.T) {
	t.Parallel()
	names := make([]string, 200)
	for i := range names {
		names[i] = strings.Repeat(string(rune('A'+i%26)), 3+i%7) + "ion"
	}
	p := Prompt(names)
	if len(p) > maxPrompt || len(p) < maxPrompt-20 {
		t.Errorf("Prompt of 200 names is %d bytes, want just under %d", len(p), maxPrompt)
	}
	if !strings.HasSuffix(p, "ion") {
		t.Errorf("Prompt ends %q, want a whole name", p[len(p)-10:])
	}
}

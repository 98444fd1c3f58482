package diart

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/speech"
	"github.com/gmc-project/gmc/internal/speech/diarize/diart/diarttest"
)

// tone is sec seconds of a 220 Hz sine of amplitude amp.
func tone(sec, amp float64) []float32 {
	out := make([]float32, int(sec*speech.SampleRate))
	for i := range out {
		out[i] = float32(amp * math.Sin(2*math.Pi*220*float64(i)/speech.SampleRate))
	}
	return out
}

func concat(parts ...[]float32) []float32 {
	var out []float32
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func open(t *testing.T, url string, timeout time.Duration) *Stream {
	t.Helper()
	d, err := New(Config{URL: url, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	st, err := d.NewStream(t.Context(), speech.StreamInfo{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st.(*Stream)
}

func push(t *testing.T, st *Stream, audio []float32, chunk int) {
	t.Helper()
	for off := 0; off < len(audio); off += chunk {
		if err := st.Push(t.Context(), audio[off:min(off+chunk, len(audio))]); err != nil {
			t.Fatal(err)
		}
	}
}

func TestStreamTurns(t *testing.T) {
	t.Parallel()
	srv := diarttest.New(t, false)
	st := open(t, srv.URL(), 5*time.Second)
	audio := concat(tone(3, 0.1), tone(3, 0), tone(3, 0.5), tone(1.2, 0.1))

	// Asked before any audio is pushed, Turns must wait until the server
	// has covered 7 s, so it sees the loud speaker who starts at 6 s.
	early := make(chan []speech.Turn, 1)
	go func() {
		turns, err := st.Turns(context.Background(), 0, 7000)
		if err != nil {
			t.Error(err)
		}
		early <- turns
	}()
	push(t, st, audio, 1234)
	if err := st.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	got, err := st.Turns(t.Context(), 0, 10200)
	if err != nil {
		t.Fatal(err)
	}
	want := []speech.Turn{
		{StartMS: 17, EndMS: 3000, Label: "speaker0"},
		{StartMS: 6017, EndMS: 9000, Label: "speaker1"},
		{StartMS: 9017, EndMS: 10500, Label: "speaker0"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Turns(0, 10200) (-want +got):\n%s", diff)
	}
	// The speaker1 turn may have grown since; it must reach 7 s.
	if e := <-early; len(e) != 2 || e[0] != want[0] || e[1].StartMS != 6017 || e[1].EndMS < 7000 || e[1].Label != "speaker1" {
		t.Errorf("Turns(0, 7000) asked before the audio = %v, want %v and speaker1 from 6017 to at least 7000", e, want[0])
	}
	if got, err := st.Turns(t.Context(), 5000, 6100); err != nil || len(got) != 1 || got[0].Label != "speaker1" {
		t.Errorf("Turns(5000, 6100) = %v, %v; want the speaker1 turn only", got, err)
	}
	st.Close()
	frames, blocks := srv.Counts()
	// 10.2 s = 20 whole blocks and a padded one.
	if blocks != 21 {
		t.Errorf("server got %d blocks, want 21", blocks)
	}
	// Each 42 668-character message in exactly one frame (plus close).
	if frames != blocks+1 {
		t.Errorf("server read %d frames for %d blocks and a close, want one frame per message", frames, blocks)
	}
}

func TestSilentServer(t *testing.T) {
	t.Parallel()
	srv := diarttest.New(t, true)
	st := open(t, srv.URL(), 20*time.Millisecond)
	push(t, st, tone(6, 0.1), 8000)
	_, err := st.Turns(t.Context(), 0, 6000)
	if err == nil || !strings.Contains(err.Error(), srv.URL()) {
		t.Errorf("Turns() from a server that never replies: error = %v, want one naming %s", err, srv.URL())
	}
}

// TestShortStream: Diart says nothing before its first 5 s chunk, so a
// stream that ends sooner, or whose audio stalls before it, has no turns
// but has not failed.
func TestShortStream(t *testing.T) {
	t.Parallel()
	for _, flush := range []bool{true, false} {
		srv := diarttest.New(t, false)
		st := open(t, srv.URL(), 20*time.Millisecond)
		push(t, st, tone(3, 0.1), 8000)
		if flush {
			if err := st.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := st.Turns(t.Context(), 0, 3000); err != nil || len(got) != 0 {
			t.Errorf("flushed %v: Turns() of 3 s = %v, %v; want no turns and no error", flush, got, err)
		}
		st.Close()
	}
}

// TestTurnsBeforeFirstChunk asks about the start of a stream before the
// server has its first chunk: the answer waits while audio comes, and
// then has the server's labels.
func TestTurnsBeforeFirstChunk(t *testing.T) {
	t.Parallel()
	srv := diarttest.New(t, false)
	st := open(t, srv.URL(), time.Second)
	push(t, st, tone(3, 0.1), 8000)
	type answer struct {
		turns []speech.Turn
		err   error
	}
	got := make(chan answer, 1)
	go func() {
		turns, err := st.Turns(t.Context(), 500, 2000)
		got <- answer{turns, err}
	}()
	push(t, st, tone(3, 0.1), 8000)
	a := <-got
	if a.err != nil || len(a.turns) != 1 || a.turns[0].Label != "speaker0" {
		t.Errorf("Turns(500, 2000) before the first chunk = %v, %v; want the server's speaker0", a.turns, a.err)
	}
	st.Close()
}

func TestTurnsEndsWithContext(t *testing.T) {
	t.Parallel()
	srv := diarttest.New(t, false)
	st := open(t, srv.URL(), time.Second)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := st.Turns(ctx, 0, 60000); !errors.Is(err, context.Canceled) {
		t.Errorf("Turns() with a cancelled context and no audio: error = %v, want context.Canceled", err)
	}
}

func TestPushAfterClose(t *testing.T) {
	t.Parallel()
	srv := diarttest.New(t, false)
	st := open(t, srv.URL(), time.Second)
	st.Close()
	if err := st.Push(t.Context(), tone(1, 0.1)); err == nil {
		t.Error("Push() after Close = nil error, want one")
	}
}

func TestNewChecksURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"ws://127.0.0.1:7007", true},
		{"wss://diart.example:443/", true},
		{"http://127.0.0.1:7007", false},
		{"127.0.0.1:7007", false},
		{"ws://", false},
		{"", false},
	} {
		_, err := New(Config{URL: tc.url})
		if (err == nil) != tc.ok {
			t.Errorf("New(%q) error = %v, want ok=%v", tc.url, err, tc.ok)
		}
	}
}

func TestNewStreamNoServer(t *testing.T) {
	t.Parallel()
	srv := diarttest.New(t, false)
	url := srv.URL()
	srv.Close()
	d, _ := New(Config{URL: url})
	if _, err := d.NewStream(t.Context(), speech.StreamInfo{}); err == nil || !strings.Contains(err.Error(), url) {
		t.Errorf("NewStream() with no server: error = %v, want one naming %s", err, url)
	}
}

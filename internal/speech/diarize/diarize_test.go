package diarize

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/speech"
	"github.com/gmc-project/gmc/internal/speech/diarize/builtin"
)

func TestNew(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		cfg      Config
		wantName string // "" = error
	}{
		{"tracks", Config{}, "tracks"},
		{"builtin", Config{}, "builtin"},
		{"builtin", Config{Builtin: builtin.DefaultParams()}, "builtin"},
		{"diart", Config{DiartURL: "ws://127.0.0.1:7007"}, "diart"},
		{"diart", Config{}, ""},
		{"diart", Config{DiartURL: "http://x"}, ""},
		{"auto", Config{}, "builtin"},
		{"auto", Config{DiartURL: "ws://127.0.0.1:7007"}, "diart"},
		{"pyannote", Config{}, ""},
		{"", Config{}, ""},
	} {
		d, err := New(tc.name, tc.cfg)
		if tc.wantName == "" {
			if err == nil {
				t.Errorf("New(%q, %+v) = %s, want an error", tc.name, tc.cfg, d.Name())
			}
			continue
		}
		if err != nil {
			t.Errorf("New(%q, %+v) error = %v", tc.name, tc.cfg, err)
			continue
		}
		if d.Name() != tc.wantName {
			t.Errorf("New(%q, %+v).Name() = %q, want %q", tc.name, tc.cfg, d.Name(), tc.wantName)
		}
		d.Close()
	}
}

func TestTracks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := Tracks()
	if _, err := d.NewStream(ctx, speech.StreamInfo{}); err == nil {
		t.Error("NewStream() without a track = nil error, want one")
	}
	st, err := d.NewStream(ctx, speech.StreamInfo{Track: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Push(ctx, make([]float32, 1600)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		from, to int64
		want     []speech.Turn
	}{
		{0, 1500, []speech.Turn{{StartMS: 0, EndMS: 1500, Label: "alice"}}},
		// Beyond the audio pushed: the track still names the speaker, so
		// there is nothing to wait for.
		{60000, 61000, []speech.Turn{{StartMS: 60000, EndMS: 61000, Label: "alice"}}},
		{5, 5, nil},
	} {
		got, err := st.Turns(ctx, tc.from, tc.to)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Turns(%d, %d) (-want +got):\n%s", tc.from, tc.to, diff)
		}
	}
	st.Close()
	if err := st.Push(ctx, make([]float32, 10)); err == nil {
		t.Error("Push() after Close = nil error, want one")
	}
}

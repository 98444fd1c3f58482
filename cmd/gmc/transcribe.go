package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/speech"
	"github.com/gmc-project/gmc/internal/speech/audio"
	"github.com/gmc-project/gmc/internal/transcribe"
)

// runTranscribe prints a speaker-labelled transcript of a recording: the
// quickest way to see what the speech pipeline makes of one's own table.
func runTranscribe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var (
		diarize bool
		names   string
		asJSON  bool
	)
	cfg, rest, err := config.LoadWith("transcribe", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&diarize, "diarize", false, "tell the speakers of a shared microphone apart (GMC_DIARIZATION picks how); a zip of tracks is always labelled by track")
		fs.StringVar(&names, "names", "", "comma-separated proper names the recogniser should know (e.g. Xylandra,Korrin)")
		fs.BoolVar(&asJSON, "json", false, "print one JSON object per segment instead of text")
		fs.Usage = func() {
			fmt.Fprintln(fs.Output(), "usage: gmc transcribe [-diarize] [-names A,B] [-json] [flags] file.wav|file.flac|file.ogg|tracks.zip")
			fs.PrintDefaults()
		}
	})
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New("usage: gmc transcribe [-diarize] [-names A,B] [-json] file.wav|file.flac|file.ogg|tracks.zip")
	}
	if !diarize {
		cfg.Diarization = "off"
	}

	engine, closeSpeech, err := app.OpenSpeech(ctx, cfg, newLogger(cfg, io.Discard))
	if err != nil {
		return err
	}
	defer closeSpeech()
	if err := engine.Ready(); err != nil {
		return fmt.Errorf("%w (GMC_STT=%s)", err, cfg.STT)
	}
	f, err := os.Open(rest[0])
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	tracks, err := transcribe.DecodeRecording(f, st.Size(), audio.Limits{})
	if err != nil {
		return fmt.Errorf("%s: %w", rest[0], err)
	}
	var hint []string
	for n := range strings.SplitSeq(names, ",") {
		if n = strings.TrimSpace(n); n != "" {
			hint = append(hint, n)
		}
	}
	bar := newProgressBar(stderr)
	segs, reports, err := engine.Recording(ctx, tracks, hint, nil, bar.set)
	bar.done()
	if err != nil {
		return err
	}
	for _, s := range segs {
		if err := printSegment(stdout, s, asJSON); err != nil {
			return err
		}
	}
	if len(reports) > 1 {
		for _, r := range reports {
			fmt.Fprintf(stderr, "track %s: %d segments\n", r.Label, r.Segments)
		}
	}
	return nil
}

func printSegment(w io.Writer, s speech.Segment, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(map[string]any{
			"speaker": s.Label, "start_ms": s.StartMS, "end_ms": s.EndMS, "text": s.Text(),
		})
	}
	_, err := fmt.Fprintf(w, "[%s–%s] %s: %s\n", clock(s.StartMS), clock(s.EndMS), s.Label, s.Text())
	return err
}

// clock writes milliseconds as m:ss.d, or h:mm:ss.d past an hour.
func clock(ms int64) string {
	d := time.Duration(ms) * time.Millisecond
	h, m, s := int(d.Hours()), int(d.Minutes())%60, float64(d%time.Minute)/float64(time.Second)
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%04.1f", h, m, s)
	}
	return fmt.Sprintf("%d:%04.1f", m, s)
}

// progressBar draws on a terminal only; piped output stays clean.
type progressBar struct {
	w     io.Writer
	on    bool
	start time.Time
	last  int
}

func newProgressBar(w io.Writer) *progressBar {
	f, ok := w.(*os.File)
	on := false
	if ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			on = true
		}
	}
	return &progressBar{w: w, on: on, start: time.Now(), last: -1}
}

func (p *progressBar) set(done float64) {
	if !p.on {
		return
	}
	const width = 30
	pct := int(done * 100)
	if pct == p.last {
		return
	}
	p.last = pct
	filled := int(done * width)
	fmt.Fprintf(p.w, "\r[%s%s] %3d%%  %s", strings.Repeat("#", filled), strings.Repeat(" ", width-filled), pct, time.Since(p.start).Round(time.Second))
}

func (p *progressBar) done() {
	if p.on {
		fmt.Fprintln(p.w)
	}
}

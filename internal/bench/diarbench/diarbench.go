// Package diarbench implements `gmc bench diarization`: it streams every
// WAV of a folder laid out like shared/bench/diarization through a
// diarization provider (in chunks, through the streaming interface, as
// fast as the provider goes), writes <name>.rttm for each, and prints the
// diarization error rate by the rule of that folder's score_der.py against
// the <name>.rttm found beside the WAV.
package diarbench

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gmc-project/gmc/internal/speech"
	"github.com/gmc-project/gmc/internal/speech/diarize"
	"github.com/gmc-project/gmc/internal/speech/diarize/builtin"
	"github.com/gmc-project/gmc/internal/speech/diarize/der"
	"github.com/gmc-project/gmc/internal/speech/diarize/rttm"
)

// Options are the command line.
type Options struct {
	Data, Out, Provider string
	Collar              float64
	ChunkMS             int
	// Offline runs builtin's whole-file path instead of the stream.
	Offline bool
	Diarize diarize.Config
}

// Main runs `gmc bench diarization` with args (without the command words).
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts, err := parseArgs(args, stderr)
	if err != nil {
		return err
	}
	res, err := Run(ctx, opts)
	if err != nil {
		return err
	}
	res.Print(stdout)
	return nil
}

func parseArgs(args []string, stderr io.Writer) (Options, error) {
	o := Options{Diarize: diarize.Config{Builtin: builtin.DefaultParams()}}
	fs := flag.NewFlagSet("gmc bench diarization", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Data, "data", "", "`folder` of WAVs (16 kHz mono 16-bit) and their reference RTTMs")
	fs.StringVar(&o.Out, "out", "", "`folder` to write <name>.rttm into")
	fs.StringVar(&o.Provider, "provider", "builtin", "builtin, diart or auto")
	fs.Float64Var(&o.Collar, "collar", 0, "seconds left out of scoring around reference boundaries")
	fs.BoolVar(&o.Offline, "offline", false, "builtin only: cluster each whole file at once (not what the live pipeline does)")
	fs.IntVar(&o.ChunkMS, "chunk-ms", 100, "audio pushed per call, in ms")
	fs.StringVar(&o.Diarize.DiartURL, "diart-url", "", "Diart server for --provider diart (ws://host:7007)")
	fs.DurationVar(&o.Diarize.DiartTimeout, "diart-timeout", 0, "how long to wait for Diart (0: its default)")
	b := &o.Diarize.Builtin
	fs.Float64Var(&b.Lambda, "lambda", b.Lambda, "builtin: BIC penalty weight")
	fs.Float64Var(&b.MinNewSec, "min-new", b.MinNewSec, "builtin: shortest segment that may open a new speaker, seconds")
	fs.Float64Var(&b.ClusterDist, "cluster-dist", b.ClusterDist, "builtin: voice distance that opens a new speaker")
	fs.Float64Var(&b.PitchWeight, "pitch-weight", b.PitchWeight, "builtin: share of pitch in the voice distance")
	fs.Float64Var(&b.WindowSec, "window", b.WindowSec, "builtin: change-detection window, seconds")
	fs.Float64Var(&b.GapSec, "gap", b.GapSec, "builtin: longest pause inside a turn, seconds")
	fs.Float64Var(&b.PauseSec, "pause", b.PauseSec, "builtin: shortest pause that ends a segment, seconds")
	fs.Float64Var(&b.FloorMarginDB, "floor-margin", b.FloorMarginDB, "builtin: speech threshold above the noise floor, dB")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.Data == "" || o.Out == "" {
		return o, fmt.Errorf("bench diarization: --data and --out are required")
	}
	if o.ChunkMS <= 0 {
		return o, fmt.Errorf("bench diarization: --chunk-ms must be > 0, not %d", o.ChunkMS)
	}
	if o.Collar < 0 {
		return o, fmt.Errorf("bench diarization: --collar must be >= 0, not %v", o.Collar)
	}
	return o, nil
}

// FileResult is one recording's outcome.
type FileResult struct {
	Name     string
	AudioSec float64
	Elapsed  time.Duration
	Turns    int
	Speakers int
	Score    *der.Result // nil without a reference
}

// Result is a whole run.
type Result struct {
	Provider string
	Collar   float64
	Files    []FileResult
	Overall  *der.Result // over the files with a reference
}

// Run diarizes every WAV of o.Data and scores it.
func Run(ctx context.Context, o Options) (*Result, error) {
	wavs, err := filepath.Glob(filepath.Join(o.Data, "*.wav"))
	if err != nil {
		return nil, err
	}
	if len(wavs) == 0 {
		return nil, fmt.Errorf("bench diarization: no .wav files in %s", o.Data)
	}
	sort.Strings(wavs)
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, fmt.Errorf("bench diarization: --out: %w", err)
	}
	d, err := diarize.New(o.Provider, o.Diarize)
	if err != nil {
		return nil, fmt.Errorf("bench diarization: %w", err)
	}
	defer d.Close()
	res := &Result{Provider: d.Name(), Collar: o.Collar}
	var allRef, allHyp []rttm.Segment
	for _, wav := range wavs {
		name := strings.TrimSuffix(filepath.Base(wav), ".wav")
		fr, hyp, err := runFile(ctx, d, wav, name, o.ChunkMS, o.Offline)
		if err != nil {
			return nil, fmt.Errorf("bench diarization: %s: %w", name, err)
		}
		if err := writeRTTM(filepath.Join(o.Out, name+".rttm"), hyp); err != nil {
			return nil, fmt.Errorf("bench diarization: %w", err)
		}
		ref, err := readRTTM(filepath.Join(o.Data, name+".rttm"))
		switch {
		case os.IsNotExist(err):
		case err != nil:
			return nil, fmt.Errorf("bench diarization: %w", err)
		default:
			ref = onlyFile(ref, name)
			// Read back what was written, so the figures are those of
			// score_der.py on the file (times to the millisecond).
			hyp, err = readRTTM(filepath.Join(o.Out, name+".rttm"))
			if err != nil {
				return nil, fmt.Errorf("bench diarization: %w", err)
			}
			sc := der.Score(ref, hyp, der.Options{Collar: o.Collar}).Files[name]
			fr.Score = &sc
			allRef, allHyp = append(allRef, ref...), append(allHyp, hyp...)
		}
		res.Files = append(res.Files, fr)
	}
	if len(allRef) > 0 {
		ov := der.Score(allRef, allHyp, der.Options{Collar: o.Collar}).Overall
		res.Overall = &ov
	}
	return res, nil
}

// onlyFile keeps the reference lines of the recording called name.
func onlyFile(segs []rttm.Segment, name string) []rttm.Segment {
	out := segs[:0]
	for _, s := range segs {
		if s.File == name {
			out = append(out, s)
		}
	}
	return out
}

// runFile streams one recording through a new stream of d in chunks of
// chunkMS and returns its turns as RTTM segments.
func runFile(ctx context.Context, d speech.Diarizer, wav, name string, chunkMS int, offline bool) (FileResult, []rttm.Segment, error) {
	samples, err := readWAV(wav)
	if err != nil {
		return FileResult{}, nil, err
	}
	fr := FileResult{Name: name, AudioSec: float64(len(samples)) / speech.SampleRate}
	start := time.Now()
	if offline {
		b, ok := d.(*builtin.Diarizer)
		if !ok {
			return fr, nil, fmt.Errorf("--offline works with the builtin provider only, not %s", d.Name())
		}
		turns := b.DiarizeOffline(samples)
		fr.Elapsed = time.Since(start)
		return fr, toSegments(&fr, name, turns), nil
	}
	st, err := d.NewStream(ctx, speech.StreamInfo{})
	if err != nil {
		return fr, nil, err
	}
	defer st.Close()
	chunk := chunkMS * speech.SampleRate / 1000
	for off := 0; off < len(samples); off += chunk {
		if err := st.Push(ctx, samples[off:min(off+chunk, len(samples))]); err != nil {
			return fr, nil, err
		}
	}
	if f, ok := st.(diarize.Flusher); ok {
		if err := f.Flush(ctx); err != nil {
			return fr, nil, err
		}
	}
	endMS := int64(len(samples)) * 1000 / speech.SampleRate
	turns, err := st.Turns(ctx, 0, endMS)
	if err != nil {
		return fr, nil, err
	}
	fr.Elapsed = time.Since(start)
	return fr, toSegments(&fr, name, turns), nil
}

// toSegments turns turns into RTTM lines, counting them into fr.
func toSegments(fr *FileResult, name string, turns []speech.Turn) []rttm.Segment {
	fr.Turns = len(turns)
	speakers := map[string]bool{}
	segs := make([]rttm.Segment, 0, len(turns))
	for _, t := range turns {
		speakers[t.Label] = true
		segs = append(segs, rttm.Segment{File: name, Speaker: t.Label,
			Start: float64(t.StartMS) / 1000, Dur: float64(t.EndMS-t.StartMS) / 1000})
	}
	fr.Speakers = len(speakers)
	return segs
}

func writeRTTM(path string, segs []rttm.Segment) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := rttm.Write(f, segs); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

func readRTTM(path string) ([]rttm.Segment, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	segs, err := rttm.Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return segs, nil
}

// Print writes the table: per file and overall DER with its parts as
// shares of the reference speech, as score_der.py prints them, plus the
// speed.
func (r *Result) Print(w io.Writer) {
	fmt.Fprintf(w, "diarization benchmark: provider %s, collar %.2f s\n", r.Provider, r.Collar)
	fmt.Fprintf(w, "%-16s %7s %7s %7s %7s %9s %8s %6s %9s\n", "file", "DER", "miss", "FA", "conf", "speech_s", "speakers", "turns", "x_realtime")
	var audio float64
	var elapsed time.Duration
	for _, f := range r.Files {
		audio += f.AudioSec
		elapsed += f.Elapsed
		fmt.Fprintf(w, "%-16s %s %8d %6d %9.0f\n", f.Name, scoreCols(f.Score), f.Speakers, f.Turns, f.AudioSec/f.Elapsed.Seconds())
	}
	fmt.Fprintf(w, "%-16s %s %8s %6s %9.0f\n", "OVERALL", scoreCols(r.Overall), "", "", audio/elapsed.Seconds())
}

func scoreCols(r *der.Result) string {
	if r == nil {
		return fmt.Sprintf("%7s %7s %7s %7s %9s", "-", "-", "-", "-", "-")
	}
	t := r.Total
	if t == 0 {
		t = 1
	}
	return fmt.Sprintf("%6.2f%% %6.2f%% %6.2f%% %6.2f%% %9.2f", 100*r.DER(), 100*r.Missed/t, 100*r.FalseAlarm/t, 100*r.Confusion/t, r.Total)
}

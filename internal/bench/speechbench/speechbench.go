// Package speechbench implements `gmc bench speech`: every WAV of a folder
// laid out like shared/bench/diarization is streamed at real time through
// a live session's audio socket (/sessions/{id}/audio/ws) of a `gmc serve`
// child process, as its GM's room microphone, and the transcript.segment
// messages the GM's session socket receives are scored: word error rate
// against the reference sentences of <name>.json, latency from the end of
// an utterance to its segment on the client, the server's real-time factor
// (its CPU time from /proc over the audio's length), its memory, and the
// DER of the live speaker labels against <name>.rttm.
package speechbench

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gmc-project/gmc/internal/bench/benchproc"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/speech/audio"
	"github.com/gmc-project/gmc/internal/speech/diarize/der"
	"github.com/gmc-project/gmc/internal/speech/diarize/rttm"
)

// Options are the command line.
type Options struct {
	Data        string
	Diarization string // builtin or tracks, passed to the server as GMC_DIARIZATION
	Speed       float64
	GMC         string // the gmc binary to run as the server
	Out         string // JSON summary path; none when empty
	// Limit streams only the first Limit of each file (0: all of it); the
	// references are cut to match. For quick runs and the test.
	Limit time.Duration
	// Only keeps the files whose name (without .wav) is listed.
	Only []string
}

// Main runs `gmc bench speech` with args (without the command words).
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseArgs(args, stderr)
	if err != nil {
		return err
	}
	sum, err := Run(ctx, o, stdout)
	if err != nil {
		return err
	}
	sum.Print(stdout)
	if o.Out != "" {
		b, err := json.MarshalIndent(sum, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(o.Out, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func parseArgs(args []string, stderr io.Writer) (Options, error) {
	var o Options
	fs := flag.NewFlagSet("gmc bench speech", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Data, "data", "", "`folder` of devNN.wav with devNN.json (reference sentences) and devNN.rttm")
	fs.StringVar(&o.Diarization, "diarization", "builtin", "builtin or tracks (the server's GMC_DIARIZATION)")
	fs.Float64Var(&o.Speed, "speed", 1, "how many times real time the audio is sent (the server holds a client more than 2 s ahead of real time back)")
	fs.StringVar(&o.GMC, "gmc", "", "the gmc binary to start as the server (default: this program)")
	fs.StringVar(&o.Out, "out", "", "write a JSON summary to this `file`")
	fs.DurationVar(&o.Limit, "limit", 0, "stream only the first part of each file (0: all)")
	only := fs.String("only", "", "comma-separated file names (without .wav) to run; empty: all")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case o.Data == "":
		return o, fmt.Errorf("bench speech: --data is required")
	case o.Diarization != "builtin" && o.Diarization != "tracks":
		return o, fmt.Errorf("bench speech: --diarization must be builtin or tracks, not %q", o.Diarization)
	case !(o.Speed > 0) || math.IsInf(o.Speed, 0):
		return o, fmt.Errorf("bench speech: --speed must be > 0, not %g", o.Speed)
	case o.Limit < 0:
		return o, fmt.Errorf("bench speech: --limit must not be negative")
	}
	if *only != "" {
		o.Only = strings.Split(*only, ",")
	}
	return o, nil
}

// FileReport is one recording's figures.
type FileReport struct {
	Name     string  `json:"name"`
	AudioSec float64 `json:"audio_s"`
	WER      WER     `json:"wer"`
	WERRate  float64 `json:"wer_rate"`
	Latency  Latency `json:"latency"`
	// CPUSec is the server's user+system time from the audio socket's
	// opening to the last segment; RTF is CPUSec / AudioSec.
	CPUSec float64 `json:"server_cpu_s"`
	RTF    float64 `json:"rtf"`
	// RSS is the server's resident memory after the file.
	RSS int64   `json:"server_rss_bytes"`
	DER float64 `json:"der"`
	// SendLagMS is how late the last frame left: above a frame's 100 ms
	// the server held the client back and latencies are not from real time.
	SendLagMS float64   `json:"send_lag_ms"`
	SlowDowns int       `json:"slow_downs"`
	Hyp       string    `json:"hypothesis"`
	Segments  []Segment `json:"segments"`
}

// Latency is a distribution of end-of-utterance → segment times, in ms.
type Latency struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
	Max float64 `json:"max_ms"`
}

func latencyOf(ms []float64) Latency {
	if len(ms) == 0 {
		return Latency{}
	}
	s := slices.Sorted(slices.Values(ms))
	q := func(p float64) float64 { return s[min(len(s)-1, int(math.Ceil(p*float64(len(s))))-1)] }
	return Latency{N: len(s), P50: q(0.5), P95: q(0.95), Max: s[len(s)-1]}
}

// Summary is the whole run.
type Summary struct {
	Data        string       `json:"data"`
	Speed       float64      `json:"speed"`
	STT         string       `json:"stt"`
	Diarization string       `json:"diarization"`
	Cores       int          `json:"cores"`
	LoadBefore  string       `json:"load_average_before"`
	LoadAfter   string       `json:"load_average_after"`
	Files       []FileReport `json:"files"`
	AudioSec    float64      `json:"audio_s"`
	WER         WER          `json:"wer"`
	WERRate     float64      `json:"wer_rate"`
	Latency     Latency      `json:"latency"`
	CPUSec      float64      `json:"server_cpu_s"`
	RTF         float64      `json:"rtf"`
	// PeakRSS is the server's VmHWM at the end; RSS its VmRSS.
	RSS     int64   `json:"server_rss_bytes"`
	PeakRSS int64   `json:"server_peak_rss_bytes"`
	DER     float64 `json:"der"`
}

// input is one recording and its references.
type input struct {
	name  string
	clip  *audio.Clip
	sents []string
	ref   []rttm.Segment
}

// Run streams every recording of o.Data through a fresh `gmc serve`, one
// fresh live session each, and scores what came back. Progress goes to
// progress.
func Run(ctx context.Context, o Options, progress io.Writer) (*Summary, error) {
	ins, err := loadInputs(o)
	if err != nil {
		return nil, err
	}
	if o.GMC == "" {
		if o.GMC, err = os.Executable(); err != nil {
			return nil, err
		}
	}
	dir, err := os.MkdirTemp("", "gmc-bench-speech-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	cfg := config.Config{DataDir: dir, SecretKey: strings.Repeat("s", 32), ShutdownTimeout: 5 * time.Second}
	tables, err := prepare(ctx, cfg, len(ins))
	if err != nil {
		return nil, fmt.Errorf("setting up sessions: %w", err)
	}
	srv, err := startChild(ctx, cfg, o.GMC, o.Diarization)
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	time.Sleep(time.Second) // start-up work settles before the first reading

	sum := &Summary{Data: o.Data, Speed: o.Speed, Cores: numCPU(), LoadBefore: loadAverage()}
	var allRef, allHyp []rttm.Segment
	var lat []float64
	for i, in := range ins {
		fmt.Fprintf(progress, "%s: streaming %.1f s at %g× real time…\n", in.name, clipSec(in.clip), o.Speed)
		cpu0, err := benchproc.CPUTime(srv.PID())
		if err != nil {
			return nil, err
		}
		st, err := stream(ctx, srv.Addr, tables[i], in.clip, o.Speed)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", in.name, err)
		}
		cpu1, err := benchproc.CPUTime(srv.PID())
		if err != nil {
			return nil, err
		}
		rss, peak, err := benchproc.Memory(srv.PID())
		if err != nil {
			return nil, err
		}
		sum.STT, sum.Diarization = st.stt, st.dia
		fr := score(in, st)
		fr.CPUSec = (cpu1 - cpu0).Seconds()
		fr.RTF = fr.CPUSec / fr.AudioSec
		fr.RSS = rss
		sum.Files = append(sum.Files, fr)
		sum.AudioSec += fr.AudioSec
		sum.CPUSec += fr.CPUSec
		sum.WER = sum.WER.Add(fr.WER)
		sum.RSS, sum.PeakRSS = rss, peak
		for _, s := range fr.Segments {
			lat = append(lat, s.LatencyMS)
		}
		allRef = append(allRef, in.ref...)
		allHyp = append(allHyp, hypRTTM(in.name, fr.Segments)...)
	}
	sum.LoadAfter = loadAverage()
	sum.WERRate = sum.WER.Rate()
	sum.Latency = latencyOf(lat)
	sum.RTF = sum.CPUSec / sum.AudioSec
	sum.DER = der.Score(allRef, allHyp, der.Options{}).Overall.DER()
	return sum, nil
}

// score rates one file's segments against its references.
func score(in input, st *streamed) FileReport {
	fr := FileReport{Name: in.name, AudioSec: clipSec(in.clip), Segments: st.segments, SlowDowns: st.slowDown,
		SendLagMS: float64(st.sendLag) / float64(time.Millisecond)}
	// The transcript reads in speech order; segments of one utterance may
	// arrive in any order.
	slices.SortStableFunc(fr.Segments, func(a, b Segment) int { return cmp.Compare(a.StartMS, b.StartMS) })
	var hyp, ref []string
	var texts []string
	var lat []float64
	for _, s := range fr.Segments {
		hyp = append(hyp, words(s.Text)...)
		texts = append(texts, s.Text)
		lat = append(lat, s.LatencyMS)
	}
	for _, s := range in.sents {
		ref = append(ref, words(s)...)
	}
	fr.Hyp = strings.Join(texts, " ")
	fr.WER = align(ref, hyp)
	fr.WERRate = fr.WER.Rate()
	fr.Latency = latencyOf(lat)
	fr.DER = der.Score(in.ref, hypRTTM(in.name, fr.Segments), der.Options{}).Overall.DER()
	return fr
}

func hypRTTM(name string, segs []Segment) []rttm.Segment {
	out := make([]rttm.Segment, 0, len(segs))
	for _, s := range segs {
		if s.EndMS > s.StartMS {
			out = append(out, rttm.Segment{File: name, Channel: "1", Start: float64(s.StartMS) / 1000, Dur: float64(s.EndMS-s.StartMS) / 1000, Speaker: "hyp-" + s.Label})
		}
	}
	return out
}

func clipSec(c *audio.Clip) float64 {
	return float64(len(c.Samples)) / float64(c.Channels) / float64(c.Rate)
}

// reference is the part of <name>.json the bench reads.
type reference struct {
	Turns []struct {
		Sentences []struct {
			Start float64 `json:"start"`
			End   float64 `json:"end"`
			Text  string  `json:"text"`
		} `json:"sentences"`
	} `json:"turns"`
}

// loadInputs reads every <name>.wav of o.Data with its <name>.json and
// <name>.rttm, cut to o.Limit.
func loadInputs(o Options) ([]input, error) {
	wavs, err := filepath.Glob(filepath.Join(o.Data, "*.wav"))
	if err != nil {
		return nil, err
	}
	slices.Sort(wavs)
	var ins []input
	for _, wav := range wavs {
		name := strings.TrimSuffix(filepath.Base(wav), ".wav")
		if len(o.Only) > 0 && !slices.Contains(o.Only, name) {
			continue
		}
		in, err := loadInput(wav, name, o.Limit)
		if err != nil {
			return nil, err
		}
		ins = append(ins, in)
	}
	if len(ins) == 0 {
		return nil, fmt.Errorf("bench speech: no WAV files to run in %s", o.Data)
	}
	return ins, nil
}

func loadInput(wav, name string, limit time.Duration) (input, error) {
	in := input{name: name}
	f, err := os.Open(wav)
	if err != nil {
		return in, err
	}
	defer f.Close()
	if in.clip, err = audio.Decode(f, audio.DefaultLimits()); err != nil {
		return in, fmt.Errorf("%s: %w", wav, err)
	}
	end := math.Inf(1)
	if limit > 0 {
		end = limit.Seconds()
		in.clip.Samples = in.clip.Samples[:min(len(in.clip.Samples), int(end*float64(in.clip.Rate))*in.clip.Channels)]
	}
	base := strings.TrimSuffix(wav, ".wav")
	b, err := os.ReadFile(base + ".json")
	if err != nil {
		return in, err
	}
	var ref reference
	if err := json.Unmarshal(b, &ref); err != nil {
		return in, fmt.Errorf("%s.json: %w", base, err)
	}
	// A sentence cut by the limit is kept when most of it was sent.
	for _, t := range ref.Turns {
		for _, s := range t.Sentences {
			if (s.Start+s.End)/2 < end {
				in.sents = append(in.sents, s.Text)
			}
		}
	}
	if len(in.sents) == 0 {
		return in, fmt.Errorf("%s.json: no reference sentences (turns[].sentences[].text) within the audio sent", base)
	}
	r, err := os.Open(base + ".rttm")
	if err != nil {
		return in, err
	}
	defer r.Close()
	segs, err := rttm.Parse(r)
	if err != nil {
		return in, fmt.Errorf("%s.rttm: %w", base, err)
	}
	for _, s := range segs {
		if s.Start >= end {
			continue
		}
		s.File = name
		s.Dur = min(s.Dur, end-s.Start)
		in.ref = append(in.ref, s)
	}
	return in, nil
}

// Print writes the table.
func (s *Summary) Print(w io.Writer) {
	fmt.Fprintf(w, "stt %s, diarization %s, speed %g×, %d cores, load average %s → %s\n",
		s.STT, s.Diarization, s.Speed, s.Cores, s.LoadBefore, s.LoadAfter)
	fmt.Fprintf(w, "%-8s %7s %6s %5s %4s %4s %4s %5s %8s %8s %8s %7s %6s %8s %6s\n",
		"file", "audio s", "WER", "N", "S", "D", "I", "segs", "p50 s", "p95 s", "max s", "CPU s", "RTF", "RSS MiB", "DER")
	row := func(name string, audioS float64, wr WER, l Latency, cpu, rtf float64, rss int64, d float64) {
		fmt.Fprintf(w, "%-8s %7.1f %5.1f%% %5d %4d %4d %4d %5d %8.2f %8.2f %8.2f %7.1f %6.2f %8.1f %5.1f%%\n",
			name, audioS, 100*wr.Rate(), wr.Ref, wr.Substitutions, wr.Deletions, wr.Insertions, l.N,
			l.P50/1000, l.P95/1000, l.Max/1000, cpu, rtf, float64(rss)/(1<<20), 100*d)
	}
	for _, f := range s.Files {
		row(f.Name, f.AudioSec, f.WER, f.Latency, f.CPUSec, f.RTF, f.RSS, f.DER)
	}
	row("all", s.AudioSec, s.WER, s.Latency, s.CPUSec, s.RTF, s.RSS, s.DER)
	fmt.Fprintf(w, "server peak RSS %.1f MiB\n", float64(s.PeakRSS)/(1<<20))
	fmt.Fprintln(w, "latency: segment arrival on the GM's session socket − the wall time its end_ms was spoken (frames of 100 ms sent as captured);")
	fmt.Fprintln(w, "  it includes the frame, the VAD's 300 ms end-of-utterance wait, recognition, diarization look-ahead and the broadcast.")
	fmt.Fprintln(w, "CPU s, RTF and RSS are the `gmc serve` child's (utime+stime and VmRSS from /proc); RTF = CPU s / audio s.")
	for _, f := range s.Files {
		if f.SendLagMS > 2*frameMS {
			fmt.Fprintf(w, "%s: the server held the client back (%d slow_down, last frame %.0f ms late): its latencies are not from real time\n",
				f.Name, f.SlowDowns, f.SendLagMS)
		}
	}
}

// Package spokenkw implements `gmc bench spoken-keywords`: keyword
// detection from speech. It speaks the reference sentences of a keyword
// benchmark (the layout of shared/bench/keywords) with Debian's flite
// voices, runs them through the speech pipeline (resampling to 16 kHz mono,
// VAD, PocketSphinx) and scores the keyword engine on what came out, with
// the campaign's names in the recogniser's dictionary or not, and with the
// recogniser's alternatives (n-best) or without.
//
// The audio imitates the benchmark's: each utterance's voice, duration
// stretch and pitch where flite has them, its peak level and 0.25 s of
// silence either side. Two things differ, and the figures are therefore
// not the benchmark's `asr` figures: festival-hts-slt is spoken by flite's
// slt voice at its own pitch (Festival is not a dependency here), and no
// background noise is mixed in. Synthesised audio and transcripts are
// cached, so a second run only scores.
package spokenkw

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gmc-project/gmc/internal/bench/kwbench"
	"github.com/gmc-project/gmc/internal/keywords"
	"github.com/gmc-project/gmc/internal/speech"
	"github.com/gmc-project/gmc/internal/speech/audio"
	"github.com/gmc-project/gmc/internal/speech/stt/pocketsphinx"
	"github.com/gmc-project/gmc/internal/speech/vad"
)

type config struct {
	data, srd, out, cache, model string
	limit, jobs                  int
	// withNames lists the names settings to run: off, on or both.
	withNames []bool
}

// Main runs `gmc bench spoken-keywords` with args (without the command words).
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseArgs(args, stderr)
	if err != nil {
		return err
	}
	if _, err := exec.LookPath("flite"); err != nil {
		return fmt.Errorf("bench spoken-keywords: flite not found (apt-get install flite): %w", err)
	}
	utts, err := kwbench.LoadUtterances(filepath.Join(cfg.data, "dev.jsonl"))
	if err != nil {
		return err
	}
	if cfg.limit > 0 && cfg.limit < len(utts) {
		utts = utts[:cfg.limit]
	}
	camp, err := kwbench.LoadCampaign(filepath.Join(cfg.data, "campaign.json"))
	if err != nil {
		return err
	}
	vocab, err := kwbench.LoadVocabulary([]string{filepath.Join(cfg.data, "srd-terms.json"), filepath.Join(cfg.data, "campaign.json")})
	if err != nil {
		return err
	}
	eng, err := kwbench.NewEngine(cfg.srd, camp, 0)
	if err != nil {
		return err
	}
	for _, dir := range []string{cfg.cache, cfg.out} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("bench spoken-keywords: %w", err)
		}
	}
	rec, err := pocketsphinx.New(pocketsphinx.Config{ModelDir: cfg.model, PoolSize: cfg.jobs, AddNames: true})
	if err != nil {
		return err
	}
	defer rec.Close()

	start := time.Now()
	p := &pipeline{cfg: cfg, rec: rec, names: camp.Names()}
	heard, err := p.run(ctx, utts, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "spoken keyword benchmark: %s, %d utterances, flite voices, VAD + PocketSphinx (%s)\n",
		cfg.data, len(utts), time.Since(start).Round(time.Second))

	asr := make([]kwbench.Prediction, len(utts))
	for i, u := range utts {
		asr[i] = predict(u.ID, [][]keywords.Detection{eng.Detect(u.ASR)})
	}
	fmt.Fprintf(stdout, "%-34s %5s %5s %5s %9s %7s %7s %7s\n", "configuration", "TP", "FP", "FN", "precision", "recall", "F1", "WER")
	kwbench.Score(utts, asr, vocab).Print(stdout, fmt.Sprintf("%-34s", "dataset asr field (for comparison)"))
	for _, names := range cfg.withNames {
		w := corpusWER(utts, heard, names)
		for _, alts := range []bool{false, true} {
			preds := make([]kwbench.Prediction, len(utts))
			for i, u := range utts {
				var dets [][]keywords.Detection
				for _, c := range heard[i][names] {
					if alts {
						dets = append(dets, eng.DetectAlternatives(c.Text, c.Alternatives))
					} else {
						dets = append(dets, eng.Detect(c.Text))
					}
				}
				preds[i] = predict(u.ID, dets)
			}
			label := fmt.Sprintf("names %s, alternatives %s", onOff(names), onOff(alts))
			if err := writeJSONL(filepath.Join(cfg.out, fmt.Sprintf("names-%s-alts-%s.predictions.jsonl", onOff(names), onOff(alts))), preds); err != nil {
				return err
			}
			var row strings.Builder
			kwbench.Score(utts, preds, vocab).Print(&row, fmt.Sprintf("%-34s", label))
			fmt.Fprintf(stdout, "%s %6.1f%%\n", strings.TrimRight(row.String(), "\n"), 100*w)
		}
	}
	if err := writeTranscripts(filepath.Join(cfg.out, "transcripts.jsonl"), utts, heard); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "predictions and transcripts: %s\n", cfg.out)
	return nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func parseArgs(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("gmc bench spoken-keywords", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.data, "data", "", "keyword benchmark `folder` (dev.jsonl, campaign.json, srd-terms.json)")
	fs.StringVar(&cfg.srd, "srd", "", "5e-database JSON `folder`; default $GMC_SRD_DIR, else srd/ two levels above --data")
	fs.StringVar(&cfg.out, "out", "", "where to write predictions and transcripts (`folder`); default a new temporary folder")
	fs.StringVar(&cfg.cache, "cache", filepath.Join(os.TempDir(), "gmc-spokenkw-cache"), "`folder` for synthesised audio and transcripts")
	fs.StringVar(&cfg.model, "model", "", "PocketSphinx model `folder` (default the Debian package's)")
	fs.IntVar(&cfg.limit, "limit", 0, "only the first `N` utterances (0: all)")
	fs.IntVar(&cfg.jobs, "jobs", 1, "utterances recognised at once")
	names := fs.String("names", "both", "campaign names in the recogniser's dictionary: off, on or both")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	switch *names {
	case "off":
		cfg.withNames = []bool{false}
	case "on":
		cfg.withNames = []bool{true}
	case "both":
		cfg.withNames = []bool{false, true}
	default:
		return cfg, fmt.Errorf("bench spoken-keywords: --names must be off, on or both, not %q", *names)
	}
	if cfg.data == "" {
		return cfg, errors.New("bench spoken-keywords: --data is required")
	}
	if cfg.limit < 0 || cfg.jobs < 1 {
		return cfg, fmt.Errorf("bench spoken-keywords: --limit must be >= 0 and --jobs >= 1, not %d and %d", cfg.limit, cfg.jobs)
	}
	if cfg.srd == "" {
		cfg.srd = cmp.Or(os.Getenv("GMC_SRD_DIR"), filepath.Join(cfg.data, "..", "..", "srd"))
	}
	if cfg.out == "" {
		dir, err := os.MkdirTemp("", "gmc-spokenkw-")
		if err != nil {
			return cfg, fmt.Errorf("bench spoken-keywords: %w", err)
		}
		cfg.out = dir
	}
	return cfg, nil
}

// voice is how flite speaks one utterance.
type voice struct {
	name    string  // flite voice: slt, awb or rms
	stretch float64 // duration_stretch; 0 keeps flite's
	f0      float64 // int_f0_target_mean in Hz; 0 keeps the voice's
	peakDB  float64 // peak level in dBFS; 0 leaves the level
}

// parseVoice reads the benchmark's voice field, e.g. "flite-awb
// stretch=0.90 f0=125 peak=-13dB noise=24dB". festival-hts-slt becomes
// flite's slt at its own pitch; noise is not imitated.
func parseVoice(s string) (voice, error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return voice{}, errors.New("empty voice")
	}
	var v voice
	switch f[0] {
	case "flite-slt", "festival-hts-slt":
		v.name = "slt"
	case "flite-awb":
		v.name = "awb"
	case "flite-rms":
		v.name = "rms"
	default:
		return v, fmt.Errorf("voice %q is not one flite can imitate", f[0])
	}
	for _, kv := range f[1:] {
		k, val, ok := strings.Cut(kv, "=")
		if !ok {
			return v, fmt.Errorf("voice setting %q is not key=value", kv)
		}
		num := func() (float64, error) {
			x, err := strconv.ParseFloat(strings.TrimSuffix(val, "dB"), 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				return 0, fmt.Errorf("voice setting %s: %q is not a number", k, val)
			}
			return x, nil
		}
		var err error
		switch k {
		case "stretch":
			v.stretch, err = num()
			if err == nil && v.stretch <= 0 {
				err = fmt.Errorf("voice setting stretch: %v is not positive", v.stretch)
			}
		case "f0":
			if f[0] == "festival-hts-slt" {
				continue
			}
			v.f0, err = num()
		case "peak":
			v.peakDB, err = num()
			if err == nil && v.peakDB > 0 {
				err = fmt.Errorf("voice setting peak: %v dBFS is above full scale", v.peakDB)
			}
		}
		if err != nil {
			return v, err
		}
	}
	return v, nil
}

// chunk is what the recogniser heard in one VAD utterance: a segment, as
// the live pipeline stores it.
type chunk struct {
	Text         string   `json:"text"`
	Alternatives []string `json:"alternatives,omitempty"`
}

// pipeline turns benchmark utterances into transcripts.
type pipeline struct {
	cfg   config
	rec   *pocketsphinx.Recognizer
	names []string
}

// run returns, for each utterance, its chunks without [false] and with
// [true] the campaign names in the dictionary.
func (p *pipeline) run(ctx context.Context, utts []kwbench.Utterance, progress io.Writer) ([]map[bool][]chunk, error) {
	out := make([]map[bool][]chunk, len(utts))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		done     int
		wg       sync.WaitGroup
	)
	next := make(chan int)
	for range p.cfg.jobs {
		wg.Go(func() {
			for i := range next {
				heard, err := p.utterance(ctx, utts[i])
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("bench spoken-keywords: %s: %w", utts[i].ID, err)
					cancel()
				}
				out[i] = heard
				done++
				if done%20 == 0 {
					fmt.Fprintf(progress, "%d/%d utterances\n", done, len(utts))
				}
				mu.Unlock()
			}
		})
	}
feed:
	for i := range utts {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return out, ctx.Err()
}

func (p *pipeline) utterance(ctx context.Context, u kwbench.Utterance) (map[bool][]chunk, error) {
	v, err := parseVoice(u.Voice)
	if err != nil {
		return nil, err
	}
	key := cacheKey(v, u.Reference)
	var samples []float32
	heard := map[bool][]chunk{}
	for _, names := range p.cfg.withNames {
		tpath := filepath.Join(p.cfg.cache, fmt.Sprintf("%s-names-%s.json", key, onOff(names)))
		if b, err := os.ReadFile(tpath); err == nil {
			var cs []chunk
			if json.Unmarshal(b, &cs) == nil {
				heard[names] = cs
				continue
			}
		}
		if samples == nil {
			if samples, err = p.speak(ctx, v, key, u.Reference); err != nil {
				return nil, err
			}
		}
		var hints speech.Hints
		if names {
			hints.Names = p.names
		}
		cs, err := p.recognise(ctx, samples, hints)
		if err != nil {
			return nil, err
		}
		heard[names] = cs
		b, _ := json.Marshal(cs) // strings only: always marshals
		if err := writeAtomic(tpath, b); err != nil {
			return nil, err
		}
	}
	return heard, nil
}

// cacheKey names an utterance's audio by everything it is made from; the
// names list is not in it, so a changed gazetteer needs a fresh --cache.
func cacheKey(v voice, text string) string {
	h := sha256.Sum256(fmt.Appendf(nil, "%s|%g|%g|%g|%s", v.name, v.stretch, v.f0, v.peakDB, text))
	return hex.EncodeToString(h[:8])
}

// speak synthesises text (cached as WAV) and returns it at 16 kHz mono,
// scaled to the voice's peak level and padded as the benchmark's audio is.
func (p *pipeline) speak(ctx context.Context, v voice, key, text string) ([]float32, error) {
	wav := filepath.Join(p.cfg.cache, key+".wav")
	if _, err := os.Stat(wav); err != nil {
		args := []string{"-voice", v.name}
		if v.stretch > 0 {
			args = append(args, "--setf", fmt.Sprintf("duration_stretch=%g", v.stretch))
		}
		if v.f0 > 0 {
			args = append(args, "--setf", fmt.Sprintf("int_f0_target_mean=%g", v.f0))
		}
		tmp := wav + ".tmp.wav"
		args = append(args, "-t", text, "-o", tmp)
		if msg, err := exec.CommandContext(ctx, "flite", args...).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("flite: %w: %s", err, strings.TrimSpace(string(msg)))
		}
		if err := os.Rename(tmp, wav); err != nil {
			return nil, err
		}
	}
	f, err := os.Open(wav)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	clip, err := audio.DecodeSpeech(f, audio.DefaultLimits())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", wav, err)
	}
	return shape(clip.Samples, v.peakDB), nil
}

// shape scales samples to peakDB dBFS (when not 0) and adds the
// benchmark's 0.25 s of silence either side.
func shape(samples []float32, peakDB float64) []float32 {
	var peak float32
	for _, s := range samples {
		peak = max(peak, s, -s)
	}
	gain := float32(1)
	if peakDB != 0 && peak > 0 {
		gain = float32(math.Pow(10, peakDB/20)) / peak
	}
	pad := speech.SampleRate / 4
	out := make([]float32, len(samples)+2*pad)
	for i, s := range samples {
		out[pad+i] = s * gain
	}
	return out
}

// recognise cuts samples into utterances with the VAD and recognises each,
// as the live pipeline does.
func (p *pipeline) recognise(ctx context.Context, samples []float32, hints speech.Hints) ([]chunk, error) {
	d, err := vad.New(vad.Config{})
	if err != nil {
		return nil, err
	}
	parts := append(d.Write(samples), d.Flush()...)
	var out []chunk
	for _, part := range parts {
		t, err := p.rec.Recognize(ctx, part.Samples, hints)
		if err != nil {
			return nil, err
		}
		if text := t.Text(); text != "" || len(t.Alternatives) > 0 {
			out = append(out, chunk{Text: text, Alternatives: t.Alternatives})
		}
	}
	return out, nil
}

// predict makes one prediction line from the detections of an
// utterance's segments: a term is detected once however often it occurs.
func predict(id string, segs [][]keywords.Detection) kwbench.Prediction {
	p := kwbench.Prediction{ID: id, Detections: []kwbench.PredDetection{}}
	seen := map[string]bool{}
	for _, dets := range segs {
		for _, d := range dets {
			if seen[d.Term.Key] {
				continue
			}
			seen[d.Term.Key] = true
			p.Detections = append(p.Detections, kwbench.PredDetection{Term: d.Term.Name, Category: d.Term.Category,
				Surface: d.Surface, Confidence: math.Round(d.Confidence*1000) / 1000, Reason: d.Reason})
		}
	}
	return p
}

func writeJSONL[T any](path string, rows []T) error {
	var b []byte
	for _, r := range rows {
		line, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("bench spoken-keywords: %w", err)
		}
		b = append(append(b, line...), '\n')
	}
	return writeAtomic(path, b)
}

func writeTranscripts(path string, utts []kwbench.Utterance, heard []map[bool][]chunk) error {
	type row struct {
		ID        string  `json:"id"`
		Voice     string  `json:"voice"`
		Reference string  `json:"reference"`
		Names     []chunk `json:"names_on"`
		NoNames   []chunk `json:"names_off"`
	}
	rows := make([]row, len(utts))
	for i, u := range utts {
		rows[i] = row{ID: u.ID, Voice: u.Voice, Reference: u.Reference, Names: heard[i][true], NoNames: heard[i][false]}
	}
	return writeJSONL(path, rows)
}

func writeAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("bench spoken-keywords: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("bench spoken-keywords: %w", err)
	}
	return nil
}

// Package kwbench implements `gmc bench keywords`: it runs the keyword
// engine over a benchmark file of transcribed utterances (the format of
// shared/bench/keywords), writes predictions in the format its score.py
// reads, and prints precision, recall and F1 by score.py's rule next to a
// naive exact-substring baseline run on the same text.
//
// The dictionary is the whole SRD, loaded with package reference, plus the
// campaign gazetteer. The benchmark's term list (srd-terms.json) is read
// only to score, as score.py does: detections of other SRD terms are
// neither right nor wrong.
package kwbench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/gmc-project/gmc/internal/keywords"
	"github.com/gmc-project/gmc/internal/reference"
)

// dataHint says where the benchmark's files come from.
const dataHint = "the keyword benchmark is the folder bench/keywords of the shared data (dev.jsonl, campaign.json, srd-terms.json); " +
	"--srd is the 5e-database JSON folder (shared srd/)"

// config holds the command line.
type config struct {
	data, campaign, srd, out, field string
	vocab                           []string
	threshold                       float64
	byCategory                      bool
	cv                              int
}

// Main runs `gmc bench keywords` with args (without the command words).
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseArgs(args, stderr)
	if err != nil {
		return err
	}
	camp, err := LoadCampaign(cfg.campaign)
	if err != nil {
		return err
	}
	utts, err := LoadUtterances(cfg.data)
	if err != nil {
		return err
	}
	built := time.Now()
	eng, err := NewEngine(cfg.srd, camp, cfg.threshold)
	if err != nil {
		return err
	}
	build := time.Since(built)

	preds := make([]Prediction, 0, len(utts))
	lat := make([]time.Duration, 0, len(utts))
	start := time.Now()
	for _, u := range utts {
		if err := ctx.Err(); err != nil {
			return err
		}
		t0 := time.Now()
		preds = append(preds, predict(eng, u, cfg.field))
		lat = append(lat, time.Since(t0))
	}
	elapsed := time.Since(start)
	if err := writePredictions(cfg.out, preds); err != nil {
		return err
	}

	vocab, err := LoadVocabulary(cfg.vocab)
	if err != nil {
		return err
	}
	engine := Score(utts, preds, vocab)
	naive := Score(utts, NaiveBaseline(utts, cfg.field, vocab), vocab)

	fmt.Fprintf(stdout, "keyword benchmark: %s (%s field), %d utterances, %d gold pairs\n",
		filepath.Base(cfg.data), cfg.field, len(utts), engine.TP+engine.FN)
	fmt.Fprintf(stdout, "dictionary: %d terms (%d SRD + %d campaign); scored vocabulary: %d terms; %d out-of-vocabulary detections ignored\n",
		eng.Len(), eng.Len()-len(camp.Entries), len(camp.Entries), len(vocab.terms), engine.Ignored)
	fmt.Fprintf(stdout, "engine speed: %.0f segments/s (%.3f ms per segment, one goroutine); built in %.0f ms (SRD, lexicon and pronouncing dictionary)\n",
		float64(len(utts))/elapsed.Seconds(), elapsed.Seconds()*1000/float64(max(len(utts), 1)), ms(build))
	slices.Sort(lat)
	fmt.Fprintf(stdout, "latency per segment: p50 %.3f ms, p95 %.3f ms, p99 %.3f ms, max %.3f ms\n",
		ms(percentile(lat, 0.50)), ms(percentile(lat, 0.95)), ms(percentile(lat, 0.99)), ms(lat[len(lat)-1]))
	fmt.Fprintf(stdout, "%-16s %5s %5s %5s %9s %7s %7s\n", "matcher", "TP", "FP", "FN", "precision", "recall", "F1")
	engine.Print(stdout, "engine")
	naive.Print(stdout, "naive substring")
	if cfg.byCategory {
		engine.printCategories(stdout)
	}
	fmt.Fprintf(stdout, "predictions: %s\n", cfg.out)
	if cfg.cv > 0 {
		run, err := runGrid(ctx, eng, utts, cfg.field)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "sound thresholds: %d grid points\n", len(run.grid))
		crossValidate(stdout, run, utts, vocab, camp, cfg.cv)
	}
	return nil
}

// predict runs the engine on one utterance.
func predict(eng *keywords.Engine, u Utterance, field string) Prediction {
	p := Prediction{ID: u.ID, Detections: []PredDetection{}}
	for _, d := range eng.Detect(u.Text(field)) {
		p.Detections = append(p.Detections, PredDetection{
			Term: d.Term.Name, Category: d.Term.Category, Surface: d.Surface,
			Confidence: round3(d.Confidence), Reason: d.Reason,
		})
	}
	return p
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// NewEngine builds the engine the bench runs: the whole SRD of the
// 5e-database folder srdDir plus camp's gazetteer; threshold 0 is the
// engine default.
func NewEngine(srdDir string, camp Campaign, threshold float64) (*keywords.Engine, error) {
	entries, err := reference.Load(srdDir)
	if err != nil {
		return nil, fmt.Errorf("bench keywords: --srd: %w (%s)", err, dataHint)
	}
	terms := append(keywords.FromReference(entries), camp.Terms()...)
	return keywords.New(terms, keywords.Options{
		Threshold: threshold,
		Lexicon:   keywords.LexiconFromReference(entries),
	}), nil
}

func parseArgs(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("gmc bench keywords", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.data, "data", "", "benchmark utterances (`file.jsonl`, e.g. shared/bench/keywords/dev.jsonl)")
	fs.StringVar(&cfg.campaign, "campaign", "", "campaign gazetteer (`campaign.json`)")
	fs.StringVar(&cfg.srd, "srd", "", "5e-database JSON `folder` (src/2014/en)")
	fs.StringVar(&cfg.out, "out", "", "where to write predictions (`predictions.jsonl`)")
	fs.StringVar(&cfg.field, "field", "asr", "text to run on: asr or reference")
	fs.Float64Var(&cfg.threshold, "threshold", 0, "confidence threshold (0: the engine default)")
	fs.BoolVar(&cfg.byCategory, "by-category", false, "also print figures per category")
	fs.IntVar(&cfg.cv, "cv", 0, "also cross-validate the sound thresholds: `k` folds over terms, and one fold per voice (0: off)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	for _, req := range []struct{ name, val string }{
		{"--data", cfg.data}, {"--campaign", cfg.campaign}, {"--srd", cfg.srd}, {"--out", cfg.out},
	} {
		if req.val == "" {
			return cfg, fmt.Errorf("bench keywords: %s is required", req.name)
		}
	}
	if cfg.cv == 1 || cfg.cv < 0 {
		return cfg, fmt.Errorf("bench keywords: --cv must be 0 (off) or at least 2, not %d", cfg.cv)
	}
	if cfg.field != "asr" && cfg.field != "reference" {
		return cfg, fmt.Errorf("bench keywords: --field must be asr or reference, not %q", cfg.field)
	}
	// Scored like score.py: the vocabulary files beside the data file.
	dir := filepath.Dir(cfg.data)
	for _, name := range []string{"srd-terms.json", "campaign.json"} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			cfg.vocab = append(cfg.vocab, p)
		}
	}
	return cfg, nil
}

// Utterance is one line of a benchmark file.
type Utterance struct {
	ID        string    `json:"id"`
	Voice     string    `json:"voice"`
	Reference string    `json:"reference"`
	ASR       string    `json:"asr"`
	Mentions  []Mention `json:"mentions"`
}

type Mention struct {
	Term     string `json:"term"`
	Category string `json:"category"`
}

// Text is the utterance's text in field "asr" or "reference".
func (u Utterance) Text(field string) string {
	if field == "reference" {
		return u.Reference
	}
	return u.ASR
}

func LoadUtterances(path string) ([]Utterance, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("bench keywords: --data: %w (%s)", err, dataHint)
	}
	defer f.Close()
	var out []Utterance
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		var u Utterance
		if err := json.Unmarshal(line, &u); err != nil {
			return nil, fmt.Errorf("bench keywords: %s:%d: %w", path, n, err)
		}
		if u.ID == "" {
			return nil, fmt.Errorf("bench keywords: %s:%d: no \"id\"", path, n)
		}
		out = append(out, u)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("bench keywords: %s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("bench keywords: %s: no utterances", path)
	}
	return out, nil
}

// Prediction is one line of the output, in score.py's format; fields other
// than "term" are for people reading the file.
type Prediction struct {
	ID         string          `json:"id"`
	Detections []PredDetection `json:"detections"`
}

type PredDetection struct {
	Term       string  `json:"term"`
	Category   string  `json:"category,omitempty"`
	Surface    string  `json:"surface,omitempty"`
	Confidence float64 `json:"confidence,omitempty"`
	Reason     string  `json:"reason,omitempty"`
}

func writePredictions(path string, preds []Prediction) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("bench keywords: %w", err)
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, p := range preds {
		if err := enc.Encode(p); err != nil {
			return fmt.Errorf("bench keywords: %w", err)
		}
	}
	return w.Flush()
}

func round3(x float64) float64 { return float64(int(x*1000+0.5)) / 1000 }

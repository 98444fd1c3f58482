package kwbench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Vocabulary is the benchmark's labelled term list, read as score.py
// reads it: "terms"[].term of srd-terms.json and "entries"[].name of
// campaign.json, each with its aliases for the naive baseline.
type Vocabulary struct {
	terms   map[string]bool     // normalised canonical names
	surface map[string][]string // canonical name → lower-cased names and aliases
	// restricted marks a part of the vocabulary (a cross-validation
	// fold): gold pairs of other terms are left out too.
	restricted bool
}

func LoadVocabulary(paths []string) (Vocabulary, error) {
	v := Vocabulary{terms: map[string]bool{}, surface: map[string][]string{}}
	for _, p := range paths {
		var f struct {
			Terms []struct {
				Term    string   `json:"term"`
				Aliases []string `json:"aliases"`
			} `json:"terms"`
			Entries []struct {
				Name    string   `json:"name"`
				Aliases []string `json:"aliases"`
			} `json:"entries"`
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return v, fmt.Errorf("bench keywords: %w", err)
		}
		if err := json.Unmarshal(b, &f); err != nil {
			return v, fmt.Errorf("bench keywords: %s: %w", p, err)
		}
		for _, t := range f.Terms {
			v.add(t.Term, t.Aliases)
		}
		for _, e := range f.Entries {
			v.add(e.Name, e.Aliases)
		}
	}
	return v, nil
}

func (v Vocabulary) add(name string, aliases []string) {
	v.terms[norm(name)] = true
	for _, s := range append([]string{name}, aliases...) {
		v.surface[name] = append(v.surface[name], strings.ToLower(s))
	}
}

// norm compares terms as score.py does: whitespace collapsed, case folded.
func norm(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// NaiveBaseline is the benchmark README's baseline: a case-insensitive
// substring search for every vocabulary name and alias.
func NaiveBaseline(utts []Utterance, field string, v Vocabulary) []Prediction {
	names := make([]string, 0, len(v.surface))
	for name := range v.surface {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make([]Prediction, 0, len(utts))
	for _, u := range utts {
		text := strings.ToLower(u.Text(field))
		p := Prediction{ID: u.ID}
		for _, name := range names {
			for _, s := range v.surface[name] {
				if strings.Contains(text, s) {
					p.Detections = append(p.Detections, PredDetection{Term: name})
					break
				}
			}
		}
		out = append(out, p)
	}
	return out
}

// Result holds micro-averaged figures over (utterance id, term) pairs.
type Result struct {
	TP, FP, FN, Ignored int
	byCat               map[string]*[3]int
}

// Score applies score.py's rule: duplicates count once, detections of
// terms outside the vocabulary are ignored.
func Score(utts []Utterance, preds []Prediction, v Vocabulary) Result {
	type pair struct{ id, term string }
	gold := map[pair]bool{}
	catOf := map[string]string{}
	for _, u := range utts {
		for _, m := range u.Mentions {
			if v.restricted && !v.terms[norm(m.Term)] {
				continue
			}
			gold[pair{u.ID, norm(m.Term)}] = true
			catOf[norm(m.Term)] = m.Category
		}
	}
	pred := map[pair]bool{}
	r := Result{byCat: map[string]*[3]int{}}
	for _, p := range preds {
		for _, d := range p.Detections {
			t := norm(d.Term)
			if !v.terms[t] {
				r.Ignored++
				continue
			}
			pred[pair{p.ID, t}] = true
			if _, ok := catOf[t]; !ok && d.Category != "" {
				catOf[t] = d.Category
			}
		}
	}
	bump := func(t string, k int) {
		c := catOf[t]
		if c == "" {
			c = "unknown"
		}
		if r.byCat[c] == nil {
			r.byCat[c] = &[3]int{}
		}
		r.byCat[c][k]++
	}
	for p := range pred {
		if gold[p] {
			r.TP++
			bump(p.term, 0)
		} else {
			r.FP++
			bump(p.term, 1)
		}
	}
	for p := range gold {
		if !pred[p] {
			r.FN++
			bump(p.term, 2)
		}
	}
	return r
}

func prf(tp, fp, fn int) (p, r, f float64) {
	if tp+fp > 0 {
		p = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		r = float64(tp) / float64(tp+fn)
	}
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return p, r, f
}

// Precision returns TP / (TP + FP).
func (r Result) Precision() float64 { p, _, _ := prf(r.TP, r.FP, r.FN); return p }

// Recall returns TP / (TP + FN).
func (r Result) Recall() float64 { _, rc, _ := prf(r.TP, r.FP, r.FN); return rc }

// F1 returns the harmonic mean of precision and recall.
func (r Result) F1() float64 { _, _, f := prf(r.TP, r.FP, r.FN); return f }

// Print writes one row of figures headed label.
func (r Result) Print(w io.Writer, label string) {
	fmt.Fprintf(w, "%-16s %5d %5d %5d %9.4f %7.4f %7.4f\n", label, r.TP, r.FP, r.FN, r.Precision(), r.Recall(), r.F1())
}

func (r Result) printCategories(w io.Writer) {
	cats := make([]string, 0, len(r.byCat))
	for c := range r.byCat {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	for _, c := range cats {
		v := r.byCat[c]
		p, rc, f := prf(v[0], v[1], v[2])
		fmt.Fprintf(w, "  %-14s %5d %5d %5d %9.4f %7.4f %7.4f\n", c, v[0], v[1], v[2], p, rc, f)
	}
}

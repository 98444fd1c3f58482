package kwbench

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/gmc-project/gmc/internal/keywords"
)

// Cross-validation chooses the sound matcher's thresholds without looking
// at the terms or voices they are scored on. The vocabulary is dealt into
// k folds by a hash of each term's name (campaign names and SRD terms
// separately, so that every fold holds both kinds); for each fold the grid
// point with the best F1 on the other folds' terms is scored on the fold's
// own terms. The same is done across voices: tune on the utterances of all
// voices but one, score on that one. The mean held-out F1 and its spread
// say how well thresholds chosen this way carry to names and voices they
// were not chosen on. The choice is the best F1 at a precision of at least
// minPrecision.

// soundGrid is every setting tried: round steps over the range where each
// threshold changes anything.
func soundGrid() []keywords.SoundOptions {
	var g []keywords.SoundOptions
	for _, minPhones := range []int{4, 5, 6} {
		for _, wordMax := range []float64{0.55, 0.7, 0.85} {
			for _, vowel := range []float64{0.5, 0.75, 1} {
				for _, penalty := range []float64{0.15, 0.3} {
					for s := 73; s <= 79; s += 3 {
						for known := 76; known <= 84; known += 4 {
							g = append(g, keywords.SoundOptions{
								MinScore: float64(s) / 100, MinScoreKnown: float64(known) / 100,
								MinPhones: minPhones, WordMax: wordMax, VowelWeight: vowel, OrdinaryPenalty: penalty,
							})
						}
					}
				}
			}
		}
	}
	return g
}

// cvRun holds the predictions of every grid point.
type cvRun struct {
	grid  []keywords.SoundOptions
	preds [][]Prediction
}

func runGrid(ctx context.Context, eng *keywords.Engine, utts []Utterance, field string) (cvRun, error) {
	base := eng.Options()
	defer eng.SetOptions(base)
	run := cvRun{grid: soundGrid()}
	for _, g := range run.grid {
		o := base
		o.Sound = g
		eng.SetOptions(o)
		preds := make([]Prediction, 0, len(utts))
		for _, u := range utts {
			if err := ctx.Err(); err != nil {
				return run, err
			}
			preds = append(preds, predict(eng, u, field))
		}
		run.preds = append(run.preds, preds)
	}
	return run, nil
}

// termFolds deals the vocabulary's terms into k folds.
func termFolds(v Vocabulary, campaign Campaign, k int) []map[string]bool {
	isCampaign := map[string]bool{}
	for _, e := range campaign.Entries {
		isCampaign[norm(e.Name)] = true
	}
	var camp, srd []string
	for t := range v.terms {
		if isCampaign[t] {
			camp = append(camp, t)
		} else {
			srd = append(srd, t)
		}
	}
	folds := make([]map[string]bool, k)
	for i := range folds {
		folds[i] = map[string]bool{}
	}
	for _, group := range [][]string{camp, srd} {
		slices.SortFunc(group, func(a, b string) int {
			return strings.Compare(fmt.Sprintf("%016x%s", hash(a), a), fmt.Sprintf("%016x%s", hash(b), b))
		})
		for i, t := range group {
			folds[i%k][t] = true
		}
	}
	return folds
}

func hash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// subset returns the vocabulary restricted to the terms keep accepts.
func (v Vocabulary) subset(keep func(string) bool) Vocabulary {
	out := Vocabulary{terms: map[string]bool{}, surface: v.surface, restricted: true}
	for t := range v.terms {
		if keep(t) {
			out.terms[t] = true
		}
	}
	return out
}

// voiceOf is the voice's name without its settings.
func voiceOf(u Utterance) string {
	if f := strings.Fields(u.Voice); len(f) > 0 {
		return f[0]
	}
	return "unknown"
}

// cvFold is one held-out score.
type cvFold struct {
	name    string
	chosen  keywords.SoundOptions
	trainF1 float64
	test    Result
}

// minPrecision is the precision a live alert needs: the goal is
// the best F1 at a precision of 0.9 or more, so the grid point chosen is
// the best F1 among those that keep it.
const minPrecision = 0.9

// best returns the grid point with the highest F1 by score among those
// with a precision of at least minPrecision (all of them if none has),
// the earlier (stricter) one on ties.
func best(run cvRun, score func(preds []Prediction) Result) (int, Result) {
	results := make([]Result, len(run.preds))
	anyPrecise := false
	for i, preds := range run.preds {
		results[i] = score(preds)
		anyPrecise = anyPrecise || results[i].Precision() >= minPrecision
	}
	bi := -1
	for i, r := range results {
		if anyPrecise && r.Precision() < minPrecision {
			continue
		}
		if bi < 0 || r.F1() > results[bi].F1()+1e-9 {
			bi = i
		}
	}
	return bi, results[bi]
}

func crossValidate(w io.Writer, run cvRun, utts []Utterance, v Vocabulary, camp Campaign, k int) {
	termF := termFolds(v, camp, k)
	var byTerm []cvFold
	for f, fold := range termF {
		train := v.subset(func(t string) bool { return !fold[t] })
		test := v.subset(func(t string) bool { return fold[t] })
		i, tr := best(run, func(p []Prediction) Result { return Score(utts, p, train) })
		byTerm = append(byTerm, cvFold{name: fmt.Sprintf("terms %d/%d (%d)", f+1, k, len(fold)), chosen: run.grid[i], trainF1: tr.F1(), test: Score(utts, run.preds[i], test)})
	}
	printFolds(w, fmt.Sprintf("%d-fold cross-validation over terms (campaign names and SRD terms dealt separately)", k), byTerm)

	var voices []string
	for _, u := range utts {
		if vo := voiceOf(u); !slices.Contains(voices, vo) {
			voices = append(voices, vo)
		}
	}
	slices.Sort(voices)
	var byVoice []cvFold
	for _, vo := range voices {
		var train, test []Utterance
		var trainIdx, testIdx []int
		for i, u := range utts {
			if voiceOf(u) == vo {
				test, testIdx = append(test, u), append(testIdx, i)
			} else {
				train, trainIdx = append(train, u), append(trainIdx, i)
			}
		}
		pick := func(p []Prediction, idx []int) []Prediction {
			out := make([]Prediction, len(idx))
			for j, i := range idx {
				out[j] = p[i]
			}
			return out
		}
		i, tr := best(run, func(p []Prediction) Result { return Score(train, pick(p, trainIdx), v) })
		byVoice = append(byVoice, cvFold{name: fmt.Sprintf("voice %s (%d)", vo, len(test)), chosen: run.grid[i], trainF1: tr.F1(), test: Score(test, pick(run.preds[i], testIdx), v)})
	}
	printFolds(w, "leave-one-voice-out cross-validation", byVoice)

	i, all := best(run, func(p []Prediction) Result { return Score(utts, p, v) })
	fmt.Fprintf(w, "chosen on all of the data: %s (F1 %.4f); engine default: %s\n", fmtSound(run.grid[i]), all.F1(), fmtSound(keywords.DefaultSound))
}

func printFolds(w io.Writer, title string, folds []cvFold) {
	fmt.Fprintf(w, "%s:\n", title)
	fmt.Fprintf(w, "  %-28s %-58s %8s %5s %5s %5s %9s %7s %7s\n", "held out", "chosen on the rest", "train F1", "TP", "FP", "FN", "precision", "recall", "F1")
	var f1s []float64
	for _, f := range folds {
		fmt.Fprintf(w, "  %-28s %-58s %8.4f %5d %5d %5d %9.4f %7.4f %7.4f\n", f.name, fmtSound(f.chosen), f.trainF1, f.test.TP, f.test.FP, f.test.FN, f.test.Precision(), f.test.Recall(), f.test.F1())
		f1s = append(f1s, f.test.F1())
	}
	mean, sd := meanSD(f1s)
	fmt.Fprintf(w, "  held-out F1: mean %.4f, sd %.4f, min %.4f, max %.4f\n", mean, sd, slices.Min(f1s), slices.Max(f1s))
}

func fmtSound(s keywords.SoundOptions) string {
	return fmt.Sprintf("score>=%.2f/%.2f phones>=%d word<=%.2f vowel*%.2f ord-%.2f", s.MinScore, s.MinScoreKnown, s.MinPhones, s.WordMax, s.VowelWeight, s.OrdinaryPenalty)
}

func meanSD(xs []float64) (mean, sd float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(xs)))
}

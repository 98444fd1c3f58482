package kwbench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/testenv"
)

// sharedDir is the folder with the SRD and the keyword benchmark.
func sharedDir(t *testing.T) string {
	t.Helper()
	return testenv.SharedData(t, "srd/5e-SRD-Spells.json", "bench/keywords/dev.jsonl", "bench/keywords/campaign.json")
}

func TestMainOnDevData(t *testing.T) {
	shared := sharedDir(t)
	bench := filepath.Join(shared, "bench", "keywords")
	for _, field := range []string{"asr", "reference"} {
		t.Run(field, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "pred.jsonl")
			var stdout, stderr bytes.Buffer
			err := Main(context.Background(), []string{
				"--data", filepath.Join(bench, "dev.jsonl"),
				"--campaign", filepath.Join(bench, "campaign.json"),
				"--srd", filepath.Join(shared, "srd"),
				"--out", out, "--field", field,
			}, &stdout, &stderr)
			if err != nil {
				t.Fatalf("Main: %v\nstderr: %s", err, stderr.String())
			}
			for _, want := range []string{"engine ", "naive substring ", "segments/s"} {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, stdout.String())
				}
			}
			f, err := os.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			lines := 0
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				var p struct {
					ID         string `json:"id"`
					Detections []struct {
						Term string `json:"term"`
					} `json:"detections"`
				}
				if err := json.Unmarshal(sc.Bytes(), &p); err != nil || p.ID == "" {
					t.Fatalf("line %d does not parse as a Prediction: %v: %s", lines+1, err, sc.Text())
				}
				for _, d := range p.Detections {
					if d.Term == "" {
						t.Errorf("%s: detection without a term", p.ID)
					}
				}
				lines++
			}
			if lines != 316 {
				t.Errorf("%d predictions, want one per utterance (316)", lines)
			}
			t.Log(stdout.String())
		})
	}
}

func TestMainArguments(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--campaign", "c.json", "--srd", "srd", "--out", "o"}, "--data is required"},
		{[]string{"--data", "d.jsonl", "--srd", "srd", "--out", "o"}, "--campaign is required"},
		{[]string{"--data", "d.jsonl", "--campaign", "c.json", "--srd", "s", "--out", "o", "--field", "text"}, "--field must be asr or reference"},
		{[]string{"--nope"}, "flag provided but not defined"},
		{[]string{"--data", "d.jsonl", "--campaign", "c.json", "--srd", "s", "--out", "o", "--cv", "1"}, "--cv must be 0 (off) or at least 2"},
	}
	for _, tt := range tests {
		var stderr bytes.Buffer
		err := Main(context.Background(), tt.args, &bytes.Buffer{}, &stderr)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Main(%q) = %v, want an error containing %q", tt.args, err, tt.want)
		}
	}
}

func TestScoreMatchesScorePyRule(t *testing.T) {
	utts := []Utterance{
		{ID: "u1", Mentions: []Mention{{Term: "Goblin", Category: "monster"}, {Term: "Pip Tumblewick", Category: "pc"}}},
		{ID: "u2", Mentions: nil},
	}
	v := Vocabulary{terms: map[string]bool{"goblin": true, "pip tumblewick": true, "shield": true}}
	preds := []Prediction{
		{ID: "u1", Detections: []PredDetection{{Term: "goblin"}, {Term: "Goblin"}, {Term: "Longsword"}}},
		{ID: "u2", Detections: []PredDetection{{Term: "Shield"}}},
	}
	r := Score(utts, preds, v)
	if r.TP != 1 || r.FP != 1 || r.FN != 1 || r.Ignored != 1 {
		t.Errorf("score = %+v, want TP 1 FP 1 FN 1 ignored 1", r)
	}
	if p, rc := r.Precision(), r.Recall(); p != 0.5 || rc != 0.5 || r.F1() != 0.5 {
		t.Errorf("P %v R %v F1 %v, want 0.5 each", p, rc, r.F1())
	}
}

// TestTermFoldsPartition checks that the folds split the vocabulary
// without overlap, deal campaign names evenly, and do not depend on map
// order.
func TestTermFoldsPartition(t *testing.T) {
	v := Vocabulary{terms: map[string]bool{}, surface: map[string][]string{}}
	var camp Campaign
	for i := range 23 {
		name := "name" + string(rune('a'+i))
		v.add(name, nil)
		camp.Entries = append(camp.Entries, CampaignEntry{Name: name})
	}
	for i := range 41 {
		v.add("term"+string(rune('a'+i%26))+string(rune('a'+i/26)), nil)
	}
	folds := termFolds(v, camp, 5)
	again := termFolds(v, camp, 5)
	seen := map[string]int{}
	for f, fold := range folds {
		names := 0
		for term := range fold {
			seen[term]++
			if strings.HasPrefix(term, "name") {
				names++
			}
			if !again[f][term] {
				t.Errorf("fold %d differs between runs at %q", f, term)
			}
		}
		if names < 23/5 || names > 23/5+1 {
			t.Errorf("fold %d holds %d campaign names, want 4 or 5", f, names)
		}
	}
	if len(seen) != len(v.terms) {
		t.Errorf("folds hold %d terms, want %d", len(seen), len(v.terms))
	}
	for term, n := range seen {
		if n != 1 {
			t.Errorf("%q is in %d folds", term, n)
		}
	}
}

// TestRestrictedScore checks that a fold's score counts only its own
// terms, on both sides.
func TestRestrictedScore(t *testing.T) {
	utts := []Utterance{{ID: "u1", Mentions: []Mention{{Term: "Goblin"}, {Term: "Ogre"}}}}
	v := Vocabulary{terms: map[string]bool{"goblin": true, "ogre": true, "troll": true}}
	preds := []Prediction{{ID: "u1", Detections: []PredDetection{{Term: "Goblin"}, {Term: "Troll"}}}}
	fold := v.subset(func(term string) bool { return term == "ogre" || term == "troll" })
	r := Score(utts, preds, fold)
	if r.TP != 0 || r.FP != 1 || r.FN != 1 || r.Ignored != 1 {
		t.Errorf("fold score = %+v, want TP 0 FP 1 FN 1 ignored 1", r)
	}
}

// TestMainSaysWhereDataGoes checks that missing data is an error that
// names the flag and the data's place, never a silent skip.
func TestMainSaysWhereDataGoes(t *testing.T) {
	dir := t.TempDir()
	err := Main(context.Background(), []string{
		"--data", filepath.Join(dir, "dev.jsonl"), "--campaign", filepath.Join(dir, "campaign.json"),
		"--srd", dir, "--out", filepath.Join(dir, "p.jsonl"),
	}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "--campaign") || !strings.Contains(err.Error(), "bench/keywords") {
		t.Errorf("Main without data = %v, want an error naming --campaign and bench/keywords", err)
	}
}

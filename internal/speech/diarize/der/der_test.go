package der

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"testing"

	"github.com/gmc-project/gmc/internal/speech/diarize/rttm"
	"github.com/gmc-project/gmc/internal/testenv"
)

const benchDir = "bench/diarization"

var devFiles = []string{"dev01", "dev02", "dev03"}

func seg(file, spk string, s, e float64) rttm.Segment {
	return rttm.Segment{File: file, Speaker: spk, Start: s, Dur: e - s}
}

func TestScoreSmall(t *testing.T) {
	t.Parallel()
	ref := []rttm.Segment{seg("f", "A", 0, 10), seg("f", "B", 8, 12)}
	tests := []struct {
		name string
		hyp  []rttm.Segment
		opts Options
		want Result
	}{
		{"itself", ref, Options{}, Result{Total: 14}},
		{"relabelled", []rttm.Segment{seg("f", "x", 0, 10), seg("f", "y", 8, 12)}, Options{}, Result{Total: 14}},
		{"nothing", nil, Options{}, Result{Total: 14, Missed: 14}},
		// One speaker over all: maps to A (10 s); B's 4 s are missed in
		// the overlap (2 s) and confused after it (2 s).
		{"one speaker", []rttm.Segment{seg("f", "x", 0, 12)}, Options{}, Result{Total: 14, Missed: 2, Confusion: 2}},
		{"false alarm", append([]rttm.Segment{seg("f", "x", 0, 10), seg("f", "y", 8, 12)}, seg("f", "y", 20, 21)), Options{}, Result{Total: 14, FalseAlarm: 1}},
		{"extra speaker is confusion", []rttm.Segment{seg("f", "x", 0, 5), seg("f", "z", 5, 10), seg("f", "y", 8, 12)}, Options{}, Result{Total: 14, Confusion: 5}},
		// Collar 0.5 removes [−0.5,0.5], [7.5,8.5], [9.5,10.5], [11.5,12.5].
		{"collar", []rttm.Segment{seg("f", "x", 0, 12)}, Options{Collar: 0.5}, Result{Total: 10, Missed: 1, Confusion: 1}},
		{"skip overlap", []rttm.Segment{seg("f", "x", 0, 12)}, Options{SkipOverlap: true}, Result{Total: 10, Confusion: 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Score(ref, tc.hyp, tc.opts).Files["f"]
			for _, c := range []struct {
				name      string
				got, want float64
			}{
				{"total", got.Total, tc.want.Total}, {"missed", got.Missed, tc.want.Missed},
				{"false alarm", got.FalseAlarm, tc.want.FalseAlarm}, {"confusion", got.Confusion, tc.want.Confusion},
			} {
				if math.Abs(c.got-c.want) > 1e-9 {
					t.Errorf("Score() %s = %v, want %v", c.name, c.got, c.want)
				}
			}
		})
	}
}

func TestHungarianMatchesBruteForce(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 300 {
		nr, nc := 1+rng.IntN(5), 1+rng.IntN(5)
		w := make([][]float64, nr)
		for i := range w {
			w[i] = make([]float64, nc)
			for j := range w[i] {
				if rng.IntN(3) > 0 {
					w[i][j] = float64(rng.IntN(10))
				}
			}
		}
		got := 0.0
		seen := map[int]bool{}
		for i, j := range hungarianMax(w) {
			if seen[j] {
				t.Fatalf("case %d: hungarianMax(%v) maps two rows to column %d", n, w, j)
			}
			seen[j] = true
			got += w[i][j]
		}
		if want := bruteMax(w, 0, map[int]bool{}); got != want {
			t.Fatalf("case %d: hungarianMax(%v) total = %v, want %v", n, w, got, want)
		}
	}
}

func bruteMax(w [][]float64, i int, used map[int]bool) float64 {
	if i == len(w) {
		return 0
	}
	best := bruteMax(w, i+1, used)
	for j := range w[i] {
		if !used[j] {
			used[j] = true
			best = max(best, w[i][j]+bruteMax(w, i+1, used))
			used[j] = false
		}
	}
	return best
}

func loadRef(t *testing.T) (string, []rttm.Segment) {
	t.Helper()
	var need []string
	for _, f := range devFiles {
		need = append(need, filepath.Join(benchDir, f+".rttm"))
	}
	dir := filepath.Join(testenv.SharedData(t, need...), benchDir)
	var ref []rttm.Segment
	for _, f := range devFiles {
		ref = append(ref, readRTTM(t, filepath.Join(dir, f+".rttm"))...)
	}
	return dir, ref
}

func readRTTM(t *testing.T, path string) []rttm.Segment {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	segs, err := rttm.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	return segs
}

// TestReadmeReferencePoints checks the figures the benchmark's README gives:
// the reference scores 0 against itself, and the oracle speech given to one
// speaker scores 1 − T(most talkative) / total speech.
func TestReadmeReferencePoints(t *testing.T) {
	t.Parallel()
	_, ref := loadRef(t)
	if rep := Score(ref, ref, Options{}); rep.Overall.DER() != 0 {
		t.Errorf("reference against itself: DER = %v, want 0", rep.Overall.DER())
	}
	one := oneSpeaker(ref)
	for _, tc := range []struct {
		collar float64
		want   map[string]float64 // percent, as printed in the README
	}{
		{0, map[string]float64{"dev01": 55.48, "dev02": 69.56, "dev03": 70.64, "": 66.28}},
		{0.25, map[string]float64{"dev01": 55.28, "dev02": 68.58, "dev03": 70.01, "": 65.59}},
	} {
		rep := Score(ref, one, Options{Collar: tc.collar})
		for f, want := range tc.want {
			r := rep.Overall
			if f != "" {
				r = rep.Files[f]
			}
			if got := 100 * r.DER(); math.Abs(got-want) > 0.005 {
				t.Errorf("one speaker, collar %v, file %q: DER = %.4f%%, want %.2f%%", tc.collar, f, got, want)
			}
		}
	}
}

// oneSpeaker is every file's reference speech given to one speaker.
func oneSpeaker(ref []rttm.Segment) []rttm.Segment {
	var out []rttm.Segment
	for _, s := range ref {
		s.Speaker = "all"
		out = append(out, s)
	}
	return out
}

// TestMatchesPythonScorer runs score_der.py on hypotheses made by
// perturbing the reference (shifted and cut boundaries, swapped and merged
// speakers, invented turns) and wants the same seconds to 1e-6.
func TestMatchesPythonScorer(t *testing.T) {
	t.Parallel()
	dir, ref := loadRef(t)
	python, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 not found")
		}
		t.Skip("SKIPPING: python3 not found")
	}
	tmp := t.TempDir()
	rng := rand.New(rand.NewPCG(12, 7))
	var refPaths []string
	for _, f := range devFiles {
		refPaths = append(refPaths, filepath.Join(dir, f+".rttm"))
	}
	for k := range 4 {
		hyp := perturb(rng, ref, k)
		path := filepath.Join(tmp, fmt.Sprintf("hyp%d.rttm", k))
		writeRTTM(t, path, hyp)
		// Read back what the scorer reads: times rounded to the ms.
		hyp = readRTTM(t, path)
		for _, opts := range []Options{{}, {Collar: 0.25}, {SkipOverlap: true}, {Collar: 0.1, SkipOverlap: true}} {
			t.Run(fmt.Sprintf("hyp%d/collar=%v/skip=%v", k, opts.Collar, opts.SkipOverlap), func(t *testing.T) {
				want := runPython(t, python, filepath.Join(dir, "score_der.py"), refPaths, path, opts)
				got := Score(ref, hyp, opts)
				for f, w := range want.Files {
					compare(t, f, got.Files[f], w)
				}
				compare(t, "overall", got.Overall, want.Overall)
			})
		}
	}
}

func compare(t *testing.T, what string, got Result, want pyResult) {
	t.Helper()
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"total", got.Total, want.Total}, {"missed", got.Missed, want.Missed},
		{"false alarm", got.FalseAlarm, want.FalseAlarm}, {"confusion", got.Confusion, want.Confusion},
		{"DER", got.DER(), want.DER},
	} {
		if math.Abs(c.got-c.want) > 1e-6 {
			t.Errorf("%s %s = %.9f, score_der.py says %.9f", what, c.name, c.got, c.want)
		}
	}
}

// perturb makes hypothesis k from the reference.
func perturb(rng *rand.Rand, ref []rttm.Segment, k int) []rttm.Segment {
	var out []rttm.Segment
	for _, s := range ref {
		s.Speaker = "h" + s.Speaker
		switch k {
		case 0: // boundaries moved by up to ±0.4 s
			s.Start = math.Max(0, s.Start+rng.Float64()*0.8-0.4)
			s.Dur = math.Max(0, s.Dur+rng.Float64()*0.8-0.4)
		case 1: // some turns given to the wrong speaker, some dropped
			switch rng.IntN(5) {
			case 0:
				s.Speaker = "hGM"
			case 1:
				continue
			}
		case 2: // turns cut in two, the second half to a new speaker
			half := s.Dur / 2
			out = append(out, rttm.Segment{File: s.File, Speaker: s.Speaker, Start: s.Start, Dur: half})
			s.Start += half
			s.Dur -= half
			s.Speaker = "x" + strconv.Itoa(rng.IntN(4))
		case 3: // invented short turns on top
			out = append(out, rttm.Segment{File: s.File, Speaker: "noise", Start: s.Start + rng.Float64()*s.Dur, Dur: rng.Float64()})
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

func writeRTTM(t *testing.T, path string, segs []rttm.Segment) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := rttm.Write(f, segs); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

type pyResult struct {
	Total      float64 `json:"total"`
	Missed     float64 `json:"missed"`
	FalseAlarm float64 `json:"false_alarm"`
	Confusion  float64 `json:"confusion"`
	DER        float64 `json:"der"`
}

type pyReport struct {
	Files   map[string]pyResult `json:"files"`
	Overall pyResult            `json:"overall"`
}

func runPython(t *testing.T, python, script string, refs []string, hyp string, opts Options) pyReport {
	t.Helper()
	args := append([]string{script, "--json", "--ref"}, refs...)
	args = append(args, "--hyp", hyp, "--collar", strconv.FormatFloat(opts.Collar, 'g', -1, 64))
	if opts.SkipOverlap {
		args = append(args, "--skip-overlap")
	}
	out, err := exec.Command(python, args...).Output()
	if err != nil {
		t.Fatalf("score_der.py: %v", err)
	}
	var rep pyReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("score_der.py output: %v", err)
	}
	if len(rep.Files) != len(devFiles) {
		t.Fatalf("score_der.py scored %d files, want %d", len(rep.Files), len(devFiles))
	}
	return rep
}

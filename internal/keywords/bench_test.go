package keywords

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/reference"
	"github.com/gmc-project/gmc/internal/testenv"
)

// benchDictionary is the whole SRD plus 500 invented campaign names: the
// size the issue sets for one campaign. It skips when the SRD is absent.
func benchDictionary(b testing.TB) ([]Term, *Lexicon) {
	b.Helper()
	entries, err := reference.Load(testenv.SRDDir(b))
	if err != nil {
		b.Fatal(err)
	}
	return append(FromReference(entries), campaignNames(500)...), LexiconFromReference(entries)
}

// campaignNames invents n fantasy names from syllables, with a first-name
// alias each, seeded so every run is the same.
func campaignNames(n int) []Term {
	r := rand.New(rand.NewPCG(1, 2))
	syl := []string{"tha", "lin", "dra", "grim", "bold", "kor", "rin", "vel", "mor", "wen", "sol", "an", "ix", "bri", "ne", "gate", "dus", "kmo", "or", "zy", "la", "fen", "wick", "hal", "jor", "und", "ast", "ria"}
	cats := []string{"pc", "npc", "location", "faction", "item", "deity"}
	word := func() string {
		var sb strings.Builder
		for range 2 + r.IntN(2) {
			sb.WriteString(syl[r.IntN(len(syl))])
		}
		s := sb.String()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	out := make([]Term, n)
	for i := range out {
		first, last := word(), word()
		out[i] = Term{Key: fmt.Sprintf("campaign:%d", i), Name: first + " " + last, Aliases: []string{first},
			Category: cats[i%len(cats)], Source: "campaign"}
	}
	return out
}

// benchSegments are transcript segments: the keyword benchmark's
// recogniser output. Without it the benchmark fails under CI and says
// where to put the data otherwise.
func benchSegments(b testing.TB) []string {
	p := filepath.Join(testenv.SharedData(b, "bench/keywords/dev.jsonl"), "bench", "keywords", "dev.jsonl")
	f, err := os.Open(p)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var segs []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var u struct{ ASR string }
		if json.Unmarshal(sc.Bytes(), &u) == nil && u.ASR != "" {
			segs = append(segs, u.ASR)
		}
	}
	if len(segs) == 0 {
		b.Fatalf("%s: no utterances with an asr field", p)
	}
	return segs
}

// BenchmarkDetect measures one segment's detection with the full
// dictionary, and reports throughput on one goroutine and the 99th
// percentile latency. Goal: ≥ 5,000 segments/s, p99 ≤ 2 ms.
func BenchmarkDetect(b *testing.B) {
	terms, lex := benchDictionary(b)
	e := New(terms, Options{Lexicon: lex})
	segs := benchSegments(b)
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		e.Detect(segs[i%len(segs)])
		lat = append(lat, time.Since(t0))
	}
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "segments/s")
	}
}

// BenchmarkUpdate measures one entity change (a renamed campaign
// character) on the full dictionary. Goal: ≤ 5 ms.
func BenchmarkUpdate(b *testing.B) {
	terms, lex := benchDictionary(b)
	e := New(terms, Options{Lexicon: lex})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		e.Replace("campaign:7", Term{Key: "campaign:7", Name: fmt.Sprintf("Renamed Hero %d", i%7),
			Aliases: []string{"Hero"}, Category: "pc", Source: "campaign"})
	}
}

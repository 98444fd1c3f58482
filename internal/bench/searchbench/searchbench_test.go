package searchbench

import (
	"bytes"
	"context"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestMutateMakesOneErrorOfEachKind(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	tests := []struct {
		kind, in string
		check    func(out string) bool
	}{
		{errDelete, "thalindra", func(o string) bool { return len(o) == len("thalindra")-1 }},
		{errTranspose, "thalindra", func(o string) bool { return len(o) == 9 && o != "thalindra" }},
		{errKeyboard, "thalindra", func(o string) bool { return len(o) == 9 && o != "thalindra" }},
		{errDouble, "korrin", func(o string) bool { return o == "korin" }},
		{errPhonetic, "phaedra", func(o string) bool { return o != "phaedra" }},
		{errSplit, "stonebeard", func(o string) bool {
			return strings.Count(o, " ") == 1 && strings.ReplaceAll(o, " ", "") == "stonebeard"
		}},
		{errJoin, "gorrick stonebeard", func(o string) bool { return o == "gorrickstonebeard" }},
	}
	for _, tc := range tests {
		out, ok := mutate(rng, tc.in, tc.kind)
		if !ok || !tc.check(out) {
			t.Errorf("mutate(%q, %s) = %q, %v", tc.in, tc.kind, out, ok)
		}
	}
	if _, ok := mutate(rng, "voss", errJoin); ok {
		t.Error("a one-word query was joined")
	}
}

func TestQueriesAreRepeatable(t *testing.T) {
	d := generate("g", 300, 7)
	a, b := makeQueries(d, 100, 7), makeQueries(d, 100, 7)
	if len(a) != 100 || a[42] != b[42] {
		t.Errorf("makeQueries is not repeatable: %d queries, %+v vs %+v", len(a), a[42], b[42])
	}
	owners := nameOwners(d)
	for _, q := range a {
		if ownedByOther(owners, q.text, q.target) {
			t.Errorf("query %q names another entity than %q", q.text, d.entities[q.target].name)
		}
	}
}

// TestMainOnSQLite runs the whole command on a small SQLite data set.
func TestMainOnSQLite(t *testing.T) {
	var out, errs bytes.Buffer
	args := []string{"--database-url", filepath.Join(t.TempDir(), "bench.db"), "--entities", "300", "--quality-entities", "200",
		"--queries", "60", "--concurrency", "4"}
	if err := Main(context.Background(), args, &out, &errs); err != nil {
		t.Fatalf("Main = %v\n%s", err, errs.String())
	}
	for _, want := range []string{"quality: generated campaign (200 entities, 60 queries)", "gmc search", "ILIKE '%q%'", "speed: speed campaign (300 entities", "p95",
		"gmc search vs FTS5 trigram: q/s "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	// The FTS5 trigram baseline answers in both tables, and finds what
	// the queries mean: a broken baseline finds nothing.
	quality, speed, ok := strings.Cut(out.String(), "\nspeed:")
	if !ok {
		t.Fatalf("no speed table:\n%s", out.String())
	}
	for _, tc := range []struct {
		table, text string
		recall5     func(fields []string) string
	}{
		{"quality", quality, func(f []string) string { return f[len(f)-2] }}, // system r@1 r@5 MRR
		{"speed", speed, func(f []string) string { return f[len(f)-1] }},     // … recall@5 r
	} {
		line := ""
		for _, l := range strings.Split(tc.text, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "FTS5 trigram ") {
				line = l
			}
		}
		if line == "" {
			t.Errorf("the %s table has no FTS5 trigram row:\n%s", tc.table, tc.text)
			continue
		}
		r5, err := strconv.ParseFloat(tc.recall5(strings.Fields(line)), 64)
		if err != nil || r5 <= 0 || r5 > 1 {
			t.Errorf("the %s table's FTS5 trigram recall@5 in %q: %v, %v; want a ratio above 0", tc.table, line, r5, err)
		}
	}
}

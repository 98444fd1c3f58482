package searchbench

import (
	"bytes"
	"context"
	"math/rand/v2"
	"path/filepath"
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
	for _, want := range []string{"quality: generated campaign (200 entities, 60 queries)", "gmc search", "ILIKE '%q%'", "speed: speed campaign (300 entities", "p95"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

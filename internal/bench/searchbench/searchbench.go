// Package searchbench is `gmc bench search`: it measures the quality and
// the speed of gmc's search against two baselines, ILIKE '%q%' and a
// trigram index alone (pg_trgm similarity on PostgreSQL, FTS5's trigram
// index ranked by bm25 on SQLite), on the same data in the same database.
//
// Quality: campaigns of invented names (a seeded syllable generator) and,
// when the file is there, the keyword benchmark's gazetteer; each gets a
// query set made from its own names by general, seeded error rules
// (deletions, transpositions, keyboard slips, doubled and undoubled
// letters, sound-alike respellings, split and joined words) and is scored
// by recall@1, recall@5 and MRR. Speed: one campaign of --entities
// entities, searched by --concurrency clients at once; latency
// percentiles per system.
//
// The data is stored through the store API (so indexed as the server
// indexes it) in a database of its own, named after the parameters: a
// second run with the same parameters reuses it; --fresh rebuilds it.
package searchbench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strconv"

	"github.com/gmc-project/gmc/internal/store"
)

// options are the command's flags.
type options struct {
	backend, databaseURL string
	load                 string
	entities             int
	qualityEntities      int
	queries              int
	concurrency          int
	seed                 uint64
	gazetteer            string
	fresh                bool
	skipQuality          bool
	baselines            bool
	showMisses           int
	// segmentSessions, when set, runs the transcript mode (segments.go).
	segmentSessions, segmentsPerSession int
}

// fingerprint names the data a run builds, so that runs with the same
// data share it. Its version suffix changes with the stored layout (v5:
// SQLite's baseline names have ids and an FTS5 trigram index), so an
// older run's data is not read.
func (o options) fingerprint() string {
	return "s" + strconv.FormatUint(o.seed, 10) + "_n" + strconv.Itoa(o.entities) + "_q" + strconv.Itoa(o.qualityEntities) + "_v5"
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("gmc bench search", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.backend, "backend", "sqlite", "store backend: sqlite or postgres")
	fs.StringVar(&o.databaseURL, "database-url", "", "PostgreSQL URL (a schema of its own is created in it), or the SQLite file (default: in the temporary directory)")
	fs.IntVar(&o.entities, "entities", 100_000, "entities of the speed campaign (0: no speed run)")
	fs.StringVar(&o.load, "load", "copy", "how data sets are stored: copy (search documents by COPY, PostgreSQL only; minutes for 1,000,000 entities) or api (entity by entity through the store API, as the server writes)")
	fs.IntVar(&o.qualityEntities, "quality-entities", 2_000, "entities of the generated quality campaign")
	fs.IntVar(&o.queries, "queries", 1_000, "queries per query set")
	fs.IntVar(&o.concurrency, "concurrency", 16, "concurrent searches in the speed run")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the name and query generators")
	fs.StringVar(&o.gazetteer, "campaign-json", "", "a keyword-benchmark campaign file (names with aliases) to measure quality on too")
	fs.BoolVar(&o.fresh, "fresh", false, "rebuild the benchmark data even if an earlier run left it")
	fs.BoolVar(&o.skipQuality, "skip-quality", false, "measure speed only")
	fs.IntVar(&o.showMisses, "show-misses", 0, "print up to this many queries per quality set whose entity gmc search did not rank first")
	fs.BoolVar(&o.baselines, "speed-baselines", true, "time the baselines in the speed run too (ILIKE is slow at 100,000 names)")
	fs.IntVar(&o.segmentSessions, "segment-sessions", 0, "search transcripts instead: a campaign of this many sessions (its own database)")
	fs.IntVar(&o.segmentsPerSession, "segments-per-session", 2_000, "transcript segments of each session, with --segment-sessions")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.segmentSessions < 0 || o.segmentsPerSession < 1 {
		return o, errors.New("--segment-sessions must not be negative and --segments-per-session must be positive")
	}
	if o.queries < 1 || o.concurrency < 1 || o.qualityEntities < 1 || o.entities < 0 {
		return o, errors.New("--queries, --concurrency and --quality-entities must be positive")
	}
	if o.load != "copy" && o.load != "api" {
		return o, fmt.Errorf("--load %q: copy or api", o.load)
	}
	return o, nil
}

// Main runs `gmc bench search` with args (the flags after "search").
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if o.segmentSessions > 0 {
		return segmentBench(ctx, o, stdout, stderr)
	}
	b, err := openBackend(ctx, o)
	if err != nil {
		return err
	}
	defer b.close()
	fmt.Fprintf(stdout, "gmc bench search: backend %s, seed %d, %d CPUs (GOMAXPROCS %d)\n", b.name, o.seed, runtime.NumCPU(), runtime.GOMAXPROCS(0))
	sets := []dataset{generate("generated campaign", o.qualityEntities, o.seed)}
	if o.gazetteer != "" {
		g, err := loadGazetteer(o.gazetteer)
		if err != nil {
			return fmt.Errorf("-campaign-json: %w", err)
		}
		sets = append(sets, g)
	}
	for _, d := range sets {
		if o.skipQuality {
			break
		}
		if err := quality(ctx, b, d, o, stdout, stderr); err != nil {
			return err
		}
	}
	if o.entities > 0 {
		return speed(ctx, b, o, stdout, stderr)
	}
	return nil
}

func quality(ctx context.Context, b *backend, d dataset, o options, stdout, stderr io.Writer) error {
	l, err := b.load(ctx, d, stderr)
	if err != nil {
		return err
	}
	qs := makeQueries(d, o.queries, o.seed)
	systems := b.systems(b.st)
	results := make([]*result, len(systems))
	for i, sys := range systems {
		if results[i], err = run(ctx, sys, l, qs, 1); err != nil {
			return err
		}
	}
	printQuality(stdout, l, len(qs), results, systems)
	return showMisses(ctx, stdout, systems[0], l, qs, o.showMisses)
}

func speed(ctx context.Context, b *backend, o options, stdout, stderr io.Writer) error {
	d := generate("speed campaign", o.entities, o.seed+1)
	l, err := b.load(ctx, d, stderr)
	if err != nil {
		return err
	}
	qs := makeQueries(d, o.queries, o.seed+1)
	fmt.Fprintf(stdout, "\nspeed: %s (%d entities, %d queries, concurrency %d)\n", l.label, len(d.entities), len(qs), o.concurrency)
	if bi, ok := b.st.(store.BulkSearchIndex); ok {
		keys, docs, err := bi.SearchIndexBytes(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "  search index of this database: keys %.1f MiB, documents %.1f MiB (tables with their indexes)\n",
			float64(keys)/(1<<20), float64(docs)/(1<<20))
	}
	timer := newProbeTimer(b.st)
	systems := b.systems(timer)
	if !o.baselines {
		systems = systems[:1]
	}
	var names []string
	var results []*result
	for i, sys := range systems {
		// A first pass warms caches (and PostgreSQL's plans) so that the
		// measured pass compares steady states.
		if _, err := run(ctx, sys, l, qs[:min(len(qs), 200)], o.concurrency); err != nil {
			return err
		}
		if i == 0 {
			timer = newProbeTimer(b.st)
			systems = b.systems(timer)
		}
		r, err := run(ctx, systems[i], l, qs, o.concurrency)
		if err != nil {
			return err
		}
		printSpeed(stdout, sys.name, r)
		if i == 0 {
			timer.print(stdout, len(qs), o.showMisses)
		}
		names, results = append(names, sys.name), append(results, r)
	}
	printRatios(stdout, names, results)
	return nil
}

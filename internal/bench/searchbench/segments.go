package searchbench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/store/postgres"
	"github.com/gmc-project/gmc/internal/store/sqlite"
)

// The transcript mode (--segment-sessions): one campaign of that many
// sessions of --segments-per-session segments, stored through the store
// API (AppendSegments and CreateKeywordHits, one session per
// transaction, so indexed as the server indexes), then searched by
// --concurrency clients as a player would search (search.RunSegments).
//
// Transcript text is made of a seeded vocabulary of invented words whose
// frequencies fall off as spoken words' do (a Zipf-like rank law), plus
// the campaign's names: most said as spelled, some misheard and resolved
// by a keyword hit, as live detection stores them. Queries are a word of a
// random segment (so common words are asked as often as they are said),
// two neighbouring words of one, a name, and one of the ten commonest
// words: the worst case, which matches a tenth of all segments.

const (
	segmentVocabulary = 5000
	segmentNames      = 300
	// nameShare and misheardShare are the shares of segments that say a
	// name, and of those where the recogniser misheard it.
	nameShare     = 0.05
	misheardShare = 0.3
)

type segmentCorpus struct {
	vocab []string
	names []string
	rng   *rand.Rand
}

func newSegmentCorpus(seed uint64) *segmentCorpus {
	rng := rand.New(rand.NewPCG(seed, 17))
	n := namer{rng: rng}
	c := &segmentCorpus{rng: rng}
	seen := map[string]bool{}
	for len(c.vocab) < segmentVocabulary {
		if w := strings.ToLower(n.word()); !seen[w] {
			seen[w] = true
			c.vocab = append(c.vocab, w)
		}
	}
	for len(c.names) < segmentNames {
		if w := n.word(); !seen[strings.ToLower(w)] {
			seen[strings.ToLower(w)] = true
			c.names = append(c.names, w)
		}
	}
	return c
}

// word picks a vocabulary word by a rank law: word i with weight about
// 1/(i+1).
func (c *segmentCorpus) word() string {
	// Inverse of the continuous 1/x law over [1, V+1).
	i := int(expm1(c.rng.Float64()*math.Log1p(float64(len(c.vocab))))) % len(c.vocab)
	return c.vocab[i]
}

// segment returns a segment's text and, when a name in it was misheard,
// the hit that resolved it.
func (c *segmentCorpus) segment() (string, *gmc.KeywordHit) {
	words := make([]string, 6+c.rng.IntN(15))
	for i := range words {
		words[i] = c.word()
	}
	if c.rng.Float64() >= nameShare {
		return strings.Join(words, " "), nil
	}
	at := c.rng.IntN(len(words))
	name := c.names[c.rng.IntN(len(c.names))]
	heard := name
	misheard := c.rng.Float64() < misheardShare
	if misheard {
		if m, ok := mutate(c.rng, name, errorKinds[c.rng.IntN(len(errorKinds))]); ok {
			heard = m
		}
	}
	words[at] = heard
	text := strings.Join(words, " ")
	if !misheard {
		return text, nil
	}
	start := len(strings.Join(words[:at], " "))
	if at > 0 {
		start++
	}
	return text, &gmc.KeywordHit{Kind: gmc.HitTerm, TermKey: "character:" + strings.ToLower(name), Name: name, Category: "npc",
		Source: "campaign", Span: [2]int{start, start + len(heard)}, Surface: heard, Confidence: 0.8, Reason: "fuzzy"}
}

func expm1(x float64) float64 { return math.Exp(x) - 1 }

// segmentBench is the transcript mode of the command.
func segmentBench(ctx context.Context, o options, stdout, stderr io.Writer) error {
	st, size, err := openSegmentStore(ctx, o)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(stdout, "gmc bench search --segment-sessions: backend %s, %d sessions x %d segments, seed %d\n",
		o.backend, o.segmentSessions, o.segmentsPerSession, o.seed)
	corpus := newSegmentCorpus(o.seed)
	label := fmt.Sprintf("segments %dx%d", o.segmentSessions, o.segmentsPerSession)
	campaignID, _, err := st.BaselineSet(ctx, label)
	if errors.Is(err, gmc.ErrNotFound) {
		start := time.Now()
		if campaignID, err = loadSegments(ctx, st, corpus, o, stderr); err != nil {
			return err
		}
		if err := st.SaveBaselineSet(ctx, store.BaselineSet{Label: label, CampaignID: campaignID}); err != nil {
			return err
		}
		if err := analyzeSegments(ctx, st); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "loaded %d segments in %s\n", o.segmentSessions*o.segmentsPerSession, time.Since(start).Round(time.Second))
	} else if err != nil {
		return err
	}
	if s, err := size(ctx); err == nil {
		fmt.Fprintf(stdout, "index size: %s\n", s)
	}
	rng := rand.New(rand.NewPCG(o.seed, 99))
	kinds := []string{"word", "two words", "name", "common word"}
	queries := map[string][]string{}
	for _, k := range kinds {
		for range o.queries / len(kinds) {
			queries[k] = append(queries[k], corpus.query(rng, k))
		}
	}
	var all []string
	for _, k := range kinds {
		all = append(all, queries[k]...)
	}
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	fmt.Fprintf(stdout, "\nsegment search as a player (%d queries, concurrency %d)\n", len(all), o.concurrency)
	for _, gm := range []bool{false, true} {
		if _, _, err := timeSegments(ctx, st, campaignID, gm, all[:min(len(all), 200)], o.concurrency); err != nil {
			return err
		}
		who := "player"
		if gm {
			who = "gm"
		}
		lat, wall, err := timeSegments(ctx, st, campaignID, gm, all, o.concurrency)
		if err != nil {
			return err
		}
		printLatencies(stdout, who+", all", lat, wall)
		if gm {
			continue
		}
		for _, k := range kinds {
			lat, wall, err := timeSegments(ctx, st, campaignID, gm, queries[k], o.concurrency)
			if err != nil {
				return err
			}
			printLatencies(stdout, who+", "+k, lat, wall)
		}
	}
	return nil
}

// query makes one query of kind k.
func (c *segmentCorpus) query(rng *rand.Rand, k string) string {
	switch k {
	case "name":
		return c.names[rng.IntN(len(c.names))]
	case "common word":
		return c.vocab[rng.IntN(10)]
	}
	// A random segment's words, as the loader would have made one.
	saved := c.rng
	c.rng = rng
	defer func() { c.rng = saved }()
	words := strings.Fields(func() string { t, _ := c.segment(); return t }())
	if k == "word" || len(words) < 2 {
		return words[rng.IntN(len(words))]
	}
	i := rng.IntN(len(words) - 1)
	return words[i] + " " + words[i+1]
}

func timeSegments(ctx context.Context, st store.Store, campaignID string, gm bool, qs []string, concurrency int) ([]time.Duration, time.Duration, error) {
	lat := make([]time.Duration, len(qs))
	next := make(chan int)
	errs := make(chan error, concurrency)
	start := time.Now()
	for range concurrency {
		go func() {
			var first error
			for i := range next {
				t := time.Now()
				_, err := search.RunSegments(ctx, st, campaignID, gm, qs[i])
				lat[i] = time.Since(t)
				if err != nil && first == nil {
					first = err
				}
			}
			errs <- first
		}()
	}
	for i := range qs {
		next <- i
	}
	close(next)
	var err error
	for range concurrency {
		err = errors.Join(err, <-errs)
	}
	return lat, time.Since(start), err
}

func printLatencies(w io.Writer, name string, lat []time.Duration, wall time.Duration) {
	sorted := slices.Clone(lat)
	slices.Sort(sorted)
	fmt.Fprintf(w, "  %-22s p50 %9s  p95 %9s  p99 %9s  max %9s  %7.0f q/s\n", name, ms(percentile(sorted, 50)), ms(percentile(sorted, 95)),
		ms(percentile(sorted, 99)), ms(sorted[len(sorted)-1]), float64(len(sorted))/wall.Seconds())
}

type segmentStore interface {
	store.Store
	store.SearchBaseline
}

// openSegmentStore opens the mode's own database (a SQLite file or a
// PostgreSQL schema named after its parameters, reused by a second run),
// and a function that reports the size of the segment index.
func openSegmentStore(ctx context.Context, o options) (segmentStore, func(context.Context) (string, error), error) {
	name := "s" + strconv.FormatUint(o.seed, 10) + "_seg" + strconv.Itoa(o.segmentSessions) + "x" + strconv.Itoa(o.segmentsPerSession) + "_v1"
	var st segmentStore
	var size func(context.Context) (string, error)
	switch o.backend {
	case "sqlite":
		path := o.databaseURL
		if path == "" {
			path = filepath.Join(os.TempDir(), "gmc-bench-search-"+name+".db")
		}
		if o.fresh {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				_ = os.Remove(path + suffix)
			}
		}
		db, err := sqlite.Open(path)
		if err != nil {
			return nil, nil, err
		}
		st = db
		size = func(ctx context.Context) (string, error) {
			var fts, total int64
			err := db.Writer().QueryRowContext(ctx, `SELECT (SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'segment_%'), (SELECT sum(pgsize) FROM dbstat)`).Scan(&fts, &total)
			return fmt.Sprintf("segment_search + segment_text %d MB (database %d MB)", fts>>20, total>>20), err
		}
	case "postgres":
		if o.databaseURL == "" {
			return nil, nil, errors.New("--backend postgres needs --database-url")
		}
		db, err := postgres.OpenSchema(ctx, o.databaseURL, "gmcbench_"+name, o.fresh)
		if err != nil {
			return nil, nil, err
		}
		st = db
		size = func(ctx context.Context) (string, error) {
			var table, gin, segs int64
			err := db.Pool().QueryRow(ctx, `SELECT pg_table_size('segment_search'), pg_relation_size('segment_search_tsv'),
				pg_total_relation_size('transcript_segments')`).Scan(&table, &gin, &segs)
			return fmt.Sprintf("segment_search %d MB + GIN %d MB (transcript_segments %d MB)", table>>20, gin>>20, segs>>20), err
		}
	default:
		return nil, nil, fmt.Errorf("unknown --backend %q: sqlite or postgres", o.backend)
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, nil, err
	}
	if err := st.PrepareBaseline(ctx); err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, size, nil
}

// loadSegments stores the campaign, one session per transaction.
func loadSegments(ctx context.Context, st store.Store, c *segmentCorpus, o options, progress io.Writer) (string, error) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	newID := func() string { return uuid.Must(uuid.NewV7()).String() }
	u := &gmc.User{ID: newID(), Email: newID() + "@bench.invalid", DisplayName: "bench", PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
	if err := st.CreateUser(ctx, u); err != nil {
		return "", err
	}
	camp := &gmc.Campaign{ID: newID(), Name: "segments", Settings: gmc.DefaultCampaignSettings(), CreatedBy: u.ID, CreatedAt: now, UpdatedAt: now}
	ev := func(typ, id string) *gmc.Event {
		return &gmc.Event{ID: newID(), CampaignID: camp.ID, ActorID: u.ID, Action: gmc.ActionCreate, EntityType: typ, EntityID: id, At: now}
	}
	if err := st.CreateCampaign(ctx, camp, &gmc.Member{CampaignID: camp.ID, UserID: u.ID, Role: gmc.RoleGM, JoinedAt: now}, ev("campaign", camp.ID)); err != nil {
		return "", err
	}
	for s := range o.segmentSessions {
		started := now.Add(-time.Duration(o.segmentSessions-s) * 7 * 24 * time.Hour)
		gs := &gmc.GameSession{ID: newID(), CampaignID: camp.ID, Title: "Session " + strconv.Itoa(s+1), Status: gmc.SessionEnded,
			StartedAt: &started, CreatedAt: now, UpdatedAt: now}
		if err := st.CreateSession(ctx, gs, ev("session", gs.ID)); err != nil {
			return "", err
		}
		segs := make([]*gmc.TranscriptSegment, o.segmentsPerSession)
		var hits []*gmc.KeywordHit
		for i := range segs {
			text, hit := c.segment()
			segs[i] = &gmc.TranscriptSegment{ID: newID(), SessionID: gs.ID, SpeakerLabel: "SPEAKER_0" + strconv.Itoa(i%5),
				StartMS: int64(i) * 4000, EndMS: int64(i)*4000 + 3500, Text: text, Source: "bench", CreatedAt: now}
			if hit != nil {
				hit.ID, hit.SessionID, hit.SegmentID, hit.CreatedAt = newID(), gs.ID, segs[i].ID, now
				hits = append(hits, hit)
			}
		}
		if err := st.AppendSegments(ctx, segs, ev("transcript", gs.ID)); err != nil {
			return "", err
		}
		for _, h := range hits {
			h.Seq = segByID(segs, h.SegmentID).Seq
		}
		if err := st.CreateKeywordHits(ctx, hits); err != nil {
			return "", err
		}
		if (s+1)%50 == 0 {
			fmt.Fprintf(progress, "  sessions %d/%d\n", s+1, o.segmentSessions)
		}
	}
	return camp.ID, nil
}

func segByID(segs []*gmc.TranscriptSegment, id string) *gmc.TranscriptSegment {
	for _, s := range segs {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// analyzeSegments brings the planner's statistics up to date after the
// bulk load, as autovacuum would soon after.
func analyzeSegments(ctx context.Context, st store.Store) error {
	switch db := st.(type) {
	case *postgres.DB:
		_, err := db.Pool().Exec(ctx, `VACUUM ANALYZE segment_search, transcript_segments, keyword_hits`)
		return err
	case *sqlite.DB:
		_, err := db.Writer().ExecContext(ctx, `ANALYZE`)
		return err
	}
	return nil
}

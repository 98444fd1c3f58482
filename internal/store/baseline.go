package store

import (
	"context"

	"github.com/gmc-project/gmc/internal/search"
)

// SearchBaseline is what `gmc bench search` holds gmc's search against: a
// plain table of every name and alias of a benchmark data set, searched the
// way an application without a search index would, by substring. Its
// tables live beside the store's own, outside the migrations, and only the
// benchmark writes them. Both backends implement it, and TrigramBaseline
// too.
type SearchBaseline interface {
	// PrepareBaseline creates the baseline's tables if they are missing.
	PrepareBaseline(ctx context.Context) error
	// SaveBaselineSet records set in one transaction. A label is saved once.
	SaveBaselineSet(ctx context.Context, set BaselineSet) error
	// BaselineSet returns the campaign and the refs, in their saved order,
	// of the set saved under label, or gmc.ErrNotFound.
	BaselineSet(ctx context.Context, label string) (campaignID string, refs []string, err error)
	// BaselineContains returns the entities of campaignID with a name that
	// contains q, ignoring case (ASCII case only on SQLite, whose LIKE
	// folds nothing else), shortest name first. It reads at most limit
	// names and returns each entity once.
	BaselineContains(ctx context.Context, campaignID, q string, limit int) ([]string, error)
	// RefreshStatistics brings the planner's statistics (and PostgreSQL's
	// visibility map, which index-only scans need) up to date after a bulk
	// load, as autovacuum would soon after on a server where it is on.
	RefreshStatistics(ctx context.Context) error
}

// TrigramBaseline is the trigram index baseline: names found and ranked by
// their trigrams alone. PostgreSQL ranks by pg_trgm's similarity() the
// names over its default threshold; SQLite ranks by bm25 the names its
// FTS5 trigram index holds any of the query's trigrams for.
type TrigramBaseline interface {
	// BaselineSimilar returns the entities of campaignID whose names are
	// most similar to q, reading at most limit names, each entity once.
	BaselineSimilar(ctx context.Context, campaignID, q string, limit int) ([]string, error)
}

// BaselineSet is a benchmark data set stored as one campaign.
type BaselineSet struct {
	// Label names the set; a later run finds the set by it.
	Label      string
	CampaignID string
	Entities   []BaselineEntity
}

// BaselineEntity is one entity of a set.
type BaselineEntity struct {
	// Ref is "type/id", as search results name the entity.
	Ref string
	// Names are its name and aliases.
	Names []string
}

// BulkSearchIndex is how `gmc bench search` fills a throw-away database
// with a large campaign in minutes (PostgreSQL's only): the documents go
// into the search index by COPY, indexed by search.Index exactly as entity
// writes index them, but without the entity rows themselves, which search
// never reads.
type BulkSearchIndex interface {
	// BulkIndex adds docs to the search index; none may be indexed yet.
	BulkIndex(ctx context.Context, docs []search.Document) error
	// SearchIndexBytes returns the size of the search tables and their
	// indexes (keys, documents), in bytes.
	SearchIndexBytes(ctx context.Context) (keys, docs int64, err error)
}

package store

import (
	"context"
	"time"

	"github.com/gmc-project/gmc/internal/reference"
)

// ReferenceFilter selects reference entries. Cursor is "kind/slug".
type ReferenceFilter struct {
	Kind   string
	Limit  int
	Cursor string
}

// ReferenceStore keeps the imported SRD entries.
type ReferenceStore interface {
	// UpsertReferenceEntries inserts new entries and replaces changed ones,
	// all in one transaction, and says how many of each. Importing the same
	// data twice changes nothing.
	UpsertReferenceEntries(ctx context.Context, entries []reference.Entry, at time.Time) (inserted, updated int, err error)
	// ReferenceEntry returns one entry, or ErrNotFound.
	ReferenceEntry(ctx context.Context, kind, slug string) (*reference.Entry, error)
	// ReferenceEntries lists entries ordered by kind and slug, and the
	// cursor of the next page ("" at the end).
	ReferenceEntries(ctx context.Context, f ReferenceFilter) ([]reference.Entry, string, error)
	// ReferenceKinds counts the entries of each kind.
	ReferenceKinds(ctx context.Context) (map[string]int, error)
}

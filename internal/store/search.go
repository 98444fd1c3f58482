package store

import "github.com/gmc-project/gmc/internal/search"

// SearchStore is the search index as package search reads it: bounded
// lookups of keys, words and trigrams, and candidate documents. Backends
// keep the index current inside the transaction of every write to an
// indexed entity (sessions, characters, locations, plot threads, reference
// entries) and remove an entity's entry with it; nothing re-indexes later.
// The lookups return no sentinel errors: nothing found is an empty answer.
type SearchStore interface {
	search.Source
}

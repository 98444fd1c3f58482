package store

import "github.com/gmc-project/gmc/internal/search"

// SegmentSearchStore is the index of transcript segments as package search
// reads it. Backends index a segment's text in the transaction that
// appends it, and the names of its keyword hits in the transaction that
// stores them; a segment leaves the index with its session.
type SegmentSearchStore interface {
	search.SegmentSource
}

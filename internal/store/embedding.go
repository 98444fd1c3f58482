package store

import (
	"context"
	"slices"
)

// Owner types of embeddings besides the search document types
// (character, location, plot, session).
const EmbeddingSegment = "segment"

// EmbeddingStore keeps one embedding per campaign entity (its searchable
// text, as search.EmbedText makes it) and per transcript segment. The
// backends mark an owner pending inside the transaction of every write
// that changes its text, so a vector is never silently behind its owner
// for long: the embedding job (PendingEmbeddings, PutEmbeddings) catches
// up. Deleting the owner deletes its embedding. None of the methods
// returns a sentinel error.
type EmbeddingStore interface {
	// EmbeddingCampaigns lists up to limit campaigns with pending embeddings.
	EmbeddingCampaigns(ctx context.Context, limit int) ([]string, error)
	// PendingEmbeddings returns up to limit of a campaign's pending
	// owners with the text to embed, oldest change first.
	PendingEmbeddings(ctx context.Context, campaignID string, limit int) ([]EmbeddingSource, error)
	// PutEmbeddings stores vectors made by model (unit length; the
	// backend normalises) and clears the pending mark of each owner
	// whose text is still the one embedded (same Version); an owner
	// changed in the meantime stays pending. It returns how many it
	// stored.
	PutEmbeddings(ctx context.Context, model string, vecs []EmbeddingVector) (int, error)
	// MarkEmbeddingsStale marks pending every embedding made by another
	// model than model (the configured model changed) and returns how many.
	MarkEmbeddingsStale(ctx context.Context, model string) (int, error)
	// NearestEmbeddings returns up to q.K owners of q.CampaignID whose
	// vectors by q.Model are most similar to q.Vector, most similar first.
	// Players (q.GM unset) never get a GM-only entity: visibility is read
	// from the entity's current search document, not from the vector.
	NearestEmbeddings(ctx context.Context, q EmbeddingQuery) ([]EmbeddingMatch, error)
}

// EmbeddingSource is an owner whose vector is missing or behind its text.
type EmbeddingSource struct {
	OwnerType, OwnerID string
	// Version counts the changes of Text; PutEmbeddings stores a vector
	// only for the version it was made from.
	Version int64
	Text    string
}

// EmbeddingVector is a computed vector for one version of an owner.
type EmbeddingVector struct {
	OwnerType, OwnerID string
	Version            int64
	Vector             []float32
}

// EmbeddingQuery asks for the owners nearest Vector.
type EmbeddingQuery struct {
	CampaignID string
	Model      string
	Vector     []float32
	K          int
	GM         bool
	// Types, when set, keeps only owners of these types.
	Types []string
}

// EmbeddingMatch is one owner near the query. DocID is its search
// document (0 for a segment).
type EmbeddingMatch struct {
	OwnerType, OwnerID string
	DocID              int64
	Similarity         float64
}

// Admits reports whether q may be answered with m, given the documents
// of q's campaign that only its GM sees (hidden; ignored for a GM): a
// transcript segment is every member's to read, a document is not when
// hidden from q's role, and with q.Types only those types are.
func (q EmbeddingQuery) Admits(m EmbeddingMatch, hidden map[int64]bool) bool {
	if len(q.Types) > 0 && !slices.Contains(q.Types, m.OwnerType) {
		return false
	}
	return q.GM || m.DocID == 0 || !hidden[m.DocID]
}

package search

import "context"

// Source is what a store offers search: bounded index lookups. Every
// method sees only the documents Filter allows.
type Source interface {
	// SearchKeys returns the documents each key reaches, in key and then
	// document order, within the per-key bounds of p.
	SearchKeys(ctx context.Context, p KeyProbe) ([]Hit, error)
	// SearchText returns up to p.Limit documents whose text holds every
	// word of p (the last as a prefix when p.LastPrefix); GM-only text
	// counts only when p.GM is set.
	SearchText(ctx context.Context, p TextProbe) ([]int64, error)
	// SearchTrigrams returns up to p.Limit documents whose names are most
	// like p.Text by trigram similarity: the fallback for what keys miss.
	SearchTrigrams(ctx context.Context, p TrigramProbe) ([]int64, error)
	// SearchDocs loads the documents p.IDs, with their text for those in
	// p.TextIDs (and GM-only text when p.GM is set).
	SearchDocs(ctx context.Context, p DocsProbe) ([]Candidate, error)
}

// Filter says which documents a probe may reach.
type Filter struct {
	// Scope is a campaign id or ReferenceScope.
	Scope string
	// GM admits GM-only documents and GM-only text.
	GM bool
	// Tags, when set, admits only documents that carry every one of them.
	Tags []string
}

// Key is one index lookup: the keys equal to Text, or that begin with it.
type Key struct {
	Text   string
	Prefix bool
	// First and Last are the query words the key stands for (a key of
	// joined words stands for several).
	First, Last int
	// unit is the query unit the key stands for.
	unit int
}

// KeyProbe asks for the documents of many keys at once: at most PerKey
// documents for each exact key and PerPrefix for each prefix.
type KeyProbe struct {
	Filter
	Keys              []Key
	PerKey, PerPrefix int
}

// Hit says that key number Key of a probe reached document DocID.
type Hit struct {
	DocID int64
	Key   int
}

// TextProbe asks for documents whose text holds all of Words.
type TextProbe struct {
	Filter
	Words      []string
	LastPrefix bool
	Limit      int
}

// TrigramProbe asks for the documents whose names are most like Text.
type TrigramProbe struct {
	Filter
	Text  string
	Limit int
}

// DocsProbe asks for documents by id.
type DocsProbe struct {
	Filter
	IDs, TextIDs []int64
}

// Candidate is a stored document as ranking reads it.
type Candidate struct {
	DocID   int64
	Type    string
	ID      string
	Name    string
	Aliases []string
	Context string
	GMOnly  bool
	// Forms is Indexed.Forms.
	Forms string
	// Text and GMText are loaded for documents the text probe found
	// (GMText only for GMs).
	Text, GMText string
	// TextHit says the text probe found the document.
	TextHit bool
}

// Gatherer is a Source that runs the first lookups of a search (the
// caller's membership, the keys, the full text, the choice of candidates
// and their loading) as one statement: one round trip to a database
// server instead of four. It must choose the candidates as
// PickCandidates does; the store contract suite checks that it does.
type Gatherer interface {
	Gather(ctx context.Context, p GatherProbe) (Gathered, error)
}

// GatherProbe is what Gather looks up.
type GatherProbe struct {
	Filter
	// Member, when set, is the user who searches the campaign Scope: the
	// lookups run only if they are a member, as GM if their role is gm,
	// and Filter.GM is ignored.
	Member string
	// Keys are looked up as by SearchKeys, within PerKey and PerPrefix.
	Keys              []Key
	PerKey, PerPrefix int
	// Words is the text probe (skipped when Words is empty), of at most
	// TextLimit documents.
	Words      []string
	LastPrefix bool
	TextLimit  int
	// MaxCandidates bounds the documents chosen from the keys' hits.
	MaxCandidates int
	// Words of the query, which the keys' First and Last index.
	QueryWords int
}

// Gathered is what Gather found.
type Gathered struct {
	// Allowed is false when GatherProbe.Member is not a member of the
	// campaign; nothing else is set then.
	Allowed bool
	// GM is whether the lookups admitted GM-only documents and text.
	GM bool
	// Candidates are the chosen documents, loaded as by SearchDocs with
	// TextHit set on those the text probe found.
	Candidates []Candidate
}

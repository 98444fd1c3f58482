package service

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/reference"
	"github.com/gmc-project/gmc/internal/store"
)

// ImportResult says what a reference import changed.
type ImportResult struct {
	Read      int            `json:"read"`
	Inserted  int            `json:"inserted"`
	Updated   int            `json:"updated"`
	Unchanged int            `json:"unchanged"`
	Kinds     map[string]int `json:"kinds"`
}

// ImportReference loads 5e-database JSON files from dir into the reference
// entries, idempotently. It is an operator's command, not an API call.
func (s *Service) ImportReference(ctx context.Context, dir string) (*ImportResult, error) {
	entries, err := reference.Load(dir)
	if err != nil {
		return nil, err
	}
	ins, upd, err := s.store.UpsertReferenceEntries(ctx, entries, s.clock())
	if err != nil {
		return nil, err
	}
	s.bump(ctx, ReferenceScope)
	kinds, err := s.store.ReferenceKinds(ctx)
	if err != nil {
		return nil, err
	}
	return &ImportResult{Read: len(entries), Inserted: ins, Updated: upd, Unchanged: len(entries) - ins - upd, Kinds: kinds}, nil
}

// ReferenceEntry returns one SRD entry to any signed-in user.
// Entries are the same for everyone, so they are cached (with
// Config.CacheReads) under ReferenceScope, which every import bumps; an
// import by a process that shares no generations with this one (`gmc
// reference import` on the SQLite file of a running server) is served
// once the cached entry is cache.DefaultMaxAge old.
func (s *Service) ReferenceEntry(ctx context.Context, kind, slug string) (*reference.Entry, error) {
	load := func(ctx context.Context) (*reference.Entry, error) {
		return s.store.ReferenceEntry(store.ReadPrimary(ctx), kind, slug)
	}
	var e *reference.Entry
	var err error
	if s.references != nil {
		e, err = s.references.Get(ctx, ReferenceScope, kind+"\x00"+slug, load)
	} else {
		e, err = s.store.ReferenceEntry(ctx, kind, slug)
	}
	if err != nil {
		return nil, notFound(err, "reference_entry")
	}
	c := *e // callers get their own copy of the shared entry
	return &c, nil
}

// ReferenceEntries lists SRD entries, optionally of one kind.
func (s *Service) ReferenceEntries(ctx context.Context, kind string, page gmc.Page) ([]reference.Entry, string, error) {
	page = page.Normalize()
	return s.store.ReferenceEntries(ctx, store.ReferenceFilter{Kind: kind, Limit: page.Limit, Cursor: page.Cursor})
}

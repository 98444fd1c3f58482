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
	kinds, err := s.store.ReferenceKinds(ctx)
	if err != nil {
		return nil, err
	}
	return &ImportResult{Read: len(entries), Inserted: ins, Updated: upd, Unchanged: len(entries) - ins - upd, Kinds: kinds}, nil
}

// ReferenceEntry returns one SRD entry to any signed-in user.
func (s *Service) ReferenceEntry(ctx context.Context, kind, slug string) (*reference.Entry, error) {
	e, err := s.store.ReferenceEntry(ctx, kind, slug)
	if err != nil {
		return nil, notFound(err, "reference_entry")
	}
	return e, nil
}

// ReferenceEntries lists SRD entries, optionally of one kind.
func (s *Service) ReferenceEntries(ctx context.Context, kind string, page gmc.Page) ([]reference.Entry, string, error) {
	page = page.Normalize()
	return s.store.ReferenceEntries(ctx, store.ReferenceFilter{Kind: kind, Limit: page.Limit, Cursor: page.Cursor})
}

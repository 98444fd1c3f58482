package live

import (
	"context"
	"maps"
	"slices"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/keywords"
	"github.com/gmc-project/gmc/internal/reference"
	"github.com/gmc-project/gmc/internal/store"
)

// srdDict is the SRD part of every campaign's dictionary, loaded once per
// process from the stored reference entries and shared (it is read-only).
type srdDict struct {
	terms   []keywords.Term
	cards   map[string]*KeywordCard // by term key
	lexicon *keywords.Lexicon
	// kinds counts the entries of each kind when it was loaded: a change
	// means someone imported reference data since.
	kinds map[string]int
}

// loadSRD reads every stored reference entry into a dictionary part.
func loadSRD(ctx context.Context, st Store) (*srdDict, error) {
	kinds, err := st.ReferenceKinds(ctx)
	if err != nil {
		return nil, err
	}
	var entries []reference.Entry
	err = gmc.EachPage(func(cursor string) ([]reference.Entry, string, error) {
		return st.ReferenceEntries(ctx, store.ReferenceFilter{Limit: 1000, Cursor: cursor})
	}, func(e reference.Entry) { entries = append(entries, e) })
	if err != nil {
		return nil, err
	}
	// FromReference keeps the first record of a name in its kind; the
	// store lists by slug, so put the records a variant derives from first.
	slices.SortStableFunc(entries, func(a, b reference.Entry) int {
		switch {
		case a.Variant == b.Variant:
			return 0
		case b.Variant:
			return -1
		}
		return 1
	})
	d := &srdDict{terms: keywords.FromReference(entries), cards: map[string]*KeywordCard{},
		lexicon: keywords.LexiconFromReference(entries), kinds: kinds}
	bySlug := make(map[string]*reference.Entry, len(entries))
	for i := range entries {
		bySlug["srd:"+entries[i].Kind+":"+entries[i].Slug] = &entries[i]
	}
	for _, t := range d.terms {
		if e := bySlug[t.Key]; e != nil {
			d.cards[t.Key] = referenceCard(e)
		}
	}
	return d, nil
}

// srdPart returns the shared SRD part, loading it the first time; check
// also reloads it when the stored entries' counts changed, at most once
// per dictRefresh.
func (c *keywordCache) srdPart(ctx context.Context, check bool) (*srdDict, error) {
	c.srdMu.Lock()
	defer c.srdMu.Unlock()
	if c.srd != nil && (!check || c.now().Sub(c.srdChecked) < dictRefresh) {
		return c.srd, nil
	}
	if c.srd != nil {
		kinds, err := c.store.ReferenceKinds(ctx)
		if err != nil {
			return nil, err
		}
		c.srdChecked = c.now()
		if maps.Equal(kinds, c.srd.kinds) {
			return c.srd, nil
		}
	}
	srd, err := loadSRD(ctx, c.store)
	if err != nil {
		return nil, err
	}
	c.srd, c.srdChecked = srd, c.now()
	return srd, nil
}

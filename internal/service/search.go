package service

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/reference"
	textsearch "github.com/gmc-project/gmc/internal/search"
)

// isSearchType reports the entity types a campaign search may be limited to.
func isSearchType(t string) bool {
	switch t {
	case textsearch.TypeCharacter, textsearch.TypeLocation, textsearch.TypePlot, textsearch.TypeSession, textsearch.TypeSegment:
		return true
	}
	return false
}

// SearchParams is a campaign textsearch.
type SearchParams struct {
	Query string
	// Types limits the results to these entity types (facets still count
	// every type); empty means all.
	Types []string
	// Tags keeps only entities that carry every one of these tags.
	Tags  []string
	Limit int
}

// Search searches a campaign the caller belongs to, forgiving typos and
// sound-alikes. Only GMs find GM-only entities or match GM-only text; a
// non-member gets ErrNotFound.
func (s *Service) Search(ctx context.Context, userID, campaignID string, p SearchParams) (*textsearch.Result, error) {
	var v gmc.Validator
	validateQuery(&v, p.Query, p.Limit)
	// "types=" or "types=a,,b" leave empty entries; they mean nothing.
	p.Types = slices.DeleteFunc(slices.Clone(p.Types), func(t string) bool { return strings.TrimSpace(t) == "" })
	for _, t := range p.Types {
		v.Check(isSearchType(t), "query.types", "must list only character, location, plot, session, segment")
	}
	v.Check(len(p.Tags) <= gmc.MaxTags, "query.tags", "must list at most 50 tags")
	if err := v.Err(); err != nil {
		// A non-member learns nothing, not even what was wrong with the
		// query.
		if _, aerr := s.access(ctx, campaignID, userID, gmc.RoleObserver); aerr != nil {
			return nil, aerr
		}
		return nil, err
	}
	tags := make([]string, 0, len(p.Tags))
	for _, t := range p.Tags {
		// Tags are stored lower-cased (gmc.Character.Normalize).
		if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
			tags = append(tags, t)
		}
	}
	req := textsearch.Request{Filter: textsearch.Filter{Scope: campaignID, Tags: tags}, Query: p.Query, Types: p.Types, Limit: p.Limit}
	sem := s.semantic()
	if sem != nil {
		req.Semantic = sem // never a typed nil: Run tests the interface
	}
	if _, ok := s.store.(textsearch.Gatherer); ok {
		// The store checks membership and role in the search's own
		// statement: one round trip instead of two.
		req.Member = userID
	} else {
		m, err := s.access(ctx, campaignID, userID, gmc.RoleObserver)
		if err != nil {
			return nil, err
		}
		req.GM = m.Role == gmc.RoleGM
	}
	res, err := textsearch.Run(ctx, s.store, req)
	if errors.Is(err, textsearch.ErrNotMember) {
		return nil, gmc.Errorf(gmc.ErrNotFound, "campaign_not_found", "campaign not found")
	}
	if err != nil {
		return nil, err
	}
	// Segments care only whether the caller is the GM: players and
	// observers read the same transcript.
	role := gmc.RolePlayer
	if res.GM {
		role = gmc.RoleGM
	}
	return res, s.searchSegments(ctx, role, campaignID, p, res, sem)
}

// isReferenceKind reports the kind filters of SearchReference; "item"
// stands for magic items and equipment.
func isReferenceKind(kind string) bool {
	switch kind {
	case reference.KindSpell, reference.KindMonster, reference.KindCondition, "item":
		return true
	}
	return false
}

// SearchReference searches the SRD reference entries, for any signed-in
// user; kind is spell, monster, condition, item or "" for all.
func (s *Service) SearchReference(ctx context.Context, query, kind string, limit int) (*textsearch.Result, error) {
	var v gmc.Validator
	validateQuery(&v, query, limit)
	v.Check(kind == "" || isReferenceKind(kind), "query.kind", "must be one of spell, monster, condition, item")
	if err := v.Err(); err != nil {
		return nil, err
	}
	return textsearch.Run(ctx, s.store, textsearch.Request{
		Filter: textsearch.Filter{Scope: textsearch.ReferenceScope},
		Query:  query, Types: textsearch.ReferenceKinds(kind), Limit: limit,
	})
}

func validateQuery(v *gmc.Validator, query string, limit int) {
	v.Check(strings.TrimSpace(query) != "", "query.q", "is required")
	v.Check(utf8.RuneCountInString(query) <= textsearch.MaxQueryRunes, "query.q", "must be at most 200 characters")
	v.Check(limit >= 0 && limit <= textsearch.MaxLimit, "query.limit", "must be between 1 and 100")
}

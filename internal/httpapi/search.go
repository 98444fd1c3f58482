package httpapi

import (
	"context"

	"github.com/gmc-project/gmc/internal/reference"
	"github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/service"
)

type searchInput struct {
	CampaignPath
	Q     string   `query:"q" required:"true" minLength:"1" pattern:"\\S" maxLength:"200" example:"gorik stone beard" doc:"Names (misspelt, sounded out, split or run together) or words of the text"`
	Types []string `query:"types" doc:"Only results of these types (comma-separated): character, location, plot, session, segment (transcript segments, matched by their words and the names keyword detection resolved in them, and with embeddings on by their meaning, match semantic, below every match of words). None means all. Facets count every type; segments are counted up to 100."`
	Tags  []string `query:"tags" doc:"Only entities carrying every one of these tags (comma-separated)"`
	Limit int      `query:"limit" minimum:"1" maximum:"100" default:"20"`
}

// SearchOutput answers a search: results best first (exact > prefix >
// fuzzy > phonetic > fulltext, semantic below every name match; a
// transcript line found by meaning alone below every match of words) and
// the count of matches of each type.
type SearchOutput struct {
	Body *search.Result
}

func (a *api) handleSearch(ctx context.Context, uid string, in *searchInput) (*SearchOutput, error) {
	res, err := a.svc.Search(ctx, uid, in.CampaignID, service.SearchParams{Query: in.Q, Types: in.Types, Tags: in.Tags, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	return &SearchOutput{Body: res}, nil
}

type referenceSearchInput struct {
	Q     string `query:"q" required:"true" minLength:"1" pattern:"\\S" maxLength:"200" example:"fire ball"`
	Kind  string `query:"kind" doc:"Only entries of this kind: spell, monster, condition, item (magic items and equipment)"`
	Limit int    `query:"limit" minimum:"1" maximum:"100" default:"20"`
}

// ReferenceSearchOutput carries the licence statement CC-BY-4.0 asks for
// with SRD text (the highlights quote it).
type ReferenceSearchOutput struct {
	Body struct {
		*search.Result
		Attribution string `json:"attribution"`
	}
}

func (a *api) handleReferenceSearch(ctx context.Context, _ string, in *referenceSearchInput) (*ReferenceSearchOutput, error) {
	res, err := a.svc.SearchReference(ctx, in.Q, in.Kind, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &ReferenceSearchOutput{}
	out.Body.Result, out.Body.Attribution = res, reference.Attribution
	return out, nil
}

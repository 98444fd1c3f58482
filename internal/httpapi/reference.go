package httpapi

import (
	"context"

	"github.com/gmc-project/gmc/internal/reference"
)

// ReferenceOutput carries the licence statement CC-BY-4.0 asks for with
// every piece of SRD text served.
type ReferenceOutput struct {
	Body struct {
		*reference.Entry
		Attribution string `json:"attribution"`
		DataNotice  string `json:"data_notice"`
	}
}

type referenceGetInput struct {
	Kind string `path:"kind" maxLength:"64" example:"spell"`
	Slug string `path:"slug" maxLength:"128" example:"fireball"`
}

func (a *api) handleReferenceGet(ctx context.Context, _ string, in *referenceGetInput) (*ReferenceOutput, error) {
	e, err := a.svc.ReferenceEntry(ctx, in.Kind, in.Slug)
	if err != nil {
		return nil, err
	}
	out := &ReferenceOutput{}
	out.Body.Entry = e
	out.Body.Attribution, out.Body.DataNotice = reference.Attribution, reference.DataNotice
	return out, nil
}

type referenceListInput struct {
	Kind   string `query:"kind" maxLength:"64" doc:"Only entries of this kind (spell, monster, condition, magic_item, equipment, …)"`
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
	Cursor string `query:"cursor" maxLength:"256"`
}

// ReferenceSummary is an entry without its raw data, for lists.
type ReferenceSummary struct {
	Kind    string         `json:"kind"`
	Slug    string         `json:"slug"`
	Name    string         `json:"name"`
	Aliases []string       `json:"aliases,omitempty"`
	Card    reference.Card `json:"card"`
}

// ReferenceListOutput answers with a page of SRD entries.
type ReferenceListOutput struct {
	Body struct {
		Items       []ReferenceSummary `json:"items"`
		NextCursor  string             `json:"next_cursor"`
		Attribution string             `json:"attribution"`
	}
}

func (a *api) handleReferenceList(ctx context.Context, _ string, in *referenceListInput) (*ReferenceListOutput, error) {
	entries, next, err := a.svc.ReferenceEntries(ctx, in.Kind, PageInput{Limit: in.Limit, Cursor: in.Cursor}.page())
	if err != nil {
		return nil, err
	}
	out := &ReferenceListOutput{}
	out.Body.Items = make([]ReferenceSummary, len(entries))
	for i, e := range entries {
		out.Body.Items[i] = ReferenceSummary{Kind: e.Kind, Slug: e.Slug, Name: e.Name, Aliases: e.Aliases, Card: e.Card}
	}
	out.Body.NextCursor, out.Body.Attribution = next, reference.Attribution
	return out, nil
}

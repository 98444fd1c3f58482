package httpapi

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

// KeywordPath names one keyword in a path.
type KeywordPath struct {
	KeywordID string `path:"keyword_id" format:"uuid" doc:"Keyword id"`
}

// KeywordOutput answers with one keyword.
type KeywordOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     *gmc.Keyword
}

func keywordOut(k *gmc.Keyword) *KeywordOutput {
	return &KeywordOutput{ETag: etag(k.Version), Body: k}
}

// keywordBody is a create or PUT body. In a PUT, absent fields take their
// defaults: no aliases, category "custom", visibility gm, not common, no notes.
type keywordBody struct {
	Term       string         `json:"term" maxLength:"255" example:"Iron Lanterns"`
	Aliases    []string       `json:"aliases,omitempty" maxItems:"50" doc:"Other names that mean the same term"`
	Category   string         `json:"category,omitempty" maxLength:"32" example:"faction" doc:"One word: item, faction, deity, … (default custom)"`
	Visibility gmc.Visibility `json:"visibility,omitempty" enum:"gm,players" doc:"Who sees it and its alerts; gm by default"`
	Common     bool           `json:"common,omitempty" doc:"An everyday word: alert only when the words around it show the game sense"`
	Notes      string         `json:"notes,omitempty" maxLength:"10000" doc:"Shown on the alert's card"`
}

func (b keywordBody) params() service.KeywordParams {
	return service.KeywordParams{Term: b.Term, Aliases: b.Aliases, Category: b.Category, Visibility: b.Visibility, Common: b.Common, Notes: b.Notes}
}

type keywordCreateInput struct {
	CampaignPath
	Body keywordBody
}

func (a *api) handleKeywordCreate(ctx context.Context, uid string, in *keywordCreateInput) (*KeywordOutput, error) {
	k, err := a.svc.CreateKeyword(ctx, uid, in.CampaignID, in.Body.params())
	if err != nil {
		return nil, err
	}
	out := keywordOut(k)
	out.Location = BasePath + "/keywords/" + k.ID
	return out, nil
}

type keywordListInput struct {
	CampaignPath
	PageInput
	Category string `query:"category" maxLength:"32" doc:"Only keywords of this category"`
}

func (a *api) handleKeywordList(ctx context.Context, uid string, in *keywordListInput) (*ListOutput[*gmc.Keyword], error) {
	items, next, err := a.svc.Keywords(ctx, uid, service.KeywordQuery{CampaignID: in.CampaignID, Category: in.Category, Page: in.page()})
	if err != nil {
		return nil, err
	}
	return list(items, next), nil
}

func (a *api) handleKeywordGet(ctx context.Context, uid string, in *KeywordPath) (*KeywordOutput, error) {
	k, err := a.svc.Keyword(ctx, uid, in.KeywordID)
	if err != nil {
		return nil, err
	}
	return keywordOut(k), nil
}

type keywordPutInput struct {
	KeywordPath
	IfMatch string `header:"If-Match" doc:"Version the change is based on"`
	Body    keywordBody
}

func (a *api) handleKeywordPut(ctx context.Context, uid string, in *keywordPutInput) (*KeywordOutput, error) {
	b := in.Body
	aliases := b.Aliases
	upd := service.KeywordUpdate{Term: &b.Term, Aliases: &aliases, Category: &b.Category, Visibility: &b.Visibility, Common: &b.Common, Notes: &b.Notes}
	return a.updateKeyword(ctx, uid, in.KeywordID, in.IfMatch, upd)
}

type keywordPatchInput struct {
	KeywordPath
	IfMatch string `header:"If-Match" doc:"Version the change is based on"`
	Body    struct {
		Term       *string         `json:"term,omitempty" maxLength:"255"`
		Aliases    []string        `json:"aliases,omitempty" maxItems:"50"`
		Category   *string         `json:"category,omitempty" maxLength:"32"`
		Visibility *gmc.Visibility `json:"visibility,omitempty" enum:"gm,players"`
		Common     *bool           `json:"common,omitempty"`
		Notes      *string         `json:"notes,omitempty" maxLength:"10000"`
	}
}

func (a *api) handleKeywordPatch(ctx context.Context, uid string, in *keywordPatchInput) (*KeywordOutput, error) {
	b := in.Body
	upd := service.KeywordUpdate{Term: b.Term, Category: b.Category, Visibility: b.Visibility, Common: b.Common, Notes: b.Notes}
	if b.Aliases != nil {
		upd.Aliases = &b.Aliases
	}
	return a.updateKeyword(ctx, uid, in.KeywordID, in.IfMatch, upd)
}

func (a *api) updateKeyword(ctx context.Context, uid, id, ifMatchHeader string, upd service.KeywordUpdate) (*KeywordOutput, error) {
	var err error
	if upd.IfMatch, err = ifMatch(ifMatchHeader); err != nil {
		return nil, err
	}
	k, err := a.svc.UpdateKeyword(ctx, uid, id, upd)
	if err != nil {
		return nil, err
	}
	return keywordOut(k), nil
}

type keywordDeleteInput struct {
	KeywordPath
	IfMatch string `header:"If-Match" doc:"Version the deletion is based on"`
}

func (a *api) handleKeywordDelete(ctx context.Context, uid string, in *keywordDeleteInput) (*struct{}, error) {
	v, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	return nil, a.svc.DeleteKeyword(ctx, uid, in.KeywordID, v)
}

type keywordHitListInput struct {
	SessionPath
	PageInput
	Kind string `query:"kind" enum:"term,rule" doc:"Only term mentions or only rule phrases"`
}

func (a *api) handleKeywordHitList(ctx context.Context, uid string, in *keywordHitListInput) (*ListOutput[*gmc.KeywordHit], error) {
	items, next, err := a.svc.KeywordHits(ctx, uid, service.KeywordHitQuery{SessionID: in.SessionID, Kind: in.Kind, Page: in.page()})
	if err != nil {
		return nil, err
	}
	return list(items, next), nil
}

package httpapi

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

// RelationshipPath names one relationship in a path.
type RelationshipPath struct {
	RelationshipID string `path:"relationship_id" format:"uuid" doc:"Relationship id"`
}

// RelationshipOutput answers with one relationship.
type RelationshipOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     *gmc.Relationship
}

func relationshipOut(r *gmc.Relationship) *RelationshipOutput {
	return &RelationshipOutput{ETag: etag(r.Version), Body: r}
}

// HistoryBody holds what goes into the history entry a relationship
// write appends.
// Exported because huma skips the fields of unexported embedded structs.
type HistoryBody struct {
	SessionID *string `json:"session_id,omitempty" format:"uuid" nullable:"true" doc:"The game session the change happened in"`
	Note      string  `json:"note,omitempty" maxLength:"2000" doc:"Why it changed; by default a summary of the change"`
}

type relationshipCreateInput struct {
	CharacterPath
	Body struct {
		TargetID    string         `json:"target_id" format:"uuid" doc:"The other character, in the same campaign"`
		Kind        string         `json:"kind" maxLength:"32" pattern:"^[a-z][a-z0-9_]*$" example:"ally" doc:"ally, enemy, family, romance, rival, employer, member_of, or a lower-case word of your own"`
		Attitude    int            `json:"attitude,omitempty" minimum:"-100" maximum:"100" doc:"How the source feels about the target"`
		Description string         `json:"description,omitempty" maxLength:"100000"`
		Visibility  gmc.Visibility `json:"visibility,omitempty" enum:"gm,players" doc:"Who sees it; gm by default"`
		Mutual      bool           `json:"mutual,omitempty" doc:"Keep a reverse edge target→source in step with this one"`
		SessionID   *string        `json:"session_id,omitempty" format:"uuid" nullable:"true" doc:"The game session it began in"`
		Note        string         `json:"note,omitempty" maxLength:"2000"`
	}
}

func (a *api) handleRelationshipCreate(ctx context.Context, uid string, in *relationshipCreateInput) (*RelationshipOutput, error) {
	b := in.Body
	r, err := a.svc.CreateRelationship(ctx, uid, in.CharacterID, service.RelationshipParams{TargetID: b.TargetID, Kind: b.Kind, Attitude: b.Attitude,
		Description: b.Description, Visibility: b.Visibility, Mutual: b.Mutual, SessionID: b.SessionID, Note: b.Note})
	if err != nil {
		return nil, err
	}
	out := relationshipOut(r)
	out.Location = BasePath + "/relationships/" + r.ID
	return out, nil
}

type relationshipListInput struct {
	CharacterPath
	PageInput
}

func (a *api) handleRelationshipList(ctx context.Context, uid string, in *relationshipListInput) (*ListOutput[*gmc.Relationship], error) {
	items, next, err := a.svc.Relationships(ctx, uid, in.CharacterID, in.page())
	if err != nil {
		return nil, err
	}
	return list(items, next), nil
}

func (a *api) handleRelationshipGet(ctx context.Context, uid string, in *RelationshipPath) (*RelationshipOutput, error) {
	r, err := a.svc.Relationship(ctx, uid, in.RelationshipID)
	if err != nil {
		return nil, err
	}
	return relationshipOut(r), nil
}

type relationshipPutInput struct {
	RelationshipPath
	IfMatch string `header:"If-Match" doc:"Version the change is based on"`
	Body    struct {
		Kind        string         `json:"kind" maxLength:"32" pattern:"^[a-z][a-z0-9_]*$"`
		Attitude    int            `json:"attitude,omitempty" minimum:"-100" maximum:"100"`
		Description string         `json:"description,omitempty" maxLength:"100000"`
		Visibility  gmc.Visibility `json:"visibility,omitempty" enum:"gm,players" doc:"gm when absent"`
		Mutual      bool           `json:"mutual,omitempty"`
		HistoryBody
	}
}

func (a *api) handleRelationshipPut(ctx context.Context, uid string, in *relationshipPutInput) (*RelationshipOutput, error) {
	b := in.Body
	vis := b.Visibility
	if vis == "" {
		vis = gmc.VisibleGM
	}
	return a.updateRelationship(ctx, uid, in.RelationshipID, in.IfMatch, service.RelationshipUpdate{Kind: &b.Kind, Attitude: &b.Attitude,
		Description: &b.Description, Visibility: &vis, Mutual: &b.Mutual, SessionID: b.SessionID, Note: b.Note})
}

type relationshipPatchInput struct {
	RelationshipPath
	IfMatch string `header:"If-Match" doc:"Version the change is based on"`
	Body    struct {
		Kind        *string         `json:"kind,omitempty" maxLength:"32" pattern:"^[a-z][a-z0-9_]*$"`
		Attitude    *int            `json:"attitude,omitempty" minimum:"-100" maximum:"100"`
		Description *string         `json:"description,omitempty" maxLength:"100000"`
		Visibility  *gmc.Visibility `json:"visibility,omitempty" enum:"gm,players"`
		Mutual      *bool           `json:"mutual,omitempty"`
		HistoryBody
	}
}

func (a *api) handleRelationshipPatch(ctx context.Context, uid string, in *relationshipPatchInput) (*RelationshipOutput, error) {
	b := in.Body
	return a.updateRelationship(ctx, uid, in.RelationshipID, in.IfMatch, service.RelationshipUpdate{Kind: b.Kind, Attitude: b.Attitude,
		Description: b.Description, Visibility: b.Visibility, Mutual: b.Mutual, SessionID: b.SessionID, Note: b.Note})
}

func (a *api) updateRelationship(ctx context.Context, uid, id, ifMatchHeader string, upd service.RelationshipUpdate) (*RelationshipOutput, error) {
	var err error
	if upd.IfMatch, err = ifMatch(ifMatchHeader); err != nil {
		return nil, err
	}
	r, err := a.svc.UpdateRelationship(ctx, uid, id, upd)
	if err != nil {
		return nil, err
	}
	return relationshipOut(r), nil
}

func (a *api) handleRelationshipDelete(ctx context.Context, uid string, in *RelationshipPath) (*struct{}, error) {
	return nil, a.svc.DeleteRelationship(ctx, uid, in.RelationshipID)
}

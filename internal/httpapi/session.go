package httpapi

import (
	"context"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

// SessionPath names one game session in a path.
type SessionPath struct {
	SessionID string `path:"session_id" format:"uuid" doc:"Game session id"`
}

// SessionOutput answers with one game session.
type SessionOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     *gmc.GameSession
}

func sessionOut(gs *gmc.GameSession) *SessionOutput {
	return &SessionOutput{ETag: etag(gs.Version), Body: gs}
}

type sessionCreateInput struct {
	CampaignPath
	Body struct {
		Title       string     `json:"title,omitempty" maxLength:"255" example:"Session 1: Goblin Arrows"`
		ScheduledAt *time.Time `json:"scheduled_at,omitempty"`
		Notes       string     `json:"notes,omitempty" maxLength:"100000"`
	}
}

func (a *api) handleSessionCreate(ctx context.Context, uid string, in *sessionCreateInput) (*SessionOutput, error) {
	gs, err := a.svc.CreateSession(ctx, uid, in.CampaignID, service.SessionParams{Title: in.Body.Title, ScheduledAt: in.Body.ScheduledAt, Notes: in.Body.Notes})
	if err != nil {
		return nil, err
	}
	out := sessionOut(gs)
	out.Location = BasePath + "/sessions/" + gs.ID
	return out, nil
}

type sessionListInput struct {
	CampaignPath
	PageInput
	Status string `query:"status" enum:"scheduled,live,ended" doc:"Only sessions in this state"`
}

func (a *api) handleSessionList(ctx context.Context, uid string, in *sessionListInput) (*ListOutput[*gmc.GameSession], error) {
	items, next, err := a.svc.Sessions(ctx, uid, service.SessionQuery{CampaignID: in.CampaignID, Status: gmc.SessionStatus(in.Status), Page: in.page()})
	if err != nil {
		return nil, err
	}
	return list(items, next), nil
}

func (a *api) handleSessionGet(ctx context.Context, uid string, in *SessionPath) (*SessionOutput, error) {
	gs, _, err := a.svc.Session(ctx, uid, in.SessionID)
	if err != nil {
		return nil, err
	}
	return sessionOut(gs), nil
}

type sessionPatchInput struct {
	SessionPath
	IfMatch string `header:"If-Match" doc:"Version the change is based on"`
	Body    struct {
		Title       *string    `json:"title,omitempty" maxLength:"255"`
		ScheduledAt *time.Time `json:"scheduled_at,omitempty"`
		Notes       *string    `json:"notes,omitempty" maxLength:"100000"`
	}
}

func (a *api) handleSessionPatch(ctx context.Context, uid string, in *sessionPatchInput) (*SessionOutput, error) {
	version, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	gs, err := a.svc.UpdateSession(ctx, uid, in.SessionID, service.SessionUpdate{Title: in.Body.Title, ScheduledAt: in.Body.ScheduledAt, Notes: in.Body.Notes, IfMatch: version})
	if err != nil {
		return nil, err
	}
	return sessionOut(gs), nil
}

func (a *api) handleSessionDelete(ctx context.Context, uid string, in *SessionPath) (*struct{}, error) {
	return nil, a.svc.DeleteSession(ctx, uid, in.SessionID)
}

func (a *api) handleSessionStart(ctx context.Context, uid string, in *SessionPath) (*SessionOutput, error) {
	gs, err := a.svc.StartSession(ctx, uid, in.SessionID)
	if err != nil {
		return nil, err
	}
	return sessionOut(gs), nil
}

func (a *api) handleSessionEnd(ctx context.Context, uid string, in *SessionPath) (*SessionOutput, error) {
	gs, err := a.svc.EndSession(ctx, uid, in.SessionID)
	if err != nil {
		return nil, err
	}
	return sessionOut(gs), nil
}

package httpapi

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

// PlotPath names one plot thread in a path.
type PlotPath struct {
	PlotID string `path:"plot_id" format:"uuid" doc:"Plot thread id"`
}

// PlotOutput answers with one plot thread.
type PlotOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     *gmc.PlotThread
}

func plotOut(p *gmc.PlotThread) *PlotOutput {
	return &PlotOutput{ETag: etag(p.Version), Body: p}
}

// milestoneBody is one milestone as a client writes it.
type milestoneBody struct {
	ID    string `json:"id,omitempty" format:"uuid" doc:"An existing milestone of the thread; leave it out for a new one"`
	Title string `json:"title" maxLength:"255"`
	Done  bool   `json:"done,omitempty"`
	Order int    `json:"order,omitempty" doc:"Position: milestones are sorted by it (those without one last, in the order given), then numbered from 1"`
}

func milestones(in []milestoneBody) []gmc.Milestone {
	out := make([]gmc.Milestone, len(in))
	for i, m := range in {
		out[i] = gmc.Milestone{ID: m.ID, Title: m.Title, Done: m.Done, Order: m.Order}
	}
	return out
}

// plotBody is a thread's editable fields, a create or PUT body: absent
// lists are empty, an absent status is hook and an absent visibility gm.
type plotBody struct {
	Title        string          `json:"title" maxLength:"255" example:"The Black Spider's plan"`
	Summary      string          `json:"summary,omitempty" maxLength:"100000"`
	Status       gmc.PlotStatus  `json:"status,omitempty" enum:"hook,active,stalled,resolved,abandoned"`
	Progress     int             `json:"progress,omitempty" minimum:"0" maximum:"100"`
	Milestones   []milestoneBody `json:"milestones,omitempty" maxItems:"100"`
	CharacterIDs []string        `json:"character_ids,omitempty" maxItems:"200" format:"uuid" doc:"Characters involved"`
	LocationIDs  []string        `json:"location_ids,omitempty" maxItems:"200" format:"uuid" doc:"Locations involved"`
	Visibility   gmc.Visibility  `json:"visibility,omitempty" enum:"gm,players" doc:"Who sees it (gm by default)"`
}

func (b plotBody) params() service.PlotParams {
	return service.PlotParams{Title: b.Title, Summary: b.Summary, Status: b.Status, Progress: b.Progress, Milestones: milestones(b.Milestones),
		CharacterIDs: b.CharacterIDs, LocationIDs: b.LocationIDs, Visibility: b.Visibility}
}

type plotCreateInput struct {
	CampaignPath
	Body plotBody
}

func (a *api) handlePlotCreate(ctx context.Context, uid string, in *plotCreateInput) (*PlotOutput, error) {
	p, err := a.svc.CreatePlot(ctx, uid, in.CampaignID, in.Body.params())
	if err != nil {
		return nil, err
	}
	out := plotOut(p)
	out.Location = BasePath + "/plots/" + p.ID
	return out, nil
}

type plotListInput struct {
	CampaignPath
	PageInput
	Status      string `query:"status" enum:"hook,active,stalled,resolved,abandoned" doc:"Only threads with this status"`
	CharacterID string `query:"character_id" format:"uuid" doc:"Only threads this character is involved in"`
	LocationID  string `query:"location_id" format:"uuid" doc:"Only threads involving this location"`
}

func (a *api) handlePlotList(ctx context.Context, uid string, in *plotListInput) (*ListOutput[*gmc.PlotThread], error) {
	items, next, err := a.svc.Plots(ctx, uid, service.PlotQuery{CampaignID: in.CampaignID, Status: gmc.PlotStatus(in.Status),
		CharacterID: in.CharacterID, LocationID: in.LocationID, Page: in.page()})
	if err != nil {
		return nil, err
	}
	return list(items, next), nil
}

// PlotViewOutput answers with a thread and its foreshadowing.
type PlotViewOutput struct {
	ETag string `header:"ETag"`
	Body *service.PlotView
}

func (a *api) handlePlotGet(ctx context.Context, uid string, in *PlotPath) (*PlotViewOutput, error) {
	v, err := a.svc.Plot(ctx, uid, in.PlotID)
	if err != nil {
		return nil, err
	}
	return &PlotViewOutput{ETag: etag(v.Version), Body: v}, nil
}

type plotPutInput struct {
	PlotPath
	IfMatch string `header:"If-Match" doc:"Version the change is based on"`
	Body    plotBody
}

func (a *api) handlePlotPut(ctx context.Context, uid string, in *plotPutInput) (*PlotOutput, error) {
	p := in.Body.params()
	if p.Status == "" {
		p.Status = gmc.PlotHook
	}
	if p.Visibility == "" {
		p.Visibility = gmc.VisibleGM
	}
	return a.updatePlot(ctx, uid, in.PlotID, in.IfMatch, service.PlotUpdate{Title: &p.Title, Summary: &p.Summary, Status: &p.Status, Progress: &p.Progress,
		Milestones: &p.Milestones, CharacterIDs: &p.CharacterIDs, LocationIDs: &p.LocationIDs, Visibility: &p.Visibility})
}

type plotPatchInput struct {
	PlotPath
	IfMatch string `header:"If-Match" doc:"Version the change is based on"`
	Body    struct {
		Title        *string          `json:"title,omitempty" maxLength:"255"`
		Summary      *string          `json:"summary,omitempty" maxLength:"100000"`
		Status       *gmc.PlotStatus  `json:"status,omitempty" enum:"hook,active,stalled,resolved,abandoned"`
		Progress     *int             `json:"progress,omitempty" minimum:"0" maximum:"100"`
		Milestones   *[]milestoneBody `json:"milestones,omitempty" maxItems:"100" doc:"The whole new list"`
		CharacterIDs *[]string        `json:"character_ids,omitempty" maxItems:"200" format:"uuid"`
		LocationIDs  *[]string        `json:"location_ids,omitempty" maxItems:"200" format:"uuid"`
		Visibility   *gmc.Visibility  `json:"visibility,omitempty" enum:"gm,players"`
	}
}

func (a *api) handlePlotPatch(ctx context.Context, uid string, in *plotPatchInput) (*PlotOutput, error) {
	b := in.Body
	upd := service.PlotUpdate{Title: b.Title, Summary: b.Summary, Status: b.Status, Progress: b.Progress, CharacterIDs: b.CharacterIDs,
		LocationIDs: b.LocationIDs, Visibility: b.Visibility}
	if b.Milestones != nil {
		ms := milestones(*b.Milestones)
		upd.Milestones = &ms
	}
	return a.updatePlot(ctx, uid, in.PlotID, in.IfMatch, upd)
}

func (a *api) updatePlot(ctx context.Context, uid, id, ifMatchHeader string, upd service.PlotUpdate) (*PlotOutput, error) {
	var err error
	if upd.IfMatch, err = ifMatch(ifMatchHeader); err != nil {
		return nil, err
	}
	p, err := a.svc.UpdatePlot(ctx, uid, id, upd)
	if err != nil {
		return nil, err
	}
	return plotOut(p), nil
}

type plotDeleteInput struct {
	PlotPath
	IfMatch string `header:"If-Match" doc:"Version the deletion is based on"`
}

func (a *api) handlePlotDelete(ctx context.Context, uid string, in *plotDeleteInput) (*struct{}, error) {
	v, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	return nil, a.svc.DeletePlot(ctx, uid, in.PlotID, v)
}

type plotProgressInput struct {
	PlotPath
	IfMatch string `header:"If-Match" doc:"Version the change is based on"`
	Body    struct {
		Progress    int            `json:"progress" minimum:"0" maximum:"100"`
		Status      gmc.PlotStatus `json:"status" enum:"hook,active,stalled,resolved,abandoned"`
		MilestoneID *string        `json:"milestone_id,omitempty" format:"uuid" doc:"A milestone to mark done (or not done, with completed: false)"`
		Completed   *bool          `json:"completed,omitempty" doc:"Whether milestone_id is done; true by default"`
		SessionID   *string        `json:"session_id,omitempty" format:"uuid" doc:"The session it happened in; reminders count from it"`
	}
}

func (a *api) handlePlotProgress(ctx context.Context, uid string, in *plotProgressInput) (*PlotOutput, error) {
	v, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	b := in.Body
	p, err := a.svc.UpdatePlotProgress(ctx, uid, in.PlotID, service.ProgressParams{Progress: b.Progress, Status: b.Status,
		MilestoneID: b.MilestoneID, Completed: b.Completed, SessionID: b.SessionID, IfMatch: v})
	if err != nil {
		return nil, err
	}
	return plotOut(p), nil
}

// PlotStatusOutput answers with a thread's status, milestones and blockers.
type PlotStatusOutput struct {
	ETag string `header:"ETag"`
	Body *service.PlotStatusView
}

func (a *api) handlePlotStatus(ctx context.Context, uid string, in *PlotPath) (*PlotStatusOutput, error) {
	v, err := a.svc.PlotStatus(ctx, uid, in.PlotID)
	if err != nil {
		return nil, err
	}
	return &PlotStatusOutput{ETag: etag(v.Version), Body: v}, nil
}

// PlotRemindersOutput answers with what has been left alone too long.
type PlotRemindersOutput struct {
	Body *gmc.PlotReminders
}

func (a *api) handlePlotReminders(ctx context.Context, uid string, in *CampaignPath) (*PlotRemindersOutput, error) {
	r, err := a.svc.PlotReminders(ctx, uid, in.CampaignID)
	if err != nil {
		return nil, err
	}
	return &PlotRemindersOutput{Body: r}, nil
}

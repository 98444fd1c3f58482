package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/summary"
)

// cannedSummarizer answers every session with the same summary and the
// proposals its propose makes, and keeps the input it was given: what
// the summary job's work read about the session.
type cannedSummarizer struct {
	propose func() []*gmc.Proposal
	err     error

	mu sync.Mutex
	in summary.SummaryInput
}

func (c *cannedSummarizer) Summarize(_ context.Context, in summary.SummaryInput) (*summary.Summary, error) {
	c.mu.Lock()
	c.in = in
	c.mu.Unlock()
	if c.err != nil {
		return nil, c.err
	}
	out := &summary.Summary{SessionSummary: gmc.SessionSummary{Mode: "builtin",
		PlayerRecap: []gmc.RecapLine{{Speaker: "Ireena", Text: "We reached Vallaki.", Evidence: gmc.Evidence{SegmentIDs: []string{}}}}}}
	if c.propose != nil {
		out.Proposals = c.propose()
	}
	return out, nil
}

func (c *cannedSummarizer) input() summary.SummaryInput {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.in
}

// cannedProposal makes a proposal of kind about target with payload.
func cannedProposal(kind gmc.ProposalKind, target string, payload any) *gmc.Proposal {
	raw, _ := json.Marshal(payload)
	return &gmc.Proposal{Kind: kind, Target: target, Payload: raw, Evidence: gmc.Evidence{SegmentIDs: []string{}}}
}

func summaryJob(tb *table) service.SummaryJob {
	return service.SummaryJob{SessionID: tb.session.ID, UserID: tb.gm.ID, JobID: uuid.Must(uuid.NewV7()).String()}
}

// TestSummarizeSessionReadsAndApplies runs a summary job's work with a
// canned summarizer: the transcript's speakers reach the summarizer named
// by their character, else their member, else their label; every page of
// keywords is read; the kinds the campaign auto-applies are applied, and
// one whose entity is gone stays pending for the GM without stopping the
// others. An attitude change applied by hand moves the existing
// relationship, clamped to the scale.
func TestSummarizeSessionReadsAndApplies(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tb := newTable(t, be.open(t))
			ok(tb.svc.SetSpeakers(ctx, tb.gm.ID, tb.session.ID, []gmc.Speaker{
				{Label: "spk1", UserID: &tb.player.ID}, {Label: "spk2", CharacterID: &tb.npc.ID}}))(t)
			ok(tb.svc.IngestSegments(ctx, tb.gm.ID, tb.session.ID, []*gmc.TranscriptSegment{
				{SpeakerLabel: "spk1", StartMS: 0, EndMS: 1000, Text: "Where is Vallaki?"},
				{SpeakerLabel: "spk2", StartMS: 1000, EndMS: 2000, Text: "Past the bridge."},
				{SpeakerLabel: "spk3", StartMS: 2000, EndMS: 3000, Text: "Who said that?"},
			}))(t)
			// More keywords than one page holds (the table has one already).
			for i := range gmc.MaxPageSize {
				ok(tb.svc.CreateKeyword(ctx, tb.gm.ID, tb.campaign.ID, service.KeywordParams{Term: fmt.Sprintf("Relic%03d", i), Category: "item"}))(t)
			}
			vallaki := ok(tb.svc.CreateLocation(ctx, tb.gm.ID, tb.campaign.ID, service.LocationParams{Name: "Vallaki",
				Metadata: json.RawMessage(`{"visited_sessions":["an earlier session"]}`)}))(t)
			settings := tb.campaign.Settings
			settings.AutoApplyProposals = []gmc.ProposalKind{gmc.ProposeAchievement, gmc.ProposeLocationVisited}
			ok(tb.svc.UpdateCampaign(ctx, tb.gm.ID, tb.campaign.ID, service.CampaignUpdate{Settings: &settings}))(t)

			gone := uuid.Must(uuid.NewV7()).String()
			sum := &cannedSummarizer{propose: func() []*gmc.Proposal {
				return []*gmc.Proposal{
					cannedProposal(gmc.ProposeAchievement, gone, gmc.AchievementPayload{CharacterID: gone, Title: "Slayer"}),
					cannedProposal(gmc.ProposeLocationVisited, vallaki.ID, gmc.LocationPayload{LocationID: vallaki.ID, Name: "Vallaki"}),
					cannedProposal(gmc.ProposeAttitudeChange, tb.npc.ID+">"+tb.pc.ID, gmc.AttitudePayload{SourceID: tb.npc.ID, TargetID: tb.pc.ID, Delta: 50, Word: "trusts"}),
				}
			}}
			res, err := tb.svc.SummarizeSession(ctx, summaryJob(tb), sum, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Proposals != 3 || res.AutoApplied != 1 || res.Version != 1 {
				t.Errorf("result %+v, want 3 proposals, 1 auto-applied, version 1", res)
			}

			in := sum.input()
			var speakers []string
			for _, seg := range in.Segments {
				speakers = append(speakers, seg.Speaker)
			}
			if diff := cmp.Diff([]string{"Player", "Ismark Kolyanovich", "spk3"}, speakers); diff != "" {
				t.Errorf("speakers the summarizer read (-want +got):\n%s", diff)
			}
			if in.Known == nil || !in.Known("sunsword") {
				t.Fatal("the summarizer does not know the table's keyword")
			}
			for i := range gmc.MaxPageSize {
				if w := fmt.Sprintf("relic%03d", i); !in.Known(w) {
					t.Errorf("the summarizer does not know %s: not every page of keywords was read", w)
				}
			}

			pending := ok(tb.svc.Proposals(ctx, tb.gm.ID, tb.session.ID, gmc.ProposalPending))(t)
			var kinds []gmc.ProposalKind
			var attitude *gmc.Proposal
			for _, p := range pending {
				kinds = append(kinds, p.Kind)
				if p.Kind == gmc.ProposeAttitudeChange {
					attitude = p
				}
			}
			slices.Sort(kinds)
			if diff := cmp.Diff([]gmc.ProposalKind{gmc.ProposeAchievement, gmc.ProposeAttitudeChange}, kinds); diff != "" {
				t.Errorf("pending proposals (-want +got):\n%s", diff)
			}
			l := ok(tb.st.Location(ctx, vallaki.ID))(t)
			var meta struct {
				Visited []string `json:"visited_sessions"`
			}
			if err := json.Unmarshal(l.Metadata, &meta); err != nil || !slices.Equal(meta.Visited, []string{"an earlier session", tb.session.ID}) {
				t.Errorf("Vallaki's metadata %s (%v), want the session added to the one visit before", l.Metadata, err)
			}

			if attitude == nil {
				t.Fatal("no attitude proposal pending")
			}
			applied := ok(tb.svc.ApplyProposal(ctx, tb.gm.ID, attitude.ID))(t)
			var result map[string]string
			if err := json.Unmarshal(applied.Result, &result); err != nil || result["relationship_id"] != tb.relationship.ID {
				t.Errorf("applied attitude result %s, want the existing relationship %s", applied.Result, tb.relationship.ID)
			}
			if r := ok(tb.st.Relationship(ctx, tb.relationship.ID))(t); r.Attitude != gmc.MaxAttitude {
				t.Errorf("attitude after +50 from 80 = %d, want %d", r.Attitude, gmc.MaxAttitude)
			}
		})
	}
}

// TestProposalsWhoseEntityIsGone: a proposal about a character, plot or
// location deleted since the summary fails to apply and stays pending;
// bad queries and unknown proposals are refused.
func TestProposalsWhoseEntityIsGone(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tb := newTable(t, be.open(t))
			doomedNPC := ok(tb.svc.CreateCharacter(ctx, tb.gm.ID, tb.campaign.ID, service.CharacterParams{Name: "Doomed", CharacterType: gmc.CharacterNPC}))(t)
			plot := ok(tb.svc.CreatePlot(ctx, tb.gm.ID, tb.campaign.ID, service.PlotParams{Title: "The sword", Milestones: []gmc.Milestone{{Title: "Find it"}}}))(t)
			doomedPlot := ok(tb.svc.CreatePlot(ctx, tb.gm.ID, tb.campaign.ID, service.PlotParams{Title: "Doomed plot"}))(t)
			doomedPlace := ok(tb.svc.CreateLocation(ctx, tb.gm.ID, tb.campaign.ID, service.LocationParams{Name: "Doomed place"}))(t)
			noMilestone := uuid.Must(uuid.NewV7()).String()
			sum := &cannedSummarizer{propose: func() []*gmc.Proposal {
				return []*gmc.Proposal{
					cannedProposal(gmc.ProposeAttitudeChange, doomedNPC.ID+">"+tb.pc.ID, gmc.AttitudePayload{SourceID: doomedNPC.ID, TargetID: tb.pc.ID, Delta: 10}),
					cannedProposal(gmc.ProposeAttitudeChange, tb.pc.ID+">"+doomedNPC.ID, gmc.AttitudePayload{SourceID: tb.pc.ID, TargetID: doomedNPC.ID, Delta: -10}),
					cannedProposal(gmc.ProposeMilestoneDone, noMilestone, gmc.MilestonePayload{PlotID: plot.ID, MilestoneID: noMilestone}),
					cannedProposal(gmc.ProposePlotProgress, doomedPlot.ID, gmc.PlotProgressPayload{PlotID: doomedPlot.ID, Progress: 50, Status: gmc.PlotActive}),
					cannedProposal(gmc.ProposeLocationVisited, doomedPlace.ID, gmc.LocationPayload{LocationID: doomedPlace.ID}),
				}
			}}
			ok(tb.svc.SummarizeSession(ctx, summaryJob(tb), sum, nil))(t)
			if err := tb.svc.DeleteCharacter(ctx, tb.gm.ID, doomedNPC.ID); err != nil {
				t.Fatal(err)
			}
			if err := tb.svc.DeletePlot(ctx, tb.gm.ID, doomedPlot.ID, 0); err != nil {
				t.Fatal(err)
			}
			if err := tb.svc.DeleteLocation(ctx, tb.gm.ID, doomedPlace.ID, false, 0); err != nil {
				t.Fatal(err)
			}
			pending := ok(tb.svc.Proposals(ctx, tb.gm.ID, tb.session.ID, gmc.ProposalPending))(t)
			if len(pending) != 5 {
				t.Fatalf("%d proposals pending, want 5", len(pending))
			}
			for _, p := range pending {
				if _, err := tb.svc.ApplyProposal(ctx, tb.gm.ID, p.ID); err == nil {
					t.Errorf("applying %s about a deleted entity succeeded", p.Kind)
				}
			}
			if after := ok(tb.svc.Proposals(ctx, tb.gm.ID, tb.session.ID, gmc.ProposalPending))(t); len(after) != 5 {
				t.Errorf("%d proposals pending after the failed applies, want all 5", len(after))
			}
			if p := ok(tb.svc.Plot(ctx, tb.gm.ID, plot.ID))(t); p.Milestones[0].Done || p.Progress != 0 {
				t.Errorf("plot after the failed milestone apply: %+v", p.PlotThread)
			}

			_, err := tb.svc.Proposals(ctx, tb.gm.ID, tb.session.ID, "maybe")
			fieldRefused(t, "Proposals(status maybe)", err, "query.status")
			if _, err := tb.svc.ApplyProposal(ctx, tb.gm.ID, uuid.Must(uuid.NewV7()).String()); !errors.Is(err, gmc.ErrNotFound) {
				t.Errorf("ApplyProposal(unknown) = %v, want not found", err)
			}
			if _, err := tb.svc.RejectProposal(ctx, tb.gm.ID, uuid.Must(uuid.NewV7()).String()); !errors.Is(err, gmc.ErrNotFound) {
				t.Errorf("RejectProposal(unknown) = %v, want not found", err)
			}
		})
	}
}

// TestSummaryNeedsItsParts: no summary to approve yet, and no queue to
// summarise with, are refused.
func TestSummaryNeedsItsParts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newTable(t, storeBackends[0].open(t))
	_, err := tb.svc.ApproveSummary(ctx, tb.gm.ID, tb.session.ID)
	codeRefused(t, "ApproveSummary before any summary", err, gmc.ErrNotFound, "summary_not_found")
	if _, err := tb.svc.RequestSummary(ctx, tb.gm.ID, tb.session.ID); err == nil {
		t.Error("RequestSummary on a service without a job queue succeeded")
	}
	if _, err := tb.svc.RequestSummary(ctx, tb.player.ID, tb.session.ID); !errors.Is(err, gmc.ErrForbidden) {
		t.Errorf("RequestSummary as player = %v, want forbidden", err)
	}
}

// TestSummaryWhenTheDatabaseFails breaks each read and write of a summary
// job's work in turn: the job fails with the database's error and
// stores no summary and no proposal, so its retry starts afresh.
func TestSummaryWhenTheDatabaseFails(t *testing.T) {
	t.Parallel()
	steps := []string{"Session", "Campaign", "Characters", "Locations", "Plots", "Keywords", "KeywordHits", "Members",
		"Speakers", "Segments", "SaveSummary", "summarizer"}
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			bs := newBrokenStore(be.open(t))
			tb := newTable(t, bs)
			ok(tb.svc.IngestSegments(ctx, tb.gm.ID, tb.session.ID, []*gmc.TranscriptSegment{{SpeakerLabel: "spk1", EndMS: 10, Text: "Hello"}}))(t)
			for _, step := range steps {
				sum := &cannedSummarizer{propose: func() []*gmc.Proposal {
					return []*gmc.Proposal{cannedProposal(gmc.ProposeNewNPC, "vasili", gmc.NewNPCPayload{Name: "Vasili"})}
				}}
				if step == "summarizer" {
					sum.err = errBroken
				}
				bs.set(step)
				_, err := tb.svc.SummarizeSession(ctx, summaryJob(tb), sum, nil)
				bs.set("")
				if !errors.Is(err, errBroken) {
					t.Errorf("%s broken: SummarizeSession = %v, want the failure", step, err)
				}
				if _, err := tb.st.SessionSummary(ctx, tb.session.ID); !errors.Is(err, gmc.ErrNotFound) {
					t.Errorf("%s broken: a summary was stored (%v)", step, err)
				}
				if ps := ok(tb.st.Proposals(ctx, store.ProposalFilter{SessionID: tb.session.ID}))(t); len(ps) != 0 {
					t.Errorf("%s broken: %d proposals stored", step, len(ps))
				}
			}

			// With a summary stored, approving and rejecting fail as their
			// writes do, and change nothing.
			ok(tb.svc.SummarizeSession(ctx, summaryJob(tb), &cannedSummarizer{propose: func() []*gmc.Proposal {
				return []*gmc.Proposal{cannedProposal(gmc.ProposeNewNPC, "vasili", gmc.NewNPCPayload{Name: "Vasili"})}
			}}, nil))(t)
			for _, step := range []string{"SessionSummary", "Campaign", "ApproveSummary"} {
				bs.set(step)
				_, err := tb.svc.ApproveSummary(ctx, tb.gm.ID, tb.session.ID)
				bs.set("")
				if !errors.Is(err, errBroken) {
					t.Errorf("%s broken: ApproveSummary = %v, want the failure", step, err)
				}
			}
			bs.set("SessionSummary")
			_, err := tb.svc.Summary(ctx, tb.player.ID, tb.session.ID)
			bs.set("")
			if !errors.Is(err, errBroken) {
				t.Errorf("Summary with the summary unreadable = %v, want the failure", err)
			}
			if s := ok(tb.st.SessionSummary(ctx, tb.session.ID))(t); s.ApprovedAt != nil {
				t.Error("a failed approval approved the summary")
			}
			p := ok(tb.svc.Proposals(ctx, tb.gm.ID, tb.session.ID, gmc.ProposalPending))(t)
			if len(p) != 1 {
				t.Fatalf("%d proposals pending, want 1", len(p))
			}
			bs.set("DecideProposal")
			_, err = tb.svc.RejectProposal(ctx, tb.gm.ID, p[0].ID)
			bs.set("")
			if !errors.Is(err, errBroken) {
				t.Errorf("RejectProposal with its write broken = %v, want the failure", err)
			}
			if p := ok(tb.st.Proposal(ctx, p[0].ID))(t); p.Status != gmc.ProposalPending {
				t.Errorf("proposal after the failed rejection is %s, want pending", p.Status)
			}
		})
	}
}

package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

func newProposal(t testing.TB, c *gmc.Campaign, gs *gmc.GameSession, kind gmc.ProposalKind, target string) *gmc.Proposal {
	t.Helper()
	return &gmc.Proposal{ID: newID(t), CampaignID: c.ID, SessionID: gs.ID, Kind: kind, Target: target,
		Payload: json.RawMessage(`{"name":"` + target + `"}`), Status: gmc.ProposalPending, JobID: "7", CreatedAt: now(),
		Evidence: gmc.Evidence{SegmentIDs: []string{"seg-1", "seg-2"}}}
}

func testSummary(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	t.Run("SaveReplaceAndProposeOnce", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		gs := mustCreateSession(t, s, c, "S1")
		ev := gmc.Evidence{SegmentIDs: []string{"a", "b"}}
		sum := &gmc.SessionSummary{SessionID: gs.ID, CampaignID: c.ID, Mode: "llm", PlayerMode: "builtin", Model: "qwen2.5:7b-instruct",
			Fallback: "player recap: it named GM-only things", JobID: "7", CreatedAt: now(),
			GMRecap:       []gmc.RecapLine{{Speaker: "GM", Text: "The vizier lies.", Evidence: ev}},
			PlayerRecap:   []gmc.RecapLine{{Speaker: "Alice", Text: "We rest.", Evidence: ev}},
			Scenes:        []gmc.Scene{{Kind: gmc.SceneCombat, StartMS: 1, EndMS: 2, FirstSeq: 1, LastSeq: 2, Cues: []string{"sword"}, Evidence: ev}},
			Entities:      []gmc.EntityMention{{Key: "srd:monster:goblin", Name: "Goblin", Category: "monster", Ref: "monster/goblin", Count: 2, Evidence: ev}},
			PlotPoints:    []gmc.PlotPoint{{PlotID: "p", Title: "T", Word: "found", Text: "x", GMOnly: true, Evidence: ev}},
			Relationships: []gmc.RelationshipShift{{SourceID: "a", TargetID: "b", Delta: 10, Word: "thanks", Evidence: ev}},
			Achievements:  []gmc.Feat{{Kind: gmc.FeatNatural20, Title: "Natural 20", Evidence: ev}},
		}
		a, b := newProposal(t, c, gs, gmc.ProposeNewNPC, "borin"), newProposal(t, c, gs, gmc.ProposeAchievement, "x")
		ins, err := s.SaveSummary(ctx, sum, []*gmc.Proposal{a, b})
		wantErr(t, "SaveSummary", err, nil)
		if len(ins) != 2 || sum.Version != 1 {
			t.Fatalf("first SaveSummary inserted %d proposals, version %d; want 2, 1", len(ins), sum.Version)
		}
		got, err := s.SessionSummary(ctx, gs.ID)
		wantErr(t, "SessionSummary", err, nil)
		want := *sum
		want.View = "gm"
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("SessionSummary (-want +got):\n%s", diff)
		}

		// A second run (a retried job) replaces the summary and proposes
		// only what is new, whatever the ids it made up.
		again := *sum
		again.GMRecap = []gmc.RecapLine{{Speaker: "GM", Text: "Again.", Evidence: ev}}
		c2 := newProposal(t, c, gs, gmc.ProposeNewNPC, "borin")
		d := newProposal(t, c, gs, gmc.ProposeLocationVisited, "loc")
		ins, err = s.SaveSummary(ctx, &again, []*gmc.Proposal{c2, d})
		wantErr(t, "SaveSummary(again)", err, nil)
		if len(ins) != 1 || ins[0].ID != d.ID || again.Version != 2 {
			t.Fatalf("second SaveSummary inserted %v, version %d; want only the new one, version 2", ins, again.Version)
		}
		got, _ = s.SessionSummary(ctx, gs.ID)
		if got.Version != 2 || got.GMRecap[0].Text != "Again." {
			t.Errorf("summary after the second save = %+v", got)
		}
		list, err := s.Proposals(ctx, store.ProposalFilter{SessionID: gs.ID})
		wantErr(t, "Proposals", err, nil)
		if diff := cmp.Diff([]*gmc.Proposal{a, b, d}, list); diff != "" {
			t.Errorf("Proposals (-want +got):\n%s", diff)
		}

		// Deciding: once only, with its audit event.
		ts := now()
		a.Status, a.DecidedBy, a.DecidedAt, a.Result = gmc.ProposalApplied, &gm.ID, &ts, json.RawMessage(`{"character_id":"x"}`)
		wantErr(t, "DecideProposal", s.DecideProposal(ctx, a, newEvent(t, c.ID, gm.ID, gmc.ActionUpdate, gmc.EntityProposal, a.ID, a)), nil)
		got1, err := s.Proposal(ctx, a.ID)
		wantErr(t, "Proposal", err, nil)
		if diff := cmp.Diff(a, got1); diff != "" {
			t.Errorf("Proposal after apply (-want +got):\n%s", diff)
		}
		a.Status = gmc.ProposalRejected
		err = s.DecideProposal(ctx, a, newEvent(t, c.ID, gm.ID, gmc.ActionUpdate, gmc.EntityProposal, a.ID, a))
		wantCode(t, "DecideProposal(twice)", err, "proposal_decided")
		got1, _ = s.Proposal(ctx, a.ID)
		if got1.Status != gmc.ProposalApplied {
			t.Errorf("a second decision changed the proposal to %s", got1.Status)
		}
		pending, err := s.Proposals(ctx, store.ProposalFilter{SessionID: gs.ID, Status: gmc.ProposalPending})
		wantErr(t, "Proposals(pending)", err, nil)
		if len(pending) != 2 {
			t.Errorf("pending proposals = %d, want 2", len(pending))
		}
		events, _, err := s.Events(ctx, store.EventFilter{CampaignID: c.ID, EntityType: gmc.EntityProposal})
		wantErr(t, "Events", err, nil)
		if len(events) != 1 {
			t.Errorf("proposal events = %d, want 1 (the refused decision logs nothing)", len(events))
		}
		missing := newProposal(t, c, gs, gmc.ProposeNewNPC, "nobody")
		missing.Status = gmc.ProposalRejected
		wantErr(t, "DecideProposal(unknown)", s.DecideProposal(ctx, missing, newEvent(t, c.ID, gm.ID, gmc.ActionUpdate, gmc.EntityProposal, missing.ID, nil)), gmc.ErrNotFound)
	})

	// Approve: once per summary version; a new summary is not approved,
	// and an approval of the replaced one is a conflict.
	t.Run("Approve", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		gs := mustCreateSession(t, s, c, "S1")
		ev := func() *gmc.Event { return newEvent(t, c.ID, gm.ID, gmc.ActionUpdate, gmc.EntitySession, gs.ID, nil) }
		_, err := s.ApproveSummary(ctx, gs.ID, 1, gm.ID, now(), ev())
		wantErr(t, "ApproveSummary(no summary)", err, gmc.ErrNotFound)
		sum := &gmc.SessionSummary{SessionID: gs.ID, CampaignID: c.ID, Mode: "builtin", CreatedAt: now()}
		_, err = s.SaveSummary(ctx, sum, nil)
		wantErr(t, "SaveSummary", err, nil)
		at := now()
		for i, want := range []bool{true, false} {
			approved, err := s.ApproveSummary(ctx, gs.ID, sum.Version, gm.ID, at.Add(time.Duration(i)*time.Hour), ev())
			if err != nil || approved != want {
				t.Errorf("ApproveSummary #%d = %v, %v; want %v", i+1, approved, err, want)
			}
		}
		got, err := s.SessionSummary(ctx, gs.ID)
		wantErr(t, "SessionSummary", err, nil)
		if got.ApprovedAt == nil || !got.ApprovedAt.Equal(at) || got.ApprovedBy == nil || *got.ApprovedBy != gm.ID {
			t.Errorf("approval = %v by %v; want %v by %s (the first)", got.ApprovedAt, got.ApprovedBy, at, gm.ID)
		}
		_, err = s.SaveSummary(ctx, sum, nil)
		wantErr(t, "SaveSummary again", err, nil)
		if got, _ := s.SessionSummary(ctx, gs.ID); got.ApprovedAt != nil || got.ApprovedBy != nil {
			t.Errorf("a new summary is approved: %v by %v", got.ApprovedAt, got.ApprovedBy)
		}
		_, err = s.ApproveSummary(ctx, gs.ID, sum.Version-1, gm.ID, at, ev())
		wantErr(t, "ApproveSummary(replaced version)", err, gmc.ErrConflict)
		if got, _ := s.SessionSummary(ctx, gs.ID); got.ApprovedAt != nil {
			t.Error("the replaced version's approval approved the new summary")
		}
	})

	t.Run("NotFoundAndCascade", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		other := mustCreateCampaign(t, s, gm, "D")
		gs := mustCreateSession(t, s, c, "S1")
		_, err := s.SessionSummary(ctx, gs.ID)
		wantErr(t, "SessionSummary(none)", err, gmc.ErrNotFound)
		_, err = s.Proposal(ctx, newID(t))
		wantErr(t, "Proposal(unknown)", err, gmc.ErrNotFound)
		wrong := &gmc.SessionSummary{SessionID: gs.ID, CampaignID: other.ID, Mode: "builtin", CreatedAt: now()}
		_, err = s.SaveSummary(ctx, wrong, nil)
		wantErr(t, "SaveSummary(other campaign)", err, gmc.ErrNotFound)

		sum := &gmc.SessionSummary{SessionID: gs.ID, CampaignID: c.ID, Mode: "builtin", CreatedAt: now()}
		p := newProposal(t, c, gs, gmc.ProposeNewNPC, "x")
		_, err = s.SaveSummary(ctx, sum, []*gmc.Proposal{p})
		wantErr(t, "SaveSummary", err, nil)
		wantErr(t, "DeleteSession", s.DeleteSession(ctx, gs.ID, newEvent(t, c.ID, gm.ID, gmc.ActionDelete, gmc.EntitySession, gs.ID, nil)), nil)
		_, err = s.SessionSummary(ctx, gs.ID)
		wantErr(t, "SessionSummary(deleted session)", err, gmc.ErrNotFound)
		_, err = s.Proposal(ctx, p.ID)
		if !errors.Is(err, gmc.ErrNotFound) {
			t.Errorf("proposal of a deleted session: %v", err)
		}
	})

	t.Run("RolledBack", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		gs := mustCreateSession(t, s, c, "S1")
		abort := errors.New("abort")
		err := s.InTx(ctx, func(tx store.Store) error {
			sum := &gmc.SessionSummary{SessionID: gs.ID, CampaignID: c.ID, Mode: "builtin", CreatedAt: now()}
			if _, err := tx.SaveSummary(ctx, sum, []*gmc.Proposal{newProposal(t, c, gs, gmc.ProposeNewNPC, "x")}); err != nil {
				return err
			}
			return abort
		})
		wantErr(t, "InTx", err, abort)
		_, err = s.SessionSummary(ctx, gs.ID)
		wantErr(t, "SessionSummary(rolled back)", err, gmc.ErrNotFound)
		list, _ := s.Proposals(ctx, store.ProposalFilter{SessionID: gs.ID})
		if len(list) != 0 {
			t.Errorf("proposals of a rolled-back save: %d", len(list))
		}
	})
}

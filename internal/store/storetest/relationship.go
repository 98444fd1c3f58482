package storetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// newRelationship returns a players-visible edge a→b with attitude 10; a
// mutual one carries a fresh PairID for its reverse edge.
func newRelationship(t testing.TB, a, b *gmc.Character, kind string, mutual bool) *gmc.Relationship {
	t.Helper()
	ts := now()
	r := &gmc.Relationship{ID: newID(t), CampaignID: a.CampaignID, SourceID: a.ID, TargetID: b.ID, Kind: kind, Attitude: 10,
		Description: a.Name + " and " + b.Name, Visibility: gmc.VisiblePlayers, Mutual: mutual, CreatedAt: ts, UpdatedAt: ts}
	if mutual {
		pair := newID(t)
		r.PairID = &pair
	}
	return r
}

func creation(r *gmc.Relationship, note string) gmc.RelationshipChange {
	return gmc.RelationshipChange{At: r.UpdatedAt, AttitudeAfter: r.Attitude, Note: note, ActorID: r.CampaignID}
}

func mustRelate(t testing.TB, s store.Store, a, b *gmc.Character, kind string, mutual bool) *gmc.Relationship {
	t.Helper()
	r := newRelationship(t, a, b, kind, mutual)
	if err := s.CreateRelationship(context.Background(), r, creation(r, "met"), relEvent(t, r, gmc.ActionCreate)); err != nil {
		t.Fatalf("CreateRelationship(%s %s %s) = %v", a.Name, kind, b.Name, err)
	}
	return r
}

func relEvent(t testing.TB, r *gmc.Relationship, action string) *gmc.Event {
	return newEvent(t, r.CampaignID, newID(t), action, "relationship", r.ID, nil)
}

// mustGetRelationship reads a relationship that must exist.
func mustGetRelationship(t testing.TB, s store.Store, id string) *gmc.Relationship {
	t.Helper()
	r, err := s.Relationship(context.Background(), id)
	if err != nil {
		t.Fatalf("Relationship(%s) = %v", id, err)
	}
	return r
}

// wantPair fails unless a and b are linked mutual edges that agree.
func wantPair(t testing.TB, a, b *gmc.Relationship) {
	t.Helper()
	if !a.Mutual || !b.Mutual || a.PairID == nil || b.PairID == nil || *a.PairID != b.ID || *b.PairID != a.ID {
		t.Fatalf("edges %s and %s are not a linked pair: %+v / %+v", a.ID, b.ID, a, b)
	}
	if a.SourceID != b.TargetID || a.TargetID != b.SourceID || !a.InStep(b) {
		t.Errorf("pair out of step:\n%+v\n%+v", a, b)
	}
}

func attitudes(r *gmc.Relationship) [][2]any {
	var out [][2]any
	for _, h := range r.History {
		var before any
		if h.AttitudeBefore != nil {
			before = *h.AttitudeBefore
		}
		out = append(out, [2]any{before, h.AttitudeAfter})
	}
	return out
}

func testRelationship(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	setup := func(t *testing.T) (store.Store, *gmc.Campaign, []*gmc.Character) {
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		var cs []*gmc.Character
		for _, name := range []string{"A", "B", "C", "D"} {
			cs = append(cs, mustCreateCharacter(t, s, c, name))
		}
		return s, c, cs
	}
	t.Run("CreateAndGet", func(t *testing.T) {
		t.Parallel()
		s, c, cs := setup(t)
		r := mustRelate(t, s, cs[0], cs[1], "ally", false)
		got := mustGetRelationship(t, s, r.ID)
		if diff := cmp.Diff(r, got); diff != "" {
			t.Errorf("Relationship mismatch (-want +got):\n%s", diff)
		}
		dup := newRelationship(t, cs[0], cs[1], "ally", false)
		wantCode(t, "CreateRelationship(duplicate)", s.CreateRelationship(ctx, dup, creation(dup, ""), relEvent(t, dup, gmc.ActionCreate)), "duplicate_relationship")
		mustRelate(t, s, cs[1], cs[0], "ally", false) // the other direction is another edge
		mustRelate(t, s, cs[0], cs[1], "rival", false)

		gm := mustCreateUser(t, s, "gm2@example.com")
		stranger := mustCreateCharacter(t, s, mustCreateCampaign(t, s, gm, "Elsewhere"), "Stranger")
		far := newRelationship(t, cs[0], stranger, "enemy", false)
		wantErr(t, "CreateRelationship(other campaign)", s.CreateRelationship(ctx, far, creation(far, ""), relEvent(t, far, gmc.ActionCreate)), gmc.ErrNotFound)
		_, err := s.Relationship(ctx, newID(t))
		wantErr(t, "Relationship(unknown)", err, gmc.ErrNotFound)
		events, _, _ := s.Events(ctx, store.EventFilter{CampaignID: c.ID, EntityType: "relationship"})
		if len(events) != 3 {
			t.Errorf("relationship events = %d, want 3 (failed writes add none)", len(events))
		}
	})
	t.Run("MutualCreatesOrLinksReverse", func(t *testing.T) {
		t.Parallel()
		s, _, cs := setup(t)
		ab := mustRelate(t, s, cs[0], cs[1], "romance", true)
		ba := mustGetRelationship(t, s, *ab.PairID)
		wantPair(t, ab, ba)
		if len(ba.History) != 1 || ba.History[0].AttitudeBefore != nil {
			t.Errorf("history of a created reverse edge = %+v, want one creation entry", ba.History)
		}
		// An existing reverse edge is adopted: linked and brought into step.
		ca := newRelationship(t, cs[2], cs[0], "family", false)
		ca.Attitude = -50
		if err := s.CreateRelationship(ctx, ca, creation(ca, ""), relEvent(t, ca, gmc.ActionCreate)); err != nil {
			t.Fatal(err)
		}
		ac := mustRelate(t, s, cs[0], cs[2], "family", true)
		if *ac.PairID != ca.ID {
			t.Fatalf("PairID = %s, want the existing reverse edge %s", *ac.PairID, ca.ID)
		}
		ca = mustGetRelationship(t, s, ca.ID)
		wantPair(t, ac, ca)
		if diff := cmp.Diff([][2]any{{nil, -50}, {-50, 10}}, attitudes(ca)); diff != "" || ca.Version != 2 {
			t.Errorf("adopted edge version %d, history (-want +got):\n%s", ca.Version, diff)
		}
	})
	t.Run("UpdateKeepsPairInStep", func(t *testing.T) {
		t.Parallel()
		s, _, cs := setup(t)
		ab := mustRelate(t, s, cs[0], cs[1], "ally", true)
		stale := *ab
		upd := func(r *gmc.Relationship, edit func(*gmc.Relationship)) error {
			before := r.Attitude
			edit(r)
			r.UpdatedAt = now()
			ch := gmc.RelationshipChange{At: r.UpdatedAt, AttitudeBefore: &before, AttitudeAfter: r.Attitude, ActorID: r.CampaignID, Note: "changed"}
			if r.Mutual && r.PairID == nil {
				pair := newID(t)
				r.PairID = &pair
			}
			return s.UpdateRelationship(ctx, r, ch, relEvent(t, r, gmc.ActionUpdate))
		}
		wantErr(t, "UpdateRelationship", upd(ab, func(r *gmc.Relationship) { r.Attitude, r.Kind, r.Description = -30, "rival", "fell out" }), nil)
		ba := mustGetRelationship(t, s, *ab.PairID)
		wantPair(t, mustGetRelationship(t, s, ab.ID), ba)
		if ab.Version != 2 || ba.Version != 2 || ba.Kind != "rival" {
			t.Errorf("versions %d/%d, partner kind %q; want 2/2, rival", ab.Version, ba.Version, ba.Kind)
		}
		if diff := cmp.Diff([][2]any{{nil, 10}, {10, -30}}, attitudes(ba)); diff != "" {
			t.Errorf("partner history (-want +got):\n%s", diff)
		}
		wantCode(t, "UpdateRelationship(stale)", upd(&stale, func(r *gmc.Relationship) { r.Attitude = 99 }), "stale_version")

		// Off: both edges stay, unlinked; on again: the same reverse is linked.
		wantErr(t, "UpdateRelationship(mutual off)", upd(ab, func(r *gmc.Relationship) { r.Mutual = false }), nil)
		ba = mustGetRelationship(t, s, ba.ID)
		if ab.Mutual || ab.PairID != nil || ba.Mutual || ba.PairID != nil {
			t.Errorf("after mutual off: %+v / %+v, want two unlinked edges", ab, ba)
		}
		wantErr(t, "UpdateRelationship(mutual on)", upd(ab, func(r *gmc.Relationship) { r.Mutual, r.Attitude = true, 40 }), nil)
		wantPair(t, ab, mustGetRelationship(t, s, ba.ID))

		// A kind the partner's direction already has is a conflict, and
		// leaves both edges as they were.
		mustRelate(t, s, cs[1], cs[0], "enemy", false)
		err := upd(ab, func(r *gmc.Relationship) { r.Kind = "enemy" })
		wantCode(t, "UpdateRelationship(taken kind)", err, "duplicate_relationship")
		if got := mustGetRelationship(t, s, ab.ID); got.Kind != "rival" || len(got.History) != 4 {
			t.Errorf("after refused update: kind %q, %d history entries; want rival, 4", got.Kind, len(got.History))
		}
		missing := newRelationship(t, cs[0], cs[1], "ally", false)
		missing.Version = 1
		wantErr(t, "UpdateRelationship(unknown)", upd(missing, func(*gmc.Relationship) {}), gmc.ErrNotFound)
	})
	t.Run("DeleteRemovesPair", func(t *testing.T) {
		t.Parallel()
		s, _, cs := setup(t)
		ab := mustRelate(t, s, cs[0], cs[1], "ally", true)
		cd := mustRelate(t, s, cs[2], cs[3], "enemy", false)
		wantErr(t, "DeleteRelationship", s.DeleteRelationship(ctx, *ab.PairID, relEvent(t, ab, gmc.ActionDelete)), nil)
		for _, id := range []string{ab.ID, *ab.PairID} {
			_, err := s.Relationship(ctx, id)
			wantErr(t, "Relationship(deleted pair)", err, gmc.ErrNotFound)
		}
		wantErr(t, "DeleteRelationship(single)", s.DeleteRelationship(ctx, cd.ID, relEvent(t, cd, gmc.ActionDelete)), nil)
		wantErr(t, "DeleteRelationship(again)", s.DeleteRelationship(ctx, cd.ID, relEvent(t, cd, gmc.ActionDelete)), gmc.ErrNotFound)
	})
	t.Run("ListOfCharacter", func(t *testing.T) {
		t.Parallel()
		s, c, cs := setup(t)
		hiddenChar := mustCreateCharacter(t, s, c, "Hidden", hidden)
		ab := mustRelate(t, s, cs[0], cs[1], "ally", true)
		ca := mustRelate(t, s, cs[2], cs[0], "enemy", false)
		secret := newRelationship(t, cs[0], cs[3], "employer", false)
		secret.Visibility = gmc.VisibleGM
		if err := s.CreateRelationship(ctx, secret, creation(secret, ""), relEvent(t, secret, gmc.ActionCreate)); err != nil {
			t.Fatal(err)
		}
		toHidden := mustRelate(t, s, cs[0], hiddenChar, "rival", false)
		mustRelate(t, s, cs[1], cs[2], "rival", false) // not A's

		all := []string{ab.ID, *ab.PairID, ca.ID, secret.ID, toHidden.ID}
		slices.Sort(all)
		var got []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
			list, next, err := s.Relationships(ctx, store.RelationshipFilter{CharacterID: cs[0].ID, Page: gmc.Page{Limit: 2, Cursor: cursor}})
			wantErr(t, "Relationships", err, nil)
			for _, r := range list {
				got = append(got, r.ID)
				if len(r.History) != 1 {
					t.Errorf("listed relationship %s has %d history entries, want 1", r.ID, len(r.History))
				}
			}
			if cursor = next; next == "" {
				break
			}
		}
		if diff := cmp.Diff(all, got); diff != "" {
			t.Errorf("Relationships mismatch (-want +got):\n%s", diff)
		}
		visible, _, err := s.Relationships(ctx, store.RelationshipFilter{CharacterID: cs[0].ID, HideGMOnly: true})
		wantErr(t, "Relationships(hide gm only)", err, nil)
		want := []string{ab.ID, *ab.PairID, ca.ID}
		slices.Sort(want)
		if diff := cmp.Diff(want, relationshipIDs(visible)); diff != "" {
			t.Errorf("Relationships(hide gm only) mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("CreateMany", func(t *testing.T) {
		t.Parallel()
		s, c, cs := setup(t)
		ab := newRelationship(t, cs[0], cs[1], "ally", true)
		ba := newRelationship(t, cs[1], cs[0], "ally", true)
		ab.PairID, ba.PairID = &ba.ID, &ab.ID
		cd := newRelationship(t, cs[2], cs[3], "enemy", false)
		batch := []*gmc.Relationship{ab, ba, cd}
		for _, r := range batch {
			r.History = []gmc.RelationshipChange{creation(r, "imported")}
		}
		wantErr(t, "CreateRelationships", s.CreateRelationships(ctx, batch, newEvent(t, c.ID, c.CreatedBy, gmc.ActionCreate, "relationship", c.ID, nil)), nil)
		for _, r := range batch {
			if diff := cmp.Diff(r, mustGetRelationship(t, s, r.ID)); diff != "" {
				t.Errorf("Relationship after CreateRelationships (-want +got):\n%s", diff)
			}
		}
		dup := newRelationship(t, cs[3], cs[2], "enemy", false)
		err := s.CreateRelationships(ctx, []*gmc.Relationship{dup, newRelationship(t, cs[0], cs[1], "ally", false)}, relEvent(t, dup, gmc.ActionCreate))
		wantErr(t, "CreateRelationships(duplicate)", err, gmc.ErrConflict)
		if _, err := s.Relationship(ctx, dup.ID); err == nil {
			t.Error("a failed batch stored some of its relationships")
		}
	})
	t.Run("HistorySession", func(t *testing.T) {
		t.Parallel()
		s, c, cs := setup(t)
		gs := mustCreateSession(t, s, c, "S1")
		r := newRelationship(t, cs[0], cs[1], "ally", false)
		ch := creation(r, "met at the inn")
		ch.SessionID = &gs.ID
		wantErr(t, "CreateRelationship", s.CreateRelationship(ctx, r, ch, relEvent(t, r, gmc.ActionCreate)), nil)
		if got := mustGetRelationship(t, s, r.ID); got.History[0].SessionID == nil || *got.History[0].SessionID != gs.ID {
			t.Errorf("history session = %v, want %s", got.History[0].SessionID, gs.ID)
		}
		wantErr(t, "DeleteSession", s.DeleteSession(ctx, gs.ID, newEvent(t, c.ID, c.CreatedBy, gmc.ActionDelete, "session", gs.ID, nil)), nil)
		if got := mustGetRelationship(t, s, r.ID); len(got.History) != 1 || got.History[0].SessionID != nil || got.History[0].Note != "met at the inn" {
			t.Errorf("history after its session is deleted = %+v, want the entry kept without session", got.History)
		}
	})
	t.Run("Races", func(t *testing.T) {
		t.Parallel()
		testRelationshipRaces(t, open)
	})
}

// testRelationshipRaces runs the writes a mutual pair must serialise:
// both directions created at once, and both edges updated at once.
func testRelationshipRaces(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	t.Run("CreateBothDirections", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		a, b := mustCreateCharacter(t, s, c, "A"), mustCreateCharacter(t, s, c, "B")
		ab, ba := newRelationship(t, a, b, "ally", true), newRelationship(t, b, a, "ally", true)
		create := func(r *gmc.Relationship) func() error {
			return func() error { return s.CreateRelationship(ctx, r, creation(r, ""), relEvent(t, r, gmc.ActionCreate)) }
		}
		errs := raceWrites(create(ab), create(ba))
		if ok, conflict := countOutcomes(errs); ok != 1 || conflict != 1 {
			t.Fatalf("racing mutual creates = %v, want one success and one duplicate", errs)
		}
		winner := ab
		if errs[0] != nil {
			winner = ba
		}
		wantPair(t, mustGetRelationship(t, s, winner.ID), mustGetRelationship(t, s, *winner.PairID))
	})
	t.Run("UpdateBothEdges", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		a, b := mustCreateCharacter(t, s, c, "A"), mustCreateCharacter(t, s, c, "B")
		ab := mustRelate(t, s, a, b, "ally", true)
		ba := mustGetRelationship(t, s, *ab.PairID)
		update := func(r *gmc.Relationship, attitude int) func() error {
			return func() error {
				before := r.Attitude
				r.Attitude, r.UpdatedAt = attitude, now()
				ch := gmc.RelationshipChange{At: r.UpdatedAt, AttitudeBefore: &before, AttitudeAfter: attitude, ActorID: gm.ID}
				return s.UpdateRelationship(ctx, r, ch, relEvent(t, r, gmc.ActionUpdate))
			}
		}
		errs := raceWrites(update(ab, 50), update(ba, -50))
		if ok, conflict := countOutcomes(errs); ok != 1 || conflict != 1 {
			t.Fatalf("racing updates of a pair = %v, want one success and one stale version", errs)
		}
		wantPair(t, mustGetRelationship(t, s, ab.ID), mustGetRelationship(t, s, ba.ID))
	})
}

// raceWrites runs fns at the same time and returns their errors in order.
func raceWrites(fns ...func() error) []error {
	errs := make([]error, len(fns))
	var start, done sync.WaitGroup
	start.Add(1)
	for i, fn := range fns {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			errs[i] = fn()
		}()
	}
	start.Done()
	done.Wait()
	return errs
}

// countOutcomes counts successes and ErrConflicts; any other error counts as
// neither.
func countOutcomes(errs []error) (ok, conflict int) {
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, gmc.ErrConflict):
			conflict++
		}
	}
	return ok, conflict
}

func relationshipIDs(rs []*gmc.Relationship) []string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return ids
}

// testMemberRelationships checks MemberRelationships: a character hidden
// from the caller, or in a campaign the caller is not in, is not found; a
// GM sees every relationship, anyone else none that is GM-only or ends at
// a GM-only character; a change of membership shows on the very next read.
func testMemberRelationships(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	s := open(t)
	gm := mustCreateUser(t, s, "gm@example.com")
	player := mustCreateUser(t, s, "p@example.com")
	stranger := mustCreateUser(t, s, "s@example.com")
	c := mustCreateCampaign(t, s, gm, "C")
	mustAddMember(t, s, c, player, gmc.RolePlayer)
	a, b, loner := mustCreateCharacter(t, s, c, "A"), mustCreateCharacter(t, s, c, "B"), mustCreateCharacter(t, s, c, "Loner")
	h, hermit := mustCreateCharacter(t, s, c, "Hidden", hidden), mustCreateCharacter(t, s, c, "Hermit", hidden)
	ab := mustRelate(t, s, a, b, "ally", false)
	toHidden := mustRelate(t, s, a, h, "rival", false)
	secret := newRelationship(t, a, b, "employer", false)
	secret.Visibility = gmc.VisibleGM
	wantErr(t, "CreateRelationship(secret)", s.CreateRelationship(ctx, secret, creation(secret, ""), relEvent(t, secret, gmc.ActionCreate)), nil)
	of := func(ch *gmc.Character) store.RelationshipFilter { return store.RelationshipFilter{CharacterID: ch.ID} }
	all, visible := []string{ab.ID, toHidden.ID, secret.ID}, []string{ab.ID}
	slices.Sort(all)
	runMemberReads(t, "MemberRelationships", []memberRead[store.RelationshipFilter]{
		{name: "gm", user: gm.ID, f: of(a), want: all, role: gmc.RoleGM},
		{name: "HideGMOnly unused for a gm", user: gm.ID, f: store.RelationshipFilter{CharacterID: a.ID, HideGMOnly: true}, want: all, role: gmc.RoleGM},
		{name: "player", user: player.ID, f: of(a), want: visible, role: gmc.RolePlayer},
		{name: "page", user: gm.ID, f: store.RelationshipFilter{CharacterID: a.ID, Page: gmc.Page{Limit: 1, Cursor: all[0]}}, want: all[1:2], role: gmc.RoleGM},
		{name: "gm, hidden character", user: gm.ID, f: of(h), want: []string{toHidden.ID}, role: gmc.RoleGM},
		{name: "player, hidden character", user: player.ID, f: of(h), err: gmc.ErrNotFound},
		{name: "player, hidden character without relationships", user: player.ID, f: of(hermit), err: gmc.ErrNotFound},
		{name: "gm, hidden character without relationships", user: gm.ID, f: of(hermit), role: gmc.RoleGM},
		{name: "player, character without relationships", user: player.ID, f: of(loner), role: gmc.RolePlayer},
		{name: "stranger", user: stranger.ID, f: of(a), err: gmc.ErrNotFound},
		{name: "stranger, bad cursor", user: stranger.ID, f: store.RelationshipFilter{CharacterID: a.ID, Page: gmc.Page{Cursor: "nope"}}, err: gmc.ErrNotFound},
		{name: "unknown character", user: gm.ID, f: store.RelationshipFilter{CharacterID: newID(t)}, err: gmc.ErrNotFound},
		{name: "not an id", user: gm.ID, f: store.RelationshipFilter{CharacterID: "nope"}, err: gmc.ErrNotFound},
		{name: "promoted", change: setRole(t, s, c, player, gmc.RoleGM), user: player.ID, f: of(a), want: all, role: gmc.RoleGM},
		{name: "promoted, hidden character", user: player.ID, f: of(hermit), role: gmc.RoleGM},
		{name: "downgraded", change: setRole(t, s, c, player, gmc.RoleObserver), user: player.ID, f: of(a), want: visible, role: gmc.RoleObserver},
		{name: "downgraded, hidden character", user: player.ID, f: of(h), err: gmc.ErrNotFound},
		{name: "removed", change: setRole(t, s, c, player, ""), user: player.ID, f: of(a), err: gmc.ErrNotFound},
		{name: "removed, character without relationships", user: player.ID, f: of(loner), err: gmc.ErrNotFound},
	}, func(user string, f store.RelationshipFilter) ([]string, gmc.Role, error) {
		list, _, role, err := s.MemberRelationships(ctx, user, f)
		for _, r := range list {
			if len(r.History) != 1 {
				t.Errorf("listed relationship %s has %d history entries, want 1", r.ID, len(r.History))
			}
		}
		return relationshipIDs(list), role, err
	})
}

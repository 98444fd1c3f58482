package storetest

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// newKeyword returns a normalised keyword visible to players; edit changes
// it before it is stored.
func newKeyword(t testing.TB, c *gmc.Campaign, term string, edit ...func(*gmc.Keyword)) *gmc.Keyword {
	t.Helper()
	ts := now()
	k := &gmc.Keyword{ID: newID(t), CampaignID: c.ID, Term: term, Visibility: gmc.VisiblePlayers, CreatedAt: ts, UpdatedAt: ts}
	for _, e := range edit {
		e(k)
	}
	k.Normalize()
	return k
}

// keywordEvent is the audit event of a keyword write by some GM.
func keywordEvent(t testing.TB, k *gmc.Keyword, action string) *gmc.Event {
	t.Helper()
	return newEvent(t, k.CampaignID, newID(t), action, "keyword", k.ID, k)
}

// mustCreateKeyword stores a keyword made by newKeyword.
func mustCreateKeyword(t testing.TB, s store.Store, c *gmc.Campaign, term string, edit ...func(*gmc.Keyword)) *gmc.Keyword {
	t.Helper()
	k := newKeyword(t, c, term, edit...)
	if err := s.CreateKeyword(context.Background(), k, keywordEvent(t, k, gmc.ActionCreate)); err != nil {
		t.Fatalf("CreateKeyword(%s) = %v", term, err)
	}
	return k
}

func keywordIDs(ks []*gmc.Keyword) []string {
	ids := make([]string, len(ks))
	for i, k := range ks {
		ids[i] = k.ID
	}
	return ids
}

func testKeyword(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	setup := func(t *testing.T) (store.Store, *gmc.Campaign) {
		s := open(t)
		return s, mustCreateCampaign(t, s, mustCreateUser(t, s, "gm@example.com"), "C")
	}
	t.Run("CreateAndGet", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		want := mustCreateKeyword(t, s, c, "Iron Lanterns", func(k *gmc.Keyword) {
			k.Aliases, k.Category, k.Visibility = []string{"the Lanterns", "Lanterns"}, "faction", gmc.VisibleGM
			k.Common, k.Notes = true, "City watch of Emberfall"
		})
		if want.Version != 1 {
			t.Errorf("Version after create = %d, want 1", want.Version)
		}
		got, err := s.Keyword(ctx, want.ID)
		wantErr(t, "Keyword", err, nil)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Keyword mismatch (-want +got):\n%s", diff)
		}
		_, err = s.Keyword(ctx, newID(t))
		wantErr(t, "Keyword(unknown)", err, gmc.ErrNotFound)
		orphan := newKeyword(t, &gmc.Campaign{ID: newID(t)}, "Orphan")
		wantErr(t, "CreateKeyword(unknown campaign)", s.CreateKeyword(ctx, orphan, keywordEvent(t, orphan, gmc.ActionCreate)), gmc.ErrNotFound)
	})
	t.Run("TermUniquePerCampaign", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		first := mustCreateKeyword(t, s, c, "Ember Crown")
		dup := newKeyword(t, c, "  ember   CROWN ")
		wantCode(t, "CreateKeyword(same term)", s.CreateKeyword(ctx, dup, keywordEvent(t, dup, gmc.ActionCreate)), "keyword_exists")
		other := mustCreateCampaign(t, s, mustCreateUser(t, s, "other@example.com"), "Other")
		mustCreateKeyword(t, s, other, "Ember Crown") // another campaign may
		second := mustCreateKeyword(t, s, c, "Ashen Crown")
		second.Term = "EMBER crown"
		wantCode(t, "UpdateKeyword(to another's term)", s.UpdateKeyword(ctx, second, keywordEvent(t, second, gmc.ActionUpdate)), "keyword_exists")
		first.Term = "Ember Crown of Old"
		wantErr(t, "UpdateKeyword(own term changed)", s.UpdateKeyword(ctx, first, keywordEvent(t, first, gmc.ActionUpdate)), nil)
		events, _, _ := s.Events(ctx, store.EventFilter{CampaignID: c.ID, EntityType: "keyword"})
		if len(events) != 3 { // two creates and one update; failed writes add none
			t.Errorf("keyword events = %d, want 3", len(events))
		}
	})
	t.Run("UpdateAndDeleteCheckVersion", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		k := mustCreateKeyword(t, s, c, "Sola")
		k.Term, k.Category, k.Aliases, k.Common = "Sola the Dawnmother", "deity", []string{"Sola"}, true
		k.UpdatedAt = now()
		wantErr(t, "UpdateKeyword", s.UpdateKeyword(ctx, k, keywordEvent(t, k, gmc.ActionUpdate)), nil)
		if k.Version != 2 {
			t.Errorf("Version after update = %d, want 2", k.Version)
		}
		got, _ := s.Keyword(ctx, k.ID)
		if diff := cmp.Diff(k, got); diff != "" {
			t.Errorf("Keyword after update (-want +got):\n%s", diff)
		}
		stale := *k
		stale.Version = 1
		wantCode(t, "UpdateKeyword(stale)", s.UpdateKeyword(ctx, &stale, keywordEvent(t, k, gmc.ActionUpdate)), "stale_version")
		wantCode(t, "DeleteKeyword(stale)", s.DeleteKeyword(ctx, &stale, keywordEvent(t, k, gmc.ActionDelete)), "stale_version")
		wantErr(t, "DeleteKeyword", s.DeleteKeyword(ctx, k, keywordEvent(t, k, gmc.ActionDelete)), nil)
		_, err := s.Keyword(ctx, k.ID)
		wantErr(t, "Keyword(deleted)", err, gmc.ErrNotFound)
		wantErr(t, "DeleteKeyword(again)", s.DeleteKeyword(ctx, k, keywordEvent(t, k, gmc.ActionDelete)), gmc.ErrNotFound)
		wantErr(t, "UpdateKeyword(deleted)", s.UpdateKeyword(ctx, k, keywordEvent(t, k, gmc.ActionUpdate)), gmc.ErrNotFound)
	})
	t.Run("ListFiltersAndPages", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		other := mustCreateCampaign(t, s, mustCreateUser(t, s, "other@example.com"), "Other")
		a := mustCreateKeyword(t, s, c, "Iron Lanterns", func(k *gmc.Keyword) { k.Category = "faction" })
		b := mustCreateKeyword(t, s, c, "Sola", func(k *gmc.Keyword) { k.Category, k.Visibility = "deity", gmc.VisibleGM })
		d := mustCreateKeyword(t, s, c, "Ember Crown", func(k *gmc.Keyword) { k.Category = "item" })
		mustCreateKeyword(t, s, other, "Iron Lanterns", func(k *gmc.Keyword) { k.Category = "faction" })
		tests := []struct {
			name string
			f    store.KeywordFilter
			want []string
		}{
			{"all", store.KeywordFilter{}, []string{a.ID, b.ID, d.ID}},
			{"category", store.KeywordFilter{Category: "faction"}, []string{a.ID}},
			{"hide gm only", store.KeywordFilter{HideGMOnly: true}, []string{a.ID, d.ID}},
			{"no match", store.KeywordFilter{Category: "spell"}, nil},
		}
		for _, tc := range tests {
			tc.f.CampaignID = c.ID
			list, _, err := s.Keywords(ctx, tc.f)
			wantErr(t, "Keywords("+tc.name+")", err, nil)
			if diff := cmp.Diff(tc.want, keywordIDs(list), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Keywords(%s) (-want +got):\n%s", tc.name, diff)
			}
		}
		page, next, err := s.Keywords(ctx, store.KeywordFilter{CampaignID: c.ID, Page: gmc.Page{Limit: 2}})
		wantErr(t, "Keywords(page 1)", err, nil)
		rest, last, err := s.Keywords(ctx, store.KeywordFilter{CampaignID: c.ID, Page: gmc.Page{Limit: 2, Cursor: next}})
		wantErr(t, "Keywords(page 2)", err, nil)
		if got := append(keywordIDs(page), keywordIDs(rest)...); !cmp.Equal(got, []string{a.ID, b.ID, d.ID}) || next != b.ID || last != "" {
			t.Errorf("pages = %v, cursors %q %q", got, next, last)
		}
	})
}

// testMemberKeywords checks MemberKeywords: a GM sees every keyword,
// anyone else those visible to players, and a change of membership shows
// on the very next read.
func testMemberKeywords(t *testing.T, open OpenFunc) {
	s := open(t)
	gm := mustCreateUser(t, s, "gm@example.com")
	player := mustCreateUser(t, s, "p@example.com")
	stranger := mustCreateUser(t, s, "s@example.com")
	c := mustCreateCampaign(t, s, gm, "C")
	secretsOnly := mustCreateCampaign(t, s, gm, "Secrets only")
	mustAddMember(t, s, c, player, gmc.RolePlayer)
	mustAddMember(t, s, secretsOnly, player, gmc.RolePlayer)
	secretly := func(k *gmc.Keyword) { k.Visibility = gmc.VisibleGM }
	lanterns := mustCreateKeyword(t, s, c, "Iron Lanterns", func(k *gmc.Keyword) { k.Category = "faction" })
	cabal := mustCreateKeyword(t, s, c, "Ashen Cabal", secretly, func(k *gmc.Keyword) { k.Category = "faction" })
	spire := mustCreateKeyword(t, s, c, "Glass Spire")
	crown := mustCreateKeyword(t, s, secretsOnly, "Hollow Crown", secretly)
	all := store.KeywordFilter{CampaignID: c.ID}
	gmView, playerView := []string{lanterns.ID, cabal.ID, spire.ID}, []string{lanterns.ID, spire.ID}
	runMemberReads(t, "MemberKeywords", []memberRead[store.KeywordFilter]{
		{name: "gm", user: gm.ID, f: all, want: gmView, role: gmc.RoleGM},
		{name: "HideGMOnly unused for a gm", user: gm.ID, f: store.KeywordFilter{CampaignID: c.ID, HideGMOnly: true}, want: gmView, role: gmc.RoleGM},
		{name: "player", user: player.ID, f: all, want: playerView, role: gmc.RolePlayer},
		{name: "category", user: player.ID, f: store.KeywordFilter{CampaignID: c.ID, Category: "faction"}, want: []string{lanterns.ID}, role: gmc.RolePlayer},
		{name: "page", user: gm.ID, f: store.KeywordFilter{CampaignID: c.ID, Page: gmc.Page{Limit: 1, Cursor: lanterns.ID}}, want: []string{cabal.ID}, role: gmc.RoleGM},
		{name: "player, only gm-only keywords", user: player.ID, f: store.KeywordFilter{CampaignID: secretsOnly.ID}, role: gmc.RolePlayer},
		{name: "gm, only gm-only keywords", user: gm.ID, f: store.KeywordFilter{CampaignID: secretsOnly.ID}, want: []string{crown.ID}, role: gmc.RoleGM},
		{name: "stranger", user: stranger.ID, f: all, err: gmc.ErrNotFound},
		{name: "stranger, no match", user: stranger.ID, f: store.KeywordFilter{CampaignID: c.ID, Category: "none"}, err: gmc.ErrNotFound},
		{name: "stranger, bad cursor", user: stranger.ID, f: store.KeywordFilter{CampaignID: c.ID, Page: gmc.Page{Cursor: "nope"}}, err: gmc.ErrNotFound},
		{name: "unknown campaign", user: gm.ID, f: store.KeywordFilter{CampaignID: newID(t)}, err: gmc.ErrNotFound},
		{name: "not an id", user: gm.ID, f: store.KeywordFilter{CampaignID: "nope"}, err: gmc.ErrNotFound},
		{name: "promoted", change: setRole(t, s, c, player, gmc.RoleGM), user: player.ID, f: all, want: gmView, role: gmc.RoleGM},
		{name: "downgraded", change: setRole(t, s, c, player, gmc.RoleObserver), user: player.ID, f: all, want: playerView, role: gmc.RoleObserver},
		{name: "removed", change: setRole(t, s, c, player, ""), user: player.ID, f: all, err: gmc.ErrNotFound},
	}, func(user string, f store.KeywordFilter) ([]string, gmc.Role, error) {
		list, _, role, err := s.MemberKeywords(context.Background(), user, f)
		return keywordIDs(list), role, err
	})
}

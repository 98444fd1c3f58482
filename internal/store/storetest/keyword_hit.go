package storetest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// newHit returns a term hit in seg; edit changes it.
func newHit(t testing.TB, seg *gmc.TranscriptSegment, name string, edit ...func(*gmc.KeywordHit)) *gmc.KeywordHit {
	t.Helper()
	h := &gmc.KeywordHit{ID: newID(t), SessionID: seg.SessionID, SegmentID: seg.ID, Seq: seg.Seq, Kind: gmc.HitTerm,
		TermKey: "srd:spell:" + name, Name: name, Category: "spell", Source: "srd", Ref: "spell/" + name,
		Span: [2]int{2, 2 + len(name)}, Surface: name, Confidence: 0.8250000000000001, Reason: "fuzzy", CreatedAt: now()}
	for _, e := range edit {
		e(h)
	}
	return h
}

func hitIDs(hs []*gmc.KeywordHit) []string {
	ids := make([]string, len(hs))
	for i, h := range hs {
		ids[i] = h.ID
	}
	return ids
}

func testKeywordHits(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	setup := func(t *testing.T) (store.Store, *gmc.Campaign, *gmc.GameSession, []*gmc.TranscriptSegment) {
		s := open(t)
		c := mustCreateCampaign(t, s, mustCreateUser(t, s, "gm@example.com"), "C")
		gs := mustCreateSession(t, s, c, "1")
		segs := segments(t, gs.ID, "A", "B")
		if err := s.AppendSegments(ctx, segs, newEvent(t, c.ID, c.CreatedBy, gmc.ActionCreate, "transcript", gs.ID, nil)); err != nil {
			t.Fatal(err)
		}
		return s, c, gs, segs
	}
	t.Run("CreateListAndFilter", func(t *testing.T) {
		t.Parallel()
		s, _, gs, segs := setup(t)
		fireball := newHit(t, segs[0], "fireball")
		secret := newHit(t, segs[0], "Vethrax", func(h *gmc.KeywordHit) {
			h.TermKey, h.Category, h.Source, h.Ref, h.Reason, h.GMOnly = "character:x", "npc", "campaign", "characters/x", "exact", true
		})
		again := newHit(t, segs[1], "fireball", func(h *gmc.KeywordHit) { h.Merged, h.Confidence = true, 1 })
		rule := newHit(t, segs[1], "saving_throw", func(h *gmc.KeywordHit) {
			h.Kind, h.TermKey, h.Category, h.Source, h.Ref, h.Reason = gmc.HitRule, "rule:saving_throw", "rule", "rules", "", "pattern"
			h.Values, h.Characters = json.RawMessage(`{"ability":"DEX","dc":15}`), []string{"Grimbold Ironfist"}
		})
		all := []*gmc.KeywordHit{fireball, secret, again, rule}
		wantErr(t, "CreateKeywordHits", s.CreateKeywordHits(ctx, all), nil)
		got, next, err := s.KeywordHits(ctx, store.KeywordHitFilter{SessionID: gs.ID})
		wantErr(t, "KeywordHits", err, nil)
		if diff := cmp.Diff(all, got); diff != "" || next != "" {
			t.Errorf("KeywordHits (-want +got):\n%s next=%q", diff, next)
		}
		tests := []struct {
			name string
			f    store.KeywordHitFilter
			want []string
		}{
			{"hide gm only", store.KeywordHitFilter{HideGMOnly: true}, []string{fireball.ID, again.ID, rule.ID}},
			{"terms", store.KeywordHitFilter{Kind: gmc.HitTerm}, []string{fireball.ID, secret.ID, again.ID}},
			{"rules", store.KeywordHitFilter{Kind: gmc.HitRule}, []string{rule.ID}},
		}
		for _, tc := range tests {
			tc.f.SessionID = gs.ID
			list, _, err := s.KeywordHits(ctx, tc.f)
			wantErr(t, "KeywordHits("+tc.name+")", err, nil)
			if diff := cmp.Diff(tc.want, hitIDs(list), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("KeywordHits(%s) (-want +got):\n%s", tc.name, diff)
			}
		}
		page, next, _ := s.KeywordHits(ctx, store.KeywordHitFilter{SessionID: gs.ID, Page: gmc.Page{Limit: 3}})
		rest, last, _ := s.KeywordHits(ctx, store.KeywordHitFilter{SessionID: gs.ID, Page: gmc.Page{Limit: 3, Cursor: next}})
		if len(page) != 3 || len(rest) != 1 || rest[0].ID != rule.ID || last != "" {
			t.Errorf("pages = %v / %v", hitIDs(page), hitIDs(rest))
		}
	})
	t.Run("BatchIsAllOrNothing", func(t *testing.T) {
		t.Parallel()
		s, _, gs, segs := setup(t)
		ghost := &gmc.TranscriptSegment{ID: newID(t), SessionID: gs.ID, Seq: 9}
		err := s.CreateKeywordHits(ctx, []*gmc.KeywordHit{newHit(t, segs[0], "light"), newHit(t, ghost, "shield")})
		wantErr(t, "CreateKeywordHits(unknown segment)", err, gmc.ErrNotFound)
		if got, _, _ := s.KeywordHits(ctx, store.KeywordHitFilter{SessionID: gs.ID}); len(got) != 0 {
			t.Errorf("hits after a failed batch = %d, want 0", len(got))
		}
		wantErr(t, "CreateKeywordHits(none)", s.CreateKeywordHits(ctx, nil), nil)
	})
	t.Run("GoWithTheirSession", func(t *testing.T) {
		t.Parallel()
		s, c, gs, segs := setup(t)
		wantErr(t, "CreateKeywordHits", s.CreateKeywordHits(ctx, []*gmc.KeywordHit{newHit(t, segs[0], "fireball")}), nil)
		wantErr(t, "DeleteSession", s.DeleteSession(ctx, gs.ID, newEvent(t, c.ID, c.CreatedBy, gmc.ActionDelete, "session", gs.ID, nil)), nil)
		if got, _, err := s.KeywordHits(ctx, store.KeywordHitFilter{SessionID: gs.ID}); err != nil || len(got) != 0 {
			t.Errorf("hits of a deleted session = %d, %v", len(got), err)
		}
	})
}

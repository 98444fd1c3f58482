package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

func testDndBeyond(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	t.Run("PutAndRead", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		hero := mustCreateCharacter(t, s, c, "Hero")
		// Bytes no JSON column would keep as they are: invalid UTF-8 and
		// insignificant white space.
		doc := []byte("{\"id\": 42,  \"name\":\"\xff\"}\n")
		synced := now().Add(-time.Hour)
		l := &gmc.DndBeyondLink{CharacterID: hero.ID, CampaignID: c.ID, DndBeyondID: 42, Document: doc, LinkedBy: gm.ID, SyncedAt: synced}
		wantErr(t, "PutDndBeyondLink", s.PutDndBeyondLink(ctx, l), nil)
		got, err := s.DndBeyondLink(ctx, c.ID, 42)
		wantErr(t, "DndBeyondLink", err, nil)
		if got.CharacterID != hero.ID || got.CampaignID != c.ID || got.DndBeyondID != 42 || got.LinkedBy != gm.ID || !bytes.Equal(got.Document, doc) || !got.SyncedAt.Equal(synced) {
			t.Errorf("DndBeyondLink = %+v, want %+v", got, l)
		}
		// A re-import replaces the document and the sync time.
		l.Document, l.SyncedAt = []byte(`{"id":42}`), now()
		wantErr(t, "PutDndBeyondLink again", s.PutDndBeyondLink(ctx, l), nil)
		got, err = s.DndBeyondLink(ctx, c.ID, 42)
		wantErr(t, "DndBeyondLink", err, nil)
		if string(got.Document) != `{"id":42}` || !got.SyncedAt.Equal(l.SyncedAt) {
			t.Errorf("after the second put: document %s at %v, want {\"id\":42} at %v", got.Document, got.SyncedAt, l.SyncedAt)
		}
		_, err = s.DndBeyondLink(ctx, c.ID, 43)
		wantErr(t, "DndBeyondLink(unknown)", err, gmc.ErrNotFound)
		_, err = s.DndBeyondLink(ctx, "not-an-id", 42)
		wantErr(t, "DndBeyondLink(bad campaign)", err, gmc.ErrNotFound)
	})
	t.Run("OneCharacterPerDndBeyondIDInACampaign", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c, other := mustCreateCampaign(t, s, gm, "C"), mustCreateCampaign(t, s, gm, "D")
		a, b, elsewhere := mustCreateCharacter(t, s, c, "A"), mustCreateCharacter(t, s, c, "B"), mustCreateCharacter(t, s, other, "E")
		link := func(ch *gmc.Character) *gmc.DndBeyondLink {
			return &gmc.DndBeyondLink{CharacterID: ch.ID, CampaignID: ch.CampaignID, DndBeyondID: 7, Document: []byte(`{}`), LinkedBy: gm.ID, SyncedAt: now()}
		}
		wantErr(t, "PutDndBeyondLink(a)", s.PutDndBeyondLink(ctx, link(a)), nil)
		wantErr(t, "PutDndBeyondLink(b, same id)", s.PutDndBeyondLink(ctx, link(b)), gmc.ErrConflict)
		wantErr(t, "PutDndBeyondLink(other campaign, same id)", s.PutDndBeyondLink(ctx, link(elsewhere)), nil)
		wrong := link(b)
		wrong.CampaignID, wrong.DndBeyondID = other.ID, 8
		wantErr(t, "PutDndBeyondLink(character of another campaign)", s.PutDndBeyondLink(ctx, wrong), gmc.ErrNotFound)
		missing := link(b)
		missing.CharacterID, missing.DndBeyondID = newID(t), 9
		wantErr(t, "PutDndBeyondLink(no character)", s.PutDndBeyondLink(ctx, missing), gmc.ErrNotFound)
	})
	t.Run("DeletedWithItsCharacter", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		hero := mustCreateCharacter(t, s, c, "Hero")
		wantErr(t, "PutDndBeyondLink", s.PutDndBeyondLink(ctx, &gmc.DndBeyondLink{CharacterID: hero.ID, CampaignID: c.ID, DndBeyondID: 5, Document: []byte(`{}`), LinkedBy: gm.ID, SyncedAt: now()}), nil)
		wantErr(t, "DeleteCharacter", s.DeleteCharacter(ctx, hero.ID, newEvent(t, c.ID, gm.ID, gmc.ActionDelete, "character", hero.ID, nil)), nil)
		_, err := s.DndBeyondLink(ctx, c.ID, 5)
		wantErr(t, "DndBeyondLink(deleted character)", err, gmc.ErrNotFound)
	})
	t.Run("ListForSync", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		base := now().Add(-10 * time.Hour)
		var ids []string
		for i := range 5 {
			ch := mustCreateCharacter(t, s, c, "PC")
			ids = append(ids, ch.ID)
			// Characters 0–2 were synced long ago, 3–4 just now.
			synced := base.Add(time.Duration(i) * time.Minute)
			if i >= 3 {
				synced = now()
			}
			wantErr(t, "PutDndBeyondLink", s.PutDndBeyondLink(ctx, &gmc.DndBeyondLink{CharacterID: ch.ID, CampaignID: c.ID, DndBeyondID: int64(100 + i),
				Document: []byte(`{"big":"document"}`), LinkedBy: gm.ID, SyncedAt: synced}), nil)
		}
		var got []string
		after := ""
		for pages := 0; ; pages++ {
			if pages > 3 {
				t.Fatal("listing does not end")
			}
			list, err := s.DndBeyondLinks(ctx, store.DndBeyondLinkFilter{SyncedBefore: base.Add(time.Hour), AfterCharacterID: after, Limit: 2})
			wantErr(t, "DndBeyondLinks", err, nil)
			for _, l := range list {
				if l.LinkedBy != gm.ID {
					t.Errorf("listed link of %s: linked by %q, want %q", l.CharacterID, l.LinkedBy, gm.ID)
				}
				if l.Document != nil {
					t.Errorf("listed link of %s carries its document", l.CharacterID)
				}
				got = append(got, l.CharacterID)
			}
			if len(list) < 2 {
				break
			}
			after = list[len(list)-1].CharacterID
		}
		if want := ids[:3]; !equalStrings(got, want) {
			t.Errorf("DndBeyondLinks = %v, want %v", got, want)
		}
		all, err := s.DndBeyondLinks(ctx, store.DndBeyondLinkFilter{})
		wantErr(t, "DndBeyondLinks(all)", err, nil)
		if len(all) != 5 {
			t.Errorf("DndBeyondLinks(all) = %d links, want 5", len(all))
		}
	})
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

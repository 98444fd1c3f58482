package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/reference"
	"github.com/gmc-project/gmc/internal/store"
)

func refEntry(kind, slug, name string) reference.Entry {
	return reference.Entry{Kind: kind, Slug: slug, Name: name, Aliases: []string{name + " alias"},
		Card: reference.Card{Summary: name + " summary", Attribution: reference.Attribution},
		Data: json.RawMessage(fmt.Sprintf(`{"index":%q,"name":%q}`, slug, name))}
}

func testReference(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	t.Run("UpsertIsIdempotent", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		entries := []reference.Entry{refEntry("spell", "fireball", "Fireball"), refEntry("spell", "shield", "Shield"), refEntry("monster", "goblin", "Goblin")}
		ins, upd, err := s.UpsertReferenceEntries(ctx, entries, now())
		wantErr(t, "UpsertReferenceEntries", err, nil)
		if ins != 3 || upd != 0 {
			t.Errorf("first import = %d inserted, %d updated", ins, upd)
		}
		ins, upd, _ = s.UpsertReferenceEntries(ctx, entries, now())
		if ins != 0 || upd != 0 {
			t.Errorf("same import again = %d inserted, %d updated, want 0, 0", ins, upd)
		}
		entries[1].Card.Summary = "changed"
		ins, upd, _ = s.UpsertReferenceEntries(ctx, entries, now().Add(time.Second))
		if ins != 0 || upd != 1 {
			t.Errorf("changed import = %d inserted, %d updated, want 0, 1", ins, upd)
		}
		got, err := s.ReferenceEntry(ctx, "spell", "shield")
		wantErr(t, "ReferenceEntry", err, nil)
		var gotData, wantData any
		_ = json.Unmarshal(got.Data, &gotData)
		_ = json.Unmarshal(entries[1].Data, &wantData)
		if got.Card.Summary != "changed" || got.Name != "Shield" || !cmp.Equal(gotData, wantData) || len(got.Aliases) != 1 {
			t.Errorf("ReferenceEntry = %+v", got)
		}
		_, err = s.ReferenceEntry(ctx, "spell", "wish")
		wantErr(t, "ReferenceEntry(unknown)", err, gmc.ErrNotFound)
		kinds, _ := s.ReferenceKinds(ctx)
		if kinds["spell"] != 2 || kinds["monster"] != 1 {
			t.Errorf("ReferenceKinds = %v", kinds)
		}
	})
	t.Run("ListPages", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		var entries []reference.Entry
		for i := range 5 {
			entries = append(entries, refEntry("spell", fmt.Sprintf("s-%d", i), fmt.Sprint("S", i)))
		}
		entries = append(entries, refEntry("condition", "prone", "Prone"), refEntry("Upper", "x", "X"))
		if _, _, err := s.UpsertReferenceEntries(ctx, entries, now()); err != nil {
			t.Fatal(err)
		}
		var all []string
		cursor := ""
		for range 10 {
			page, next, err := s.ReferenceEntries(ctx, store.ReferenceFilter{Limit: 3, Cursor: cursor})
			wantErr(t, "ReferenceEntries", err, nil)
			for _, e := range page {
				all = append(all, e.Kind+"/"+e.Slug)
			}
			if cursor = next; cursor == "" {
				break
			}
		}
		want := []string{"Upper/x", "condition/prone", "spell/s-0", "spell/s-1", "spell/s-2", "spell/s-3", "spell/s-4"}
		if diff := cmp.Diff(want, all); diff != "" {
			t.Errorf("paged entries (-want +got):\n%s", diff)
		}
		spells, _, _ := s.ReferenceEntries(ctx, store.ReferenceFilter{Kind: "spell"})
		if len(spells) != 5 {
			t.Errorf("spells = %d", len(spells))
		}
	})
}

package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// newCharacter returns a normalised NPC visible to players; edit changes
// it before it is stored.
func newCharacter(t testing.TB, c *gmc.Campaign, name string, edit ...func(*gmc.Character)) *gmc.Character {
	t.Helper()
	ts := now()
	ch := &gmc.Character{ID: newID(t), CampaignID: c.ID, Name: name, CharacterType: gmc.CharacterNPC, Visibility: gmc.VisiblePlayers,
		CreatedAt: ts, UpdatedAt: ts}
	for _, e := range edit {
		e(ch)
	}
	ch.Normalize()
	return ch
}

// mustCreateCharacter stores a character made by newCharacter.
func mustCreateCharacter(t testing.TB, s store.Store, c *gmc.Campaign, name string, edit ...func(*gmc.Character)) *gmc.Character {
	t.Helper()
	ch := newCharacter(t, c, name, edit...)
	if err := s.CreateCharacter(context.Background(), ch, newEvent(t, c.ID, c.CreatedBy, gmc.ActionCreate, "character", ch.ID, ch)); err != nil {
		t.Fatalf("CreateCharacter(%s) = %v", name, err)
	}
	return ch
}

// hidden makes a character GM-only; pass it to newCharacter.
func hidden(ch *gmc.Character) { ch.Visibility = gmc.VisibleGM }

func characterIDs(cs []*gmc.Character) []string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}

func testCharacter(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	t.Run("CreateAndGet", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		portrait := newID(t)
		want := mustCreateCharacter(t, s, c, "Strahd", func(ch *gmc.Character) {
			ch.CharacterType, ch.OwnerID, ch.PortraitFileID = gmc.CharacterPC, &gm.ID, &portrait
			ch.Stats = json.RawMessage(`{"str": 18, "saves": {"wis": true}}`)
			ch.Notes, ch.GMNotes = json.RawMessage(`{"bio": "A count"}`), json.RawMessage(`{"secret": "vampire"}`)
			ch.VoiceNotes, ch.Aliases, ch.Tags = "Deep and slow", []string{"The Count", "Zarovich"}, []string{"Villain", "noble"}
		})
		if want.Version != 1 {
			t.Errorf("Version after create = %d, want 1", want.Version)
		}
		got, err := s.Character(ctx, want.ID)
		wantErr(t, "Character", err, nil)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Character mismatch (-want +got):\n%s", diff)
		}
		_, err = s.Character(ctx, newID(t))
		wantErr(t, "Character(unknown)", err, gmc.ErrNotFound)
		stranger := newID(t)
		err = s.CreateCharacter(ctx, newCharacter(t, c, "Orphan", func(ch *gmc.Character) { ch.CharacterType, ch.OwnerID = gmc.CharacterPC, &stranger }),
			newEvent(t, c.ID, gm.ID, gmc.ActionCreate, "character", stranger, nil))
		wantErr(t, "CreateCharacter(unknown owner)", err, gmc.ErrNotFound)
		events, _, _ := s.Events(ctx, store.EventFilter{CampaignID: c.ID, EntityType: "character"})
		if len(events) != 1 {
			t.Errorf("character events = %d, want 1 (the failed create adds none)", len(events))
		}
	})
	t.Run("ListFiltersAndPages", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		player := mustCreateUser(t, s, "p@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		other := mustCreateCampaign(t, s, gm, "Other")
		mustAddMember(t, s, c, player, gmc.RolePlayer)
		pc := mustCreateCharacter(t, s, c, "Ærin Brightblade", func(ch *gmc.Character) {
			ch.CharacterType, ch.OwnerID, ch.Tags = gmc.CharacterPC, &player.ID, []string{"party"}
		})
		npc := mustCreateCharacter(t, s, c, "Ireena", func(ch *gmc.Character) { ch.Aliases, ch.Tags = []string{"Tatyana"}, []string{"Party", "noble"} })
		secret := mustCreateCharacter(t, s, c, "Rahadin", hidden, func(ch *gmc.Character) { ch.Tags = []string{"noble"} })
		mustCreateCharacter(t, s, other, "Ireena's twin", func(ch *gmc.Character) { ch.Tags = []string{"noble"} })

		tests := []struct {
			name string
			f    store.CharacterFilter
			want []string
		}{
			{"all", store.CharacterFilter{}, []string{pc.ID, npc.ID, secret.ID}},
			{"type", store.CharacterFilter{Type: gmc.CharacterNPC}, []string{npc.ID, secret.ID}},
			{"tag", store.CharacterFilter{Tag: "noble"}, []string{npc.ID, secret.ID}},
			{"tag normalised on write", store.CharacterFilter{Tag: "party"}, []string{pc.ID, npc.ID}},
			{"owner", store.CharacterFilter{OwnerID: player.ID}, []string{pc.ID}},
			{"query name any case", store.CharacterFilter{Query: gmc.SearchQuery("IREE")}, []string{npc.ID}},
			{"query non-ASCII case", store.CharacterFilter{Query: gmc.SearchQuery("ÆRIN")}, []string{pc.ID}},
			{"query alias", store.CharacterFilter{Query: gmc.SearchQuery("tyan")}, []string{npc.ID}},
			{"query no match", store.CharacterFilter{Query: "zzz"}, nil},
			{"hide gm only", store.CharacterFilter{HideGMOnly: true, Tag: "noble"}, []string{npc.ID}},
			{"combined", store.CharacterFilter{Type: gmc.CharacterPC, Tag: "noble"}, nil},
		}
		for _, tc := range tests {
			tc.f.CampaignID = c.ID
			list, _, err := s.Characters(ctx, tc.f)
			wantErr(t, "Characters("+tc.name+")", err, nil)
			if diff := cmp.Diff(tc.want, characterIDs(list), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Characters(%s) mismatch (-want +got):\n%s", tc.name, diff)
			}
		}
		var got []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 3 {
				t.Fatal("pagination does not end")
			}
			list, next, err := s.Characters(ctx, store.CharacterFilter{CampaignID: c.ID, Page: gmc.Page{Limit: 2, Cursor: cursor}})
			wantErr(t, "Characters(page)", err, nil)
			got = append(got, characterIDs(list)...)
			if cursor = next; next == "" {
				break
			}
		}
		if diff := cmp.Diff([]string{pc.ID, npc.ID, secret.ID}, got); diff != "" {
			t.Errorf("paged Characters mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("MemberCharacters", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		player := mustCreateUser(t, s, "p@example.com")
		observer := mustCreateUser(t, s, "o@example.com")
		stranger := mustCreateUser(t, s, "s@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		empty := mustCreateCampaign(t, s, gm, "Empty")
		secretsOnly := mustCreateCampaign(t, s, gm, "Secrets only")
		mustAddMember(t, s, c, player, gmc.RolePlayer)
		mustAddMember(t, s, c, observer, gmc.RoleObserver)
		mustAddMember(t, s, empty, player, gmc.RolePlayer)
		mustAddMember(t, s, secretsOnly, player, gmc.RolePlayer)
		pc := mustCreateCharacter(t, s, c, "Ærin", func(ch *gmc.Character) { ch.CharacterType, ch.OwnerID = gmc.CharacterPC, &player.ID })
		secret := mustCreateCharacter(t, s, c, "Rahadin", hidden)
		npc := mustCreateCharacter(t, s, c, "Ireena", func(ch *gmc.Character) { ch.Tags = []string{"noble"} })
		hiddenOnly := mustCreateCharacter(t, s, secretsOnly, "Vasili", hidden)
		ev := func() *gmc.Event { return newEvent(t, c.ID, gm.ID, gmc.ActionUpdate, "member", player.ID, nil) }

		tests := []struct {
			name   string
			change func() error
			user   string
			f      store.CharacterFilter
			want   []string
			role   gmc.Role
			err    error
		}{
			{name: "gm sees all", user: gm.ID, f: store.CharacterFilter{CampaignID: c.ID}, want: []string{pc.ID, secret.ID, npc.ID}, role: gmc.RoleGM},
			{name: "player not gm-only", user: player.ID, f: store.CharacterFilter{CampaignID: c.ID}, want: []string{pc.ID, npc.ID}, role: gmc.RolePlayer},
			{name: "observer not gm-only", user: observer.ID, f: store.CharacterFilter{CampaignID: c.ID}, want: []string{pc.ID, npc.ID}, role: gmc.RoleObserver},
			{name: "HideGMOnly unused for a gm", user: gm.ID, f: store.CharacterFilter{CampaignID: c.ID, HideGMOnly: true}, want: []string{pc.ID, secret.ID, npc.ID}, role: gmc.RoleGM},
			{name: "filter", user: player.ID, f: store.CharacterFilter{CampaignID: c.ID, Tag: "noble"}, want: []string{npc.ID}, role: gmc.RolePlayer},
			{name: "page", user: gm.ID, f: store.CharacterFilter{CampaignID: c.ID, Page: gmc.Page{Limit: 1, Cursor: pc.ID}}, want: []string{secret.ID}, role: gmc.RoleGM},
			{name: "member, no match", user: player.ID, f: store.CharacterFilter{CampaignID: c.ID, Query: "zzz"}, role: gmc.RolePlayer},
			{name: "member, empty campaign", user: player.ID, f: store.CharacterFilter{CampaignID: empty.ID}, role: gmc.RolePlayer},
			{name: "player, only gm-only characters", user: player.ID, f: store.CharacterFilter{CampaignID: secretsOnly.ID}, role: gmc.RolePlayer},
			{name: "gm, only gm-only characters", user: gm.ID, f: store.CharacterFilter{CampaignID: secretsOnly.ID}, want: []string{hiddenOnly.ID}, role: gmc.RoleGM},
			{name: "stranger", user: stranger.ID, f: store.CharacterFilter{CampaignID: c.ID}, err: gmc.ErrNotFound},
			{name: "stranger, no match", user: stranger.ID, f: store.CharacterFilter{CampaignID: c.ID, Query: "zzz"}, err: gmc.ErrNotFound},
			{name: "stranger, bad owner", user: stranger.ID, f: store.CharacterFilter{CampaignID: c.ID, OwnerID: "nope"}, err: gmc.ErrNotFound},
			{name: "unknown campaign", user: gm.ID, f: store.CharacterFilter{CampaignID: newID(t)}, err: gmc.ErrNotFound},
			{name: "not an id", user: gm.ID, f: store.CharacterFilter{CampaignID: "nope"}, err: gmc.ErrNotFound},
			// A change of membership shows on the very next read.
			{name: "promoted", user: player.ID, f: store.CharacterFilter{CampaignID: c.ID}, want: []string{pc.ID, secret.ID, npc.ID}, role: gmc.RoleGM,
				change: func() error {
					return s.SetMemberRole(ctx, &gmc.Member{CampaignID: c.ID, UserID: player.ID, Role: gmc.RoleGM}, ev())
				}},
			{name: "downgraded", user: player.ID, f: store.CharacterFilter{CampaignID: c.ID}, want: []string{pc.ID, npc.ID}, role: gmc.RoleObserver,
				change: func() error {
					return s.SetMemberRole(ctx, &gmc.Member{CampaignID: c.ID, UserID: player.ID, Role: gmc.RoleObserver}, ev())
				}},
			{name: "removed", user: player.ID, f: store.CharacterFilter{CampaignID: c.ID}, err: gmc.ErrNotFound,
				change: func() error { return s.RemoveMember(ctx, c.ID, player.ID, ev()) }},
		}
		for _, tc := range tests {
			if tc.change != nil {
				wantErr(t, tc.name+": change", tc.change(), nil)
			}
			list, _, role, err := s.MemberCharacters(ctx, tc.user, tc.f)
			wantErr(t, "MemberCharacters("+tc.name+")", err, tc.err)
			if role != tc.role {
				t.Errorf("MemberCharacters(%s) role = %q, want %q", tc.name, role, tc.role)
			}
			if diff := cmp.Diff(tc.want, characterIDs(list), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("MemberCharacters(%s) mismatch (-want +got):\n%s", tc.name, diff)
			}
		}
	})
	t.Run("UpdateVersioned", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		ch := mustCreateCharacter(t, s, c, "Old", func(ch *gmc.Character) { ch.Tags = []string{"old"} })
		stale := *ch
		ch.Name, ch.Tags, ch.Aliases, ch.Stats = "New", []string{"new"}, []string{"Renamed"}, json.RawMessage(`{"hp":7}`)
		ch.Visibility, ch.UpdatedAt = gmc.VisibleGM, now()
		wantErr(t, "UpdateCharacter", s.UpdateCharacter(ctx, ch, newEvent(t, c.ID, gm.ID, gmc.ActionUpdate, "character", ch.ID, ch)), nil)
		if ch.Version != 2 {
			t.Errorf("Version after update = %d, want 2", ch.Version)
		}
		got, _ := s.Character(ctx, ch.ID)
		if diff := cmp.Diff(ch, got); diff != "" {
			t.Errorf("Character after update (-want +got):\n%s", diff)
		}
		for tag, want := range map[string]int{"old": 0, "new": 1} {
			if list, _, _ := s.Characters(ctx, store.CharacterFilter{CampaignID: c.ID, Tag: tag}); len(list) != want {
				t.Errorf("Characters(tag %s) = %d, want %d", tag, len(list), want)
			}
		}
		if list, _, _ := s.Characters(ctx, store.CharacterFilter{CampaignID: c.ID, Query: "renamed"}); len(list) != 1 {
			t.Errorf("Characters(new alias) = %d, want 1", len(list))
		}
		err := s.UpdateCharacter(ctx, &stale, newEvent(t, c.ID, gm.ID, gmc.ActionUpdate, "character", ch.ID, nil))
		wantCode(t, "UpdateCharacter(stale)", err, "stale_version")
		missing := *ch
		missing.ID = newID(t)
		wantErr(t, "UpdateCharacter(unknown)", s.UpdateCharacter(ctx, &missing, newEvent(t, c.ID, gm.ID, gmc.ActionUpdate, "character", missing.ID, nil)), gmc.ErrNotFound)
		events, _, _ := s.Events(ctx, store.EventFilter{CampaignID: c.ID, EntityType: "character", EntityID: ch.ID})
		if len(events) != 2 {
			t.Errorf("audit events = %d, want 2 (create, update)", len(events))
		}
	})
	t.Run("DeleteCascades", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		a, b, d := mustCreateCharacter(t, s, c, "A"), mustCreateCharacter(t, s, c, "B"), mustCreateCharacter(t, s, c, "D")
		out := mustRelate(t, s, a, b, "ally", true)
		in := mustRelate(t, s, d, a, "enemy", false)
		keep := mustRelate(t, s, b, d, "rival", false)
		mustAward(t, s, a, "Slew the dragon", nil)
		wantErr(t, "DeleteCharacter", s.DeleteCharacter(ctx, a.ID, newEvent(t, c.ID, gm.ID, gmc.ActionDelete, "character", a.ID, nil)), nil)
		_, err := s.Character(ctx, a.ID)
		wantErr(t, "Character(deleted)", err, gmc.ErrNotFound)
		for _, id := range []string{out.ID, *out.PairID, in.ID} {
			_, err := s.Relationship(ctx, id)
			wantErr(t, "Relationship of deleted character", err, gmc.ErrNotFound)
		}
		_, err = s.Relationship(ctx, keep.ID)
		wantErr(t, "Relationship of others", err, nil)
		if list, _, _ := s.Achievements(ctx, a.ID, gmc.Page{}); len(list) != 0 {
			t.Errorf("achievements of deleted character = %d", len(list))
		}
		wantErr(t, "DeleteCharacter(again)", s.DeleteCharacter(ctx, a.ID, newEvent(t, c.ID, gm.ID, gmc.ActionDelete, "character", a.ID, nil)), gmc.ErrNotFound)
	})
	t.Run("OwnerDeleted", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		player := mustCreateUser(t, s, "p@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		mustAddMember(t, s, c, player, gmc.RolePlayer)
		pc := mustCreateCharacter(t, s, c, "PC", func(ch *gmc.Character) { ch.CharacterType, ch.OwnerID = gmc.CharacterPC, &player.ID })
		wantErr(t, "DeleteUser(owner)", s.DeleteUser(ctx, player.ID), nil)
		got, err := s.Character(ctx, pc.ID)
		wantErr(t, "Character(owner deleted)", err, nil)
		if got.OwnerID != nil {
			t.Errorf("OwnerID after the owner's account is deleted = %v, want nil", *got.OwnerID)
		}
	})
	t.Run("CreateMany", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		var batch []*gmc.Character
		for i := range 3 {
			batch = append(batch, newCharacter(t, c, fmt.Sprint("Bulk ", i), func(ch *gmc.Character) { ch.Tags = []string{"bulk"} }))
		}
		ev := newEvent(t, c.ID, gm.ID, gmc.ActionCreate, "character", c.ID, nil)
		wantErr(t, "CreateCharacters", s.CreateCharacters(ctx, batch, ev), nil)
		list, _, _ := s.Characters(ctx, store.CharacterFilter{CampaignID: c.ID, Tag: "bulk"})
		if diff := cmp.Diff(batch, list); diff != "" {
			t.Errorf("Characters after CreateCharacters (-want +got):\n%s", diff)
		}
		dup := []*gmc.Character{newCharacter(t, c, "Fresh"), batch[0]}
		err := s.CreateCharacters(ctx, dup, newEvent(t, c.ID, gm.ID, gmc.ActionCreate, "character", c.ID, nil))
		wantErr(t, "CreateCharacters(taken id)", err, gmc.ErrConflict)
		if _, err := s.Character(ctx, dup[0].ID); err == nil {
			t.Error("a failed batch stored some of its characters")
		}
	})
}

// BenchCreateCharacter times CreateCharacter of a character shaped like
// the demo's (two-word name, an alias, tags, notes) into a campaign that
// already holds some, with clients creating at once.
func BenchCreateCharacter(b *testing.B, s store.Store, clients int) {
	ctx := context.Background()
	gm := mustCreateUser(b, s, "gm@example.com")
	c := mustCreateCampaign(b, s, gm, "Bench")
	for i := range 50 {
		mustCreateCharacter(b, s, c, fmt.Sprintf("Seed Character %d", i))
	}
	b.SetParallelism(max(1, clients/max(1, runtime.GOMAXPROCS(0))))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			ch := newCharacter(b, c, "Wren Ashdown", func(ch *gmc.Character) {
				ch.Aliases, ch.Tags = []string{"The Lamplighter"}, []string{"party", "harbour"}
				ch.Notes = json.RawMessage(`{"bio": "A lamplighter from the harbour who keeps the old lighthouse burning."}`)
			})
			if err := s.CreateCharacter(ctx, ch, newEvent(b, c.ID, gm.ID, gmc.ActionCreate, "character", ch.ID, ch)); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

func newDiscordWebhook(t testing.TB, c *gmc.Campaign, snowflake string) *gmc.DiscordWebhook {
	t.Helper()
	return &gmc.DiscordWebhook{ID: newID(t), CampaignID: c.ID, Name: "Table chat", WebhookID: snowflake, TokenHint: "…wxyz",
		TokenSealed: []byte{0, 1, 2, 0xff, 'x'}, TokenKeyID: "k1", CreatedBy: c.CreatedBy, CreatedAt: now()}
}

func mustCreateDiscordWebhook(t testing.TB, s store.Store, w *gmc.DiscordWebhook) {
	t.Helper()
	if err := s.CreateDiscordWebhook(context.Background(), w, newEvent(t, w.CampaignID, w.CreatedBy, gmc.ActionCreate, gmc.EntityDiscordWebhook, w.ID, w)); err != nil {
		t.Fatalf("CreateDiscordWebhook = %v", err)
	}
}

func testDiscord(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	t.Run("Webhooks", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		d := mustCreateCampaign(t, s, gm, "D")
		a, b := newDiscordWebhook(t, c, "111"), newDiscordWebhook(t, c, "222")
		mustCreateDiscordWebhook(t, s, a)
		mustCreateDiscordWebhook(t, s, b)
		// The same Discord webhook in another campaign is its own row.
		mustCreateDiscordWebhook(t, s, newDiscordWebhook(t, d, "111"))

		got, err := s.DiscordWebhook(ctx, a.ID)
		wantErr(t, "DiscordWebhook", err, nil)
		if diff := cmp.Diff(a, got); diff != "" {
			t.Errorf("DiscordWebhook (-want +got):\n%s", diff)
		}
		list, err := s.DiscordWebhooks(ctx, c.ID)
		wantErr(t, "DiscordWebhooks", err, nil)
		if diff := cmp.Diff([]*gmc.DiscordWebhook{a, b}, list); diff != "" {
			t.Errorf("DiscordWebhooks (-want +got):\n%s", diff)
		}
		if list, err := s.DiscordWebhooks(ctx, "not-an-id"); err != nil || len(list) != 0 {
			t.Errorf("DiscordWebhooks(malformed id) = %v, %v; want none", list, err)
		}

		wantErr(t, "CreateDiscordWebhook(same webhook twice)", s.CreateDiscordWebhook(ctx, newDiscordWebhook(t, c, "111"), newEvent(t, c.ID, gm.ID, gmc.ActionCreate, gmc.EntityDiscordWebhook, "x", nil)), gmc.ErrConflict)
		orphan := newDiscordWebhook(t, &gmc.Campaign{ID: newID(t), CreatedBy: gm.ID}, "333")
		wantErr(t, "CreateDiscordWebhook(unknown campaign)", s.CreateDiscordWebhook(ctx, orphan, newEvent(t, c.ID, gm.ID, gmc.ActionCreate, gmc.EntityDiscordWebhook, orphan.ID, nil)), gmc.ErrNotFound)

		// Reseal replaces only a token still sealed with the old key.
		wantErr(t, "ResealDiscordWebhook", s.ResealDiscordWebhook(ctx, a.ID, "k1", []byte("new"), "k2"), nil)
		wantErr(t, "ResealDiscordWebhook(stale)", s.ResealDiscordWebhook(ctx, a.ID, "k1", []byte("newer"), "k3"), nil)
		got, _ = s.DiscordWebhook(ctx, a.ID)
		if string(got.TokenSealed) != "new" || got.TokenKeyID != "k2" {
			t.Errorf("after reseal: sealed %q key %q, want \"new\" k2", got.TokenSealed, got.TokenKeyID)
		}
		wantErr(t, "ResealDiscordWebhook(unknown)", s.ResealDiscordWebhook(ctx, newID(t), "k1", []byte("x"), "k2"), gmc.ErrNotFound)

		at := now()
		wantErr(t, "MarkDiscordWebhookGone", s.MarkDiscordWebhookGone(ctx, a.ID, at), nil)
		wantErr(t, "MarkDiscordWebhookGone again", s.MarkDiscordWebhookGone(ctx, a.ID, at.Add(time.Hour)), nil)
		got, _ = s.DiscordWebhook(ctx, a.ID)
		if got.GoneAt == nil || !got.GoneAt.Equal(at) {
			t.Errorf("GoneAt = %v, want the first time %v", got.GoneAt, at)
		}
		wantErr(t, "MarkDiscordWebhookGone(unknown)", s.MarkDiscordWebhookGone(ctx, newID(t), at), gmc.ErrNotFound)

		wantErr(t, "DeleteDiscordWebhook", s.DeleteDiscordWebhook(ctx, a.ID, newEvent(t, c.ID, gm.ID, gmc.ActionDelete, gmc.EntityDiscordWebhook, a.ID, nil)), nil)
		_, err = s.DiscordWebhook(ctx, a.ID)
		wantErr(t, "DiscordWebhook(deleted)", err, gmc.ErrNotFound)
		wantErr(t, "DeleteDiscordWebhook again", s.DeleteDiscordWebhook(ctx, a.ID, newEvent(t, c.ID, gm.ID, gmc.ActionDelete, gmc.EntityDiscordWebhook, a.ID, nil)), gmc.ErrNotFound)
		events, _, err := s.Events(ctx, store.EventFilter{CampaignID: c.ID, EntityType: gmc.EntityDiscordWebhook})
		wantErr(t, "Events", err, nil)
		if len(events) != 3 {
			t.Errorf("%d webhook events, want 3 (two creations, one deletion)", len(events))
		}
	})
	t.Run("Posts", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		gs := mustCreateSession(t, s, c, "S1")
		w := newDiscordWebhook(t, c, "111")
		mustCreateDiscordWebhook(t, s, w)
		post := func(job string, part int, msg string) *gmc.DiscordPost {
			return &gmc.DiscordPost{JobID: job, Part: part, SessionID: gs.ID, WebhookID: w.ID, MessageID: msg, PostedAt: now()}
		}
		p1, p0 := post("7", 1, "1001"), post("7", 0, "1000")
		wantErr(t, "AddDiscordPost", s.AddDiscordPost(ctx, p1), nil)
		wantErr(t, "AddDiscordPost", s.AddDiscordPost(ctx, p0), nil)
		wantErr(t, "AddDiscordPost(other job)", s.AddDiscordPost(ctx, post("8", 0, "2000")), nil)
		wantErr(t, "AddDiscordPost(part again)", s.AddDiscordPost(ctx, post("7", 1, "1002")), gmc.ErrConflict)
		bad := post("9", 0, "x")
		bad.WebhookID = newID(t)
		wantErr(t, "AddDiscordPost(unknown webhook)", s.AddDiscordPost(ctx, bad), gmc.ErrNotFound)

		got, err := s.DiscordPosts(ctx, "7")
		wantErr(t, "DiscordPosts", err, nil)
		if diff := cmp.Diff([]*gmc.DiscordPost{p0, p1}, got); diff != "" {
			t.Errorf("DiscordPosts (-want +got):\n%s", diff)
		}
		if got, _ := s.DiscordPosts(ctx, "none"); len(got) != 0 {
			t.Errorf("DiscordPosts(unknown job) = %d rows", len(got))
		}
		// The record of what was posted goes with the session.
		wantErr(t, "DeleteSession", s.DeleteSession(ctx, gs.ID, newEvent(t, c.ID, gm.ID, gmc.ActionDelete, gmc.EntitySession, gs.ID, nil)), nil)
		if got, _ := s.DiscordPosts(ctx, "7"); len(got) != 0 {
			t.Errorf("DiscordPosts after the session's deletion = %d rows, want 0", len(got))
		}
	})
}

// testMemberDiscordWebhooks checks MemberDiscordWebhooks: webhooks are for
// GMs, a member with another role gets none and the role, and a change of
// membership shows on the very next read.
func testMemberDiscordWebhooks(t *testing.T, open OpenFunc) {
	s := open(t)
	gm := mustCreateUser(t, s, "gm@example.com")
	player := mustCreateUser(t, s, "p@example.com")
	stranger := mustCreateUser(t, s, "s@example.com")
	c := mustCreateCampaign(t, s, gm, "C")
	empty := mustCreateCampaign(t, s, gm, "Empty")
	mustAddMember(t, s, c, player, gmc.RolePlayer)
	a, b := newDiscordWebhook(t, c, "111"), newDiscordWebhook(t, c, "222")
	mustCreateDiscordWebhook(t, s, a)
	mustCreateDiscordWebhook(t, s, b)
	both := []string{a.ID, b.ID}
	runMemberReads(t, "MemberDiscordWebhooks", []memberRead[string]{
		{name: "gm", user: gm.ID, f: c.ID, want: both, role: gmc.RoleGM},
		{name: "gm, no webhooks", user: gm.ID, f: empty.ID, role: gmc.RoleGM},
		{name: "player", user: player.ID, f: c.ID, role: gmc.RolePlayer},
		{name: "stranger", user: stranger.ID, f: c.ID, err: gmc.ErrNotFound},
		{name: "unknown campaign", user: gm.ID, f: newID(t), err: gmc.ErrNotFound},
		{name: "not an id", user: gm.ID, f: "nope", err: gmc.ErrNotFound},
		{name: "promoted", change: setRole(t, s, c, player, gmc.RoleGM), user: player.ID, f: c.ID, want: both, role: gmc.RoleGM},
		{name: "downgraded", change: setRole(t, s, c, player, gmc.RoleObserver), user: player.ID, f: c.ID, role: gmc.RoleObserver},
		{name: "removed", change: setRole(t, s, c, player, ""), user: player.ID, f: c.ID, err: gmc.ErrNotFound},
	}, func(user, campaignID string) ([]string, gmc.Role, error) {
		list, role, err := s.MemberDiscordWebhooks(context.Background(), user, campaignID)
		ids := make([]string, len(list))
		for i, w := range list {
			ids[i] = w.ID
		}
		return ids, role, err
	})
}

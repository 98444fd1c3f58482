// Package storetest is the one contract suite every store backend must pass.
// Each backend's TestContract calls Run with a function that opens a fresh,
// migrated store; every behaviour of package store has a test here, so a
// behaviour that exists on one backend only cannot go unnoticed.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// OpenFunc opens a fresh, migrated, empty store that is closed when t ends.
type OpenFunc func(t *testing.T) store.Store

// Run runs the whole contract suite. Subtests run in parallel, each on its
// own store.
func Run(t *testing.T, open OpenFunc) {
	suites := []struct {
		name string
		run  func(t *testing.T, open OpenFunc)
	}{
		{"User", testUser},
		{"RefreshToken", testRefreshToken},
		{"Campaign", testCampaign},
		{"Member", testMember},
		{"Invite", testInvite},
		{"Event", testEvent},
		{"MemberEvents", testMemberEvents},
		{"Session", testSession},
		{"MemberSessions", testMemberSessions},
		{"Character", testCharacter},
		{"Achievement", testAchievement},
		{"MemberAchievements", testMemberAchievements},
		{"Relationship", testRelationship},
		{"MemberRelationships", testMemberRelationships},
		{"Graph", testGraph},
		{"Location", testLocation},
		{"MemberLocations", testMemberLocations},
		{"Plot", testPlot},
		{"MemberPlots", testMemberPlots},
		{"PlotDependency", testPlotDependency},
		{"Foreshadowing", testForeshadowing},
		{"PlotReminders", testPlotReminders},
		{"Transcript", testTranscript},
		{"Reference", testReference},
		{"Keyword", testKeyword},
		{"MemberKeywords", testMemberKeywords},
		{"KeywordHits", testKeywordHits},
		{"Search", testSearch},
		{"SegmentSearch", testSegmentSearch},
		{"Embedding", testEmbedding},
		{"Ticket", testTicket},
		{"Bundle", testBundle},
		{"Recording", testRecording},
		{"File", testFile},
		{"VoiceConsent", testVoiceConsent},
		{"DndBeyond", testDndBeyond},
		{"Summary", testSummary},
		{"Discord", testDiscord},
		{"MemberDiscordWebhooks", testMemberDiscordWebhooks},
		{"Retention", testRetention},
		{"Usage", testUsage},
		{"Tx", testTx},
	}
	for _, s := range suites {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			s.run(t, open)
		})
	}
}

func newID(t testing.TB) string {
	t.Helper()
	id, err := uuid.NewV7()
	if err != nil {
		t.Fatal(err)
	}
	return id.String()
}

// now is a time with the microsecond precision both backends keep.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func mustCreateUser(t testing.TB, s store.Store, email string) *gmc.User {
	t.Helper()
	ts := now()
	u := &gmc.User{ID: newID(t), Email: email, DisplayName: "User " + email, PasswordHash: "hash", CreatedAt: ts, UpdatedAt: ts}
	if err := s.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("CreateUser(%s) = %v", email, err)
	}
	return u
}

func newEvent(t testing.TB, campaignID, actorID, action, entityType, entityID string, after any) *gmc.Event {
	t.Helper()
	ev := &gmc.Event{ID: newID(t), CampaignID: campaignID, ActorID: actorID, Action: action, EntityType: entityType, EntityID: entityID, At: now()}
	if after != nil {
		b, err := json.Marshal(after)
		if err != nil {
			t.Fatal(err)
		}
		ev.After = b
	}
	return ev
}

func mustCreateCampaign(t testing.TB, s store.Store, gm *gmc.User, name string) *gmc.Campaign {
	t.Helper()
	ts := now()
	c := &gmc.Campaign{ID: newID(t), Name: name, GameSystem: "dnd5e", Settings: gmc.DefaultCampaignSettings(), CreatedBy: gm.ID, CreatedAt: ts, UpdatedAt: ts}
	m := &gmc.Member{CampaignID: c.ID, UserID: gm.ID, Role: gmc.RoleGM, JoinedAt: ts}
	if err := s.CreateCampaign(context.Background(), c, m, newEvent(t, c.ID, gm.ID, gmc.ActionCreate, "campaign", c.ID, c)); err != nil {
		t.Fatalf("CreateCampaign(%s) = %v", name, err)
	}
	return c
}

func mustAddMember(t testing.TB, s store.Store, c *gmc.Campaign, u *gmc.User, role gmc.Role) {
	t.Helper()
	ts := now()
	inv := &gmc.Invite{ID: newID(t), CampaignID: c.ID, Code: newID(t), Role: role, MaxUses: 1, CreatedBy: c.CreatedBy, ExpiresAt: ts.Add(time.Hour), CreatedAt: ts}
	if err := s.CreateInvite(context.Background(), inv, newEvent(t, c.ID, c.CreatedBy, gmc.ActionCreate, "invite", inv.ID, nil)); err != nil {
		t.Fatalf("CreateInvite = %v", err)
	}
	m := &gmc.Member{UserID: u.ID, JoinedAt: ts}
	if _, err := s.AcceptInvite(context.Background(), inv.Code, m, ts, newEvent(t, "", u.ID, gmc.ActionCreate, "member", u.ID, nil)); err != nil {
		t.Fatalf("AcceptInvite = %v", err)
	}
}

// wantErr fails unless err unwraps to want (nil means no error).
func wantErr(t testing.TB, what string, err, want error) {
	t.Helper()
	if want == nil && err != nil {
		t.Fatalf("%s = %v, want no error", what, err)
	}
	if want != nil && !errors.Is(err, want) {
		t.Fatalf("%s = %v, want %v", what, err, want)
	}
}

// wantCode fails unless err is a *gmc.Error with the given code.
func wantCode(t testing.TB, what string, err error, code string) {
	t.Helper()
	var e *gmc.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("%s = %v, want error code %q", what, err, code)
	}
}

func emails(n int, prefix string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d@example.com", prefix, i)
	}
	return out
}

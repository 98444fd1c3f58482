package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/gmc-project/gmc/internal/gmc"
)

// TestSearchIndexLeavesNothingBehind checks what the contract suite cannot
// see: deleting a campaign removes every row of its documents, the FTS5
// indexes included (their triggers run for cascaded deletes too).
func TestSearchIndexLeavesNothingBehind(t *testing.T) {
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "gmc.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	id := func() string { return uuid.Must(uuid.NewV7()).String() }
	u := &gmc.User{ID: id(), Email: "gm@example.com", DisplayName: "GM", PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
	c := &gmc.Campaign{ID: id(), Name: "C", CreatedBy: u.ID, CreatedAt: now, UpdatedAt: now}
	ev := func() *gmc.Event {
		return &gmc.Event{ID: id(), CampaignID: c.ID, ActorID: u.ID, Action: gmc.ActionCreate, EntityType: "x", EntityID: c.ID, At: now}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.CreateUser(ctx, u))
	must(db.CreateCampaign(ctx, c, &gmc.Member{CampaignID: c.ID, UserID: u.ID, Role: gmc.RoleGM, JoinedAt: now}, ev()))
	must(db.CreateSession(ctx, &gmc.GameSession{ID: id(), CampaignID: c.ID, Title: "Wyvern Hunt", Status: gmc.SessionScheduled, Notes: "Ashes.", CreatedAt: now, UpdatedAt: now}, ev()))
	ch := &gmc.Character{ID: id(), CampaignID: c.ID, Name: "Gorrick", CharacterType: gmc.CharacterNPC, Visibility: gmc.VisibleGM, Tags: []string{"dwarf"}, CreatedAt: now, UpdatedAt: now}
	ch.Normalize()
	must(db.CreateCharacter(ctx, ch, ev()))
	root := &gmc.Location{ID: id(), CampaignID: c.ID, Name: "Coast", Visibility: gmc.VisiblePlayers, CreatedAt: now, UpdatedAt: now}
	root.Normalize()
	must(db.CreateLocation(ctx, root, ev()))
	child := &gmc.Location{ID: id(), CampaignID: c.ID, ParentID: &root.ID, Name: "Keep", Visibility: gmc.VisiblePlayers, CreatedAt: now, UpdatedAt: now}
	child.Normalize()
	must(db.CreateLocation(ctx, child, ev()))

	tables := []string{"search_docs", "search_keys", "search_tags", "search_names", "search_text"}
	count := func(table string) int {
		var n int
		must(db.read.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n))
		return n
	}
	for _, table := range tables {
		if count(table) == 0 {
			t.Errorf("%s is empty after indexing", table)
		}
	}
	must(db.DeleteCampaign(ctx, c.ID))
	for _, table := range tables {
		if n := count(table); n != 0 {
			t.Errorf("%s has %d rows after the campaign was deleted", table, n)
		}
	}
}

package service_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/live"
	"github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/store/postgres"
	"github.com/gmc-project/gmc/internal/store/sqlite"
	"github.com/gmc-project/gmc/internal/testenv"
)

// storeBackends are the store backends the transactional service tests
// run on; each opens a fresh, migrated store closed when t ends.
var storeBackends = []struct {
	name string
	open func(t *testing.T) store.Store
}{
	{"sqlite", func(t *testing.T) store.Store {
		db, err := sqlite.Open(filepath.Join(t.TempDir(), "gmc.db"))
		if err != nil {
			t.Fatal(err)
		}
		return migrated(t, db)
	}},
	{"postgres", func(t *testing.T) store.Store {
		db, err := postgres.Open(context.Background(), testenv.PostgresSchema(t))
		if err != nil {
			t.Fatal(err)
		}
		return migrated(t, db)
	}},
}

func migrated(t *testing.T, st store.Store) store.Store {
	t.Helper()
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

// errCrash stands for the process dying in the middle of a request.
var errCrash = errors.New("the process stops here")

// idSource hands out UUIDv7 ids and remembers them. When crashAt is set,
// asking for id number crashAt panics with errCrash instead.
type idSource struct {
	mu      sync.Mutex
	made    []string
	crashAt int
}

func (g *idSource) next() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.crashAt > 0 && len(g.made)+1 == g.crashAt {
		panic(errCrash)
	}
	id := uuid.Must(uuid.NewV7()).String()
	g.made = append(g.made, id)
	return id
}

func (g *idSource) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.made)
}

func (g *idSource) since(n int) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.made[n:]...)
}

// table is a campaign with a GM, a player who owns a PC, an NPC, a one-way
// relationship, a session and a keyword, on a service with its own ids.
type table struct {
	st           store.Store
	svc          *service.Service
	ids          *idSource
	gm, player   *gmc.User
	campaign     *gmc.Campaign
	pc, npc      *gmc.Character
	relationship *gmc.Relationship
	session      *gmc.GameSession
	// notices hears the entity.changed messages of session once it is live.
	notices *notices
}

func newTable(t *testing.T, st store.Store) *table {
	t.Helper()
	ctx := context.Background()
	tb := &table{st: st, ids: &idSource{}}
	var liveTable *live.Table
	liveTable, tb.notices = newNotices(t, st)
	var err error
	tb.svc, err = service.New(service.Config{Store: st, SecretKey: bytes.Repeat([]byte("k"), 32), NewID: tb.ids.next, Live: liveTable,
		PasswordParams: &service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	tb.gm = ok(tb.svc.Register(ctx, service.RegisterParams{Email: "gm@example.com", Password: "correct horse battery", DisplayName: "GM"}))(t)
	tb.player = ok(tb.svc.Register(ctx, service.RegisterParams{Email: "player@example.com", Password: "correct horse battery", DisplayName: "Player"}))(t)
	tb.campaign = ok(tb.svc.CreateCampaign(ctx, tb.gm.ID, service.CampaignParams{Name: "Barovia"}))(t)
	inv := ok(tb.svc.CreateInvite(ctx, tb.gm.ID, tb.campaign.ID, service.InviteParams{Role: gmc.RolePlayer}))(t)
	ok(tb.svc.AcceptInvite(ctx, tb.player.ID, inv.Code, ""))(t)
	tb.session = ok(tb.svc.CreateSession(ctx, tb.gm.ID, tb.campaign.ID, service.SessionParams{Title: "Arrival"}))(t)
	tb.pc = ok(tb.svc.CreateCharacter(ctx, tb.gm.ID, tb.campaign.ID, service.CharacterParams{Name: "Ireena Kolyana", CharacterType: gmc.CharacterPC, OwnerID: &tb.player.ID}))(t)
	tb.npc = ok(tb.svc.CreateCharacter(ctx, tb.gm.ID, tb.campaign.ID, service.CharacterParams{Name: "Ismark Kolyanovich", CharacterType: gmc.CharacterNPC}))(t)
	tb.relationship = ok(tb.svc.CreateRelationship(ctx, tb.gm.ID, tb.npc.ID, service.RelationshipParams{TargetID: tb.pc.ID, Kind: "sibling", Attitude: 80}))(t)
	ok(tb.svc.CreateKeyword(ctx, tb.gm.ID, tb.campaign.ID, service.KeywordParams{Term: "Sunsword", Category: "item"}))(t)
	return tb
}

// ok takes a call's value and error; the function it returns fails t on
// the error and gives the value otherwise.
func ok[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// TestImportIsOneTransaction fails an import after most of it is written,
// once at the database and once by stopping the process, and finds
// nothing of it afterwards: no campaign, entity, audit event or search
// document under any id the import took.
func TestImportIsOneTransaction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// spoil makes a document that passes validation but that the
		// database refuses late in the import.
		spoil func(b *gmc.Bundle)
		// crash stops the import just before its last write.
		crash bool
		want  error
	}{
		{
			name: "DatabaseRefusesALateWrite",
			spoil: func(b *gmc.Bundle) {
				again := b.Relationships[0]
				again.ID = uuid.Must(uuid.NewV7()).String()
				b.Relationships = append(b.Relationships, again)
			},
			want: gmc.ErrConflict,
		},
		{name: "ProcessStopsBeforeTheLastWrite", crash: true},
	}
	for _, be := range storeBackends {
		for _, tt := range tests {
			t.Run(be.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				tb := newTable(t, be.open(t))
				b := ok(tb.svc.ExportCampaign(ctx, tb.gm.ID, tb.campaign.ID))(t)
				if tt.spoil != nil {
					tt.spoil(b)
					if err := b.Validate(); err != nil {
						t.Fatalf("the spoilt document no longer passes validation: %v", err)
					}
				}
				if tt.crash {
					// A whole import first, to learn how many ids one takes.
					start := tb.ids.count()
					ok(tb.svc.ImportCampaign(ctx, tb.gm.ID, b))(t)
					tb.ids.crashAt = 2*tb.ids.count() - start
				}
				campaigns := ok2(tb.svc.Campaigns(ctx, tb.gm.ID, gmc.Page{}))(t)
				mark := tb.ids.count()

				err := importRecovering(ctx, tb.svc, tb.gm.ID, b)
				switch {
				case tt.crash && !errors.Is(err, errCrash):
					t.Fatalf("import = %v, want the crash", err)
				case !tt.crash && !errors.Is(err, tt.want):
					t.Fatalf("import = %v, want %v", err, tt.want)
				}
				taken := tb.ids.since(mark)
				if len(taken) < 10 {
					t.Fatalf("the import took %d ids before failing; it failed too early to prove anything", len(taken))
				}
				if after := ok2(tb.svc.Campaigns(ctx, tb.gm.ID, gmc.Page{}))(t); len(after) != len(campaigns) {
					t.Errorf("the GM has %d campaigns after the failed import, want %d", len(after), len(campaigns))
				}
				for _, id := range taken {
					wantNothingUnder(t, tb.st, id)
				}
			})
		}
	}
}

// importRecovering imports b and turns the panic that stands for a crash
// into an error.
func importRecovering(ctx context.Context, svc *service.Service, userID string, b *gmc.Bundle) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if p != errCrash {
				panic(p)
			}
			err = errCrash
		}
	}()
	_, err = svc.ImportCampaign(ctx, userID, b)
	return err
}

// wantNothingUnder fails when id names a campaign, a character or a
// session, or when a campaign id id has audit events or search documents.
func wantNothingUnder(t *testing.T, st store.Store, id string) {
	t.Helper()
	ctx := context.Background()
	if _, err := st.Campaign(ctx, id); !errors.Is(err, gmc.ErrNotFound) {
		t.Errorf("campaign %s = %v, want ErrNotFound", id, err)
	}
	if _, err := st.Character(ctx, id); !errors.Is(err, gmc.ErrNotFound) {
		t.Errorf("character %s = %v, want ErrNotFound", id, err)
	}
	if _, err := st.Session(ctx, id); !errors.Is(err, gmc.ErrNotFound) {
		t.Errorf("session %s = %v, want ErrNotFound", id, err)
	}
	if events := ok2(st.Events(ctx, store.EventFilter{CampaignID: id, Page: gmc.Page{Limit: 10}}))(t); len(events) > 0 {
		t.Errorf("campaign %s keeps %d audit events", id, len(events))
	}
	for _, q := range []string{"Ireena", "Ismark", "Arrival"} {
		res := ok(search.Run(ctx, st, search.Request{Filter: search.Filter{Scope: id, GM: true}, Query: q}))(t)
		if len(res.Items) > 0 {
			t.Errorf("campaign %s keeps search documents: %q finds %+v", id, q, res.Items)
		}
	}
}

// ok2 is ok for calls that also return a page cursor.
func ok2[T any](v T, _ string, err error) func(t *testing.T) T {
	return ok(v, err)
}

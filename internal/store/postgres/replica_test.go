package postgres_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/store/postgres"
	"github.com/gmc-project/gmc/internal/testenv"
)

// states records what a replica's OnState and OnLag hooks are told.
type states struct {
	mu  sync.Mutex
	got []string
	// lag and lagErr are what OnLag was told last; checks counts its calls.
	lag    time.Duration
	lagErr error
	checks int
}

func (s *states) lagHook(lag time.Duration, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lag, s.lagErr = lag, err
	s.checks++
}

// lastLag is what OnLag was told last, and whether it was told anything.
func (s *states) lastLag() (lag time.Duration, told bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lag, s.checks > 0, s.lagErr
}

func (s *states) hook(serving bool, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if serving {
		s.got = append(s.got, "serving")
	} else {
		s.got = append(s.got, "skipped: "+reason)
	}
}

func (s *states) last() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.got) == 0 {
		return ""
	}
	return s.got[len(s.got)-1]
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func id(t *testing.T) string {
	u, err := uuid.NewV7()
	if err != nil {
		t.Fatal(err)
	}
	return u.String()
}

// TestReadReplica runs the store on a throw-away primary with a
// streaming replica of it (testenv.PostgresReplica: initdb and
// pg_basebackup -R): list reads go to the replica, a request that wrote
// reads the primary, and a replica that lags or is unreachable is
// skipped.
func TestReadReplica(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	primaryURL, replicaURL := testenv.PostgresReplica(t)
	open := func(t *testing.T, replica string, opts postgres.ReplicaOptions) (*postgres.DB, *states) {
		db, err := postgres.Open(ctx, primaryURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		st := &states{}
		opts.OnState, opts.OnLag, opts.CheckEvery = st.hook, st.lagHook, 20*time.Millisecond
		if replica != "" {
			if err := db.SetReadReplica(ctx, replica, opts); err != nil {
				t.Fatal(err)
			}
		}
		return db, st
	}
	db, st := open(t, "", postgres.ReplicaOptions{})
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	gm := &gmc.User{ID: id(t), Email: "gm@example.com", DisplayName: "GM", PasswordHash: "hash", CreatedAt: now, UpdatedAt: now}
	if err := db.CreateUser(ctx, gm); err != nil {
		t.Fatal(err)
	}
	c := &gmc.Campaign{ID: id(t), Name: "C", GameSystem: "dnd5e", Settings: gmc.DefaultCampaignSettings(), CreatedBy: gm.ID, CreatedAt: now, UpdatedAt: now}
	ev := func() *gmc.Event {
		return &gmc.Event{ID: id(t), CampaignID: c.ID, ActorID: gm.ID, Action: gmc.ActionCreate, EntityType: "character", EntityID: c.ID, At: now}
	}
	if err := db.CreateCampaign(ctx, c, &gmc.Member{CampaignID: c.ID, UserID: gm.ID, Role: gmc.RoleGM, JoinedAt: now}, ev()); err != nil {
		t.Fatal(err)
	}
	create := func(ctx context.Context, db *postgres.DB, name string) *gmc.Character {
		ch := &gmc.Character{ID: id(t), CampaignID: c.ID, Name: name, CharacterType: gmc.CharacterNPC, Visibility: gmc.VisiblePlayers, CreatedAt: now, UpdatedAt: now}
		ch.Normalize()
		if err := db.CreateCharacter(ctx, ch, ev()); err != nil {
			t.Fatal(err)
		}
		return ch
	}
	names := func(ctx context.Context, db *postgres.DB) []string {
		cs, _, err := db.Characters(ctx, store.CharacterFilter{CampaignID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, ch := range cs {
			out = append(out, ch.Name)
		}
		slices.Sort(out)
		return out
	}
	join := func(email string) *gmc.User {
		u := &gmc.User{ID: id(t), Email: email, DisplayName: email, PasswordHash: "hash", CreatedAt: now, UpdatedAt: now}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		inv := &gmc.Invite{ID: id(t), CampaignID: c.ID, Code: id(t), Role: gmc.RolePlayer, MaxUses: 1, CreatedBy: gm.ID, ExpiresAt: now.Add(time.Hour), CreatedAt: now}
		if err := db.CreateInvite(ctx, inv, ev()); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AcceptInvite(ctx, inv.Code, &gmc.Member{UserID: u.ID, JoinedAt: now}, now, ev()); err != nil {
			t.Fatal(err)
		}
		return u
	}
	leaver, riser := join("leaver@example.com"), join("riser@example.com")
	// Written after the memberships, so that a replica holding them holds
	// the memberships too.
	create(ctx, db, "Early")
	secret := create(ctx, db, "Secret")
	secret.Visibility = gmc.VisibleGM
	if err := db.UpdateCharacter(ctx, secret, ev()); err != nil {
		t.Fatal(err)
	}
	memberNames := func(ctx context.Context, db *postgres.DB, u *gmc.User) ([]string, gmc.Role, error) {
		cs, _, role, err := db.MemberCharacters(ctx, u.ID, store.CharacterFilter{CampaignID: c.ID})
		var out []string
		for _, ch := range cs {
			out = append(out, ch.Name)
		}
		slices.Sort(out)
		return out, role, err
	}

	replicaDB, st := open(t, replicaURL, postgres.ReplicaOptions{MaxLag: time.Hour})
	waitFor(t, "the replica to serve and hold Early and Secret", func() bool {
		return st.last() == "serving" && slices.Equal(names(ctx, replicaDB), []string{"Early", "Secret"})
	})
	strict, strictSt := open(t, replicaURL, postgres.ReplicaOptions{MaxLag: 300 * time.Millisecond})
	waitFor(t, "the strict handle to serve", func() bool { return strictSt.last() == "serving" })

	// Replay paused: the replica keeps what it had.
	conn, err := pgx.Connect(ctx, replicaURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	request := store.TrackWrites(ctx)
	late := create(request, replicaDB, "Late")

	if got := names(ctx, replicaDB); !slices.Equal(got, []string{"Early", "Secret"}) {
		t.Errorf("a list read = %v, want the replica's [Early Secret]: it did not go to the replica", got)
	}
	if got := names(request, replicaDB); !slices.Equal(got, []string{"Early", "Late", "Secret"}) {
		t.Errorf("a list read after a write of the same request = %v, want the primary's [Early Late Secret]", got)
	}
	// A list read carrying the caller's membership reads the list from the
	// replica and the membership from the primary: the replica, replay
	// paused, still holds the leaver as a member and the riser as a player.
	if err := db.RemoveMember(ctx, c.ID, leaver.ID, ev()); err != nil {
		t.Fatal(err)
	}
	if err := db.SetMemberRole(ctx, &gmc.Member{CampaignID: c.ID, UserID: riser.ID, Role: gmc.RoleGM}, ev()); err != nil {
		t.Fatal(err)
	}
	if got, role, err := memberNames(ctx, replicaDB, leaver); !errors.Is(err, gmc.ErrNotFound) {
		t.Errorf("a member list read of a removed member = %v, %q, %v; want ErrNotFound from the primary", got, role, err)
	}
	if got, role, err := memberNames(ctx, replicaDB, riser); err != nil || role != gmc.RoleGM || !slices.Equal(got, []string{"Early", "Secret"}) {
		t.Errorf("a member list read of a promoted member = %v, %q, %v; want the replica's [Early Secret] as a gm", got, role, err)
	}
	// A read whose result is kept (a cache) goes to the primary, without
	// sending the rest of its request there.
	other := store.TrackWrites(ctx)
	if got := names(store.ReadPrimary(other), replicaDB); !slices.Equal(got, []string{"Early", "Late", "Secret"}) {
		t.Errorf("a list read for a cache = %v, want the primary's [Early Late Secret]", got)
	}
	if got := names(other, replicaDB); !slices.Equal(got, []string{"Early", "Secret"}) {
		t.Errorf("a list read of the request after its read for a cache = %v, want the replica's [Early Secret]", got)
	}
	if _, err := replicaDB.Character(ctx, late.ID); err != nil {
		t.Errorf("a read by id (permission checks) = %v, want it from the primary", err)
	}
	// The strict bound is passed while replay waits: that handle skips
	// the replica and reads the primary.
	waitFor(t, "the strict handle to skip the lagging replica", func() bool { return strings.HasPrefix(strictSt.last(), "skipped: lagging") })
	if lag, _, err := strictSt.lastLag(); err != nil || lag <= 300*time.Millisecond {
		t.Errorf("OnLag of a replica skipped for lagging = %v, %v; want a lag above the bound", lag, err)
	}
	if got := names(ctx, strict); !slices.Equal(got, []string{"Early", "Late", "Secret"}) {
		t.Errorf("a list read with the replica skipped = %v, want the primary's", got)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the strict handle to take the replica back", func() bool { return strictSt.last() == "serving" })
	waitFor(t, "the strict handle to measure the replica caught up", func() bool {
		lag, _, err := strictSt.lastLag()
		return err == nil && lag <= 300*time.Millisecond
	})
	waitFor(t, "the replica to catch up", func() bool { return slices.Equal(names(ctx, replicaDB), []string{"Early", "Late", "Secret"}) })

	// A replica that cannot be reached serves nothing; reads still work.
	down, downSt := open(t, "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=1", postgres.ReplicaOptions{})
	if got := names(ctx, down); !slices.Equal(got, []string{"Early", "Late", "Secret"}) {
		t.Errorf("a list read with the replica down = %v", got)
	}
	if !strings.HasPrefix(downSt.last(), "skipped: unreachable") {
		t.Errorf("state of a replica that is down = %q", downSt.last())
	}
	if _, told, err := downSt.lastLag(); !told || err == nil {
		t.Errorf("OnLag of a replica that is down: told %v, error %v; want the error", told, err)
	}
	// A primary given as its own replica is refused: it is no standby.
	self, selfSt := open(t, primaryURL, postgres.ReplicaOptions{})
	_ = self
	if !strings.Contains(selfSt.last(), "not a standby") {
		t.Errorf("state of a primary given as replica = %q", selfSt.last())
	}
}

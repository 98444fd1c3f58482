package service_test

import (
	"bytes"
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gmc-project/gmc/internal/generate"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

// TestForeshadowingRevealMoveHide walks a hint through its life: revealed
// in a session, its reveal moved to another session, hidden again (which
// clears when and where), and deleted.
func TestForeshadowingRevealMoveHide(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tb := newTable(t, be.open(t))
			gm := tb.gm.ID
			second := ok(tb.svc.CreateSession(ctx, gm, tb.campaign.ID, service.SessionParams{Title: "The church"}))(t)
			plot := ok(tb.svc.CreatePlot(ctx, gm, tb.campaign.ID, service.PlotParams{Title: "The funeral", Visibility: gmc.VisiblePlayers}))(t)
			hint := ok(tb.svc.CreateForeshadowing(ctx, gm, plot.ID, service.ForeshadowingParams{Description: "The coffin is too light"}))(t)

			yes, no := true, false
			f := ok(tb.svc.UpdateForeshadowing(ctx, gm, hint.ID, service.ForeshadowingUpdate{Revealed: &yes, SessionID: &tb.session.ID}))(t)
			if !f.Revealed || f.RevealedSessionID == nil || *f.RevealedSessionID != tb.session.ID || f.RevealedAt == nil {
				t.Fatalf("revealed hint = %+v, want revealed in the first session", f)
			}
			// A session alone moves the reveal of a revealed hint.
			f = ok(tb.svc.UpdateForeshadowing(ctx, gm, hint.ID, service.ForeshadowingUpdate{SessionID: &second.ID, IfMatch: f.Version}))(t)
			if f.RevealedSessionID == nil || *f.RevealedSessionID != second.ID {
				t.Errorf("moved reveal in session %v, want %s", f.RevealedSessionID, second.ID)
			}
			f = ok(tb.svc.UpdateForeshadowing(ctx, gm, hint.ID, service.ForeshadowingUpdate{Revealed: &no}))(t)
			if f.Revealed || f.RevealedSessionID != nil || f.RevealedAt != nil {
				t.Errorf("hidden hint = %+v, want no reveal left", f)
			}
			// Players see no hidden hint; the GM sees it as stored.
			if v := ok(tb.svc.Plot(ctx, tb.player.ID, plot.ID))(t); len(v.Foreshadowing) != 0 {
				t.Errorf("player sees %d hints of a hidden one", len(v.Foreshadowing))
			}
			if err := tb.svc.DeleteForeshadowing(ctx, gm, hint.ID, f.Version); err != nil {
				t.Fatal(err)
			}
			if v := ok(tb.svc.Plot(ctx, gm, plot.ID))(t); len(v.Foreshadowing) != 0 {
				t.Errorf("GM sees %d hints after the delete", len(v.Foreshadowing))
			}
		})
	}
}

// TestRelationshipHistoryDescribesChange: an update without a note gets a
// history entry saying what changed, or "updated" when nothing did.
func TestRelationshipHistoryDescribesChange(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tb := newTable(t, be.open(t))
			r0 := tb.relationship
			vis := gmc.VisibleGM
			if r0.Visibility == gmc.VisibleGM {
				vis = gmc.VisiblePlayers
			}
			kind := "rival"
			r := ok(tb.svc.UpdateRelationship(ctx, tb.gm.ID, r0.ID, service.RelationshipUpdate{Kind: &kind, Visibility: &vis}))(t)
			want := fmt.Sprintf("kind %s → rival; visibility %s → %s", r0.Kind, r0.Visibility, vis)
			if last := r.History[len(r.History)-1]; last.Note != want || last.ActorID != tb.gm.ID {
				t.Errorf("history entry = %q by %s, want %q by the GM", last.Note, last.ActorID, want)
			}
			r = ok(tb.svc.UpdateRelationship(ctx, tb.gm.ID, r0.ID, service.RelationshipUpdate{}))(t)
			if last := r.History[len(r.History)-1]; last.Note != "updated" {
				t.Errorf("history entry of an empty update = %q, want updated", last.Note)
			}
			got := ok(tb.svc.Relationship(ctx, tb.gm.ID, r0.ID))(t)
			if got.Kind != "rival" || got.Visibility != vis || len(got.History) != len(r0.History)+2 {
				t.Errorf("stored relationship: kind %s, visibility %s, %d history entries", got.Kind, got.Visibility, len(got.History))
			}
		})
	}
}

// TestSessionUpdateTitleAndSchedule: a session's title is stored trimmed
// and its time in UTC.
func TestSessionUpdateTitleAndSchedule(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tb := newTable(t, be.open(t))
			title := "  Night two "
			at := time.Date(2026, 3, 14, 19, 30, 0, 0, time.FixedZone("CET", 3600))
			gs := ok(tb.svc.UpdateSession(ctx, tb.gm.ID, tb.session.ID, service.SessionUpdate{Title: &title, ScheduledAt: &at, IfMatch: tb.session.Version}))(t)
			if gs.ScheduledAt == nil || gs.ScheduledAt.Location() != time.UTC {
				t.Errorf("session scheduled at %v, want the time in UTC", gs.ScheduledAt)
			}
			got, _ := okBoth(tb.svc.Session(ctx, tb.player.ID, gs.ID))(t)
			if got.Title != "Night two" || got.ScheduledAt == nil || !got.ScheduledAt.Equal(at) {
				t.Errorf("session = %q at %v, want \"Night two\" at %v in UTC", got.Title, got.ScheduledAt, at.UTC())
			}
		})
	}
}

// okBoth is ok for calls with two values.
func okBoth[T, U any](v T, u U, err error) func(t *testing.T) (T, U) {
	return func(t *testing.T) (T, U) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v, u
	}
}

// TestGenerateDefaults: what a generator's request leaves out takes its
// default, and the answer is the one asked for with the default written.
func TestGenerateDefaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newTable(t, storeBackends[0].open(t))
	gm, cid := tb.gm.ID, tb.campaign.ID
	seed := uint64(42)
	opt := service.GenerateOptions{Seed: &seed}
	// An open thread, for the hooks to come from.
	ok(tb.svc.CreatePlot(ctx, gm, cid, service.PlotParams{Title: "The funeral", Status: gmc.PlotActive}))(t)

	dflt := ok(tb.svc.GeneratePlotHooks(ctx, gm, cid, 0, opt))(t)
	five := ok(tb.svc.GeneratePlotHooks(ctx, gm, cid, generate.DefaultHookCount, opt))(t)
	if len(dflt.Draft.Hooks) == 0 || !reflect.DeepEqual(dflt.Draft, five.Draft) {
		t.Errorf("hooks with no count = %d, want the %d of count %d", len(dflt.Draft.Hooks), len(five.Draft.Hooks), generate.DefaultHookCount)
	}
	g0 := ok(tb.svc.Graph(ctx, gm, cid, tb.npc.ID, 0))(t)
	gd := ok(tb.svc.Graph(ctx, gm, cid, tb.npc.ID, gmc.DefaultGraphDepth))(t)
	if len(g0.Nodes) != 2 || !reflect.DeepEqual(g0, gd) {
		t.Errorf("graph of depth 0 = %+v, want that of the default depth %+v", g0, gd)
	}
	// An encounter with no difficulty is a medium one; with no monsters
	// imported there is none to build, which is said as such.
	_, err := tb.svc.GenerateEncounter(ctx, gm, cid, service.EncounterParams{PartyLevel: 3, PartySize: 4}, opt)
	var ge *gmc.Error
	if !errors.As(err, &ge) || ge.Code != "no_bestiary" {
		t.Errorf("encounter without monsters = %v, want no_bestiary", err)
	}
}

// failingGenerator stands for a language model that does not answer.
type failingGenerator struct{ generate.Builtin }

var errModelDown = errors.New("the language model does not answer")

func (failingGenerator) NPC(context.Context, *generate.Campaign, generate.NPCRequest) (*generate.NPCDraft, error) {
	return nil, errModelDown
}

func (failingGenerator) Location(context.Context, *generate.Campaign, generate.LocationRequest) (*generate.LocationDraft, error) {
	return nil, errModelDown
}

func (failingGenerator) PlotHooks(context.Context, *generate.Campaign, generate.PlotHookRequest) (*generate.PlotHookDraft, error) {
	return nil, errModelDown
}

// TestGeneratorFailureStoresNothing: when the generator fails, asking to
// save stores nothing and the failure reaches the caller.
func TestGeneratorFailureStoresNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newTable(t, storeBackends[0].open(t))
	svc, err := service.New(service.Config{Store: tb.st, SecretKey: bytes.Repeat([]byte("k"), 32), Generator: failingGenerator{},
		PasswordParams: &service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	gm, cid := tb.gm.ID, tb.campaign.ID
	save := service.GenerateOptions{Save: true}
	before := latestEvent(t, tb.st, cid)
	calls := map[string]func() error{
		"npc": func() error { _, err := svc.GenerateNPC(ctx, gm, cid, generate.NPCHints{}, save); return err },
		"location": func() error {
			_, err := svc.GenerateLocation(ctx, gm, cid, service.LocationGenerateParams{Type: "tavern"}, save)
			return err
		},
		"hooks": func() error { _, err := svc.GeneratePlotHooks(ctx, gm, cid, 3, save); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, errModelDown) {
			t.Errorf("%s: error = %v, want the generator's", name, err)
		}
	}
	if latestEvent(t, tb.st, cid) != before {
		t.Error("a failed generation wrote to the campaign")
	}
}

// namelessDrafts is a language model that drafts a location and plot
// hooks without names: drafts the store refuses to save.
type namelessDrafts struct{ generate.Builtin }

func (g namelessDrafts) Location(ctx context.Context, c *generate.Campaign, req generate.LocationRequest) (*generate.LocationDraft, error) {
	d, err := g.Builtin.Location(ctx, c, req)
	if d != nil {
		d.Name = ""
	}
	return d, err
}

func (g namelessDrafts) PlotHooks(ctx context.Context, c *generate.Campaign, req generate.PlotHookRequest) (*generate.PlotHookDraft, error) {
	return &generate.PlotHookDraft{Seed: req.Seed, Hooks: []generate.PlotHook{{Kind: "new", Title: "", Text: "Something stirs."}}}, nil
}

// TestUnsavableDraftsStoreNothing: a draft the store refuses (no name) is
// refused, naming the field, when asked to save, and nothing is stored.
func TestUnsavableDraftsStoreNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newTable(t, storeBackends[0].open(t))
	svc, err := service.New(service.Config{Store: tb.st, SecretKey: bytes.Repeat([]byte("k"), 32), Generator: namelessDrafts{},
		PasswordParams: &service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	gm, cid := tb.gm.ID, tb.campaign.ID
	save := service.GenerateOptions{Save: true}
	before := latestEvent(t, tb.st, cid)
	_, err = svc.GenerateLocation(ctx, gm, cid, service.LocationGenerateParams{Type: "tavern"}, save)
	wantField(t, err, "body.name")
	_, err = svc.GeneratePlotHooks(ctx, gm, cid, 1, save)
	wantField(t, err, "body.title")
	if latestEvent(t, tb.st, cid) != before {
		t.Error("an unsavable draft wrote to the campaign")
	}
}

// TestPasswordChange: the new password logs in, the old one no longer
// does, and the change hands the caller a new session.
func TestPasswordChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newTable(t, storeBackends[0].open(t))
	pw := "a much better passphrase"
	_, pair := okBoth(tb.svc.UpdateMe(ctx, tb.player.ID, service.UserUpdate{NewPassword: &pw, CurrentPassword: "correct horse battery"}))(t)
	if pair == nil || pair.AccessToken == "" {
		t.Fatalf("password change gave tokens %+v, want a new pair", pair)
	}
	if _, err := tb.svc.Login(ctx, service.LoginParams{Email: "player@example.com", Password: pw}); err != nil {
		t.Errorf("login with the new password = %v", err)
	}
	if _, err := tb.svc.Login(ctx, service.LoginParams{Email: "player@example.com", Password: "correct horse battery"}); !errors.Is(err, gmc.ErrUnauthenticated) {
		t.Errorf("login with the old password = %v, want refused", err)
	}
	if id, err := tb.svc.Authenticate(ctx, pair.AccessToken); err != nil || id != tb.player.ID {
		t.Errorf("Authenticate(new access token) = %q, %v", id, err)
	}
}

// TestAccessTokenExpires: an access token is refused as expired once its
// lifetime is over, by an instance that never saw it before (no cached
// verification to fall back on).
func TestAccessTokenExpires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newTable(t, storeBackends[0].open(t))
	pair := ok(tb.svc.Login(ctx, service.LoginParams{Email: "gm@example.com", Password: "correct horse battery"}))(t)
	later := func() time.Time { return time.Now().Add(service.AccessTokenTTL + time.Minute) }
	other, err := service.New(service.Config{Store: tb.st, SecretKey: bytes.Repeat([]byte("k"), 32), Now: later,
		PasswordParams: &service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = other.Authenticate(ctx, pair.AccessToken)
	var ge *gmc.Error
	if !errors.As(err, &ge) || ge.Code != "token_expired" {
		t.Errorf("Authenticate(expired token) = %v, want token_expired", err)
	}
	// Its refresh token still works, on the instance whose clock is on.
	next := ok(other.Refresh(ctx, pair.RefreshToken))(t)
	if id, err := other.Authenticate(ctx, next.AccessToken); err != nil || id != tb.gm.ID {
		t.Errorf("Authenticate(refreshed token) = %q, %v", id, err)
	}
}

// TestNewRefusesIncompleteConfig: a service needs a store and a key long
// enough to sign with.
func TestNewRefusesIncompleteConfig(t *testing.T) {
	t.Parallel()
	st := storeBackends[0].open(t)
	for name, cfg := range map[string]service.Config{
		"no store":  {SecretKey: bytes.Repeat([]byte("k"), 32)},
		"short key": {Store: st, SecretKey: []byte("short")},
	} {
		if s, err := service.New(cfg); err == nil || s != nil {
			t.Errorf("%s: New = %v, %v; want an error", name, s, err)
		}
	}
}

// TestAccessTokenWithoutSubject: a token signed with the server's key but
// naming no account (which the server never signs) is not valid.
func TestAccessTokenWithoutSubject(t *testing.T) {
	t.Parallel()
	tb := newTable(t, storeBackends[0].open(t))
	key, err := hkdf.Key(sha256.New, bytes.Repeat([]byte("k"), 32), nil, "gmc access-token signing v1", 32)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{IssuedAt: jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute)), ID: "nobody"}).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tb.svc.Authenticate(context.Background(), tok)
	var ge *gmc.Error
	if !errors.As(err, &ge) || ge.Code != "invalid_token" {
		t.Errorf("Authenticate(token without subject) = %v, want invalid_token", err)
	}
}

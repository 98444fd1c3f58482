package live_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/keywords"
	"github.com/gmc-project/gmc/internal/live"
	"github.com/gmc-project/gmc/internal/reference"
	"github.com/gmc-project/gmc/internal/reference/referencetest"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/store/sqlite"
)

// kwClock is a settable clock shared by the services of a test.
type kwClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *kwClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *kwClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// kwTable is a campaign with a GM, a player and a session, served by one
// service instance and its live table on a SQLite file.
type kwTable struct {
	t                 *testing.T
	svc               *service.Service
	screens           *screens
	gm, player        string
	campaign, session string
	startMS           int64
}

func openStore(t *testing.T, path string) store.Store {
	t.Helper()
	st, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

func newService(t *testing.T, st store.Store, table *live.Table, clock *kwClock) *service.Service {
	t.Helper()
	svc, err := service.New(service.Config{Store: st, SecretKey: bytes.Repeat([]byte("k"), 32), Live: table, Now: clock.now,
		PasswordParams: &service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// newKWInstance runs a service and its live table on the database file at
// path.
func newKWInstance(t *testing.T, path string, clock *kwClock) (*service.Service, *screens) {
	t.Helper()
	st := openStore(t, path)
	table, screens := newTable(t, st, clock.now)
	return newService(t, st, table, clock), screens
}

func newKWTable(t *testing.T, path string, clock *kwClock) *kwTable {
	t.Helper()
	st := openStore(t, path)
	table, screens := newTable(t, st, clock.now)
	return newKWTableOn(t, st, table, screens, clock)
}

// newKWTableOn sets the campaign up through a service on st and table.
func newKWTableOn(t *testing.T, st store.Store, table *live.Table, screens *screens, clock *kwClock) *kwTable {
	t.Helper()
	ctx := context.Background()
	svc := newService(t, st, table, clock)
	tb := &kwTable{t: t, svc: svc, screens: screens}
	if _, err := svc.ImportReference(ctx, referencetest.Dir()); err != nil {
		t.Fatal(err)
	}
	tb.gm, tb.player = tb.user("gm@example.com"), tb.user("player@example.com")
	c, err := svc.CreateCampaign(ctx, tb.gm, service.CampaignParams{Name: "Ember Crown"})
	tb.must(err)
	tb.campaign = c.ID
	inv, err := svc.CreateInvite(ctx, tb.gm, c.ID, service.InviteParams{Role: gmc.RolePlayer})
	tb.must(err)
	_, err = svc.AcceptInvite(ctx, tb.player, inv.Code, "")
	tb.must(err)
	gs, err := svc.CreateSession(ctx, tb.gm, c.ID, service.SessionParams{Title: "One"})
	tb.must(err)
	tb.session = gs.ID
	return tb
}

func (tb *kwTable) user(email string) string {
	tb.t.Helper()
	u, err := tb.svc.Register(context.Background(), service.RegisterParams{Email: email, Password: "correct horse battery", DisplayName: email})
	tb.must(err)
	return u.ID
}

func (tb *kwTable) must(err error) {
	tb.t.Helper()
	if err != nil {
		tb.t.Fatal(err)
	}
}

// ingest ingests one segment a minute after the previous one (outside
// the tracker's window, so every mention alerts).
func (tb *kwTable) ingest(text string) {
	tb.t.Helper()
	tb.startMS += 60_000
	seg := &gmc.TranscriptSegment{StartMS: tb.startMS, EndMS: tb.startMS + 2000, Text: text}
	_, err := tb.svc.IngestSegments(context.Background(), tb.gm, tb.session, []*gmc.TranscriptSegment{seg})
	tb.must(err)
}

// say ingests one segment and returns what was alerted.
func (tb *kwTable) say(text string) []string {
	tb.t.Helper()
	tb.ingest(text)
	return tb.screens.heard(tb.session)
}

func wantHeard(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s: alerts %q, want %q", what, got, want)
	}
}

func kwStartClock() *kwClock { return &kwClock{t: time.Date(2025, 5, 1, 19, 0, 0, 0, time.UTC)} }

// TestKeywordDictionaryFollowsChanges checks that entity changes reach the
// cached dictionary at once: renames, visibility, deletes, locations below
// a hidden parent, custom keywords, plot threads and the threshold.
func TestKeywordDictionaryFollowsChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newKWTable(t, filepath.Join(t.TempDir(), "gmc.db"), kwStartClock())
	npc, err := tb.svc.CreateCharacter(ctx, tb.gm, tb.campaign, service.CharacterParams{Name: "Thalindra Voss", CharacterType: gmc.CharacterNPC,
		Aliases: []string{"Thalindra"}, Visibility: gmc.VisiblePlayers, VoiceNotes: "Quick and sly. Never stops."})
	tb.must(err)
	wantHeard(t, "first segment builds the dictionary", tb.say("Thalindra casts fireball"), "Thalindra Voss", "Fireball")

	renamed := "Zephyrine Vale"
	aliases := []string{}
	_, err = tb.svc.UpdateCharacter(ctx, tb.gm, npc.ID, service.CharacterUpdate{Name: &renamed, Aliases: &aliases})
	tb.must(err)
	wantHeard(t, "new name", tb.say("Zephyrine Vale waves"), "Zephyrine Vale")
	wantHeard(t, "old name", tb.say("Thalindra waves"))

	hidden := gmc.VisibleGM
	_, err = tb.svc.UpdateCharacter(ctx, tb.gm, npc.ID, service.CharacterUpdate{Visibility: &hidden})
	tb.must(err)
	wantHeard(t, "hidden character", tb.say("Zephyrine Vale is poisoned"), "gm:Zephyrine Vale", "Poisoned", "gm:condition")
	tb.must(tb.svc.DeleteCharacter(ctx, tb.gm, npc.ID))
	wantHeard(t, "deleted character", tb.say("Zephyrine Vale waves"))

	secret, err := tb.svc.CreateLocation(ctx, tb.gm, tb.campaign, service.LocationParams{Name: "Obsidian Vault"})
	tb.must(err)
	_, err = tb.svc.CreateLocation(ctx, tb.gm, tb.campaign, service.LocationParams{Name: "Hollowmere", ParentID: &secret.ID, Visibility: gmc.VisiblePlayers})
	tb.must(err)
	wantHeard(t, "location below a hidden one", tb.say("we reach Hollowmere"), "gm:Hollowmere")
	shown := gmc.VisiblePlayers
	_, err = tb.svc.UpdateLocation(ctx, tb.gm, secret.ID, service.LocationUpdate{Visibility: &shown})
	tb.must(err)
	wantHeard(t, "parent revealed", tb.say("we reach Hollowmere"), "Hollowmere")
	tb.must(tb.svc.DeleteLocation(ctx, tb.gm, secret.ID, true, 0))
	wantHeard(t, "subtree deleted", tb.say("we reach Hollowmere"))

	kw, err := tb.svc.CreateKeyword(ctx, tb.gm, tb.campaign, service.KeywordParams{Term: "Iron Lanterns", Category: "faction", Visibility: gmc.VisiblePlayers})
	tb.must(err)
	_, err = tb.svc.CreatePlot(ctx, tb.gm, tb.campaign, service.PlotParams{Title: "The Ember Crown", Visibility: gmc.VisiblePlayers})
	tb.must(err)
	wantHeard(t, "keyword and plot", tb.say("the Iron Lanterns guard the Ember Crown"), "Iron Lanterns", "The Ember Crown")
	tb.must(tb.svc.DeleteKeyword(ctx, tb.gm, kw.ID, 0))
	wantHeard(t, "deleted keyword", tb.say("the Iron Lanterns"))

	// A misheard name scores below a strict threshold until it is lowered.
	strict := gmc.CampaignSettings{ReminderSessions: 3, KeywordThreshold: 0.99}
	_, err = tb.svc.UpdateCampaign(ctx, tb.gm, tb.campaign, service.CampaignUpdate{Settings: &strict})
	tb.must(err)
	wantHeard(t, "strict threshold", tb.say("I cast magic missle"))
	strict.KeywordThreshold = 0.6
	_, err = tb.svc.UpdateCampaign(ctx, tb.gm, tb.campaign, service.CampaignUpdate{Settings: &strict})
	tb.must(err)
	wantHeard(t, "default threshold", tb.say("I cast magic missle"), "Magic Missile")
}

// TestKeywordAlertsAndHits checks what is alerted and stored: cards, the
// tracker's merging of repeats, rule phrases, and who reads which hits.
func TestKeywordAlertsAndHits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newKWTable(t, filepath.Join(t.TempDir(), "gmc.db"), kwStartClock())
	villain, err := tb.svc.CreateCharacter(ctx, tb.gm, tb.campaign, service.CharacterParams{Name: "Vethrax the Unbound", CharacterType: gmc.CharacterNPC,
		Aliases: []string{"Vethrax"}, Tags: []string{"villain"}}) // an NPC is GM-only by default
	tb.must(err)
	seg := func(ms int64, text string) *gmc.TranscriptSegment {
		return &gmc.TranscriptSegment{StartMS: ms, EndMS: ms + 1000, Text: text}
	}
	// Within the tracker's window a repeated term is stored, merged, and
	// not alerted again; rule phrases are alerted each time.
	_, err = tb.svc.IngestSegments(ctx, tb.gm, tb.session, []*gmc.TranscriptSegment{
		seg(600_000, "Vethrax casts fireball"),
		seg(605_000, "another fireball from Vethrax"),
		seg(610_000, "Vethrax is poisoned. Everyone make a DC 15 dexterity saving throw"),
	})
	tb.must(err)
	alerts := tb.screens.alerts(tb.session)
	wantHeard(t, "one batch", names(alerts), "gm:Vethrax the Unbound", "Fireball", "Poisoned", "gm:condition", "saving_throw")
	for _, a := range alerts {
		switch {
		case a.Rule == "saving_throw":
			if a.Values["dc"] != 15.0 || a.Values["ability"] != "DEX" || a.GMOnly || a.Seq != 3 {
				t.Errorf("saving throw alert = %+v", a)
			}
		case a.Rule == "condition":
			if a.Values["condition"] != "Poisoned" || !slices.Equal(a.Characters, []string{"Vethrax the Unbound"}) || !a.GMOnly {
				t.Errorf("condition alert = %+v", a)
			}
		case a.Term.Name == "Fireball":
			if c := a.Card; c == nil || c.Type != "reference" || c.Kind != "spell" || c.Slug != "fireball" || c.Spell == nil || c.Spell.Level != 3 ||
				c.Attribution != reference.Attribution {
				t.Errorf("fireball card = %+v", a.Card)
			}
			if a.Surface != "fireball" || a.Span != [2]int{14, 22} || a.Reason != "exact" || a.Seq != 1 || a.HitID == "" {
				t.Errorf("fireball alert = %+v", a)
			}
		case a.Term.Name == "Vethrax the Unbound":
			if c := a.Card; c == nil || c.Type != "character" || c.ID != villain.ID || c.Summary != "NPC · villain" || c.Attribution != "" {
				t.Errorf("villain card = %+v", a.Card)
			}
		}
	}

	hits := func(user string, kind string) []string {
		t.Helper()
		list, _, err := tb.svc.KeywordHits(ctx, user, service.KeywordHitQuery{SessionID: tb.session, Kind: kind})
		tb.must(err)
		var out []string
		for _, h := range list {
			name := fmt.Sprintf("%d:%s", h.Seq, h.Name)
			if h.Merged {
				name += "(merged)"
			}
			out = append(out, name)
		}
		return out
	}
	wantKWList(t, "GM's hits", hits(tb.gm, ""), "1:Vethrax the Unbound", "1:Fireball", "2:Fireball(merged)", "2:Vethrax the Unbound(merged)",
		"3:Vethrax the Unbound(merged)", "3:Poisoned", "3:condition", "3:saving_throw")
	wantKWList(t, "player's hits", hits(tb.player, ""), "1:Fireball", "2:Fireball(merged)", "3:Poisoned", "3:saving_throw")
	wantKWList(t, "player's rule hits", hits(tb.player, gmc.HitRule), "3:saving_throw")
	if _, _, err := tb.svc.KeywordHits(ctx, tb.player, service.KeywordHitQuery{SessionID: tb.session, Kind: "spell"}); !errors.Is(err, gmc.ErrInvalid) {
		t.Errorf("KeywordHits(kind spell) = %v, want ErrInvalid", err)
	}
}

func wantKWList(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

// TestKeywordDictionaryRefreshesAcrossInstances runs two instances on one
// database: a change made on the other instance (which this one is not
// told about) reaches this one's alerts once its dictionary is older than
// the refresh interval — reference data imported elsewhere too.
func TestKeywordDictionaryRefreshesAcrossInstances(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path, clock := filepath.Join(t.TempDir(), "gmc.db"), kwStartClock()
	a := newKWTable(t, path, clock)
	b, _ := newKWInstance(t, path, clock)
	npc, err := a.svc.CreateCharacter(ctx, a.gm, a.campaign, service.CharacterParams{Name: "Old Hettie", CharacterType: gmc.CharacterNPC,
		Visibility: gmc.VisiblePlayers})
	a.must(err)
	wantHeard(t, "built on a", a.say("Old Hettie sells herbs"), "Old Hettie")

	renamed := "Mother Brambleweed"
	_, err = b.UpdateCharacter(ctx, a.gm, npc.ID, service.CharacterUpdate{Name: &renamed})
	a.must(err)
	dir := t.TempDir()
	spell := `[{"index": "cure-wounds", "name": "Cure Wounds", "desc": ["Test fixture written for gmc: a touch heals."], "range": "Touch",
		"components": ["V", "S"], "ritual": false, "duration": "Instantaneous", "concentration": false, "casting_time": "1 action", "level": 1,
		"school": {"index": "evocation", "name": "Evocation", "url": ""}}]`
	a.must(os.WriteFile(filepath.Join(dir, "5e-SRD-Spells.json"), []byte(spell), 0o600))
	_, err = b.ImportReference(ctx, dir)
	a.must(err)
	wantHeard(t, "before the refresh", a.say("Mother Brambleweed casts cure wounds"))

	clock.advance(3 * time.Minute)
	wantHeard(t, "after the refresh", a.say("Mother Brambleweed casts cure wounds"), "Mother Brambleweed", "Cure Wounds")
	wantHeard(t, "old name gone", a.say("Old Hettie sells herbs"))
}

// TestKeywordDictionaryUnderConcurrency ingests from several goroutines
// while a character is renamed again and again (run it with -race):
// nothing fails, and the last name wins.
func TestKeywordDictionaryUnderConcurrency(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newKWTable(t, filepath.Join(t.TempDir(), "gmc.db"), kwStartClock())
	npc, err := tb.svc.CreateCharacter(ctx, tb.gm, tb.campaign, service.CharacterParams{Name: "Name 0", CharacterType: gmc.CharacterNPC})
	tb.must(err)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 4 {
		wg.Go(func() {
			for i := range 5 {
				ms := int64(g*1_000_000 + i*60_000)
				seg := &gmc.TranscriptSegment{StartMS: ms, EndMS: ms + 1000, Text: "Name 3 casts fireball at Name 4"}
				if _, err := tb.svc.IngestSegments(ctx, tb.gm, tb.session, []*gmc.TranscriptSegment{seg}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Go(func() {
		for i := 1; i <= 5; i++ {
			name := fmt.Sprintf("Zorbo the %d", i)
			if _, err := tb.svc.UpdateCharacter(ctx, tb.gm, npc.ID, service.CharacterUpdate{Name: &name}); err != nil {
				errs <- err
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	tb.screens.heard(tb.session)
	wantHeard(t, "after the renames", tb.say("Zorbo the 5 waves"), "gm:Zorbo the 5")
}

// TestKeywordAlternatives checks that a term most of the recogniser's
// readings agree on is alerted with no span in the segment's text, and
// that one reading alone is not enough.
func TestKeywordAlternatives(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newKWTable(t, filepath.Join(t.TempDir(), "gmc.db"), kwStartClock())
	_, err := tb.svc.IngestSegments(ctx, tb.gm, tb.session, []*gmc.TranscriptSegment{
		{StartMS: 1000, EndMS: 3000, Text: "we walk into the dark hall",
			Alternatives: []string{"we walk into the fireball", "we cast fireball into the hall", "fireball into the dark hall"}},
		{StartMS: 90_000, EndMS: 92_000, Text: "the door is stuck shut",
			Alternatives: []string{"the door is stuck shut again", "the ogre is stuck shut", "the door is stuck"}},
	})
	tb.must(err)
	alerts := tb.screens.alerts(tb.session)
	wantHeard(t, "alerts", names(alerts), "Fireball")
	for _, a := range alerts {
		if a.Reason != keywords.ReasonAlternative || a.Span != [2]int{} || a.Surface != "fireball" || a.Seq != 1 {
			t.Errorf("alert from the alternatives = %+v, want reason %q, span [0 0], surface fireball, seq 1", a, keywords.ReasonAlternative)
		}
	}
}

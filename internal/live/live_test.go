package live_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/live"
	"github.com/gmc-project/gmc/internal/realtime"
	"github.com/gmc-project/gmc/internal/service"
)

// screens is a live table on a real hub and in-memory broker. What the
// table sent to a session is read back from the broker's replay window,
// which holds every message a client connecting now would be sent.
type screens struct {
	t      *testing.T
	broker realtime.Broker
	mu     sync.Mutex
	seen   map[string]int64 // last seq read, by session
}

// newTable builds a live table on st that publishes to a fresh hub.
func newTable(t *testing.T, st live.Store, now func() time.Time) (*live.Table, *screens) {
	t.Helper()
	return newTableWith(t, live.Config{Store: st, Now: now})
}

// newTableWith builds a live table of cfg that publishes to a fresh hub.
func newTableWith(t *testing.T, cfg live.Config) (*live.Table, *screens) {
	t.Helper()
	broker := realtime.NewMemoryBroker(realtime.BrokerOpts{})
	hub, err := realtime.NewHub(realtime.HubOpts{Broker: broker})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		hub.Close()
		broker.Close()
	})
	cfg.Hub, cfg.Broker = hub, broker
	table, err := live.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return table, &screens{t: t, broker: broker, seen: map[string]int64{}}
}

// sent returns the messages published to a session since the previous
// call.
func (s *screens) sent(sessionID string) []realtime.Message {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	msgs, ok, err := s.broker.Replay(context.Background(), sessionID, s.seen[sessionID])
	if err != nil || !ok {
		s.t.Fatalf("replay %s: ok=%v err=%v", sessionID, ok, err)
	}
	if len(msgs) > 0 {
		s.seen[sessionID] = msgs[len(msgs)-1].Seq
	}
	return msgs
}

func ofType(msgs []realtime.Message, typ string) []realtime.Message {
	return slices.DeleteFunc(slices.Clone(msgs), func(m realtime.Message) bool { return m.Type != typ })
}

// alert is a keyword.alert as clients get it, and whether a player's
// connection would be sent it.
type alert struct {
	*live.KeywordAlert
	toPlayers bool
}

func (s *screens) alerts(sessionID string) []alert {
	s.t.Helper()
	return s.decodeAlerts(s.sent(sessionID))
}

func (s *screens) decodeAlerts(msgs []realtime.Message) []alert {
	s.t.Helper()
	var out []alert
	for _, m := range ofType(msgs, realtime.TypeKeywordAlert) {
		a := alert{KeywordAlert: &live.KeywordAlert{}, toPlayers: m.Audience.Allows("", realtime.RolePlayer)}
		if err := json.Unmarshal(m.Data, a.KeywordAlert); err != nil {
			s.t.Fatalf("keyword.alert %s: %v", m.Data, err)
		}
		if a.toPlayers == a.GMOnly {
			s.t.Errorf("alert %s: gm_only %v but sent to players: %v", a.Surface, a.GMOnly, a.toPlayers)
		}
		out = append(out, a)
	}
	return out
}

// heard names the alerts of a session since the previous call (terms by
// name, rule phrases by kind), those players are not sent marked "gm:".
func (s *screens) heard(sessionID string) []string {
	s.t.Helper()
	return names(s.alerts(sessionID))
}

func names(alerts []alert) []string {
	var out []string
	for _, a := range alerts {
		name := a.Rule
		if a.Term != nil {
			name = a.Term.Name
		}
		if !a.toPlayers {
			name = "gm:" + name
		}
		out = append(out, name)
	}
	return out
}

// changes renders the entity.changed messages of a session since the
// previous call as "action type audience".
func (s *screens) changes(sessionID string) []string {
	s.t.Helper()
	var out []string
	for _, m := range ofType(s.sent(sessionID), realtime.TypeEntityChanged) {
		var c live.EntityChanged
		if err := json.Unmarshal(m.Data, &c); err != nil {
			s.t.Fatalf("entity.changed %s: %v", m.Data, err)
		}
		who := "players"
		if !m.Audience.Allows("", realtime.RolePlayer) {
			who = "gm"
		}
		out = append(out, c.Action+" "+c.Type+" "+who)
	}
	return out
}

// TestGMOnlyRouting checks who is sent what at a live table: the segment
// goes to everyone; alerts about a GM-only character, and the rule phrase
// naming it, go to GMs only while the spell's alert reaches the players;
// a change to a GM-only entity is announced to GMs only.
func TestGMOnlyRouting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newKWTable(t, filepath.Join(t.TempDir(), "gmc.db"), kwStartClock())
	_, err := tb.svc.StartSession(ctx, tb.gm, tb.session)
	tb.must(err)
	spy, err := tb.svc.CreateCharacter(ctx, tb.gm, tb.campaign, service.CharacterParams{Name: "Mirela Ashgrove", CharacterType: gmc.CharacterNPC,
		Visibility: gmc.VisibleGM})
	tb.must(err)
	ally, err := tb.svc.CreateCharacter(ctx, tb.gm, tb.campaign, service.CharacterParams{Name: "Brother Oskar", CharacterType: gmc.CharacterNPC,
		Visibility: gmc.VisiblePlayers})
	tb.must(err)
	wantKWList(t, "announced", tb.screens.changes(tb.session), "update session players", "create character gm", "create character players")

	tb.ingest("Mirela Ashgrove is poisoned and Brother Oskar casts fireball")
	msgs := tb.screens.sent(tb.session)
	if segs := ofType(msgs, realtime.TypeTranscriptSegment); len(segs) != 1 || !segs[0].Audience.Everyone() {
		t.Errorf("transcript.segment messages = %+v, want one to everyone", segs)
	}
	got := names(tb.screens.decodeAlerts(msgs))
	slices.Sort(got)
	wantKWList(t, "alerts", got, "Brother Oskar", "Fireball", "Poisoned", "gm:Mirela Ashgrove", "gm:condition")

	tb.must(tb.svc.DeleteCharacter(ctx, tb.gm, spy.ID))
	tb.must(tb.svc.DeleteCharacter(ctx, tb.gm, ally.ID))
	wantKWList(t, "deletes announced", tb.screens.changes(tb.session), "delete character gm", "delete character players")
}

// TestSessionEnd checks that ending a session sends session.ended, last,
// and then drops the channel.
func TestSessionEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newKWTable(t, filepath.Join(t.TempDir(), "gmc.db"), kwStartClock())
	_, err := tb.svc.StartSession(ctx, tb.gm, tb.session)
	tb.must(err)
	// A channel that is not dropped ends the subscription with the deadline.
	subCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	sub, err := tb.screens.broker.Subscribe(subCtx, tb.session)
	tb.must(err)
	defer sub.Close()
	_, err = tb.svc.EndSession(ctx, tb.gm, tb.session)
	tb.must(err)
	var types []string
	for m := range sub.C() {
		types = append(types, m.Type)
	}
	wantKWList(t, "messages until the end", types, realtime.TypeSessionEnded)
	if !errors.Is(sub.Err(), realtime.ErrChannelDeleted) {
		t.Errorf("subscription ended with %v, want ErrChannelDeleted", sub.Err())
	}
}

// TestWithoutHub checks that a table without a hub still stores the hits:
// tools and tests run the pipeline with no clients.
func TestWithoutHub(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := kwStartClock()
	st := openStore(t, filepath.Join(t.TempDir(), "gmc.db"))
	table, err := live.New(live.Config{Store: st, Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	tb := newKWTableOn(t, st, table, nil, clock)
	tb.ingest("she casts fireball")
	hits, _, err := tb.svc.KeywordHits(ctx, tb.player, service.KeywordHitQuery{SessionID: tb.session})
	tb.must(err)
	if len(hits) != 1 || hits[0].Name != "Fireball" {
		t.Errorf("hits = %+v, want one for Fireball", hits)
	}
}

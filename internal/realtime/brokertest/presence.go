package brokertest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/realtime"
)

var presenceCases = map[string]func(*testing.T, NewBrokerFunc){
	"Expiry":        testPresenceExpiry,
	"PerConnection": testPresencePerConnection,
	"Invalid":       testPresenceInvalid,
}

func mustJoin(t *testing.T, b realtime.Broker, ch string, p realtime.Presence, ttl time.Duration) {
	t.Helper()
	if err := b.Join(context.Background(), ch, p, ttl); err != nil {
		t.Fatalf("Join(%+v) = %v", p, err)
	}
}

func present(t *testing.T, b realtime.Broker, ch string) []string {
	t.Helper()
	ps, err := b.Present(context.Background(), ch)
	if err != nil {
		t.Fatalf("Present = %v", err)
	}
	var keys []string
	for _, p := range ps {
		keys = append(keys, p.UserID+"/"+p.ConnID+"/"+p.Role)
	}
	return keys
}

// testPresenceExpiry: entries vanish when their ttl passes without a
// heartbeat, and a heartbeat (Join again) extends them.
func testPresenceExpiry(t *testing.T, newBroker NewBrokerFunc) {
	clock := NewClock()
	b := newBroker(t, realtime.BrokerOpts{Now: clock.Now})
	ch := ChannelName(t)
	gm := realtime.Presence{UserID: "u-gm", DisplayName: "Dana", Role: realtime.RoleGM, ConnID: "c1"}
	pc := realtime.Presence{UserID: "u-aria", DisplayName: "Aria", Role: realtime.RolePlayer, ConnID: "c2"}
	mustJoin(t, b, ch, pc, 30*time.Second)
	mustJoin(t, b, ch, gm, 90*time.Second)

	ps, err := b.Present(context.Background(), ch)
	if err != nil {
		t.Fatal(err)
	}
	wantGM := gm
	wantGM.ExpiresAt = clock.Now().Add(90 * time.Second)
	wantPC := pc
	wantPC.ExpiresAt = clock.Now().Add(30 * time.Second)
	if diff := cmp.Diff([]realtime.Presence{wantPC, wantGM}, ps); diff != "" {
		t.Errorf("Present mismatch (-want +got):\n%s", diff)
	}

	clock.Advance(60 * time.Second) // the player's entry expired
	if diff := cmp.Diff([]string{"u-gm/c1/gm"}, present(t, b, ch)); diff != "" {
		t.Errorf("Present after 60s (-want +got):\n%s", diff)
	}
	mustJoin(t, b, ch, gm, 90*time.Second) // heartbeat: now expires at 150s
	clock.Advance(60 * time.Second)
	if diff := cmp.Diff([]string{"u-gm/c1/gm"}, present(t, b, ch)); diff != "" {
		t.Errorf("Present after heartbeat and 120s (-want +got):\n%s", diff)
	}
	clock.Advance(31 * time.Second)
	if got := present(t, b, ch); len(got) != 0 {
		t.Errorf("Present after 151s = %v, want none", got)
	}
}

// testPresencePerConnection: a user with two connections stays present until
// both have left.
func testPresencePerConnection(t *testing.T, newBroker NewBrokerFunc) {
	b := newBroker(t, realtime.BrokerOpts{})
	ch := ChannelName(t)
	tab1 := realtime.Presence{UserID: "u1", DisplayName: "Bo", Role: realtime.RolePlayer, ConnID: "tab1"}
	tab2 := tab1
	tab2.ConnID = "tab2"
	mustJoin(t, b, ch, tab1, time.Minute)
	mustJoin(t, b, ch, tab2, time.Minute)
	if diff := cmp.Diff([]string{"u1/tab1/player", "u1/tab2/player"}, present(t, b, ch)); diff != "" {
		t.Errorf("Present with two tabs (-want +got):\n%s", diff)
	}
	if err := b.Leave(context.Background(), ch, tab1); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"u1/tab2/player"}, present(t, b, ch)); diff != "" {
		t.Errorf("Present after one tab left (-want +got):\n%s", diff)
	}
	if err := b.Leave(context.Background(), ch, tab2); err != nil {
		t.Fatal(err)
	}
	if got := present(t, b, ch); len(got) != 0 {
		t.Errorf("Present after both left = %v, want none", got)
	}
}

func testPresenceInvalid(t *testing.T, newBroker NewBrokerFunc) {
	b := newBroker(t, realtime.BrokerOpts{})
	ch := ChannelName(t)
	if err := b.Join(context.Background(), ch, realtime.Presence{Role: realtime.RolePlayer}, time.Minute); !errors.Is(err, realtime.ErrInvalid) {
		t.Errorf("Join without user = %v, want ErrInvalid", err)
	}
	if err := b.Join(context.Background(), ch, realtime.Presence{UserID: "u1"}, 0); !errors.Is(err, realtime.ErrInvalid) {
		t.Errorf("Join with zero ttl = %v, want ErrInvalid", err)
	}
}

package brokertest

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/realtime"
)

var stateCases = map[string]func(*testing.T, NewBrokerFunc){
	"StartsEmpty":   testStateStartsEmpty,
	"MergePatches":  testStateMergePatches,
	"Stale":         testStateStale,
	"ConcurrentCAS": testStateConcurrentCAS,
	"InvalidPatch":  testStateInvalidPatch,
	"PerChannel":    testStatePerChannel,
}

// jsonEqual compares JSON documents by value, not by bytes.
func jsonEqual(t *testing.T, want string, got json.RawMessage) {
	t.Helper()
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("state data %q is not JSON: %v", got, err)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("state data mismatch (-want +got):\n%s", diff)
	}
}

func mustUpdate(t *testing.T, b realtime.Broker, ch string, base int64, patch string) realtime.State {
	t.Helper()
	st, err := b.UpdateState(context.Background(), ch, base, json.RawMessage(patch))
	if err != nil {
		t.Fatalf("UpdateState(%d, %s) = %v", base, patch, err)
	}
	return st
}

func testStateStartsEmpty(t *testing.T, newBroker NewBrokerFunc) {
	b := newBroker(t, realtime.BrokerOpts{})
	st, err := b.State(context.Background(), ChannelName(t))
	if err != nil {
		t.Fatal(err)
	}
	if st.Version != 0 || !st.UpdatedAt.IsZero() {
		t.Errorf("State of a new channel = %+v, want version 0 and no update time", st)
	}
	jsonEqual(t, `{}`, st.Data)
}

func testStateMergePatches(t *testing.T, newBroker NewBrokerFunc) {
	clock := NewClock()
	b := newBroker(t, realtime.BrokerOpts{Now: clock.Now})
	ch := ChannelName(t)
	steps := []struct {
		patch, want string
	}{
		{`{"scene":"tavern","round":1}`, `{"scene":"tavern","round":1}`},
		{`{"round":2,"initiative":["Aria","Goblin 1"]}`, `{"scene":"tavern","round":2,"initiative":["Aria","Goblin 1"]}`},
		{`{"notes":{"gm":"trap"}}`, `{"scene":"tavern","round":2,"initiative":["Aria","Goblin 1"],"notes":{"gm":"trap"}}`},
		{`{"notes":{"party":"loot"},"initiative":["Goblin 1"]}`, `{"scene":"tavern","round":2,"initiative":["Goblin 1"],"notes":{"gm":"trap","party":"loot"}}`},
		{`{"scene":null,"notes":{"gm":null}}`, `{"round":2,"initiative":["Goblin 1"],"notes":{"party":"loot"}}`},
		{`{"hp":12345678901234567890}`, `{"round":2,"initiative":["Goblin 1"],"notes":{"party":"loot"},"hp":12345678901234567890}`},
	}
	for i, s := range steps {
		clock.Advance(time.Second)
		st := mustUpdate(t, b, ch, int64(i), s.patch)
		if st.Version != int64(i+1) {
			t.Errorf("step %d: version %d, want %d", i, st.Version, i+1)
		}
		if !st.UpdatedAt.Equal(clock.Now().Truncate(time.Millisecond)) {
			t.Errorf("step %d: updated at %v, want %v", i, st.UpdatedAt, clock.Now())
		}
		jsonEqual(t, s.want, st.Data)
		got, err := b.State(context.Background(), ch)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(st, got); diff != "" {
			t.Errorf("step %d: State differs from UpdateState's result (-update +state):\n%s", i, diff)
		}
	}
	got, _ := b.State(context.Background(), ch)
	if !strings.Contains(string(got.Data), "12345678901234567890") {
		t.Errorf("large integer lost precision: %s", got.Data)
	}
}

func testStateStale(t *testing.T, newBroker NewBrokerFunc) {
	b := newBroker(t, realtime.BrokerOpts{})
	ch := ChannelName(t)
	v1 := mustUpdate(t, b, ch, 0, `{"scene":"tavern"}`)
	for _, base := range []int64{0, 2, -1} {
		st, err := b.UpdateState(context.Background(), ch, base, json.RawMessage(`{"scene":"crypt"}`))
		if !errors.Is(err, realtime.ErrStaleState) {
			t.Fatalf("UpdateState(base %d) = %v, want ErrStaleState", base, err)
		}
		if diff := cmp.Diff(v1, st); diff != "" {
			t.Errorf("UpdateState(base %d) returned state (-current +got):\n%s", base, diff)
		}
	}
	got, _ := b.State(context.Background(), ch)
	jsonEqual(t, `{"scene":"tavern"}`, got.Data)
}

// testStateConcurrentCAS: of many writers from the same base version exactly
// one wins; the others learn they were stale.
func testStateConcurrentCAS(t *testing.T, newBroker NewBrokerFunc) {
	const writers = 10
	b := newBroker(t, realtime.BrokerOpts{})
	ch := ChannelName(t)
	var (
		wg            sync.WaitGroup
		mu            sync.Mutex
		wins, stale   int
		unexpectedErr error
	)
	for i := range writers {
		wg.Go(func() {
			_, err := b.UpdateState(context.Background(), ch, 0, json.RawMessage(`{"w":`+string(rune('0'+i))+`}`))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, realtime.ErrStaleState):
				stale++
			default:
				unexpectedErr = err
			}
		})
	}
	wg.Wait()
	if unexpectedErr != nil {
		t.Fatal(unexpectedErr)
	}
	if wins != 1 || stale != writers-1 {
		t.Errorf("wins, stale = %d, %d; want 1, %d", wins, stale, writers-1)
	}
	if st, _ := b.State(context.Background(), ch); st.Version != 1 {
		t.Errorf("final version %d, want 1", st.Version)
	}
}

func testStateInvalidPatch(t *testing.T, newBroker NewBrokerFunc) {
	b := newBroker(t, realtime.BrokerOpts{MaxStateBytes: 100})
	ch := ChannelName(t)
	mustUpdate(t, b, ch, 0, `{"scene":"tavern"}`)
	for _, patch := range []string{`[1,2]`, `"scene"`, `null`, `{"scene":`, `{} {}`, `{"notes":"` + strings.Repeat("x", 200) + `"}`} {
		st, err := b.UpdateState(context.Background(), ch, 1, json.RawMessage(patch))
		if !errors.Is(err, realtime.ErrInvalidPatch) {
			t.Errorf("UpdateState(%.20s) = %v, want ErrInvalidPatch", patch, err)
		}
		if st.Version != 1 {
			t.Errorf("UpdateState(%.20s) returned version %d, want the current 1", patch, st.Version)
		}
	}
	got, _ := b.State(context.Background(), ch)
	if got.Version != 1 {
		t.Errorf("version after rejected patches = %d, want 1", got.Version)
	}
}

func testStatePerChannel(t *testing.T, newBroker NewBrokerFunc) {
	b := newBroker(t, realtime.BrokerOpts{})
	a, c := ChannelName(t), ChannelName(t)
	mustUpdate(t, b, a, 0, `{"scene":"a"}`)
	if st, _ := b.State(context.Background(), c); st.Version != 0 {
		t.Errorf("other channel's version = %d, want 0", st.Version)
	}
}

package brokertest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/realtime"
)

var replayCases = map[string]func(*testing.T, NewBrokerFunc){
	"WithinWindow":      testReplayWithinWindow,
	"BeyondSizeWindow":  testReplayBeyondSize,
	"BeyondTimeWindow":  testReplayBeyondTime,
	"AheadOfLastSeq":    testReplayAhead,
	"EmptyChannel":      testReplayEmpty,
	"MatchesDeliveries": testReplayMatchesDeliveries,
}

func testReplayWithinWindow(t *testing.T, newBroker NewBrokerFunc) {
	b := newBroker(t, realtime.BrokerOpts{})
	ch := ChannelName(t)
	base := publishN(t, b, ch, 10)
	tests := []struct {
		after int64
		want  []int64
	}{
		{after: base + 4, want: seqRange(base+5, base+10)},
		{after: 0, want: seqRange(base+1, base+10)},
		{after: -3, want: seqRange(base+1, base+10)},
		{after: base + 9, want: []int64{base + 10}},
		{after: base + 10, want: nil},
	}
	for _, tc := range tests {
		msgs, ok := mustReplay(t, b, ch, tc.after)
		if !ok {
			t.Errorf("Replay(%d) ok = false, want true", tc.after)
		}
		if diff := cmp.Diff(tc.want, seqs(msgs)); diff != "" {
			t.Errorf("Replay(%d) seqs (-want +got):\n%s", tc.after, diff)
		}
	}
}

// testReplayBeyondSize: with a window of 5 messages, asking for anything
// older than the newest 5 must say so instead of returning a partial list.
func testReplayBeyondSize(t *testing.T, newBroker NewBrokerFunc) {
	b := newBroker(t, realtime.BrokerOpts{WindowSize: 5})
	ch := ChannelName(t)
	base := publishN(t, b, ch, 12)
	if msgs, ok := mustReplay(t, b, ch, base+7); !ok || !cmp.Equal(seqs(msgs), seqRange(base+8, base+12)) {
		t.Errorf("Replay(base+7) = %v, %v; want base+8..12, true", seqs(msgs), ok)
	}
	for _, after := range []int64{base + 6, base + 3, 0} {
		if msgs, ok := mustReplay(t, b, ch, after); ok {
			t.Errorf("Replay(%d) = %v, true; want ok=false (beyond the window)", after, seqs(msgs))
		}
	}
}

// testReplayBeyondTime uses an injected clock: messages older than WindowAge
// leave the window even when the size limit is far away.
func testReplayBeyondTime(t *testing.T, newBroker NewBrokerFunc) {
	clock := NewClock()
	b := newBroker(t, realtime.BrokerOpts{WindowAge: time.Minute, Now: clock.Now})
	ch := ChannelName(t)
	base := publishN(t, b, ch, 3) // seq base+1..3 at t0
	clock.Advance(30 * time.Second)
	mustPublish(t, b, ch, "chat", 3) // seq 4 at t0+30s
	mustPublish(t, b, ch, "chat", 4) // seq 5 at t0+30s
	clock.Advance(45 * time.Second)  // t0+75s: 1..3 are 75s old, 4..5 are 45s old

	if msgs, ok := mustReplay(t, b, ch, base+3); !ok || !cmp.Equal(seqs(msgs), []int64{base + 4, base + 5}) {
		t.Errorf("Replay(base+3) = %v, %v; want base+[4 5], true", seqs(msgs), ok)
	}
	for _, after := range []int64{base + 2, 0} {
		if msgs, ok := mustReplay(t, b, ch, after); ok {
			t.Errorf("Replay(%d) = %v, true; want ok=false (expired)", after, seqs(msgs))
		}
	}

	clock.Advance(2 * time.Minute) // everything expired
	if msgs, ok := mustReplay(t, b, ch, base+5); !ok || len(msgs) != 0 {
		t.Errorf("Replay(base+5) with nothing missed = %v, %v; want [], true", seqs(msgs), ok)
	}
	if msgs, ok := mustReplay(t, b, ch, base+4); ok {
		t.Errorf("Replay(base+4) = %v, true; want ok=false (expired)", seqs(msgs))
	}
	mustPublish(t, b, ch, "chat", 5)
	if msgs, ok := mustReplay(t, b, ch, base+5); !ok || !cmp.Equal(seqs(msgs), []int64{base + 6}) {
		t.Errorf("Replay(base+5) after new publish = %v, %v; want [base+6], true", seqs(msgs), ok)
	}
}

// testReplayAhead: a client claiming a seq the channel never reached (the
// channel was deleted and started over) must get a fresh snapshot.
func testReplayAhead(t *testing.T, newBroker NewBrokerFunc) {
	b := newBroker(t, realtime.BrokerOpts{})
	ch := ChannelName(t)
	base := publishN(t, b, ch, 1)
	if msgs, ok := mustReplay(t, b, ch, base+5); ok {
		t.Errorf("Replay(base+5) with last seq base+1 = %v, true; want ok=false", seqs(msgs))
	}
	if msgs, ok := mustReplay(t, b, ch, base-realtime.SeqEpochSpan+1); ok {
		t.Errorf("Replay from an earlier epoch = %v, true; want ok=false", seqs(msgs))
	}
}

func testReplayEmpty(t *testing.T, newBroker NewBrokerFunc) {
	b := newBroker(t, realtime.BrokerOpts{})
	if msgs, ok := mustReplay(t, b, ChannelName(t), 0); !ok || len(msgs) != 0 {
		t.Errorf("Replay(0) on a new channel = %v, %v; want [], true", seqs(msgs), ok)
	}
}

func testReplayMatchesDeliveries(t *testing.T, newBroker NewBrokerFunc) {
	b := newBroker(t, realtime.BrokerOpts{})
	ch := ChannelName(t)
	sub := mustSubscribe(t, b, ch)
	var published []realtime.Message
	for i := range 5 {
		published = append(published, mustPublish(t, b, ch, "entity.changed", map[string]any{"i": i, "name": "Ölaf \"the\" <b>"}))
	}
	live := receive(t, sub, 5)
	replayed, _ := mustReplay(t, b, ch, 0)
	if diff := cmp.Diff(published, live); diff != "" {
		t.Errorf("delivered differs from published (-published +delivered):\n%s", diff)
	}
	if diff := cmp.Diff(published, replayed); diff != "" {
		t.Errorf("replayed differs from published (-published +replayed):\n%s", diff)
	}
}

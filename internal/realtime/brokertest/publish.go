package brokertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/realtime"
)

var publishCases = map[string]func(*testing.T, NewBrokerFunc){
	"AssignsSeqAndTime":            testPublishAssignsSeqAndTime,
	"RejectsInvalid":               testPublishRejectsInvalid,
	"ConcurrentPublishersOneOrder": testConcurrentPublishers,
	"FanOut":                       testFanOut,
	"AudienceTravels":              testAudienceTravels,
	"SlowSubscriberDropped":        testSlowSubscriber,
	"SubscriptionEndsWithContext":  testSubscriptionContext,
	"SubscriptionClose":            testSubscriptionClose,
}

func testPublishAssignsSeqAndTime(t *testing.T, newBroker NewBrokerFunc) {
	clock := NewClock()
	b := newBroker(t, realtime.BrokerOpts{Now: clock.Now})
	ch, other := ChannelName(t), ChannelName(t)
	ctx := context.Background()
	// A new channel starts an epoch at the clock's second.
	base := clock.Now().Unix() * realtime.SeqEpochSpan

	for i := int64(1); i <= 3; i++ {
		m, err := b.Publish(ctx, ch, realtime.Message{Type: "chat", Data: json.RawMessage(`{"n": 1}`)})
		if err != nil {
			t.Fatalf("Publish #%d = %v", i, err)
		}
		want := realtime.Message{Type: "chat", Seq: base + i, TS: clock.Now(), Data: json.RawMessage(`{"n":1}`)}
		if diff := cmp.Diff(want, m); diff != "" {
			t.Errorf("Publish #%d mismatch (-want +got):\n%s", i, diff)
		}
		clock.Advance(1)
	}
	if got, err := b.LastSeq(ctx, ch); err != nil || got != base+3 {
		t.Errorf("LastSeq(ch) = %d, %v; want %d", got, err, base+3)
	}
	if got, err := b.LastSeq(ctx, other); err != nil || got != 0 {
		t.Errorf("LastSeq(other) = %d, %v; want 0", got, err)
	}
	if m := mustPublish(t, b, other, "chat", nil); m.Seq != base+1 {
		t.Errorf("first Publish on another channel: seq %d, want %d", m.Seq, base+1)
	}
}

func testPublishRejectsInvalid(t *testing.T, newBroker NewBrokerFunc) {
	b := newBroker(t, realtime.BrokerOpts{})
	ch := ChannelName(t)
	tests := []struct {
		name    string
		channel string
		msg     realtime.Message
	}{
		{"EmptyChannel", "", realtime.Message{Type: "chat"}},
		{"BraceInChannel", "a{b}", realtime.Message{Type: "chat"}},
		{"EmptyType", ch, realtime.Message{}},
		{"DataNotJSON", ch, realtime.Message{Type: "chat", Data: json.RawMessage(`{oops`)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := b.Publish(context.Background(), tc.channel, tc.msg); !errors.Is(err, realtime.ErrInvalid) {
				t.Errorf("Publish = %v, want ErrInvalid", err)
			}
		})
	}
	if got, _ := b.LastSeq(context.Background(), ch); got != 0 {
		t.Errorf("LastSeq after rejected publishes = %d, want 0", got)
	}
}

// testConcurrentPublishers is the ordering contract: whatever the
// interleaving, seqs are 1..n without gaps or repeats, and the subscriber and
// the replay window see the same order.
func testConcurrentPublishers(t *testing.T, newBroker NewBrokerFunc) {
	const writers, each = 8, 25
	b := newBroker(t, realtime.BrokerOpts{})
	ch := ChannelName(t)
	sub := mustSubscribe(t, b, ch)

	var (
		mu   sync.Mutex
		got  []int64
		wg   sync.WaitGroup
		errs = make(chan error, writers)
	)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				data := json.RawMessage(fmt.Sprintf(`{"w":%d,"i":%d}`, w, i))
				m, err := b.Publish(context.Background(), ch, realtime.Message{Type: "t", Data: data})
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				got = append(got, m.Seq)
				mu.Unlock()
			}
		})
	}
	received := receive(t, sub, writers*each)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Publish = %v", err)
	}
	slices.Sort(got)
	want := seqRange(got[0], got[0]+writers*each-1)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("assigned seqs mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, seqs(received)); diff != "" {
		t.Errorf("subscriber order mismatch (-want +got):\n%s", diff)
	}
	replayed, ok := mustReplay(t, b, ch, 0)
	if !ok {
		t.Fatal("Replay(0) not ok within the window")
	}
	if diff := cmp.Diff(received, replayed); diff != "" {
		t.Errorf("replay differs from live delivery (-live +replay):\n%s", diff)
	}
}

func testFanOut(t *testing.T, newBroker NewBrokerFunc) {
	const subscribers, messages = 12, 40
	b := newBroker(t, realtime.BrokerOpts{})
	ch := ChannelName(t)
	subs := make([]realtime.Subscription, subscribers)
	for i := range subs {
		subs[i] = mustSubscribe(t, b, ch)
	}
	var want []realtime.Message
	for i := range messages {
		want = append(want, mustPublish(t, b, ch, "transcript.segment", map[string]int{"i": i}))
	}
	for i, sub := range subs {
		if diff := cmp.Diff(want, receive(t, sub, messages)); diff != "" {
			t.Errorf("subscriber %d mismatch (-want +got):\n%s", i, diff)
		}
	}
}

func testAudienceTravels(t *testing.T, newBroker NewBrokerFunc) {
	b := newBroker(t, realtime.BrokerOpts{})
	ch := ChannelName(t)
	sub := mustSubscribe(t, b, ch)
	aud := realtime.Audience{Roles: []string{realtime.RoleGM}, UserIDs: []string{"u1", "u2"}}
	m, err := b.Publish(context.Background(), ch, realtime.Message{Type: "keyword.alert", Data: json.RawMessage(`{}`), Audience: aud})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(aud, m.Audience); diff != "" {
		t.Errorf("Publish result audience (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(aud, receive(t, sub, 1)[0].Audience); diff != "" {
		t.Errorf("delivered audience (-want +got):\n%s", diff)
	}
	replayed, _ := mustReplay(t, b, ch, 0)
	if len(replayed) != 1 {
		t.Fatalf("Replay(0) returned %d messages, want 1", len(replayed))
	}
	if diff := cmp.Diff(aud, replayed[0].Audience); diff != "" {
		t.Errorf("replayed audience (-want +got):\n%s", diff)
	}
}

// testSlowSubscriber: a subscriber that never reads loses its subscription
// once its buffer is full, while one that keeps up gets everything and the
// publisher is never held up.
func testSlowSubscriber(t *testing.T, newBroker NewBrokerFunc) {
	const buffer, messages = 8, 30
	b := newBroker(t, realtime.BrokerOpts{SubscriberBuffer: buffer})
	ch := ChannelName(t)
	slow := mustSubscribe(t, b, ch)
	fast := mustSubscribe(t, b, ch)

	var first int64
	for i := range messages {
		m := mustPublish(t, b, ch, "t", i)
		if i == 0 {
			first = m.Seq
		}
		// Lockstep keeps the fast subscriber's buffer nearly empty, so only
		// the slow one can overflow.
		if got := receive(t, fast, 1)[0]; got.Seq != m.Seq {
			t.Fatalf("fast subscriber got seq %d, want %d", got.Seq, m.Seq)
		}
	}
	var drained []realtime.Message
	for m := range slow.C() {
		drained = append(drained, m)
	}
	if !errors.Is(slow.Err(), realtime.ErrSlowSubscriber) {
		t.Errorf("slow subscriber closed with %v, want ErrSlowSubscriber", slow.Err())
	}
	if diff := cmp.Diff(seqRange(first, first+buffer-1), seqs(drained)); diff != "" {
		t.Errorf("slow subscriber kept (-want +got):\n%s", diff)
	}
	if err := fast.Err(); err != nil {
		t.Errorf("fast subscriber Err = %v, want nil", err)
	}
}

func testSubscriptionContext(t *testing.T, newBroker NewBrokerFunc) {
	b := newBroker(t, realtime.BrokerOpts{})
	ch := ChannelName(t)
	ctx, cancel := context.WithCancel(context.Background())
	sub, err := b.Subscribe(ctx, ch)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	waitClosed(t, sub, context.Canceled)
	mustPublish(t, b, ch, "t", nil) // nobody left to deliver to; must not block or panic
}

func testSubscriptionClose(t *testing.T, newBroker NewBrokerFunc) {
	b := newBroker(t, realtime.BrokerOpts{})
	ch := ChannelName(t)
	sub := mustSubscribe(t, b, ch)
	other := mustSubscribe(t, b, ch)
	if err := sub.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if err := sub.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	if _, ok := <-sub.C(); ok {
		t.Fatal("C not closed after Close")
	}
	if err := sub.Err(); err != nil {
		t.Errorf("Err after Close = %v, want nil", err)
	}
	m := mustPublish(t, b, ch, "t", nil)
	if got := receive(t, other, 1)[0]; got.Seq != m.Seq {
		t.Errorf("remaining subscriber got seq %d, want %d", got.Seq, m.Seq)
	}
}

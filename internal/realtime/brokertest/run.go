// Package brokertest is the one conformance suite for realtime.Broker
// implementations. Each backend's tests call Run with a constructor; a
// behaviour added to one broker comes with a case here, so both keep it.
package brokertest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/realtime"
)

// NewBrokerFunc opens a fresh, empty broker for one test with the given options
// and arranges for it to be closed (and its data removed) when the test ends.
// Tests change the clock, window and buffer sizes through opts.
type NewBrokerFunc func(t *testing.T, opts realtime.BrokerOpts) realtime.Broker

// Run runs every conformance case against brokers made by newBroker, in
// parallel subtests.
func Run(t *testing.T, newBroker NewBrokerFunc) {
	t.Helper()
	groups := []struct {
		name  string
		cases map[string]func(*testing.T, NewBrokerFunc)
	}{
		{"Publish", publishCases},
		{"Replay", replayCases},
		{"State", stateCases},
		{"Presence", presenceCases},
		{"Lifecycle", lifecycleCases},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for name, fn := range g.cases {
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					fn(t, newBroker)
				})
			}
		})
	}
}

// Clock is a settable clock for BrokerOpts.Now and HubOpts.Now.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock stopped at a fixed, realistic instant (stream ids
// in Redis are derived from it, so it must not be near zero).
func NewClock() *Clock {
	return &Clock{now: time.Date(2030, 1, 2, 15, 4, 5, 0, time.UTC)}
}

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// ChannelName returns a random channel name, so cases never share data even
// when a backend is shared.
func ChannelName(t *testing.T) string {
	t.Helper()
	return "ch-" + rand.Text()[:16]
}

// waitTimeout bounds every wait for an asynchronous delivery; it is long
// because the race detector and a busy two-core machine slow things down.
const waitTimeout = 15 * time.Second

func mustPublish(t *testing.T, b realtime.Broker, channel, typ string, data any) realtime.Message {
	t.Helper()
	raw, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	m, err := b.Publish(context.Background(), channel, realtime.Message{Type: typ, Data: raw})
	if err != nil {
		t.Fatalf("Publish(%q, %q) = %v", channel, typ, err)
	}
	return m
}

func mustSubscribe(t *testing.T, b realtime.Broker, channel string) realtime.Subscription {
	t.Helper()
	sub, err := b.Subscribe(context.Background(), channel)
	if err != nil {
		t.Fatalf("Subscribe(%q) = %v", channel, err)
	}
	t.Cleanup(func() { _ = sub.Close() })
	return sub
}

// receive reads n messages from sub, failing on timeout or early close.
func receive(t *testing.T, sub realtime.Subscription, n int) []realtime.Message {
	t.Helper()
	out := make([]realtime.Message, 0, n)
	timer := time.NewTimer(waitTimeout)
	defer timer.Stop()
	for len(out) < n {
		select {
		case m, ok := <-sub.C():
			if !ok {
				t.Fatalf("subscription closed after %d of %d messages: %v", len(out), n, sub.Err())
			}
			out = append(out, m)
		case <-timer.C:
			t.Fatalf("received %d of %d messages before timeout", len(out), n)
		}
	}
	return out
}

// waitClosed drains sub until it is closed and checks the reason.
func waitClosed(t *testing.T, sub realtime.Subscription, want error) {
	t.Helper()
	timer := time.NewTimer(waitTimeout)
	defer timer.Stop()
	for {
		select {
		case _, ok := <-sub.C():
			if ok {
				continue
			}
			if err := sub.Err(); !errors.Is(err, want) {
				t.Fatalf("subscription closed with %v, want %v", err, want)
			}
			return
		case <-timer.C:
			t.Fatalf("subscription not closed (want %v)", want)
		}
	}
}

func mustReplay(t *testing.T, b realtime.Broker, channel string, after int64) ([]realtime.Message, bool) {
	t.Helper()
	msgs, ok, err := b.Replay(context.Background(), channel, after)
	if err != nil {
		t.Fatalf("Replay(%q, %d) = %v", channel, after, err)
	}
	return msgs, ok
}

// seqs lists the messages' seqs; nil for none, like seqRange.
func seqs(msgs []realtime.Message) []int64 {
	var out []int64
	for _, m := range msgs {
		out = append(out, m.Seq)
	}
	return out
}

// seqRange returns from..to inclusive; nil when to < from.
func seqRange(from, to int64) []int64 {
	var out []int64
	for s := from; s <= to; s++ {
		out = append(out, s)
	}
	return out
}

// publishN publishes n messages on a new channel and returns the seq before
// the first: a channel's seqs start at an epoch, so tests count from there.
func publishN(t *testing.T, b realtime.Broker, channel string, n int) int64 {
	t.Helper()
	base := mustPublish(t, b, channel, "chat", 0).Seq - 1
	for i := 1; i < n; i++ {
		mustPublish(t, b, channel, "chat", i)
	}
	return base
}

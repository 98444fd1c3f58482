package realtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/gmc-project/gmc/internal/realtime"
	"github.com/gmc-project/gmc/internal/realtime/brokertest"
)

const moverFrame = "realtime.(*subscriber).move"

// TestSubscriptionBacklog: a subscription's queue grows only when messages
// wait, the goroutine that feeds its channel runs only while some do, and
// nothing is lost, reordered or left running whichever way it ends. Not
// parallel: it counts the goroutines of the whole process.
func TestSubscriptionBacklog(t *testing.T) {
	const buffer = 100
	ctx := context.Background()
	b := realtime.NewMemoryBroker(realtime.BrokerOpts{SubscriberBuffer: buffer})
	t.Cleanup(func() { _ = b.Close() })
	publish := func(ch string, n int) (first int64) {
		t.Helper()
		for i := range n {
			m, err := b.Publish(ctx, ch, realtime.Message{Type: "t", Data: json.RawMessage("null")})
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				first = m.Seq
			}
		}
		return first
	}
	drain := func(sub realtime.Subscription, first int64, n int) {
		t.Helper()
		for i := range n {
			if m := <-sub.C(); m.Seq != first+int64(i) {
				t.Fatalf("message %d has seq %d, want %d", i, m.Seq, first+int64(i))
			}
		}
	}

	t.Run("fills and drains, twice", func(t *testing.T) {
		ch := brokertest.ChannelName(t)
		sub := subscribe(t, b, ch)
		defer sub.Close()
		for range 2 {
			first := publish(ch, buffer)
			awaitGoroutines(t, moverFrame, 1)
			drain(sub, first, buffer)
			awaitGoroutines(t, moverFrame, 0)
		}
		if err := sub.Err(); err != nil {
			t.Errorf("Err = %v, want nil", err)
		}
	})
	t.Run("too slow: what was queued still arrives", func(t *testing.T) {
		ch := brokertest.ChannelName(t)
		sub := subscribe(t, b, ch)
		first := publish(ch, buffer+1)
		drain(sub, first, buffer)
		if _, ok := <-sub.C(); ok {
			t.Fatal("a message past the buffer was delivered")
		}
		if err := sub.Err(); !errors.Is(err, realtime.ErrSlowSubscriber) {
			t.Errorf("Err = %v, want ErrSlowSubscriber", err)
		}
		awaitGoroutines(t, moverFrame, 0)
	})
	t.Run("channel deleted: the backlog arrives before the end", func(t *testing.T) {
		ch := brokertest.ChannelName(t)
		sub := subscribe(t, b, ch)
		first := publish(ch, buffer/2)
		if err := b.DeleteChannel(ctx, ch); err != nil {
			t.Fatal(err)
		}
		drain(sub, first, buffer/2)
		if _, ok := <-sub.C(); ok {
			t.Fatal("C not closed after the backlog")
		}
		if err := sub.Err(); !errors.Is(err, realtime.ErrChannelDeleted) {
			t.Errorf("Err = %v, want ErrChannelDeleted", err)
		}
		awaitGoroutines(t, moverFrame, 0)
	})
	t.Run("closed by the consumer with a backlog", func(t *testing.T) {
		ch := brokertest.ChannelName(t)
		sub := subscribe(t, b, ch)
		publish(ch, buffer/2)
		awaitGoroutines(t, moverFrame, 1)
		_ = sub.Close()
		awaitGoroutines(t, moverFrame, 0)
		for range sub.C() { // what reached the channel, then its end
		}
	})
	t.Run("context ends with a backlog", func(t *testing.T) {
		ch := brokertest.ChannelName(t)
		sctx, cancel := context.WithCancel(ctx)
		sub, err := b.Subscribe(sctx, ch)
		if err != nil {
			t.Fatal(err)
		}
		publish(ch, buffer/2)
		awaitGoroutines(t, moverFrame, 1)
		cancel()
		awaitGoroutines(t, moverFrame, 0)
		for range sub.C() {
		}
		if err := sub.Err(); !errors.Is(err, context.Canceled) {
			t.Errorf("Err = %v, want context.Canceled", err)
		}
	})
}

func subscribe(t *testing.T, b realtime.Broker, ch string) realtime.Subscription {
	t.Helper()
	sub, err := b.Subscribe(context.Background(), ch)
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

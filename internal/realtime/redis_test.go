package realtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/gmc-project/gmc/internal/realtime"
	"github.com/gmc-project/gmc/internal/realtime/brokertest"
)

func TestRedisBrokerContract(t *testing.T) {
	t.Parallel()
	url := redisURL(t)
	brokertest.Run(t, func(t *testing.T, opts realtime.BrokerOpts) realtime.Broker {
		return newRedisBroker(t, url, randomPrefix(), opts)
	})
}

// TestRedisBrokersAgreeOnOrder runs two instances on one Redis, as behind a
// load balancer: publishes from both get one order that every subscriber on
// either instance sees.
func TestRedisBrokersAgreeOnOrder(t *testing.T) {
	t.Parallel()
	url, prefix := redisURL(t), randomPrefix()
	brokers := []realtime.Broker{
		newRedisBroker(t, url, prefix, realtime.BrokerOpts{}),
		newRedisBroker(t, url, prefix, realtime.BrokerOpts{}),
	}
	ch := brokertest.ChannelName(t)
	var subs []realtime.Subscription
	for _, b := range brokers {
		for range 2 {
			sub, err := b.Subscribe(context.Background(), ch)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = sub.Close() })
			subs = append(subs, sub)
		}
	}

	const perWriter, writersPerBroker = 30, 2
	total := len(brokers) * writersPerBroker * perWriter
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		assigned []int64
	)
	for bi, b := range brokers {
		for w := range writersPerBroker {
			wg.Go(func() {
				for i := range perWriter {
					data := json.RawMessage(fmt.Sprintf(`{"b":%d,"w":%d,"i":%d}`, bi, w, i))
					m, err := b.Publish(context.Background(), ch, realtime.Message{Type: "chat", Data: data})
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					assigned = append(assigned, m.Seq)
					mu.Unlock()
				}
			})
		}
	}
	var views [][]realtime.Message
	for _, sub := range subs {
		views = append(views, collect(t, sub, total))
	}
	wg.Wait()

	slices.Sort(assigned)
	want := make([]int64, total)
	for i := range want {
		want[i] = assigned[0] + int64(i)
	}
	if diff := cmp.Diff(want, assigned); diff != "" {
		t.Errorf("seqs assigned across instances (-want +got):\n%s", diff)
	}
	for i, v := range views {
		if diff := cmp.Diff(views[0], v); diff != "" {
			t.Errorf("subscriber %d disagrees with subscriber 0 (-0 +%d):\n%s", i, i, diff)
		}
	}
}

// TestRedisSubscriptionFillsGapAfterReconnect kills the broker's pub/sub
// connection and publishes while it is gone: the subscriber must still see
// every message, in order, once go-redis has reconnected.
func TestRedisSubscriptionFillsGapAfterReconnect(t *testing.T) {
	t.Parallel()
	url, prefix := redisURL(t), randomPrefix()
	name := "gmctest-" + strings.TrimSuffix(strings.TrimPrefix(prefix, "gmctest:"), ":")
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	opt.ClientName = name // lets the test find this broker's connections
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { _ = rdb.Close() })
	removeKeys(t, rdb, prefix)
	sb, err := realtime.NewRedisBroker(context.Background(), rdb, realtime.RedisBrokerOpts{KeyPrefix: prefix, BrokerOpts: realtime.BrokerOpts{Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	pub := newRedisBroker(t, url, prefix, realtime.BrokerOpts{})
	ch := brokertest.ChannelName(t)
	sub, err := sb.Subscribe(context.Background(), ch)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Close() })

	publish := func(n int) {
		for range n {
			if _, err := pub.Publish(context.Background(), ch, realtime.Message{Type: "chat"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	publish(3)
	base := collect(t, sub, 3)[0].Seq - 1
	for round := range 3 {
		killPubSub(t, rdb, name)
		publish(5) // some of these land while the subscriber is reconnecting
		got := collect(t, sub, 5)
		first := base + int64(3+round*5+1)
		for i, m := range got {
			if m.Seq != first+int64(i) {
				t.Fatalf("round %d: message %d has seq %d, want %d", round, i, m.Seq, first+int64(i))
			}
		}
	}
}

// killPubSub closes the server side of the pub/sub connections of the client
// named name, as a network failure would.
func killPubSub(t *testing.T, rdb *redis.Client, name string) {
	t.Helper()
	list, err := rdb.ClientList(context.Background()).Result()
	if err != nil {
		t.Fatal(err)
	}
	killed := 0
	for line := range strings.SplitSeq(list, "\n") {
		if !strings.Contains(line, " name="+name+" ") || !strings.Contains(line, "sub=") || strings.Contains(line, " sub=0 ") {
			continue
		}
		for f := range strings.FieldsSeq(line) {
			if id, ok := strings.CutPrefix(f, "id="); ok {
				if err := rdb.Do(context.Background(), "CLIENT", "KILL", "ID", id).Err(); err != nil {
					t.Fatal(err)
				}
				killed++
			}
		}
	}
	if killed == 0 {
		t.Fatalf("no pub/sub connection named %s found", name)
	}
}

// collect reads n messages or fails.
func collect(t *testing.T, sub realtime.Subscription, n int) []realtime.Message {
	t.Helper()
	var out []realtime.Message
	timeout := time.After(20 * time.Second)
	for len(out) < n {
		select {
		case m, ok := <-sub.C():
			if !ok {
				t.Fatalf("subscription closed after %d of %d: %v", len(out), n, sub.Err())
			}
			out = append(out, m)
		case <-timeout:
			t.Fatalf("got %d of %d messages before timeout", len(out), n)
		}
	}
	return out
}

// TestRedisKeys checks the key layout promises: everything under the prefix,
// an idle TTL on every key, nothing left after DeleteChannel.
func TestRedisKeys(t *testing.T) {
	t.Parallel()
	url, prefix := redisURL(t), randomPrefix()
	rdb := newRedisClient(t, url)
	ctx := context.Background()
	b := newRedisBroker(t, url, prefix, realtime.BrokerOpts{})
	ch := brokertest.ChannelName(t)
	if _, err := b.Publish(ctx, ch, realtime.Message{Type: "chat"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.UpdateState(ctx, ch, 0, json.RawMessage(`{"round":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := b.Join(ctx, ch, realtime.Presence{UserID: "u1", Role: realtime.RoleGM}, time.Minute); err != nil {
		t.Fatal(err)
	}
	keys, err := scanKeys(ctx, rdb, prefix)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 5 {
		t.Errorf("keys under prefix = %v, want 5", keys)
	}
	for _, k := range keys {
		ttl, err := rdb.PTTL(ctx, k).Result()
		if err != nil || ttl <= 0 || ttl > 24*time.Hour {
			t.Errorf("PTTL(%s) = %v, %v; want an idle TTL of at most 24h", k, ttl, err)
		}
	}
	if err := b.DeleteChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	if keys, _ := scanKeys(ctx, rdb, prefix); len(keys) != 0 {
		t.Errorf("keys left after DeleteChannel: %v", keys)
	}
}

// TestRedisOutage stops Redis under a live broker: Publish and Health fail
// while it is down (the caller reports degraded), and once it is back the
// subscription resumes without a gap.
func TestRedisOutage(t *testing.T) {
	t.Parallel()
	bin, dir := redisBin(t), t.TempDir()
	srv, err := startRedis(bin, dir, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.stop() })
	b := newRedisBroker(t, srv.url(), randomPrefix(), realtime.BrokerOpts{})
	ch := brokertest.ChannelName(t)
	sub, err := b.Subscribe(context.Background(), ch)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Close() })
	ctx := context.Background()
	for range 3 {
		if _, err := b.Publish(ctx, ch, realtime.Message{Type: "chat"}); err != nil {
			t.Fatal(err)
		}
	}
	base := collect(t, sub, 3)[0].Seq - 1

	srv.stop()
	short, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if _, err := b.Publish(short, ch, realtime.Message{Type: "chat"}); err == nil {
		t.Fatal("Publish with Redis down = nil, want an error")
	}
	if err := b.Health(short); err == nil {
		t.Fatal("Health with Redis down = nil, want an error")
	}

	srv2, err := startRedis(bin, dir, srv.port, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv2.stop() })
	deadline := time.Now().Add(15 * time.Second)
	for b.Health(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatal("Health still failing after Redis came back")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for range 4 {
		if _, err := b.Publish(ctx, ch, realtime.Message{Type: "chat"}); err != nil {
			t.Fatal(err)
		}
	}
	got := collect(t, sub, 4)
	if diff := cmp.Diff([]int64{base + 4, base + 5, base + 6, base + 7}, seqsOf(got)); diff != "" {
		t.Errorf("seqs after the outage (-want +got):\n%s", diff)
	}
}

// TestRedisDataLossClosesSubscription restarts Redis without its data: the
// subscriber cannot be brought up to date, so it must be told (and its
// client start over) instead of silently continuing at another seq.
func TestRedisDataLossClosesSubscription(t *testing.T) {
	t.Parallel()
	bin, dir := redisBin(t), t.TempDir()
	srv, err := startRedis(bin, dir, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.stop() })
	b := newRedisBroker(t, srv.url(), randomPrefix(), realtime.BrokerOpts{})
	ch := brokertest.ChannelName(t)
	sub, err := b.Subscribe(context.Background(), ch)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Close() })
	for range 3 {
		if _, err := b.Publish(context.Background(), ch, realtime.Message{Type: "chat"}); err != nil {
			t.Fatal(err)
		}
	}
	before := collect(t, sub, 3)[2].Seq
	srv.stop()
	srv2, err := startRedis(bin, dir, srv.port, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv2.stop() })

	timeout := time.After(20 * time.Second)
	for {
		select {
		case m, ok := <-sub.C():
			if ok {
				t.Fatalf("got seq %d after data loss, want the subscription closed", m.Seq)
			}
			if !errors.Is(sub.Err(), realtime.ErrMissedMessages) {
				t.Fatalf("subscription closed with %v, want ErrMissedMessages", sub.Err())
			}
			// Redis forgot the channel, but its seq must not go back:
			// clients drop what they think they have already seen.
			m, err := b.Publish(context.Background(), ch, realtime.Message{Type: "chat"})
			if err != nil {
				t.Fatal(err)
			}
			if m.Seq <= before || m.Seq%realtime.SeqEpochSpan != 1 {
				t.Fatalf("first seq after the data loss = %d, want the start of an epoch above %d", m.Seq, before)
			}
			return
		case <-timeout:
			t.Fatal("subscription still open after Redis lost its data")
		}
	}
}

func seqsOf(msgs []realtime.Message) []int64 {
	out := make([]int64, len(msgs))
	for i, m := range msgs {
		out[i] = m.Seq
	}
	return out
}

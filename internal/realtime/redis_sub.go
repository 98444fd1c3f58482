package realtime

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// subscribeTimeout bounds how long Subscribe waits for Redis to confirm.
const subscribeTimeout = 10 * time.Second

// redisGroup is the local subscribers of one channel. They share one pub/sub
// topic subscription and one position (last), which the pub/sub loop advances;
// the loop is the only goroutine that delivers, so order is kept.
type redisGroup struct {
	channel   string
	ready     chan struct{} // closed once the first SUBSCRIBE is confirmed
	readyOnce sync.Once

	mu          sync.Mutex
	subs        map[*subscriber]struct{}
	initialized bool  // last is known
	last        int64 // seq of the last message delivered
	err         error // set when the group was closed
}

// Subscribe implements Broker. The first local subscriber of a channel makes
// the broker SUBSCRIBE to its topic; the subscription starts after the seq
// that was current when Redis confirmed.
func (b *RedisBroker) Subscribe(ctx context.Context, channel string) (Subscription, error) {
	if err := b.check(ctx, channel); err != nil {
		return nil, err
	}
	topic := b.topic(channel)

	b.subMu.Lock()
	g := b.groups[topic]
	if g == nil || g.failed() != nil {
		prev := g
		g = &redisGroup{channel: channel, ready: make(chan struct{}), subs: map[*subscriber]struct{}{}}
		// In the map before SUBSCRIBE: the pub/sub loop does not wait for
		// subMu, and must find the group when the confirmation arrives.
		b.setGroup(topic, g)
		if err := b.ps.Subscribe(ctx, topic); err != nil {
			b.setGroup(topic, prev)
			// go-redis remembers the topic even when the command failed;
			// forget it so a reconnect does not subscribe to it.
			_ = b.ps.Unsubscribe(context.WithoutCancel(ctx), topic)
			b.subMu.Unlock()
			return nil, fmt.Errorf("realtime: subscribe: %w", err)
		}
	}
	sub := newSubscriber(b.opts.SubscriberBuffer, func(s *subscriber) { b.unsubscribe(g, s) })
	g.mu.Lock()
	g.subs[sub] = struct{}{}
	g.mu.Unlock()
	b.subMu.Unlock()

	// Redis can vanish between SUBSCRIBE and its confirmation; do not wait
	// for its return longer than a caller would wait for an answer.
	wait := time.NewTimer(subscribeTimeout)
	defer wait.Stop()
	select {
	case <-g.ready:
	case <-wait.C:
		_ = sub.Close()
		return nil, fmt.Errorf("realtime: subscribe: no confirmation from redis in %v", subscribeTimeout)
	case <-ctx.Done():
		_ = sub.Close()
		return nil, fmt.Errorf("realtime: subscribe: %w", ctx.Err())
	}
	if err := g.failed(); err != nil {
		_ = sub.Close()
		return nil, fmt.Errorf("realtime: subscribe: %w", err)
	}
	sub.watch(ctx)
	return sub, nil
}

// unsubscribe forgets s and, with the group's last subscriber gone,
// UNSUBSCRIBEs. Holding subMu keeps the command in the same order as the
// change to groups, so a concurrent Subscribe cannot be undone by it.
func (b *RedisBroker) unsubscribe(g *redisGroup, s *subscriber) {
	b.subMu.Lock()
	defer b.subMu.Unlock()
	g.mu.Lock()
	delete(g.subs, s)
	empty := len(g.subs) == 0
	g.mu.Unlock()
	topic := b.topic(g.channel)
	if !empty || b.groups[topic] != g {
		return
	}
	b.setGroup(topic, nil)
	if b.closed.Load() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.ps.Unsubscribe(ctx, topic); err != nil {
		// The reconnect will not resubscribe (go-redis forgot the topic), and
		// a stray message for an unknown topic is ignored.
		b.opts.Logger.Debug("realtime: unsubscribe", "channel", g.channel, "err", err)
	}
}

// group is the pub/sub loop's lookup: it takes only the read lock of the
// map, never waiting for a SUBSCRIBE round trip under subMu.
func (b *RedisBroker) group(topic string) *redisGroup {
	b.groupsMu.RLock()
	defer b.groupsMu.RUnlock()
	return b.groups[topic]
}

// setGroup changes the map (nil deletes); the caller holds subMu.
func (b *RedisBroker) setGroup(topic string, g *redisGroup) {
	b.groupsMu.Lock()
	defer b.groupsMu.Unlock()
	if g == nil {
		delete(b.groups, topic)
	} else {
		b.groups[topic] = g
	}
}

// run is the pub/sub loop: it delivers messages and, on every SUBSCRIBE
// confirmation (the first one and those after a reconnect), brings the group
// up to date from the stream.
func (b *RedisBroker) run(in <-chan any) {
	defer close(b.done)
	for raw := range in {
		switch v := raw.(type) {
		case *redis.Subscription:
			if v.Kind != "subscribe" {
				continue
			}
			if g := b.group(v.Channel); g != nil {
				b.sync(g)
			}
		case *redis.Message:
			if g := b.group(v.Channel); g != nil {
				b.handle(g, v.Payload)
			}
		}
	}
	b.subMu.Lock()
	b.groupsMu.Lock()
	groups := b.groups
	b.groups = map[string]*redisGroup{}
	b.groupsMu.Unlock()
	b.subMu.Unlock()
	for _, g := range groups {
		g.close(ErrClosed)
	}
}

// sync sets the group's starting point on its first confirmation and fills
// any gap on later ones: messages published while the connection was down
// never reached pub/sub, and may be the last ones for a long while.
func (b *RedisBroker) sync(g *redisGroup) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	g.mu.Lock()
	initialized, failed := g.initialized, g.err != nil
	g.mu.Unlock()
	if failed {
		return
	}
	if initialized {
		b.catchUp(ctx, g)
		return
	}
	last, err := b.LastSeq(ctx, g.channel)
	if err != nil {
		b.drop(g, fmt.Errorf("%w: %v", ErrMissedMessages, err))
		g.markReady()
		return
	}
	g.mu.Lock()
	g.last, g.initialized = last, true
	g.mu.Unlock()
	g.markReady()
}

func (b *RedisBroker) handle(g *redisGroup, payload string) {
	if payload == deletedPayload {
		b.drop(g, ErrChannelDeleted)
		return
	}
	m, err := decodeWire(payload)
	if err != nil {
		b.opts.Logger.Warn("realtime: bad message on pub/sub", "channel", g.channel, "err", err)
		return // the next message's seq shows the gap, which is then filled
	}
	g.mu.Lock()
	last, live := g.last, g.initialized && g.err == nil
	g.mu.Unlock()
	if !live || m.Seq <= last {
		return // before our starting point, or already delivered by a catch-up
	}
	if m.Seq > last+1 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		b.catchUp(ctx, g)
		return // the catch-up read m from the stream too
	}
	// TS is the publishing instance's clock: across hosts the lag is as
	// good as their clocks agree.
	b.opts.Metrics.BrokerLag("redis", b.opts.Now().Sub(m.TS))
	b.deliver(g, m)
}

// catchUp delivers what the stream holds after the group's position. When the
// stream cannot provide it, the subscribers are closed: a visible end beats a
// silent gap.
func (b *RedisBroker) catchUp(ctx context.Context, g *redisGroup) {
	g.mu.Lock()
	last := g.last
	g.mu.Unlock()
	msgs, ok, err := b.replayRetrying(ctx, g.channel, last)
	switch {
	case err != nil:
		b.drop(g, fmt.Errorf("%w: %v", ErrMissedMessages, err))
		return
	case !ok:
		b.drop(g, ErrMissedMessages)
		return
	}
	if len(msgs) > 0 {
		b.opts.Logger.Debug("realtime: filled gap from stream", "channel", g.channel, "after", last, "count", len(msgs))
	}
	for _, m := range msgs {
		b.deliver(g, m)
	}
}

// catchUpRetry is how long a catch-up keeps trying when Redis errs. Right
// after Redis comes back, pub/sub may be up while the command pool still
// answers with the dial error it remembers; closing every subscriber for
// that would send every client through a resume for nothing.
const catchUpRetry = 5 * time.Second

// replayRetrying is Replay, tried again on errors for up to catchUpRetry.
// An answer that the window cannot serve is final.
func (b *RedisBroker) replayRetrying(ctx context.Context, channel string, after int64) ([]Message, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, catchUpRetry)
	defer cancel()
	wait := 50 * time.Millisecond
	for {
		msgs, ok, err := b.Replay(ctx, channel, after)
		if err == nil || errors.Is(err, ErrClosed) {
			return msgs, ok, err
		}
		select {
		case <-ctx.Done():
			return nil, false, err
		case <-time.After(wait):
			wait = min(2*wait, 500*time.Millisecond)
		}
	}
}

func (b *RedisBroker) deliver(g *redisGroup, m Message) {
	g.mu.Lock()
	for s := range g.subs {
		if !s.deliver(m) {
			delete(g.subs, s)
		}
	}
	g.last = m.Seq
	empty := len(g.subs) == 0
	g.mu.Unlock()
	if empty {
		b.forget(g)
	}
}

// drop closes the group's subscribers with err and forgets the group, so the
// next Subscribe starts afresh.
func (b *RedisBroker) drop(g *redisGroup, err error) {
	if !errors.Is(err, ErrChannelDeleted) {
		b.opts.Logger.Warn("realtime: closing subscriptions", "channel", g.channel, "err", err)
	}
	g.close(err)
	b.forget(g)
}

func (b *RedisBroker) forget(g *redisGroup) {
	b.subMu.Lock()
	defer b.subMu.Unlock()
	g.mu.Lock()
	empty := len(g.subs) == 0
	g.mu.Unlock()
	topic := b.topic(g.channel)
	if !empty || b.groups[topic] != g {
		return
	}
	b.setGroup(topic, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = b.ps.Unsubscribe(ctx, topic)
}

func (g *redisGroup) markReady() { g.readyOnce.Do(func() { close(g.ready) }) }

// failed returns why the group was closed, nil while it is usable.
func (g *redisGroup) failed() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.err
}

func (g *redisGroup) close(err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.err == nil {
		g.err = err
	}
	for s := range g.subs {
		s.finish(err)
	}
	clear(g.subs)
	g.markReady() // wakes a Subscribe still waiting, which then sees err
}

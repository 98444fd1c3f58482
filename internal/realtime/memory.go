package realtime

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"
)

// MemoryBroker is the in-process Broker, the default when no Redis is
// configured. It keeps everything in memory, so channels die with the process
// and a channel lives until DeleteChannel.
type MemoryBroker struct {
	opts BrokerOpts

	mu       sync.Mutex // guards closed and the channels map, not the channels
	closed   bool
	channels map[string]*memChannel
}

var _ Broker = (*MemoryBroker)(nil)

// memChannel is one channel's data; its own mutex serialises publishes, which
// is what makes seq strictly +1 and fan-out ordered.
type memChannel struct {
	mu       sync.Mutex
	deleted  bool // set when DeleteChannel orphaned this value
	seq      int64
	log      msgLog
	subs     map[*subscriber]struct{}
	state    State
	presence map[string]Presence
}

func newMemChannel() *memChannel {
	return &memChannel{
		subs:     map[*subscriber]struct{}{},
		state:    emptyState(),
		presence: map[string]Presence{},
	}
}

// NewMemoryBroker returns an empty in-process broker.
func NewMemoryBroker(opts BrokerOpts) *MemoryBroker {
	return &MemoryBroker{opts: opts.withDefaults(), channels: map[string]*memChannel{}}
}

// with runs fn on the named channel with the channel locked. Reads of a
// channel that does not exist get a fresh empty one that is not kept, so
// probing unknown channels allocates nothing lasting.
func (b *MemoryBroker) with(ctx context.Context, name string, create bool, fn func(*memChannel) error) error {
	if err := validateChannel(name); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for {
		b.mu.Lock()
		if b.closed {
			b.mu.Unlock()
			return ErrClosed
		}
		ch := b.channels[name]
		if ch == nil {
			ch = newMemChannel()
			if create {
				b.channels[name] = ch
			}
		}
		b.mu.Unlock()

		ch.mu.Lock()
		if ch.deleted {
			// DeleteChannel won the race; use the channel's next life.
			ch.mu.Unlock()
			continue
		}
		err := fn(ch)
		ch.mu.Unlock()
		return err
	}
}

// Publish implements Broker.
func (b *MemoryBroker) Publish(ctx context.Context, channel string, m Message) (Message, error) {
	m, err := prepareMessage(channel, m)
	if err != nil {
		return Message{}, err
	}
	err = b.with(ctx, channel, true, func(ch *memChannel) error {
		m.TS = b.opts.Now().UTC()
		ch.seq = nextSeq(ch.seq, 0, m.TS)
		m.Seq = ch.seq
		ch.log.append(m)
		ch.log.trim(b.opts.WindowSize, m.TS.Add(-b.opts.WindowAge))
		for s := range ch.subs {
			if !s.deliver(m) {
				delete(ch.subs, s)
			}
		}
		return nil
	})
	if err != nil {
		return Message{}, fmt.Errorf("realtime: publish: %w", err)
	}
	return m, nil
}

// Subscribe implements Broker.
func (b *MemoryBroker) Subscribe(ctx context.Context, channel string) (Subscription, error) {
	var sub *subscriber
	err := b.with(ctx, channel, true, func(ch *memChannel) error {
		sub = newSubscriber(b.opts.SubscriberBuffer, func(s *subscriber) {
			ch.mu.Lock()
			delete(ch.subs, s)
			ch.mu.Unlock()
		})
		ch.subs[sub] = struct{}{}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("realtime: subscribe: %w", err)
	}
	sub.watch(ctx)
	return sub, nil
}

// Replay implements Broker.
func (b *MemoryBroker) Replay(ctx context.Context, channel string, after int64) ([]Message, bool, error) {
	var (
		msgs []Message
		ok   bool
	)
	err := b.with(ctx, channel, false, func(ch *memChannel) error {
		ch.log.trim(b.opts.WindowSize, b.opts.Now().Add(-b.opts.WindowAge))
		if from, inEpoch := replayStart(after, ch.seq); inEpoch {
			msgs, ok = ch.log.after(from, ch.seq)
		}
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("realtime: replay: %w", err)
	}
	return msgs, ok, nil
}

// LastSeq implements Broker.
func (b *MemoryBroker) LastSeq(ctx context.Context, channel string) (int64, error) {
	var seq int64
	err := b.with(ctx, channel, false, func(ch *memChannel) error {
		seq = ch.seq
		return nil
	})
	return seq, err
}

// State implements Broker.
func (b *MemoryBroker) State(ctx context.Context, channel string) (State, error) {
	var st State
	err := b.with(ctx, channel, false, func(ch *memChannel) error {
		st = ch.state
		return nil
	})
	return st, err
}

// UpdateState implements Broker.
func (b *MemoryBroker) UpdateState(ctx context.Context, channel string, baseVersion int64, patch json.RawMessage) (State, error) {
	var st State
	err := b.with(ctx, channel, true, func(ch *memChannel) error {
		st = ch.state
		if baseVersion != ch.state.Version {
			return fmt.Errorf("%w: base %d, current %d", ErrStaleState, baseVersion, ch.state.Version)
		}
		data, err := applyMergePatch(ch.state.Data, patch, b.opts.MaxStateBytes)
		if err != nil {
			return err
		}
		// Millisecond precision, as Redis stores it, so both brokers agree.
		ch.state = State{Version: ch.state.Version + 1, Data: data, UpdatedAt: b.opts.Now().UTC().Truncate(time.Millisecond)}
		st = ch.state
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("realtime: update state: %w", err)
	}
	return st, nil
}

// Join implements Broker.
func (b *MemoryBroker) Join(ctx context.Context, channel string, p Presence, ttl time.Duration) error {
	if err := validatePresence(channel, p, ttl); err != nil {
		return err
	}
	return b.with(ctx, channel, true, func(ch *memChannel) error {
		p.ExpiresAt = b.opts.Now().Add(ttl).UTC().Truncate(time.Millisecond)
		ch.presence[p.key()] = p
		return nil
	})
}

// Leave implements Broker.
func (b *MemoryBroker) Leave(ctx context.Context, channel string, p Presence) error {
	return b.with(ctx, channel, false, func(ch *memChannel) error {
		delete(ch.presence, p.key())
		return nil
	})
}

// Present implements Broker.
func (b *MemoryBroker) Present(ctx context.Context, channel string) ([]Presence, error) {
	var out []Presence
	err := b.with(ctx, channel, false, func(ch *memChannel) error {
		now := b.opts.Now()
		maps.DeleteFunc(ch.presence, func(_ string, p Presence) bool { return !p.ExpiresAt.After(now) })
		out = slices.Collect(maps.Values(ch.presence))
		return nil
	})
	sortPresence(out)
	return out, err
}

// Health implements Broker: an in-process broker is healthy until closed.
func (b *MemoryBroker) Health(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrClosed
	}
	return ctx.Err()
}

// DeleteChannel implements Broker.
func (b *MemoryBroker) DeleteChannel(ctx context.Context, channel string) error {
	if err := validateChannel(channel); err != nil {
		return err
	}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return ErrClosed
	}
	ch := b.channels[channel]
	delete(b.channels, channel)
	b.mu.Unlock()
	if ch != nil {
		ch.shutdown(ErrChannelDeleted)
	}
	return nil
}

// Close implements Broker.
func (b *MemoryBroker) Close() error {
	b.mu.Lock()
	chans := b.channels
	b.channels, b.closed = nil, true
	b.mu.Unlock()
	for _, ch := range chans {
		ch.shutdown(ErrClosed)
	}
	return nil
}

func (ch *memChannel) shutdown(reason error) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	ch.deleted = true
	for s := range ch.subs {
		s.finish(reason)
	}
	clear(ch.subs)
}

// msgLog is the replay window: messages in seq order. Dropping from the front
// advances start instead of copying, and the slice is compacted once half of
// it is dead, so appending and trimming stay O(1) amortised.
type msgLog struct {
	msgs  []Message
	start int
}

func (l *msgLog) append(m Message) { l.msgs = append(l.msgs, m) }

// trim drops messages beyond the newest maxLen and those older than cutoff.
func (l *msgLog) trim(maxLen int, cutoff time.Time) {
	for l.start < len(l.msgs) && (len(l.msgs)-l.start > maxLen || l.msgs[l.start].TS.Before(cutoff)) {
		l.msgs[l.start] = Message{} // let the data be collected
		l.start++
	}
	if l.start > 32 && l.start > len(l.msgs)/2 {
		l.msgs = append([]Message(nil), l.msgs[l.start:]...)
		l.start = 0
	}
}

// after returns copies of the messages with seq > after, and whether they
// are all still there (last is the channel's latest seq).
func (l *msgLog) after(after, last int64) ([]Message, bool) {
	if after >= last {
		return nil, after == last
	}
	live := l.msgs[l.start:]
	// Seqs rise but jump at a new epoch, so the position is searched for.
	i, _ := slices.BinarySearchFunc(live, after+1, func(m Message, seq int64) int { return cmp.Compare(m.Seq, seq) })
	if i == len(live) || live[i].Seq != after+1 {
		return nil, false
	}
	return slices.Clone(live[i:]), true
}

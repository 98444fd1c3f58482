package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisBrokerOpts configures a RedisBroker.
type RedisBrokerOpts struct {
	BrokerOpts
	// KeyPrefix starts every key and pub/sub topic (default "gmc:rt:").
	// Instances that share channels must use the same prefix.
	KeyPrefix string
	// IdleTTL removes a channel's keys after this long without writes, so a
	// session that was never ended does not stay in Redis forever
	// (default 24 hours).
	IdleTTL time.Duration
}

// RedisBroker is the Broker for several gmc instances sharing Redis 7.
//
// Each channel is a stream (the replay window, entries carry the seq), a hash
// with the seq counter, a state hash and two presence keys; a Lua script
// assigns the seq, appends to the stream and publishes in one step; concurrent
// publishes share round trips, pipelined by a few publisher goroutines. One pub/sub
// connection per broker feeds all local subscribers; when it is lost, go-redis
// reconnects and resubscribes, and the broker fills what was missed meanwhile
// from the stream, so subscribers never see a silent gap (or are closed with
// ErrMissedMessages when the window no longer holds the missed messages).
// Publish fails while Redis is unreachable.
type RedisBroker struct {
	rdb  redis.UniversalClient
	opts RedisBrokerOpts

	ps     *redis.PubSub
	done   chan struct{} // closed when the pub/sub loop has ended
	closed atomic.Bool

	pubq    chan *pubReq  // publishes waiting for a pipeline
	pubStop chan struct{} // closed by Close: publishers finish and end
	pubDone chan struct{} // closed when every publisher has ended

	subMu    sync.Mutex   // orders SUBSCRIBE/UNSUBSCRIBE with changes to groups
	groupsMu sync.RWMutex // guards groups; changed only while subMu is held too
	groups   map[string]*redisGroup

	publishedMu sync.Mutex
	published   map[string]int64 // channel -> highest seq this instance published
}

var _ Broker = (*RedisBroker)(nil)

// NewRedisBroker returns a broker on rdb, which it uses but does not close. It
// fails when Redis cannot be reached, so a misconfiguration shows at start.
func NewRedisBroker(ctx context.Context, rdb redis.UniversalClient, opts RedisBrokerOpts) (*RedisBroker, error) {
	opts.BrokerOpts = opts.BrokerOpts.withDefaults()
	if opts.KeyPrefix == "" {
		opts.KeyPrefix = "gmc:rt:"
	}
	if opts.IdleTTL <= 0 {
		opts.IdleTTL = 24 * time.Hour
	}
	if err := rdb.Ping(ctx).Err(); err != nil {
		return nil, fmt.Errorf("realtime: redis: %w", err)
	}
	b := &RedisBroker{
		rdb:       rdb,
		opts:      opts,
		ps:        rdb.Subscribe(ctx),
		done:      make(chan struct{}),
		groups:    map[string]*redisGroup{},
		published: map[string]int64{},
		pubq:      make(chan *pubReq, 4096),
		pubStop:   make(chan struct{}),
		pubDone:   make(chan struct{}),
	}
	var publishers sync.WaitGroup
	for range publishPipelines {
		publishers.Go(b.publisher)
	}
	go func() {
		publishers.Wait()
		close(b.pubDone)
	}()
	// A buffer well above one channel's burst keeps go-redis from ever
	// dropping a message because this loop is busy filling a gap.
	go b.run(b.ps.ChannelWithSubscriptions(redis.WithChannelSize(1024)))
	return b, nil
}

func (b *RedisBroker) keys(channel string) []string {
	base := b.opts.KeyPrefix + "{" + channel + "}:"
	return []string{base + "meta", base + "log", base + "state", base + "pres", base + "presinfo"}
}

func (b *RedisBroker) topic(channel string) string {
	return b.opts.KeyPrefix + "{" + channel + "}:pub"
}

func (b *RedisBroker) ttlMillis() int64 { return b.opts.IdleTTL.Milliseconds() }

func (b *RedisBroker) check(ctx context.Context, channel string) error {
	if b.closed.Load() {
		return ErrClosed
	}
	if err := validateChannel(channel); err != nil {
		return err
	}
	return ctx.Err()
}

// Publish implements Broker.
func (b *RedisBroker) Publish(ctx context.Context, channel string, m Message) (Message, error) {
	m, err := prepareMessage(channel, m)
	if err != nil {
		return Message{}, err
	}
	if err := b.check(ctx, channel); err != nil {
		return Message{}, err
	}
	m.TS = b.opts.Now().UTC()
	payload, err := encodeWire(m)
	if err != nil {
		return Message{}, fmt.Errorf("realtime: publish: %w", err)
	}
	minID := m.TS.Add(-b.opts.WindowAge).UnixMilli()
	seq, err := b.publish(ctx, b.keys(channel), b.topic(channel), payload,
		m.TS.UnixMilli(), b.opts.WindowSize, max(minID, 0), b.ttlMillis(), b.knownSeq(channel))
	if err != nil {
		return Message{}, fmt.Errorf("realtime: publish: %w", err)
	}
	m.Seq = seq
	b.notePublished(channel, seq)
	return m, nil
}

// Replay implements Broker. The stream is trimmed approximately (cheaper for
// Redis), so the exact window of WindowSize messages and WindowAge is applied
// here: both brokers answer the same for the same history.
func (b *RedisBroker) Replay(ctx context.Context, channel string, after int64) ([]Message, bool, error) {
	if err := b.check(ctx, channel); err != nil {
		return nil, false, err
	}
	raw, err := replayScript.Run(ctx, b.rdb, b.keys(channel), after, b.opts.WindowSize).Slice()
	if err != nil {
		return nil, false, fmt.Errorf("realtime: replay: %w", err)
	}
	if len(raw) < 3 {
		return nil, false, fmt.Errorf("realtime: replay: unexpected reply %v", raw)
	}
	last, err1 := toInt64(raw[0])
	from, err2 := toInt64(raw[1])
	flag, err3 := toInt64(raw[2])
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, false, err
	}
	if flag == 0 || len(raw) < 4 {
		return nil, false, nil
	}
	entries, _ := raw[3].([]any)
	msgs, err := parseEntries(entries)
	if err != nil {
		return nil, false, err
	}
	if int64(len(msgs)) != last-from {
		return nil, false, nil // trimmed already
	}
	for i, m := range msgs {
		if m.Seq != from+int64(i)+1 {
			return nil, false, fmt.Errorf("realtime: replay: stream of %q has seq %d at position %d", channel, m.Seq, i)
		}
	}
	cutoff := b.opts.Now().Add(-b.opts.WindowAge)
	if len(msgs) > 0 && msgs[0].TS.Before(cutoff) {
		return nil, false, nil
	}
	return msgs, true, nil
}

// LastSeq implements Broker.
func (b *RedisBroker) LastSeq(ctx context.Context, channel string) (int64, error) {
	if err := b.check(ctx, channel); err != nil {
		return 0, err
	}
	seq, err := b.rdb.HGet(ctx, b.keys(channel)[keyMeta-1], "seq").Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("realtime: last seq: %w", err)
	}
	return seq, nil
}

// State implements Broker.
func (b *RedisBroker) State(ctx context.Context, channel string) (State, error) {
	if err := b.check(ctx, channel); err != nil {
		return State{}, err
	}
	vals, err := b.rdb.HMGet(ctx, b.keys(channel)[keyState-1], "v", "d", "t").Result()
	if err != nil {
		return State{}, fmt.Errorf("realtime: state: %w", err)
	}
	if vals[0] == nil {
		return emptyState(), nil
	}
	_, st, err := parseState([]any{int64(1), vals[0], vals[1], vals[2]})
	return st, err
}

// UpdateState implements Broker. The patch is applied in Go to the state read
// first, then written with a compare-and-set on the version, so a concurrent
// update in between makes this one stale rather than lost.
func (b *RedisBroker) UpdateState(ctx context.Context, channel string, baseVersion int64, patch json.RawMessage) (State, error) {
	cur, err := b.State(ctx, channel)
	if err != nil {
		return State{}, err
	}
	if cur.Version != baseVersion {
		return cur, fmt.Errorf("realtime: update state: %w: base %d, current %d", ErrStaleState, baseVersion, cur.Version)
	}
	data, err := applyMergePatch(cur.Data, patch, b.opts.MaxStateBytes)
	if err != nil {
		return cur, fmt.Errorf("realtime: update state: %w", err)
	}
	now := b.opts.Now().UTC()
	raw, err := casStateScript.Run(ctx, b.rdb, b.keys(channel), baseVersion, string(data), now.UnixMilli(), b.ttlMillis()).Slice()
	if err != nil {
		return State{}, fmt.Errorf("realtime: update state: %w", err)
	}
	ok, st, err := parseState(raw)
	if err != nil {
		return State{}, err
	}
	if !ok {
		return st, fmt.Errorf("realtime: update state: %w: base %d, current %d", ErrStaleState, baseVersion, st.Version)
	}
	return st, nil
}

// Join implements Broker.
func (b *RedisBroker) Join(ctx context.Context, channel string, p Presence, ttl time.Duration) error {
	if err := validatePresence(channel, p, ttl); err != nil {
		return err
	}
	if err := b.check(ctx, channel); err != nil {
		return err
	}
	p.ExpiresAt = b.opts.Now().Add(ttl).UTC().Truncate(time.Millisecond)
	js, err := json.Marshal(p)
	if err != nil {
		return err
	}
	err = joinScript.Run(ctx, b.rdb, b.keys(channel), p.key(), p.ExpiresAt.UnixMilli(), string(js), b.ttlMillis()).Err()
	if err != nil {
		return fmt.Errorf("realtime: join: %w", err)
	}
	return nil
}

// Leave implements Broker.
func (b *RedisBroker) Leave(ctx context.Context, channel string, p Presence) error {
	if err := b.check(ctx, channel); err != nil {
		return err
	}
	if err := leaveScript.Run(ctx, b.rdb, b.keys(channel), p.key()).Err(); err != nil {
		return fmt.Errorf("realtime: leave: %w", err)
	}
	return nil
}

// Present implements Broker.
func (b *RedisBroker) Present(ctx context.Context, channel string) ([]Presence, error) {
	if err := b.check(ctx, channel); err != nil {
		return nil, err
	}
	now := strconv.FormatInt(b.opts.Now().UnixMilli(), 10)
	raw, err := presentScript.Run(ctx, b.rdb, b.keys(channel), now).Slice()
	if err != nil {
		return nil, fmt.Errorf("realtime: present: %w", err)
	}
	out := make([]Presence, 0, len(raw))
	for _, r := range raw {
		s, ok := r.(string)
		if !ok {
			continue // left between the two reads of the script
		}
		var p Presence
		if err := json.Unmarshal([]byte(s), &p); err != nil {
			return nil, fmt.Errorf("realtime: present: %w", err)
		}
		out = append(out, p)
	}
	sortPresence(out)
	return out, nil
}

// Health implements Broker.
func (b *RedisBroker) Health(ctx context.Context) error {
	if b.closed.Load() {
		return ErrClosed
	}
	if err := b.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("realtime: redis unreachable: %w", err)
	}
	return nil
}

// DeleteChannel implements Broker. Subscribers on every instance are closed
// with ErrChannelDeleted when the notice reaches them over pub/sub.
func (b *RedisBroker) DeleteChannel(ctx context.Context, channel string) error {
	if err := b.check(ctx, channel); err != nil {
		return err
	}
	if err := deleteScript.Run(ctx, b.rdb, b.keys(channel), b.topic(channel)).Err(); err != nil {
		return fmt.Errorf("realtime: delete channel: %w", err)
	}
	b.publishedMu.Lock()
	delete(b.published, channel)
	b.publishedMu.Unlock()
	return nil
}

// Close implements Broker. It leaves the Redis client open: the caller owns it.
func (b *RedisBroker) Close() error {
	if b.closed.Swap(true) {
		return nil
	}
	close(b.pubStop)
	<-b.pubDone
	err := b.ps.Close()
	<-b.done
	return err
}

// knownSeq is the highest seq this instance has published or delivered on
// the channel, 0 when it has not seen it. It is the floor of a new epoch: when
// Redis forgot the channel, the first seq after the restart still rises above
// what this instance's clients have seen, whatever the clocks say.
func (b *RedisBroker) knownSeq(channel string) int64 {
	b.publishedMu.Lock()
	known := b.published[channel]
	b.publishedMu.Unlock()
	if g := b.group(b.topic(channel)); g != nil {
		g.mu.Lock()
		known = max(known, g.last)
		g.mu.Unlock()
	}
	return known
}

func (b *RedisBroker) notePublished(channel string, seq int64) {
	b.publishedMu.Lock()
	defer b.publishedMu.Unlock()
	b.published[channel] = max(b.published[channel], seq)
}

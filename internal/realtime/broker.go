// Package realtime carries a live game session's messages between the server and
// the people at the table.
//
// One channel exists per game session id. A Broker gives every message of a
// channel the next sequence number, keeps the recent ones in a replay window so a
// client that reconnects can catch up, fans them out to subscribers, and holds the
// session's shared state (scene, initiative, round, notes) and presence. The
// in-process MemoryBroker is the default; RedisBroker lets several gmc instances
// behind a load balancer share channels. The Hub speaks the WebSocket protocol of
// API.md on top of a Broker and routes GM-only content away from players.
package realtime

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/gmc-project/gmc/internal/metrics"
)

// Roles a member holds inside a campaign. They mirror the campaign membership
// roles of the API; the realtime layer only uses them to route messages.
const (
	RoleGM       = "gm"
	RolePlayer   = "player"
	RoleObserver = "observer"
)

// Sentinel errors of the realtime layer. Errors returned by brokers and the hub
// wrap these, so callers test with errors.Is.
var (
	// ErrInvalid reports a bad argument: an empty or malformed channel name, a
	// message without a type, data that is not JSON, a presence without a user.
	ErrInvalid = errors.New("realtime: invalid argument")
	// ErrClosed reports use of a broker or hub after Close.
	ErrClosed = errors.New("realtime: closed")
	// ErrSlowSubscriber is the reason a subscription was closed because it did
	// not keep up with its channel; the subscriber should resume from Replay.
	ErrSlowSubscriber = errors.New("realtime: subscriber fell behind")
	// ErrMissedMessages is the reason a subscription was closed because messages
	// could not be recovered after a lost connection to the broker's backend;
	// the subscriber should start over from a fresh snapshot.
	ErrMissedMessages = errors.New("realtime: messages missed")
	// ErrChannelDeleted is the reason a subscription was closed by DeleteChannel.
	ErrChannelDeleted = errors.New("realtime: channel deleted")
	// ErrStaleState is returned by UpdateState when the base version is not the
	// current one; the current state is returned with it.
	ErrStaleState = errors.New("realtime: stale state version")
	// ErrInvalidPatch is returned by UpdateState for a patch that is not a JSON
	// object or that would make the state larger than allowed.
	ErrInvalidPatch = errors.New("realtime: invalid state patch")
)

// Audience limits who may receive a Message. The zero Audience means everyone.
type Audience struct {
	// Roles, when set, restricts the message to members holding one of them.
	Roles []string `json:"roles,omitempty"`
	// UserIDs, when set, makes the message a whisper to exactly these users.
	UserIDs []string `json:"user_ids,omitempty"`
}

// Everyone reports whether the audience is unrestricted.
func (a Audience) Everyone() bool { return len(a.Roles) == 0 && len(a.UserIDs) == 0 }

// Allows reports whether a member with this user id and role may receive a
// message meant for a. GMs receive everything: they referee the table, so a
// whisper or a role-restricted message is never hidden from them.
func (a Audience) Allows(userID, role string) bool {
	return a.Everyone() || role == RoleGM ||
		slices.Contains(a.Roles, role) || slices.Contains(a.UserIDs, userID)
}

// Message is one event on a channel. Seq and TS are assigned by Broker.Publish.
// Data is shared between subscribers and must not be modified after Publish.
type Message struct {
	Type string          `json:"type"`
	Seq  int64           `json:"seq"`
	TS   time.Time       `json:"ts"`
	Data json.RawMessage `json:"data"`
	// Audience travels through the broker with the message but is never sent
	// to clients: the Hub uses it to decide who receives the message.
	Audience Audience `json:"-"`
}

// State is a channel's shared session state: a JSON object (scene, initiative,
// round, notes…) and a version that rises by one with every update.
type State struct {
	Version   int64           `json:"version"`
	Data      json.RawMessage `json:"data"`
	UpdatedAt time.Time       `json:"updated_at,omitzero"`
}

// Presence says that someone is connected to a channel. One entry exists per
// connection (ConnID), so a user with two open tabs stays present until both go.
type Presence struct {
	UserID      string `json:"user_id"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role"`
	// ConnID identifies the connection; when empty the UserID is used instead.
	ConnID string `json:"conn_id,omitempty"`
	// ExpiresAt is set by the broker from the ttl given to Join.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

func (p Presence) key() string {
	if p.ConnID != "" {
		return p.ConnID
	}
	return p.UserID
}

// Subscription receives a channel's messages in seq order, without gaps, from
// the first message published after Subscribe returned. Its buffer is bounded:
// a subscriber that falls behind has C closed and Err reporting
// ErrSlowSubscriber, instead of slowing the publisher down.
type Subscription interface {
	// C delivers the messages; it is closed when the subscription ends.
	C() <-chan Message
	// Err says why C was closed: nil after Close, ErrSlowSubscriber,
	// ErrMissedMessages, ErrChannelDeleted, ErrClosed, or the cause of the
	// context given to Subscribe.
	Err() error
	// Close ends the subscription. It is safe to call more than once.
	Close() error
}

// Broker stores and distributes the messages, shared state and presence of
// session channels. Every method is safe for concurrent use.
type Broker interface {
	// Publish gives m the channel's next seq (strictly one more than the last,
	// agreed by every instance sharing the backend) and the current time,
	// stores it in the replay window, fans it out, and returns it. It returns
	// only after the message is in the window. Errors: ErrInvalid, ErrClosed,
	// or the backend's error (the caller then reports the service as degraded).
	Publish(ctx context.Context, channel string, m Message) (Message, error)
	// Subscribe starts receiving the channel's messages until the returned
	// Subscription is closed or ctx ends.
	Subscribe(ctx context.Context, channel string) (Subscription, error)
	// Replay returns the messages with seq > after, in order. ok is false when
	// some of them are no longer in the window (or after is beyond the last
	// seq); the caller then starts over from a fresh snapshot.
	Replay(ctx context.Context, channel string, after int64) (msgs []Message, ok bool, err error)
	// LastSeq returns the seq of the channel's latest message, 0 for none.
	LastSeq(ctx context.Context, channel string) (int64, error)
	// State returns the channel's shared state; a new channel has version 0
	// and an empty object.
	State(ctx context.Context, channel string) (State, error)
	// UpdateState applies patch (a JSON merge patch, RFC 7396, that must be an
	// object) if the state is still at baseVersion and returns the new state.
	// With a stale baseVersion it returns the current state and ErrStaleState.
	UpdateState(ctx context.Context, channel string, baseVersion int64, patch json.RawMessage) (State, error)
	// Join marks p present for ttl; calling it again is the heartbeat.
	Join(ctx context.Context, channel string, p Presence, ttl time.Duration) error
	// Leave removes p's connection from the channel's presence.
	Leave(ctx context.Context, channel string, p Presence) error
	// Present lists the unexpired presence entries, ordered by user id.
	Present(ctx context.Context, channel string) ([]Presence, error)
	// Health returns nil when the broker can serve, an error when degraded.
	Health(ctx context.Context) error
	// DeleteChannel forgets everything about a channel when its session ends
	// and closes its subscriptions with ErrChannelDeleted.
	DeleteChannel(ctx context.Context, channel string) error
	// Close releases the broker and closes its subscriptions with ErrClosed.
	Close() error
}

// BrokerOpts configures both Broker implementations. The zero value is usable.
type BrokerOpts struct {
	// WindowSize is how many recent messages per channel Replay can return
	// (default 1000).
	WindowSize int
	// WindowAge is how long a message stays replayable (default 10 minutes).
	WindowAge time.Duration
	// SubscriberBuffer bounds each subscription's queue (default 256).
	SubscriberBuffer int
	// MaxStateBytes bounds the encoded shared state (default 256 KiB).
	MaxStateBytes int
	// Now is the clock used for message times, the window and presence
	// expiry (default time.Now).
	Now func() time.Time
	// Logger receives diagnostics (default: discard).
	Logger *slog.Logger
	// Metrics records how late messages arrive from the broker; nil
	// records nothing.
	Metrics *metrics.Metrics
}

func (o BrokerOpts) withDefaults() BrokerOpts {
	if o.WindowSize <= 0 {
		o.WindowSize = 1000
	}
	if o.WindowAge <= 0 {
		o.WindowAge = 10 * time.Minute
	}
	if o.SubscriberBuffer <= 0 {
		o.SubscriberBuffer = 256
	}
	if o.MaxStateBytes <= 0 {
		o.MaxStateBytes = 256 << 10
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// validateChannel keeps channel names to what a session id can be, so they are
// safe inside Redis keys and hash tags.
func validateChannel(channel string) error {
	if channel == "" || len(channel) > 128 {
		return fmt.Errorf("%w: channel name must have 1 to 128 characters", ErrInvalid)
	}
	for _, r := range channel {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '-' || r == '_' || r == '.' || r == ':'
		if !ok {
			return fmt.Errorf("%w: channel name %q has character %q", ErrInvalid, channel, r)
		}
	}
	return nil
}

// prepareMessage validates m and copies what the caller could still change, so
// the published message is immutable. Data is compacted and empty audience
// lists become nil, so a message reads back the same from every broker.
func prepareMessage(channel string, m Message) (Message, error) {
	if err := validateChannel(channel); err != nil {
		return Message{}, err
	}
	if m.Type == "" {
		return Message{}, fmt.Errorf("%w: message type is empty", ErrInvalid)
	}
	if len(m.Data) == 0 {
		m.Data = json.RawMessage("null")
	} else {
		var buf bytes.Buffer
		if err := json.Compact(&buf, m.Data); err != nil {
			return Message{}, fmt.Errorf("%w: message data is not JSON: %v", ErrInvalid, err)
		}
		m.Data = buf.Bytes()
	}
	m.Audience = Audience{Roles: cloneOrNil(m.Audience.Roles), UserIDs: cloneOrNil(m.Audience.UserIDs)}
	return m, nil
}

func cloneOrNil(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

func validatePresence(channel string, p Presence, ttl time.Duration) error {
	if err := validateChannel(channel); err != nil {
		return err
	}
	if p.UserID == "" {
		return fmt.Errorf("%w: presence without user id", ErrInvalid)
	}
	if ttl <= 0 {
		return fmt.Errorf("%w: presence ttl must be positive", ErrInvalid)
	}
	return nil
}

// sortPresence gives both brokers the same order, so lists compare equal.
func sortPresence(ps []Presence) {
	slices.SortFunc(ps, func(a, b Presence) int {
		return cmp.Or(strings.Compare(a.UserID, b.UserID), strings.Compare(a.key(), b.key()))
	})
}

// SeqEpochSpan splits a seq into an epoch and a counter: seq = epoch ×
// SeqEpochSpan + counter, counter from 1. A channel starts an epoch when it
// has no messages in the broker: on its first message, after the broker lost
// its data (a Redis restarted empty), or when the counter is used up. The
// epoch is the Unix second the channel started it, and always above the
// epoch before it when that is known, so seq never goes backwards even when
// the broker forgets the channel. Within an epoch seq rises by one; a jump to
// a new epoch means the messages before it cannot be replayed. Seqs stay
// below 2^53, so JSON clients compare them as plain numbers.
const SeqEpochSpan = 1_000_000

// nextSeq returns the seq that follows last (0: the channel has none). floor
// is the highest seq the caller knows the channel had, so a new epoch starts
// above it even when the clock has not moved on.
func nextSeq(last, floor int64, now time.Time) int64 {
	if last > 0 && last%SeqEpochSpan != SeqEpochSpan-1 {
		return last + 1
	}
	epoch := max(now.Unix(), max(last, floor)/SeqEpochSpan+1)
	return epoch*SeqEpochSpan + 1
}

// replayStart turns Replay's after into the seq to replay from, given the
// channel's last seq: 0 or less means the start of the current epoch. ok is
// false when after is in an earlier epoch (those messages are gone) or
// beyond last.
func replayStart(after, last int64) (from int64, ok bool) {
	base := last - last%SeqEpochSpan
	switch {
	case after <= 0:
		return base, true
	case after > last, after < base:
		return 0, false
	}
	return after, true
}

// emptyState is what a channel's state is before its first update.
func emptyState() State { return State{Data: json.RawMessage("{}")} }

package realtime

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"
	"time"
)

// Presence goes to clients as changes, not as the member list: the list is
// in welcome, and each presence message says who arrived and who went.
// Sending the whole list on every join made a crowd quadratic (500 sockets
// opening together queued 250,000 frames and all fell behind), and one
// client reconnecting in a loop flooded everyone else.
//
// So each instance collects the joins and leaves of its own connections per
// channel and publishes them at most once per HubOpts.PresenceWindow. At the
// flush it reads the broker's presence once and compares, for each user whose
// connections changed here, "present at the last flush" with "present now":
// a burst of joins is one message, and a user who came and went (or went and
// came back) within the window is not mentioned at all. The broker's presence
// spans every instance, so a user who still has a tab open elsewhere does not
// "leave". Applying joined/left to a set is idempotent, so the rare duplicate
// (a user's second tab on another instance) is harmless.
//
// Ordering: a flush publishes what it read from the broker; a change recorded
// after that read arms another flush, so a client that applied a message
// computed from an older read is corrected within one more window.

// presenceChannel is one channel's pending presence changes on this hub.
// Only one flush of a channel runs at a time (armed stays true while it
// runs), so published messages follow the order of the reads they describe.
type presenceChannel struct {
	pending map[string]PresentUser // users whose local connections came or went
	armed   bool                   // a flush is scheduled or running
	known   map[string]struct{}    // users present at the last flush
}

// presenceChanged records that a connection of c's user came or went.
func (h *Hub) presenceChanged(c *conn) {
	h.presMu.Lock()
	defer h.presMu.Unlock()
	pc := h.presence[c.channel]
	if pc == nil {
		pc = &presenceChannel{known: map[string]struct{}{}}
		h.presence[c.channel] = pc
	}
	if pc.pending == nil {
		pc.pending = map[string]PresentUser{}
	}
	pc.pending[c.peer.UserID] = PresentUser{UserID: c.peer.UserID, DisplayName: c.peer.DisplayName, Role: c.peer.Role}
	if !pc.armed {
		pc.armed = true
		h.armFlushLocked(c.channel)
	}
}

func (h *Hub) armFlushLocked(channel string) {
	h.presFlushes.Add(1)
	time.AfterFunc(h.opts.PresenceWindow, func() {
		defer h.presFlushes.Done()
		h.flushPresence(channel)
	})
}

// flushPresence publishes the channel's pending changes as one message.
func (h *Hub) flushPresence(channel string) {
	h.presMu.Lock()
	pc := h.presence[channel]
	changed := pc.pending
	pc.pending = nil
	h.presMu.Unlock()

	now, err := h.publishDelta(channel, changed, pc.known)
	if err != nil {
		h.opts.Logger.Warn("realtime: publish presence", "channel", channel, "err", err)
	} else {
		pc.known = now
	}

	h.presMu.Lock()
	defer h.presMu.Unlock()
	if err != nil && !errors.Is(err, ErrClosed) {
		// Try again with the next window; later changes of the same users
		// replace these.
		pc.pending = mergePending(changed, pc.pending)
	}
	switch {
	case len(pc.pending) > 0 && !h.presClosed:
		h.armFlushLocked(channel)
	case h.hasLocalConns(channel):
		pc.pending, pc.armed = nil, false
	default:
		// Nobody here any more: forget the channel. If someone comes back,
		// their join is announced against an empty "known", which at worst
		// repeats a join other clients already saw.
		delete(h.presence, channel)
	}
}

// publishDelta reads who is present, publishes the changes of the users in
// changed (nothing when they cancel out), and returns the users present now.
func (h *Hub) publishDelta(channel string, changed map[string]PresentUser, known map[string]struct{}) (map[string]struct{}, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ps, err := h.opts.Broker.Present(ctx, channel)
	if err != nil {
		return nil, err
	}
	now := make(map[string]struct{}, len(ps))
	current := map[string]PresentUser{}
	for _, u := range presentUsers(ps) {
		now[u.UserID] = struct{}{}
		current[u.UserID] = u
	}
	data := PresenceData{Joined: []PresentUser{}, Left: []PresentUser{}}
	for id, u := range changed {
		_, was := known[id]
		_, is := now[id]
		switch {
		case is && !was:
			data.Joined = append(data.Joined, current[id])
		case was && !is:
			data.Left = append(data.Left, u)
		}
	}
	if len(data.Joined)+len(data.Left) == 0 {
		return now, nil
	}
	byUser := func(a, b PresentUser) int { return cmp.Compare(a.UserID, b.UserID) }
	slices.SortFunc(data.Joined, byUser)
	slices.SortFunc(data.Left, byUser)
	if _, err := h.opts.Broker.Publish(ctx, channel, Message{Type: TypePresence, Data: mustData(data)}); err != nil {
		return nil, err
	}
	return now, nil
}

func mergePending(older, newer map[string]PresentUser) map[string]PresentUser {
	if newer == nil {
		return older
	}
	out := maps.Clone(older)
	maps.Copy(out, newer)
	return out
}

func (h *Hub) hasLocalConns(channel string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.channels[channel] != nil
}

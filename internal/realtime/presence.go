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
// computed from an older read is corrected within one more window. A
// connection's join or leave reaches the broker before it is recorded here
// (a join even a welcome later), so a read may already show a change that no
// flush has taken yet. What clients were told about such a user must stay in
// "known" until the flush that takes the change, or that flush would compare
// against the read and stay silent: the user is "busy" from the start of the
// broker call until the change is recorded.

// presenceChannel is one channel's pending presence changes on this hub.
// Only one flush of a channel runs at a time (armed stays true while it
// runs), so published messages follow the order of the reads they describe.
type presenceChannel struct {
	pending map[string]PresentUser // users whose local connections came or went
	armed   bool                   // a flush is scheduled or running
	known   map[string]struct{}    // users present as clients were last told
	busy    map[string]int         // users with a join or leave under way here, not yet pending
}

// presenceChannelLocked returns channel's presence state, made on first use.
// The caller holds presMu.
func (h *Hub) presenceChannelLocked(channel string) *presenceChannel {
	pc := h.presence[channel]
	if pc == nil {
		pc = &presenceChannel{known: map[string]struct{}{}, busy: map[string]int{}}
		h.presence[channel] = pc
	}
	return pc
}

// presenceChanging marks c's user busy before its connection joins or
// leaves the broker's presence; presenceChanged ends it.
func (h *Hub) presenceChanging(c *conn) {
	h.presMu.Lock()
	defer h.presMu.Unlock()
	h.presenceChannelLocked(c.channel).busy[c.peer.UserID]++
}

// presenceChanged records that a connection of c's user came or went.
func (h *Hub) presenceChanged(c *conn) {
	h.presMu.Lock()
	defer h.presMu.Unlock()
	pc := h.presenceChannelLocked(c.channel)
	if n := pc.busy[c.peer.UserID]; n > 1 {
		pc.busy[c.peer.UserID] = n - 1
	} else {
		delete(pc.busy, c.peer.UserID)
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
	changed, known := pc.pending, maps.Clone(pc.known)
	pc.pending = nil
	h.presMu.Unlock()
	now, err := h.publishDelta(channel, changed, known)
	if err != nil {
		h.opts.Logger.Warn("realtime: publish presence", "channel", channel, "err", err)
	}

	h.presMu.Lock()
	defer h.presMu.Unlock()
	if err == nil {
		// Users whose change is under way or recorded since the read keep
		// what clients were told; the flush that takes the change compares
		// against it.
		for id := range mergePending(toUsers(pc.busy), pc.pending) {
			if _, taken := changed[id]; taken {
				continue
			}
			if _, was := known[id]; was {
				now[id] = struct{}{}
			} else {
				delete(now, id)
			}
		}
		pc.known = now
	}
	if err != nil && !errors.Is(err, ErrClosed) {
		// Try again with the next window; later changes of the same users
		// replace these.
		pc.pending = mergePending(changed, pc.pending)
	}
	switch {
	case len(pc.pending) > 0 && !h.presClosed:
		h.armFlushLocked(channel)
	case h.hasLocalConns(channel) || len(pc.busy) > 0:
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

// toUsers gives the users of busy as a set of pending changes.
func toUsers(busy map[string]int) map[string]PresentUser {
	out := make(map[string]PresentUser, len(busy))
	for id := range busy {
		out[id] = PresentUser{UserID: id}
	}
	return out
}

func (h *Hub) hasLocalConns(channel string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.channels[channel] != nil
}

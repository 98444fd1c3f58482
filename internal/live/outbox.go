package live

import (
	"context"
	"sync"
	"time"

	"github.com/gmc-project/gmc/internal/realtime"
)

// What the table publishes reports writes that have committed, and
// transcript segments and keyword alerts must reach every screen. When the
// broker cannot take a message (Redis is down), the writer is not failed:
// the message waits in the outbox and is published again, in order, once the
// broker is back. Clients whose replay window was lost meanwhile get a fresh
// welcome and read the database instead (package realtime).
const (
	outboxMax      = 10000 // messages kept while the broker is down, oldest dropped first
	outboxRetryMin = 100 * time.Millisecond
	outboxRetryMax = 2 * time.Second
	// outboxAttempt bounds one publish attempt; it outlasts the broker's
	// own timeout so that a failed attempt was not published after all
	// (which would show the message twice).
	outboxAttempt = 15 * time.Second
)

type pending struct {
	id        uint64
	sessionID string
	msg       realtime.Message
}

// outbox holds the messages not yet published, oldest first. While it is
// not empty every new message queues behind it, so a session's messages are
// published in the order they were sent.
type outbox struct {
	table *Table

	mu       sync.Mutex
	queue    []pending
	draining bool
	dropped  int
	lastID   uint64
}

// send publishes m now when nothing waits, else (or when that fails) queues
// it for the drain loop.
func (o *outbox) send(ctx context.Context, sessionID string, m realtime.Message) {
	o.mu.Lock()
	waiting := len(o.queue) > 0
	o.mu.Unlock()
	if !waiting {
		_, err := o.table.hub.Broadcast(ctx, sessionID, m)
		if err == nil {
			return
		}
		o.table.log.WarnContext(ctx, "live publish failed; will retry", "session_id", sessionID, "type", m.Type, "error", err.Error())
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.queue) >= outboxMax {
		o.queue[0] = pending{}
		o.queue = o.queue[1:]
		o.dropped++
	}
	o.lastID++
	o.queue = append(o.queue, pending{id: o.lastID, sessionID: sessionID, msg: m})
	if !o.draining {
		o.draining = true
		go o.drain()
	}
}

// drain publishes the queue's head until the queue is empty, backing off
// while the broker keeps failing.
func (o *outbox) drain() {
	wait := outboxRetryMin
	for {
		o.mu.Lock()
		if len(o.queue) == 0 {
			o.draining = false
			dropped := o.dropped
			o.dropped = 0
			o.mu.Unlock()
			if dropped > 0 {
				o.table.log.Error("live messages dropped while the broker was down; clients read them from the database", "count", dropped)
			}
			return
		}
		head := o.queue[0]
		o.mu.Unlock()

		ctx, cancel := context.WithTimeout(context.Background(), outboxAttempt)
		_, err := o.table.hub.Broadcast(ctx, head.sessionID, head.msg)
		cancel()
		if err != nil {
			time.Sleep(wait)
			wait = min(2*wait, outboxRetryMax)
			continue
		}
		wait = outboxRetryMin
		o.mu.Lock()
		// forget or the size bound may have dropped it meanwhile.
		if len(o.queue) > 0 && o.queue[0].id == head.id {
			o.queue[0] = pending{}
			o.queue = o.queue[1:]
		}
		o.mu.Unlock()
	}
}

// forget drops what waits for a session that has ended.
func (o *outbox) forget(sessionID string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	kept := o.queue[:0]
	for _, p := range o.queue {
		if p.sessionID != sessionID {
			kept = append(kept, p)
		}
	}
	clear(o.queue[len(kept):])
	o.queue = kept
}

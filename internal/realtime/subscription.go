package realtime

import (
	"context"
	"sync"
)

// subscriberChan is how many messages wait in a subscriber's channel; more,
// up to the subscriber's buffer, wait in its backlog. A channel holds its
// whole capacity from the start, and a session's subscription is mostly idle.
const subscriberChan = 16

// subscriber is the Subscription of both brokers: a bounded queue that the
// broker fills without ever blocking, closed with the reason it ended.
// Messages go straight into the channel while it has room; the rest wait in
// a backlog, allocated as it fills, that a goroutine started for it moves
// into the channel and that ends when the backlog is empty.
type subscriber struct {
	ch         chan Message
	unregister func(*subscriber)
	limit      int           // messages in the channel and the backlog together
	quit       chan struct{} // closed when the consumer is gone: the backlog is dropped

	mu        sync.Mutex
	backlog   []Message
	moving    bool // a mover runs; it closes ch if the subscriber closes meanwhile
	closed    bool
	abandoned bool
	err       error
	stop      func() bool // stops the context watcher
}

// newSubscriber returns a subscriber whose Close calls unregister, so the
// broker forgets it. Closes decided by the broker itself (finish) do not call
// unregister: the broker already holds its own locks then.
func newSubscriber(buffer int, unregister func(*subscriber)) *subscriber {
	return &subscriber{
		ch:         make(chan Message, min(buffer, subscriberChan)),
		unregister: unregister,
		limit:      buffer,
		quit:       make(chan struct{}),
	}
}

// watch ends the subscription when ctx ends, with the context's cause.
func (s *subscriber) watch(ctx context.Context) {
	stop := context.AfterFunc(ctx, func() {
		s.abandon()
		if s.finish(context.Cause(ctx)) {
			s.unregister(s)
		}
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		stop()
		return
	}
	s.stop = stop
}

// deliver queues m without blocking. It reports false when the subscriber is
// closed, including when this very message found the queue full.
func (s *subscriber) deliver(m Message) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	if len(s.backlog) == 0 {
		select {
		case s.ch <- m:
			return true
		default:
		}
	}
	if len(s.ch)+len(s.backlog) >= s.limit {
		s.closeLocked(ErrSlowSubscriber)
		return false
	}
	s.backlog = append(s.backlog, m)
	if !s.moving {
		s.moving = true
		go s.move()
	}
	return true
}

// move feeds the backlog into the channel in order. A message leaves the
// backlog only once it is in the channel, so deliver, which sends directly
// only when the backlog is empty, never overtakes it. After the broker closed
// the subscriber the backlog is still delivered (a session.ended may be in
// it), unless the consumer is gone.
func (s *subscriber) move() {
	for {
		s.mu.Lock()
		if s.abandoned || len(s.backlog) == 0 {
			s.backlog = nil
			s.moving = false
			if s.closed {
				close(s.ch)
			}
			s.mu.Unlock()
			return
		}
		m := s.backlog[0]
		s.mu.Unlock()
		select {
		case s.ch <- m:
			s.mu.Lock()
			s.backlog = dropFirst(s.backlog)
			s.mu.Unlock()
		case <-s.quit:
		}
	}
}

// finish closes the subscription with err and reports whether this call did.
func (s *subscriber) finish(err error) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.closeLocked(err)
	return true
}

func (s *subscriber) closeLocked(err error) {
	s.closed = true
	s.err = err
	if !s.moving {
		close(s.ch)
	}
	if s.stop != nil {
		s.stop()
	}
}

// abandon tells a running mover that nobody reads any more.
func (s *subscriber) abandon() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.abandoned {
		s.abandoned = true
		close(s.quit)
	}
}

// C implements Subscription.
func (s *subscriber) C() <-chan Message { return s.ch }

// Err implements Subscription.
func (s *subscriber) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close implements Subscription.
func (s *subscriber) Close() error {
	s.abandon()
	if s.finish(nil) {
		s.unregister(s)
	}
	return nil
}

package realtime

import (
	"context"
	"sync"
)

// subscriber is the Subscription of both brokers: a bounded queue that the
// broker fills without ever blocking, closed with the reason it ended.
type subscriber struct {
	ch         chan Message
	unregister func(*subscriber)

	mu     sync.Mutex
	closed bool
	err    error
	stop   func() bool // stops the context watcher
}

// newSubscriber returns a subscriber whose Close calls unregister, so the
// broker forgets it. Closes decided by the broker itself (finish) do not call
// unregister: the broker already holds its own locks then.
func newSubscriber(buffer int, unregister func(*subscriber)) *subscriber {
	return &subscriber{ch: make(chan Message, buffer), unregister: unregister}
}

// watch ends the subscription when ctx ends, with the context's cause.
func (s *subscriber) watch(ctx context.Context) {
	stop := context.AfterFunc(ctx, func() {
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
	select {
	case s.ch <- m:
		return true
	default:
		s.closeLocked(ErrSlowSubscriber)
		return false
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
	close(s.ch)
	if s.stop != nil {
		s.stop()
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
	if s.finish(nil) {
		s.unregister(s)
	}
	return nil
}

package realtime

import (
	"fmt"
	"sync"
	"time"
)

// AdmitError is Admit's refusal: Err is ErrTooManyConnections or
// ErrTooManyOpens, RetryAfter when trying again can succeed.
type AdmitError struct {
	Err        error
	RetryAfter time.Duration
}

func (e *AdmitError) Error() string {
	return fmt.Sprintf("%v; retry after %v", e.Err, e.RetryAfter)
}

func (e *AdmitError) Unwrap() error { return e.Err }

// busyRetry is what a user at MaxConnsPerUser is told to wait: one of their
// sockets has to close first, which the server cannot predict.
const busyRetry = 5 * time.Second

// Admit decides, before the HTTP upgrade, whether userID may open a socket
// from addr (the client's address), so that a refusal is an HTTP answer and
// not a socket that opens and closes. It counts the open against the
// user's and the address's allowance; the refusals are *AdmitError. Serve
// still enforces MaxConnsPerUser for sockets that race past Admit.
func (h *Hub) Admit(userID, addr string) error {
	h.mu.Lock()
	busy := h.perUser[userID] >= h.opts.MaxConnsPerUser
	h.mu.Unlock()
	if busy {
		return &AdmitError{Err: ErrTooManyConnections, RetryAfter: busyRetry}
	}
	if wait := h.opens.take(h.opts.Now(), "u:"+userID, "a:"+addr); wait > 0 {
		return &AdmitError{Err: ErrTooManyOpens, RetryAfter: wait}
	}
	return nil
}

// openLimiter is a set of token buckets keyed by user and by address. An
// open takes a token from both buckets or from neither.
type openLimiter struct {
	mu               sync.Mutex
	userCap, addrCap float64
	window           time.Duration // a bucket refills completely in it
	buckets          map[string]*openBucket
	sincePrune       int
}

type openBucket struct {
	tokens, cap float64
	at          time.Time
}

func newOpenLimiter(o HubOpts) openLimiter {
	return openLimiter{
		userCap: float64(o.OpensPerUser), addrCap: float64(o.OpensPerAddress),
		window:  o.OpenWindow,
		buckets: map[string]*openBucket{},
	}
}

// take spends one open of userKey and addrKey, or returns how long until
// both have one.
func (l *openLimiter) take(now time.Time, userKey, addrKey string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.prune(now)
	u, a := l.bucket(now, userKey, l.userCap), l.bucket(now, addrKey, l.addrCap)
	if u.tokens >= 1 && a.tokens >= 1 {
		u.tokens--
		a.tokens--
		return 0
	}
	wait := max(l.untilToken(u), l.untilToken(a))
	return max(wait, time.Second)
}

func (l *openLimiter) untilToken(b *openBucket) time.Duration {
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / b.cap * float64(l.window))
}

func (l *openLimiter) bucket(now time.Time, key string, capacity float64) *openBucket {
	b := l.buckets[key]
	if b == nil {
		b = &openBucket{tokens: capacity, cap: capacity, at: now}
		l.buckets[key] = b
	}
	b.tokens = l.refilled(b, now)
	b.at = now
	return b
}

func (l *openLimiter) refilled(b *openBucket, now time.Time) float64 {
	if !now.After(b.at) {
		return b.tokens
	}
	return min(b.cap, b.tokens+float64(now.Sub(b.at))/float64(l.window)*b.cap)
}

// prune forgets full buckets now and then, so the map stays as small as the
// set of users and addresses that opened sockets within one window.
func (l *openLimiter) prune(now time.Time) {
	if l.sincePrune++; l.sincePrune < 1024 {
		return
	}
	l.sincePrune = 0
	for k, b := range l.buckets {
		if l.refilled(b, now) >= b.cap {
			delete(l.buckets, k)
		}
	}
}

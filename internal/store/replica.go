package store

import (
	"context"
	"sync/atomic"
)

type writesKey struct{}

// TrackWrites returns a context that remembers whether a store write ran
// with it. Backends with a read replica send the reads of such a context
// (one request) to the primary once it wrote, so that a request reads its
// own writes; a context without tracking reads where the backend chooses.
func TrackWrites(ctx context.Context) context.Context {
	if _, ok := ctx.Value(writesKey{}).(*atomic.Bool); ok {
		return ctx
	}
	return context.WithValue(ctx, writesKey{}, new(atomic.Bool))
}

// NoteWrite records on a tracking context that a write ran.
func NoteWrite(ctx context.Context) {
	if w, ok := ctx.Value(writesKey{}).(*atomic.Bool); ok {
		w.Store(true)
	}
}

// Wrote reports whether a write ran with a tracking context.
func Wrote(ctx context.Context) bool {
	w, ok := ctx.Value(writesKey{}).(*atomic.Bool)
	return ok && w.Load()
}

// ReadPrimary returns a context whose reads go to the primary database
// even when a read replica serves, for reads whose result is kept (a
// cache): a lagging replica would have it kept under the generation of a
// write it has not seen.
func ReadPrimary(ctx context.Context) context.Context {
	w := new(atomic.Bool)
	w.Store(true)
	return context.WithValue(ctx, writesKey{}, w)
}

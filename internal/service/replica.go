package service

import (
	"context"

	"github.com/gmc-project/gmc/internal/store"
)

// TrackWrites returns a context for one request: once a write ran with
// it, its reads go to the primary database rather than a read replica,
// so that the request reads its own writes (see store.TrackWrites).
func TrackWrites(ctx context.Context) context.Context { return store.TrackWrites(ctx) }

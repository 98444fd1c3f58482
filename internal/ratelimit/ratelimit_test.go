package ratelimit

import (
	"context"
	"testing"
	"time"
)

func TestMemorySlidingWindow(t *testing.T) {
	t.Parallel()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewMemory(3, time.Minute, func() time.Time { return clock })
	ctx := context.Background()
	for i := range 3 {
		if ok, _, _ := l.Allow(ctx, "k"); !ok {
			t.Fatalf("attempt %d refused, want allowed", i+1)
		}
		clock = clock.Add(10 * time.Second)
	}
	ok, retry, _ := l.Allow(ctx, "k")
	if ok || retry != 30*time.Second {
		t.Fatalf("4th attempt = %v, retry %v; want refused, retry 30s", ok, retry)
	}
	if ok, _, _ := l.Allow(ctx, "other"); !ok {
		t.Fatal("another key was limited")
	}
	clock = clock.Add(31 * time.Second)
	if ok, _, _ := l.Allow(ctx, "k"); !ok {
		t.Fatal("attempt after the oldest left the window refused")
	}
}

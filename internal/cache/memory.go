package cache

import (
	"context"
	"strconv"
	"sync"
)

// Memory holds generations in process memory: right for one instance,
// whose every write bumps it.
type Memory struct {
	mu   sync.Mutex
	gens map[string]uint64
}

// NewMemory returns generations that all start at zero.
func NewMemory() *Memory { return &Memory{gens: map[string]uint64{}} }

// Current returns the scope's generation.
func (m *Memory) Current(_ context.Context, scope string) (string, error) {
	m.mu.Lock()
	n := m.gens[scope]
	m.mu.Unlock()
	return strconv.FormatUint(n, 10), nil
}

// Bump advances the scope's generation. A count per scope, never dropped,
// so no generation comes back.
func (m *Memory) Bump(_ context.Context, scope string) error {
	m.mu.Lock()
	m.gens[scope]++
	m.mu.Unlock()
	return nil
}

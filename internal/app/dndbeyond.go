package app

import (
	"fmt"
	"slices"
	"time"

	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/dndbeyond"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/jobs"
	"github.com/gmc-project/gmc/internal/service"
)

// defaultDndBeyondSync is how stale a link may get before the sync job
// takes it when the sync is off (a job queued before it was turned off).
const defaultDndBeyondSync = 24 * time.Hour

// withDndBeyond gives the service a D&D Beyond client, unless
// GMC_DNDBEYOND_URL is off, and schedules the sync of linked characters
// every GMC_DNDBEYOND_SYNC.
func withDndBeyond(o *options, cfg config.Config) error {
	if cfg.DndBeyondURL != "off" {
		guard, err := outboundGuard(cfg)
		if err != nil {
			return err
		}
		c, err := dndbeyond.NewClient(dndbeyond.ClientConfig{BaseURL: cfg.DndBeyondURL, Transport: guard.Transport()})
		if err != nil {
			return fmt.Errorf("GMC_DNDBEYOND_URL: %w", err)
		}
		o.service.DndBeyond = c
	}
	if cfg.DndBeyondSync > 0 && cfg.DndBeyondURL != "off" && !slices.Contains(cfg.FeaturesOff, gmc.FeatureDndBeyondSync) {
		o.jobs.Periodic = append(o.jobs.Periodic, jobs.Periodic{Interval: cfg.DndBeyondSync, Args: service.DndBeyondSyncArgs{}})
	}
	return nil
}

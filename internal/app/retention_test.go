package app_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/blob"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/jobs"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/store"
)

// TestRetentionJob starts the app with GMC_RETAIN_* set over a database
// holding data from before and after the periods: the periodic retention
// job, which runs when the queue starts, deletes the old recordings (row
// and blob), transcript segments and audit events and keeps the rest.
func TestRetentionJob(t *testing.T) {
	t.Parallel()
	for _, b := range discordBackends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			cfg := b.cfg(t)
			cfg.SecretKey, cfg.ShutdownTimeout = strings.Repeat("s", 32), 5*time.Second
			cfg.RetainRecordings, cfg.RetainTranscripts, cfg.RetainEvents = 90*24*time.Hour, 30*24*time.Hour, 365*24*time.Hour

			// The data is written before the app starts, so the job's first
			// run finds it.
			seed, err := app.New(ctx, config.Config{DataDir: cfg.DataDir, DatabaseURL: cfg.DatabaseURL, SecretKey: cfg.SecretKey}, slog.New(slog.DiscardHandler), "test",
				app.WithPasswordParams(service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}))
			if err != nil {
				t.Fatal(err)
			}
			svc := seed.Service()
			gm, err := svc.Register(ctx, service.RegisterParams{Email: "gm@example.com", Password: "correct horse battery", DisplayName: "GM"})
			if err != nil {
				t.Fatal(err)
			}
			c, err := svc.CreateCampaign(ctx, gm.ID, service.CampaignParams{Name: "C"})
			if err != nil {
				t.Fatal(err)
			}
			gs, err := svc.CreateSession(ctx, gm.ID, c.ID, service.SessionParams{Title: "S"})
			if err != nil {
				t.Fatal(err)
			}
			seed.Close()

			st, err := app.OpenStore(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			files, err := blob.NewDir(filepath.Join(cfg.DataDir, "files"), 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now().UTC().Truncate(time.Microsecond)
			day := 24 * time.Hour
			newID := func() string { return uuid.Must(uuid.NewV7()).String() }
			recording := func(age time.Duration, eventAge time.Duration) *gmc.Recording {
				id := newID()
				r := &gmc.Recording{ID: id, CampaignID: c.ID, SessionID: gs.ID, BlobKey: "recordings/" + id, FileName: "t.wav", ContentType: "audio/wav",
					SizeBytes: 3, Tracks: 1, Status: gmc.RecordingTranscribed, CreatedBy: gm.ID, CreatedAt: now.Add(-age)}
				if _, err := files.Put(ctx, r.BlobKey, strings.NewReader("wav"), 3, r.ContentType); err != nil {
					t.Fatal(err)
				}
				ev := &gmc.Event{ID: newID(), CampaignID: c.ID, ActorID: gm.ID, Action: gmc.ActionCreate, EntityType: gmc.EntityRecording, EntityID: id, At: now.Add(-eventAge)}
				if err := st.CreateRecording(ctx, r, ev); err != nil {
					t.Fatal(err)
				}
				return r
			}
			oldRec := recording(100*day, 400*day)
			newRec := recording(10*day, 10*day)
			segs := []*gmc.TranscriptSegment{
				{ID: newID(), SessionID: gs.ID, StartMS: 0, EndMS: 900, Text: "long ago", Source: "test", CreatedAt: now.Add(-31 * day)},
				{ID: newID(), SessionID: gs.ID, StartMS: 1000, EndMS: 1900, Text: "lately", Source: "test", CreatedAt: now.Add(-29 * day)},
			}
			if err := st.AppendSegments(ctx, segs, &gmc.Event{ID: newID(), CampaignID: c.ID, ActorID: gm.ID, Action: gmc.ActionCreate, EntityType: "transcript", EntityID: gs.ID, At: now}); err != nil {
				t.Fatal(err)
			}

			a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler), "test", app.WithJobConfig(func(c *jobs.Config) { c.PollInterval = 50 * time.Millisecond }))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })

			deadline := time.Now().Add(30 * time.Second)
			for {
				_, rowErr := st.Recording(ctx, oldRec.ID)
				_, blobErr := files.Stat(ctx, oldRec.BlobKey)
				left, _, err := st.Segments(ctx, store.SegmentFilter{SessionID: gs.ID, Limit: 10})
				if err != nil {
					t.Fatal(err)
				}
				if errors.Is(rowErr, gmc.ErrNotFound) && errors.Is(blobErr, blob.ErrNotFound) && len(left) == 1 {
					if left[0].ID != segs[1].ID {
						t.Errorf("segment left = %q, want the one within 30 days", left[0].Text)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("30 s after start: old recording row %v, blob %v; %d segments left, want 1", rowErr, blobErr, len(left))
				}
				time.Sleep(50 * time.Millisecond)
			}
			if _, err := st.Recording(ctx, newRec.ID); err != nil {
				t.Errorf("the recording within 90 days: %v", err)
			}
			if _, err := files.Stat(ctx, newRec.BlobKey); err != nil {
				t.Errorf("the blob of the recording within 90 days: %v", err)
			}
			// Events are purged after recordings in the same run: wait for
			// the 400-day-old one to go.
			for {
				evs, _, err := st.Events(ctx, store.EventFilter{CampaignID: c.ID, Page: gmc.Page{Limit: 100}})
				if err != nil {
					t.Fatal(err)
				}
				old := 0
				for _, ev := range evs {
					if ev.At.Before(now.Add(-365 * day)) {
						old++
					}
				}
				if old == 0 {
					if len(evs) < 4 {
						t.Errorf("%d events left, want the recent ones (campaign, session, recording, transcript …) kept", len(evs))
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("30 s after start: %d events older than a year are left", old)
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}

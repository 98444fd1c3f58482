package app_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/blob"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

// TestServePurgesExpiredRecordings serves the app with a recording past
// its retention in the data directory's file store: the purge that runs
// on start deletes blob and row, and Serve returns once ctx ends.
func TestServePurgesExpiredRecordings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := config.Config{DataDir: t.TempDir(), SecretKey: strings.Repeat("s", 32), ShutdownTimeout: 5 * time.Second}
	a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler), "test", app.WithPasswordParams(service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	svc := a.Service()
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

	// The recording is written as the app would have written it days ago.
	st, err := app.OpenStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	files, err := blob.NewDir(filepath.Join(cfg.DataDir, "files"), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.Must(uuid.NewV7()).String()
	past := time.Now().UTC().Add(-time.Hour).Truncate(time.Microsecond)
	r := &gmc.Recording{ID: id, CampaignID: c.ID, SessionID: gs.ID, BlobKey: "recordings/" + id, FileName: "old.wav", ContentType: "audio/wav",
		SizeBytes: 3, Tracks: 1, Status: gmc.RecordingTranscribed, CreatedBy: gm.ID, CreatedAt: past.AddDate(0, 0, -30), DeleteAfter: &past}
	if _, err := files.Put(ctx, r.BlobKey, strings.NewReader("old"), 3, r.ContentType); err != nil {
		t.Fatal(err)
	}
	ev := &gmc.Event{ID: uuid.Must(uuid.NewV7()).String(), CampaignID: c.ID, ActorID: gm.ID, Action: gmc.ActionCreate, EntityType: gmc.EntityRecording, EntityID: id, At: past}
	if err := st.CreateRecording(ctx, r, ev); err != nil {
		t.Fatal(err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- a.Serve(sctx, ln) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, rowErr := st.Recording(ctx, id)
		_, blobErr := files.Stat(ctx, r.BlobKey)
		if errors.Is(rowErr, gmc.ErrNotFound) && errors.Is(blobErr, blob.ErrNotFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the expired recording is still there 10 s after the server started")
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	if err := <-served; err != nil {
		t.Errorf("Serve = %v", err)
	}
}

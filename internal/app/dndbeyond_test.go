package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/dndbeyond/ddbtest"
	"github.com/gmc-project/gmc/internal/store/sqlite"
	"github.com/gmc-project/gmc/internal/testenv"
)

// TestDndBeyondPeriodicSync: with GMC_DNDBEYOND_SYNC set, the server
// schedules the sync job, which re-imports a linked character that is due.
func TestDndBeyondPeriodicSync(t *testing.T) {
	t.Parallel()
	rel := filepath.Join("fixtures", "dndbeyond", "v5-response_monk8_33721388.json")
	doc, err := os.ReadFile(filepath.Join(testenv.SharedData(t, rel), rel))
	if err != nil {
		t.Fatal(err)
	}
	const ddbID = 33721388
	fake := ddbtest.NewServer(t)
	fake.Set(ddbID, doc)
	cfg := config.Config{DataDir: t.TempDir(), DndBeyondURL: fake.BaseURL()}

	// First run, without the sync: import the character.
	first, stopFirst := runInstance(t, cfg)
	_, token := first.signUp("gm@example.com")
	campaign := first.call("POST", "/campaigns", token, map[string]any{"name": "C"}, 201)["id"].(string)
	res := first.call("POST", "/characters/import/dndbeyond", token, map[string]any{"campaign_id": campaign, "dndbeyond_id": ddbID}, 201)
	charID := res["character"].(map[string]any)["id"].(string)
	stopFirst()

	// While the server is down, the link ages past the interval and the
	// character changes on D&D Beyond.
	db, err := sqlite.Open(filepath.Join(cfg.DataDir, "gmc.db"))
	if err != nil {
		t.Fatal(err)
	}
	link, err := db.DndBeyondLink(context.Background(), campaign, ddbID)
	if err != nil {
		t.Fatal(err)
	}
	link.SyncedAt = link.SyncedAt.Add(-2 * time.Hour)
	if err := db.PutDndBeyondLink(context.Background(), link); err != nil {
		t.Fatal(err)
	}
	db.Close()
	fake.Set(ddbID, bytes.Replace(doc, []byte(`"gp":30`), []byte(`"gp":31`), 1))
	if bytes.Equal(doc, bytes.Replace(doc, []byte(`"gp":30`), []byte(`"gp":31`), 1)) {
		t.Fatal("the fixture has no \"gp\":30 to change")
	}

	// Second run: the sync job runs when the queue starts and brings the
	// change in.
	cfg.DndBeyondSync = time.Hour
	second, stopSecond := runInstance(t, cfg)
	defer stopSecond()
	tok := second.call("POST", "/auth/login", "", map[string]any{"email": "gm@example.com", "password": "correct horse battery"}, 200)["access_token"].(string)
	deadline := time.Now().Add(30 * time.Second)
	for {
		c := second.call("GET", "/characters/"+charID, tok, nil, 200)
		gp := c["stats"].(map[string]any)["sheet"].(map[string]any)["currency"].(map[string]any)["gp"]
		if gp == 31.0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the character still has %v gp; the sync job did not run (D&D Beyond asked %d times)", gp, fake.Hits(ddbID))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// runInstance runs the app on cfg until the returned stop is called.
func runInstance(t *testing.T, cfg config.Config) (*instance, func()) {
	t.Helper()
	cfg.SecretKey = strings.Repeat("s", 32)
	cfg.ShutdownTimeout = 5 * time.Second
	a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler), "test")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	in := &instance{t: t, app: a, srv: srv, base: srv.URL + "/api/v1"}
	return in, in.stop
}

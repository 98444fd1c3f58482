package app_test

import (
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/gmc-project/gmc/internal/config"
)

// TestSQLiteDiskFull runs the embedded database on a small file system of
// its own and fills it. Writes that no longer fit answer 507
// "storage_full" (never a 500), reads go on, writes work again once
// there is room, and afterwards the database passes SQLite's integrity
// check and holds exactly the writes that were acknowledged.
func TestSQLiteDiskFull(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=24m"); err != nil {
		msg := fmt.Sprintf("DISK-FULL TEST NOT RUN: mounting a small tmpfs needs root (CAP_SYS_ADMIN): %v", err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	in := startInstance(t, config.Config{DataDir: dir})
	tb := setUpTable(t, in)
	chars := "/campaigns/" + tb.campaignID + "/characters"

	// Leave a little room, then write until it is gone.
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	filler := filepath.Join(dir, "filler")
	if err := os.WriteFile(filler, make([]byte, int64(st.Bavail)*st.Bsize-512<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	description := strings.Repeat("A tale too long for the disk. ", 150)
	acked := map[string]bool{}
	refused := map[string]bool{}
	for i := 0; i < 400 && len(refused) < 5; i++ {
		name := fmt.Sprintf("Npc %03d", i)
		status, code := in.answer("POST", chars, tb.gm, map[string]any{"name": name, "character_type": "npc", "voice_notes": description})
		switch {
		case status == http.StatusCreated:
			acked[name] = true
		case status == http.StatusInsufficientStorage && code == "storage_full":
			refused[name] = true
		default:
			t.Fatalf("write %d on a full disk = %d %q, want 201 or 507 storage_full", i, status, code)
		}
	}
	if len(refused) == 0 {
		t.Fatalf("%d writes all fitted: the disk never filled", len(acked))
	}
	t.Logf("%d writes acknowledged before the disk filled, %d refused", len(acked), len(refused))
	if status, _ := in.answer("GET", chars+"?limit=5", tb.p1, nil); status != http.StatusOK {
		t.Errorf("a read on a full disk = %d, want 200", status)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	in.call("POST", chars, tb.gm, map[string]any{"name": "After the cleanup", "character_type": "npc"}, 201)
	acked["After the cleanup"] = true
	in.stop()

	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "gmc.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q %v", check, err)
	}
	rows, err := db.Query("SELECT name FROM characters WHERE campaign_id = ?", tb.campaignID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	stored := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		stored[n] = true
	}
	for n := range acked {
		if !stored[n] {
			t.Errorf("acknowledged write %q is missing", n)
		}
	}
	for n := range refused {
		if stored[n] {
			t.Errorf("refused write %q was stored", n)
		}
	}
}

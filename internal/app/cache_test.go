package app_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/testenv"
)

// renameBehindTheCache renames a location in the database directly, as no
// write of gmc would: nothing is bumped, so an instance that answers with
// the old name answered from its cache.
func renameBehindTheCache(t *testing.T, cfg config.Config, locationID, name string) {
	t.Helper()
	ctx := context.Background()
	if cfg.DatabaseURL != "" {
		conn, err := pgx.Connect(ctx, cfg.DatabaseURL)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `UPDATE locations SET name = $1 WHERE id = $2`, name, locationID); err != nil {
			t.Fatal(err)
		}
		return
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(cfg.DataDir, "gmc.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `UPDATE locations SET name = ? WHERE id = ?`, name, locationID); err != nil {
		t.Fatal(err)
	}
}

// treeNames is what GET /campaigns/{id}/locations?flat=true shows.
func (in *instance) treeNames(campaignID, token string) []string {
	in.t.Helper()
	var names []string
	for _, it := range in.call("GET", "/campaigns/"+campaignID+"/locations?flat=true", token, nil, 200)["items"].([]any) {
		names = append(names, it.(map[string]any)["name"].(string))
	}
	return names
}

// TestCachedLocationTree: a read of the location tree is served from
// memory until a write of the campaign; the write — on the same instance,
// or on another one sharing PostgreSQL and Redis — makes the next read,
// started after the write's response, see it. A player removed from the
// campaign is refused at once, although the tree is still cached.
func TestCachedLocationTree(t *testing.T) {
	t.Parallel()
	setups := []struct {
		name string
		cfg  func(t *testing.T) config.Config
		two  bool
	}{
		{"embedded", func(t *testing.T) config.Config { return config.Config{DataDir: t.TempDir()} }, false},
		{"postgres+redis", func(t *testing.T) config.Config {
			return config.Config{DatabaseURL: testenv.PostgresSchema(t), RedisURL: testenv.RedisURL(t), RedisPrefix: testenv.RedisPrefix(t)}
		}, true},
	}
	for _, s := range setups {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			cfg := s.cfg(t)
			writer := startInstance(t, cfg)
			reader := writer
			if s.two {
				reader = startInstance(t, cfg)
			}
			_, gm := writer.signUp("gm@example.com")
			playerID, player := writer.signUp("player@example.com")
			camp := writer.call("POST", "/campaigns", gm, map[string]any{"name": "Cached"}, 201)["id"].(string)
			code := writer.call("POST", "/campaigns/"+camp+"/invites", gm, map[string]any{"role": "player"}, 201)["code"].(string)
			writer.call("POST", "/invites/"+code+"/accept", player, nil, 200)
			town := writer.call("POST", "/campaigns/"+camp+"/locations", gm, map[string]any{"name": "Town", "visibility": "players"}, 201)["id"].(string)

			if got := reader.treeNames(camp, player); !slices.Equal(got, []string{"Town"}) {
				t.Fatalf("first read = %v, want [Town]", got)
			}
			renameBehindTheCache(t, cfg, town, "Town renamed in the database")
			if got := reader.treeNames(camp, player); !slices.Equal(got, []string{"Town"}) {
				t.Fatalf("second read = %v, want the cached [Town]", got)
			}
			writer.call("POST", "/campaigns/"+camp+"/locations", gm, map[string]any{"name": "Inn", "parent_id": town, "visibility": "players"}, 201)
			want := []string{"Town renamed in the database", "Inn"}
			if got := reader.treeNames(camp, player); !slices.Equal(got, want) {
				t.Fatalf("read after a write = %v, want %v", got, want)
			}

			renameBehindTheCache(t, cfg, town, "Town")
			if got := reader.treeNames(camp, gm); !slices.Equal(got, want) {
				t.Fatalf("GM's read = %v, want the cached %v", got, want)
			}
			if status, body := writer.send("DELETE", "/campaigns/"+camp+"/members/"+playerID, gm, nil); status/100 != 2 {
				t.Fatalf("remove the player: %d %s", status, body)
			}
			if status, body := reader.send("GET", "/campaigns/"+camp+"/locations?flat=true", player, nil); status != 404 {
				t.Fatalf("removed player's read = %d %s, want 404", status, body)
			}
			if got := reader.treeNames(camp, gm); !slices.Equal(got, want) {
				t.Fatalf("GM's read after the removal = %v, want the still cached %v", got, want)
			}
		})
	}
}

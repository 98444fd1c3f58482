package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/dndbeyond"
	"github.com/gmc-project/gmc/internal/dndbeyond/ddbtest"
	"github.com/gmc-project/gmc/internal/testenv"
)

// The fixtures' D&D Beyond ids.
const (
	monkID    = 33721388
	clericID  = 141773707
	warlockID = 99591617
	rangerID  = 147570397
)

var ddbFixtures = map[int64]string{
	monkID:    "v5-response_monk8_33721388.json",
	clericID:  "ddb-proxy_cleric5_141773707.json",
	warlockID: "ddb-proxy_warlock7_99591617.json",
	rangerID:  "character-data_ranger16-druid4_147570397.json",
}

func ddbFixture(t testing.TB, id int64) []byte {
	t.Helper()
	rel := filepath.Join("fixtures", "dndbeyond", ddbFixtures[id])
	b, err := os.ReadFile(filepath.Join(testenv.SharedData(t, rel), rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ddbServer is a loopback character service holding the fixtures, and a
// client of it that gives up quickly.
func ddbServer(t testing.TB) (*ddbtest.Server, *dndbeyond.Client) {
	t.Helper()
	srv := ddbtest.NewServer(t)
	for id := range ddbFixtures {
		srv.Set(id, ddbFixture(t, id))
	}
	cl, err := dndbeyond.NewClient(dndbeyond.ClientConfig{BaseURL: srv.BaseURL(), Timeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return srv, cl
}

// editDoc changes fields of the character object inside a service
// envelope: path "currencies.gp" → value.
func editDoc(t testing.TB, doc []byte, edits map[string]any) []byte {
	t.Helper()
	var env map[string]any
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	if err := d.Decode(&env); err != nil {
		t.Fatal(err)
	}
	for path, v := range edits {
		obj := env["data"].(map[string]any)
		keys := strings.Split(path, ".")
		for _, k := range keys[:len(keys)-1] {
			obj = obj[k].(map[string]any)
		}
		obj[keys[len(keys)-1]] = v
	}
	out, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sheet digs a value out of an answer's character.stats.sheet.
func sheet(r response, path string) any {
	var v any = r.body["character"]
	for _, k := range append([]string{"stats", "sheet"}, strings.Split(path, ".")...) {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

func TestDndBeyondImport(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			srv, ddb := ddbServer(t)
			c := newServer(t, b.open, serverOpts{dndbeyond: ddb})
			p := newParty(t, c)
			imp := func(role string, body map[string]any) response {
				body["campaign_id"] = p.campaign
				return c.do("POST", "/api/v1/characters/import/dndbeyond", p.token[role], body)
			}

			// A GM imports by URL: a PC nobody owns yet.
			r := imp("gm", map[string]any{"url": "https://www.dndbeyond.com/characters/33721388"})
			if r.status != 201 || r.body["created"] != true || r.body["dndbeyond_id"] != float64(monkID) {
				t.Fatalf("GM import = %d %s", r.status, r.raw)
			}
			monk := r.body["character"].(map[string]any)
			if monk["name"] != "Ort Eratèa" || monk["character_type"] != "pc" || monk["owner_id"] != nil || monk["visibility"] != "players" {
				t.Errorf("imported character = %v", monk)
			}
			for path, want := range map[string]any{"total_level": 8.0, "max_hp": 67.0, "armor_class": 17.0, "proficiency_bonus": 3.0,
				"abilities.dex.score": 20.0, "abilities.dex.modifier": 5.0, "speeds.walk": 45.0, "currency.gp": 30.0, "classes": nil} {
				if got := sheet(r, path); want != nil && got != want {
					t.Errorf("stats.sheet.%s = %v, want %v", path, got, want)
				}
			}
			if ddb, _ := monk["stats"].(map[string]any)["dndbeyond"].(map[string]any); ddb["id"] != float64(monkID) || ddb["url"] != "https://www.dndbeyond.com/characters/33721388" {
				t.Errorf("stats.dndbeyond = %v", ddb)
			}
			if got := r.header.Get("Location"); got != "/api/v1/characters/"+monk["id"].(string) {
				t.Errorf("Location = %q", got)
			}

			// A player imports their own PC by id, and another as its document.
			r = imp("owner", map[string]any{"dndbeyond_id": clericID})
			if r.status != 201 || r.body["character"].(map[string]any)["owner_id"] != p.user["owner"] || sheet(r, "armor_class") != 15.0 {
				t.Fatalf("player import = %d %s", r.status, r.raw)
			}
			cleric := r.body["character"].(map[string]any)["id"].(string)
			// The document pasted as text: a JSON string.
			r = imp("player", map[string]any{"character_json": string(ddbFixture(t, warlockID))})
			if r.status != 201 || sheet(r, "max_hp") != 52.0 || sheet(r, "armor_class") != 14.0 {
				t.Fatalf("import of a document = %d %s", r.status, r.raw)
			}
			fetchesBefore := srv.Hits(warlockID)
			r = imp("gm", map[string]any{"character_json": json.RawMessage(ddbFixture(t, rangerID))})
			if r.status != 201 || sheet(r, "total_level") != 20.0 || len(sheet(r, "classes").([]any)) != 2 {
				t.Fatalf("import of the bare character = %d %s", r.status, r.raw)
			}
			if srv.Hits(warlockID) != fetchesBefore {
				t.Error("importing a document fetched from D&D Beyond")
			}

			// The GM re-imports the monk after changes on D&D Beyond: the
			// same character, updated, with the changes listed.
			srv.Set(monkID, editDoc(t, ddbFixture(t, monkID), map[string]any{"baseHitPoints": 50, "currencies.gp": 45, "name": "Ort the Bold"}))
			r = c.must(200, "POST", "/api/v1/characters/import/dndbeyond", p.token["gm"], map[string]any{"campaign_id": p.campaign, "dndbeyond_id": monkID})
			if r.body["created"] != false || r.body["character"].(map[string]any)["id"] != monk["id"] || sheet(r, "max_hp") != 74.0 {
				t.Fatalf("re-import = %s", r.raw)
			}
			changes := map[string][2]any{}
			for _, ch := range r.body["changes"].([]any) {
				m := ch.(map[string]any)
				changes[m["field"].(string)] = [2]any{m["old"], m["new"]}
			}
			want := map[string][2]any{"name": {"Ort Eratèa", "Ort the Bold"}, "max_hp": {67.0, 74.0}, "currency.gp": {30.0, 45.0}}
			if fmt.Sprint(changes) != fmt.Sprint(want) {
				t.Errorf("changes = %v, want %v", changes, want)
			}
			got := c.must(200, "GET", "/api/v1/characters/"+monk["id"].(string), p.token["player"], nil)
			if got.str("name") != "Ort the Bold" || got.body["version"] != 2.0 {
				t.Errorf("GET after re-import = %s", got.raw)
			}
			// Unchanged on D&D Beyond: nothing to list, no new version.
			r = c.must(200, "POST", "/api/v1/characters/import/dndbeyond", p.token["gm"], map[string]any{"campaign_id": p.campaign, "dndbeyond_id": monkID})
			if len(r.body["changes"].([]any)) != 0 || r.body["character"].(map[string]any)["version"] != 2.0 {
				t.Errorf("re-import without changes = %s", r.raw)
			}

			// Who may import: the owner re-imports their PC; another player
			// may not, nor observers and outsiders.
			c.must(200, "POST", "/api/v1/characters/import/dndbeyond", p.token["owner"], map[string]any{"campaign_id": p.campaign, "dndbeyond_id": clericID})
			for role, status := range statuses("player:403 observer:403 outsider:404") {
				if r := imp(role, map[string]any{"dndbeyond_id": clericID}); r.status != status {
					t.Errorf("%s re-importing another's PC = %d %s, want %d", role, r.status, r.raw, status)
				}
			}
			// The owner's re-import found nothing changed; the refused ones
			// wrote nothing.
			if r := c.must(200, "GET", "/api/v1/characters/"+cleric, p.token["gm"], nil); r.body["version"] != 1.0 {
				t.Errorf("cleric version = %v, want 1", r.body["version"])
			}
		})
	}
}

// TestDndBeyondImportFailures: every way an import can fail answers with a
// problem naming what went wrong, and changes nothing.
func TestDndBeyondImportFailures(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			srv, ddb := ddbServer(t)
			srv.Answer(2, http.StatusForbidden, []byte(ddbtest.PrivateEnvelope))
			srv.Answer(3, http.StatusOK, []byte(ddbtest.PrivateEnvelope))
			srv.Answer(4, http.StatusOK, []byte(`{"success":true,"data":{"id":4,"stats":"x"}}`))
			srv.Hang(5)
			srv.Answer(6, http.StatusServiceUnavailable, []byte(`busy`))
			srv.Answer(7, http.StatusOK, ddbFixture(t, monkID)) // answers with another character
			c := newServer(t, b.open, serverOpts{dndbeyond: ddb})
			p := newParty(t, c)
			monk := c.must(201, "POST", "/api/v1/characters/import/dndbeyond", p.token["gm"], map[string]any{"campaign_id": p.campaign, "dndbeyond_id": monkID})
			monkID := monk.body["character"].(map[string]any)["id"].(string)
			// From now on the monk is private on D&D Beyond.
			srv.Answer(33721388, http.StatusForbidden, []byte(ddbtest.PrivateEnvelope))

			tests := []struct {
				name   string
				body   map[string]any
				status int
				code   string
			}{
				{"private (403)", map[string]any{"dndbeyond_id": 2}, 422, "dndbeyond_private"},
				{"private (error envelope)", map[string]any{"dndbeyond_id": 3}, 422, "dndbeyond_private"},
				{"re-import of a character made private", map[string]any{"dndbeyond_id": 33721388}, 422, "dndbeyond_private"},
				{"unknown character", map[string]any{"url": "https://www.dndbeyond.com/characters/404"}, 422, "dndbeyond_not_found"},
				{"malformed answer", map[string]any{"dndbeyond_id": 4}, 422, "dndbeyond_malformed"},
				{"another character in the answer", map[string]any{"dndbeyond_id": 7}, 422, "dndbeyond_malformed"},
				{"timeout", map[string]any{"dndbeyond_id": 5}, 502, "dndbeyond_unavailable"},
				{"service down", map[string]any{"dndbeyond_id": 6}, 502, "dndbeyond_unavailable"},
				{"URL elsewhere", map[string]any{"url": "https://example.com/characters/33721388"}, 422, "invalid"},
				{"nothing to import", map[string]any{}, 422, "invalid"},
				{"two things to import", map[string]any{"dndbeyond_id": 2, "url": "https://www.dndbeyond.com/characters/2"}, 422, "invalid"},
				{"malformed document", map[string]any{"character_json": map[string]any{"id": "x"}}, 422, "invalid"},
				{"document of a private character", map[string]any{"character_json": json.RawMessage(ddbtest.PrivateEnvelope)}, 422, "dndbeyond_private"},
			}
			for _, tc := range tests {
				tc.body["campaign_id"] = p.campaign
				r := c.do("POST", "/api/v1/characters/import/dndbeyond", p.token["gm"], tc.body)
				if r.status != tc.status || r.str("code") != tc.code || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
					t.Errorf("%s: %d %s, want %d with code %s", tc.name, r.status, r.raw, tc.status, tc.code)
				}
			}
			r := c.do("POST", "/api/v1/characters/import/dndbeyond", p.token["gm"], map[string]any{"campaign_id": p.campaign, "character_json": map[string]any{"id": "x"}})
			if errs, _ := r.body["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["location"] != "body.character_json" {
				t.Errorf("malformed document: errors = %v, want one naming body.character_json", r.body["errors"])
			}
			list := c.must(200, "GET", p.path("/characters"), p.token["gm"], nil)
			if len(list.items()) != 1 {
				t.Errorf("%d characters after failed imports, want 1", len(list.items()))
			}
			if got := c.must(200, "GET", "/api/v1/characters/"+monkID, p.token["gm"], nil); got.body["version"] != 1.0 {
				t.Errorf("monk version = %v after failed re-import, want 1", got.body["version"])
			}

			// Fetches are limited per account (20 a minute): the player's
			// 21st is refused before D&D Beyond is asked; the GM is not.
			for i := range 20 {
				r := c.do("POST", "/api/v1/characters/import/dndbeyond", p.token["player"], map[string]any{"campaign_id": p.campaign, "dndbeyond_id": 404})
				if r.status != 422 {
					t.Fatalf("fetch %d = %d %s, want 422", i+1, r.status, r.raw)
				}
			}
			asked := srv.Hits(404)
			r = c.do("POST", "/api/v1/characters/import/dndbeyond", p.token["player"], map[string]any{"campaign_id": p.campaign, "dndbeyond_id": 404})
			if r.status != 429 || r.header.Get("Retry-After") == "" || srv.Hits(404) != asked {
				t.Errorf("21st fetch in a minute = %d %s (D&D Beyond asked %d more times), want 429 with Retry-After", r.status, r.raw, srv.Hits(404)-asked)
			}
			c.must(422, "POST", "/api/v1/characters/import/dndbeyond", p.token["gm"], map[string]any{"campaign_id": p.campaign, "dndbeyond_id": 404})
		})
	}
}

// TestDndBeyondSync: the periodic sync re-imports linked characters and
// leaves those it cannot fetch as they are.
func TestDndBeyondSync(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			srv, ddb := ddbServer(t)
			c := newServer(t, b.open, serverOpts{dndbeyond: ddb})
			p := newParty(t, c)
			ids := map[int64]string{}
			for _, id := range []int64{monkID, clericID} {
				r := c.must(201, "POST", "/api/v1/characters/import/dndbeyond", p.token["gm"], map[string]any{"campaign_id": p.campaign, "dndbeyond_id": id})
				ids[id] = r.body["character"].(map[string]any)["id"].(string)
			}
			// Links synced after this moment are not due.
			if rep, err := c.svc.SyncDndBeyond(context.Background(), time.Now().Add(-time.Hour), 0); err != nil || rep.Checked != 0 {
				t.Fatalf("SyncDndBeyond(nothing due) = %+v, %v", rep, err)
			}
			srv.Set(monkID, editDoc(t, ddbFixture(t, monkID), map[string]any{"currencies.gp": 1000}))
			srv.Answer(clericID, http.StatusForbidden, []byte(ddbtest.PrivateEnvelope))
			// The GM's own keys of stats outlive a re-import.
			c.must(200, "PATCH", "/api/v1/characters/"+ids[monkID], p.token["gm"], map[string]any{"stats": map[string]any{"custom": "kept"}})
			rep, err := c.svc.SyncDndBeyond(context.Background(), time.Now().Add(time.Hour), 0)
			if err != nil || rep.Checked != 2 || rep.Updated != 1 || rep.Failed != 1 {
				t.Fatalf("SyncDndBeyond = %+v, %v; want 2 checked, 1 updated, 1 failed", rep, err)
			}
			monk := c.must(200, "GET", "/api/v1/characters/"+ids[monkID], p.token["gm"], nil)
			if gp := monk.body["stats"].(map[string]any)["sheet"].(map[string]any)["currency"].(map[string]any)["gp"]; gp != 1000.0 {
				t.Errorf("monk's gold after sync = %v, want 1000", gp)
			}
			if custom := monk.body["stats"].(map[string]any)["custom"]; custom != "kept" {
				t.Errorf("stats.custom after sync = %v, want kept", custom)
			}
			if cl := c.must(200, "GET", "/api/v1/characters/"+ids[clericID], p.token["gm"], nil); cl.body["version"] != 1.0 {
				t.Errorf("cleric version = %v after a failed sync, want 1", cl.body["version"])
			}
			// D&D Beyond down: the sync stops at the first character (the
			// monk, first by id) instead of asking for every other one.
			srv.Answer(monkID, http.StatusServiceUnavailable, nil)
			clericAsked := srv.Hits(clericID)
			rep, err = c.svc.SyncDndBeyond(context.Background(), time.Now().Add(time.Hour), 0)
			if err != nil || rep.Checked != 1 || rep.Failed != 1 || srv.Hits(clericID) != clericAsked {
				t.Errorf("SyncDndBeyond(service down) = %+v, %v, cleric asked %d more times; want it to stop after 1", rep, err, srv.Hits(clericID)-clericAsked)
			}
		})
	}
}

package httpapi_test

import (
	"fmt"
	"testing"
)

func TestTranscript(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			_, gm, _ := c.signUp("gm@example.com")
			playerID, player, _ := c.signUp("player@example.com")
			outsiderID, outsider, _ := c.signUp("outsider@example.com")
			cid := c.must(201, "POST", "/api/v1/campaigns", gm, map[string]any{"name": "C"}).str("id")
			code := c.must(201, "POST", "/api/v1/campaigns/"+cid+"/invites", gm, map[string]any{}).str("code")
			c.must(200, "POST", "/api/v1/invites/"+code+"/accept", player, nil)
			sid := c.must(201, "POST", "/api/v1/campaigns/"+cid+"/sessions", gm, map[string]any{"title": "1"}).str("id")
			base := "/api/v1/sessions/" + sid

			var segs []map[string]any
			for i := range 3 {
				segs = append(segs, map[string]any{"speaker_label": fmt.Sprint("SPEAKER_0", i%2), "start_ms": i * 1000, "end_ms": i*1000 + 800, "text": fmt.Sprint("line ", i)})
			}
			got := c.must(201, "POST", base+"/transcript/segments", gm, map[string]any{"segments": segs})
			items := got.body["items"].([]any)
			if len(items) != 3 || items[2].(map[string]any)["seq"] != float64(3) {
				t.Fatalf("ingested = %s", got.raw)
			}
			c.must(200, "PUT", base+"/speakers", gm, map[string]any{"speakers": []any{map[string]any{"label": "SPEAKER_01", "user_id": playerID}}})

			page := c.must(200, "GET", base+"/transcript?limit=2", player, nil)
			next := page.body["next_after_seq"].(float64)
			second := page.body["items"].([]any)[1].(map[string]any)
			if next != 2 || second["speaker"].(map[string]any)["user_id"] != playerID {
				t.Errorf("first page = %s", page.raw)
			}
			rest := c.must(200, "GET", fmt.Sprintf("%s/transcript?after_seq=%v", base, next), player, nil)
			if n := len(rest.body["items"].([]any)); n != 1 || rest.body["next_after_seq"] != float64(0) {
				t.Errorf("second page = %s", rest.raw)
			}

			bad := []struct {
				name     string
				token    string
				method   string
				path     string
				body     any
				want     int
				location string
			}{
				{"player ingests", player, "POST", base + "/transcript/segments", map[string]any{"segments": segs}, 403, ""},
				{"outsider reads", outsider, "GET", base + "/transcript", nil, 404, ""},
				{"empty batch", gm, "POST", base + "/transcript/segments", map[string]any{"segments": []any{}}, 422, "body.segments"},
				{"end before start", gm, "POST", base + "/transcript/segments", map[string]any{"segments": []any{map[string]any{"start_ms": 500, "end_ms": 100, "text": "x"}}}, 422, "body.segments[0].end_ms"},
				{"speaker not a member", gm, "PUT", base + "/speakers", map[string]any{"speakers": []any{map[string]any{"label": "A", "user_id": outsiderID}}}, 422, "body.speakers[0].user_id"},
				{"speaker unknown character", gm, "PUT", base + "/speakers", map[string]any{"speakers": []any{map[string]any{"label": "A", "character_id": outsiderID}}}, 422, "body.speakers[0].character_id"},
				{"duplicate label", gm, "PUT", base + "/speakers", map[string]any{"speakers": []any{map[string]any{"label": "A"}, map[string]any{"label": "A"}}}, 422, "body.speakers[1].label"},
				{"player maps speakers", player, "PUT", base + "/speakers", map[string]any{"speakers": []any{}}, 403, ""},
			}
			for _, tc := range bad {
				r := c.do(tc.method, tc.path, tc.token, tc.body)
				if r.status != tc.want {
					t.Errorf("%s: %d %s, want %d", tc.name, r.status, r.raw, tc.want)
				} else if tc.location != "" && !containsLocation(r, tc.location) {
					t.Errorf("%s: problem does not name %s: %s", tc.name, tc.location, r.raw)
				}
			}
			all := c.must(200, "GET", base+"/transcript", gm, nil)
			if n := len(all.body["items"].([]any)); n != 3 {
				t.Errorf("segments after bad input = %d, want 3", n)
			}
			sp := c.must(200, "GET", base+"/speakers", player, nil)
			if n := len(sp.body["speakers"].([]any)); n != 1 {
				t.Errorf("speakers after bad input = %s", sp.raw)
			}
		})
	}
}

func containsLocation(r response, location string) bool {
	errs, _ := r.body["errors"].([]any)
	for _, e := range errs {
		if m, ok := e.(map[string]any); ok && m["location"] == location {
			return true
		}
	}
	return false
}

package httpapi_test

import (
	"strings"
	"testing"
)

// TestProblemValueIsBounded: a 422 names the bad value but does not send a
// huge one back whole.
func TestProblemValueIsBounded(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			_, gm, _ := c.signUp("gm@example.com")
			cid := c.must(201, "POST", "/api/v1/campaigns", gm, map[string]any{"name": "Real"}).str("id")
			huge := strings.Repeat("é", 1_000_000) // 2 MB
			r := c.must(422, "POST", "/api/v1/campaigns/"+cid+"/characters", gm, map[string]any{"name": "a", "character_type": "npc", "voice_notes": huge})
			if len(r.raw) > 4096 {
				t.Errorf("problem is %d bytes, want a few hundred", len(r.raw))
			}
			errs, _ := r.body["errors"].([]any)
			if len(errs) != 1 {
				t.Fatalf("errors = %s", r.raw)
			}
			detail := errs[0].(map[string]any)
			value, _ := detail["value"].(string)
			if detail["location"] != "body.voice_notes" || !strings.HasPrefix(huge, value) || value == "" || detail["value_truncated"] != true {
				t.Errorf("detail = %.500s, want the start of the value, cut on a character boundary and marked as truncated", r.raw)
			}
		})
	}
}

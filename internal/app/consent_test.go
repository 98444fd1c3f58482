package app_test

import (
	"encoding/json"
	"testing"

	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/realtime"
)

// TestWelcomeAsksForConsent joins a live session as members who have and
// have not answered the voice consent question: only those who have not
// are asked, whatever their answer was.
func TestWelcomeAsksForConsent(t *testing.T) {
	t.Parallel()
	in := startInstance(t, config.Config{})
	tb := setUpTable(t, in)
	in.call("PUT", "/campaigns/"+tb.campaignID+"/members/me/voice-consent", tb.p1, map[string]any{"consent": true}, 200)
	in.call("PUT", "/campaigns/"+tb.campaignID+"/members/me/voice-consent", tb.p2, map[string]any{"consent": false}, 200)

	for _, tc := range []struct {
		name, token string
		want        bool
	}{
		{"gm (not asked yet)", tb.gm, true},
		{"p1 (said yes)", tb.p1, false},
		{"p2 (said no)", tb.p2, false},
		{"observer (not asked yet)", tb.obs, true},
	} {
		c, _, err := in.dial(tc.name, tb.sessionID, tc.token)
		if err != nil {
			t.Fatalf("%s: dial = %v", tc.name, err)
		}
		f := c.next()
		var w realtime.WelcomeData
		if err := json.Unmarshal(f.Data, &w); f.Type != "welcome" || err != nil {
			t.Fatalf("%s: first message %s (%v), want welcome", tc.name, f.Type, err)
		}
		if w.ConsentRequired != tc.want {
			t.Errorf("%s: welcome consent_required = %v, want %v", tc.name, w.ConsentRequired, tc.want)
		}
	}
}

package httpapi_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/service"
)

// record stores a recording of the session as its GM, as the upload path will.
func record(t *testing.T, c *client, gmID, sessionID, content string) string {
	t.Helper()
	r, err := c.svc.CreateRecording(context.Background(), gmID, sessionID,
		service.RecordingParams{FileName: "table night.flac", ContentType: "audio/flac", SizeBytes: int64(len(content)), DurationMS: 5000, Tracks: 2},
		strings.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// TestRecordings goes through the recording routes as every role of a
// party and as the GM of another campaign, to whom none of the party's
// recordings or sessions exist.
func TestRecordings(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			p := newParty(t, c)
			gm := p.token["gm"]
			sid := c.must(201, "POST", p.path("/sessions"), gm, map[string]any{"title": "One"}).str("id")
			rid := record(t, c, p.user["gm"], sid, "fLaC audio bytes")
			doomed := record(t, c, p.user["gm"], sid, "to delete")

			otherID, other, _ := c.signUp("other-gm@example.com")
			ocid := c.must(201, "POST", "/api/v1/campaigns", other, map[string]any{"name": "Elsewhere"}).str("id")
			osid := c.must(201, "POST", "/api/v1/campaigns/"+ocid+"/sessions", other, map[string]any{"title": "Theirs"}).str("id")
			orid := record(t, c, otherID, osid, "their audio")

			list, rec, del := "/api/v1/sessions/"+sid+"/recordings", "/api/v1/recordings/"+rid, "/api/v1/recordings/"+doomed
			checks := []struct {
				name, token, method, path string
				want                      int
			}{
				{"player lists", p.token["player"], "GET", list, 403},
				{"observer lists", p.token["observer"], "GET", list, 403},
				{"outsider lists", p.token["outsider"], "GET", list, 404},
				{"other GM lists", other, "GET", list, 404},
				{"player plays", p.token["owner"], "GET", rec + "/audio", 403},
				{"other GM plays", other, "GET", rec + "/audio", 404},
				{"player deletes", p.token["player"], "DELETE", del, 403},
				{"other GM deletes", other, "DELETE", del, 404},
				{"GM plays another campaign's", gm, "GET", "/api/v1/recordings/" + orid + "/audio", 404},
				{"GM deletes another campaign's", gm, "DELETE", "/api/v1/recordings/" + orid, 404},
				{"GM lists another campaign's session", gm, "GET", "/api/v1/sessions/" + osid + "/recordings", 404},
				{"no such recording", gm, "GET", "/api/v1/recordings/01900000-0000-7000-8000-000000000000/audio", 404},
				{"malformed id", gm, "DELETE", "/api/v1/recordings/nope", 422},
				{"GM deletes", gm, "DELETE", del, 204},
				{"GM deletes again", gm, "DELETE", del, 404},
				{"GM plays deleted", gm, "GET", del + "/audio", 404},
			}
			for _, ck := range checks {
				r := c.do(ck.method, ck.path, ck.token, nil)
				if r.status != ck.want {
					t.Errorf("%s: %s %s = %d %s, want %d", ck.name, ck.method, ck.path, r.status, r.raw, ck.want)
				}
				if r.status >= 400 && r.header.Get("Content-Type") != "application/problem+json" {
					t.Errorf("%s: Content-Type %q, want application/problem+json", ck.name, r.header.Get("Content-Type"))
				}
			}

			got := c.must(200, "GET", list, gm, nil)
			items, _ := got.body["recordings"].([]any)
			if len(items) != 1 {
				t.Fatalf("recordings = %s, want just %s", got.raw, rid)
			}
			first := items[0].(map[string]any)
			if first["id"] != rid || first["size_bytes"] != float64(16) || first["tracks"] != float64(2) || first["status"] != "stored" {
				t.Errorf("listed recording = %v", first)
			}
			if _, leaked := first["blob_key"]; leaked {
				t.Errorf("listed recording shows its blob key: %v", first)
			}
			audio := c.must(200, "GET", rec+"/audio", gm, nil)
			if string(audio.raw) != "fLaC audio bytes" || audio.header.Get("Content-Type") != "audio/flac" ||
				audio.header.Get("Content-Disposition") != `attachment; filename="table-night.flac"` {
				t.Errorf("audio = %q, headers %v", audio.raw, audio.header)
			}
		})
	}
}

// TestVoiceConsent answers the consent question as members and reads it
// back the ways the GM sees it.
func TestVoiceConsent(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			p := newParty(t, c)
			gm := p.token["gm"]
			sid := c.must(201, "POST", p.path("/sessions"), gm, map[string]any{"title": "One"}).str("id")
			consent := p.path("/members/me/voice-consent")

			bad := []struct {
				name  string
				token string
				body  any
				want  int
				field string
			}{
				{"outsider", p.token["outsider"], map[string]any{"consent": true}, 404, ""},
				{"no answer", p.token["player"], map[string]any{}, 422, "body.consent"},
				{"not a bool", p.token["player"], map[string]any{"consent": "yes"}, 422, "body.consent"},
				{"someone else's", p.token["player"], map[string]any{"consent": true, "user_id": p.user["owner"]}, 422, "body.user_id"},
			}
			for _, tc := range bad {
				r := c.do("PUT", consent, tc.token, tc.body)
				if r.status != tc.want || tc.field != "" && !strings.Contains(string(r.raw), `"location":"`+tc.field+`"`) {
					t.Errorf("%s: PUT voice-consent = %d %s, want %d naming %q", tc.name, r.status, r.raw, tc.want, tc.field)
				}
			}

			me := c.must(200, "PUT", consent, p.token["player"], map[string]any{"consent": true})
			if me.body["voice_consent"] != true || me.str("user_id") != p.user["player"] || me.str("voice_consent_at") == "" {
				t.Errorf("PUT voice-consent = %s", me.raw)
			}
			c.must(200, "PUT", consent, p.token["owner"], map[string]any{"consent": false})

			members := c.must(200, "GET", p.path("/members"), gm, nil)
			answers := map[string]any{}
			for _, it := range members.body["items"].([]any) {
				m := it.(map[string]any)
				v, present := m["voice_consent"]
				if !present {
					t.Errorf("member %v has no voice_consent key", m)
				}
				answers[m["user_id"].(string)] = v
			}
			want := map[string]any{p.user["gm"]: nil, p.user["owner"]: false, p.user["player"]: true, p.user["observer"]: nil}
			if diff := cmp.Diff(want, answers); diff != "" {
				t.Errorf("voice_consent in the member list (-want +got):\n%s", diff)
			}

			report := c.must(200, "GET", "/api/v1/sessions/"+sid+"/consent", gm, nil)
			// All but the player (newParty lets the others join in any order).
			wantMissing := []string{p.user["gm"], p.user["owner"], p.user["observer"]}
			var missing []string
			for _, id := range report.body["missing"].([]any) {
				missing = append(missing, id.(string))
			}
			slices.Sort(wantMissing)
			slices.Sort(missing)
			if diff := cmp.Diff(wantMissing, missing); diff != "" {
				t.Errorf("missing (-want +got):\n%s", diff)
			}
			if ms, _ := report.body["members"].([]any); len(ms) != 4 {
				t.Errorf("consent members = %d, want 4", len(ms))
			}
			for role, want := range map[string]int{"player": 403, "observer": 403, "outsider": 404} {
				if r := c.do("GET", "/api/v1/sessions/"+sid+"/consent", p.token[role], nil); r.status != want {
					t.Errorf("consent report as %s = %d, want %d", role, r.status, want)
				}
			}
		})
	}
}

// TestRecordingSettings checks the campaign's recording settings: their
// defaults, a valid change, and out-of-range values named by field.
func TestRecordingSettings(t *testing.T) {
	t.Parallel()
	c := newServer(t, backends[0].open, serverOpts{})
	_, gm, _ := c.signUp("gm@example.com")
	created := c.must(201, "POST", "/api/v1/campaigns", gm, map[string]any{"name": "C"})
	settings := created.body["settings"].(map[string]any)
	if settings["keep_recordings"] != false || settings["recording_retention_days"] != float64(0) {
		t.Errorf("default settings = %v, want keep_recordings false, retention 0", settings)
	}
	path := "/api/v1/campaigns/" + created.str("id")
	for _, days := range []int{-1, 3651} {
		body := map[string]any{"settings": map[string]any{"reminder_sessions": 3, "keyword_threshold": 0.6, "keep_recordings": true, "recording_retention_days": days}}
		r := c.do("PATCH", path, gm, body)
		if r.status != 422 || !strings.Contains(string(r.raw), `"location":"body.settings.recording_retention_days"`) {
			t.Errorf("retention %d: PATCH = %d %s, want 422 naming body.settings.recording_retention_days", days, r.status, r.raw)
		}
	}
	body := map[string]any{"settings": map[string]any{"reminder_sessions": 3, "keyword_threshold": 0.6, "keep_recordings": true, "recording_retention_days": 30}}
	got := c.must(200, "PATCH", path, gm, body).body["settings"].(map[string]any)
	if fmt.Sprint(got["keep_recordings"], got["recording_retention_days"]) != "true 30" {
		t.Errorf("settings after PATCH = %v", got)
	}
	// A merge patch names only what changes; the other settings stay.
	got = c.must(200, "PATCH", path, gm, map[string]any{"settings": map[string]any{"recording_retention_days": 7}}).body["settings"].(map[string]any)
	if fmt.Sprint(got["keep_recordings"], got["recording_retention_days"], got["reminder_sessions"], got["keyword_threshold"]) != "true 7 3 0.6" {
		t.Errorf("settings after a partial PATCH = %v, want only the retention changed", got)
	}
}

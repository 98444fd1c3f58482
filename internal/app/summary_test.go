package app_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/jobs"
	"github.com/gmc-project/gmc/internal/testenv"
)

// scriptSegments reads the summary package's written session as
// segments to ingest.
func scriptSegments(t *testing.T) []map[string]any {
	t.Helper()
	b, err := os.ReadFile("../summary/testdata/session.txt")
	if err != nil {
		t.Fatal(err)
	}
	var segs []map[string]any
	for _, line := range strings.Split(string(b), "\n") {
		parts := strings.SplitN(line, " | ", 3)
		if len(parts) != 3 {
			continue
		}
		sec, err := strconv.Atoi(parts[0])
		if err != nil {
			t.Fatal(err)
		}
		segs = append(segs, map[string]any{"speaker_label": parts[1], "start_ms": sec * 1000, "end_ms": sec*1000 + 4500, "text": parts[2]})
	}
	return segs
}

// TestSessionSummary runs the summary flow over HTTP on both databases:
// ending the session queues the summary in the same transaction; the GM
// reads the GM view, a player only the player view, which never names the
// GM-only NPC; proposals are the GM's to apply (once: 409 after) or
// reject, audited; a summary made again proposes nothing twice; the
// campaign's auto_apply_proposals applies the low-risk kinds.
func TestSessionSummary(t *testing.T) {
	t.Parallel()
	for _, s := range []struct {
		name string
		cfg  func(t *testing.T) config.Config
	}{
		{"embedded", func(*testing.T) config.Config { return config.Config{} }},
		{"postgres", func(t *testing.T) config.Config { return config.Config{DatabaseURL: testenv.PostgresSchema(t)} }},
	} {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			in := startInstance(t, s.cfg(t), app.WithJobConfig(func(c *jobs.Config) {
				c.PollInterval = 50 * time.Millisecond
			}))
			tb := setUpTable(t, in)
			camp := "/campaigns/" + tb.campaignID
			in.call("PATCH", camp, tb.gm, map[string]any{"settings": map[string]any{"reminder_sessions": 3, "keyword_threshold": 0.6,
				"auto_apply_proposals": []string{"location_visited"}}}, 200)
			// A kind that is not low-risk is refused, naming the field.
			bad := in.call("PATCH", camp, tb.gm, map[string]any{"settings": map[string]any{"reminder_sessions": 3, "keyword_threshold": 0.6,
				"auto_apply_proposals": []string{"new_npc"}}}, 422)
			if !strings.Contains(fmt.Sprint(bad), "auto_apply_proposals") {
				t.Errorf("refusal does not name the field: %v", bad)
			}
			chars := map[string]string{}
			for _, c := range []struct{ name, typ, vis string }{{"Lyra", "pc", "players"}, {"Thorin", "pc", "players"}, {"Marta", "npc", "players"},
				{"Skarn", "npc", "players"}, {"Vess", "npc", "gm"}} {
				body := map[string]any{"name": c.name, "character_type": c.typ, "visibility": c.vis}
				if c.name == "Vess" {
					body["aliases"] = []string{"the Whisper"}
				}
				if c.name == "Skarn" {
					body["tags"] = []string{"boss"}
				}
				chars[c.name] = in.call("POST", camp+"/characters", tb.gm, body, 201)["id"].(string)
			}
			plot := in.call("POST", camp+"/plots", tb.gm, map[string]any{"title": "The Red Fang Bandits", "status": "active", "progress": 25,
				"visibility": "players", "character_ids": []string{chars["Skarn"]},
				"milestones": []map[string]any{{"title": "Find the bandit hideout"}, {"title": "Defeat Skarn"}}}, 201)["id"].(string)
			market := in.call("POST", camp+"/locations", tb.gm, map[string]any{"name": "Copperpot Market", "location_type": "market", "visibility": "players"}, 201)["id"].(string)
			in.call("PUT", "/sessions/"+tb.sessionID+"/speakers", tb.gm, map[string]any{"speakers": []map[string]any{
				{"label": "Alice", "character_id": chars["Lyra"]}, {"label": "Bob", "character_id": chars["Thorin"]}}}, 200)
			segs := scriptSegments(t)
			in.call("POST", "/sessions/"+tb.sessionID+"/transcript/segments", tb.gm, map[string]any{"segments": segs}, 201)

			// No summary before the session ends; a player may not ask for one.
			in.call("GET", "/sessions/"+tb.sessionID+"/summary", tb.gm, nil, 404)
			in.call("POST", "/sessions/"+tb.sessionID+"/summary", tb.p1, nil, 403)
			in.call("POST", "/sessions/"+tb.sessionID+"/end", tb.gm, nil, 200)
			gmView := waitSummary(t, in, tb.sessionID, tb.gm, 1)
			raw, _ := json.Marshal(gmView)
			if !strings.Contains(string(raw), "Vess") {
				t.Errorf("the GM view does not mention the GM-only NPC at all: %s", raw)
			}
			if gmView["view"] != "gm" || len(gmView["gm_recap"].([]any)) == 0 || len(gmView["scenes"].([]any)) < 3 {
				t.Errorf("GM view: %s", raw)
			}
			for _, token := range []string{tb.p1, tb.obs} {
				pv := in.call("GET", "/sessions/"+tb.sessionID+"/summary", token, nil, 200)
				raw, _ := json.Marshal(pv)
				if pv["view"] != "players" || pv["gm_recap"] != nil {
					t.Errorf("player view: %s", raw)
				}
				for _, secret := range []string{"vess", "whisper", chars["Vess"]} {
					if strings.Contains(strings.ToLower(string(raw)), strings.ToLower(secret)) {
						t.Errorf("the player view mentions GM-only %q: %s", secret, raw)
					}
				}
			}

			// Proposals: GM only.
			in.call("GET", "/sessions/"+tb.sessionID+"/proposals", tb.p1, nil, 403)
			list := in.call("GET", "/sessions/"+tb.sessionID+"/proposals", tb.gm, nil, 200)["items"].([]any)
			byKind := map[string]map[string]any{}
			for _, p := range list {
				m := p.(map[string]any)
				if len(m["segment_ids"].([]any)) == 0 {
					t.Errorf("proposal without evidence: %v", m)
				}
				if byKind[m["kind"].(string)] == nil {
					byKind[m["kind"].(string)] = m
				}
			}
			visit := byKind["location_visited"]
			if visit == nil || visit["status"] != "applied" || visit["target"] != market {
				t.Fatalf("the market visit was not auto-applied: %v", list)
			}
			var npc map[string]any
			for _, p := range list {
				if m := p.(map[string]any); m["kind"] == "new_npc" && m["target"] == "old tom" {
					npc = m
				}
			}
			feat := byKind["achievement"]
			if npc == nil || feat == nil || npc["status"] != "pending" {
				t.Fatalf("want pending new_npc and achievement proposals, got %v", list)
			}
			in.call("POST", "/proposals/"+npc["id"].(string)+"/apply", tb.p1, nil, 403)
			applied := in.call("POST", "/proposals/"+npc["id"].(string)+"/apply", tb.gm, nil, 200)
			var result map[string]string
			rb, _ := json.Marshal(applied["result"])
			_ = json.Unmarshal(rb, &result)
			if applied["status"] != "applied" || result["character_id"] == "" {
				t.Fatalf("apply = %v", applied)
			}
			made := in.call("GET", "/characters/"+result["character_id"], tb.gm, nil, 200)
			if !strings.EqualFold(made["name"].(string), "Old Tom") {
				t.Errorf("the new NPC is %v, want Old Tom", made["name"])
			}
			in.call("POST", "/proposals/"+npc["id"].(string)+"/apply", tb.gm, nil, 409)
			in.call("POST", "/proposals/"+npc["id"].(string)+"/reject", tb.gm, nil, 409)
			in.call("POST", "/proposals/"+feat["id"].(string)+"/reject", tb.gm, nil, 200)
			in.call("POST", "/proposals/"+feat["id"].(string)+"/apply", tb.gm, nil, 409)
			events := in.call("GET", camp+"/events?entity_type=proposal", tb.gm, nil, 200)["items"].([]any)
			if len(events) != 3 { // the auto-applied visit, the applied NPC, the rejected feat
				t.Errorf("proposal audit events = %d, want 3", len(events))
			}

			// Every other kind applies through the ordinary use cases.
			appliedKinds := map[string]int{}
			for _, p := range in.call("GET", "/sessions/"+tb.sessionID+"/proposals?status=pending", tb.gm, nil, 200)["items"].([]any) {
				m := p.(map[string]any)
				in.call("POST", "/proposals/"+m["id"].(string)+"/apply", tb.gm, nil, 200)
				appliedKinds[m["kind"].(string)]++
			}
			for _, kind := range []string{"attitude_change", "plot_progress", "milestone_done", "achievement"} {
				if appliedKinds[kind] == 0 {
					t.Errorf("no %s proposal to apply; applied %v", kind, appliedKinds)
				}
			}
			pl := in.call("GET", "/plots/"+plot, tb.gm, nil, 200)
			if pl["status"] != "resolved" || pl["progress"].(float64) != 100 {
				t.Errorf("plot after its proposals: status %v progress %v", pl["status"], pl["progress"])
			}
			for _, ms := range pl["milestones"].([]any) {
				if m := ms.(map[string]any); m["done"] != true || m["done_session_id"] != tb.sessionID {
					t.Errorf("milestone after its proposal: %v", m)
				}
			}
			feats := in.call("GET", "/characters/"+chars["Thorin"]+"/achievements", tb.gm, nil, 200)["items"].([]any)
			if len(feats) == 0 {
				t.Error("Thorin has no achievement after the proposals were applied")
			}
			rels := in.call("GET", "/characters/"+chars["Lyra"]+"/relationships", tb.gm, nil, 200)["items"].([]any)
			if len(rels) == 0 {
				t.Error("Lyra has no relationship after the attitude proposals were applied")
			}

			// Again on demand: a new version, no proposal twice, the
			// decided ones as they were.
			// While the end's job is still being finished by the queue, the
			// request is answered with that job; ask until a new one runs.
			deadline := time.Now().Add(30 * time.Second)
			for version := 0.0; version < 2; {
				job := in.call("POST", "/sessions/"+tb.sessionID+"/summary", tb.gm, nil, 202)["job_id"].(string)
				for {
					j := in.call("GET", "/jobs/"+job, tb.gm, nil, 200)
					if j["state"] == "succeeded" {
						version = j["result"].(map[string]any)["version"].(float64)
						break
					}
					if j["state"] == "failed" || time.Now().After(deadline) {
						t.Fatalf("summary job: %v", j)
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
			waitSummary(t, in, tb.sessionID, tb.gm, 2)
			// The new NPC is known now, so the summary finds more (its
			// relationships…); what it proposed before it does not again.
			again := in.call("GET", "/sessions/"+tb.sessionID+"/proposals", tb.gm, nil, 200)["items"].([]any)
			seen := map[string]int{}
			for _, p := range again {
				m := p.(map[string]any)
				seen[m["kind"].(string)+" "+m["target"].(string)]++
			}
			for _, p := range list {
				m := p.(map[string]any)
				if k := m["kind"].(string) + " " + m["target"].(string); seen[k] != 1 {
					t.Errorf("proposal %s appears %d times after a second summary", k, seen[k])
				}
			}
			rejected := in.call("GET", "/sessions/"+tb.sessionID+"/proposals?status=rejected", tb.gm, nil, 200)["items"].([]any)
			if len(rejected) != 1 {
				t.Errorf("rejected proposals = %d, want 1", len(rejected))
			}
		})
	}
}

// waitSummary polls the session's summary until its version reaches v.
func waitSummary(t *testing.T, in *instance, sessionID, token string, v float64) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if in.status("/sessions/"+sessionID+"/summary", token) == 200 {
			s := in.call("GET", "/sessions/"+sessionID+"/summary", token, nil, 200)
			if s["version"].(float64) >= v {
				return s
			}
		}
		if time.Now().After(deadline) {
			s := in.call("GET", "/sessions/"+sessionID+"/summary", token, nil, 200)
			t.Fatalf("no summary version %v of session %s; last version %v", v, sessionID, s["version"])
		}
		time.Sleep(50 * time.Millisecond)
	}
}

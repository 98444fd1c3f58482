package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/bench/benchproc"
	"github.com/gmc-project/gmc/internal/testenv"
)

// proc is a `gmc serve` child process spoken to over HTTP.
type proc struct {
	t    *testing.T
	srv  *benchproc.Server
	base string
}

func (p *proc) call(method, path, token string, body any, want int) map[string]any {
	p.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, p.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		p.t.Fatalf("%s %s = %d %s, want %d", method, path, res.StatusCode, raw, want)
	}
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out
}

// TestSummaryJobSurvivesKill SIGKILLs `gmc serve` in the middle of a
// session's summary job, starts it again on the same database and checks
// that the job runs again to completion, that the killed attempt left
// nothing behind, and that no proposal is doubled. The transcript is the
// written session told 40 times (about 3200 segments), which keeps the
// built-in summary busy for a few seconds.
func TestSummaryJobSurvivesKill(t *testing.T) {
	t.Parallel()
	for _, db := range []struct {
		name string
		env  func(t *testing.T) []string
	}{
		{"embedded", func(*testing.T) []string { return nil }},
		{"postgres", func(t *testing.T) []string { return []string{"GMC_DATABASE_URL=" + testenv.PostgresSchema(t)} }},
	} {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			gmcPath := filepath.Join(dir, "gmc")
			if out, err := exec.Command("go", "build", "-o", gmcPath, "github.com/gmc-project/gmc/cmd/gmc").CombinedOutput(); err != nil {
				t.Fatalf("go build: %v\n%s", err, out)
			}
			// A lost attempt is run again 20 s after it started: long
			// enough for the whole job, short enough for a test.
			env := append(db.env(t), "GMC_DATA_DIR="+filepath.Join(dir, "data"), "GMC_JOB_RESCUE_AFTER=20s", "GMC_STT=off", "GMC_LOG_LEVEL=warn")
			start := func() *proc {
				srv, err := benchproc.StartServer(context.Background(), gmcPath, env, time.Minute)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(srv.Stop)
				return &proc{t: t, srv: srv, base: "http://" + srv.Addr + "/api/v1"}
			}
			p := start()
			p.call("POST", "/auth/register", "", map[string]any{"email": "gm@example.com", "password": "correct horse battery", "display_name": "gm"}, 201)
			gm := p.call("POST", "/auth/login", "", map[string]any{"email": "gm@example.com", "password": "correct horse battery"}, 200)["access_token"].(string)
			camp := p.call("POST", "/campaigns", gm, map[string]any{"name": "Crash"}, 201)["id"].(string)
			for _, name := range []string{"Lyra", "Thorin", "Pip"} {
				p.call("POST", "/campaigns/"+camp+"/characters", gm, map[string]any{"name": name, "character_type": "pc"}, 201)
			}
			p.call("POST", "/campaigns/"+camp+"/characters", gm, map[string]any{"name": "Skarn", "character_type": "npc", "tags": []string{"boss"}}, 201)
			p.call("POST", "/campaigns/"+camp+"/locations", gm, map[string]any{"name": "Copperpot Market", "location_type": "market"}, 201)
			session := p.call("POST", "/campaigns/"+camp+"/sessions", gm, map[string]any{"title": "Long night"}, 201)["id"].(string)
			p.call("POST", "/sessions/"+session+"/start", gm, nil, 200)
			script := scriptSegments(t)
			var batch []map[string]any
			for k := range 40 {
				for _, s := range script {
					seg := map[string]any{}
					for key, v := range s {
						seg[key] = v
					}
					seg["start_ms"] = s["start_ms"].(int) + k*700_000
					seg["end_ms"] = s["end_ms"].(int) + k*700_000
					batch = append(batch, seg)
					if len(batch) == 500 {
						p.call("POST", "/sessions/"+session+"/transcript/segments", gm, map[string]any{"segments": batch}, 201)
						batch = nil
					}
				}
			}
			p.call("POST", "/sessions/"+session+"/transcript/segments", gm, map[string]any{"segments": batch}, 201)
			p.call("POST", "/sessions/"+session+"/end", gm, nil, 200)
			// The end queued the job; asking again answers its id.
			job := p.call("POST", "/sessions/"+session+"/summary", gm, nil, 202)["job_id"].(string)
			deadline := time.Now().Add(time.Minute)
			for {
				j := p.call("GET", "/jobs/"+job, gm, nil, 200)
				// Anything before "summary made" is the middle: the summary
				// and its proposals are stored only at the end, in one
				// transaction.
				if m, _ := j["message"].(string); j["state"] == "running" && m != "" && m != "summary made" {
					t.Logf("killing gmc while the job is at %q", j["message"])
					break
				}
				if j["state"] == "succeeded" || time.Now().After(deadline) {
					t.Fatalf("the job was not caught in the middle: %v", j)
				}
				time.Sleep(5 * time.Millisecond)
			}
			p.srv.Kill()

			p = start()
			// The killed attempt stored nothing: the summary is one
			// transaction.
			p.call("GET", "/sessions/"+session+"/summary", gm, nil, 404)
			if n := len(p.call("GET", "/sessions/"+session+"/proposals", gm, nil, 200)["items"].([]any)); n != 0 {
				t.Fatalf("the killed attempt left %d proposals", n)
			}
			var final map[string]any
			deadline = time.Now().Add(3 * time.Minute)
			for {
				final = p.call("GET", "/jobs/"+job, gm, nil, 200)
				if final["state"] == "succeeded" {
					break
				}
				if final["state"] == "failed" || time.Now().After(deadline) {
					t.Fatalf("the job did not run again to completion: %v", final)
				}
				time.Sleep(200 * time.Millisecond)
			}
			if final["attempt"].(float64) < 2 {
				t.Errorf("job finished in attempt %v, want a second attempt after the kill", final["attempt"])
			}
			sum := p.call("GET", "/sessions/"+session+"/summary", gm, nil, 200)
			if sum["version"].(float64) != 1 {
				t.Errorf("summary version %v, want 1: the killed attempt must not have stored one", sum["version"])
			}
			props := p.call("GET", "/sessions/"+session+"/proposals", gm, nil, 200)["items"].([]any)
			seen := map[string]bool{}
			for _, x := range props {
				m := x.(map[string]any)
				key := fmt.Sprint(m["kind"], " ", m["target"])
				if seen[key] {
					t.Errorf("proposal %s doubled", key)
				}
				seen[key] = true
			}
			res := final["result"].(map[string]any)
			if len(props) == 0 || res["proposals"].(float64) != float64(len(props)) {
				t.Errorf("the job added %v proposals, the session has %d", res["proposals"], len(props))
			}
			t.Logf("killed mid-job, restarted: attempt %v finished with %d proposals, %v scenes", final["attempt"], len(props), res["scenes"])
		})
	}
}

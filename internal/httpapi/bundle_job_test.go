package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/service"
)

// waitJob polls GET /jobs/{job_id} as token until the job has finished,
// and returns its last answer.
func waitJob(t *testing.T, c *client, jobID, token string) response {
	t.Helper()
	// A bound on a hung queue, not a measure of speed.
	deadline := time.Now().Add(60 * time.Second)
	for {
		r := c.must(200, "GET", "/api/v1/jobs/"+jobID, token, nil)
		switch r.str("state") {
		case "succeeded", "failed", "cancelled":
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still %s: %s", jobID, r.str("state"), r.raw)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// storedFiles lists the files in the server's file store below dir.
func storedFiles(t *testing.T, c *client, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(filepath.Join(c.blobDir, dir), func(path string, d os.DirEntry, err error) error {
		if os.IsNotExist(err) {
			return filepath.SkipDir
		}
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(c.blobDir, path)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCampaignExportJob(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			// A fixed clock: the export's exported_at is the same in the
			// request and in the job, so the two can be compared byte for byte.
			clock := &fakeClock{t: time.Now().UTC().Truncate(time.Second)}
			c := newServer(t, be.open, serverOpts{bundleJobs: true, now: clock.Now})
			p := newParty(t, c)
			richCampaign(t, p)
			gm := p.token["gm"]

			for _, format := range []string{"json", "markdown"} {
				t.Run(format, func(t *testing.T) {
					path := "/api/v1/campaigns/" + p.campaign + "/export?format=" + format
					inline := c.must(200, "GET", path, gm, nil)
					accepted := c.must(202, "GET", path+"&async=true", gm, nil)
					jobID := accepted.str("job_id")
					if jobID == "" || accepted.header.Get("Location") != "/api/v1/jobs/"+jobID {
						t.Fatalf("async export answered %s (Location %q)", accepted.raw, accepted.header.Get("Location"))
					}
					// The job is the GM's: players and strangers neither see
					// it nor download its file.
					for _, who := range []string{"owner", "player", "observer", "outsider"} {
						c.must(404, "GET", "/api/v1/jobs/"+jobID, p.token[who], nil)
						c.must(404, "GET", "/api/v1/jobs/"+jobID+"/result", p.token[who], nil)
					}
					c.must(401, "GET", "/api/v1/jobs/"+jobID+"/result", "", nil)

					job := waitJob(t, c, jobID, gm)
					if job.str("state") != "succeeded" || job.field("progress") != 1.0 || job.str("message") == "" || job.str("kind") != "campaign.export" {
						t.Fatalf("export job ended %s", job.raw)
					}
					if got, want := job.field("result", "size_bytes"), float64(len(inline.raw)); got != want {
						t.Errorf("result size_bytes = %v, want %v", got, want)
					}
					file := c.must(200, "GET", "/api/v1/jobs/"+jobID+"/result", gm, nil)
					if string(file.raw) != string(inline.raw) {
						t.Errorf("the job's file differs from the export within the request:\n%s\n--- vs ---\n%s", file.raw, inline.raw)
					}
					for _, h := range []string{"Content-Type", "Content-Disposition"} {
						if file.header.Get(h) != inline.header.Get(h) {
							t.Errorf("%s = %q, the request's export says %q", h, file.header.Get(h), inline.header.Get(h))
						}
					}
					if got := storedFiles(t, c, "exports"); len(got) != 1 || got[0] != "exports/"+p.campaign+"/"+jobID {
						t.Errorf("file store holds %v, want the one export", got)
					}
					// Once removed (as the clean-up job does when the file
					// expires), the file is gone for the GM too.
					if err := c.svc.DeleteBlob(context.Background(), "exports/"+p.campaign+"/"+jobID); err != nil {
						t.Fatal(err)
					}
					if r := c.must(404, "GET", "/api/v1/jobs/"+jobID+"/result", gm, nil); r.str("code") != "job_file_expired" {
						t.Errorf("expired file answered %s", r.raw)
					}
				})
			}
			c.must(403, "GET", "/api/v1/campaigns/"+p.campaign+"/export?async=true", p.token["player"], nil)
			c.must(404, "GET", "/api/v1/campaigns/"+p.campaign+"/export?async=true", p.token["outsider"], nil)
		})
	}
}

// TestCampaignBundleJobThresholds: a campaign or document over the
// thresholds is exported or imported by a job without being asked; one at
// them, within the request.
func TestCampaignBundleJobThresholds(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, be.open, serverOpts{bundleJobs: true, bundleThresholds: &service.BundleThresholds{ExportEntities: 3, ImportBytes: 1 << 20, ImportEntities: 1}})
			p := newParty(t, c)
			gm := p.token["gm"]
			path := "/api/v1/campaigns/" + p.campaign + "/export"

			// A new campaign's document holds one entity, its GM; the party's
			// more (its members).
			solo := c.must(201, "POST", "/api/v1/campaigns", gm, map[string]any{"name": "Solo"}).str("id")
			if r := c.must(201, "POST", "/api/v1/campaigns/import", gm, c.must(200, "GET", "/api/v1/campaigns/"+solo+"/export", gm, nil).raw); r.field("counts") == nil {
				t.Errorf("small import answered %s", r.raw)
			}
			importID := c.must(202, "POST", "/api/v1/campaigns/import", gm, c.must(200, "GET", path, gm, nil).raw).str("job_id")
			if job := waitJob(t, c, importID, gm); job.str("state") != "succeeded" || job.str("message") != "the campaign is imported" {
				t.Fatalf("import job ended %s", job.raw)
			}
			for _, name := range []string{"Ireena", "Ismark", "Strahd"} {
				p.character(map[string]any{"name": name, "character_type": "npc"})
			}
			c.must(200, "GET", path, gm, nil)
			p.location("Vallaki", "", "players")
			jobID := c.must(202, "GET", path, gm, nil).str("job_id")
			if job := waitJob(t, c, jobID, gm); job.str("state") != "succeeded" || job.str("message") != "the file is ready" {
				t.Fatalf("export job ended %s", job.raw)
			}
			var doc map[string]any
			if err := json.Unmarshal(c.must(200, "GET", "/api/v1/jobs/"+jobID+"/result", gm, nil).raw, &doc); err != nil {
				t.Fatal(err)
			}
			if n := len(doc["characters"].([]any)) + len(doc["locations"].([]any)); n != 4 {
				t.Errorf("the job's export holds %d characters and locations, want 4", n)
			}
		})
	}
}

func TestCampaignImportJob(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, be.open, serverOpts{bundleJobs: true})
			p := newParty(t, c)
			richCampaign(t, p)
			first := exportDoc(t, c, p.campaign, p.token["gm"])
			raw, _ := json.Marshal(first)
			importer := p.token["player"]

			inline := c.must(201, "POST", "/api/v1/campaigns/import", importer, raw)
			inlineID := inline.field("campaign", "id").(string)
			for _, ask := range []struct {
				name    string
				query   string
				headers []string
			}{
				{"Prefer", "", []string{"Prefer", "wait=5, respond-async"}},
				{"query", "?async=true", nil},
			} {
				t.Run(ask.name, func(t *testing.T) {
					before := len(c.must(200, "GET", "/api/v1/campaigns", importer, nil).items())
					accepted := c.must(202, "POST", "/api/v1/campaigns/import"+ask.query, importer, raw, ask.headers...)
					jobID := accepted.str("job_id")
					if jobID == "" || accepted.header.Get("Location") != "/api/v1/jobs/"+jobID {
						t.Fatalf("async import answered %s", accepted.raw)
					}
					if got, want := accepted.header.Get("Preference-Applied"), map[bool]string{true: "respond-async"}[ask.headers != nil]; got != want {
						t.Errorf("Preference-Applied = %q, want %q", got, want)
					}
					// The job is shown to its importer, and once the campaign
					// exists to its GMs (the document makes the party's GM one),
					// to no one else, before or after.
					c.must(404, "GET", "/api/v1/jobs/"+jobID, p.token["observer"], nil)
					c.must(404, "GET", "/api/v1/jobs/"+jobID, p.token["outsider"], nil)
					job := waitJob(t, c, jobID, importer)
					if job.str("state") != "succeeded" || job.field("progress") != 1.0 || job.str("message") == "" || job.str("kind") != "campaign.import" {
						t.Fatalf("import job ended %s", job.raw)
					}
					newID, _ := job.field("result", "campaign_id").(string)
					for _, key := range []string{"counts", "members", "skipped_members"} {
						if diff := cmp.Diff(inline.body[key], job.field("result", key)); diff != "" {
							t.Errorf("job result %s differs from the request's import (-sync +job):\n%s", key, diff)
						}
					}
					if after := len(c.must(200, "GET", "/api/v1/campaigns", importer, nil).items()); after != before+1 {
						t.Errorf("importer has %d campaigns after the job, %d before", after, before)
					}
					if diff := cmp.Diff(normalize(exportDoc(t, c, inlineID, importer)), normalize(exportDoc(t, c, newID, importer))); diff != "" {
						t.Errorf("the job's campaign differs from the request's import (-request +job):\n%s", diff)
					}
					// The uploaded document is deleted once imported.
					if got := storedFiles(t, c, "imports"); len(got) != 0 {
						t.Errorf("file store still holds %v", got)
					}
					// An import job writes no file.
					if r := c.must(404, "GET", "/api/v1/jobs/"+jobID+"/result", importer, nil); r.str("code") != "job_file_not_found" {
						t.Errorf("import job's result answered %s", r.raw)
					}
				})
			}

			// A bad document is refused at once, with nothing stored or queued.
			bad := strings.Replace(string(raw), `"format_version": 1`, `"format_version": 2`, 1)
			bad = strings.Replace(bad, `"format_version":1`, `"format_version":2`, 1)
			r := c.must(422, "POST", "/api/v1/campaigns/import?async=true", importer, bad)
			if !strings.Contains(string(r.raw), `"location":"body.format_version"`) {
				t.Errorf("bad document answered %s", r.raw)
			}
			if got := storedFiles(t, c, "imports"); len(got) != 0 {
				t.Errorf("a refused document left %v", got)
			}
		})
	}
}

// TestCampaignImportJobTooLarge: a document the file store refuses is a
// 413, with nothing stored and no campaign made. (The test server's file
// store takes 1 MiB; the request's own limit is far above.)
func TestCampaignImportJobTooLarge(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, be.open, serverOpts{bundleJobs: true})
			p := newParty(t, c)
			richCampaign(t, p)
			raw, _ := json.Marshal(exportDoc(t, c, p.campaign, p.token["gm"]))
			// Still the same document, but spaced out past the file store's limit.
			padded := append([]byte("{"+strings.Repeat(" ", 1<<20)), raw[1:]...)
			importer := p.token["player"]
			before := len(c.must(200, "GET", "/api/v1/campaigns", importer, nil).items())
			r := c.must(413, "POST", "/api/v1/campaigns/import", importer, padded, "Prefer", "respond-async")
			if r.str("code") != "bundle_too_large" {
				t.Errorf("too large a document answered %s", r.raw)
			}
			if got := storedFiles(t, c, ""); len(got) != 0 {
				t.Errorf("a refused document left %v in the file store", got)
			}
			if after := len(c.must(200, "GET", "/api/v1/campaigns", importer, nil).items()); after != before {
				t.Errorf("a refused document made campaigns: %d before, %d after", before, after)
			}
			// Without a job, the request's own limit applies as before.
			c.must(201, "POST", "/api/v1/campaigns/import", importer, padded)
		})
	}
}

// TestCampaignImportJobRetried: attempts of one import job run again (a
// crash after the commit, a rescue of an attempt taken for lost, two at
// once) make one campaign, and each answers it.
func TestCampaignImportJobRetried(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, be.open, serverOpts{bundleJobs: true, holdJobs: true})
			p := newParty(t, c)
			richCampaign(t, p)
			raw, _ := json.Marshal(exportDoc(t, c, p.campaign, p.token["gm"]))
			importer := p.token["player"]
			inline := c.must(201, "POST", "/api/v1/campaigns/import", importer, raw)
			before := len(c.must(200, "GET", "/api/v1/campaigns", importer, nil).items())

			jobID := c.must(202, "POST", "/api/v1/campaigns/import?async=true", importer, raw).str("job_id")
			if job := c.must(200, "GET", "/api/v1/jobs/"+jobID, importer, nil); job.str("state") != "queued" {
				t.Fatalf("held job is %s", job.raw)
			}
			stored := storedFiles(t, c, "imports")
			if len(stored) != 1 {
				t.Fatalf("file store holds %v, want the uploaded document", stored)
			}
			key := stored[0]
			args := service.ImportArgs{CampaignID: strings.TrimPrefix(key, "imports/"), BlobKey: key}
			run := service.BundleJob{JobID: jobID, UserID: p.user["player"]}

			var wg sync.WaitGroup
			results := make([]*service.CampaignImportResult, 3)
			errs := make([]error, 3)
			for i := range 2 {
				wg.Go(func() { results[i], errs[i] = c.svc.RunImportJob(context.Background(), run, args, nil) })
			}
			wg.Wait()
			results[2], errs[2] = c.svc.RunImportJob(context.Background(), run, args, nil)
			ok := 0
			for i, err := range errs {
				if err != nil {
					// Two at once: the one that lost the race fails, to be
					// retried, and never makes a second campaign.
					t.Logf("attempt %d: %v", i, err)
					continue
				}
				ok++
				if results[i].CampaignID != args.CampaignID {
					t.Errorf("attempt %d answered campaign %s, want %s", i, results[i].CampaignID, args.CampaignID)
				}
				got, _ := json.Marshal(results[i].Counts)
				want, _ := json.Marshal(inline.body["counts"])
				if string(got) != string(want) {
					t.Errorf("attempt %d counts %s, the request's import %s", i, got, want)
				}
			}
			if ok < 2 || errs[2] != nil {
				t.Errorf("attempts: %v; want the last and at least one of the two at once to succeed", errs)
			}
			if after := len(c.must(200, "GET", "/api/v1/campaigns", importer, nil).items()); after != before+1 {
				t.Errorf("three attempts of one import made %d campaigns", after-before)
			}
			if got := storedFiles(t, c, "imports"); len(got) != 0 {
				t.Errorf("file store still holds %v", got)
			}
			// The campaign made is the job's: the importer sees the job as its GM.
			c.must(200, "GET", "/api/v1/campaigns/"+args.CampaignID, importer, nil)
			c.must(200, "GET", "/api/v1/jobs/"+jobID, importer, nil)
		})
	}
}

// TestCampaignExportJobThresholdPages: the size check counts across pages
// (a page holds at most 200 entities).
func TestCampaignExportJobThresholdPages(t *testing.T) {
	const threshold = 205
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, be.open, serverOpts{bundleJobs: true, bundleThresholds: &service.BundleThresholds{ExportEntities: threshold, ImportBytes: 1 << 20, ImportEntities: 1000}})
			p := newParty(t, c)
			gm := p.token["gm"]
			path := "/api/v1/campaigns/" + p.campaign + "/export"
			doc := exportDoc(t, c, p.campaign, gm)
			have := 0
			for _, key := range []string{"sessions", "characters", "locations", "plots", "keywords"} {
				have += len(doc[key].([]any))
			}
			for i := have; i < threshold; i++ {
				c.must(201, "POST", p.path("/keywords"), gm, map[string]any{"term": fmt.Sprintf("Term %d", i)})
			}
			c.must(200, "GET", path, gm, nil)
			c.must(201, "POST", p.path("/keywords"), gm, map[string]any{"term": "One too many"})
			c.must(202, "GET", path, gm, nil)
		})
	}
}

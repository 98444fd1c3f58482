package app_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite"

	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/testenv"
)

// rawRequest sends body as it is, with its length (sized) or chunked,
// and returns the answer's status and problem code.
func (in *instance) rawRequest(method, path, token, contentType string, body []byte, sized bool) (int, string, string) {
	in.t.Helper()
	var rd io.Reader = bytes.NewReader(body)
	if !sized {
		// A reader of unknown length goes chunked, with no Content-Length
		// to refuse it by: the limit must cut it while it is read.
		rd = struct{ io.Reader }{rd}
	}
	req, _ := http.NewRequest(method, in.base+path, rd)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		in.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var p struct {
		Code string `json:"code"`
	}
	_ = json.Unmarshal(raw, &p)
	return res.StatusCode, p.Code, res.Header.Get("Content-Type")
}

// TestBodyLimit: with GMC_MAX_BODY_BYTES at 8 KiB, a campaign of 10 KB is
// refused with 413 whether its length is declared or not, and nothing is
// made; a character, whose operation declares a larger limit for its
// JSON documents, still takes 20 KB of notes.
func TestBodyLimit(t *testing.T) {
	t.Parallel()
	for _, db := range bothDatabases() {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			cfg := db.cfg(t)
			cfg.MaxBodyBytes = 8 << 10
			in := startInstance(t, cfg)
			_, gm := in.signUp("gm@example.com")
			big, _ := json.Marshal(map[string]any{"name": "Too much", "description": strings.Repeat("lore ", 2000)})
			for _, sized := range []bool{true, false} {
				status, code, ct := in.rawRequest("POST", "/campaigns", gm, "application/json", big, sized)
				if status != http.StatusRequestEntityTooLarge || code != "body_too_large" || ct != "application/problem+json" {
					t.Errorf("sized %v: POST /campaigns of %d bytes = %d %s (%s), want 413 body_too_large", sized, len(big), status, code, ct)
				}
			}
			if items := in.call("GET", "/campaigns", gm, nil, 200)["items"].([]any); len(items) != 0 {
				t.Errorf("campaigns after the refused ones: %v, want none", items)
			}
			cid := in.call("POST", "/campaigns", gm, map[string]any{"name": "Small"}, 201)["id"].(string)
			notes := map[string]any{"history": strings.Repeat("Born in a barn. ", 1250)}
			in.call("POST", "/campaigns/"+cid+"/characters", gm, map[string]any{"name": "Verbose", "character_type": "npc", "notes": notes}, 201)
		})
	}
}

// TestRecordingUploadLimit: a recording over GMC_RECORDING_MAX_BYTES is
// refused with 413, declared or chunked, and nothing is kept; one under
// it is taken.
func TestRecordingUploadLimit(t *testing.T) {
	t.Parallel()
	whisper := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, openAIAnswer)
	}))
	t.Cleanup(whisper.Close)
	cfg := config.Config{STT: "whisper", WhisperURL: whisper.URL, MaxRecordingBytes: 64 << 10, DataDir: t.TempDir()}
	in := startInstance(t, cfg)
	tb := setUpTable(t, in)
	form := func(wav []byte) ([]byte, string) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "night.wav")
		fw.Write(wav)
		mw.Close()
		return body.Bytes(), mw.FormDataContentType()
	}
	large, ct := form(testenv.WAV(silence(8 * time.Second))) // 256 KB
	for _, sized := range []bool{true, false} {
		status, code, _ := in.rawRequest("POST", "/sessions/"+tb.sessionID+"/audio", tb.gm, ct, large, sized)
		if status != http.StatusRequestEntityTooLarge || code != "body_too_large" {
			t.Errorf("sized %v: upload of %d bytes = %d %s, want 413 body_too_large", sized, len(large), status, code)
		}
	}
	if recs := in.recordings(tb.sessionID, tb.gm); len(recs) != 0 || blobFiles(t, cfg.DataDir) != 0 {
		t.Errorf("after refused uploads: recordings %v, %d stored files; want none", recs, blobFiles(t, cfg.DataDir))
	}
	small, ct := form(testenv.WAV(silence(time.Second))) // 32 KB
	if status, code, _ := in.rawRequest("POST", "/sessions/"+tb.sessionID+"/audio", tb.gm, ct, small, false); status != http.StatusAccepted {
		t.Errorf("upload of %d bytes = %d %s, want 202", len(small), status, code)
	}
}

// TestRequestTimeouts: a request that runs past its class's limit is
// stopped and answered 504 request_timeout. A read limit of a nanosecond
// cuts every read at once, on both databases, while writes go on; an
// update that waits for a lock another transaction holds (PostgreSQL's
// row lock, SQLite's write lock) is cancelled at the write limit and
// changes nothing.
func TestRequestTimeouts(t *testing.T) {
	t.Parallel()
	for _, db := range bothDatabases() {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			cfg := db.cfg(t)
			cfg.RequestTimeouts = map[string]time.Duration{"read": time.Nanosecond}
			in := startInstance(t, cfg)
			_, gm := in.signUp("gm@example.com")
			cid := in.call("POST", "/campaigns", gm, map[string]any{"name": "Kept"}, 201)["id"].(string)
			status, raw := in.send("GET", "/campaigns/"+cid, gm, nil)
			var p struct{ Code, Detail string }
			_ = json.Unmarshal(raw, &p)
			if status != http.StatusGatewayTimeout || p.Code != "request_timeout" || !strings.Contains(p.Detail, "read") {
				t.Errorf("GET with a 1 ns read limit = %d %s, want 504 request_timeout naming the class", status, raw)
			}
			in.call("PATCH", "/campaigns/"+cid, gm, map[string]any{"name": "Renamed"}, 200)
		})
	}

	// hold keeps the campaign from being written until release: a row
	// lock on PostgreSQL, the database's write lock on SQLite.
	for _, tc := range []struct {
		name string
		cfg  func(t *testing.T) config.Config
		hold func(t *testing.T, cfg config.Config, campaignID string) (release func())
	}{
		{"sqlite write lock", func(t *testing.T) config.Config { return config.Config{DataDir: t.TempDir()} },
			func(t *testing.T, cfg config.Config, _ string) func() {
				db, err := sql.Open("sqlite", filepath.Join(cfg.DataDir, "gmc.db"))
				if err != nil {
					t.Fatal(err)
				}
				conn, err := db.Conn(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
					t.Fatal(err)
				}
				return func() {
					if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
						t.Error(err)
					}
					conn.Close()
					db.Close()
				}
			}},
		{"postgres row lock", func(t *testing.T) config.Config { return config.Config{DatabaseURL: testenv.PostgresSchema(t)} },
			func(t *testing.T, cfg config.Config, campaignID string) func() {
				ctx := context.Background()
				conn, err := pgx.Connect(ctx, cfg.DatabaseURL)
				if err != nil {
					t.Fatal(err)
				}
				tx, err := conn.Begin(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := tx.Exec(ctx, "SELECT 1 FROM campaigns WHERE id = $1 FOR UPDATE", campaignID); err != nil {
					t.Fatal(err)
				}
				return func() {
					if err := tx.Rollback(ctx); err != nil {
						t.Error(err)
					}
					conn.Close(ctx)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			const limit = 2 * time.Second
			cfg := tc.cfg(t)
			cfg.RequestTimeouts = map[string]time.Duration{"write": limit}
			in := startInstance(t, cfg)
			_, gm := in.signUp("gm@example.com")
			cid := in.call("POST", "/campaigns", gm, map[string]any{"name": "Before"}, 201)["id"].(string)
			release := tc.hold(t, cfg, cid)
			// A server that never stops the update would wait for the lock
			// for ever: the client gives up well after the limit instead.
			rctx, cancel := context.WithTimeout(context.Background(), limit+10*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(rctx, "PATCH", in.base+"/campaigns/"+cid, strings.NewReader(`{"name":"After"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+gm)
			start := time.Now()
			res, err := http.DefaultClient.Do(req)
			took := time.Since(start)
			release()
			if err != nil {
				t.Fatalf("PATCH behind a held lock: %v after %v; want it stopped at the %v limit", err, took, limit)
			}
			raw, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusGatewayTimeout || !strings.Contains(string(raw), "request_timeout") {
				t.Errorf("PATCH behind a held lock = %d %s, want 504 request_timeout", res.StatusCode, raw)
			}
			if took < limit || took > limit+5*time.Second {
				t.Errorf("PATCH answered after %v, want about the %v limit", took, limit)
			}
			if got := in.call("GET", "/campaigns/"+cid, gm, nil, 200); got["name"] != "Before" {
				t.Errorf("campaign after the stopped update: %v, want its name unchanged", got["name"])
			}
			// The stopped statement holds nothing: the same update now works.
			in.call("PATCH", "/campaigns/"+cid, gm, map[string]any{"name": "After"}, 200)
		})
	}
}

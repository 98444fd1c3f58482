package httpapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/blob"
	"github.com/gmc-project/gmc/internal/blob/s3test"
	"github.com/gmc-project/gmc/internal/clamd"
	"github.com/gmc-project/gmc/internal/clamd/clamdtest"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/store"
)

// Contents that start as each accepted type does, padded so that ranges
// have something to cut.
var (
	pngFile  = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + strings.Repeat("p", 200)
	jpegFile = "\xff\xd8\xff\xe0\x00\x10JFIF\x00" + strings.Repeat("j", 200)
	webpFile = "RIFF\xd0\x00\x00\x00WEBPVP8 " + strings.Repeat("w", 200)
	gifFile  = "GIF89a\x01\x00\x01\x00" + strings.Repeat("g", 200)
	pdfFile  = "%PDF-1.7\n" + strings.Repeat("%", 200)
	wavFile  = "RIFF\xd0\x00\x00\x00WAVEfmt " + strings.Repeat("\x00", 200)
	flacFile = "fLaC\x00\x00\x00\x22" + strings.Repeat("f", 200)
	oggFile  = "OggS\x00\x02\x00\x00" + strings.Repeat("o", 200)
	mp3File  = "ID3\x04\x00\x00\x00\x00\x01\x00" + strings.Repeat("m", 200)
)

// upload posts a multipart form: fields, and content as the file part
// named name with the declared type.
func upload(c *client, token, path string, fields map[string]string, name, declared, content string) response {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	h := textproto.MIMEHeader{}
	// Written by hand so that any name, even one with quotes, is sent
	// as a client might.
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+strings.NewReplacer(`"`, `%22`, "\r", "%0D", "\n", "%0A").Replace(name)+`"`)
	h.Set("Content-Type", declared)
	part, err := mw.CreatePart(h)
	if err != nil {
		c.t.Fatal(err)
	}
	part.Write([]byte(content))
	mw.Close()
	return c.do("POST", path, token, buf.Bytes(), "Content-Type", mw.FormDataContentType())
}

// blobFiles lists the files below a directory store's root.
func blobFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// fileServer is a server whose file store is a directory the test sees.
func fileServer(t *testing.T, open func(t testing.TB) store.Store, opts serverOpts) (*client, string) {
	t.Helper()
	root := t.TempDir()
	d, err := blob.NewDir(root, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	opts.blobs = d
	return newServer(t, open, opts), root
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// contentKey is where a file's content is kept: its SHA-256, nothing a
// client names.
var contentKey = regexp.MustCompile(`^sha256/[0-9a-f]{2}/[0-9a-f]{62}$`)

// TestFileTypes uploads each accepted type as the kind it suits and
// reads it back with the headers a browser must get.
func TestFileTypes(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c, root := fileServer(t, b.open, serverOpts{})
			p := newParty(t, c)
			gm := p.token["gm"]
			npc := p.character(map[string]any{"name": "Ireena", "character_type": "npc", "visibility": "players"})
			loc := p.location("Barovia", "", "players")
			sid := c.must(201, "POST", p.path("/sessions"), gm, map[string]any{"title": "One"}).str("id")
			tests := []struct {
				name, content, kind, attach, attachID, want, disposition string
			}{
				{"face.png", pngFile, "portrait", "character_id", npc, "image/png", "inline"},
				{"face.jpg", jpegFile, "portrait", "character_id", npc, "image/jpeg", "inline"},
				{"map.webp", webpFile, "map", "location_id", loc, "image/webp", "inline"},
				{"map.gif", gifFile, "map", "location_id", loc, "image/gif", "inline"},
				{"map.pdf", pdfFile, "map", "location_id", loc, "application/pdf", "attachment"},
				{"table.wav", wavFile, "recording", "session_id", sid, "audio/wav", "attachment"},
				{"table.flac", flacFile, "recording", "session_id", sid, "audio/flac", "attachment"},
				{"table.ogg", oggFile, "recording", "session_id", sid, "audio/ogg", "attachment"},
				{"theme.mp3", mp3File, "handout", "", "", "audio/mpeg", "attachment"},
				// The declared type and the name do not matter; the content does.
				{"letter.txt", pdfFile, "handout", "", "", "application/pdf", "attachment"},
			}
			for _, tc := range tests {
				fields := map[string]string{"kind": tc.kind}
				if tc.attach != "" {
					fields[tc.attach] = tc.attachID
				}
				r := upload(c, gm, p.path("/files"), fields, tc.name, "application/octet-stream", tc.content)
				if r.status != 201 {
					t.Errorf("%s: upload = %d %s", tc.name, r.status, r.raw)
					continue
				}
				id := r.str("id")
				if r.str("content_type") != tc.want || r.str("sha256") != sha(tc.content) || r.body["size"] != float64(len(tc.content)) ||
					r.str("name") != tc.name || r.str("kind") != tc.kind || tc.attach != "" && r.str(tc.attach) != tc.attachID {
					t.Errorf("%s: upload answered %s", tc.name, r.raw)
				}
				if r.header.Get("Location") != "/api/v1/files/"+id {
					t.Errorf("%s: Location = %q", tc.name, r.header.Get("Location"))
				}
				// Recordings are the GM's unless the GM says otherwise.
				reader := p.token["player"]
				if tc.kind == "recording" {
					reader = gm
					if r.str("visibility") != "gm" || c.do("GET", "/api/v1/files/"+id, p.token["player"], nil).status != 404 {
						t.Errorf("%s: a recording is %q and a player reads it; want gm only by default", tc.name, r.str("visibility"))
					}
				}
				got := c.do("GET", "/api/v1/files/"+id, reader, nil)
				h := got.header
				if got.status != 200 || string(got.raw) != tc.content {
					t.Errorf("%s: GET = %d, %d bytes; want 200 and the %d bytes sent", tc.name, got.status, len(got.raw), len(tc.content))
				}
				if h.Get("Content-Type") != tc.want || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("ETag") != `"`+sha(tc.content)+`"` ||
					h.Get("Accept-Ranges") != "bytes" || !strings.HasPrefix(h.Get("Content-Disposition"), tc.disposition+"; filename=") {
					t.Errorf("%s: headers %v", tc.name, h)
				}
			}
			// letter.txt is map.pdf's content, stored once.
			keys := blobFiles(t, root)
			if len(keys) != len(tests)-1 {
				t.Errorf("blobs stored = %d, want %d", len(keys), len(tests)-1)
			}
			for _, k := range keys {
				if !contentKey.MatchString(k) {
					t.Errorf("blob at %q, want sha256/<content hash>", k)
				}
			}
			list := c.must(200, "GET", p.path("/files?kind=recording&attached_to="+sid), gm, nil)
			if items, _ := list.body["files"].([]any); len(items) != 3 {
				t.Errorf("recordings of the session = %d, want 3: %s", len(items), list.raw)
			}
			if r := c.do("GET", p.path("/files?kind=song"), gm, nil); r.status != 422 || !strings.Contains(string(r.raw), "query.kind") {
				t.Errorf("list with a bad kind = %d %s, want 422 naming query.kind", r.status, r.raw)
			}
		})
	}
}

// TestFileRefusals: what is refused is refused with the right status
// and names the field, and nothing of it is stored.
func TestFileRefusals(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			const max, quota = 4096, 10000
			c, root := fileServer(t, b.open, serverOpts{files: service.FileLimits{MaxBytes: max, QuotaBytes: quota}})
			p := newParty(t, c)
			gm, player := p.token["gm"], p.token["player"]
			npc := p.character(map[string]any{"name": "Strahd", "character_type": "npc", "visibility": "players"})
			loc := p.location("Castle", "", "players")
			sid := c.must(201, "POST", p.path("/sessions"), gm, map[string]any{"title": "One"}).str("id")
			_, other, _ := c.signUp("other-gm@example.com")
			ocid := c.must(201, "POST", "/api/v1/campaigns", other, map[string]any{"name": "Elsewhere"}).str("id")
			theirNPC := c.must(201, "POST", "/api/v1/campaigns/"+ocid+"/characters", other, map[string]any{"name": "Theirs", "character_type": "npc"}).str("id")
			exe := "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + strings.Repeat("\x00", 100)
			big := pngFile[:16] + strings.Repeat("x", max-15)
			tests := []struct {
				name     string
				token    string
				fields   map[string]string
				file     string
				declared string
				content  string
				status   int
				code     string
				field    string
			}{
				{"renamed exe", gm, map[string]string{"kind": "handout"}, "portrait.png", "image/png", exe, 415, "unsupported_file_type", "form.file"},
				{"html as an image", gm, map[string]string{"kind": "handout"}, "map.png", "image/png", "<html><script>alert(1)</script>", 415, "unsupported_file_type", "form.file"},
				{"svg", gm, map[string]string{"kind": "handout"}, "map.svg", "image/svg+xml", "<svg xmlns='http://www.w3.org/2000/svg'/>", 415, "unsupported_file_type", "form.file"},
				{"empty", gm, map[string]string{"kind": "handout"}, "empty.png", "image/png", "", 415, "unsupported_file_type", "form.file"},
				{"pdf as a portrait", gm, map[string]string{"kind": "portrait", "character_id": npc}, "face.pdf", "application/pdf", pdfFile, 415, "unsupported_file_type", "form.file"},
				{"image as a recording", gm, map[string]string{"kind": "recording", "session_id": sid}, "x.png", "image/png", pngFile, 415, "unsupported_file_type", "form.file"},
				{"one byte too big", gm, map[string]string{"kind": "handout"}, "big.png", "image/png", big, 413, "file_too_large", ""},
				{"unknown kind", gm, map[string]string{"kind": "song"}, "a.png", "image/png", pngFile, 422, "", "form.kind"},
				{"portrait of a location", gm, map[string]string{"kind": "portrait", "location_id": loc}, "a.png", "image/png", pngFile, 422, "", "form.character_id"},
				{"map of a session", gm, map[string]string{"kind": "map", "session_id": sid}, "a.png", "image/png", pngFile, 422, "", "form.location_id"},
				{"handout attached", gm, map[string]string{"kind": "handout", "session_id": sid}, "a.png", "image/png", pngFile, 422, "", "form.kind"},
				{"portrait of another campaign's NPC", gm, map[string]string{"kind": "portrait", "character_id": theirNPC}, "a.png", "image/png", pngFile, 422, "", "form.character_id"},
				{"map of no location", gm, map[string]string{"kind": "map", "location_id": "01900000-0000-7000-8000-000000000000"}, "a.png", "image/png", pngFile, 422, "", "form.location_id"},
				{"bad visibility", gm, map[string]string{"kind": "handout", "visibility": "everyone"}, "a.png", "image/png", pngFile, 422, "", "form.visibility"},
				{"player's GM-only file", player, map[string]string{"kind": "handout", "visibility": "gm"}, "a.png", "image/png", pngFile, 403, "role_too_low", ""},
				{"player's map", player, map[string]string{"kind": "map", "location_id": loc}, "a.png", "image/png", pngFile, 403, "role_too_low", ""},
				{"player's portrait of an NPC", player, map[string]string{"kind": "portrait", "character_id": npc}, "a.png", "image/png", pngFile, 403, "not_your_character", ""},
				{"observer", p.token["observer"], map[string]string{"kind": "handout"}, "a.png", "image/png", pngFile, 403, "role_too_low", ""},
				{"outsider", p.token["outsider"], map[string]string{"kind": "handout"}, "a.png", "image/png", pngFile, 404, "campaign_not_found", ""},
			}
			for _, tc := range tests {
				r := upload(c, tc.token, p.path("/files"), tc.fields, tc.file, tc.declared, tc.content)
				if r.status != tc.status || tc.code != "" && r.str("code") != tc.code || tc.field != "" && !strings.Contains(string(r.raw), tc.field) {
					t.Errorf("%s: upload = %d %s; want %d %s naming %q", tc.name, r.status, r.raw, tc.status, tc.code, tc.field)
				}
			}
			if keys := blobFiles(t, root); len(keys) != 0 {
				t.Fatalf("blobs after refused uploads: %v", keys)
			}

			// The limit itself is accepted; then the quota counts.
			exact := pngFile[:16] + strings.Repeat("x", max-16)
			for range 2 {
				if r := upload(c, gm, p.path("/files"), map[string]string{"kind": "handout"}, "a.png", "image/png", exact); r.status != 201 {
					t.Fatalf("upload at the limit = %d %s", r.status, r.raw)
				}
			}
			r := upload(c, gm, p.path("/files"), map[string]string{"kind": "handout"}, "a.png", "image/png", exact)
			if r.status != 413 || r.str("code") != "quota_exceeded" || !strings.Contains(r.str("detail"), "8192 of its 10000 bytes") {
				t.Errorf("upload over the quota = %d %s; want 413 quota_exceeded saying what is used", r.status, r.raw)
			}
			small := pngFile[:16] + strings.Repeat("s", 1000)
			if r := upload(c, gm, p.path("/files"), map[string]string{"kind": "handout"}, "a.png", "image/png", small); r.status != 201 {
				t.Errorf("upload that fits the quota = %d %s", r.status, r.raw)
			}
			// The two uploads at the limit are one content, stored once
			// (each counts in the quota all the same).
			if keys := blobFiles(t, root); len(keys) != 2 {
				t.Errorf("blobs = %v, want the 2 contents of the 3 accepted", keys)
			}
		})
	}
}

// TestFileAccess: who sees and deletes which file, ranges, and names
// that look like paths.
func TestFileAccess(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c, root := fileServer(t, b.open, serverOpts{})
			p := newParty(t, c)
			gm, player, owner := p.token["gm"], p.token["player"], p.token["owner"]
			secretNPC := p.character(map[string]any{"name": "Hidden", "character_type": "npc", "visibility": "gm"})
			pc := c.must(201, "POST", p.path("/characters"), owner, map[string]any{"name": "Ezmerelda", "character_type": "pc"}).str("id")
			hiddenRoom := p.location("Crypt", "", "gm")
			id := func(r response) string {
				t.Helper()
				if r.status != 201 {
					t.Fatalf("upload = %d %s", r.status, r.raw)
				}
				return r.str("id")
			}
			gmOnly := id(upload(c, gm, p.path("/files"), map[string]string{"kind": "handout", "visibility": "gm"}, "plan.pdf", "application/pdf", pdfFile))
			ofSecretNPC := id(upload(c, gm, p.path("/files"), map[string]string{"kind": "portrait", "character_id": secretNPC, "visibility": "players"}, "v.png", "image/png", pngFile))
			ofHiddenRoom := id(upload(c, gm, p.path("/files"), map[string]string{"kind": "map", "location_id": hiddenRoom}, "crypt.png", "image/png", pngFile))
			public := id(upload(c, gm, p.path("/files"), map[string]string{"kind": "handout"}, "letter.pdf", "application/pdf", pdfFile))
			portrait := id(upload(c, owner, p.path("/files"), map[string]string{"kind": "portrait", "character_id": pc}, "me.jpg", "image/jpeg", jpegFile))
			_, other, _ := c.signUp("other-gm@example.com")

			checks := []struct {
				name, token, method, id string
				want                    int
			}{
				{"player reads GM-only", player, "GET", gmOnly, 404},
				{"observer reads GM-only", p.token["observer"], "GET", gmOnly, 404},
				{"player reads a portrait of a GM-only NPC", player, "GET", ofSecretNPC, 404},
				{"player reads a map of a GM-only place", player, "GET", ofHiddenRoom, 404},
				{"GM reads GM-only", gm, "GET", gmOnly, 200},
				{"player reads public", player, "GET", public, 200},
				{"observer reads a PC portrait", p.token["observer"], "GET", portrait, 200},
				{"outsider reads public", p.token["outsider"], "GET", public, 404},
				{"other GM reads public", other, "GET", public, 404},
				{"no such file", gm, "GET", "01900000-0000-7000-8000-000000000000", 404},
				{"malformed id", gm, "GET", "..%2F..%2Fetc%2Fpasswd", 422},
				{"player deletes GM-only", player, "DELETE", gmOnly, 404},
				{"player deletes the GM's", player, "DELETE", public, 403},
				{"other player deletes a portrait", player, "DELETE", portrait, 403},
				{"uploader deletes own", owner, "DELETE", portrait, 204},
				{"GM deletes", gm, "DELETE", public, 204},
				{"GM deletes again", gm, "DELETE", public, 404},
				{"GM reads deleted", gm, "GET", public, 404},
			}
			for _, ck := range checks {
				if r := c.do(ck.method, "/api/v1/files/"+ck.id, ck.token, nil); r.status != ck.want {
					t.Errorf("%s: %s = %d %s, want %d", ck.name, ck.method, r.status, r.raw, ck.want)
				}
			}
			for _, k := range blobFiles(t, root) {
				if strings.HasSuffix(k, public) || strings.HasSuffix(k, portrait) {
					t.Errorf("blob %s outlived its file", k)
				}
			}
			seen := c.must(200, "GET", p.path("/files"), player, nil)
			if items, _ := seen.body["files"].([]any); len(items) != 0 {
				t.Errorf("player's list = %s, want none (GM-only, or attached to what they cannot see)", seen.raw)
			}
			if items, _ := c.must(200, "GET", p.path("/files"), gm, nil).body["files"].([]any); len(items) != 3 {
				t.Errorf("GM's list = %d files, want 3", len(items))
			}
		})
	}
}

func TestFileRanges(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c, _ := fileServer(t, b.open, serverOpts{})
			p := newParty(t, c)
			r := upload(c, p.token["gm"], p.path("/files"), map[string]string{"kind": "handout"}, "theme.mp3", "audio/mpeg", mp3File)
			path := "/api/v1/files/" + r.str("id")
			etag := `"` + sha(mp3File) + `"`
			tests := []struct {
				name    string
				headers []string
				status  int
				body    string
				cr      string
			}{
				{"first bytes", []string{"Range", "bytes=0-9"}, 206, mp3File[:10], "bytes 0-9/210"},
				{"middle", []string{"Range", "bytes=100-149"}, 206, mp3File[100:150], "bytes 100-149/210"},
				{"suffix", []string{"Range", "bytes=-5"}, 206, mp3File[205:], "bytes 205-209/210"},
				{"open end", []string{"Range", "bytes=200-"}, 206, mp3File[200:], "bytes 200-209/210"},
				{"past the end", []string{"Range", "bytes=500-600"}, 416, "", "bytes */210"},
				{"same version", []string{"If-None-Match", etag}, 304, "", ""},
				{"If-Range matching", []string{"Range", "bytes=0-1", "If-Range", etag}, 206, mp3File[:2], "bytes 0-1/210"},
				{"If-Range stale", []string{"Range", "bytes=0-1", "If-Range", `"old"`}, 200, mp3File, ""},
			}
			for _, tc := range tests {
				got := c.do("GET", path, p.token["player"], nil, tc.headers...)
				if got.status != tc.status || tc.body != "" && string(got.raw) != tc.body || got.header.Get("Content-Range") != tc.cr {
					t.Errorf("%s: %d %q (Content-Range %q); want %d %q (%q)", tc.name, got.status, got.raw, got.header.Get("Content-Range"),
						tc.status, tc.body, tc.cr)
				}
			}
		})
	}
}

// TestFileNames: a client's file name is shown and offered for download,
// never used as a path, and cannot break the headers it goes into.
func TestFileNames(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c, root := fileServer(t, b.open, serverOpts{})
			p := newParty(t, c)
			tests := []struct{ sent, stored string }{
				{"../../../etc/passwd.png", "passwd.png"},
				{`..\..\windows\win.ini.png`, "win.ini.png"},
				{"/abs/olute.png", "olute.png"},
				{"..", "file"},
				{"a/b/../../c.png", "c.png"},
				// Browsers send a quote in a name as %22.
				{"quote\".png", "quote%22.png"},
				{strings.Repeat("é", 300) + ".png", strings.Repeat("é", 255)},
				{"carte du monde é.png", "carte du monde é.png"},
			}
			for _, tc := range tests {
				r := upload(c, p.token["gm"], p.path("/files"), map[string]string{"kind": "handout"}, tc.sent, "image/png", pngFile)
				if r.status != 201 || r.str("name") != tc.stored {
					t.Errorf("upload named %q = %d, name %q; want 201 and %q", tc.sent, r.status, r.str("name"), tc.stored)
					continue
				}
				got := c.do("GET", "/api/v1/files/"+r.str("id"), p.token["player"], nil)
				cd := got.header.Get("Content-Disposition")
				if got.status != 200 || strings.ContainsAny(cd, "/\\\r\n\x00") || !strings.HasPrefix(cd, "inline; filename") {
					t.Errorf("name %q: Content-Disposition %q", tc.sent, cd)
				}
			}
			for _, k := range blobFiles(t, root) {
				if !contentKey.MatchString(k) {
					t.Errorf("blob at %q, want sha256/<content hash>", k)
				}
			}
		})
	}
}

// TestFileVirusScan runs uploads past a loopback clamd: a clean file is
// stored, the EICAR test file is refused, and with no scanner answering
// nothing is stored (503) rather than a file stored unscanned.
func TestFileVirusScan(t *testing.T) {
	t.Parallel()
	// A port nothing listens on: take one and close it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	unreachable := ln.Addr().String()
	ln.Close()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			srv := clamdtest.Start(t)
			c, root := fileServer(t, b.open, serverOpts{scanner: &clamd.Client{Addr: srv.Addr}})
			p := newParty(t, c)
			gm := p.token["gm"]
			if r := upload(c, gm, p.path("/files"), map[string]string{"kind": "handout"}, "clean.png", "image/png", pngFile); r.status != 201 {
				t.Errorf("clean upload = %d %s", r.status, r.raw)
			}
			infected := pngFile + clamdtest.EICAR
			r := upload(c, gm, p.path("/files"), map[string]string{"kind": "handout"}, "infected.png", "image/png", infected)
			if r.status != 422 || r.str("code") != "file_infected" || !strings.Contains(r.str("detail"), "Eicar-Test-Signature") {
				t.Errorf("infected upload = %d %s; want 422 file_infected naming the signature", r.status, r.raw)
			}
			if srv.Scans.Load() != 2 {
				t.Errorf("clamd scanned %d streams, want 2", srv.Scans.Load())
			}
			if keys := blobFiles(t, root); len(keys) != 1 {
				t.Errorf("blobs = %v, want the clean file's only", keys)
			}

			down, downRoot := fileServer(t, b.open, serverOpts{scanner: &clamd.Client{Addr: unreachable}})
			q := newParty(t, down)
			r = upload(down, q.token["gm"], q.path("/files"), map[string]string{"kind": "handout"}, "clean.png", "image/png", pngFile)
			if r.status != 503 || r.str("code") != "virus_scanner_unavailable" {
				t.Errorf("upload with clamd down = %d %s; want 503 virus_scanner_unavailable", r.status, r.raw)
			}
			if keys := blobFiles(t, downRoot); len(keys) != 0 {
				t.Errorf("blobs with clamd down = %v, want none", keys)
			}
			if items, _ := down.must(200, "GET", q.path("/files"), q.token["gm"], nil).body["files"].([]any); len(items) != 0 {
				t.Errorf("files with clamd down = %d, want none", len(items))
			}
		})
	}
}

// TestFilesOnS3 goes through upload, ranged download and deletion with
// the S3 backend, on a loopback S3 server.
func TestFilesOnS3(t *testing.T) {
	t.Parallel()
	endpoint := s3test.Start(t, "id", "secret")
	s3, err := blob.NewS3(context.Background(), blob.S3Config{Endpoint: endpoint, Bucket: "gmc-files",
		AccessKey: "id", SecretKey: "secret", Insecure: true}, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	c := newServer(t, backends[0].open, serverOpts{blobs: s3})
	p := newParty(t, c)
	r := upload(c, p.token["gm"], p.path("/files"), map[string]string{"kind": "handout"}, "letter.pdf", "application/pdf", pdfFile)
	if r.status != 201 {
		t.Fatalf("upload = %d %s", r.status, r.raw)
	}
	path := "/api/v1/files/" + r.str("id")
	if got := c.do("GET", path, p.token["player"], nil, "Range", "bytes=5-14"); got.status != 206 || string(got.raw) != pdfFile[5:15] {
		t.Errorf("ranged GET = %d %q, want 206 %q", got.status, got.raw, pdfFile[5:15])
	}
	if got := c.do("GET", path, p.token["player"], nil); got.status != 200 || string(got.raw) != pdfFile ||
		got.header.Get("Content-Type") != "application/pdf" {
		t.Errorf("GET = %d, %d bytes, %s", got.status, len(got.raw), got.header.Get("Content-Type"))
	}
	c.must(204, "DELETE", path, p.token["gm"], nil)
	if _, err := s3.Stat(context.Background(), "files/"+p.campaign+"/"+r.str("id")); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("S3 object after delete: %v, want ErrNotFound", err)
	}
}

// TestFileBodyLimit: a body far over the file limit is refused whether
// its length is announced or not (chunked), before it is stored.
func TestFileBodyLimit(t *testing.T) {
	t.Parallel()
	c, root := fileServer(t, backends[0].open, serverOpts{files: service.FileLimits{MaxBytes: 1000}})
	p := newParty(t, c)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("kind", "handout")
	fw, _ := mw.CreateFormFile("file", "huge.png")
	fw.Write([]byte(pngFile + strings.Repeat("x", 2<<20)))
	mw.Close()
	for _, chunked := range []bool{false, true} {
		var body io.Reader = bytes.NewReader(buf.Bytes())
		if chunked {
			body = struct{ io.Reader }{body} // hides the length
		}
		req, err := http.NewRequest("POST", c.base+p.path("/files"), body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+p.token["gm"])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 413 || !strings.Contains(string(raw), "body_too_large") {
			t.Errorf("chunked %v: %d %s, want 413 body_too_large", chunked, res.StatusCode, raw)
		}
	}
	if keys := blobFiles(t, root); len(keys) != 0 {
		t.Errorf("blobs = %v, want none", keys)
	}
}

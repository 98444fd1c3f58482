package httpapi_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// schemaAt follows a path of keys from the root of a decoded JSON
// document, resolving $ref on the way.
func schemaAt(t *testing.T, doc map[string]any, path ...string) map[string]any {
	t.Helper()
	return walk(t, doc, doc, path...)
}

// walk follows path from cur, resolving $ref against root.
func walk(t *testing.T, root, cur map[string]any, path ...string) map[string]any {
	t.Helper()
	resolve := func(m map[string]any) map[string]any {
		if ref, ok := m["$ref"].(string); ok {
			return walk(t, root, root, strings.Split(strings.TrimPrefix(ref, "#/"), "/")...)
		}
		return m
	}
	for _, key := range path {
		next, ok := resolve(cur)[key].(map[string]any)
		if !ok {
			t.Fatalf("document has no %v (at %q)", path, key)
		}
		cur = next
	}
	return resolve(cur)
}

// queryParam returns an operation's query parameter.
func queryParam(t *testing.T, doc map[string]any, path, method, name string) map[string]any {
	t.Helper()
	op := schemaAt(t, doc, "paths", path, method)
	for _, p := range op["parameters"].([]any) {
		if m := p.(map[string]any); m["name"] == name && m["in"] == "query" {
			return m
		}
	}
	t.Fatalf("%s %s has no query parameter %s", method, path, name)
	return nil
}

// TestSchemaAgreesWithServer: each constraint the server enforces is in
// the OpenAPI document, and a value the schema allows is accepted while
// one it does not is refused, on both backends.
func TestSchemaAgreesWithServer(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			doc := c.must(200, "GET", "/api/v1/openapi.json", "", nil).body
			_, gm, _ := c.signUp("gm@example.com")
			cid := c.must(201, "POST", "/api/v1/campaigns", gm, map[string]any{"name": "Barovia"}).str("id")
			char := func(name string) string {
				return c.must(201, "POST", "/api/v1/campaigns/"+cid+"/characters", gm, map[string]any{"name": name, "character_type": "npc"}).str("id")
			}
			ismark, ireena := char("Ismark"), char("Ireena")
			body := func(schema string) map[string]any {
				return schemaAt(t, doc, "components", "schemas", schema, "properties")
			}
			settings := func(field string) map[string]any {
				return walk(t, doc, body("CampaignBody"), "settings", "properties", field)
			}
			tests := []struct {
				name           string
				schemaSays     func() bool
				method, path   string
				accepted       any
				refused        any
				refusedAt      string
				acceptedStatus int
			}{
				{"reminder_sessions 1..100", func() bool {
					return settings("reminder_sessions")["minimum"] == 1.0 && settings("reminder_sessions")["maximum"] == 100.0
				},
					"POST", "/api/v1/campaigns", map[string]any{"name": "a", "settings": map[string]any{"reminder_sessions": 100, "keyword_threshold": 0.5}},
					map[string]any{"name": "a", "settings": map[string]any{"reminder_sessions": 101, "keyword_threshold": 0.5}}, "body.settings.reminder_sessions", 201},
				{"keyword_threshold 0..1", func() bool {
					return settings("keyword_threshold")["minimum"] == 0.0 && settings("keyword_threshold")["maximum"] == 1.0
				},
					"POST", "/api/v1/campaigns", map[string]any{"name": "a", "settings": map[string]any{"reminder_sessions": 1, "keyword_threshold": 1}},
					map[string]any{"name": "a", "settings": map[string]any{"reminder_sessions": 1, "keyword_threshold": 1.5}}, "body.settings.keyword_threshold", 201},
				{"ai_tokens_per_month a whole number from 0", func() bool {
					return settings("ai_tokens_per_month")["minimum"] == 0.0 && settings("ai_tokens_per_month")["type"] == "integer"
				},
					"POST", "/api/v1/campaigns", map[string]any{"name": "a", "settings": map[string]any{"reminder_sessions": 1, "keyword_threshold": 0.5, "ai_tokens_per_month": 1000}},
					map[string]any{"name": "a", "settings": map[string]any{"reminder_sessions": 1, "keyword_threshold": 0.5, "ai_tokens_per_month": -1}}, "body.settings.ai_tokens_per_month", 201},
				{"relationship kind pattern", func() bool {
					p, _ := walk(t, doc, body("RelationshipCreateInputBody"), "kind")["pattern"].(string)
					re, err := regexp.Compile(p)
					return err == nil && re.MatchString("sworn_enemy2") && !re.MatchString("Sworn-Enemy")
				}, "POST", "/api/v1/characters/" + ismark + "/relationships", map[string]any{"target_id": ireena, "kind": "sworn_enemy2"},
					map[string]any{"target_id": ireena, "kind": "Sworn-Enemy"}, "body.kind", 201},
				{"register email format", func() bool { return walk(t, doc, body("RegisterInputBody"), "email")["format"] == "email" },
					"POST", "/api/v1/auth/register", map[string]any{"email": "player@example.com", "password": "correct horse battery", "display_name": "P"},
					map[string]any{"email": "player.example.com", "password": "correct horse battery", "display_name": "P"}, "body.email", 201},
				{"patch-me email format", func() bool { return walk(t, doc, body("MePatchInputBody"), "email")["format"] == "email" },
					"PATCH", "/api/v1/users/me", map[string]any{"display_name": "GM"}, map[string]any{"email": "nobody", "current_password": "correct horse battery"}, "body.email", 200},
				{"character_ids are uuids", func() bool { return walk(t, doc, body("PlotBody"), "character_ids", "items")["format"] == "uuid" },
					"POST", "/api/v1/campaigns/" + cid + "/plots", map[string]any{"title": "Escape", "character_ids": []string{ismark}},
					map[string]any{"title": "Escape", "character_ids": []string{"ismark"}}, "body.character_ids[0]", 201},
				{"location_ids are uuids", func() bool {
					return walk(t, doc, body("PlotPatchInputBody"), "location_ids", "items")["format"] == "uuid"
				},
					"POST", "/api/v1/campaigns/" + cid + "/plots", map[string]any{"title": "Hide"},
					map[string]any{"title": "Hide", "location_ids": []string{"nowhere"}}, "body.location_ids[0]", 201},
				{"stats is an object", func() bool { return walk(t, doc, body("CharacterBody"), "stats")["type"] == "object" },
					"POST", "/api/v1/campaigns/" + cid + "/characters", map[string]any{"name": "Doru", "character_type": "npc", "stats": map[string]any{"hp": 3}},
					map[string]any{"name": "Doru", "character_type": "npc", "stats": []int{3}}, "body.stats", 201},
				{"search q required", func() bool {
					q := queryParam(t, doc, "/api/v1/campaigns/{campaign_id}/search", "get", "q")
					return q["required"] == true && walk(t, doc, q, "schema")["minLength"] == 1.0
				}, "GET", "/api/v1/campaigns/" + cid + "/search?q=ismark", nil, nil, "query.q", 200},
				{"reference search q required", func() bool { return queryParam(t, doc, "/api/v1/reference/search", "get", "q")["required"] == true },
					"GET", "/api/v1/reference/search?q=fire", nil, nil, "query.q", 200},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					if !tt.schemaSays() {
						t.Fatal("the schema does not state the constraint")
					}
					c.must(tt.acceptedStatus, tt.method, tt.path, gm, tt.accepted)
					refusedPath := tt.path
					if tt.method == "GET" {
						refusedPath = tt.path[:strings.Index(tt.path, "?")]
						for _, q := range []string{"", "?q=%20%20"} {
							checkRefused(t, c.must(422, "GET", refusedPath+q, gm, nil), tt.refusedAt)
						}
						return
					}
					checkRefused(t, c.must(422, tt.method, refusedPath, gm, tt.refused), tt.refusedAt)
				})
			}
		})
	}
}

func checkRefused(t *testing.T, r response, location string) {
	t.Helper()
	errs, _ := r.body["errors"].([]any)
	for _, e := range errs {
		if e.(map[string]any)["location"] == location {
			return
		}
	}
	t.Errorf("422 does not name %s: %s", location, r.raw)
}

// TestOpenAPIDescribesBodies: export and import are described as the
// export document, free-form fields as objects, and only request bodies
// are closed to unknown fields.
func TestOpenAPIDescribesBodies(t *testing.T) {
	t.Parallel()
	c := newServer(t, backends[0].open, serverOpts{})
	doc := c.must(200, "GET", "/api/v1/openapi.json", "", nil).body
	export := schemaAt(t, doc, "paths", "/api/v1/campaigns/{campaign_id}/export", "get", "responses", "200", "content")
	if ref := walk(t, doc, export, "application/json")["schema"].(map[string]any)["$ref"]; ref != "#/components/schemas/Bundle" {
		t.Errorf("export answers %v, want the Bundle", ref)
	}
	if md := walk(t, doc, export, "text/markdown", "schema"); md["type"] != "string" {
		t.Errorf("export's markdown is %v", md)
	}
	imp := schemaAt(t, doc, "paths", "/api/v1/campaigns/import", "post", "requestBody", "content", "application/json")
	if ref := imp["schema"].(map[string]any)["$ref"]; ref != "#/components/schemas/Bundle" {
		t.Errorf("import reads %v, want the Bundle", ref)
	}
	schemas := schemaAt(t, doc, "components", "schemas")
	for _, name := range []string{"Bundle", "Campaign", "Character", "Event", "Problem", "Location", "TokenPair"} {
		if ap, ok := walk(t, doc, schemas, name)["additionalProperties"]; ok && ap == false {
			t.Errorf("response schema %s is closed to new fields", name)
		}
	}
	for _, name := range []string{"CampaignBody", "CharacterBody", "CharacterPatchInputBody", "RegisterInputBody"} {
		if walk(t, doc, schemas, name)["additionalProperties"] != false {
			t.Errorf("request schema %s accepts unknown fields", name)
		}
	}
	for _, f := range []struct{ schema, field, want string }{
		{"Character", "stats", "object"}, {"Character", "notes", "object"}, {"Character", "gm_notes", "object"},
		{"Location", "metadata", "object"}, {"Location", "coordinates", "object"},
		{"CharacterPatchInputBody", "stats", "[object null]"}, {"LocationPatchInputBody", "metadata", "[object null]"},
	} {
		if got := fmt.Sprint(walk(t, doc, schemas, f.schema, "properties", f.field)["type"]); got != f.want {
			t.Errorf("%s.%s type = %s, want %s", f.schema, f.field, got, f.want)
		}
	}
	// An audit snapshot is the entity, or the list a change replaced.
	for _, field := range []string{"before", "after"} {
		if got := fmt.Sprint(walk(t, doc, schemas, "Event", "properties", field)["oneOf"]); got != "[map[type:object] map[items:map[type:object] type:array]]" {
			t.Errorf("Event.%s = %s", field, got)
		}
	}
}

// TestWrongMethod: a path that exists answers another method with 405 and
// Allow; an unknown path stays 404.
func TestWrongMethod(t *testing.T) {
	t.Parallel()
	c := newServer(t, backends[0].open, serverOpts{})
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/api/v1/auth/login", 405, "POST"},
		{"DELETE", "/api/v1/campaigns", 405, "GET, HEAD, POST"},
		{"POST", "/api/v1/users/me", 405, "GET, HEAD, PATCH, DELETE"},
		{"PUT", "/api/v1/sessions/019a0000-0000-7000-8000-000000000000/ws-ticket", 405, "POST"},
		{"POST", "/api/v1/docs", 405, "GET, HEAD"},
		{"GET", "/api/v1/no-such-thing", 404, ""},
		{"DELETE", "/nowhere", 404, ""},
	}
	for _, tt := range tests {
		r := c.must(tt.status, tt.method, tt.path, "", nil)
		if got := r.header.Get("Allow"); got != tt.allow {
			t.Errorf("%s %s: Allow = %q, want %q", tt.method, tt.path, got, tt.allow)
		}
		if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("%s %s: Content-Type = %q", tt.method, tt.path, ct)
		}
	}
}

// TestDocsOffline: the docs page loads only assets this server serves,
// with their content types, and its CSP allows nothing else.
func TestDocsOffline(t *testing.T) {
	t.Parallel()
	c := newServer(t, backends[0].open, serverOpts{})
	page := c.must(200, "GET", "/api/v1/docs", "", nil)
	csp := page.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "http") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP = %q", csp)
	}
	refs := regexp.MustCompile(`(?:src|href|apiDescriptionUrl)="([^"]*)"`).FindAllStringSubmatch(string(page.raw), -1)
	if len(refs) != 3 {
		t.Fatalf("page references %v, want a script, a stylesheet and the API description", refs)
	}
	wantType := map[string]string{".js": "text/javascript", ".css": "text/css", ".json": "application/openapi+json"}
	for _, ref := range refs {
		u := ref[1]
		if !strings.HasPrefix(u, "/") || strings.HasPrefix(u, "//") {
			t.Errorf("page loads %q from elsewhere", u)
			continue
		}
		r := c.must(200, "GET", u, "", nil)
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, wantType[filepath.Ext(u)]) {
			t.Errorf("%s served as %q", u, ct)
		}
		if len(r.raw) < 1000 {
			t.Errorf("%s is only %d bytes", u, len(r.raw))
		}
	}
	if lic := c.must(200, "GET", "/api/v1/docs/assets/LICENSE", "", nil); !strings.Contains(string(lic.raw), "Apache License") {
		t.Error("the docs' licence is not served")
	}
	c.must(404, "GET", "/api/v1/docs/assets/nothing.js", "", nil)
}

// liveProtocolTypes reads the realtime package: the message types the
// server sends (the "sent by the server" constants) and those the hub
// accepts (the cases of conn.handle).
func liveProtocolTypes(t *testing.T) (sent, accepted []string) {
	t.Helper()
	fset := token.NewFileSet()
	dir := filepath.Join("..", "realtime")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{}
	var sentNames, acceptedNames []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GenDecl:
				if n.Tok != token.CONST {
					return true
				}
				for _, spec := range n.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, name := range vs.Names {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && strings.HasPrefix(name.Name, "Type") {
							values[name.Name], _ = strconv.Unquote(lit.Value)
							if strings.Contains(n.Doc.Text(), "sent by the server") {
								sentNames = append(sentNames, name.Name)
							}
						}
					}
				}
			case *ast.FuncDecl:
				if n.Name.Name != "handle" {
					return true
				}
				ast.Inspect(n.Body, func(n ast.Node) bool {
					if cc, ok := n.(*ast.CaseClause); ok {
						for _, e := range cc.List {
							if id, ok := e.(*ast.Ident); ok {
								acceptedNames = append(acceptedNames, id.Name)
							}
						}
					}
					return true
				})
			}
			return true
		})
	}
	for _, n := range sentNames {
		sent = append(sent, values[n])
	}
	for _, n := range acceptedNames {
		accepted = append(accepted, values[n])
	}
	if len(sent) < 10 || len(accepted) < 4 || slices.Contains(append(sent, accepted...), "") {
		t.Fatalf("could not read the protocol: sent %v, accepted %v", sent, accepted)
	}
	return sent, accepted
}

// TestAsyncAPIListsProtocol: every message type the hub sends or accepts
// is in the AsyncAPI document, with a payload, and in the README; the
// OpenAPI document links to it.
func TestAsyncAPIListsProtocol(t *testing.T) {
	t.Parallel()
	c := newServer(t, backends[0].open, serverOpts{})
	doc := c.must(200, "GET", "/api/v1/asyncapi.json", "", nil).body
	if doc["asyncapi"] != "3.0.0" {
		t.Errorf("asyncapi = %v", doc["asyncapi"])
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	sent, accepted := liveProtocolTypes(t)
	ops := schemaAt(t, doc, "operations")
	for _, dir := range []struct {
		prefix, op, action string
		types              []string
	}{{"server.", "serverMessages", "send", sent}, {"client.", "clientMessages", "receive", accepted}} {
		op := walk(t, doc, ops, dir.op)
		if op["action"] != dir.action {
			t.Errorf("%s action = %v", dir.op, op["action"])
		}
		listed := map[string]bool{}
		for _, m := range op["messages"].([]any) {
			listed[m.(map[string]any)["$ref"].(string)] = true
		}
		for _, typ := range dir.types {
			m := schemaAt(t, doc, "components", "messages", dir.prefix+typ)
			payload := walk(t, doc, m, "payload", "properties")
			if enum := walk(t, doc, payload, "type")["enum"].([]any); len(enum) != 1 || enum[0] != typ {
				t.Errorf("%s%s: payload type = %v", dir.prefix, typ, enum)
			}
			if _, ok := payload["data"]; !ok {
				t.Errorf("%s%s has no data", dir.prefix, typ)
			}
			if !listed["#/channels/live/messages/"+dir.prefix+typ] {
				t.Errorf("operation %s does not list %s", dir.op, typ)
			}
			if !strings.Contains(string(readme), "`"+typ+"`") {
				t.Errorf("README does not list the %s message %q", dir.prefix[:len(dir.prefix)-1], typ)
			}
		}
	}
	if alert := schemaAt(t, doc, "components", "schemas", "KeywordAlert", "properties"); alert["hit_id"] == nil {
		t.Errorf("keyword.alert payload is not KeywordAlert: %v", alert)
	}
	api := c.must(200, "GET", "/api/v1/openapi.json", "", nil).body
	if d, _ := api["info"].(map[string]any)["description"].(string); !strings.Contains(d, "/api/v1/asyncapi.json") {
		t.Error("the OpenAPI description (shown on the docs page) does not link the AsyncAPI document")
	}
}

package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"mime/multipart"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/summary"
)

// The cross-tenant sweep reads every operation from the served OpenAPI
// document, so an operation registered later is probed without anyone
// adding it here: it needs a value for each of its id parameters (the test
// fails naming a parameter it has none for) and, if it may answer 2xx to a
// caller who is not the campaign's GM, an entry below with the reason.

// notCampaignScoped are the operations whose answers belong to the caller
// (their account, their new campaign) or to no campaign at all, so a
// stranger to a campaign gets 2xx from them legitimately.
var notCampaignScoped = map[string]string{
	"register":            "public: makes an account",
	"login":               "public: signs in to the caller's own account",
	"refresh":             "public: the refresh token in the body is the credential",
	"logout":              "public: the refresh token in the body is the credential",
	"get-me":              "the caller's own account",
	"patch-me":            "the caller's own account",
	"export-me":           "the caller's own data",
	"delete-me":           "the caller's own account",
	"list-campaigns":      "lists only the caller's campaigns",
	"create-campaign":     "makes a new campaign the caller is GM of",
	"import-campaign":     "makes a new campaign the caller is GM of, with new ids",
	"list-reference":      "the SRD reference, shared by every campaign",
	"search-reference":    "the SRD reference, shared by every campaign",
	"get-reference":       "the SRD reference, shared by every campaign",
	"list-discord-guilds": "the server bot's guilds, no campaign's data",
	"accept-invite":       "the invite code is the capability: holding it is the permission to join",
}

// notSent are operations the sweep does not call: what they do to the
// caller would end the sweep, and they are covered by their own tests.
var notSent = map[string]string{
	"delete-me":     "deletes the caller's account (account_test)",
	"logout":        "revokes a refresh token family: no campaign id to misuse",
	"accept-invite": "joining is what the code grants; calling it would make the caller a member",
}

// memberMay are the non-GET operations a player or an observer may call
// in their own campaign, with why; every other write must refuse them.
var memberMay = map[string]map[string]string{
	"player": {
		"put-voice-consent":          "consent to the processing of one's own voice",
		"create-ws-ticket":           "a ticket to watch the live table, which every member may",
		"import-dndbeyond-character": "players import their own PC",
	},
	"observer": {
		"put-voice-consent": "consent to the processing of one's own voice",
		"create-ws-ticket":  "a ticket to watch the live table, which every member may",
	},
}

// sweepOp is one operation of the served document.
type sweepOp struct {
	id, method, path string
	params           []apiParam
	// body is the JSON request schema, form the multipart one.
	body, form map[string]any
}

// sweepOperations reads every operation with its parameters and request
// schema, $refs resolved, from the served document.
func sweepOperations(t *testing.T, c *client) []sweepOp {
	t.Helper()
	doc := c.must(200, "GET", "/api/v1/openapi.json", "", nil).body
	schemas, _ := doc["components"].(map[string]any)["schemas"].(map[string]any)
	var ops []sweepOp
	for path, item := range doc["paths"].(map[string]any) {
		for method, raw := range item.(map[string]any) {
			op, ok := raw.(map[string]any)
			if !ok || !slices.Contains([]string{"get", "post", "put", "patch", "delete"}, method) {
				continue
			}
			so := sweepOp{id: fmt.Sprint(op["operationId"]), method: strings.ToUpper(method), path: path}
			params, _ := op["parameters"].([]any)
			for _, raw := range params {
				pm := raw.(map[string]any)
				ap := apiParam{name: fmt.Sprint(pm["name"]), in: fmt.Sprint(pm["in"]), required: pm["required"] == true}
				schema, _ := pm["schema"].(map[string]any)
				ap.boolean = schema["type"] == "boolean"
				for _, e := range asSlice(schema["enum"]) {
					ap.enum = append(ap.enum, fmt.Sprint(e))
				}
				so.params = append(so.params, ap)
			}
			if rb, ok := op["requestBody"].(map[string]any); ok {
				content, _ := rb["content"].(map[string]any)
				if mt, ok := content["application/json"].(map[string]any); ok {
					so.body = resolve(schemas, mt["schema"])
				}
				if mt, ok := content["multipart/form-data"].(map[string]any); ok {
					so.form = resolve(schemas, mt["schema"])
				}
			}
			ops = append(ops, so)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].id < ops[j].id })
	if len(ops) < 80 {
		t.Fatalf("the OpenAPI document lists %d operations", len(ops))
	}
	return ops
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

// resolve follows a $ref into the document's schemas.
func resolve(schemas map[string]any, s any) map[string]any {
	m, _ := s.(map[string]any)
	if ref, ok := m["$ref"].(string); ok {
		m, _ = schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
	}
	return m
}

// tenantWorld is campaign A, full of one of everything, seen from
// outside: a GM of another campaign B, and A's own player and observer.
type tenantWorld struct {
	*hiddenWorld
	schemas map[string]any
	// ids are campaign A's ids by parameter or body field name.
	ids map[string]string
	// other are the values of the path and required query parameters
	// that are not ids.
	other map[string]string
	// stranger is the GM of campaign B, who is no member of A.
	stranger string
}

func newTenantWorld(t *testing.T, c *client) *tenantWorld {
	t.Helper()
	w := &tenantWorld{hiddenWorld: newHiddenWorld(t, c)}
	gm := w.token["gm"]
	doc := c.must(200, "GET", "/api/v1/openapi.json", "", nil).body
	w.schemas, _ = doc["components"].(map[string]any)["schemas"].(map[string]any)

	// What newHiddenWorld does not make: an invite, a Discord webhook and
	// the summary's proposals.
	code := c.must(201, "POST", w.path("/invites"), gm, map[string]any{"role": "player"}).str("code")
	webhook := c.must(201, "POST", "/api/v1/discord/webhooks", gm, map[string]any{"campaign_id": w.campaign,
		"url": "https://discord.com/api/webhooks/900000000000000001/secret-token", "name": "recaps"}).str("id")
	if _, err := c.svc.SummarizeSession(context.Background(), service.SummaryJob{SessionID: w.session, UserID: w.user["gm"], JobID: "2"},
		proposing{}, nil); err != nil {
		t.Fatal(err)
	}
	proposals := c.must(200, "GET", "/api/v1/sessions/"+w.session+"/proposals", gm, nil).items()
	if len(proposals) == 0 {
		t.Fatal("the summary made no proposals to probe")
	}
	hint := c.must(201, "POST", "/api/v1/plots/"+w.params["plot_id"][0]+"/foreshadowing", gm, map[string]any{"description": "a raven"}).str("id")
	first := func(name string) string { return w.params[name][0] }
	w.ids = map[string]string{
		"campaign_id":      w.campaign,
		"session_id":       w.session,
		"recording_id":     first("recording_id"),
		"file_id":          first("file_id"),
		"attached_to":      first("character_id"),
		"job_id":           first("job_id"),
		"character_id":     first("character_id"),
		"target_id":        w.params["character_id"][1],
		"center":           first("character_id"),
		"from":             first("character_id"),
		"to":               w.params["character_id"][1],
		"location_id":      first("location_id"),
		"parent_id":        first("location_id"),
		"plot_id":          w.params["plot_id"][0],
		"depends_on_id":    w.params["plot_id"][1],
		"depends_on":       w.params["plot_id"][1],
		"keyword_id":       first("keyword_id"),
		"relationship_id":  first("relationship_id"),
		"foreshadowing_id": hint,
		"proposal_id":      fmt.Sprint(proposals[0]["id"]),
		"webhook_id":       webhook,
		"code":             code,
		// The GM: a player removing or re-roling anyone else must fail.
		"user_id":  w.user["gm"],
		"owner_id": w.user["owner"],
		"actor_id": w.user["gm"],
	}
	// Not ids, but values the sweep must fill to reach the handler.
	w.other = map[string]string{"kind": "spell", "slug": "fireball", "q": "Visible"}

	// Campaign B, whose GM is the stranger.
	var strangerID string
	strangerID, w.stranger, _ = c.signUp("stranger-gm@example.com")
	b := c.must(201, "POST", "/api/v1/campaigns", w.stranger, map[string]any{"name": "Elsewhere"}).str("id")
	c.must(201, "POST", "/api/v1/campaigns/"+b+"/characters", w.stranger, map[string]any{"name": "Other", "character_type": "npc"})
	c.must(201, "POST", "/api/v1/campaigns/"+b+"/sessions", w.stranger, map[string]any{"title": "Other evening"})
	if strangerID == "" {
		t.Fatal("no stranger")
	}
	return w
}

// proposing summarises as the built-in summariser does and proposes an NPC.
type proposing struct{}

func (proposing) Summarize(ctx context.Context, in summary.SummaryInput) (*summary.Summary, error) {
	out, err := summary.Builtin{}.Summarize(ctx, in)
	if err != nil {
		return nil, err
	}
	out.Proposals = append(out.Proposals, &gmc.Proposal{Kind: gmc.ProposeNewNPC, Target: "Probe Stranger",
		Payload: json.RawMessage(`{"name":"Probe Stranger","mentions":2}`)})
	return out, nil
}

// request builds op's path, query and body with campaign A's ids. It
// fails naming a path parameter, or a required query or body id, it has
// no value for.
func (w *tenantWorld) request(op sweepOp) (path string, body []byte, contentType string, err error) {
	path = op.path
	q := url.Values{}
	for _, p := range op.params {
		if p.in == "header" {
			continue
		}
		v, ok := w.ids[p.name]
		if !ok {
			v, ok = w.other[p.name]
		}
		switch {
		case ok:
		case len(p.enum) > 0:
			v = p.enum[0]
		case p.boolean:
			v = "false"
		case p.in == "path" || (p.required && isIDName(p.name)):
			return "", nil, "", fmt.Errorf("no value for %s parameter %q: map it to campaign A's id in newTenantWorld", p.in, p.name)
		case !p.required:
			continue
		default:
			v = "1"
		}
		if p.in == "path" {
			path = strings.ReplaceAll(path, "{"+p.name+"}", url.PathEscape(v))
		} else if p.required || isIDName(p.name) {
			q.Set(p.name, v)
		}
	}
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	switch {
	case op.body != nil:
		v, err := w.value("body", op.body, true)
		if err != nil {
			return "", nil, "", err
		}
		j, err := json.Marshal(v)
		return path, j, "application/json", err
	case op.form != nil:
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		props, _ := op.form["properties"].(map[string]any)
		for name, raw := range props {
			s, _ := raw.(map[string]any)
			if s["format"] == "binary" {
				part, _ := mw.CreateFormFile(name, "probe.png")
				part.Write([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR probe"))
				continue
			}
			if id, ok := w.ids[name]; ok {
				mw.WriteField(name, id)
			} else if slices.Contains(asStrings(op.form["required"]), name) {
				v, err := w.value(name, s, true)
				if err != nil {
					return "", nil, "", err
				}
				mw.WriteField(name, fmt.Sprint(v))
			}
		}
		mw.Close()
		return path, buf.Bytes(), mw.FormDataContentType(), nil
	}
	return path, nil, "", nil
}

func isIDName(name string) bool {
	return strings.HasSuffix(name, "_id") || strings.HasSuffix(name, "_ids")
}

func asStrings(v any) []string {
	var out []string
	for _, e := range asSlice(v) {
		out = append(out, fmt.Sprint(e))
	}
	return out
}

// value is a minimal valid value of schema s for field name: A's id for an
// id field, the schema's example, enum or bounds otherwise. Objects carry
// their required properties and every id property.
func (w *tenantWorld) value(name string, s map[string]any, required bool) (any, error) {
	s = resolve(w.schemas, s)
	if id, ok := w.ids[name]; ok {
		return id, nil
	}
	if ids, ok := strings.CutSuffix(name, "_ids"); ok {
		if id, ok := w.ids[ids+"_id"]; ok {
			return []string{id}, nil
		}
		return nil, fmt.Errorf("no value for body field %q: map %q to campaign A's id in newTenantWorld", name, ids+"_id")
	}
	if isIDName(name) && required {
		return nil, fmt.Errorf("no value for body field %q: map it to campaign A's id in newTenantWorld", name)
	}
	if ex := asSlice(s["examples"]); len(ex) > 0 {
		return ex[0], nil
	}
	if e := asSlice(s["enum"]); len(e) > 0 {
		return e[0], nil
	}
	typ := s["type"]
	if ts := asStrings(typ); len(ts) > 0 {
		typ = ts[0]
	}
	switch typ {
	case "object", nil:
		props, _ := s["properties"].(map[string]any)
		if props == nil {
			return map[string]any{}, nil
		}
		out := map[string]any{}
		req := asStrings(s["required"])
		for field, raw := range props {
			ps, _ := raw.(map[string]any)
			_, isID := w.ids[field]
			isID = isID || isIDName(field)
			if !slices.Contains(req, field) && !isID {
				continue
			}
			v, err := w.value(field, ps, slices.Contains(req, field))
			if err != nil {
				if !slices.Contains(req, field) {
					continue
				}
				return nil, err
			}
			out[field] = v
		}
		return out, nil
	case "array":
		n := 0
		if m, ok := s["minItems"].(float64); ok {
			n = int(m)
		}
		items, _ := s["items"].(map[string]any)
		out := []any{}
		for range n {
			v, err := w.value(strings.TrimSuffix(name, "s"), items, true)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case "integer", "number":
		if m, ok := s["minimum"].(float64); ok {
			return m, nil
		}
		return 1, nil
	case "boolean":
		return false, nil
	case "string":
		switch s["format"] {
		case "date-time":
			return time.Now().UTC().Format(time.RFC3339), nil
		case "email":
			return "probe@example.com", nil
		case "uri":
			return "https://example.com/probe", nil
		case "uuid":
			return w.campaign, nil
		}
		n := 5
		if m, ok := s["minLength"].(float64); ok && int(m) > n {
			n = int(m)
		}
		return strings.Repeat("x", n), nil
	}
	return nil, nil
}

// TestCrossTenantSweep calls every operation of the served document with
// campaign A's ids as the GM of campaign B, and every operation that
// changes something as A's player and observer, and fails on any 2xx
// that is not listed above with its reason, and on any 5xx.
func TestCrossTenantSweep(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, withReference(b.open), serverOpts{jobs: true})
			w := newTenantWorld(t, c)
			ops := sweepOperations(t, c)
			ids := map[string]bool{}
			for _, op := range ops {
				ids[op.id] = true
			}
			for _, list := range []map[string]string{notCampaignScoped, notSent, memberMay["player"], memberMay["observer"]} {
				for id := range list {
					if !ids[id] {
						t.Errorf("%s is listed as an exception but is no operation of the document any more", id)
					}
				}
			}
			// Writes that delete go last, so that every other probe meets
			// the objects whole (a wrongly allowed delete fails anyway).
			sort.SliceStable(ops, func(i, j int) bool { return ops[i].method != "DELETE" && ops[j].method == "DELETE" })

			callers := []struct {
				name, token string
				// must says whether a 2xx from op is wrong for this caller.
				must func(op sweepOp) bool
			}{
				{"stranger", w.stranger, func(op sweepOp) bool { return notCampaignScoped[op.id] == "" }},
				{"player", w.token["player"], w.memberMustFail("player")},
				{"observer", w.token["observer"], w.memberMustFail("observer")},
			}
			// A's objects as A's GM sees them: the sweep must change none.
			before := map[string]string{}
			for _, p := range []string{"/api/v1/campaigns/" + w.campaign, "/api/v1/characters/" + w.ids["character_id"], "/api/v1/plots/" + w.ids["plot_id"],
				"/api/v1/locations/" + w.ids["location_id"], "/api/v1/keywords/" + w.ids["keyword_id"], "/api/v1/relationships/" + w.ids["relationship_id"]} {
				before[p] = fmt.Sprint(c.must(200, "GET", p, w.token["gm"], nil).body["version"])
			}
			statuses, unprobed := map[int]int{}, map[string]bool{}
			for _, op := range ops {
				if notSent[op.id] != "" {
					continue
				}
				path, body, ct, err := w.request(op)
				if err != nil {
					t.Errorf("%s: %v", op.id, err)
					continue
				}
				for _, who := range callers {
					if !who.must(op) {
						continue
					}
					var r response
					if body != nil {
						r = c.do(op.method, path, who.token, body, "Content-Type", ct)
					} else {
						r = c.do(op.method, path, who.token, nil)
					}
					statuses[r.status]++
					switch {
					case r.status >= 200 && r.status < 300:
						t.Errorf("%s as %s: %s %s = %d, want a refusal: %.300s", op.id, who.name, op.method, path, r.status, r.raw)
					case r.status == 503:
						// A feature this server runs without (speech)
						// refuses before it looks at the caller.
						unprobed[op.id] = true
					case r.status >= 500:
						t.Errorf("%s as %s: %s %s = %d: %.300s", op.id, who.name, op.method, path, r.status, r.raw)
					}
				}
			}
			t.Logf("answers by status: %v; answered 503, their permissions unprobed here: %v", statuses, slices.Sorted(maps.Keys(unprobed)))
			for p, v := range before {
				if r := c.do("GET", p, w.token["gm"], nil); r.status != 200 || fmt.Sprint(r.body["version"]) != v {
					t.Errorf("after the sweep GET %s = %d version %v, was %s", p, r.status, r.body["version"], v)
				}
			}
		})
	}
}

// memberMustFail says whether role may get no 2xx from op in its own
// campaign: any write except those memberMay lists, and the GM-only reads.
func (w *tenantWorld) memberMustFail(role string) func(op sweepOp) bool {
	return func(op sweepOp) bool {
		if notCampaignScoped[op.id] != "" || memberMay[role][op.id] != "" {
			return false
		}
		if op.method == "GET" {
			return slices.Contains(gmOnlyOperations, op.id)
		}
		return true
	}
}

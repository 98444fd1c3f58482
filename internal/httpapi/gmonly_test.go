package httpapi_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/jobs"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/summary"
)

// secretMark is in the name, text or notes of everything GM-only in the
// hidden world below, and never in what is said at the table, so it may
// not appear in any answer a player gets.
const secretMark = "hushmark"

// hostileQuery asks for hidden content in every spelling a client might
// try; no parameter of the API may honour it.
const hostileQuery = "hide_gm_only=false&HideGMOnly=false&hideGMOnly=false&visibility=gm&include_hidden=true&" +
	"for_players=false&ForPlayers=false&role=gm&gm=true&all=true&show=all"

// gmOnlyOperations are the GET operations players may not call at all:
// every answer they get is a refusal (403, or 404 where what they ask
// for is hidden from them, as GM-only jobs are).
var gmOnlyOperations = []string{"list-events", "plot-reminders", "export-campaign", "get-job-result", "get-session-consent", "list-recordings", "get-recording-audio", "list-proposals", "list-discord-webhooks", "get-campaign-usage"}

// hiddenWorld is a campaign with visible and GM-only content of every
// kind, as the GM made it.
type hiddenWorld struct {
	*party
	session string
	// params are the values tried for each path and query parameter, by
	// name: visible and hidden ids alike.
	params map[string][]string
	// hidden are the ids of GM-only things.
	hidden []string
}

func newHiddenWorld(t *testing.T, c *client) *hiddenWorld {
	t.Helper()
	p := newParty(t, c)
	gm := p.token["gm"]
	w := &hiddenWorld{party: p}

	ada := c.must(201, "POST", p.path("/characters"), p.token["owner"], map[string]any{"name": "Ada Visible", "character_type": "pc", "tags": []string{"hero"}}).str("id")
	c.must(200, "PATCH", "/api/v1/characters/"+ada, gm, map[string]any{"gm_notes": map[string]any{"plan": secretMark + " betrayal"}})
	bram := p.character(map[string]any{"name": "Bram Visible", "character_type": "npc", "visibility": "players", "tags": []string{"hero"}})
	marrow := p.character(map[string]any{"name": "Marrow " + secretMark, "character_type": "npc", "aliases": []string{"Marrow"},
		"tags": []string{"hero", secretMark}, "notes": map[string]any{"about": secretMark}, "voice_notes": secretMark + " rasp"})

	rel := func(from, to, visibility, kind string) string {
		return c.must(201, "POST", "/api/v1/characters/"+from+"/relationships", gm, map[string]any{"target_id": to, "kind": kind,
			"visibility": visibility, "description": "known " + kind, "mutual": true}).str("id")
	}
	friends := rel(ada, bram, "players", "ally")
	secretRel := rel(bram, ada, "gm", "rival")
	toMarrow := rel(ada, marrow, "players", "family")

	town := p.location("Town Visible", "", "players")
	keep := p.location("Keep "+secretMark, "", "gm")
	cellar := p.location("Cellar "+secretMark, keep, "players")
	alley := p.location("Alley "+secretMark, town, "gm")

	quest := p.plot(map[string]any{"title": "Quest Visible", "visibility": "players", "character_ids": []string{ada, marrow},
		"location_ids": []string{town, keep}})
	scheme := p.plot(map[string]any{"title": "Scheme " + secretMark, "summary": secretMark, "character_ids": []string{ada}})
	c.must(201, "POST", "/api/v1/plots/"+quest+"/dependencies", gm, map[string]any{"depends_on": scheme})
	hint := c.must(201, "POST", "/api/v1/plots/"+quest+"/foreshadowing", gm, map[string]any{"description": "A " + secretMark + " raven"}).str("id")

	lanterns := c.must(201, "POST", p.path("/keywords"), gm, map[string]any{"term": "Iron Lanterns", "category": "faction", "visibility": "players"}).str("id")
	order := c.must(201, "POST", p.path("/keywords"), gm, map[string]any{"term": "Order " + secretMark, "aliases": []string{"Veilborn"},
		"category": secretMark, "notes": secretMark}).str("id")

	w.session = c.must(201, "POST", p.path("/sessions"), gm, map[string]any{"title": "Evening"}).str("id")
	// The GM voices the secret NPC: the mapping must not reveal it.
	c.must(200, "PUT", "/api/v1/sessions/"+w.session+"/speakers", gm, map[string]any{"speakers": []any{
		map[string]any{"label": "SPEAKER_00", "user_id": p.user["gm"], "character_id": marrow},
		map[string]any{"label": "SPEAKER_01", "user_id": p.user["owner"], "character_id": ada},
	}})
	c.must(201, "POST", "/api/v1/sessions/"+w.session+"/transcript/segments", gm, map[string]any{"segments": []any{
		map[string]any{"speaker_label": "SPEAKER_00", "start_ms": 0, "end_ms": 1500, "text": "Marrow meets the Veilborn under the Iron Lanterns"},
		map[string]any{"speaker_label": "SPEAKER_01", "start_ms": 2000, "end_ms": 4000, "text": "Bram casts fireball; make a DC 15 dexterity saving throw"},
	}})
	hits := c.must(200, "GET", "/api/v1/sessions/"+w.session+"/keywords", gm, nil)
	var hiddenHits int
	for _, h := range hits.items() {
		if h["gm_only"] == true {
			hiddenHits++
			w.hidden = append(w.hidden, fmt.Sprint(h["id"]))
		}
	}
	if hiddenHits < 2 {
		t.Fatalf("the GM sees %d GM-only keyword hits, want the character's and the keyword's: %s", hiddenHits, hits.raw)
	}

	// The session's summary, made as the summary job makes it: the
	// player view must not give the secret NPC away, not even as the
	// speaker of a line.
	if _, err := c.svc.SummarizeSession(context.Background(), service.SummaryJob{SessionID: w.session, UserID: p.user["gm"], JobID: "1"},
		summary.Builtin{}, nil); err != nil {
		t.Fatal(err)
	}
	if gmView := c.must(200, "GET", "/api/v1/sessions/"+w.session+"/summary", gm, nil); !strings.Contains(string(gmView.raw), "Marrow") {
		t.Fatalf("the GM's summary does not name the secret NPC, so the player check proves nothing: %s", gmView.raw)
	}

	recording := record(t, c, p.user["gm"], w.session, "RIFF "+secretMark)

	file := func(fields map[string]string, name, content string) string {
		r := upload(c, gm, p.path("/files"), fields, name, "image/png", content)
		if r.status != 201 {
			t.Fatalf("upload %s = %d %s", name, r.status, r.raw)
		}
		return r.str("id")
	}
	png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
	visibleFile := file(map[string]string{"kind": "portrait", "character_id": bram}, "bram.png", png+"bram")
	// Hidden by its visibility, or by what it is attached to.
	gmFile := file(map[string]string{"kind": "handout", "visibility": "gm"}, "plan "+secretMark+".png", png+secretMark)
	marrowFace := file(map[string]string{"kind": "portrait", "character_id": marrow}, "marrow "+secretMark+".png", png+secretMark)
	keepMap := file(map[string]string{"kind": "map", "location_id": keep}, "keep "+secretMark+".png", png+secretMark)
	cellarMap := file(map[string]string{"kind": "map", "location_id": cellar}, "cellar "+secretMark+".png", png+secretMark)

	enqueue := func(args jobs.Args, gmOnly bool) string {
		id, err := c.jobs.Enqueue(context.Background(), args, jobs.EnqueueOpts{CampaignID: p.campaign, SessionID: w.session, UserID: p.user["gm"], GMOnly: gmOnly})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	// Job ids are small numbers that other answers contain by chance; the
	// GM-only job's kind carries the secret mark instead.
	visibleJob, secretJob := enqueue(visibleJob{}, false), enqueue(secretJob{}, true)

	w.hidden = append(w.hidden, marrow, secretRel, keep, cellar, alley, scheme, hint, order, recording, gmFile, marrowFace, keepMap, cellarMap)
	// The reverse edges of mutual pairs are hidden like their first edge
	// where it is GM-only or reaches a GM-only character.
	for _, id := range []string{secretRel, toMarrow} {
		if pair := c.must(200, "GET", "/api/v1/relationships/"+id, gm, nil).str("pair_id"); pair != "" {
			w.hidden = append(w.hidden, pair)
		}
	}
	w.hidden = append(w.hidden, toMarrow)

	w.params = map[string][]string{
		"campaign_id":     {p.campaign},
		"session_id":      {w.session},
		"recording_id":    {recording},
		"file_id":         {visibleFile, gmFile, marrowFace, keepMap, cellarMap},
		"attached_to":     {bram, marrow, keep, cellar, town},
		"job_id":          {visibleJob, secretJob},
		"character_id":    {ada, bram, marrow},
		"location_id":     {town, keep, cellar, alley},
		"plot_id":         {quest, scheme},
		"keyword_id":      {lanterns, order},
		"relationship_id": {friends, secretRel, toMarrow},
		"kind":            {"spell", "term", "rule"},
		"slug":            {"fireball"},
		"owner_id":        {p.user["owner"], p.user["gm"]},
		"parent_id":       {town, keep, cellar},
		"center":          {ada, marrow},
		"from":            {ada, bram},
		"to":              {marrow, bram},
		"depth":           {"1", "4"},
		"q":               {"Marrow", secretMark, "Veilborn", "Keep", "Scheme", "Visible"},
		"tag":             {"hero", secretMark},
		"tags":            {"hero", secretMark},
		"category":        {"faction", secretMark},
		"types":           {"character,location,plot,session", "character"},
		"limit":           {"1", "100"},
		"cursor":          {ada, marrow, scheme, order, "/" + keep + "/", "/" + town + "/"},
		"after_seq":       {"0"},
		"entity_type":     {"character"},
		"entity_id":       {marrow},
		"actor_id":        {p.user["gm"]},
		"format":          {"markdown"},
	}
	return w
}

// apiOperation is one GET operation of the served OpenAPI document.
type apiOperation struct {
	id, path string
	params   []apiParam
}

type apiParam struct {
	name, in string
	required bool
	enum     []string
	boolean  bool
}

// getOperations reads the GET operations from the served document, so a
// new endpoint is probed as soon as it is registered.
func getOperations(t *testing.T, c *client) []apiOperation {
	t.Helper()
	doc := c.must(200, "GET", "/api/v1/openapi.json", "", nil)
	paths, _ := doc.body["paths"].(map[string]any)
	var ops []apiOperation
	for path, item := range paths {
		get, ok := item.(map[string]any)["get"].(map[string]any)
		if !ok {
			continue
		}
		op := apiOperation{id: fmt.Sprint(get["operationId"]), path: path}
		params, _ := get["parameters"].([]any)
		for _, raw := range params {
			pm := raw.(map[string]any)
			ap := apiParam{name: fmt.Sprint(pm["name"]), in: fmt.Sprint(pm["in"]), required: pm["required"] == true}
			schema, _ := pm["schema"].(map[string]any)
			ap.boolean = schema["type"] == "boolean"
			enum, _ := schema["enum"].([]any)
			for _, e := range enum {
				ap.enum = append(ap.enum, fmt.Sprint(e))
			}
			op.params = append(op.params, ap)
		}
		ops = append(ops, op)
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].id < ops[j].id })
	if len(ops) < 20 {
		t.Fatalf("the OpenAPI document lists %d GET operations", len(ops))
	}
	return ops
}

// values are the values tried for a parameter: its enum, both booleans, or
// the world's values for its name.
func (w *hiddenWorld) values(p apiParam) ([]string, error) {
	switch {
	case p.in == "header":
		return nil, nil
	case len(p.enum) > 0:
		return p.enum, nil
	case p.boolean:
		return []string{"true", "false"}, nil
	}
	v, ok := w.params[p.name]
	if !ok {
		return nil, fmt.Errorf("no values for %s parameter %q: add them to newHiddenWorld", p.in, p.name)
	}
	return v, nil
}

// requests are the paths to try for op: every combination of path
// parameters, each with no query, and with each query parameter set to
// each of its values (required ones always set), all with hostileQuery.
func (w *hiddenWorld) requests(op apiOperation) ([]string, error) {
	paths := []string{op.path}
	base := url.Values{}
	var optional []apiParam
	for _, p := range op.params {
		vals, err := w.values(p)
		if err != nil {
			return nil, err
		}
		switch {
		case p.in == "path":
			var next []string
			for _, path := range paths {
				for _, v := range vals {
					next = append(next, strings.ReplaceAll(path, "{"+p.name+"}", v))
				}
			}
			paths = next
		case p.in == "query" && p.required:
			base.Set(p.name, vals[0])
			optional = append(optional, p)
		case p.in == "query":
			optional = append(optional, p)
		}
	}
	queries := []url.Values{base}
	for _, p := range optional {
		vals, _ := w.values(p)
		for _, v := range vals {
			q := url.Values{}
			for k, vs := range base {
				q[k] = vs
			}
			q.Set(p.name, v)
			queries = append(queries, q)
		}
	}
	var out []string
	for _, path := range paths {
		for _, q := range queries {
			qs := hostileQuery
			if enc := q.Encode(); enc != "" {
				qs = enc + "&" + qs
			}
			out = append(out, path+"?"+qs)
		}
	}
	return out, nil
}

// leak names the GM-only id or text in body, if any.
func (w *hiddenWorld) leak(body []byte) string {
	text := strings.ToLower(string(body))
	if strings.Contains(text, secretMark) {
		return secretMark
	}
	for _, id := range w.hidden {
		if strings.Contains(text, id) {
			return id
		}
	}
	return ""
}

// TestNoQueryRevealsGMOnlyContent tries every GET operation a player can
// call with every documented parameter value and hostile extras, and
// finds no GM-only id or text in any answer.
func TestNoQueryRevealsGMOnlyContent(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, withReference(b.open), serverOpts{jobs: true})
			w := newHiddenWorld(t, c)
			player := w.token["owner"]
			// The GM's own answers hold the secrets: without them this
			// test would prove nothing.
			if w.leak(c.must(200, "GET", w.path("/characters"), w.token["gm"], nil).raw) == "" {
				t.Fatal("the GM's character list shows nothing GM-only")
			}
			var probed int
			for _, op := range getOperations(t, c) {
				reqs, err := w.requests(op)
				if err != nil {
					t.Errorf("%s: %v", op.id, err)
					continue
				}
				var ok int
				for _, path := range reqs {
					r := c.do("GET", path, player, nil)
					probed++
					if r.status >= 300 {
						continue
					}
					ok++
					if l := w.leak(r.raw); l != "" {
						t.Errorf("%s: GET %s shows the player GM-only %q: %.300s", op.id, path, l, r.raw)
					}
				}
				gmOnly := slices.Contains(gmOnlyOperations, op.id)
				switch {
				case gmOnly && ok > 0:
					t.Errorf("%s: the player got %d answers from an operation listed as GM-only", op.id, ok)
				case !gmOnly && ok == 0:
					t.Errorf("%s: no request of %d succeeded for the player, so nothing was checked; fix its parameter values or list it in gmOnlyOperations", op.id, len(reqs))
				}
			}
			t.Logf("%d requests", probed)
		})
	}
}

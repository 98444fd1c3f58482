package httpapi_test

import (
	"strings"
	"testing"
)

// nested is a JSON object nesting levels objects deep.
func nested(levels int) string {
	return strings.Repeat(`{"a":`, levels-1) + `{}` + strings.Repeat(`}`, levels-1)
}

// TestHostileInput sends text PostgreSQL cannot store, duplicate keys,
// over-deep documents and unknown filter values, and checks that both
// backends answer the same clear problem naming the field and store
// nothing.
func TestHostileInput(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			_, gm, _ := c.signUp("gm@example.com")
			cid := c.must(201, "POST", "/api/v1/campaigns", gm, map[string]any{"name": "Real"}).str("id")
			camp := "/api/v1/campaigns/" + cid

			tests := []struct {
				name     string
				method   string
				path     string
				token    string
				body     any
				want     int
				location string
			}{
				{"NUL in register", "POST", "/api/v1/auth/register", "", `{"email":"nul@example.com","password":"a long passphrase","display_name":"N\u0000L"}`, 422, "body.display_name"},
				{"NUL in login", "POST", "/api/v1/auth/login", "", `{"email":"a\u0000@example.com","password":"a long passphrase"}`, 422, "body.email"},
				{"NUL in campaign name", "POST", "/api/v1/campaigns", gm, `{"name":"x\u0000y","game_system":"dnd5e"}`, 422, "body.name"},
				{"NUL in character name", "POST", camp + "/characters", gm, `{"name":"a\u0000b","character_type":"npc"}`, 422, "body.name"},
				{"NUL in location name", "POST", camp + "/locations", gm, `{"name":"a\u0000b"}`, 422, "body.name"},
				{"NUL in plot title", "POST", camp + "/plots", gm, `{"title":"a\u0000b"}`, 422, "body.title"},
				{"NUL in keyword term", "POST", camp + "/keywords", gm, `{"term":"a\u0000b"}`, 422, "body.term"},
				{"NUL in a list item", "POST", camp + "/characters", gm, `{"name":"a","character_type":"npc","tags":["ok","b\u0000"]}`, 422, "body.tags[1]"},
				{"NUL in a stats value", "POST", camp + "/characters", gm, `{"name":"a","character_type":"npc","stats":{"hp":"1\u00002"}}`, 422, "body.stats.hp"},
				{"NUL in a stats key", "POST", camp + "/characters", gm, `{"name":"a","character_type":"npc","stats":{"h\u0000p":1}}`, 422, "body.stats"},
				{"raw NUL byte", "POST", camp + "/characters", gm, "{\"name\":\"a\x00b\",\"character_type\":\"npc\"}", 422, "body.name"},
				{"invalid UTF-8", "POST", camp + "/characters", gm, []byte("{\"name\":\"a\xffb\",\"character_type\":\"npc\"}"), 422, "body.name"},
				{"encoded surrogate", "POST", camp + "/characters", gm, []byte("{\"name\":\"a\xed\xa0\x80b\",\"character_type\":\"npc\"}"), 422, "body.name"},
				{"lone high surrogate", "POST", camp + "/characters", gm, `{"name":"a\ud800b","character_type":"npc"}`, 422, "body.name"},
				{"high surrogate without its pair", "POST", camp + "/characters", gm, `{"name":"a\ud800\u0041","character_type":"npc"}`, 422, "body.name"},
				{"lone low surrogate", "POST", camp + "/characters", gm, `{"name":"\udc00","character_type":"npc"}`, 422, "body.name"},
				{"NUL in a query parameter", "GET", camp + "/characters?q=a%00b", gm, nil, 422, "query.q"},
				{"invalid UTF-8 in a query parameter", "GET", camp + "/characters?q=%FF", gm, nil, 422, "query.q"},
				{"NUL in a search", "GET", camp + "/search?q=%00", gm, nil, 422, "query.q"},
				{"NUL in a path parameter", "POST", "/api/v1/invites/AB%00CD/accept", gm, nil, 422, "path.code"},
				{"NUL in a reference slug", "GET", "/api/v1/reference/spell/fire%00ball", gm, nil, 422, "path.slug"},
				{"malformed query escape", "GET", camp + "/characters?limit=1&cursor=%%%garbage", gm, nil, 400, "query.cursor"},
				{"duplicate key", "POST", camp + "/characters", gm, `{"name":"a","character_type":"npc","visibility":"gm","visibility":"players"}`, 400, "body.visibility"},
				{"duplicate key spelt with an escape", "POST", camp + "/characters", gm, `{"name":"a","character_type":"npc","n\u0061me":"b"}`, 400, "body.name"},
				{"duplicate key in stats", "POST", camp + "/characters", gm, `{"name":"a","character_type":"npc","stats":{"hp":{"max":1,"max":2}}}`, 400, "body.stats.hp.max"},
				{"stats nested 5,000 deep", "POST", camp + "/characters", gm, `{"name":"a","character_type":"npc","stats":` + nested(5000) + `}`, 422, "body.stats"},
				{"stats one level too deep", "POST", camp + "/characters", gm, `{"name":"a","character_type":"npc","stats":` + nested(32) + `}`, 422, "body.stats"},
				{"deep array", "POST", camp + "/characters", gm, `{"name":"a","character_type":"npc","tags":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, 422, "body.tags"},
				{"unknown entity type", "GET", camp + "/events?entity_type=dragon", gm, nil, 422, "query.entity_type"},
				{"entity id not a uuid", "GET", camp + "/events?entity_id=nope", gm, nil, 422, "query.entity_id"},
				{"actor id not a uuid", "GET", camp + "/events?actor_id=nope", gm, nil, 422, "query.actor_id"},
				{"NUL in an imported document", "POST", "/api/v1/campaigns/import", gm, `{"format_version":1,"campaign":{"name":"x\u0000y"}}`, 422, "body.campaign.name"},
				{"duplicate key in an imported document", "POST", "/api/v1/campaigns/import", gm, `{"format_version":1,"campaign":{"name":"x","name":"y"}}`, 400, "body.campaign.name"},
			}
			for _, tc := range tests {
				r := c.do(tc.method, tc.path, tc.token, tc.body)
				if r.status != tc.want {
					t.Errorf("%s: status %d %.300s, want %d", tc.name, r.status, r.raw, tc.want)
					continue
				}
				if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
					t.Errorf("%s: Content-Type %q, want application/problem+json", tc.name, ct)
				}
				if !strings.Contains(string(r.raw), `"location":"`+tc.location+`"`) {
					t.Errorf("%s: problem does not name %s: %.300s", tc.name, tc.location, r.raw)
				}
			}

			// Nothing was stored by any of them.
			if items := c.must(200, "GET", camp+"/characters", gm, nil).body["items"].([]any); len(items) != 0 {
				t.Errorf("characters after hostile input = %d, want 0", len(items))
			}
			if items := c.must(200, "GET", "/api/v1/campaigns", gm, nil).body["items"].([]any); len(items) != 1 {
				t.Errorf("campaigns after hostile input = %d, want 1", len(items))
			}
			c.must(401, "POST", "/api/v1/auth/login", "", map[string]any{"email": "nul@example.com", "password": "a long passphrase"})

			// What is near the edge is accepted: a surrogate pair, an escaped
			// NUL-free control character, and stats exactly as deep as allowed.
			ok := c.must(201, "POST", camp+"/characters", gm, `{"name":"Grin \ud83d\ude00","character_type":"npc","stats":`+nested(31)+`,"notes":{"a":"tab\there"}}`)
			if got := ok.str("name"); got != "Grin 😀" {
				t.Errorf("name with a surrogate pair = %q", got)
			}
			// A document exported from such a character imports again: the
			// export holds each entity two levels below its top.
			export := c.must(200, "GET", camp+"/export", gm, nil)
			c.must(201, "POST", "/api/v1/campaigns/import", gm, export.raw)

			// Every entity type the audit log records is a valid filter.
			events := c.must(200, "GET", camp+"/events", gm, nil).body["items"].([]any)
			if len(events) == 0 {
				t.Fatal("no events recorded")
			}
			for _, e := range events {
				ev := e.(map[string]any)
				c.must(200, "GET", camp+"/events?entity_type="+ev["entity_type"].(string)+"&entity_id="+ev["entity_id"].(string)+"&actor_id="+ev["actor_id"].(string), gm, nil)
			}
		})
	}
}

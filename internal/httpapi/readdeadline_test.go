package httpapi_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/clamd"
	"github.com/gmc-project/gmc/internal/generate"
	"github.com/gmc-project/gmc/internal/httpapi"
)

// TestLongRequestsKeepTheirConnection: a request whose handler runs past
// the time its body had to arrive in is answered, and so is the next one
// on the same connection. A read deadline left on the connection used to
// cancel both (golang/go#70834): under load, a segment batch's keyword
// pass was dropped and the search after it failed with a 500.
func TestLongRequestsKeepTheirConnection(t *testing.T) {
	t.Parallel()
	slow := slowGenerator{Generator: generate.Builtin{}, wait: 300 * time.Millisecond}
	c := newServer(t, backends[0].open, serverOpts{generator: slow, apiLimits: httpapi.Limits{BodyReadTimeout: 50 * time.Millisecond}})
	p := newParty(t, c)
	gm := p.token["gm"]
	hints := map[string]any{"hints": map[string]any{"ancestry": "dwarf"}}
	for range 2 {
		if d := c.must(200, "POST", p.path("/generate/npc"), gm, hints).draft(); d["ancestry"] != "dwarf" {
			t.Errorf("draft = %v", d)
		}
	}
	c.must(200, "GET", p.path(""), gm, nil)

	// The same for a form: an upload whose scan takes longer.
	c, _ = fileServer(t, backends[0].open, serverOpts{scanner: slowScanner{wait: 300 * time.Millisecond},
		apiLimits: httpapi.Limits{BodyReadTimeout: 50 * time.Millisecond}})
	p = newParty(t, c)
	gm = p.token["gm"]
	for range 2 {
		if r := upload(c, gm, p.path("/files"), map[string]string{"kind": "handout"}, "letter.pdf", "application/pdf", pdfFile); r.status != 201 {
			t.Errorf("upload = %d %s", r.status, r.raw)
		}
	}
	c.must(200, "GET", p.path(""), gm, nil)
}

// slowScanner finds nothing, after a wait.
type slowScanner struct{ wait time.Duration }

func (s slowScanner) Scan(ctx context.Context, r io.Reader) (clamd.Verdict, error) {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return clamd.Verdict{}, err
	}
	select {
	case <-time.After(s.wait):
		return clamd.Verdict{}, nil
	case <-ctx.Done():
		return clamd.Verdict{}, ctx.Err()
	}
}

// slowGenerator drafts NPCs as its Generator does, after a wait.
type slowGenerator struct {
	generate.Generator
	wait time.Duration
}

func (g slowGenerator) NPC(ctx context.Context, c *generate.Campaign, req generate.NPCRequest) (*generate.NPCDraft, error) {
	select {
	case <-time.After(g.wait):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return g.Generator.NPC(ctx, c, req)
}

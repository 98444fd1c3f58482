package service_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/generate"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/store"
)

// embedStub stands for the embeddings server: it answers every text with
// one vector, or fails, and remembers what it was asked.
type embedStub struct {
	mu    sync.Mutex
	fail  error
	texts []string
}

func (e *embedStub) Embed(_ context.Context, _ string, texts []string) ([][]float32, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.texts = append(e.texts, texts...)
	if e.fail != nil {
		return nil, e.fail
	}
	out := make([][]float32, len(texts))
	for i := range out {
		out[i] = []float32{1, 0, 0, 0}
	}
	return out, nil
}

func (e *embedStub) asked() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.texts)
}

// similarityProbe is the built-in generator that also asks the campaign's
// similarity of meaning for its request, as the language-model one does.
type similarityProbe struct {
	generate.Builtin
	mu   sync.Mutex
	seen []map[string]float64
}

func (g *similarityProbe) PlotHooks(ctx context.Context, c *generate.Campaign, req generate.PlotHookRequest) (*generate.PlotHookDraft, error) {
	if c.Similar != nil {
		sims := c.Similar(ctx, "a funeral in the village")
		g.mu.Lock()
		g.seen = append(g.seen, sims)
		g.mu.Unlock()
	}
	return g.Builtin.PlotHooks(ctx, c, req)
}

// vectorIndex answers nearest-neighbour look-ups with canned matches, or
// fails as an unavailable vector index does.
type vectorIndex struct {
	store.Store
	mu      sync.Mutex
	matches []store.EmbeddingMatch
	err     error
}

func (v *vectorIndex) NearestEmbeddings(context.Context, store.EmbeddingQuery) ([]store.EmbeddingMatch, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.matches, v.err
}

// TestGenerationWeighsNearEntities: the entities nearest a generator's
// request in meaning reach it with their similarity; transcript lines,
// which are no entity a draft can name, do not; and a failing vector index
// leaves the generator with none rather than failing the draft.
func TestGenerationWeighsNearEntities(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newTable(t, storeBackends[0].open(t))
	idx := &vectorIndex{Store: tb.st, matches: []store.EmbeddingMatch{
		{OwnerType: "character", OwnerID: tb.npc.ID, Similarity: 0.9},
		{OwnerType: store.EmbeddingSegment, OwnerID: "a-line", Similarity: 0.8},
	}}
	gen := &similarityProbe{}
	svc, err := service.New(service.Config{Store: idx, SecretKey: bytes.Repeat([]byte("k"), 32), Generator: gen,
		Embeddings: &service.Embeddings{Embedder: &embedStub{}, Model: "stub"}, PasswordParams: &service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	ok(tb.svc.CreatePlot(ctx, tb.gm.ID, tb.campaign.ID, service.PlotParams{Title: "The funeral", Status: gmc.PlotActive}))(t)
	ok(svc.GeneratePlotHooks(ctx, tb.gm.ID, tb.campaign.ID, 2, service.GenerateOptions{}))(t)
	idx.mu.Lock()
	idx.matches, idx.err = nil, errors.New("vector index unavailable")
	idx.mu.Unlock()
	ok(svc.GeneratePlotHooks(ctx, tb.gm.ID, tb.campaign.ID, 2, service.GenerateOptions{}))(t)
	gen.mu.Lock()
	defer gen.mu.Unlock()
	want := []map[string]float64{{tb.npc.ID: 0.9}, {}}
	if fmt.Sprint(gen.seen) != fmt.Sprint(want) {
		t.Errorf("similarity given to the generator = %v, want %v", gen.seen, want)
	}
}

// TestGenerationSimilarityIsOptional: a generator is given the campaign's
// similarity of meaning to its request; when the embeddings server fails,
// or the campaign has spent its AI budget (the embedding is not even
// asked for), it gets none and the draft is made all the same.
func TestGenerationSimilarityIsOptional(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newTable(t, storeBackends[0].open(t))
	emb := &embedStub{}
	gen := &similarityProbe{}
	svc, err := service.New(service.Config{Store: tb.st, SecretKey: bytes.Repeat([]byte("k"), 32), Generator: gen,
		Embeddings: &service.Embeddings{Embedder: emb, Model: "stub", Timeout: time.Second}, Budgets: service.Budgets{AITokensPerMonth: 1000},
		PasswordParams: &service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	gm, cid := tb.gm.ID, tb.campaign.ID
	ok(tb.svc.CreatePlot(ctx, gm, cid, service.PlotParams{Title: "The funeral", Status: gmc.PlotActive}))(t)
	hooks := func(what string) {
		t.Helper()
		if d, err := svc.GeneratePlotHooks(ctx, gm, cid, 2, service.GenerateOptions{}); err != nil || len(d.Draft.Hooks) == 0 {
			t.Fatalf("%s: hooks = %v, %v", what, d, err)
		}
	}

	hooks("embeddings answer")
	emb.mu.Lock()
	emb.fail = errors.New("embeddings server down")
	emb.mu.Unlock()
	hooks("embeddings fail")
	if emb.asked() != 2 {
		t.Errorf("embeddings asked %d times, want once a draft", emb.asked())
	}
	svc.ChargeAI(ctx, cid, 1000)
	hooks("budget spent")
	if emb.asked() != 2 {
		t.Errorf("embeddings asked %d times with the budget spent, want no more", emb.asked())
	}
	// A campaign cannot give itself more budget than the server's.
	rich := gmc.DefaultCampaignSettings()
	rich.AITokensPerMonth = 5000
	if _, err := svc.CreateCampaign(ctx, gm, service.CampaignParams{Name: "Rich", Settings: &rich}); err == nil {
		t.Error("campaign with a budget above the server's created")
	} else {
		wantField(t, err, "body.settings.ai_tokens_per_month")
	}
	gen.mu.Lock()
	defer gen.mu.Unlock()
	if len(gen.seen) != 3 {
		t.Fatalf("generator asked for similarity %d times, want 3", len(gen.seen))
	}
	for i, sims := range gen.seen {
		// Nothing is embedded in the campaign yet, so nothing is near;
		// what matters is that the generator gets an answer, not a failure.
		if sims == nil || len(sims) != 0 {
			t.Errorf("draft %d: similarity = %v, want an empty map", i+1, sims)
		}
	}
}

// modelGenerator is the built-in generator posing as a language model's,
// whose drafts spend the AI budget.
type modelGenerator struct{ generate.Builtin }

func (modelGenerator) Model() string { return "stub-model" }

// TestUsageCounting: nothing is counted for nothing spent, or for no
// campaign; a language-model generator is refused when AI is off on the
// server, before anything is spent.
func TestUsageCounting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newTable(t, storeBackends[0].open(t))
	cid := tb.campaign.ID
	if err := tb.svc.ChargeAudio(ctx, cid, 0); err != nil {
		t.Errorf("ChargeAudio(0) = %v", err)
	}
	tb.svc.ChargeAI(ctx, "", 500)
	tb.svc.ChargeAI(ctx, cid, -5)
	month, _ := gmc.MonthOf(time.Now())
	if u, err := tb.st.CampaignUsage(ctx, cid, month); err != nil || u != (gmc.Usage{}) {
		t.Errorf("usage after charging nothing = %+v, %v; want none", u, err)
	}

	svc, err := service.New(service.Config{Store: tb.st, SecretKey: bytes.Repeat([]byte("k"), 32), Generator: modelGenerator{},
		DisabledFeatures: []gmc.Feature{gmc.FeatureAI}, PasswordParams: &service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.GenerateNPC(ctx, tb.gm.ID, cid, generate.NPCHints{}, service.GenerateOptions{}); !errors.Is(err, gmc.ErrFeatureDisabled) {
		t.Errorf("NPC with AI off on the server = %v, want feature disabled", err)
	}
}

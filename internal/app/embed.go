package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/jobs"
	"github.com/gmc-project/gmc/internal/llm"
	"github.com/gmc-project/gmc/internal/outbound"
	"github.com/gmc-project/gmc/internal/service"
)

// embedPollEvery is how often pending embeddings are looked for: a
// write is searchable by meaning a few seconds after it, and the look is
// one query on a partial index.
const embedPollEvery = 2 * time.Second

// embedding is the running semantic similarity: the client, and the
// poller that turns pending embeddings into jobs.
type embedding struct {
	client *llm.Client
	model  string
	stop   context.CancelFunc
	done   sync.WaitGroup
}

// OpenEmbeddings makes the embeddings client of the GMC_EMBEDDINGS_*
// settings; nil when semantic similarity is off. spent is told the tokens
// of each call made for a campaign (nil: no one is).
func OpenEmbeddings(cfg config.Config, spent func(context.Context, string, llm.Usage)) (*llm.Client, error) {
	if !cfg.EmbeddingsEnabled() {
		return nil, nil
	}
	guard, err := outbound.Service(cfg.EmbeddingsURL())
	if err != nil {
		return nil, fmt.Errorf("GMC_EMBEDDINGS_BASE_URL: %w", err)
	}
	c, err := llm.New(llm.Config{BaseURL: cfg.EmbeddingsURL(), Model: cfg.EmbeddingsModel, APIKey: cfg.EmbeddingsKey(),
		RequestTimeout: time.Minute, TotalTimeout: 5 * time.Minute, DialContext: guard.DialContext, Spent: spent})
	if err != nil {
		return nil, fmt.Errorf("GMC_EMBEDDINGS_BASE_URL: %w", err)
	}
	return c, nil
}

// openEmbeddings sets semantic similarity up when configured: the
// service's model, and vectors of another model marked for recomputing.
func (a *App) openEmbeddings(ctx context.Context, o *options) error {
	c, err := OpenEmbeddings(a.cfg, a.chargeAI)
	if err != nil || c == nil {
		return err
	}
	a.embed = &embedding{client: c, model: c.Model()}
	o.service.Embeddings = &service.Embeddings{Embedder: c, Model: c.Model()}
	n, err := a.store.MarkEmbeddingsStale(ctx, c.Model())
	if err != nil {
		return err
	}
	if n > 0 {
		a.log.Info("embeddings of another model are recomputed", slog.String("model", c.Model()), slog.Int("embeddings", n))
	}
	return nil
}

// registerEmbed registers the embedding job when semantic similarity is on.
func (a *App) registerEmbed(q *jobs.Queue) error {
	if a.embed == nil {
		return nil
	}
	return jobs.RegisterEmbed(q, a.store, a.embed.client, a.embed.model, a.svc.CheckAIBudget)
}

// startEmbedPoll runs the poller until stopEmbedPoll.
func (a *App) startEmbedPoll() {
	if a.embed == nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	a.embed.stop = cancel
	a.embed.done.Go(func() { jobs.PollEmbeddings(ctx, a.jobs, a.store, embedPollEvery, a.log) })
}

func (a *App) stopEmbedPoll() {
	if a.embed == nil || a.embed.stop == nil {
		return
	}
	a.embed.stop()
	a.embed.done.Wait()
}

// embeddingsState is what /readyz says of semantic similarity.
func (a *App) embeddingsState() string {
	if a.embed == nil {
		return "off"
	}
	return a.embed.model
}

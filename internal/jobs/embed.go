package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// EmbedArgs brings a campaign's embeddings up to date.
type EmbedArgs struct {
	CampaignID string `json:"campaign_id"`
}

// Kind names the job.
func (EmbedArgs) Kind() string { return "embed.campaign" }

// Embedder makes one vector per text (llm.Client.Embed).
type Embedder interface {
	Embed(ctx context.Context, campaign string, texts []string) ([][]float32, error)
}

// Embedding work sizes.
const (
	// embedBatch is how many owners one request embeds.
	embedBatch = 64
	// embedBatchesPerAttempt bounds an attempt, so that one campaign's
	// import does not hold a worker for long; the poller enqueues the
	// campaign again while work is left.
	embedBatchesPerAttempt = 50
	// maxEmbedBytes cuts the text sent for one owner: embedding models
	// read a few hundred to a few thousand tokens, and some servers refuse
	// longer input rather than cutting it. The start of an entity's text
	// (name, aliases, context, first paragraphs) says what it is.
	maxEmbedBytes = 2048
)

// RegisterEmbed registers the job that computes a campaign's pending
// embeddings with model and stores them. A failed request fails the
// attempt (River tries it again later); vectors already stored stay.
// budget, when set, is asked first: a campaign that has spent its AI
// budget (a *gmc.QuotaError) embeds nothing, and its job waits, counting
// no attempt, until an hour later or the month's end, whichever is first;
// while it waits the poller adds no other.
func RegisterEmbed(q *Queue, st store.EmbeddingStore, emb Embedder, model string, budget func(ctx context.Context, campaignID string) error) error {
	work := func(ctx context.Context, job *Job[EmbedArgs]) error {
		if budget != nil {
			var qe *gmc.QuotaError
			if err := budget(ctx, job.Args.CampaignID); errors.As(err, &qe) {
				return Later(min(time.Duration(qe.RetryAfterSeconds)*time.Second, time.Hour))
			} else if err != nil {
				return err
			}
		}
		done := 0
		for range embedBatchesPerAttempt {
			src, err := st.PendingEmbeddings(ctx, job.Args.CampaignID, embedBatch)
			if err != nil {
				return err
			}
			if len(src) == 0 {
				break
			}
			texts := make([]string, len(src))
			for i, s := range src {
				texts[i] = cutBytes(s.Text, maxEmbedBytes)
			}
			vecs, err := emb.Embed(ctx, job.Args.CampaignID, texts)
			if err != nil {
				return err
			}
			out := make([]store.EmbeddingVector, len(src))
			for i, s := range src {
				out[i] = store.EmbeddingVector{OwnerType: s.OwnerType, OwnerID: s.OwnerID, Version: s.Version, Vector: vecs[i]}
			}
			n, err := st.PutEmbeddings(ctx, model, out)
			if err != nil {
				return err
			}
			done += n
			if n == 0 {
				// Every owner of the batch changed while it was embedded;
				// the next poll takes the new texts up.
				break
			}
		}
		return SetResult(ctx, map[string]int{"embedded": done})
	}
	return Register(q, work, WorkerOpts{Timeout: 10 * time.Minute})
}

// cutBytes bounds s to n bytes without splitting a character.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// PollEmbeddings enqueues an embedding job for every campaign with
// pending embeddings, every interval until ctx ends. The store marks
// work pending inside the transaction of each write; this turns it into
// jobs, one unfinished per campaign (a running job takes up what is
// marked while it runs).
func PollEmbeddings(ctx context.Context, q *Queue, st store.EmbeddingStore, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		ids, err := st.EmbeddingCampaigns(ctx, 100)
		if err != nil && ctx.Err() == nil {
			log.Warn("looking for pending embeddings", slog.String("error", err.Error()))
		}
		for _, id := range ids {
			if _, err := q.Enqueue(ctx, EmbedArgs{CampaignID: id}, EnqueueOpts{CampaignID: id, GMOnly: true, Unique: true}); err != nil && ctx.Err() == nil {
				log.Warn("enqueueing embeddings", slog.String("campaign_id", id), slog.String("error", err.Error()))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

package service

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	textsearch "github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/store"
)

// Embedder makes one vector per text (llm.Client.Embed).
type Embedder interface {
	Embed(ctx context.Context, campaign string, texts []string) ([][]float32, error)
}

// Embeddings is the embedding model semantic similarity uses.
type Embeddings struct {
	Embedder Embedder
	// Model names the vectors Embedder makes; only vectors of this model
	// are compared.
	Model string
	// Timeout bounds embedding a query; 0 is 3 s. A query that cannot be
	// embedded in time is answered lexically.
	Timeout time.Duration
}

// near embeds text and returns up to k owners of the campaign nearest
// it that a GM (gm) or a player may see. Similarity is an addition: when
// the embeddings server or the lookup fails, the failure is logged and
// nothing is returned, so that search and AI work as they would without
// it. Without Embeddings it returns nothing.
func (s *Service) near(ctx context.Context, campaignID, text string, k int, gm bool, types []string) []store.EmbeddingMatch {
	return s.nearVector(ctx, campaignID, s.embedQuery(ctx, campaignID, text), k, gm, types)
}

// embedQuery is text's vector, nil when it cannot be had (logged).
func (s *Service) embedQuery(ctx context.Context, campaignID, text string) []float32 {
	e := s.embed
	if e == nil {
		return nil
	}
	// Embedding the query spends the campaign's AI budget; once that is
	// spent, the answer is lexical until the month ends.
	if err := s.requireBudget(ctx, campaignID, gmc.BudgetAITokens); err != nil {
		if !errors.Is(err, gmc.ErrQuotaExceeded) {
			s.log.WarnContext(ctx, "checking the AI budget failed; answering without similarity of meaning", slog.String("error", err.Error()))
		}
		return nil
	}
	ectx, cancel := context.WithTimeout(ctx, cmp.Or(e.Timeout, 3*time.Second))
	defer cancel()
	vecs, err := e.Embedder.Embed(ectx, campaignID, []string{text})
	if err != nil {
		s.log.WarnContext(ctx, "embedding a query failed; answering without similarity of meaning", slog.String("error", err.Error()))
		return nil
	}
	return vecs[0]
}

// nearVector is near for a vector already made; nil makes nothing.
func (s *Service) nearVector(ctx context.Context, campaignID string, vec []float32, k int, gm bool, types []string) []store.EmbeddingMatch {
	if vec == nil {
		return nil
	}
	ms, err := s.store.NearestEmbeddings(ctx, store.EmbeddingQuery{CampaignID: campaignID, Model: s.embed.Model, Vector: vec, K: k, GM: gm, Types: types})
	if err != nil {
		s.log.WarnContext(ctx, "looking up similar embeddings failed; answering without them", slog.String("error", err.Error()))
		return nil
	}
	return ms
}

// semanticSearch is near as one campaign search uses it: for documents
// (search.Semantic) and for transcript lines, with the query embedded
// once for both.
type semanticSearch struct {
	s *Service
	// query and vec remember the last query embedded (vec nil when that
	// failed): one search asks twice for the same.
	query    string
	embedded bool
	vec      []float32
}

// semantic is what one campaign search adds for meaning; nil without
// embeddings.
func (s *Service) semantic() *semanticSearch {
	if s.embed == nil {
		return nil
	}
	return &semanticSearch{s: s}
}

func (ss *semanticSearch) vector(ctx context.Context, campaignID, query string) []float32 {
	if !ss.embedded || ss.query != query {
		ss.vec, ss.query, ss.embedded = ss.s.embedQuery(ctx, campaignID, query), query, true
	}
	return ss.vec
}

// SimilarDocs returns the campaign documents nearest query in meaning.
func (ss *semanticSearch) SimilarDocs(ctx context.Context, f textsearch.Filter, query string, limit int) ([]textsearch.SimilarDoc, error) {
	ms := ss.s.nearVector(ctx, f.Scope, ss.vector(ctx, f.Scope, query), limit, f.GM,
		[]string{textsearch.TypeCharacter, textsearch.TypeLocation, textsearch.TypePlot, textsearch.TypeSession})
	out := make([]textsearch.SimilarDoc, 0, len(ms))
	for _, m := range ms {
		if m.DocID != 0 {
			out = append(out, textsearch.SimilarDoc{DocID: m.DocID, Similarity: m.Similarity})
		}
	}
	return out, nil
}

// similarLines is how many transcript lines near the query one search
// asks for.
const similarLines = 20

// similarSegments returns the campaign's transcript lines nearest query
// in meaning. Every member reads every transcript, so gm changes nothing
// here; it is passed on as for documents.
func (ss *semanticSearch) similarSegments(ctx context.Context, campaignID, query string, gm bool) []textsearch.SimilarSegment {
	ms := ss.s.nearVector(ctx, campaignID, ss.vector(ctx, campaignID, query), similarLines, gm, []string{store.EmbeddingSegment})
	out := make([]textsearch.SimilarSegment, 0, len(ms))
	for _, m := range ms {
		if m.OwnerType == store.EmbeddingSegment {
			out = append(out, textsearch.SimilarSegment{SegmentID: m.OwnerID, Similarity: m.Similarity})
		}
	}
	return out
}

// similarContext is how many nearest entities a generator's request
// weighs: more than a prompt holds, since words and recency count too.
const similarContext = 24

// similarFor is generate.Campaign.Similar for the campaign as its GM
// sees it (generation is for GMs); nil without embeddings.
func (s *Service) similarFor(campaignID string) func(ctx context.Context, request string) map[string]float64 {
	if s.embed == nil {
		return nil
	}
	return func(ctx context.Context, request string) map[string]float64 {
		out := map[string]float64{}
		for _, m := range s.near(ctx, campaignID, request, similarContext, true, nil) {
			if m.OwnerType != store.EmbeddingSegment {
				out[m.OwnerID] = m.Similarity
			}
		}
		return out
	}
}

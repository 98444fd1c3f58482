package llmgen

import (
	"context"

	"github.com/gmc-project/gmc/internal/generate"
)

// similarWeight is what a perfect similarity of meaning adds to an
// item's score: about a rare word of the request found in its text, so
// an entity that is about the request without using its words ("the
// dwarf who fixed our axe" and the smith at the forge) competes with
// those that share them, and a named entity still comes first.
const similarWeight = 8.0

// withSimilar adds to b the similarity of meaning of the campaign's
// entities to request, when the campaign offers it.
func withSimilar(ctx context.Context, c *generate.Campaign, request string, b boost) boost {
	if c.Similar == nil || request == "" {
		return b
	}
	sims := c.Similar(ctx, request)
	if len(sims) == 0 {
		return b
	}
	out := make(boost, len(b)+len(sims))
	for id, v := range b {
		out[id] = v
	}
	for id, sim := range sims {
		if sim > 0 {
			out[id] += similarWeight * sim
		}
	}
	return out
}

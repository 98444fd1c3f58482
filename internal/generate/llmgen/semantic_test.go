package llmgen

import (
	"context"
	"testing"
)

// TestSimilarContext: an entity the campaign's similarity of meaning
// puts near the request is chosen before entities that only recency and
// priors favour, and never before the entity the request names.
func TestSimilarContext(t *testing.T) {
	ctx := context.Background()
	const request = "an NPC who fits the campaign"
	cases := []struct {
		name    string
		similar map[string]float64
		request string
		first   string
	}{
		{"no similarity: the most recent change wins", nil, request, "Old Tam"},
		{"the tavern is about the request", map[string]float64{"l2": 0.9}, request, "The Drowned Lantern"},
		{"a weak similarity does not outweigh the rest", map[string]float64{"l2": 0.05}, request, "Old Tam"},
		{"the named entity still comes first", map[string]float64{"l2": 1}, "a friend of Lady Vex", "Lady Vex"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := campaign()
			if tc.similar != nil {
				c.Similar = func(_ context.Context, req string) map[string]float64 {
					if req != tc.request {
						t.Errorf("similarity asked for %q, want the request %q", req, tc.request)
					}
					return tc.similar
				}
			}
			got := selectContext(entries(c), tc.request, 10000, withSimilar(ctx, c, tc.request, nil))
			if len(got) == 0 || got[0].Name != tc.first {
				var names []string
				for _, it := range got {
					names = append(names, it.Name)
				}
				t.Fatalf("context = %q, want %q first", names, tc.first)
			}
		})
	}
}

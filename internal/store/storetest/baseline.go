package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// RunBaseline runs the contract of store.SearchBaseline, which every
// backend must implement, and of store.TrigramBaseline.
func RunBaseline(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	st, ok := open(t).(store.SearchBaseline)
	if !ok {
		t.Fatal("the backend does not implement store.SearchBaseline")
	}
	for range 2 {
		if err := st.PrepareBaseline(ctx); err != nil {
			t.Fatalf("PrepareBaseline = %v (it must be repeatable)", err)
		}
	}
	if _, _, err := st.BaselineSet(ctx, "harbour"); !errors.Is(err, gmc.ErrNotFound) {
		t.Fatalf("BaselineSet before saving = %v, want ErrNotFound", err)
	}
	harbour := store.BaselineSet{Label: "harbour", CampaignID: "c1", Entities: []store.BaselineEntity{
		{Ref: "character/3", Names: []string{"Gorrick Stonebeard", "Old Gorr"}},
		{Ref: "location/1", Names: []string{"Gorr's Rest"}},
		{Ref: "plot/2", Names: []string{"The 100% Cut", "Gorr_Debt"}},
		{Ref: "character/4", Names: []string{"Thalindra"}},
	}}
	other := store.BaselineSet{Label: "other", CampaignID: "c2", Entities: []store.BaselineEntity{
		{Ref: "character/9", Names: []string{"Gorrick the Younger"}},
	}}
	for _, set := range []store.BaselineSet{harbour, other} {
		if err := st.SaveBaselineSet(ctx, set); err != nil {
			t.Fatalf("SaveBaselineSet(%s) = %v", set.Label, err)
		}
	}
	if err := st.SaveBaselineSet(ctx, store.BaselineSet{Label: "harbour", CampaignID: "c3"}); !errors.Is(err, gmc.ErrConflict) {
		t.Errorf("SaveBaselineSet of a saved label = %v, want ErrConflict", err)
	}
	campaignID, refs, err := st.BaselineSet(ctx, "harbour")
	if err != nil || campaignID != "c1" || !slices.Equal(refs, []string{"character/3", "location/1", "plot/2", "character/4"}) {
		t.Errorf("BaselineSet = %q, %q, %v; want the saved campaign and refs in order", campaignID, refs, err)
	}
	if err := st.RefreshStatistics(ctx); err != nil {
		t.Errorf("RefreshStatistics = %v", err)
	}
	tests := []struct {
		name, campaign, q string
		limit             int
		want              []string
	}{
		{"case ignored, shortest name first, each entity once", "c1", "GORR", 10, []string{"character/3", "plot/2", "location/1"}},
		{"limit counts names", "c1", "gorr", 2, []string{"character/3", "plot/2"}},
		{"percent is literal", "c1", "0% c", 10, []string{"plot/2"}},
		{"percent matches no run of letters", "c1", "k%b", 10, nil},
		{"underscore is literal", "c1", "r_d", 10, []string{"plot/2"}},
		{"underscore matches no letter", "c1", "k_s", 10, nil},
		{"other campaigns unseen", "c2", "thalindra", 10, nil},
		{"other campaign's names", "c2", "gorrick", 10, []string{"character/9"}},
	}
	for _, tc := range tests {
		got, err := st.BaselineContains(ctx, tc.campaign, tc.q, tc.limit)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: BaselineContains(%s, %q, %d) = %q, %v; want %q", tc.name, tc.campaign, tc.q, tc.limit, got, err, tc.want)
		}
	}
	tb, ok := st.(store.TrigramBaseline)
	if !ok {
		t.Fatal("the backend does not implement store.TrigramBaseline")
	}
	// The backends rank differently (pg_trgm's similarity over a
	// threshold, FTS5's bm25 of any shared trigram): both must put the
	// meant name first and stay in the campaign.
	similar := []struct {
		name, campaign, q string
		first             string
		absent            []string
	}{
		{"a typo", "c1", "Thalindar", "character/4", nil},
		{"case and a missing letter", "c1", "GORICK STONEBEARD", "character/3", nil},
		{"an alias", "c1", "Old Gor", "character/3", nil},
		{"no word", "c1", "!?", "", nil},
		{"other campaigns unseen", "c2", "Thalindra", "", []string{"character/4"}},
		{"other campaign's names", "c2", "Gorick the Younger", "character/9", []string{"character/3", "location/1", "plot/2"}},
	}
	for _, tc := range similar {
		got, err := tb.BaselineSimilar(ctx, tc.campaign, tc.q, 10)
		switch {
		case err != nil:
			t.Errorf("%s: BaselineSimilar(%s, %q) = %v", tc.name, tc.campaign, tc.q, err)
		case tc.first == "" && tc.absent == nil && len(got) > 0:
			t.Errorf("%s: BaselineSimilar(%s, %q) = %q, want none", tc.name, tc.campaign, tc.q, got)
		case tc.first != "" && (len(got) == 0 || got[0] != tc.first):
			t.Errorf("%s: BaselineSimilar(%s, %q) = %q, want %s first", tc.name, tc.campaign, tc.q, got, tc.first)
		case len(got) != len(distinctRefs(got)):
			t.Errorf("%s: BaselineSimilar(%s, %q) = %q, want each entity once", tc.name, tc.campaign, tc.q, got)
		}
		for _, ref := range tc.absent {
			if slices.Contains(got, ref) {
				t.Errorf("%s: BaselineSimilar(%s, %q) = %q, holds %s of another campaign", tc.name, tc.campaign, tc.q, got, ref)
			}
		}
	}
	got, err := tb.BaselineSimilar(ctx, "c1", "gorr", 1)
	if err != nil || len(got) != 1 {
		t.Errorf("BaselineSimilar(c1, gorr, limit 1) = %q, %v; want one entity", got, err)
	}
}

// distinctRefs is refs without repeats.
func distinctRefs(refs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range refs {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

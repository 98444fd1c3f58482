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
	similar := []struct {
		name, campaign, q string
		want              []string
	}{
		{"a typo", "c1", "Thalindar", []string{"character/4"}},
		{"case and a missing letter", "c1", "GORICK STONEBEARD", []string{"character/3"}},
		// Old Gorr, Gorr_Debt and Gorr's Rest hold all of "gorr"'s
		// trigrams: the fewer others a name has, the more similar it is.
		{"similarity ranks", "c1", "gorr", []string{"character/3", "plot/2", "location/1"}},
		{"below the threshold", "c1", "Stonebread Hall of Kings", nil},
		{"no word", "c1", "!?", nil},
		{"other campaigns unseen", "c2", "Thalindra", nil},
	}
	for _, tc := range similar {
		got, err := tb.BaselineSimilar(ctx, tc.campaign, tc.q, 10)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: BaselineSimilar(%s, %q) = %q, %v; want %q", tc.name, tc.campaign, tc.q, got, err, tc.want)
		}
	}
}

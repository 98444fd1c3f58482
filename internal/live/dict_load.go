package live

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// Loading the terms of a keyword dictionary from the store.

// ownTerms is a set of campaign terms by key.
type ownTerms map[string]ownTerm

// loadOwnTerms reads every term of a campaign: characters, locations, plot
// threads and custom keywords.
func loadOwnTerms(ctx context.Context, st Store, campaignID string) (ownTerms, error) {
	out := ownTerms{}
	for _, load := range []func(context.Context, Store, string, ownTerms) error{
		loadCharacterTerms, loadLocationTerms, loadPlotTerms, loadKeywordTerms,
	} {
		if err := load(ctx, st, campaignID, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func loadCharacterTerms(ctx context.Context, st Store, campaignID string, out ownTerms) error {
	return gmc.EachPage(func(cursor string) ([]*gmc.Character, string, error) {
		return st.Characters(ctx, store.CharacterFilter{CampaignID: campaignID, Page: gmc.FullPage(cursor)})
	}, func(c *gmc.Character) { add(out, characterTerm(c)) })
}

// loadLocationTerms reads the whole location tree at once: whether players
// may see a location depends on its ancestors, so one location's change
// (a move, a hidden parent, a cascading delete) can change many terms.
func loadLocationTerms(ctx context.Context, st Store, campaignID string, out ownTerms) error {
	byID := map[string]*gmc.Location{}
	var all []*gmc.Location
	err := gmc.EachPage(func(cursor string) ([]*gmc.Location, string, error) {
		return st.Locations(ctx, store.LocationFilter{CampaignID: campaignID, Subtree: true, Page: gmc.FullPage(cursor)})
	}, func(l *gmc.Location) { byID[l.ID], all = l, append(all, l) })
	if err != nil {
		return err
	}
	for _, l := range all {
		var ancestors []*gmc.Location
		for _, id := range l.AncestorIDs() {
			if a, ok := byID[id]; ok {
				ancestors = append(ancestors, a)
			}
		}
		add(out, locationTerm(l, gmc.VisibleToPlayers(l, ancestors)))
	}
	return nil
}

func loadPlotTerms(ctx context.Context, st Store, campaignID string, out ownTerms) error {
	return gmc.EachPage(func(cursor string) ([]*gmc.PlotThread, string, error) {
		return st.Plots(ctx, store.PlotFilter{CampaignID: campaignID, Page: gmc.FullPage(cursor)})
	}, func(p *gmc.PlotThread) { add(out, plotTerm(p)) })
}

func loadKeywordTerms(ctx context.Context, st Store, campaignID string, out ownTerms) error {
	return gmc.EachPage(func(cursor string) ([]*gmc.Keyword, string, error) {
		return st.Keywords(ctx, store.KeywordFilter{CampaignID: campaignID, Page: gmc.FullPage(cursor)})
	}, func(k *gmc.Keyword) { add(out, keywordTerm(k)) })
}

func add(out ownTerms, t ownTerm) { out[t.term.Key] = t }

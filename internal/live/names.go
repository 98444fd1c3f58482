package live

import (
	"context"
	"slices"
	"strings"
)

// Names returns the proper names of a campaign a speech recogniser should
// know — its characters, locations and custom keywords with their
// aliases — as written, sorted and without repeats. GM-only names are
// included: the recogniser only hears, and what it writes is shown to
// players only through the usual visibility rules of keyword alerts.
func (t *Table) Names(ctx context.Context, campaignID string) ([]string, error) {
	terms, err := loadOwnTerms(ctx, t.store, campaignID)
	if err != nil {
		return nil, err
	}
	var names []string
	for key, ot := range terms {
		if strings.HasPrefix(key, keyPlot) {
			continue // plot titles are phrases, not names
		}
		names = append(names, ot.term.Name)
		names = append(names, ot.term.Aliases...)
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

package kwbench

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/gmc-project/gmc/internal/keywords"
	"github.com/gmc-project/gmc/internal/textmatch"
)

// Campaign is a benchmark gazetteer: campaign.json.
type Campaign struct {
	Campaign string          `json:"campaign"`
	Entries  []CampaignEntry `json:"entries"`
}

type CampaignEntry struct {
	Name     string   `json:"name"`
	Category string   `json:"category"`
	Aliases  []string `json:"aliases"`
}

func LoadCampaign(path string) (Campaign, error) {
	var c Campaign
	b, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("bench keywords: --campaign: %w (%s)", err, dataHint)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("bench keywords: %s: %w", path, err)
	}
	for i, e := range c.Entries {
		if strings.TrimSpace(e.Name) == "" {
			return c, fmt.Errorf("bench keywords: %s: entry %d has no name", path, i+1)
		}
	}
	return c, nil
}

// terms turns the gazetteer into dictionary terms, as the live session
// does with a campaign's characters, locations and other entities.
func (c Campaign) Terms() []keywords.Term {
	out := make([]keywords.Term, 0, len(c.Entries))
	for _, e := range c.Entries {
		slug := strings.ReplaceAll(textmatch.Fold(e.Name), " ", "-")
		out = append(out, keywords.Term{
			Key:      "campaign:" + slug,
			Name:     e.Name,
			Aliases:  e.Aliases,
			Category: e.Category,
			Source:   "campaign",
			Ref:      "campaign/" + slug,
		})
	}
	return out
}

// Names are the gazetteer's names and aliases, as a recogniser's hints.
func (c Campaign) Names() []string {
	var out []string
	for _, e := range c.Entries {
		out = append(out, e.Name)
		out = append(out, e.Aliases...)
	}
	return out
}

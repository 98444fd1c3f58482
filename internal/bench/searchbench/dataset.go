package searchbench

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/textmatch"
)

// entity is one named thing of a benchmark campaign.
type entity struct {
	typ     string // search.TypeCharacter, TypeLocation or TypePlot
	name    string
	aliases []string
	// parent is the index of a location's parent in the campaign, or -1.
	parent int
	depth  int
}

// maxDepth keeps generated location trees shallow, well inside
// gmc.MaxLocationDepth.
const maxDepth = 6

// dataset is a campaign to load and query.
type dataset struct {
	label    string
	entities []entity
}

// generate invents a campaign of n entities: about 80% characters, 15%
// locations (some nested) and 5% plot threads, every name unique.
func generate(label string, n int, seed uint64) dataset {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	nm := namer{rng: rng}
	seen := map[string]bool{}
	unique := func(make func() string) string {
		for {
			if s := make(); !seen[textmatch.Fold(s)] {
				seen[textmatch.Fold(s)] = true
				return s
			}
		}
	}
	d := dataset{label: label}
	var locations []int // those that may have children
	for i := range n {
		e := entity{parent: -1}
		switch r := rng.IntN(100); {
		case r < 80:
			var aliases []string
			e.typ = search.TypeCharacter
			e.name = unique(func() string {
				name, a := nm.person()
				aliases = a
				return name
			})
			e.aliases = aliases
		case r < 95:
			e.typ, e.name = search.TypeLocation, unique(nm.place)
			if len(locations) > 0 && rng.IntN(2) == 0 {
				e.parent = locations[rng.IntN(len(locations))]
				e.depth = d.entities[e.parent].depth + 1
			}
			if e.depth < maxDepth {
				locations = append(locations, i)
			}
		default:
			e.typ, e.name = search.TypePlot, unique(nm.plot)
		}
		d.entities = append(d.entities, e)
	}
	return d
}

// loadGazetteer reads a keyword-benchmark campaign file
// ({"entries": [{"name", "category", "aliases"}]}): locations become
// locations, everything else (people, factions, items, deities) characters.
func loadGazetteer(path string) (dataset, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return dataset{}, err
	}
	var file struct {
		Title   string `json:"title"`
		Entries []struct {
			Name     string   `json:"name"`
			Category string   `json:"category"`
			Aliases  []string `json:"aliases"`
		} `json:"entries"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		return dataset{}, fmt.Errorf("%s: %w", path, err)
	}
	d := dataset{label: strings.TrimSpace(file.Title)}
	for _, e := range file.Entries {
		typ := search.TypeCharacter
		if e.Category == "location" {
			typ = search.TypeLocation
		}
		d.entities = append(d.entities, entity{typ: typ, name: e.Name, aliases: e.Aliases, parent: -1})
	}
	return d, nil
}

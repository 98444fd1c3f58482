package searchbench

import (
	"math/rand/v2"
	"strings"

	"github.com/gmc-project/gmc/internal/textmatch"
)

// query is a search for one entity, by one of its names with one error.
type query struct {
	text   string
	kind   string // errExact or one of errorKinds
	target int    // index of the entity in its campaign
}

// exactShare is the share of queries left unchanged: "exact names always
// first" is measured on them.
const exactShare = 10

// makeQueries builds n queries for d. The source of a query is the name,
// an alias, or one word of the name that no other entity has; the error
// is drawn uniformly from errorKinds. A query that turns into another
// entity's name (or word) is dropped: finding that entity would be right.
func makeQueries(d dataset, n int, seed uint64) []query {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b9))
	owners := nameOwners(d)
	var out []query
	for attempts := 0; len(out) < n && attempts < 50*n; attempts++ {
		target := rng.IntN(len(d.entities))
		source, ok := querySource(rng, d.entities[target], owners, target)
		if !ok {
			continue
		}
		kind := errExact
		if rng.IntN(100) >= exactShare {
			kind = errorKinds[rng.IntN(len(errorKinds))]
		}
		text, ok := mutate(rng, source, kind)
		if !ok || text == "" || ownedByOther(owners, text, target) {
			continue
		}
		out = append(out, query{text: text, kind: kind, target: target})
	}
	return out
}

// nameOwners maps every folded name, alias and name word, also with
// spaces removed, to the entities that have it.
func nameOwners(d dataset) map[string][]int {
	owners := map[string][]int{}
	add := func(key string, i int) {
		for _, o := range owners[key] {
			if o == i {
				return
			}
		}
		owners[key] = append(owners[key], i)
	}
	for i, e := range d.entities {
		for _, form := range append([]string{e.name}, e.aliases...) {
			f := textmatch.Fold(form)
			add(f, i)
			add(strings.ReplaceAll(f, " ", ""), i)
			for _, w := range strings.Fields(f) {
				add(w, i)
			}
		}
	}
	return owners
}

func ownedByOther(owners map[string][]int, text string, target int) bool {
	f := textmatch.Fold(text)
	for _, key := range []string{f, strings.ReplaceAll(f, " ", "")} {
		for _, o := range owners[key] {
			if o != target {
				return true
			}
		}
	}
	return false
}

// querySource picks what a user would type for e: mostly its full name,
// sometimes an alias or a word only e has.
func querySource(rng *rand.Rand, e entity, owners map[string][]int, target int) (string, bool) {
	switch r := rng.IntN(10); {
	case r < 2 && len(e.aliases) > 0:
		return e.aliases[rng.IntN(len(e.aliases))], true
	case r < 4:
		var own []string
		for _, w := range strings.Fields(textmatch.Fold(e.name)) {
			if len(w) >= 4 && !textmatch.IsStopWord(w) && len(owners[w]) == 1 && owners[w][0] == target {
				own = append(own, w)
			}
		}
		if len(own) > 0 {
			return own[rng.IntN(len(own))], true
		}
	}
	return textmatch.Fold(e.name), true
}

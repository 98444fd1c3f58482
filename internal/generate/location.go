package generate

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gmc-project/gmc/internal/gmc"
)

// Location makes a place of the requested type, below req.Parent when set.
func (Builtin) Location(ctx context.Context, c *Campaign, req LocationRequest) (*LocationDraft, error) {
	rng := newRNG(req.Seed, "location")
	names := newNamer(rng, c)
	typ := strings.ToLower(strings.TrimSpace(req.Type))
	if typ == "" {
		typ = pick(rng, LocationTypes)
	}
	kind := kindOf(typ)
	culture := req.Hints.Culture
	if _, ok := givenNames[culture]; !ok {
		culture = "human"
		if rng.IntN(4) == 0 {
			culture = pick(rng, Cultures)
		}
	}
	mood := req.Hints.Mood
	if _, ok := moodWords[mood]; !ok {
		mood = pick(rng, []string{"welcoming", "neutral", "sinister"})
	}
	d := &LocationDraft{Seed: req.Seed, LocationType: typ, Mood: mood, References: []Ref{}, Origin: Origin{Generator: GeneratorBuiltin}}
	d.Name = placeName(rng, names, kind, typ, culture, locationNames(c))
	if req.Parent != nil {
		d.ParentID = &req.Parent.ID
		d.References = append(d.References, Ref{Type: gmc.EntityLocation, ID: req.Parent.ID, Name: req.Parent.Name})
	}
	d.Features = append(pickN(rng, kind.features, 3), pick(rng, moodFeatures[mood]))

	// Two or three named people and one kind of creature or crowd.
	for _, role := range pickN(rng, kind.people, 2+rng.IntN(2)) {
		ancestry := pickWeighted(rng, ancestries)
		cul := culture
		if rng.IntN(3) == 0 {
			cul = cultureOf(rng, ancestry)
		}
		_, _, name := names.full(cul)
		d.Inhabitants = append(d.Inhabitants, Inhabitant{Name: name, Role: role, Ancestry: ancestry, Trait: pick(rng, traits), NPC: true})
	}
	if len(kind.creatures) > 0 {
		d.Inhabitants = append(d.Inhabitants, Inhabitant{Name: pick(rng, kind.creatures), Role: "creatures", Trait: pick(rng, moodWords[mood])})
	}

	for _, h := range pickN(rng, kind.hooks, 2) {
		who := pick(rng, d.Inhabitants[:len(d.Inhabitants)-min(1, len(kind.creatures))])
		d.Hooks = append(d.Hooks, strings.NewReplacer("{I}", who.Name+" the "+who.Role, "{L}", d.Name).Replace(h))
	}
	// A thread the campaign has not finished reaches here too.
	if open := openPlots(c); len(open) > 0 {
		p := pick(rng, open)
		who := pick(rng, d.Inhabitants[:len(d.Inhabitants)-min(1, len(kind.creatures))])
		d.Hooks = append(d.Hooks, fmt.Sprintf("%s the %s has heard something about \"%s\" and wants to talk, for a price.", who.Name, who.Role, p.Title))
		d.References = append(d.References, Ref{Type: gmc.EntityPlot, ID: p.ID, Name: p.Title})
	}
	d.Description = describePlace(rng, d, req.Parent)
	return d, nil
}

// kindOf finds the grammar of a location type: its own, an alias's, one
// whose name it contains ("dwarven mine" is a cave), or the generic one.
func kindOf(typ string) placeKind {
	if k, ok := placeKinds[typ]; ok {
		return k
	}
	if a, ok := placeAliases[typ]; ok {
		return placeKinds[a]
	}
	for _, w := range strings.Fields(typ) {
		if k, ok := placeKinds[w]; ok {
			return k
		}
		if a, ok := placeAliases[w]; ok {
			return placeKinds[a]
		}
	}
	return genericKind
}

func locationNames(c *Campaign) map[string]bool {
	m := make(map[string]bool, len(c.Locations))
	for _, l := range c.Locations {
		m[strings.ToLower(l.Name)] = true
	}
	return m
}

// placeName fills one of the kind's templates; a name the campaign has
// for another location is drawn again.
func placeName(rng *rand.Rand, names *namer, k placeKind, typ, culture string, taken map[string]bool) string {
	adjs, nouns := k.adjs, k.nouns
	if len(adjs) == 0 {
		adjs = genericKind.adjs
	}
	if len(nouns) < 2 {
		nouns = []string{"Stone", "Crown", "Well", "Bridge", "Oak", "Tower"}
	}
	r, size := utf8.DecodeRuneInString(typ)
	title := string(unicode.ToUpper(r)) + typ[size:]
	var name string
	for try := 0; try < 50; try++ {
		two := pickN(rng, nouns, 2)
		name = strings.NewReplacer(
			"{A}", pick(rng, adjs), "{N}", two[0], "{M}", two[1], "{T}", title,
			"{G}", names.given(culture), "{F}", names.family(nonOrc(culture)), "{S}", settlement(rng, names, culture),
		).Replace(pick(rng, k.names))
		if !taken[strings.ToLower(name)] {
			return name
		}
	}
	return name + " " + names.given(culture) // fifty taken names in a row: make it unique
}

// nonOrc keeps orcish epithets ("the Bone-breaker") out of place names.
func nonOrc(culture string) string {
	if culture == "orcish" {
		return "dwarvish"
	}
	return culture
}

// settlement is a human-style compound half the time, and otherwise a
// Markov name of the culture, so places sound like the people in them.
func settlement(rng *rand.Rand, names *namer, culture string) string {
	if culture == "human" || rng.IntN(2) == 0 {
		return pick(rng, settlementParts[0]) + pick(rng, settlementParts[1])
	}
	return names.given(culture)
}

func describePlace(rng *rand.Rand, d *LocationDraft, parent *gmc.Location) string {
	var b strings.Builder
	where := ""
	if parent != nil {
		where = " in " + parent.Name
	}
	fmt.Fprintf(&b, "%s is a %s %s%s. ", d.Name, pick(rng, moodWords[d.Mood]), d.LocationType, where)
	for _, f := range d.Features {
		b.WriteString(f)
		b.WriteString(". ")
	}
	var people []string
	for _, in := range d.Inhabitants {
		if in.NPC {
			people = append(people, fmt.Sprintf("%s (%s, %s)", in.Name, in.Role, in.Trait))
		}
	}
	if len(people) > 0 {
		b.WriteString("Here you may meet " + strings.Join(people, "; ") + ".")
	}
	return strings.TrimSpace(b.String())
}

package generate

import (
	"strings"
)

// The built-in name generators, for other generators whose own name
// clashes with the campaign's: a language model that keeps proposing a
// name the campaign has falls back to these.

// NPCName draws a full name of the culture (human when unknown) that no
// character of c has, as the built-in NPC generator would, styled by the
// campaign's names; avoid lists more names to stay clear of.
func NPCName(c *Campaign, seed uint64, culture string, avoid ...string) (given, family, full string) {
	rng := newRNG(seed, "npc-name")
	n := newNamer(rng, c)
	for _, a := range avoid {
		n.taken[strings.ToLower(strings.TrimSpace(a))] = true
		for _, w := range strings.Fields(a) {
			n.taken[strings.ToLower(w)] = true
		}
	}
	if _, ok := givenNames[culture]; !ok {
		culture = "human"
	}
	return n.full(culture)
}

// PlaceName draws a name for a location of the type that no location of
// c has, from the type's grammar as the built-in location generator
// would; avoid lists more names to stay clear of.
func PlaceName(c *Campaign, seed uint64, typ, culture string, avoid ...string) string {
	rng := newRNG(seed, "place-name")
	typ = strings.ToLower(strings.TrimSpace(typ))
	if typ == "" {
		typ = "place"
	}
	if _, ok := givenNames[culture]; !ok {
		culture = "human"
	}
	taken := locationNames(c)
	for _, a := range avoid {
		taken[strings.ToLower(strings.TrimSpace(a))] = true
	}
	return placeName(rng, newNamer(rng, c), kindOf(typ), typ, culture, taken)
}

// CultureOf is the usual naming culture of an ancestry; human for one the
// tables do not know.
func CultureOf(ancestry string) string {
	if cs, ok := ancestryCultures[strings.ToLower(strings.TrimSpace(ancestry))]; ok {
		return cs[0]
	}
	return "human"
}

package generate

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"

	"github.com/gmc-project/gmc/internal/gmc"
)

// Builtin is the procedural Generator: tables and grammars written for the
// project, Markov-chain names, and the encounter-building rules of the 5e
// SRD. It holds no state; drafts depend only on their inputs.
type Builtin struct{}

var _ Generator = Builtin{}

// newRNG gives each kind of draft its own stream of a seed, so that an
// NPC and a location made with one seed do not mirror each other.
func newRNG(seed uint64, kind string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(kind))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// NPC makes a non-player character.
func (Builtin) NPC(ctx context.Context, c *Campaign, req NPCRequest) (*NPCDraft, error) {
	rng := newRNG(req.Seed, "npc")
	d := makeNPC(rng, newNamer(rng, c), c, req.Hints)
	d.Seed = req.Seed
	d.Generator = GeneratorBuiltin
	return d, nil
}

func makeNPC(rng *rand.Rand, names *namer, c *Campaign, h NPCHints) *NPCDraft {
	ancestry := strings.ToLower(strings.TrimSpace(h.Ancestry))
	culture := strings.ToLower(strings.TrimSpace(h.Culture))
	if _, ok := givenNames[culture]; !ok {
		culture = "" // not one of Cultures: as if none were asked for
	}
	switch {
	case ancestry != "":
	case culture != "":
		ancestry = cultureAncestry[culture]
	default:
		ancestry = pickWeighted(rng, ancestries)
	}
	if culture == "" {
		culture = cultureOf(rng, ancestry)
	}
	d := &NPCDraft{Culture: culture, Ancestry: ancestry, References: []Ref{}}
	d.GivenName, d.FamilyName, d.Name = names.full(culture)
	d.Occupation = strings.TrimSpace(h.Occupation)
	if d.Occupation == "" {
		d.Occupation = pick(rng, occupations)
	}
	d.Appearance = appearance(rng, ancestry)
	d.Personality = pickN(rng, traits, 2)
	d.Ideal = pick(rng, ideals)
	d.Flaw = pick(rng, flaws)
	d.Motivation = pick(rng, motivations)
	d.Bond = d.bond(rng, c)
	d.Secret = d.secret(rng, c)
	d.Voice = Voice{Pitch: pick(rng, pitches), Pace: pick(rng, paces), Accent: pick(rng, accents[culture]), Tic: pick(rng, tics)}
	d.VoiceNotes = fmt.Sprintf("Pitch: %s. Pace: %s. Accent: %s. Verbal tic: %s.", d.Voice.Pitch, d.Voice.Pace, d.Voice.Accent, d.Voice.Tic)
	return d
}

// cultureOf picks a naming culture for an ancestry; one the tables do not
// know gets any culture.
func cultureOf(rng *rand.Rand, ancestry string) string {
	cs, ok := ancestryCultures[ancestry]
	if !ok {
		return pick(rng, Cultures)
	}
	if len(cs) > 1 && rng.IntN(10) < 3 {
		return cs[1+rng.IntN(len(cs)-1)]
	}
	return cs[0]
}

func appearance(rng *rand.Rand, ancestry string) string {
	hair := hairs["default"]
	if h, ok := hairs[ancestry]; ok && rng.IntN(4) > 0 {
		hair = h
	}
	build := pick(rng, builds)
	return fmt.Sprintf("%s %s %s with %s, %s and %s; %s.", article(build), build, ancestry, pick(rng, hair), pick(rng, eyes), pick(rng, marks), pick(rng, dress))
}

// article is the indefinite article before a word, capitalised.
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiouAEIOU", rune(word[0])) {
		return "An"
	}
	return "A"
}

// bond ties the NPC to a character or location of the campaign when it has
// any, half the time and a quarter of the time.
func (d *NPCDraft) bond(rng *rand.Rand, c *Campaign) string {
	roll := rng.IntN(4)
	switch {
	case roll < 2 && len(c.Characters) > 0:
		ch := pick(rng, c.Characters)
		d.References = append(d.References, Ref{Type: gmc.EntityCharacter, ID: ch.ID, Name: ch.Name})
		return fmt.Sprintf(pick(rng, bondsWithCharacter), ch.Name)
	case roll == 2 && len(c.Locations) > 0:
		l := pick(rng, c.Locations)
		d.References = append(d.References, Ref{Type: gmc.EntityLocation, ID: l.ID, Name: l.Name})
		return fmt.Sprintf(pick(rng, bondsWithLocation), l.Name)
	}
	return pick(rng, bonds)
}

// secret ties the NPC to a character or an unfinished plot thread when
// the campaign has one.
func (d *NPCDraft) secret(rng *rand.Rand, c *Campaign) string {
	open := openPlots(c)
	roll := rng.IntN(10)
	switch {
	case roll < 3 && len(c.Characters) > 0:
		ch := pick(rng, c.Characters)
		d.References = append(d.References, Ref{Type: gmc.EntityCharacter, ID: ch.ID, Name: ch.Name})
		return fmt.Sprintf(pick(rng, secretsWithCharacter), ch.Name)
	case roll < 6 && len(open) > 0:
		p := pick(rng, open)
		d.References = append(d.References, Ref{Type: gmc.EntityPlot, ID: p.ID, Name: p.Title})
		return fmt.Sprintf(pick(rng, secretsWithPlot), p.Title)
	}
	return pick(rng, secrets)
}

// openPlots are the threads not closed, in the campaign's order.
func openPlots(c *Campaign) []*gmc.PlotThread {
	var out []*gmc.PlotThread
	for _, p := range c.Plots {
		if !p.Status.Closed() {
			out = append(out, p)
		}
	}
	return out
}

func pickWeighted(rng *rand.Rand, ws []weighted) string {
	total := 0
	for _, w := range ws {
		total += w.weight
	}
	x := rng.IntN(total)
	for _, w := range ws {
		if x -= w.weight; x < 0 {
			return w.value
		}
	}
	return ws[len(ws)-1].value
}

// pickN picks n different items (fewer when xs is shorter), in xs' order
// of drawing.
func pickN[T any](rng *rand.Rand, xs []T, n int) []T {
	idx := rng.Perm(len(xs))
	out := make([]T, 0, min(n, len(xs)))
	for _, i := range idx[:min(n, len(xs))] {
		out = append(out, xs[i])
	}
	return out
}

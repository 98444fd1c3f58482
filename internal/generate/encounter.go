package generate

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/reference"
)

// The encounter-building rules of the 5e SRD / DMG: each character has an
// XP threshold per difficulty; a set of monsters is judged by its XP times
// a multiplier for the number of monsters, shifted one step up for a party
// of fewer than three and one step down for six or more.

// xpThresholds[level-1] are one character's easy, medium, hard and deadly
// thresholds.
var xpThresholds = [20][4]int{
	{25, 50, 75, 100}, {50, 100, 150, 200}, {75, 150, 225, 400}, {125, 250, 375, 500},
	{250, 500, 750, 1100}, {300, 600, 900, 1400}, {350, 750, 1100, 1700}, {450, 900, 1400, 2100},
	{550, 1100, 1600, 2400}, {600, 1200, 1900, 2800}, {800, 1600, 2400, 3600}, {1000, 2000, 3000, 4500},
	{1100, 2200, 3400, 5100}, {1250, 2500, 3800, 5700}, {1400, 2800, 4300, 6400}, {1600, 3200, 4800, 7200},
	{2000, 3900, 5900, 8800}, {2100, 4200, 6300, 9500}, {2400, 4900, 7300, 10900}, {2800, 5700, 8500, 12700},
}

// Difficulties lists the difficulties, easiest first.
var Difficulties = []Difficulty{Easy, Medium, Hard, Deadly}

// deadlyCeiling bounds a deadly encounter at this many times the deadly
// threshold: the rules set no upper bound, but a set far beyond it is a
// slaughter, not an encounter.
const deadlyCeiling = 1.5

// multiplierSteps are the encounter multipliers in order; a party's size
// moves the step found from the number of monsters.
var multiplierSteps = []float64{0.5, 1, 1.5, 2, 2.5, 3, 4, 5}

// Limits of an encounter request.
const (
	MaxPartyLevel = 20
	MaxPartySize  = 12
)

// PartyThresholds sums the thresholds of size characters of level.
func PartyThresholds(level, size int) Thresholds {
	t := xpThresholds[level-1]
	return Thresholds{Easy: t[0] * size, Medium: t[1] * size, Hard: t[2] * size, Deadly: t[3] * size}
}

func (t Thresholds) of(d Difficulty) int {
	switch d {
	case Easy:
		return t.Easy
	case Medium:
		return t.Medium
	case Hard:
		return t.Hard
	}
	return t.Deadly
}

// Band is the adjusted XP range of a difficulty: from its threshold up to
// the next one's (deadly: up to deadlyCeiling × its own), upper bound
// excluded.
func (t Thresholds) Band(d Difficulty) (lo, hi int) {
	i := slices.Index(Difficulties, d)
	lo = t.of(d)
	if i == len(Difficulties)-1 {
		return lo, int(math.Ceil(float64(lo) * deadlyCeiling))
	}
	return lo, t.of(Difficulties[i+1])
}

// Reached is the hardest difficulty whose threshold adjusted reaches, or
// "trivial" below easy.
func (t Thresholds) Reached(adjusted int) Difficulty {
	reached := Difficulty("trivial")
	for _, d := range Difficulties {
		if adjusted >= t.of(d) {
			reached = d
		}
	}
	return reached
}

// Multiplier is the encounter multiplier for n monsters against a party
// of partySize characters.
func Multiplier(n, partySize int) float64 {
	step := 1 // ×1 for one monster
	switch {
	case n >= 15:
		step = 6
	case n >= 11:
		step = 5
	case n >= 7:
		step = 4
	case n >= 3:
		step = 3
	case n == 2:
		step = 2
	}
	switch {
	case partySize < 3:
		step++
	case partySize >= 6:
		step--
	}
	return multiplierSteps[step]
}

// maxMonsters bounds the monsters of an encounter: a few more than two per
// character, and never so many the table cannot run them.
func maxMonsters(partySize int) int { return min(20, 4+2*partySize) }

// theme is a kind of place and the monsters that belong there.
type theme struct {
	types []string // creature types, lower case
	// speed, when set, also admits monsters that move this way ("swim").
	speed string
	// words in a monster's name that admit it ("frost", "ice").
	words []string
}

var themes = map[string]theme{
	"undead":   {types: []string{"undead"}, words: []string{"ghoul", "ghast", "rat", "spider", "wraith"}},
	"forest":   {types: []string{"beast", "plant", "fey", "swarm"}, words: []string{"owlbear", "wolf", "dryad", "centaur", "elf", "goblin", "bugbear"}},
	"swamp":    {types: []string{"plant"}, speed: "swim", words: []string{"lizardfolk", "hag", "crocodile", "frog", "toad", "snake", "troll", "bullywug"}},
	"cave":     {types: []string{"ooze", "aberration", "monstrosity"}, words: []string{"bat", "spider", "kobold", "goblin", "drow", "troll", "gnome", "bear"}},
	"dungeon":  {types: []string{"ooze", "aberration", "construct", "undead", "monstrosity"}, words: []string{"kobold", "goblin", "hobgoblin", "bugbear", "orc", "cult", "rat", "spider", "minotaur"}},
	"temple":   {types: []string{"celestial", "fiend", "construct", "undead"}, words: []string{"cult", "priest", "acolyte", "gargoyle", "fanatic"}},
	"urban":    {types: []string{"humanoid"}, words: []string{"rat", "mastiff", "dog", "spy", "assassin", "thug", "wererat", "doppelganger"}},
	"rural":    {types: []string{"humanoid", "beast"}, words: []string{"wolf", "boar", "bandit", "goblin", "ogre", "gnoll"}},
	"mountain": {types: []string{"giant", "dragon", "elemental"}, words: []string{"eagle", "goat", "griffon", "roc", "wyvern", "yeti", "orc", "dwarf", "harpy", "manticore"}},
	"coast":    {speed: "swim", words: []string{"sahuagin", "merfolk", "pirate", "bandit", "harpy", "crab"}},
	"fiend":    {types: []string{"fiend"}, words: []string{"hell hound", "cult", "nightmare"}},
}

// themeOf picks the theme of a location from its type, then from the
// words of its type and name ("Old Crypt" of type "place" is undead).
func themeOf(l *gmc.Location) string {
	if l == nil {
		return ""
	}
	if th := kindOf(strings.ToLower(l.LocationType)).theme; th != "" {
		return th
	}
	for _, w := range strings.Fields(strings.ToLower(l.Name + " " + l.LocationType)) {
		w = strings.Trim(w, ",.'’s")
		if th := kindOf(w).theme; th != "" {
			return th
		}
		for _, extra := range []struct{ word, theme string }{{"hell", "fiend"}, {"abyss", "fiend"}, {"sea", "coast"}, {"coast", "coast"}, {"lake", "coast"}, {"river", "coast"}} {
			if w == extra.word {
				return extra.theme
			}
		}
	}
	return ""
}

// fits reports whether m belongs to the theme.
func (t theme) fits(m *Monster) bool {
	base := m.Type
	if strings.HasPrefix(base, "swarm") {
		base = "swarm"
	}
	if slices.Contains(t.types, base) {
		return true
	}
	if t.speed != "" && strings.Contains(m.Speed, t.speed) {
		return true
	}
	name := strings.ToLower(m.Name)
	for _, w := range t.words {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// group is a candidate monster set: kinds with their counts.
type group struct {
	kinds  []*Monster
	counts []int
}

func (g group) size() int {
	n := 0
	for _, c := range g.counts {
		n += c
	}
	return n
}

func (g group) xp() int {
	xp := 0
	for i, m := range g.kinds {
		xp += m.XP * g.counts[i]
	}
	return xp
}

// Encounter searches the bestiary for a monster set whose adjusted XP
// falls in the band of the asked difficulty, among the location's
// monsters when a location is given and any fit, else among all.
func (Builtin) Encounter(ctx context.Context, c *Campaign, req EncounterRequest) (*EncounterDraft, error) {
	if req.PartyLevel < 1 || req.PartyLevel > MaxPartyLevel || req.PartySize < 1 || req.PartySize > MaxPartySize || !slices.Contains(Difficulties, req.Difficulty) {
		return nil, fmt.Errorf("generate: encounter for %d characters of level %d, %q: out of the rules' range", req.PartySize, req.PartyLevel, req.Difficulty)
	}
	rng := newRNG(req.Seed, "encounter")
	th := PartyThresholds(req.PartyLevel, req.PartySize)
	lo, hi := th.Band(req.Difficulty)
	var all []*Monster
	for i := range c.Monsters {
		if c.Monsters[i].XP > 0 { // a CR 0 monster with 0 XP adds nothing to an encounter
			all = append(all, &c.Monsters[i])
		}
	}
	// A stable order whatever order the bestiary came in.
	slices.SortFunc(all, func(a, b *Monster) int {
		if a.XP != b.XP {
			return a.XP - b.XP
		}
		return strings.Compare(a.Slug, b.Slug)
	})
	d := &EncounterDraft{Seed: req.Seed, PartyLevel: req.PartyLevel, PartySize: req.PartySize, Difficulty: req.Difficulty,
		Thresholds: th, Band: [2]int{lo, hi}, Notes: []string{}, Generator: GeneratorBuiltin}
	pool := all
	if req.Location != nil {
		d.Location = &Ref{Type: gmc.EntityLocation, ID: req.Location.ID, Name: req.Location.Name}
		d.Theme = themeOf(req.Location)
		if d.Theme != "" {
			pool = nil
			for _, m := range all {
				if themes[d.Theme].fits(m) {
					pool = append(pool, m)
				}
			}
		}
	}
	g, ok := search(rng, pool, req.PartySize, lo, hi)
	d.Themed = ok && d.Theme != ""
	if !ok && len(pool) < len(all) {
		d.Notes = append(d.Notes, fmt.Sprintf("No set of %s monsters fits this difficulty; the monsters come from the whole bestiary.", d.Theme))
		g, ok = search(rng, all, req.PartySize, lo, hi)
	}
	if !ok {
		return nil, outOfReach(all, req, lo, hi)
	}
	for i, m := range g.kinds {
		d.Monsters = append(d.Monsters, EncounterMonster{Monster: *m, Count: g.counts[i], TotalXP: m.XP * g.counts[i]})
	}
	d.XP = g.xp()
	d.Multiplier = Multiplier(g.size(), req.PartySize)
	d.AdjustedXP = int(math.Floor(float64(d.XP) * d.Multiplier))
	d.Reached = th.Reached(d.AdjustedXP)
	return d, nil
}

// search collects the sets of pool whose adjusted XP is in [lo, hi) — every
// single-kind group, and leader-with-followers groups of a leader and a
// weaker kind (a sample of followers per leader) — and draws one, a mixed
// group half the time when there is one.
func search(rng *rand.Rand, pool []*Monster, partySize, lo, hi int) (group, bool) {
	maxN := maxMonsters(partySize)
	fits := func(xp, n int) bool {
		adj := float64(xp) * Multiplier(n, partySize)
		return adj >= float64(lo) && adj < float64(hi)
	}
	var singles, mixed []group
	for _, m := range pool {
		for n := 1; n <= maxN; n++ {
			if fits(m.XP*n, n) {
				singles = append(singles, group{kinds: []*Monster{m}, counts: []int{n}})
			}
		}
	}
	const followersPerLeader = 6
	for li, leader := range pool {
		if leader.XP >= hi {
			break // pool is sorted by XP: no stronger leader fits either
		}
		// Followers are weaker, but not so weak they do not count (the
		// DMG's advice to ignore trivial monsters): at least 1/25 of the
		// leader's XP. Sorted by XP, they are one run of the pool.
		from, _ := slices.BinarySearchFunc(pool[:li], (leader.XP+24)/25, func(m *Monster, xp int) int { return m.XP - xp })
		to, _ := slices.BinarySearchFunc(pool[:li], leader.XP, func(m *Monster, xp int) int { return m.XP - xp })
		if from >= to {
			continue
		}
		for range min(followersPerLeader, to-from) {
			f := pool[from+rng.IntN(to-from)]
			for k := 1; k < maxN; k++ {
				if fits(leader.XP+f.XP*k, 1+k) {
					mixed = append(mixed, group{kinds: []*Monster{leader, f}, counts: []int{1, k}})
				}
			}
		}
	}
	// Sets the table can run are preferred: no more monsters than a
	// couple over the party's size, when any such set fits.
	modest := func(gs []group) []group {
		var out []group
		for _, g := range gs {
			if g.size() <= max(4, partySize+2) {
				out = append(out, g)
			}
		}
		return out
	}
	if ms, ss := modest(mixed), modest(singles); len(ms)+len(ss) > 0 {
		mixed, singles = ms, ss
	}
	switch {
	case len(mixed) > 0 && (len(singles) == 0 || rng.IntN(2) == 0):
		return pick(rng, mixed), true
	case len(singles) > 0:
		return pick(rng, singles), true
	}
	return group{}, false
}

// outOfReach explains why no set fits: the strongest set the bestiary
// makes with the allowed number of monsters, against the band.
func outOfReach(all []*Monster, req EncounterRequest, lo, hi int) error {
	best := 0.0
	maxN := maxMonsters(req.PartySize)
	for _, m := range all {
		for n := 1; n <= maxN; n++ {
			best = max(best, float64(m.XP*n)*Multiplier(n, req.PartySize))
		}
	}
	if len(all) == 0 {
		return ErrNoBestiary
	}
	if best < float64(lo) {
		return fmt.Errorf("%w: the party is too strong: %d characters of level %d need an adjusted XP of at least %d for a %s encounter, "+
			"and the strongest set of up to %d SRD monsters gives %d", ErrOutOfReach, req.PartySize, req.PartyLevel, lo, req.Difficulty, maxN, int(best))
	}
	return fmt.Errorf("%w: no set of up to %d SRD monsters has an adjusted XP in [%d, %d) for %d characters of level %d",
		ErrOutOfReach, maxN, lo, hi, req.PartySize, req.PartyLevel)
}

// MonsterOf reads a monster from its reference entry; ok is false for an
// entry that is not a monster or has no stat block.
func MonsterOf(e *reference.Entry) (Monster, bool) {
	f := e.Card.Monster
	if e.Kind != reference.KindMonster || f == nil {
		return Monster{}, false
	}
	typ, sub, _ := strings.Cut(strings.ToLower(f.Type), " (")
	return Monster{Slug: e.Slug, Name: e.Name, Type: typ, Subtype: strings.TrimSuffix(sub, ")"), Size: f.Size, CR: f.CR, XP: f.XP, Speed: f.Speed}, true
}

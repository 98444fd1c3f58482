package generate

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Names come from character-level Markov chains of orders 2 and 3: each
// letter is drawn given the two or three before it (the order is drawn per
// letter, so names recombine more freely than an order-3 chain alone
// allows while keeping a culture's sound). A campaign's own names form a
// second chain mixed in with a weight, so new names sound like the
// campaign's.

const (
	minOrder, maxOrder = 2, 3
	// pOrder3 is the chance a letter is drawn from the order-3 context.
	pOrder3 = 0.6
	// maxStyleWeight is the share of the campaign's chain in a letter's
	// distribution once the campaign has styleFull names or more.
	maxStyleWeight = 0.4
	styleFull      = 8
	minNameLen     = 3
	maxNameLen     = 11
	// nameTries bounds the draws for one name before falling back to a
	// culture name with a generated ending.
	nameTries = 200
)

const (
	startRune = '^'
	endRune   = '$'
)

// dist is the letters seen after one context, sorted by letter so that
// drawing from it is deterministic.
type dist struct {
	runes  []rune
	counts []float64
	total  float64
}

func (d *dist) add(r rune, w float64) {
	i, found := slices.BinarySearch(d.runes, r)
	if !found {
		d.runes = slices.Insert(d.runes, i, r)
		d.counts = slices.Insert(d.counts, i, 0)
	}
	d.counts[i] += w
	d.total += w
}

// chain maps a context (the last 2 or 3 letters, "^"-padded) to what
// follows it. A context is packed into an integer (see ctxKey), so
// learning a campaign's names on each request allocates no strings.
type chain map[uint64]*dist

// ctxKey packs the k runes before i: 21 bits a rune, and the top bit set
// for order 2 so that "^ab" and "ab" differ.
func ctxKey(rs []rune, i, k int) uint64 {
	var key uint64
	for _, r := range rs[i-k : i] {
		key = key<<21 | uint64(r)
	}
	if k == minOrder {
		key |= 1 << 63
	}
	return key
}

func newChain(names []string) chain {
	c := chain{}
	for _, n := range names {
		c.learn(n)
	}
	return c
}

func (c chain) learn(name string) {
	rs := make([]rune, 0, len(name)+4)
	rs = append(rs, startRune, startRune, startRune)
	for _, r := range strings.ToLower(name) {
		rs = append(rs, r)
	}
	rs = append(rs, endRune)
	for i := maxOrder; i < len(rs); i++ {
		for k := minOrder; k <= maxOrder; k++ {
			key := ctxKey(rs, i, k)
			d := c[key]
			if d == nil {
				d = &dist{}
				c[key] = d
			}
			d.add(rs[i], 1)
		}
	}
}

// cultureChains are learnt once from the lists.
var cultureChains = sync.OnceValue(func() map[string]chain {
	m := make(map[string]chain, len(givenNames))
	for culture, names := range givenNames {
		m[culture] = newChain(names)
	}
	return m
})

// listNames holds every list name in lower case, of every culture: a
// generated name is never one of them.
var listNames = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, names := range givenNames {
		for _, n := range names {
			m[strings.ToLower(n)] = true
		}
	}
	return m
})

// namer draws names for one draft: with the campaign's style, never a
// name the campaign has or the draft already used.
type namer struct {
	rng    *rand.Rand
	style  chain
	styleW float64
	taken  map[string]bool
}

// newNamer learns the style of the campaign's character names and aliases
// (their capitalised words of letters only) and records them as taken.
func newNamer(rng *rand.Rand, c *Campaign) *namer {
	n := &namer{rng: rng, style: chain{}, taken: map[string]bool{}}
	words := 0
	for _, ch := range c.Characters {
		for _, full := range append([]string{ch.Name}, ch.Aliases...) {
			n.taken[strings.ToLower(strings.TrimSpace(full))] = true
			for _, w := range strings.Fields(full) {
				if styleWord(w) {
					n.taken[strings.ToLower(w)] = true
					n.style.learn(w)
					words++
				}
			}
		}
	}
	n.styleW = maxStyleWeight * min(1, float64(words)/styleFull)
	return n
}

// styleWord reports whether w looks like a name: a capitalised word of
// letters, long enough to carry a style.
func styleWord(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) || utf8.RuneCountInString(w) < minNameLen {
		return false
	}
	for _, r := range w {
		if !unicode.IsLetter(r) && r != '\'' {
			return false
		}
	}
	return true
}

// given draws a given name of the culture (a culture without a list is
// human).
func (n *namer) given(culture string) string {
	if _, ok := givenNames[culture]; !ok {
		culture = "human"
	}
	base := cultureChains()[culture]
	for range nameTries {
		name := n.draw(base)
		if n.acceptable(name) {
			n.taken[strings.ToLower(name)] = true
			return name
		}
	}
	// The chains are rich enough that this is not reached in practice;
	// still, a name must come out: a list name with a drawn ending.
	list := givenNames[culture]
	stem := []rune(list[n.rng.IntN(len(list))])
	name := string(stem[:max(minNameLen, len(stem)-1)])
	for i := 0; ; i++ {
		try := name + string("aeiouy"[n.rng.IntN(6)]) + string("nlrsk"[i%5])
		if i >= 100 {
			try = fmt.Sprintf("%s %d", name, i) // a campaign that has every such name
		}
		if n.acceptable(try) || i >= 100 && !n.taken[strings.ToLower(try)] {
			n.taken[strings.ToLower(try)] = true
			return try
		}
	}
}

func (n *namer) acceptable(name string) bool {
	l := strings.ToLower(name)
	count := utf8.RuneCountInString(name)
	return count >= minNameLen && count <= maxNameLen && !listNames()[l] && !n.taken[l] && hasVowel(l) && !tripled(l)
}

func hasVowel(s string) bool { return strings.ContainsAny(s, "aeiouyáéíóúäëïöüâêîôû") }

func tripled(s string) bool {
	rs := []rune(s)
	for i := 2; i < len(rs); i++ {
		if rs[i] == rs[i-1] && rs[i] == rs[i-2] {
			return true
		}
	}
	return false
}

// draw walks the mixed chain from the start to an end.
func (n *namer) draw(base chain) string {
	ctx := []rune{startRune, startRune, startRune}
	var out []rune
	for len(out) <= maxNameLen {
		k := minOrder
		if n.rng.Float64() < pOrder3 {
			k = maxOrder
		}
		r, ok := n.next(base, ctxKey(ctx, len(ctx), k))
		if !ok && k == maxOrder {
			r, ok = n.next(base, ctxKey(ctx, len(ctx), minOrder))
		}
		if !ok || r == endRune {
			break
		}
		out = append(out, r)
		ctx = append(ctx, r)
	}
	if len(out) == 0 {
		return ""
	}
	out[0] = unicode.ToUpper(out[0])
	return string(out)
}

// next draws the letter after ctx from the culture's and the campaign's
// distributions mixed: (1-w)·P_culture + w·P_campaign, or whichever one
// knows the context.
func (n *namer) next(base chain, ctx uint64) (rune, bool) {
	a, b := base[ctx], n.style[ctx]
	wa, wb := 1-n.styleW, n.styleW
	switch {
	case a == nil && b == nil:
		return 0, false
	case a == nil:
		wa, wb = 0, 1
	case b == nil || n.styleW == 0:
		wa, wb = 1, 0
	}
	x := n.rng.Float64()
	var last rune
	for _, part := range []struct {
		d *dist
		w float64
	}{{a, wa}, {b, wb}} {
		if part.d == nil || part.w == 0 {
			continue
		}
		for i, r := range part.d.runes {
			x -= part.w * part.d.counts[i] / part.d.total
			last = r
			if x < 0 {
				return r, true
			}
		}
	}
	return last, true // rounding left a sliver at the top
}

// family draws a family name (an epithet for orcs) of the culture.
func (n *namer) family(culture string) string {
	parts, ok := familyParts[culture]
	if !ok {
		parts = familyParts["human"]
	}
	a, b := pick(n.rng, parts[0]), pick(n.rng, parts[1])
	if culture == "orcish" {
		return "the " + a + "-" + b
	}
	return a + b
}

// full draws a whole name no character of the campaign has.
func (n *namer) full(culture string) (given, family, full string) {
	for {
		given = n.given(culture)
		family = n.family(culture)
		full = given + " " + family
		if !n.taken[strings.ToLower(full)] {
			n.taken[strings.ToLower(full)] = true
			return given, family, full
		}
	}
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

package keywords

import (
	"slices"
	"strings"
	"sync"

	"github.com/gmc-project/gmc/internal/phonetic"
	"github.com/gmc-project/gmc/internal/textmatch"
)

// The sound matcher compares what the recogniser wrote with each name at
// the level of phones: every word becomes its CMU-dictionary pronunciation
// (invented names and other unknown words go through letter-to-sound
// rules), and a window of one or more words is aligned with the name's
// phones by an edit distance whose costs come from phonetic features
// (package phonetic). Windows run over word boundaries, so a name heard as
// several words ("zee lan dra") or several names' words heard as one meet
// the name's phones just the same.

// SoundOptions are the sound matcher's thresholds. They are chosen by
// cross-validation over the benchmark's names (gmc bench keywords -cv),
// never per name or per utterance; the zero value means DefaultSound.
type SoundOptions struct {
	// MinScore is the least similarity, 1 − distance/phones of the name,
	// of a sound match.
	MinScore float64 `json:"min_score"`
	// MinScoreKnown replaces MinScore for names made of dictionary
	// words ("Troll", "Mage Hand"): a recogniser that knows the word
	// would have written it had it heard it, so another word that sounds
	// a little like it is weaker evidence than for an invented name,
	// which it can never write.
	MinScoreKnown float64 `json:"min_score_known"`
	// MinPhones is the fewest phones a name must have to be matched by
	// sound: short names sound like too many ordinary words.
	MinPhones int `json:"min_phones"`
	// WordMax is the most distance per phone any content word of a
	// multi-word name may take, so that one well-heard word does not
	// carry a name whose other words are gone.
	WordMax float64 `json:"word_max"`
	// VowelWeight scales the cost of a vowel heard as another vowel, or
	// heard or lost on its own: recognisers confuse vowels far more
	// than consonants, by an amount the feature costs do not know.
	VowelWeight float64 `json:"vowel_weight"`
	// OrdinaryPenalty is taken off a sound match in proportion to the
	// share of its letters in ordinary words (Options.Lexicon).
	OrdinaryPenalty float64 `json:"ordinary_penalty"`
}

// minScore is the least similarity for a sound match of v.
func (so SoundOptions) minScore(v *variant) float64 {
	if v.known {
		return so.MinScoreKnown
	}
	return so.MinScore
}

func sub(so SoundOptions, a, b phonetic.Phone) float32 {
	c := phonetic.Sub(a, b)
	if a.Vowel() && b.Vowel() {
		c *= float32(so.VowelWeight)
	}
	return c
}

func indel(so SoundOptions, p phonetic.Phone) float32 {
	c := phonetic.Indel(p)
	if p.Vowel() {
		c *= float32(so.VowelWeight)
	}
	return c
}

// DefaultSound holds the thresholds chosen by cross-validation on the
// development benchmark (see the kwbench package). A SoundOptions other
// than the zero value must set every field.
var DefaultSound = SoundOptions{MinScore: 0.73, MinScoreKnown: 0.80, MinPhones: 5, WordMax: 0.85, VowelWeight: 1, OrdinaryPenalty: 0.15}

func (o Options) sound() SoundOptions {
	if o.Sound == (SoundOptions{}) {
		return DefaultSound
	}
	return o.Sound
}

const (
	// maxSoundTokens bounds a window: a name split by the recogniser
	// rarely spreads over more words.
	maxSoundTokens = 6
	// minSoundPhones is the shortest name the sound index holds; no
	// MinPhones below it is useful.
	minSoundPhones = 3
	// pluralCost is the cost of a plural or possessive ending heard
	// after a name.
	pluralCost = 0.15
	// filterShare is the least share of a name's coarse trigrams a window
	// must hold to be aligned with it (the window's trigrams across all its
	// lengths). It only saves work: a window that
	// keeps fewer is far beyond any MinScore worth using.
	filterShare = 0.3
	// nearSound is the highest substitution cost of a phone heard as
	// itself or a near neighbour (one feature apart).
	nearSound = 0.5
)

var (
	pronOnce sync.Once
	pron     *phonetic.Pronouncer
)

// pronouncer returns the shared pronouncer, or nil if the embedded
// dictionary cannot be read (the package phonetic tests check it can).
func pronouncer() *phonetic.Pronouncer {
	pronOnce.Do(func() { pron, _ = phonetic.Default() })
	return pron
}

// tokenPhones returns how a token is said. Contractions are looked up
// as written ("I'm" is in the dictionary, "im" is not); a possessive adds
// its s.
func tokenPhones(p *phonetic.Pronouncer, t textmatch.Token, buf []phonetic.Phone) []phonetic.Phone {
	if strings.ContainsAny(t.Raw, "'\u2019") && !t.Possessive {
		raw := strings.ToLower(strings.ReplaceAll(t.Raw, "\u2019", "'"))
		if p.Known(raw) {
			return append(buf, p.Pronounce(raw)...)
		}
	}
	buf = append(buf, p.Pronounce(t.Text)...)
	if t.Possessive {
		buf = append(buf, zPhone)
	}
	return buf
}

var (
	zPhone = phonetic.Encode([]string{"Z"})[0]
	sPhone = phonetic.Encode([]string{"S"})[0]
)

// coarse maps a phone to the class the sound index uses: all vowels are
// one class, and consonants that differ only by voicing, or nasals by
// place, are one, since those are the confusions a recogniser makes most.
var coarse = func() [phonetic.NumPhones]byte {
	var c [phonetic.NumPhones]byte
	class := map[string]byte{
		"P": 'p', "B": 'p', "T": 't', "D": 't', "K": 'k', "G": 'k', "F": 'f', "V": 'f', "TH": 'f', "DH": 'f',
		"S": 's', "Z": 's', "SH": 'c', "ZH": 'c', "CH": 'c', "JH": 'c', "M": 'n', "N": 'n', "NG": 'n',
		"L": 'l', "R": 'r', "W": 'w', "Y": 'y', "HH": 'h',
	}
	for p := phonetic.Phone(1); int(p) < phonetic.NumPhones; p++ {
		if p.Vowel() {
			c[p] = 'a'
		} else {
			c[p] = class[p.String()]
		}
	}
	return c
}()

// pronounce fills the variant's phones and sound keys.
func (v *variant) pronounce(toks []textmatch.Token) {
	p := pronouncer()
	if p == nil {
		return
	}
	v.known = true
	for k, t := range toks {
		if !v.stop[k] && !p.Known(t.Text) {
			v.known = false
		}
		n := len(v.phones)
		v.phones = tokenPhones(p, t, v.phones)
		for range len(v.phones) - n {
			v.wordOf = append(v.wordOf, uint8(min(k, 255)))
		}
	}
	if len(v.phones) < minSoundPhones {
		return
	}
	for i := 0; i+2 < len(v.phones); i++ {
		v.soundKeys = appendUnique(v.soundKeys, string([]byte{coarse[v.phones[i]], coarse[v.phones[i+1]], coarse[v.phones[i+2]]}))
	}
}

// soundScratch is the sound matcher's share of Detect's working memory.
type soundScratch struct {
	tphones  [][]phonetic.Phone // per token
	buf      []phonetic.Phone
	win      []phonetic.Phone
	ends     []int // row after each token of the window
	keys     []string
	keyPos   []int    // where each key first occurs in the window
	counts   []uint16 // shared coarse trigrams per variant
	touched  []int32
	dp       []float32
	wordCost []float32
	wordKept []int
	rowKept  []bool
}

// soundFrom aligns the windows that start at token i with the names that
// share enough of their sounds.
func (m *matcher) soundFrom(i int) {
	sc := &m.sc.snd
	so := m.opts.sound()
	sc.win, sc.ends = sc.win[:0], sc.ends[:0]
	for j := i; j < len(m.toks) && j-i < maxSoundTokens; j++ {
		sc.win = append(sc.win, sc.tphones[j]...)
		sc.ends = append(sc.ends, len(sc.win))
		if len(sc.win) > 2*m.s.maxPhones+2 {
			break
		}
	}
	if len(sc.win) < 2 || len(sc.tphones[i]) == 0 {
		return
	}
	if allStop(m.sc.stop[i : i+len(sc.ends)]) {
		return
	}
	sc.keys, sc.keyPos = sc.keys[:0], sc.keyPos[:0]
	for k := 0; k+2 < len(sc.win); k++ {
		key := string([]byte{coarse[sc.win[k]], coarse[sc.win[k+1]], coarse[sc.win[k+2]]})
		if !slices.Contains(sc.keys, key) {
			sc.keys = append(sc.keys, key)
			sc.keyPos = append(sc.keyPos, k)
		}
	}
	// Every phone heard beyond the name costs at least minIndel, so a
	// name of L phones within budget d spans at most L + d/minIndel
	// phones of the window.
	minIndel := 0.4 * min(so.VowelWeight, 1)
	if len(sc.counts) < len(m.s.variants) {
		sc.counts = make([]uint16, len(m.s.variants))
	}
	sc.touched = sc.touched[:0]
	for ki, k := range sc.keys {
		for _, vid := range m.s.sound.get(k) {
			// A name aligned from the window's start within its budget
			// spans at most reach phones of the window; trigrams beyond
			// that cannot be its own.
			v := &m.s.variants[vid]
			if float64(sc.keyPos[ki]+3) > float64(len(v.phones))*(1+(1-so.minScore(v))/minIndel)+1 {
				continue
			}
			if sc.counts[vid] == 0 {
				sc.touched = append(sc.touched, vid)
			}
			sc.counts[vid]++
		}
	}
	for _, vid := range sc.touched {
		n := sc.counts[vid]
		sc.counts[vid] = 0
		v := &m.s.variants[vid]
		if len(v.phones) < so.MinPhones || float64(n) < max(1, filterShare*float64(len(v.soundKeys))) {
			continue
		}
		m.align(vid, i, so)
	}
}

func allStop(stop []bool) bool {
	for _, s := range stop {
		if !s {
			return false
		}
	}
	return true
}

// align runs the edit distance between the window from token i and the
// variant's phones, reading the distance off at every word end.
func (m *matcher) align(vid int32, i int, so SoundOptions) {
	sc := &m.sc.snd
	v := &m.s.variants[vid]
	name, win := v.phones, sc.win
	L := len(name)
	cols := L + 1
	rows := len(win) + 1
	if cap(sc.dp) < rows*cols {
		sc.dp = make([]float32, rows*cols)
	}
	dp := sc.dp[:rows*cols]
	dp[0] = 0
	for c := 1; c <= L; c++ {
		dp[c] = dp[c-1] + indel(so, name[c-1])
	}
	maxD := float32((1 - so.minScore(v)) * float64(L))
	e := 0
	for r := 1; r < rows; r++ {
		w := win[r-1]
		row, up := dp[r*cols:(r+1)*cols], dp[(r-1)*cols:r*cols]
		row[0] = up[0] + indel(so, w)
		best := row[0]
		for c := 1; c <= L; c++ {
			row[c] = min(up[c-1]+sub(so, w, name[c-1]), up[c]+indel(so, w), row[c-1]+indel(so, name[c-1]))
			best = min(best, row[c])
		}
		if r == sc.ends[e] {
			j := i + e + 1
			wordStart := 0
			if e > 0 {
				wordStart = sc.ends[e-1]
			}
			e++
			d, end := row[L], r
			// A plural or possessive s ends a word that has more sounds
			// ("trolls"); a word of its own ("is") is not an ending.
			if (w == sPhone || w == zPhone) && r-1 > wordStart && up[L]+pluralCost < d {
				d, end = up[L]+pluralCost, r-1
			}
			if d <= maxD {
				m.soundCandidate(vid, i, j, end, float64(d)/float64(L), so)
			}
		}
		// Row minima never fall, so no later word end can come back
		// within the budget.
		if best > maxD {
			return
		}
	}
}

// soundCandidate checks a window within the distance budget and adds it.
func (m *matcher) soundCandidate(vid int32, i, j, end int, dist float64, so SoundOptions) {
	v := &m.s.variants[vid]
	if j-i == 1 && len(v.tokens) == 1 && otherWordForm(m.toks[i].Text, v.joined) {
		return // "invisible" is its own word, not a misheard "Invisibility"
	}
	edgeStop := j-i > 1 && (m.sc.stop[i] || m.sc.stop[j-1])
	if (len(v.tokens) > 1 || edgeStop) && !m.soundWordsSurvive(v, i, j, end, so) {
		return
	}
	if allStop(m.sc.stop[i:j]) {
		return // function words alone are not a name
	}
	conf := min(1-dist, capSound)
	share := m.ordinaryPenalty(v, i, j) / lexiconPenalty
	if share >= 1 {
		// Ordinary words, and function words between them, mean
		// themselves: "the dragon's" is not a Pseudodragon.
		return
	}
	penalty := so.OrdinaryPenalty * share
	m.add(vid, i, j, conf-penalty, ReasonPhonetic)
	for k := range m.sc.cands {
		if c := &m.sc.cands[k]; c.vid == vid && c.i == i && c.j == j && c.reason == ReasonPhonetic {
			c.capped = max(0, 1-dist-capSound)
		}
	}
}

// soundWordsSurvive traces the alignment back from row end and checks
// that no content word of the name lost more than wordMax per phone, and
// that every one kept at least half its phones as the same or a near
// sound: a word that is gone does not count as heard because the others
// were ("dragon's" is not Dragon Wings).
//
// A function word at either edge of the window must likewise have kept
// half its sounds in the name: "the" is taken in only when it was heard
// for part of the name ("the andrel" for Thandrel), not when the name's
// sounds are lost under it.
func (m *matcher) soundWordsSurvive(v *variant, i, j, end int, so SoundOptions) bool {
	sc := &m.sc.snd
	name, win := v.phones, sc.win
	cols := len(name) + 1
	dp := sc.dp
	nw := len(v.tokens)
	if cap(sc.wordCost) < nw {
		sc.wordCost = make([]float32, nw)
	}
	cost := sc.wordCost[:nw]
	clear(cost)
	if cap(sc.wordKept) < nw {
		sc.wordKept = make([]int, nw)
	}
	kept := sc.wordKept[:nw]
	clear(kept)
	if cap(sc.rowKept) < len(win) {
		sc.rowKept = make([]bool, len(win))
	}
	rowKept := sc.rowKept[:len(win)]
	clear(rowKept)
	r, c := end, len(name)
	for r > 0 || c > 0 {
		here := dp[r*cols+c]
		switch {
		case r > 0 && c > 0 && here == dp[(r-1)*cols+c-1]+sub(so, win[r-1], name[c-1]):
			s := sub(so, win[r-1], name[c-1])
			cost[v.wordOf[c-1]] += s
			if s <= nearSound {
				kept[v.wordOf[c-1]]++
				rowKept[r-1] = true
			}
			r, c = r-1, c-1
		case c > 0 && here == dp[r*cols+c-1]+indel(so, name[c-1]):
			cost[v.wordOf[c-1]] += indel(so, name[c-1])
			c--
		default:
			// A sound heard that is not in the name counts against the
			// word it falls in or next to.
			cost[v.wordOf[max(c-1, 0)]] += indel(so, win[r-1])
			r--
		}
	}
	for k := range nw {
		if v.stop[k] {
			continue
		}
		n := 0
		for _, w := range v.wordOf {
			if int(w) == k {
				n++
			}
		}
		if n == 0 || float64(cost[k]) > so.WordMax*float64(n) || 2*kept[k] < n {
			return false
		}
	}
	// Rows of the window's word k are (ends[k-1], ends[k]].
	rowsOf := func(k int) (int, int) {
		lo := 0
		if k > 0 {
			lo = sc.ends[k-1]
		}
		return lo, min(sc.ends[k], end)
	}
	for _, k := range []int{0, j - i - 1} {
		if j-i < 2 || !m.sc.stop[i+k] {
			continue
		}
		lo, hi := rowsOf(k)
		n := 0
		for r := lo; r < hi; r++ {
			if rowKept[r] {
				n++
			}
		}
		if 2*n < sc.ends[k]-lo {
			return false
		}
	}
	return true
}

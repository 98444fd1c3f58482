package keywords

import (
	"github.com/gmc-project/gmc/internal/textmatch"
)

// maxFuzzyTokens bounds the n-grams compared by spelling and sound: a name
// split by the recogniser rarely spreads over more words.
const maxFuzzyTokens = 6

// maxNgram bounds the n-grams looked up at all.
const maxNgram = 8

// Base confidences of spelling matches. Fuzzy and phonetic matches score
// their letter similarity instead (see fuzzyConfidence).
const (
	confExact  = 0.97 // the name's own words
	confAlias  = 0.95 // an alias's own words
	confJoined = 0.95 // the same letters split or joined differently
	// confInflected is taken off for a plural or possessive form.
	confInflected = 0.01
	// tokenFloor is the least letter similarity each word of a multi-word
	// name must keep in a fuzzy match ("line" is not "wand", even when
	// "of magic missiles" follows).
	tokenFloor = 0.34
	// lengthBonus favours longer names when candidates overlap, so that
	// "Wand of Fireballs" beats "Fireball" and "hobgoblin" beats "goblin".
	lengthBonus = 0.08
	// spanBonus favours the reading that covers more words with the same
	// letters: "hob goblin" is a hobgoblin, not a goblin.
	spanBonus = 0.04
	// capSound is the highest confidence a sound-alike can reach.
	capSound = 0.9
)

// candidate is one possible mention before overlaps are resolved.
type candidate struct {
	vid    int32
	i, j   int // token range [i, j)
	conf   float64
	reason string
	rank   float64
	// capped is the similarity a sound match lost to capSound.
	capped float64
}

// scratch is Detect's reusable working memory.
type scratch struct {
	counts  []uint16 // shared trigrams per variant, for the current start
	touched []int32  // variants with a non-zero count
	// byLen holds the touched variants by joined length, so that an
	// n-gram looks only at names of a length within its edit budget.
	byLen  [][]int32
	joined []byte
	form   []byte
	// codes holds per token the primary key as the first word of a phrase
	// and inside one, and the alternate key.
	codes [][3]string
	stop  []bool
	cands []candidate
	query string // joined as a string, made on demand
	snd   soundScratch
}

func (sc *scratch) reset(variants, tokens, maxJoined int) {
	if cap(sc.counts) < variants {
		sc.counts = make([]uint16, variants)
	}
	sc.counts = sc.counts[:variants]
	sc.touched = sc.touched[:0]
	if len(sc.byLen) < maxJoined+1 {
		sc.byLen = make([][]int32, maxJoined+1)
	}
	sc.cands = sc.cands[:0]
	if cap(sc.codes) < tokens {
		sc.codes = make([][3]string, tokens)
		sc.stop = make([]bool, tokens)
	}
	sc.codes = sc.codes[:tokens]
	sc.stop = sc.stop[:tokens]
}

// matcher runs one Detect call.
type matcher struct {
	s    *snapshot
	sc   *scratch
	toks []textmatch.Token
	opts Options
}

func (s *snapshot) detect(text string, opts Options, sc *scratch) []Detection {
	toks := textmatch.Tokenize(text)
	if len(toks) == 0 || s.live == 0 {
		return nil
	}
	sc.reset(len(s.variants), len(toks), s.maxJoined)
	for k, t := range toks {
		p, a := textmatch.DoubleMetaphoneN(t.Text, 0)
		sc.codes[k] = [3]string{p, trimA(p), a}
		sc.stop[k] = textmatch.IsStopWord(t.Text)
	}
	if p := pronouncer(); p != nil {
		snd := &sc.snd
		snd.buf = snd.buf[:0]
		snd.ends = snd.ends[:0]
		for _, t := range toks {
			snd.buf = tokenPhones(p, t, snd.buf)
			snd.ends = append(snd.ends, len(snd.buf))
		}
		snd.tphones = snd.tphones[:0]
		for k := range toks {
			start := 0
			if k > 0 {
				start = snd.ends[k-1]
			}
			snd.tphones = append(snd.tphones, snd.buf[start:snd.ends[k]])
		}
	}
	m := matcher{s: s, sc: sc, toks: toks, opts: opts}
	// Names of more than maxNgram words are never said in full; they are
	// found through their aliases.
	maxN := min(s.maxTokens+2, maxNgram)
	for i := range toks {
		m.scanFrom(i, maxN)
		if len(sc.snd.tphones) == len(toks) {
			m.soundFrom(i)
		}
	}
	return m.resolve(text)
}

func trimA(code string) string {
	if len(code) > 0 && code[0] == 'A' {
		return code[1:]
	}
	return code
}

// scanFrom looks up every n-gram that starts at token i.
func (m *matcher) scanFrom(i, maxN int) {
	sc := m.sc
	sc.joined = sc.joined[:0]
	fuzzy := true
	frame := frameAt(m.toks, i)
	for j := i + 1; j <= len(m.toks) && j-i <= maxN; j++ {
		prev := len(sc.joined)
		sc.joined = append(sc.joined, m.toks[j-1].Text...)
		if prev > m.s.maxJoined+maxEdits(m.s.maxJoined) {
			break
		}
		sc.query = ""
		m.exact(i, j)
		if !fuzzy || j-i > maxFuzzyTokens {
			continue
		}
		m.countTrigrams(prev)
		m.fuzzy(i, j, frame)
	}
	for _, vid := range sc.touched {
		sc.counts[vid] = 0
		l := len(m.s.variants[vid].joined)
		sc.byLen[l] = sc.byLen[l][:0]
	}
	sc.touched = sc.touched[:0]
}

func (m *matcher) queryString() string {
	if m.sc.query == "" {
		m.sc.query = string(m.sc.joined)
	}
	return m.sc.query
}

// exact looks the n-gram up as spelled and in its singular forms.
func (m *matcher) exact(i, j int) {
	sc := m.sc
	m.exactForm(i, j, sc.joined, false)
	for _, f := range singularForms(sc.joined) {
		sc.form = append(sc.form[:0], sc.joined[:len(sc.joined)-f.cut]...)
		sc.form = append(sc.form, f.add...)
		m.exactForm(i, j, sc.form, true)
	}
}

func (m *matcher) exactForm(i, j int, key []byte, inflected bool) {
	for _, vid := range m.s.exact.getBytes(key) {
		v := &m.s.variants[vid]
		conf := confJoined
		if j-i == len(v.tokens) {
			conf = confExact
			if v.alias {
				conf = confAlias
			}
		}
		if inflected || m.toks[j-1].Possessive {
			conf -= confInflected
		}
		reason := ReasonExact
		if v.alias {
			reason = ReasonAlias
		}
		m.add(vid, i, j, conf, reason)
	}
}

// countTrigrams adds the trigrams that the last appended word created.
func (m *matcher) countTrigrams(prev int) {
	sc := m.sc
	start := max(prev-2, 0)
	for k := start; k+3 <= len(sc.joined); k++ {
		for _, vid := range m.s.tri.getBytes(sc.joined[k : k+3]) {
			if sc.counts[vid] == 0 {
				sc.touched = append(sc.touched, vid)
				l := len(m.s.variants[vid].joined)
				sc.byLen[l] = append(sc.byLen[l], vid)
			}
			sc.counts[vid]++
		}
	}
}

// fuzzy checks the variants that share enough trigrams with the n-gram to
// be within their edit budget.
//
// frame is the category the preceding words call for ("cast …" → spell):
// names of that category get one more edit, since the words around them
// already say what comes next.
func (m *matcher) fuzzy(i, j int, frame string) {
	sc := m.sc
	lq := len(sc.joined)
	// |lq-lv| <= maxEdits(lv) = (lv-2)/3 bounds lv to this range; a frame
	// adds one edit.
	lo, hi := (3*lq+5)/4, (3*lq-2)/2
	if frame != "" {
		lo, hi = (3*lq+2)/4, (3*lq+1)/2
	}
	hi = min(hi, len(sc.byLen)-1)
	for lv := max(lo, 0); lv <= hi; lv++ {
		for _, vid := range sc.byLen[lv] {
			v := &m.s.variants[vid]
			k := v.edits
			if frame != "" && k > 0 && m.s.terms[v.term].Category == frame {
				k++
			}
			if abs(lq-lv) > k {
				continue
			}
			// The q-gram lemma (an edit destroys at most three trigrams)
			// is too weak a filter for long names; a recognisable
			// mangling keeps at least two in five of the name's trigrams
			// as well.
			need := max(max(lq, lv)-2-3*k, (2*v.trigrams+4)/5, 2)
			if int(sc.counts[vid]) < need {
				continue
			}
			m.verify(vid, i, j, k)
		}
	}
}

// maxEdits is the edit budget of a name of n letters: none up to four
// letters, where one edit turns "Pip" into "pipe" and "Orc" into "arc",
// then about one edit per three letters.
func maxEdits(n int) int {
	if n <= 5 {
		return 0
	}
	return (n - 2) / 3
}

func isSpelling(reason string) bool { return reason == ReasonExact || reason == ReasonAlias }

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

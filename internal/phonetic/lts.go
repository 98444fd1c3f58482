package phonetic

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// LTS is a letter-to-sound model learnt from a pronouncing dictionary:
// each letter, seen in a window of up to three letters each side,
// becomes nothing, one phone or two. PocketSphinx 5prealpha has no g2p of
// its own, and a model learnt from the acoustic model's own dictionary
// speaks exactly its phone set.
//
// Learning has two steps. Letters and phones of every word are aligned by
// EM over the ways each letter can take 0, 1 or 2 phones. Then, for the
// chain of letter windows (0,0) (0,1) (1,1) (1,2) (2,2) (2,3) (3,3)
// (letters left, right), the most frequent output of each window seen is
// kept where it differs from what the narrower window predicts, so the
// tables hold only exceptions. A letter gets the output of the widest
// window of it that was seen.
type LTS struct {
	phones []string // phone id-1 → phone; id 0 is "no phone"
	levels []map[uint64]uint16
}

// chain is the window sizes (left, right) from narrowest to widest.
var chain = [][2]int{{0, 0}, {0, 1}, {1, 1}, {1, 2}, {2, 2}, {2, 3}, {3, 3}}

const (
	symBits    = 5
	symMask    = 1<<symBits - 1
	boundary   = 28 // before the first and after the last letter
	winLetters = 7  // three each side and the letter itself
	emRounds   = 5
	emSample   = 3
)

// symbol numbers a-z as 1-26 and the apostrophe as 27; 0 is anything
// else, which the model cannot spell.
func symbol(c byte) uint64 {
	switch {
	case c >= 'a' && c <= 'z':
		return uint64(c-'a') + 1
	case c == '\'':
		return 27
	}
	return 0
}

// TrainLTS learns letter-to-sound rules from a CMU-style dictionary
// ("word PH ONES", "word(2) ..." for variants, which are skipped). Words
// for which skip returns true (i counts the words used or skipped) are
// left out, so that the model can be measured on them.
func TrainLTS(dictPath string, skip func(i int, word string) bool) (*LTS, error) {
	entries, err := ReadDictFile(dictPath)
	if err != nil {
		return nil, err
	}
	return Train(entries, skip)
}

// Train learns letter-to-sound rules from dictionary entries (see
// TrainLTS).
func Train(entries []Entry, skip func(i int, word string) bool) (*LTS, error) {
	m := &LTS{}
	ids := map[string]int{}
	var words []alignWord
	for i, e := range entries {
		if skip != nil && skip(i, e.Word) {
			continue
		}
		aw := alignWord{letters: make([]uint64, len(e.Word))}
		for j := range len(e.Word) {
			aw.letters[j] = symbol(e.Word[j])
		}
		for _, p := range e.Phones {
			if ids[p] == 0 {
				m.phones = append(m.phones, p)
				ids[p] = len(m.phones)
			}
			aw.phones = append(aw.phones, ids[p])
		}
		words = append(words, aw)
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("letter-to-sound: no usable words")
	}
	al := newAligner(len(m.phones))
	// A sample of the words pins P(output | letter) down as well as all
	// of them do, in a third of the time.
	sample := make([]alignWord, 0, len(words)/emSample+1)
	for i := 0; i < len(words); i += emSample {
		sample = append(sample, words[i])
	}
	for range emRounds {
		al.em(sample)
	}
	var inst []instance
	for _, w := range words {
		outs, ok := al.viterbi(w)
		if !ok {
			continue
		}
		for i, o := range outs {
			inst = append(inst, instance{win: window(w.letters, i), out: uint16(o)})
		}
	}
	m.learn(inst)
	return m, nil
}

// Entry is one dictionary word with its first pronunciation.
type Entry struct {
	Word   string
	Phones []string
}

// ReadDictFile reads a CMU-style dictionary file (see ReadDict).
func ReadDictFile(path string) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("letter-to-sound: %w", err)
	}
	defer f.Close()
	return ReadDict(f, path)
}

// ReadDict reads the first pronunciation of every word spelt with
// letters and apostrophes only; name labels errors. Stress digits, as in
// the original CMU dictionary, are dropped.
func ReadDict(r io.Reader, name string) ([]Entry, error) {
	var out []Entry
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || strings.ContainsRune(fields[0], '(') {
			continue
		}
		w := strings.ToLower(fields[0])
		if strings.IndexFunc(w, func(r rune) bool { return r > 127 || symbol(byte(r)) == 0 }) >= 0 {
			continue
		}
		phones := fields[1:]
		for i, p := range phones {
			phones[i] = strings.TrimRight(p, "012")
		}
		out = append(out, Entry{Word: w, Phones: phones})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("letter-to-sound: read %s: %w", name, err)
	}
	return out, nil
}

// window packs the letters around position i, boundary symbols past the
// word's ends.
func window(letters []uint64, i int) uint64 {
	var w uint64
	for k := -3; k <= 3; k++ {
		s := uint64(boundary)
		if j := i + k; j >= 0 && j < len(letters) {
			s = letters[j]
		}
		w = w<<symBits | s
	}
	return w
}

// masked keeps the letter and left, right letters of a window.
func masked(win uint64, left, right int) uint64 {
	var keep uint64
	for k := -left; k <= right; k++ {
		keep |= symMask << (symBits * uint(3-k))
	}
	return win & keep
}

type instance struct {
	win uint64
	out uint16
}

// learn fills the exception tables level by level.
func (m *LTS) learn(inst []instance) {
	m.levels = make([]map[uint64]uint16, len(chain))
	keys := make([]uint64, len(inst))
	for lv, lr := range chain {
		m.levels[lv] = map[uint64]uint16{}
		for i, in := range inst {
			keys[i] = masked(in.win, lr[0], lr[1])<<12 | uint64(in.out)
		}
		slices.Sort(keys)
		for i := 0; i < len(keys); {
			ctx := keys[i] >> 12
			best, bestN := uint16(0), 0
			for i < len(keys) && keys[i]>>12 == ctx {
				j := i
				for j < len(keys) && keys[j] == keys[i] {
					j++
				}
				if j-i > bestN {
					best, bestN = uint16(keys[i]&0xfff), j-i
				}
				i = j
			}
			if lv == 0 || m.predict(ctx, lv-1) != best {
				m.levels[lv][ctx] = best
			}
		}
	}
}

// predict is the output of the widest window up to level lv seen for win.
func (m *LTS) predict(win uint64, lv int) uint16 {
	for ; lv >= 0; lv-- {
		if o, ok := m.levels[lv][masked(win, chain[lv][0], chain[lv][1])]; ok {
			return o
		}
	}
	return 0
}

// Pronounce returns the phones of a lower-case word; letters it cannot
// spell (digits, accents) are left out.
func (m *LTS) Pronounce(word string) []string {
	var letters []uint64
	for i := range len(word) {
		if s := symbol(word[i]); s != 0 {
			letters = append(letters, s)
		}
	}
	var out []string
	for i := range letters {
		out = append(out, m.output(m.predict(window(letters, i), len(chain)-1))...)
	}
	return out
}

// output turns an output id into its phones: 0 none, 1..n one phone,
// above that a pair.
func (m *LTS) output(o uint16) []string {
	n := len(m.phones)
	switch {
	case o == 0:
		return nil
	case int(o) <= n:
		return []string{m.phones[o-1]}
	default:
		p := int(o) - n - 1
		return []string{m.phones[p/n], m.phones[p%n]}
	}
}

// alignWord is a dictionary word as symbols and phone ids (1-based).
type alignWord struct {
	letters []uint64
	phones  []int
}

// aligner holds P(output | letter) for EM; outputs are numbered as in
// LTS.output.
type aligner struct {
	n    int         // phones
	prob [][]float64 // [letter symbol][output]
}

func newAligner(n int) *aligner {
	a := &aligner{n: n, prob: make([][]float64, boundary)}
	k := 1 + n + n*n
	for l := range a.prob {
		a.prob[l] = make([]float64, k)
		// Start uniform within each kind, one phone per letter likeliest.
		a.prob[l][0] = 0.2
		for o := 1; o < k; o++ {
			if o <= n {
				a.prob[l][o] = 0.7 / float64(n)
			} else {
				a.prob[l][o] = 0.1 / float64(n*n)
			}
		}
	}
	return a
}

// steps lists the outputs letter i can take at phone position j, and
// how many phones each consumes.
func (a *aligner) steps(w alignWord, j int, f func(out, used int)) {
	f(0, 0)
	if j < len(w.phones) {
		f(w.phones[j], 1)
	}
	if j+1 < len(w.phones) {
		f(a.n+1+(w.phones[j]-1)*a.n+(w.phones[j+1]-1), 2)
	}
}

// em is one round of expectation maximisation over all alignments.
func (a *aligner) em(words []alignWord) {
	counts := make([][]float64, len(a.prob))
	for l := range counts {
		counts[l] = make([]float64, len(a.prob[l]))
	}
	for _, w := range words {
		n, m := len(w.letters), len(w.phones)
		alpha, beta := grid(n+1, m+1), grid(n+1, m+1)
		alpha[0][0] = 1
		for i := range n {
			p := a.prob[w.letters[i]]
			for j := 0; j <= m; j++ {
				if alpha[i][j] == 0 {
					continue
				}
				a.steps(w, j, func(o, u int) { alpha[i+1][j+u] += alpha[i][j] * p[o] })
			}
		}
		z := alpha[n][m]
		if z == 0 {
			continue
		}
		beta[n][m] = 1
		for i := n - 1; i >= 0; i-- {
			p := a.prob[w.letters[i]]
			for j := 0; j <= m; j++ {
				a.steps(w, j, func(o, u int) { beta[i][j] += p[o] * beta[i+1][j+u] })
			}
		}
		for i := range n {
			p, c := a.prob[w.letters[i]], counts[w.letters[i]]
			for j := 0; j <= m; j++ {
				if alpha[i][j] == 0 {
					continue
				}
				a.steps(w, j, func(o, u int) { c[o] += alpha[i][j] * p[o] * beta[i+1][j+u] / z })
			}
		}
	}
	for l, c := range counts {
		var sum float64
		for _, v := range c {
			sum += v
		}
		if sum == 0 {
			continue
		}
		for o, v := range c {
			a.prob[l][o] = v / sum
		}
	}
}

// viterbi is the likeliest alignment: one output per letter.
func (a *aligner) viterbi(w alignWord) ([]int, bool) {
	n, m := len(w.letters), len(w.phones)
	best := grid(n+1, m+1)
	type back struct{ out, used int }
	from := make([][]back, n+1)
	for i := range from {
		from[i] = make([]back, m+1)
	}
	best[0][0] = 1
	for i := range n {
		p := a.prob[w.letters[i]]
		for j := 0; j <= m; j++ {
			if best[i][j] == 0 {
				continue
			}
			a.steps(w, j, func(o, u int) {
				if v := best[i][j] * p[o]; v > best[i+1][j+u] {
					best[i+1][j+u] = v
					from[i+1][j+u] = back{o, u}
				}
			})
		}
	}
	if best[n][m] == 0 {
		return nil, false
	}
	outs := make([]int, n)
	for i, j := n, m; i > 0; i-- {
		b := from[i][j]
		outs[i-1] = b.out
		j -= b.used
	}
	return outs, true
}

func grid(n, m int) [][]float64 {
	g := make([][]float64, n)
	cells := make([]float64, n*m)
	for i := range g {
		g[i] = cells[i*m : (i+1)*m]
	}
	return g
}

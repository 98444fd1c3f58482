package textmatch

import "unicode/utf8"

// stackRunes is the longest string, in runes, that the distance and
// similarity functions handle without touching the heap. Spoken words and
// character names are far shorter.
const stackRunes = 64

// DamerauLevenshtein returns the optimal-string-alignment (restricted
// Damerau–Levenshtein) distance between a and b: the number of rune
// insertions, deletions, substitutions and transpositions of adjacent runes
// needed to turn a into b, where no substring is edited twice. Transpositions
// matter because recognisers and typists swap neighbouring letters
// ("Thalindra" / "Tahlindra").
//
// If max >= 0 the result is capped at max+1: the computation is confined to
// a band of width 2*max+1 around the diagonal and stops as soon as every
// alignment is known to cost more than max, so checking a word against a name
// costs O(len*max) rather than O(len²). A negative max means unbounded.
func DamerauLevenshtein(a, b string, max int) int {
	var bufA, bufB [stackRunes]rune
	return editDistance(appendRunes(bufA[:0], a), appendRunes(bufB[:0], b), max, true)
}

// Levenshtein returns the plain edit distance (insertions, deletions and
// substitutions of runes) between a and b, capped at max+1 exactly like
// [DamerauLevenshtein]. A negative max means unbounded.
func Levenshtein(a, b string, max int) int {
	var bufA, bufB [stackRunes]rune
	return editDistance(appendRunes(bufA[:0], a), appendRunes(bufB[:0], b), max, false)
}

// EditSimilarity turns the [DamerauLevenshtein] distance into a score in
// [0,1]: 1 - distance/longer length in runes. Two empty strings are
// identical (1). It lets callers rank candidates of different lengths on one
// scale.
func EditSimilarity(a, b string) float64 {
	la, lb := utf8.RuneCountInString(a), utf8.RuneCountInString(b)
	longest := la
	if lb > longest {
		longest = lb
	}
	if longest == 0 {
		return 1
	}
	return 1 - float64(DamerauLevenshtein(a, b, -1))/float64(longest)
}

// appendRunes decodes s onto dst. Invalid UTF-8 bytes become U+FFFD one byte
// at a time, which is what ranging over a string does.
func appendRunes(dst []rune, s string) []rune {
	for _, r := range s {
		dst = append(dst, r)
	}
	return dst
}

// editDistance is the banded dynamic programme shared by Levenshtein and OSA.
// k < 0 means unbounded.
func editDistance(a, b []rune, k int, transpose bool) int {
	limit := k
	// Common prefixes and suffixes never change the distance and are the
	// usual case for near-miss names, so trimming them makes the matrix tiny.
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		a, b = a[1:], b[1:]
	}
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	// Keep b the shorter so the rows, which span b, are as short as possible.
	if len(a) < len(b) {
		a, b = b, a
	}
	n, m := len(a), len(b)
	if k < 0 || k > n {
		k = n // the distance can never exceed the longer length
	}
	if n-m > k {
		return limit + 1
	}
	if m == 0 {
		return n
	}

	var stack [3][stackRunes + 1]int
	var pp, p, c []int // rows i-2, i-1 and i
	if m <= stackRunes {
		pp, p, c = stack[0][:m+1], stack[1][:m+1], stack[2][:m+1]
	} else {
		rows := make([]int, 3*(m+1))
		pp, p, c = rows[:m+1], rows[m+1:2*(m+1)], rows[2*(m+1):]
	}
	inf := k + 1 // stands for "more than k" outside the band
	for j := range p {
		if j <= k {
			p[j] = j
		} else {
			p[j] = inf
		}
	}
	prevMin := 0
	for i := 1; i <= n; i++ {
		lo, hi := 1, m
		if i-k > lo {
			lo = i - k
		}
		if i+k < hi {
			hi = i + k
		}
		rowMin := inf
		if lo == 1 {
			c[0] = min(i, inf)
			rowMin = c[0]
		} else {
			c[lo-1] = inf
		}
		ai := a[i-1]
		for j := lo; j <= hi; j++ {
			v := p[j-1]
			if ai != b[j-1] {
				v++
			}
			if x := p[j] + 1; x < v {
				v = x
			}
			if x := c[j-1] + 1; x < v {
				v = x
			}
			if transpose && i > 1 && j > 1 && ai == b[j-2] && a[i-2] == b[j-1] {
				if x := pp[j-2] + 1; x < v {
					v = x
				}
			}
			c[j] = v
			if v < rowMin {
				rowMin = v
			}
		}
		if hi < m {
			c[hi+1] = inf
		}
		// Every later cell costs at least the minimum of this row, or one
		// more than the previous row's minimum through a transposition.
		if rowMin > k && (!transpose || prevMin >= k) {
			return limit + 1
		}
		prevMin = rowMin
		pp, p, c = p, c, pp
	}
	if p[m] > k {
		return limit + 1
	}
	return p[m]
}

package textmatch

import (
	"slices"
	"unicode"
	"unicode/utf8"
)

// Trigrams returns the trigrams of s exactly as PostgreSQL's pg_trgm
// extracts them (show_trgm), sorted and without duplicates: s is lower-cased,
// split into words at every rune that is not a letter or digit, and each word
// is padded with two spaces in front and one behind, so "cat" yields
// "  c", " ca", "at ", "cat". Matching pg_trgm means a candidate list
// pre-filtered in the database with the % operator scores identically when
// re-ranked in Go.
func Trigrams(s string) []string {
	var buf [stackRunes]uint64
	tg := appendTrigrams(buf[:0], s)
	if len(tg) == 0 {
		return nil
	}
	// One backing string for all trigrams keeps this to three allocations.
	text := make([]byte, 0, len(tg)*3)
	ends := make([]int, len(tg))
	for i, t := range tg {
		text = utf8.AppendRune(text, rune(t>>42))
		text = utf8.AppendRune(text, rune(t>>21&runeMask))
		text = utf8.AppendRune(text, rune(t&runeMask))
		ends[i] = len(text)
	}
	all := string(text)
	out := make([]string, len(tg))
	start := 0
	for i, end := range ends {
		out[i] = all[start:end]
		start = end
	}
	return out
}

// TrigramSimilarity is pg_trgm's similarity(): the number of trigrams the two
// strings share divided by the number of distinct trigrams in either, so
// TrigramSimilarity("word", "two words") is 4/11 ≈ 0.363636. Like pg_trgm it
// returns 0 when either string has no trigrams. Word order does not matter,
// which makes it the tolerant choice for multi-word names.
func TrigramSimilarity(a, b string) float64 {
	var bufA, bufB [stackRunes]uint64
	ta := appendTrigrams(bufA[:0], a)
	tb := appendTrigrams(bufB[:0], b)
	if len(ta) == 0 || len(tb) == 0 {
		return 0
	}
	shared := 0
	for i, j := 0, 0; i < len(ta) && j < len(tb); {
		switch {
		case ta[i] < tb[j]:
			i++
		case ta[i] > tb[j]:
			j++
		default:
			shared++
			i++
			j++
		}
	}
	return float64(shared) / float64(len(ta)+len(tb)-shared)
}

const runeMask = 1<<21 - 1

// appendTrigrams appends the sorted, unique trigrams of s to dst, each packed
// into a uint64 as three 21-bit code points, first rune highest. Comparing
// packed values orders trigrams exactly as comparing their UTF-8 strings
// does, and avoids allocating a string per trigram.
func appendTrigrams(dst []uint64, s string) []uint64 {
	const pad = ' '
	var r1, r2 rune // the two runes before the current one
	inWord := false
	for _, r := range s {
		if !isTrigramRune(r) {
			if inWord {
				dst = append(dst, packTrigram(r1, r2, pad))
				inWord = false
			}
			continue
		}
		r = unicode.ToLower(r)
		if !inWord {
			r1, r2, inWord = pad, pad, true
		}
		dst = append(dst, packTrigram(r1, r2, r))
		r1, r2 = r2, r
	}
	if inWord {
		dst = append(dst, packTrigram(r1, r2, pad))
	}
	slices.Sort(dst)
	return slices.Compact(dst)
}

func packTrigram(a, b, c rune) uint64 {
	return uint64(a)<<42 | uint64(b)<<21 | uint64(c)
}

// isTrigramRune mirrors pg_trgm's ISWORDCHR, which is iswalnum().
func isTrigramRune(r rune) bool {
	if r < utf8.RuneSelf {
		c := byte(r) | 0x20
		return 'a' <= c && c <= 'z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

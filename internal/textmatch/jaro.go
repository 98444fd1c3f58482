package textmatch

// Jaro returns the Jaro similarity of a and b in [0,1], comparing runes
// exactly (callers wanting case- and accent-insensitivity pass [Fold]ed
// keys). Identical strings, including two empty ones, score 1; an empty
// string against a non-empty one scores 0.
func Jaro(a, b string) float64 {
	if a == b {
		return 1
	}
	var bufA, bufB [stackRunes]rune
	return jaro(appendRunes(bufA[:0], a), appendRunes(bufB[:0], b))
}

// JaroWinkler returns the Jaro–Winkler similarity of a and b in [0,1]: the
// [Jaro] score boosted by 0.1 per leading rune in common, up to four. The
// boost is applied at every Jaro score, as in the formula of Winkler (1990)
// and Apache commons-text, without Lucene's 0.7 threshold, so the published
// reference values (MARTHA/MARHTA = 0.961) come out exactly. It suits names
// because speakers and recognisers get the start of a name right far more
// often than the end.
func JaroWinkler(a, b string) float64 {
	if a == b {
		return 1
	}
	var bufA, bufB [stackRunes]rune
	ra, rb := appendRunes(bufA[:0], a), appendRunes(bufB[:0], b)
	j := jaro(ra, rb)
	prefix := 0
	for prefix < 4 && prefix < len(ra) && prefix < len(rb) && ra[prefix] == rb[prefix] {
		prefix++
	}
	return j + float64(prefix)*0.1*(1-j)
}

func jaro(a, b []rune) float64 {
	if len(a) == 0 || len(b) == 0 {
		if len(a) == len(b) {
			return 1
		}
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a // the window depends only on the longer length
	}
	window := len(b)/2 - 1
	if window < 0 {
		window = 0
	}

	var stackA, stackB [stackRunes]bool
	var matchedA, matchedB []bool
	if len(a) <= stackRunes && len(b) <= stackRunes {
		matchedA, matchedB = stackA[:len(a)], stackB[:len(b)]
	} else {
		flags := make([]bool, len(a)+len(b))
		matchedA, matchedB = flags[:len(a)], flags[len(a):]
	}

	matches := 0
	for i, r := range a {
		lo, hi := i-window, i+window+1
		if lo < 0 {
			lo = 0
		}
		if hi > len(b) {
			hi = len(b)
		}
		for j := lo; j < hi; j++ {
			if !matchedB[j] && b[j] == r {
				matchedA[i], matchedB[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}

	// Count matched runes that appear in a different order; each swapped
	// pair is counted twice, hence the halving below.
	transposed, j := 0, 0
	for i, r := range a {
		if !matchedA[i] {
			continue
		}
		for !matchedB[j] {
			j++
		}
		if r != b[j] {
			transposed++
		}
		j++
	}
	m := float64(matches)
	return (m/float64(len(a)) + m/float64(len(b)) + (m-float64(transposed)/2)/m) / 3
}

package textmatch

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// DoubleMetaphone returns Lawrence Philips' Double Metaphone primary and
// alternate keys for s, each at most four characters long, as the reference
// implementation and PostgreSQL's dmetaphone()/dmetaphone_alt() produce them
// ("Smith" -> "SM0", "XMT"; "Schmidt" -> "XMT", "SMT"). Two names that share
// either key are likely to sound alike, which catches recogniser spellings of
// invented names that edit distance misses. An input with no encodable
// letters yields two empty keys.
func DoubleMetaphone(s string) (primary, alternate string) {
	return DoubleMetaphoneN(s, 4)
}

// DoubleMetaphoneN is [DoubleMetaphone] with the key length capped at maxLen
// instead of four; maxLen <= 0 means no cap. Long multi-word names need
// longer keys, since "Lord Varimathras" and "Lord Vargoth" share their first
// four key characters.
//
// This is a rule-for-rule port of the C implementation in PostgreSQL's
// fuzzystrmatch, which is Philips' C++ original with Kevin Atkinson's fixes
// by way of Maurice Aubrey's Text::DoubleMetaphone. It reproduces the
// published Apache commons-codec test values (see metaphone_test.go). In the
// few places where commons-codec departs from the C code this follows the C
// code: a final J adds nothing to the alternate key (commons-codec adds a
// space), a word starting "WICZ"/"WITZ" takes the Polish rule, and "-GIER"
// is a French ending only when a space or the end of the input follows.
//
// Two additions are needed because the reference works on upper-case
// Latin-1: surrounding whitespace is trimmed, and letters are upper-cased and
// stripped of diacritics first (É -> E, ø -> O, æ -> AE) so that accented
// fantasy names are encoded by their base letters. Ç and Ñ are kept, since
// the algorithm has rules for them. Characters that are not letters are
// passed to the algorithm unchanged (most are skipped; spaces matter to
// rules such as "VAN " and "MAC GREGOR").
func DoubleMetaphoneN(s string, maxLen int) (primary, alternate string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ""
	}
	var inBuf [stackRunes + metaPad]byte
	in := prepareMetaphone(inBuf[:0], s)
	n := len(in)
	for range metaPad {
		in = append(in, ' ')
	}

	// Every step consumes at least one input character and adds at most two
	// to each key, so 2n bounds the output and the keys can be written by
	// index into buffers sized up front. Appending through the encoder's
	// pointer instead would make the compiler move the buffers to the heap.
	var pBuf, aBuf [2 * stackRunes]byte
	p, a := pBuf[:], aBuf[:]
	if 2*n > len(p) {
		p, a = make([]byte, 2*n), make([]byte, 2*n)
	}
	e := metaphoneEncoder{s: in, length: n, last: n - 1, primary: p, alternate: a}
	e.slavoGermanic = e.isSlavoGermanic()
	e.encode(maxLen)

	p, a = p[:e.np], a[:e.na]
	if maxLen > 0 {
		p = p[:min(len(p), maxLen)]
		a = a[:min(len(a), maxLen)]
	}
	if len(p)+len(a) == 0 {
		return "", ""
	}
	// One allocation for both keys.
	both := string(append(p, a...))
	return both[:len(p)], both[len(p):]
}

// metaPad is how far the reference pads its input with spaces so that rules
// can look past the end; several rules rely on seeing that space.
const metaPad = 5

// Bytes standing for Ç and Ñ, as in the Latin-1 reference, and for any other
// character that no rule mentions.
const (
	metaCCedilla byte = 0xC7
	metaNTilde   byte = 0xD1
	metaOther    byte = 0x80
)

// prepareMetaphone upper-cases s into one byte per character, the alphabet
// the reference works in.
func prepareMetaphone(dst []byte, s string) []byte {
	if isASCII(s) {
		for i := 0; i < len(s); i++ {
			dst = append(dst, upperASCII(s[i]))
		}
		return dst
	}
	for _, r := range s {
		switch r {
		case 'Ç', 'ç':
			dst = append(dst, metaCCedilla)
			continue
		case 'Ñ', 'ñ':
			dst = append(dst, metaNTilde)
			continue
		}
		if r < utf8.RuneSelf {
			dst = append(dst, upperASCII(byte(r)))
			continue
		}
		if unicode.IsSpace(r) {
			dst = append(dst, ' ')
			continue
		}
		if rep := letterFold(r); rep != "" {
			for i := 0; i < len(rep); i++ {
				dst = append(dst, upperASCII(rep[i]))
			}
			continue
		}
		// Take the base letter of a decomposable character and drop its
		// marks; compatibility forms such as "ﬁ" expand to their letters.
		var src [utf8.UTFMax]byte
		dec := norm.NFKD.Properties(utf8.AppendRune(src[:0], r)).Decomposition()
		if dec == nil {
			if !unicode.Is(unicode.Mn, r) {
				dst = append(dst, metaOther)
			}
			continue
		}
		for len(dec) > 0 {
			dr, size := utf8.DecodeRune(dec)
			dec = dec[size:]
			switch {
			case dr < utf8.RuneSelf:
				dst = append(dst, upperASCII(byte(dr)))
			case unicode.Is(unicode.Mn, dr):
			default:
				if rep := letterFold(dr); rep != "" {
					for i := 0; i < len(rep); i++ {
						dst = append(dst, upperASCII(rep[i]))
					}
				} else {
					dst = append(dst, metaOther)
				}
			}
		}
	}
	return dst
}

// upperASCII also turns every kind of ASCII whitespace into a space, which
// is what rules such as "VAN " look for.
func upperASCII(c byte) byte {
	switch {
	case 'a' <= c && c <= 'z':
		return c - ('a' - 'A')
	case c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r':
		return ' '
	}
	return c
}

type metaphoneEncoder struct {
	s                  []byte // upper-cased input followed by metaPad spaces
	length, last       int    // of the input without padding
	primary, alternate []byte // sized for the longest possible keys
	np, na             int    // lengths of the keys so far
	slavoGermanic      bool
}

// at mirrors the reference GetAt: padding reads as spaces, anything outside
// the padded input as NUL.
func (e *metaphoneEncoder) at(i int) byte {
	if i < 0 || i >= len(e.s) {
		return 0
	}
	return e.s[i]
}

// isVowel mirrors the reference IsVowel, which counts Y as a vowel.
func (e *metaphoneEncoder) isVowel(i int) bool {
	switch e.at(i) {
	case 'A', 'E', 'I', 'O', 'U', 'Y':
		return true
	}
	return false
}

// has mirrors the reference StringAt: whether any of pats occurs at start.
func (e *metaphoneEncoder) has(start int, pats ...string) bool {
	if start < 0 || start >= len(e.s) {
		return false
	}
	c := e.s[start]
	for _, p := range pats {
		// Checking the first byte first skips nearly every comparison call.
		if c == p[0] && start+len(p) <= len(e.s) && string(e.s[start:start+len(p)]) == p {
			return true
		}
	}
	return false
}

// isSlavoGermanic mirrors the reference SlavoGermanic test: a W, a K or
// "CZ" anywhere in the input ("WITZ" contains a W).
func (e *metaphoneEncoder) isSlavoGermanic() bool {
	in := e.s[:e.length]
	return bytes.IndexByte(in, 'W') >= 0 || bytes.IndexByte(in, 'K') >= 0 || bytes.Contains(in, []byte("CZ"))
}

func (e *metaphoneEncoder) add(p, a string) {
	e.np += copy(e.primary[e.np:], p)
	e.na += copy(e.alternate[e.na:], a)
}

func (e *metaphoneEncoder) add1(both string) { e.add(both, both) }

// encode is the reference main loop. Each case advances cur past the letters
// it consumed; the comments name the words each rule was written for.
func (e *metaphoneEncoder) encode(maxLen int) {
	cur := 0
	// Silent at the start of a word: "gnome", "knight", "pneumatic",
	// "wright", "psychic".
	if e.has(0, "GN", "KN", "PN", "WR", "PS") {
		cur++
	}
	// Initial X is pronounced Z, as in "Xavier"; Z encodes as S.
	if e.at(0) == 'X' {
		e.add1("S")
		cur++
	}

	for maxLen <= 0 || e.np < maxLen || e.na < maxLen {
		if cur >= e.length {
			break
		}
		switch e.at(cur) {
		case 'A', 'E', 'I', 'O', 'U', 'Y':
			if cur == 0 {
				e.add1("A") // every initial vowel encodes as A
			}
			cur++

		case 'B':
			// "-mb" as in "dumb" was already skipped by M.
			e.add1("P")
			cur += e.skipDouble(cur, 'B')

		case metaCCedilla:
			e.add1("S")
			cur++

		case 'C':
			cur = e.encodeC(cur)

		case 'D':
			switch {
			case e.has(cur, "DG"):
				if e.has(cur+2, "I", "E", "Y") {
					e.add1("J") // "edge"
					cur += 3
				} else {
					e.add1("TK") // "edgar"
					cur += 2
				}
			case e.has(cur, "DT", "DD"):
				e.add1("T")
				cur += 2
			default:
				e.add1("T")
				cur++
			}

		case 'F':
			cur += e.skipDouble(cur, 'F')
			e.add1("F")

		case 'G':
			cur = e.encodeG(cur)

		case 'H':
			// Keep only when first and before a vowel, or between vowels.
			if (cur == 0 || e.isVowel(cur-1)) && e.isVowel(cur+1) {
				e.add1("H")
				cur += 2
			} else {
				cur++ // also takes care of "HH"
			}

		case 'J':
			cur = e.encodeJ(cur)

		case 'K':
			cur += e.skipDouble(cur, 'K')
			e.add1("K")

		case 'L':
			if e.at(cur+1) == 'L' {
				// Spanish, as in "cabrillo", "gallegos".
				if (cur == e.length-3 && e.has(cur-1, "ILLO", "ILLA", "ALLE")) ||
					((e.has(e.last-1, "AS", "OS") || e.has(e.last, "A", "O")) && e.has(cur-1, "ALLE")) {
					e.add("L", "")
					cur += 2
					break
				}
				cur += 2
			} else {
				cur++
			}
			e.add1("L")

		case 'M':
			// "dumb", "thumb", "dumber"
			if (e.has(cur-1, "UMB") && (cur+1 == e.last || e.has(cur+2, "ER"))) || e.at(cur+1) == 'M' {
				cur += 2
			} else {
				cur++
			}
			e.add1("M")

		case 'N':
			cur += e.skipDouble(cur, 'N')
			e.add1("N")

		case metaNTilde:
			cur++
			e.add1("N")

		case 'P':
			if e.at(cur+1) == 'H' {
				e.add1("F")
				cur += 2
				break
			}
			// "campbell", "raspberry"
			if e.has(cur+1, "P", "B") {
				cur += 2
			} else {
				cur++
			}
			e.add1("P")

		case 'Q':
			cur += e.skipDouble(cur, 'Q')
			e.add1("K")

		case 'R':
			// French, as in "rogier", but not "hochmeier".
			if cur == e.last && !e.slavoGermanic && e.has(cur-2, "IE") && !e.has(cur-4, "ME", "MA") {
				e.add("", "R")
			} else {
				e.add1("R")
			}
			cur += e.skipDouble(cur, 'R')

		case 'S':
			cur = e.encodeS(cur)

		case 'T':
			switch {
			case e.has(cur, "TION"):
				e.add1("X")
				cur += 3
			case e.has(cur, "TIA", "TCH"):
				e.add1("X")
				cur += 3
			case e.has(cur, "TH") || e.has(cur, "TTH"):
				// "thomas", "thames", or Germanic
				if e.has(cur+2, "OM", "AM") || e.has(0, "VAN ", "VON ") || e.has(0, "SCH") {
					e.add1("T")
				} else {
					e.add("0", "T")
				}
				cur += 2
			default:
				if e.has(cur+1, "T", "D") {
					cur += 2
				} else {
					cur++
				}
				e.add1("T")
			}

		case 'V':
			cur += e.skipDouble(cur, 'V')
			e.add1("F")

		case 'W':
			cur = e.encodeW(cur)

		case 'X':
			// French, as in "breaux"
			if !(cur == e.last && (e.has(cur-3, "IAU", "EAU") || e.has(cur-2, "AU", "OU"))) {
				e.add1("KS")
			}
			if e.has(cur+1, "C", "X") {
				cur += 2
			} else {
				cur++
			}

		case 'Z':
			// Chinese pinyin, as in "zhao"
			if e.at(cur+1) == 'H' {
				e.add1("J")
				cur += 2
				break
			}
			if e.has(cur+1, "ZO", "ZI", "ZA") || (e.slavoGermanic && cur > 0 && e.at(cur-1) != 'T') {
				e.add("S", "TS")
			} else {
				e.add1("S")
			}
			cur += e.skipDouble(cur, 'Z')

		default:
			cur++
		}
	}
}

// skipDouble returns how far to advance past the letter c at cur: two if it
// is doubled.
func (e *metaphoneEncoder) skipDouble(cur int, c byte) int {
	if e.at(cur+1) == c {
		return 2
	}
	return 1
}

func (e *metaphoneEncoder) encodeC(cur int) int {
	// Various Germanic, as in "bacher", "macher".
	if cur > 1 && !e.isVowel(cur-2) && e.has(cur-1, "ACH") &&
		e.at(cur+2) != 'I' && (e.at(cur+2) != 'E' || e.has(cur-2, "BACHER", "MACHER")) {
		e.add1("K")
		return cur + 2
	}
	if cur == 0 && e.has(cur, "CAESAR") {
		e.add1("S")
		return cur + 2
	}
	if e.has(cur, "CHIA") { // Italian "chianti"
		e.add1("K")
		return cur + 2
	}
	if e.has(cur, "CH") {
		if cur > 0 && e.has(cur, "CHAE") { // "michael"
			e.add("K", "X")
			return cur + 2
		}
		// Greek roots, as in "chemistry", "chorus".
		if cur == 0 && (e.has(cur+1, "HARAC", "HARIS") || e.has(cur+1, "HOR", "HYM", "HIA", "HEM")) &&
			!e.has(0, "CHORE") {
			e.add1("K")
			return cur + 2
		}
		// Germanic, Greek, or otherwise CH for a KH sound: "architect" but
		// not "arch", "orchestra", "orchid"; "wachtler", "wechsler" but
		// not "tichner".
		if e.has(0, "VAN ", "VON ") || e.has(0, "SCH") ||
			e.has(cur-2, "ORCHES", "ARCHIT", "ORCHID") ||
			e.has(cur+2, "T", "S") ||
			((e.has(cur-1, "A", "O", "U", "E") || cur == 0) &&
				e.has(cur+2, "L", "R", "N", "M", "B", "H", "F", "V", "W", " ")) {
			e.add1("K")
		} else if cur > 0 {
			if e.has(0, "MC") { // "McHugh"
				e.add1("K")
			} else {
				e.add("X", "K")
			}
		} else {
			e.add1("X")
		}
		return cur + 2
	}
	// "czerny"
	if e.has(cur, "CZ") && !e.has(cur-2, "WICZ") {
		e.add("S", "X")
		return cur + 2
	}
	// "focaccia"
	if e.has(cur+1, "CIA") {
		e.add1("X")
		return cur + 3
	}
	// Double C, but not as in "McClellan".
	if e.has(cur, "CC") && !(cur == 1 && e.at(0) == 'M') {
		// "bellocchio" but not "bacchus"
		if e.has(cur+2, "I", "E", "H") && !e.has(cur+2, "HU") {
			if (cur == 1 && e.at(cur-1) == 'A') || e.has(cur-1, "UCCEE", "UCCES") {
				e.add1("KS") // "accident", "accede", "succeed"
			} else {
				e.add1("X") // "bacci", "bertucci", other Italian
			}
			return cur + 3
		}
		e.add1("K") // Pierce's rule
		return cur + 2
	}
	if e.has(cur, "CK", "CG", "CQ") {
		e.add1("K")
		return cur + 2
	}
	if e.has(cur, "CI", "CE", "CY") {
		// Italian versus English
		if e.has(cur, "CIO", "CIE", "CIA") {
			e.add("S", "X")
		} else {
			e.add1("S")
		}
		return cur + 2
	}
	e.add1("K")
	// Names such as "mac caffrey", "mac gregor".
	switch {
	case e.has(cur+1, " C", " Q", " G"):
		return cur + 3
	case e.has(cur+1, "C", "K", "Q") && !e.has(cur+1, "CE", "CI"):
		return cur + 2
	}
	return cur + 1
}

func (e *metaphoneEncoder) encodeG(cur int) int {
	if e.at(cur+1) == 'H' {
		if cur > 0 && !e.isVowel(cur-1) {
			e.add1("K")
			return cur + 2
		}
		if cur == 0 {
			// "ghislane", "ghiradelli"
			if e.at(cur+2) == 'I' {
				e.add1("J")
			} else {
				e.add1("K")
			}
			return cur + 2
		}
		// Parker's rule with refinements: "hugh", "bough", "broughton".
		if (cur > 1 && e.has(cur-2, "B", "H", "D")) ||
			(cur > 2 && e.has(cur-3, "B", "H", "D")) ||
			(cur > 3 && e.has(cur-4, "B", "H")) {
			return cur + 2
		}
		// "laugh", "McLaughlin", "cough", "gough", "rough", "tough"
		if cur > 2 && e.at(cur-1) == 'U' && e.has(cur-3, "C", "G", "L", "R", "T") {
			e.add1("F")
		} else if cur > 0 && e.at(cur-1) != 'I' {
			e.add1("K")
		}
		return cur + 2
	}

	if e.at(cur+1) == 'N' {
		switch {
		case cur == 1 && e.isVowel(0) && !e.slavoGermanic:
			e.add("KN", "N")
		case !e.has(cur+2, "EY") && e.at(cur+1) != 'Y' && !e.slavoGermanic:
			// not as in "cagney"
			e.add("N", "KN")
		default:
			e.add1("KN")
		}
		return cur + 2
	}

	// "tagliaro"
	if e.has(cur+1, "LI") && !e.slavoGermanic {
		e.add("KL", "L")
		return cur + 2
	}

	// -ges-, -gep-, -gel-, -gie- at the beginning
	if cur == 0 && (e.at(cur+1) == 'Y' ||
		e.has(cur+1, "ES", "EP", "EB", "EL", "EY", "IB", "IL", "IN", "IE", "EI", "ER")) {
		e.add("K", "J")
		return cur + 2
	}

	// -ger-, -gy-
	if (e.has(cur+1, "ER") || e.at(cur+1) == 'Y') &&
		!e.has(0, "DANGER", "RANGER", "MANGER") &&
		!e.has(cur-1, "E", "I") &&
		!e.has(cur-1, "RGY", "OGY") {
		e.add("K", "J")
		return cur + 2
	}

	// Italian, as in "biaggi"
	if e.has(cur+1, "E", "I", "Y") || e.has(cur-1, "AGGI", "OGGI") {
		switch {
		case e.has(0, "VAN ", "VON ") || e.has(0, "SCH") || e.has(cur+1, "ET"):
			e.add1("K") // obviously Germanic
		case e.has(cur+1, "IER "):
			e.add1("J") // always soft with a French ending
		default:
			e.add("J", "K")
		}
		return cur + 2
	}

	e.add1("K")
	return cur + e.skipDouble(cur, 'G')
}

func (e *metaphoneEncoder) encodeJ(cur int) int {
	// Obviously Spanish: "jose", "san jacinto".
	if e.has(cur, "JOSE") || e.has(0, "SAN ") {
		if (cur == 0 && e.at(cur+4) == ' ') || e.has(0, "SAN ") {
			e.add1("H")
		} else {
			e.add("J", "H")
		}
		return cur + 1
	}

	switch {
	case cur == 0 && !e.has(cur, "JOSE"):
		e.add("J", "A") // "Yankelovich" / "Jankelowicz"
	case e.isVowel(cur-1) && !e.slavoGermanic && (e.at(cur+1) == 'A' || e.at(cur+1) == 'O'):
		e.add("J", "H") // Spanish pronunciation, as in "bajador"
	case cur == e.last:
		e.add("J", "")
	case !e.has(cur+1, "L", "T", "K", "S", "N", "M", "B", "Z") && !e.has(cur-1, "S", "K", "L"):
		e.add1("J")
	}
	return cur + e.skipDouble(cur, 'J')
}

func (e *metaphoneEncoder) encodeS(cur int) int {
	// "island", "isle", "carlisle", "carlysle"
	if e.has(cur-1, "ISL", "YSL") {
		return cur + 1
	}
	// "sugar-"
	if cur == 0 && e.has(cur, "SUGAR") {
		e.add("X", "S")
		return cur + 1
	}
	if e.has(cur, "SH") {
		if e.has(cur+1, "HEIM", "HOEK", "HOLM", "HOLZ") {
			e.add1("S") // Germanic
		} else {
			e.add1("X")
		}
		return cur + 2
	}
	// Italian and Armenian
	if e.has(cur, "SIO", "SIA") || e.has(cur, "SIAN") {
		if !e.slavoGermanic {
			e.add("S", "X")
		} else {
			e.add1("S")
		}
		return cur + 3
	}
	// German and anglicisations: "smith" matches "schmidt", "snider"
	// matches "schneider". Also -sz- in Slavic languages, although
	// Hungarian pronounces it S.
	if (cur == 0 && e.has(cur+1, "M", "N", "L", "W")) || e.has(cur+1, "Z") {
		e.add("S", "X")
		if e.has(cur+1, "Z") {
			return cur + 2
		}
		return cur + 1
	}
	if e.has(cur, "SC") {
		// Schlesinger's rule
		if e.at(cur+2) == 'H' {
			// Dutch origin, as in "school", "schooner"
			if e.has(cur+3, "OO", "ER", "EN", "UY", "ED", "EM") {
				if e.has(cur+3, "ER", "EN") {
					e.add("X", "SK") // "schermerhorn", "schenker"
				} else {
					e.add1("SK")
				}
				return cur + 3
			}
			if cur == 0 && !e.isVowel(3) && e.at(3) != 'W' {
				e.add("X", "S")
			} else {
				e.add1("X")
			}
			return cur + 3
		}
		if e.has(cur+2, "I", "E", "Y") {
			e.add1("S")
			return cur + 3
		}
		e.add1("SK")
		return cur + 3
	}
	// French, as in "resnais", "artois"
	if cur == e.last && e.has(cur-2, "AI", "OI") {
		e.add("", "S")
	} else {
		e.add1("S")
	}
	if e.has(cur+1, "S", "Z") {
		return cur + 2
	}
	return cur + 1
}

func (e *metaphoneEncoder) encodeW(cur int) int {
	// WR can also occur in the middle of a word.
	if e.has(cur, "WR") {
		e.add1("R")
		return cur + 2
	}
	if cur == 0 && (e.isVowel(cur+1) || e.has(cur, "WH")) {
		if e.isVowel(cur + 1) {
			e.add("A", "F") // "Wasserman" should match "Vasserman"
		} else {
			e.add1("A") // "Uomo" should match "Womo"
		}
		// The reference falls through to the rules below here.
	}
	// "Arnow" should match "Arnoff".
	if (cur == e.last && e.isVowel(cur-1)) ||
		e.has(cur-1, "EWSKI", "EWSKY", "OWSKI", "OWSKY") ||
		e.has(0, "SCH") {
		e.add("", "F")
		return cur + 1
	}
	// Polish, as in "filipowicz"
	if e.has(cur, "WICZ", "WITZ") {
		e.add("TS", "FX")
		return cur + 4
	}
	return cur + 1
}

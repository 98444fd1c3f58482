package textmatch

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize returns s in NFKC form, case-folded, with diacritics stripped
// ("Thálindra" -> "thalindra"), punctuation other than in-word apostrophes
// and hyphens turned to spaces, whitespace collapsed and trimmed.
//
// Symbols and control characters separate words just like punctuation, so
// "D&D" becomes "d d". Letters that carry a stroke or are ligatures, which
// Unicode does not decompose, are spelt out the way PostgreSQL's unaccent
// does ("Bjørn" -> "bjorn", "Æthelred" -> "aethelred"), because a player
// saying the name aloud will not produce the special letter. Curly
// apostrophes and Unicode hyphens become ASCII ones so that text pasted from
// a word processor matches what the recogniser emits.
//
// Already-normalised ASCII input is returned without allocating.
func Normalize(s string) string { return normalize(s, false) }

// Fold is [Normalize] for a single word or lookup key: it additionally
// removes apostrophes and hyphens ("Khaldrun's" -> "khaldruns",
// "half-orc" -> "halforc") so that spelling variants of the same name share
// one key. Spaces between words are kept.
func Fold(s string) string { return normalize(s, true) }

func normalize(s string, dropJoiners bool) string {
	if isASCII(s) {
		if asciiNormalized(s, dropJoiners) {
			return s
		}
		// The output is never longer than the input, so growing the builder
		// once makes this a single allocation.
		w := wordWriter{dropJoiners: dropJoiners}
		w.buf.Grow(len(s))
		for i := 0; i < len(s); i++ {
			w.ascii(s[i])
		}
		return w.buf.String()
	}

	// Invalid bytes would separate words anyway; replacing them up front
	// means the table lookups below only ever see whole runes.
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	// Decompose, drop the marks and fold case rune by rune, then recompose
	// whatever is left (Hangul, Indic vowel signs) at the end. The per-rune
	// decompositions come straight from the normalisation tables, which
	// costs nothing, whereas norm.NFKD.String allocates its reorder buffer;
	// the reordering it would do only matters for the marks being dropped,
	// and the closing NFC pass puts any survivors in canonical order.
	w := wordWriter{dropJoiners: dropJoiners}
	w.buf.Grow(len(s))
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			w.ascii(c)
			i++
			continue
		}
		props := norm.NFKD.PropertiesString(s[i:])
		if d := props.Decomposition(); d != nil {
			w.runes(d)
		} else {
			r, _ := utf8.DecodeRuneInString(s[i:])
			w.rune(r)
		}
		size := props.Size()
		if size == 0 { // not expected for valid UTF-8, but never loop forever
			_, size = utf8.DecodeRuneInString(s[i:])
		}
		i += size
	}
	return norm.NFC.String(w.buf.String()) // returns its input when already NFC
}

// wordWriter emits normalised text one rune at a time. Apostrophes and
// hyphens are held back until the next rune shows whether they sit inside a
// word; separators are held back so runs collapse to one space and nothing
// leads or trails.
type wordWriter struct {
	buf          strings.Builder
	dropJoiners  bool
	pendingSpace bool
	joiner       byte // '\'' or '-' seen straight after a word rune, or 0
	inWord       bool // the last rune written was a word rune
}

func (w *wordWriter) word(r rune) {
	switch {
	case w.joiner != 0:
		if !w.dropJoiners {
			w.buf.WriteByte(w.joiner)
		}
		w.joiner = 0
	case w.pendingSpace && w.buf.Len() > 0:
		w.buf.WriteByte(' ')
	}
	w.pendingSpace = false
	if r < utf8.RuneSelf {
		w.buf.WriteByte(byte(r))
	} else {
		w.buf.WriteRune(r)
	}
	w.inWord = true
}

func (w *wordWriter) join(j byte) {
	if w.inWord {
		w.joiner = j
		w.inWord = false
		return
	}
	w.sep()
}

func (w *wordWriter) sep() {
	w.joiner = 0
	w.pendingSpace = true
	w.inWord = false
}

func (w *wordWriter) ascii(c byte) {
	switch {
	case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		w.word(rune(c))
	case 'A' <= c && c <= 'Z':
		w.word(rune(c + 'a' - 'A'))
	case c == '\'' || c == '-':
		w.join(c)
	default:
		w.sep()
	}
}

// runes feeds a UTF-8 decomposition through rune.
func (w *wordWriter) runes(d []byte) {
	for len(d) > 0 {
		r, n := utf8.DecodeRune(d)
		d = d[n:]
		w.rune(r)
	}
}

// rune handles one fully decomposed rune.
func (w *wordWriter) rune(r rune) {
	if r < utf8.RuneSelf {
		w.ascii(byte(r))
		return
	}
	switch {
	case unicode.Is(unicode.Mn, r):
		// A diacritic: drop it without splitting the word it belongs to.
	case isApostrophe(r):
		w.join('\'')
	case isHyphen(r):
		w.join('-')
	case isInvisible(r):
		// Soft hyphens and zero-width joiners are invisible in the source
		// text and must not split "Thal\u00ADindra" in two.
	default:
		if f := foldRune(r); f != r {
			// Folding can, rarely, yield a decomposable rune (ẞ -> ß is
			// fine, but be safe); feed its decomposition back through.
			var buf [utf8.UTFMax]byte
			if d := norm.NFKD.Properties(utf8.AppendRune(buf[:0], f)).Decomposition(); d != nil {
				w.runes(d)
				return
			}
			r = f
			if r < utf8.RuneSelf {
				w.ascii(byte(r))
				return
			}
		}
		if rep := letterFold(r); rep != "" {
			for i := 0; i < len(rep); i++ {
				w.word(rune(rep[i]))
			}
			return
		}
		if isWordRune(r) {
			w.word(r)
		} else {
			w.sep()
		}
	}
}

// foldRune case-folds one rune. Lower-casing the upper-case form catches
// the letters that simple lower-casing misses (final sigma, long s, dotless
// i, Greek symbol variants). It is used instead of x/text's cases.Fold
// because that maps Cherokee small letters to capitals and capitals back
// to small letters, so folding twice would not be a no-op.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	return unicode.ToLower(unicode.ToUpper(r))
}

// asciiNormalized reports whether ASCII s is already its own normal form, so
// the common case of a recogniser emitting clean lower-case words costs no
// allocation.
func asciiNormalized(s string, dropJoiners bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case c == ' ' || (!dropJoiners && (c == '\'' || c == '-')):
			if i == 0 || i == len(s)-1 || !isASCIIAlnum(s[i-1]) || !isASCIIAlnum(s[i+1]) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func isASCIIAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// isWordRune reports whether r belongs to a word. Marks count so that
// scripts whose vowels are spacing marks (Devanagari, Thai) stay whole.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		c := byte(r) | 0x20
		return 'a' <= c && c <= 'z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

// isApostrophe accepts the characters recognisers and word processors use
// for an apostrophe, including the right single quotation mark.
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '\u2019', '\u02BC', '\u2018', '\uFF07':
		return true
	}
	return false
}

// isHyphen accepts hyphens but not dashes: "half‐orc" is one compound,
// "sword – shield" is two words.
func isHyphen(r rune) bool {
	switch r {
	case '-', '\u2010', '\u2011', '\uFE63', '\uFF0D':
		return true
	}
	return false
}

// isInvisible reports format characters that are invisible inside a word.
// The zero-width space is excluded because some scripts use it to separate
// words.
func isInvisible(r rune) bool {
	return r != '\u200B' && r >= utf8.RuneSelf && unicode.Is(unicode.Cf, r)
}

// letterFold spells out letters that have no Unicode decomposition but that
// people read as a plain Latin letter with a diacritic or as a ligature. The
// mapping follows PostgreSQL's unaccent rules.
func letterFold(r rune) string {
	switch r {
	case 'æ', 'Æ':
		return "ae"
	case 'œ', 'Œ':
		return "oe"
	case 'ø', 'Ø':
		return "o"
	case 'đ', 'Đ', 'ð', 'Ð':
		return "d"
	case 'ł', 'Ł':
		return "l"
	case 'þ', 'Þ':
		return "th"
	case 'ß', 'ẞ':
		return "ss"
	case 'ı':
		return "i"
	case 'ħ', 'Ħ':
		return "h"
	case 'ŧ', 'Ŧ':
		return "t"
	case 'ŋ', 'Ŋ':
		return "n"
	}
	return ""
}

package textmatch

import (
	"strings"
	"unicode/utf8"
)

// Token is one word of a text, as produced by [Tokenize].
type Token struct {
	// Text is the word normalised for matching: lower case, no diacritics,
	// apostrophes removed and a possessive ending stripped
	// ("Khaldrun's" -> "khaldrun").
	Text string
	// Raw is the word exactly as it appeared in the input, including the
	// possessive ending if there was one.
	Raw string
	// Start and End are the byte offsets of Raw in the input (End is
	// exclusive), so a keyword hit can be highlighted in the transcript.
	Start, End int
	// Possessive records that the word ended in 's or s' ("Khaldrun's",
	// "the Dwarves' hall"), which matters when a name is spoken in the
	// possessive but stored without it.
	Possessive bool
}

// Tokenize splits s into words: runs of letters, digits and combining marks.
// An apostrophe between two word characters stays inside the word ("don't",
// "Khaldrun's"); an apostrophe straight after a final s is taken as a plural
// possessive and included in Raw ("Dwarves'"). Hyphenated words become
// separate tokens ("half-orc" -> "half", "orc") because speech recognisers
// transcribe the parts inconsistently as one word, two words or hyphenated.
// Everything else separates words. Offsets are byte offsets into s and are
// valid even when s is not valid UTF-8.
//
// A word whose normalised text would be empty, such as a lone combining
// accent, is dropped.
func Tokenize(s string) []Token {
	// Recogniser output is words separated by single spaces, so counting
	// spaces (vectorised) sizes the slice right in one allocation.
	return AppendTokens(make([]Token, 0, strings.Count(s, " ")+1), s)
}

// AppendTokens appends the tokens of s, as [Tokenize] splits them, to toks
// and returns the extended slice. A live transcription loop that reuses one
// slice across utterances (toks = AppendTokens(toks[:0], line)) tokenises
// clean lower-case text without allocating.
func AppendTokens(toks []Token, s string) []Token {
	for i := 0; i < len(s); {
		r, w := decodeRune(s, i)
		if !isWordRune(r) {
			i += w
			continue
		}
		start := i
		i += w
		end := i
		aposStart, aposEnd := -1, -1 // the last in-word apostrophe
		possessive := false
		for i < len(s) {
			r, w = decodeRune(s, i)
			if isWordRune(r) {
				i += w
				end = i
				continue
			}
			apos := isApostrophe(r)
			if !apos && !isInvisible(r) {
				break
			}
			if i+w < len(s) {
				if r2, w2 := decodeRune(s, i+w); isWordRune(r2) {
					if apos {
						aposStart, aposEnd = i, i+w
					}
					i += w + w2
					end = i
					continue
				}
			}
			if apos && end == i && (s[end-1] == 's' || s[end-1] == 'S') {
				// "Dwarves'": the plural possessive apostrophe ends the word.
				i += w
				end = i
				possessive = true
			}
			break
		}

		raw := s[start:end]
		stem := raw
		if !possessive && aposEnd == end-1 && (s[end-1] == 's' || s[end-1] == 'S') {
			stem = s[start:aposStart]
			possessive = true
		}
		text := tokenText(stem)
		if possessive && aposEnd == end-1 && isSContraction(text) {
			// "it's", "let's": the s is a verb or pronoun, not a possessive.
			possessive = false
		}
		if text == "" {
			continue
		}
		toks = append(toks, Token{Text: text, Raw: raw, Start: start, End: end, Possessive: possessive})
	}
	return toks
}

// decodeRune is utf8.DecodeRuneInString(s[i:]) with the ASCII case inlined.
func decodeRune(s string, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

// tokenText folds one raw word. Lower-case ASCII words without apostrophes,
// the bulk of recogniser output, are returned as substrings of the input
// without allocating.
func tokenText(raw string) string {
	if isASCII(raw) {
		clean := true
		for i := 0; i < len(raw); i++ {
			if c := raw[i]; 'A' <= c && c <= 'Z' || c == '\'' {
				clean = false
				break
			}
		}
		if clean {
			return raw
		}
		b := make([]byte, 0, len(raw))
		for i := 0; i < len(raw); i++ {
			switch c := raw[i]; {
			case c == '\'':
			case 'A' <= c && c <= 'Z':
				b = append(b, c+'a'-'A')
			default:
				b = append(b, c)
			}
		}
		return string(b)
	}
	// Compatibility decomposition can turn one character into several
	// words ("¼" -> "1⁄4" -> "1 4"); a token must stay one word.
	f := Fold(raw)
	if strings.IndexByte(f, ' ') >= 0 {
		f = strings.ReplaceAll(f, " ", "")
	}
	return f
}

// isSContraction reports words whose 's is "is", "has" or "us" rather than a
// possessive.
func isSContraction(stem string) bool {
	switch stem {
	case "it", "he", "she", "that", "what", "there", "here", "who", "where",
		"when", "why", "how", "let", "this":
		return true
	}
	return false
}

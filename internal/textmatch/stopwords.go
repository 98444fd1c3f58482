package textmatch

// IsStopWord reports whether word is a common English function word or
// speech filler that carries no meaning for keyword spotting ("the", "of",
// "um"). Matching is case- and accent-insensitive.
//
// The list is deliberately small. Words that double as game terms or
// character names are left out even though they are common: "will" (Will
// saves), "might", "may", "mark", "can", "rest", "save", "check", "roll".
func IsStopWord(word string) bool {
	if _, ok := stopWords[word]; ok {
		return true
	}
	if isASCII(word) && asciiNormalized(word, true) {
		return false // already folded, so the lookup above was definitive
	}
	_, ok := stopWords[Fold(word)]
	return ok
}

var stopWords = map[string]struct{}{
	// Articles, conjunctions and prepositions.
	"a": {}, "an": {}, "the": {}, "and": {}, "or": {}, "but": {}, "nor": {},
	"of": {}, "to": {}, "in": {}, "on": {}, "at": {}, "for": {}, "with": {},
	"by": {}, "from": {}, "as": {}, "into": {}, "onto": {}, "upon": {},
	"about": {}, "than": {}, "then": {}, "so": {}, "if": {},
	// Pronouns and determiners.
	"i": {}, "me": {}, "my": {}, "we": {}, "us": {}, "our": {}, "you": {},
	"your": {}, "he": {}, "him": {}, "his": {}, "she": {}, "her": {},
	"it": {}, "its": {}, "they": {}, "them": {}, "their": {}, "this": {},
	"that": {}, "these": {}, "those": {}, "there": {}, "here": {},
	"what": {}, "which": {}, "who": {}, "whom": {},
	// Auxiliary verbs.
	"is": {}, "am": {}, "are": {}, "was": {}, "were": {}, "be": {},
	"been": {}, "being": {}, "do": {}, "does": {}, "did": {}, "have": {},
	"has": {}, "had": {}, "not": {},
	// Fillers a speech recogniser transcribes.
	"um": {}, "uh": {}, "er": {}, "erm": {}, "hmm": {}, "mm": {}, "ah": {},
	"oh": {}, "like": {}, "okay": {}, "ok": {}, "yeah": {},
}

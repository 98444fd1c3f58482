// Package keywords spots game terms in live transcript text: SRD spells,
// monsters, conditions and items, and a campaign's own names, even when a
// speech recogniser mangled them ("fire ball", "gelatinous queue", "thalin
// dra"). It also recognises spoken rule phrases (dice, DCs, saving throws,
// damage, conditions applied to a character) as structured events.
//
// An Engine holds a compiled dictionary of Terms. Detect tokenises a
// segment, looks its token n-grams up by exact spelling and by
// length-scaled edit distance (trigram candidates), aligns windows of
// words with each name's phones by a feature-weighted edit distance (CMU
// dictionary pronunciations and letter-to-sound rules, sound.go; split and
// joined words meet there), scores each
// candidate with the words around it ("cast …", "… is prone") and keeps the
// best non-overlapping ones, longest first. The dictionary is an immutable
// snapshot behind an atomic pointer: updates build a new snapshot that
// shares every index shard the change did not touch, so Detect never waits
// and one entity change costs well under a millisecond.
package keywords

import (
	"strings"

	"github.com/gmc-project/gmc/internal/phonetic"
	"github.com/gmc-project/gmc/internal/textmatch"
)

// Term is one thing worth alerting the game master about.
type Term struct {
	// Key is stable and unique: "srd:spell:fireball", "character:<uuid>".
	Key string `json:"key"`
	// Name is the canonical name shown on the alert.
	Name string `json:"name"`
	// Aliases are other names that mean the same term.
	Aliases []string `json:"aliases,omitempty"`
	// Category is the SRD kind (spell, monster …) or the campaign entity
	// type (pc, npc, location …). Context cues depend on it.
	Category string `json:"category"`
	// Source says where the term comes from: "srd", "campaign", "custom".
	Source string `json:"source"`
	// Ref locates the term's card: "spell/fireball", "characters/<id>".
	Ref string `json:"ref,omitempty"`
	// Common marks names that are everyday English words (Shield, Light,
	// Sleep, Prone …): they are reported only when the words around them
	// show the game sense, unless Options.AlertCommon is set.
	Common bool `json:"common,omitempty"`
	// GMOnly marks terms whose alerts go to game masters only.
	GMOnly bool `json:"gm_only,omitempty"`
}

// Reasons a detection was made.
const (
	ReasonExact    = "exact"    // the canonical name, inflected or not
	ReasonAlias    = "alias"    // an alias
	ReasonFuzzy    = "fuzzy"    // a spelling within the edit budget
	ReasonPhonetic = "phonetic" // a sound-alike
	ReasonContext  = "context"  // reported only because of the words around it
)

// Detection is one mention of a term in a text.
type Detection struct {
	Term Term `json:"term"`
	// Span holds the byte offsets [start, end) of the mention in the text.
	Span [2]int `json:"span"`
	// Surface is the text of the mention as spoken.
	Surface string `json:"surface"`
	// Confidence is in [0,1]; Options.Threshold is the reporting cut-off.
	Confidence float64 `json:"confidence"`
	// Reason is one of the Reason constants.
	Reason string `json:"reason"`
}

// variant is one name of a term (its canonical name or an alias) in the
// forms the indexes need.
type variant struct {
	term   int32
	alias  bool
	tokens []string // normalised words
	stop   []bool   // which words are stop words
	joined string   // the words run together as spoken: "wandoffireballs"
	keys   []string // exact-lookup keys: joined, possessive-s and singular forms
	// phones is the name as spoken, word after word; wordOf gives each
	// phone's word, soundKeys the coarse trigrams the sound index holds.
	phones    []phonetic.Phone
	wordOf    []uint8
	soundKeys []string
	known     bool // every content word is in the pronouncing dictionary
	// trigrams is the number of distinct trigrams of joined.
	trigrams int
	// edits is maxEdits(len(joined)), the spelling budget.
	edits int
}

// newVariant prepares one name; ok is false for names with no word that
// could be matched (empty, or stop words only).
func newVariant(term int32, name string, alias bool) (variant, bool) {
	toks := textmatch.Tokenize(name)
	if len(toks) == 0 {
		return variant{}, false
	}
	v := variant{term: term, alias: alias, tokens: make([]string, len(toks)), stop: make([]bool, len(toks))}
	content := false
	var withS strings.Builder
	for i, t := range toks {
		v.tokens[i] = t.Text
		v.stop[i] = textmatch.IsStopWord(t.Text)
		if !v.stop[i] {
			content = true
		}
		withS.WriteString(t.Text)
		if t.Possessive && !strings.HasSuffix(t.Text, "s") {
			// "Hunter's Mark" is transcribed "hunters mark" as often as
			// "hunter's mark".
			withS.WriteByte('s')
		}
	}
	if !content {
		return variant{}, false
	}
	// The spoken form keeps the possessive s ("Orlen's Crossing" sounds
	// like "orlens crossing"); the written one without it is a key too.
	v.joined = withS.String()
	v.keys = appendUnique(v.keys, strings.Join(v.tokens, ""))
	v.keys = appendUnique(v.keys, v.joined)
	v.trigrams = len(trigramsOf(v.joined))
	v.edits = maxEdits(len(v.joined))
	for _, s := range singulars(v.joined) {
		v.keys = appendUnique(v.keys, s)
	}
	for _, s := range verbStems(v.joined) {
		v.keys = appendUnique(v.keys, s)
	}
	v.pronounce(toks)
	return v, true
}

// singulars returns the forms a plural word may have in the singular:
// "wolves" → wolf, wolfe, wolve; "harpies" → harpy, harpie. Several are
// tried because English plurals are irregular and a lookup is cheap; words
// ending in -ss, -us and -is are not plurals.
func singulars(w string) []string {
	var out []string
	for _, e := range singularForms([]byte(w)) {
		out = append(out, w[:len(w)-e.cut]+e.add)
	}
	return out
}

// verbStems returns the verb a past participle comes from, for names
// that are one ("Grappled" → grapple, "Stunned" → stun, "Petrified" →
// petrify), since a recogniser often drops the ending: "he is grapple".
// Several forms are returned because English spelling rules vary.
func verbStems(w string) []string {
	n := len(w)
	if n < 6 || !strings.HasSuffix(w, "ed") {
		return nil
	}
	out := []string{w[:n-1], w[:n-2]}
	if w[n-3] == w[n-4] {
		out = append(out, w[:n-3]) // stunned → stun
	}
	if w[n-3] == 'i' {
		out = append(out, w[:n-3]+"y") // petrified → petrify
	}
	return out
}

// suffixEdit turns a plural into a singular candidate: drop cut bytes,
// append add.
type suffixEdit struct {
	cut int
	add string
}

// Singular-candidate edits by plural ending; read-only.
var (
	editsS   = []suffixEdit{{1, ""}}
	editsES  = []suffixEdit{{1, ""}, {2, ""}}
	editsIES = []suffixEdit{{1, ""}, {2, ""}, {3, "y"}}
	editsVES = []suffixEdit{{1, ""}, {2, ""}, {3, "f"}, {3, "fe"}}
)

// singularForms is singulars for a word in a buffer, without allocating.
func singularForms(w []byte) []suffixEdit {
	n := len(w)
	if n < 4 || w[n-1] != 's' {
		return nil
	}
	switch w[n-2] {
	case 's', 'u', 'i':
		return nil
	case 'e':
		switch w[n-3] {
		case 'i':
			return editsIES
		case 'v':
			return editsVES
		case 's', 'x', 'z', 'h', 'o':
			// -es is the plural after a sibilant or o ("boxes",
			// "torches"); elsewhere the e is the stem's ("tames").
			return editsES
		}
		return editsS
	}
	return editsS
}

// tokenCode returns a word's primary Double Metaphone key. A word inside
// a phrase loses the leading vowel marker (A) the algorithm gives to
// initial vowels and W, so that "grey water" and "greywater" get the same
// key.
func tokenCode(word string, first bool) string {
	p, _ := textmatch.DoubleMetaphoneN(word, 0)
	if !first {
		p = trimA(p)
	}
	return p
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

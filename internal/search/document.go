package search

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/textmatch"
)

// ReferenceScope is the scope of the SRD reference entries, which belong
// to no campaign.
const ReferenceScope = "reference"

// Types of campaign documents. Reference entries use their kind
// (spell, monster, condition, magic_item, equipment, …).
const (
	TypeCharacter = gmc.EntityCharacter
	TypeLocation  = gmc.EntityLocation
	TypePlot      = gmc.EntityPlot
	TypeSession   = gmc.EntitySession
)

// MaxTextBytes bounds the text of a document that is indexed and kept for
// highlights; longer text is cut at a word boundary. Entity text fields
// are bounded already; this bounds a character's notes, whose JSON may
// hold far more prose than anyone searches.
const MaxTextBytes = 200_000

// Document is what search knows of one entity.
type Document struct {
	// Scope is the campaign id, or ReferenceScope.
	Scope string
	// Type is the entity type (TypeCharacter …) or the reference kind.
	Type string
	// ID is the entity id, or the reference entry's slug.
	ID      string
	Name    string
	Aliases []string
	// Tags are matched by the tags filter, and as words of the text.
	Tags []string
	// Context places a result for the reader: a location's breadcrumb, a
	// reference entry's one-line summary.
	Context string
	// Text is what every member who may see the entity may read.
	Text string
	// GMText is what only GMs may read (secret notes). A player's search
	// never matches it.
	GMText string
	// GMOnly hides the whole entity from players.
	GMOnly bool
}

// Indexed is a Document prepared for storage.
type Indexed struct {
	Document
	// Keys are the lookup keys of the name and aliases, sorted and unique.
	Keys []string
	// Forms encodes the name and aliases word by word with their phonetic
	// keys, so ranking needs no per-query Double Metaphone of candidates.
	Forms string
	// Names holds the normalised name and aliases, one per line, for the
	// trigram indexes of the fallback.
	Names string
	// TextWords and GMTextWords are the texts as normalised words joined
	// by single spaces: what the full-text indexes of both backends
	// tokenise identically.
	TextWords, GMTextWords string
}

// Index prepares d for storage.
func Index(d Document) Indexed {
	d.Text, d.GMText = cutText(d.Text), cutText(d.GMText)
	if d.Tags == nil {
		d.Tags = []string{}
	}
	in := Indexed{Document: d}
	keys := map[string]struct{}{}
	forms := make([]string, 0, 1+len(d.Aliases))
	names := make([]string, 0, 1+len(d.Aliases))
	for _, name := range append([]string{d.Name}, d.Aliases...) {
		words := nameWords(name)
		if len(words) == 0 {
			continue
		}
		addNameKeys(keys, words)
		addPossessiveKeys(keys, name)
		forms = append(forms, encodeForm(words))
		names = append(names, strings.Join(words, " "))
	}
	in.Keys = make([]string, 0, len(keys))
	for k := range keys {
		in.Keys = append(in.Keys, k)
	}
	slices.Sort(in.Keys)
	in.Forms, in.Names = strings.Join(forms, "\n"), strings.Join(names, "\n")
	tags := strings.Join(d.Tags, " ")
	in.TextWords = textWords(d.Text + "\n" + tags + "\n" + d.Context)
	in.GMTextWords = textWords(d.GMText)
	return in
}

// nameWords returns the normalised words of a name or query.
func nameWords(s string) []string {
	toks := textmatch.Tokenize(s)
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		out = append(out, t.Text)
	}
	return out
}

// textWords is s as normalised words separated by spaces.
func textWords(s string) string {
	return strings.Join(nameWords(s), " ")
}

// cutText bounds s to MaxTextBytes.
func cutText(s string) string { return cutAt(s, MaxTextBytes) }

// cutAt bounds s to n bytes, ending at a space where one is near, and
// never inside a character.
func cutAt(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	if i := strings.LastIndexByte(s, ' '); i > n/2 {
		return s[:i]
	}
	for len(s) > 0 {
		if r, size := utf8.DecodeLastRuneInString(s); r != utf8.RuneError || size > 1 {
			break
		}
		s = s[:len(s)-1]
	}
	return s
}

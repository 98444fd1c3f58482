package gmc

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of a custom keyword.
const (
	MaxKeywordNotesLen    = 10_000
	MaxKeywordCategoryLen = 32
	// DefaultKeywordCategory is the category of a keyword created without one.
	DefaultKeywordCategory = "custom"
)

// Keyword is a term a GM adds to the campaign's live keyword dictionary:
// a homebrew item, a faction, a deity, anything the table names that is
// neither an SRD entry nor a character, location or plot thread.
//
// Who sees what: a keyword with visibility "gm" exists for GMs only, and
// its live alerts reach GMs only. Common marks an everyday word ("Dawn",
// "the Crown") that is alerted only when the words around it show the
// game sense.
type Keyword struct {
	ID         string     `json:"id"`
	CampaignID string     `json:"campaign_id"`
	Term       string     `json:"term"`
	Aliases    []string   `json:"aliases"`
	Category   string     `json:"category"`
	Visibility Visibility `json:"visibility"`
	Common     bool       `json:"common"`
	Notes      string     `json:"notes"`
	Version    int64      `json:"version"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// Normalize trims the term, drops empty and repeated aliases and
// lower-cases the category ("custom" when empty), so that what is stored
// has one spelling.
func (k *Keyword) Normalize() {
	k.Term = strings.TrimSpace(k.Term)
	k.Aliases = uniqueNonEmpty(k.Aliases, strings.TrimSpace)
	k.Category = strings.ToLower(strings.TrimSpace(k.Category))
	if k.Category == "" {
		k.Category = DefaultKeywordCategory
	}
}

// Validate checks a normalised keyword's editable fields.
func (k *Keyword) Validate() error {
	var v Validator
	ValidateName(&v, "body.term", k.Term)
	validateList(&v, "body.aliases", k.Aliases, MaxAliases, MaxNameLen)
	v.Check(validCategory(k.Category), "body.category",
		"must be one word of lower-case letters, digits, - or _ (at most 32 characters), such as item, faction or deity")
	v.Check(k.Visibility.Valid(), "body.visibility", "must be one of gm, players")
	v.Check(utf8.RuneCountInString(k.Notes) <= MaxKeywordNotesLen, "body.notes", "must be at most 10000 characters")
	return v.Err()
}

// TermKey is the spelling a campaign's keywords must not share: the term
// lower-cased with its white space collapsed, so "Iron Lanterns" and
// "iron  lanterns" are one keyword. Lower-cased here, not in SQL, whose
// lower() in SQLite knows only ASCII.
func (k *Keyword) TermKey() string {
	return strings.ToLower(strings.Join(strings.Fields(k.Term), " "))
}

// validCategory reports whether c is one word: a letter first, then
// letters, digits, '-' or '_'. Categories steer the engine's context cues
// ("cast …" for a spell), so free text has no place here.
func validCategory(c string) bool {
	if c == "" || len(c) > MaxKeywordCategoryLen || c[0] < 'a' || c[0] > 'z' {
		return false
	}
	for i := 0; i < len(c); i++ {
		b := c[i]
		if (b < 'a' || b > 'z') && (b < '0' || b > '9') && b != '-' && b != '_' {
			return false
		}
	}
	return true
}

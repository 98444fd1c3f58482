package gmc

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// CharacterType tells player characters from the GM's cast.
type CharacterType string

// Character types.
const (
	CharacterPC  CharacterType = "pc"
	CharacterNPC CharacterType = "npc"
)

// Valid reports whether t is known.
func (t CharacterType) Valid() bool { return t == CharacterPC || t == CharacterNPC }

// Limits of a character's lists.
const (
	MaxAliases  = 50
	MaxTags     = 50
	MaxTagLen   = 64
	MaxVoiceLen = 20_000
)

// Character is a PC or NPC of a campaign.
//
// Who sees what: a character with visibility "gm" exists for GMs only.
// Everyone who sees a character sees all its fields except GMNotes, which
// only GMs read or write; Notes is the part the table may know.
type Character struct {
	ID            string          `json:"id"`
	CampaignID    string          `json:"campaign_id"`
	Name          string          `json:"name"`
	CharacterType CharacterType   `json:"character_type"`
	Stats         json.RawMessage `json:"stats"`
	Notes         json.RawMessage `json:"notes"`
	// GMNotes is nil in what non-GMs are shown.
	GMNotes    json.RawMessage `json:"gm_notes,omitempty"`
	VoiceNotes string          `json:"voice_notes"`
	Aliases    []string        `json:"aliases"`
	Tags       []string        `json:"tags"`
	Visibility Visibility      `json:"visibility"`
	// OwnerID is the member who plays a PC; NPCs have none.
	OwnerID        *string   `json:"owner_id"`
	PortraitFileID *string   `json:"portrait_file_id"`
	Version        int64     `json:"version"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Normalize trims names, lower-cases and de-duplicates tags, drops empty
// and repeated aliases, and fills absent JSON documents with {}, so that
// what is stored (and filtered on) has one spelling.
func (c *Character) Normalize() {
	c.Name = strings.TrimSpace(c.Name)
	c.Aliases = uniqueNonEmpty(c.Aliases, strings.TrimSpace)
	c.Tags = uniqueNonEmpty(c.Tags, NormalizeTag)
	for _, doc := range []*json.RawMessage{&c.Stats, &c.Notes, &c.GMNotes} {
		*doc = compactObject(*doc)
	}
}

// Validate checks a normalised character's fields.
func (c *Character) Validate() error {
	var v Validator
	ValidateName(&v, "body.name", c.Name)
	v.Check(c.CharacterType.Valid(), "body.character_type", "must be one of pc, npc")
	v.Check(c.Visibility.Valid(), "body.visibility", "must be one of gm, players")
	ValidateJSONObject(&v, "body.stats", c.Stats, MaxJSONObjectBytes)
	ValidateJSONObject(&v, "body.notes", c.Notes, MaxJSONObjectBytes)
	ValidateJSONObject(&v, "body.gm_notes", c.GMNotes, MaxJSONObjectBytes)
	ValidateText(&v, "body.voice_notes", c.VoiceNotes, MaxVoiceLen)
	validateList(&v, "body.aliases", c.Aliases, MaxAliases, MaxNameLen)
	validateList(&v, "body.tags", c.Tags, MaxTags, MaxTagLen)
	v.Check(c.OwnerID == nil || c.CharacterType == CharacterPC, "body.owner_id", "only a pc has an owner")
	return v.Err()
}

// NormalizeTag is the one spelling of a tag: trimmed and lower-case.
func NormalizeTag(tag string) string { return strings.ToLower(strings.TrimSpace(tag)) }

// SearchKey is what the q filter of a character list matches: the name and
// aliases, lower-cased here (not in SQL, whose lower() in SQLite knows only
// ASCII) and joined by a separator no query contains.
func (c *Character) SearchKey() string {
	return strings.ToLower(strings.Join(append([]string{c.Name}, c.Aliases...), "\x1f"))
}

// SearchQuery brings a q filter into the form SearchKey is matched with.
func SearchQuery(q string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(q), "\x1f", ""))
}

// ForRole returns the character as a member with role r may see it.
func (c *Character) ForRole(r Role) *Character {
	if r == RoleGM {
		return c
	}
	out := *c
	out.GMNotes = nil
	return &out
}

func validateList(v *Validator, location string, items []string, maxItems, maxLen int) {
	if len(items) > maxItems {
		v.Add(location, "must have at most %d entries", maxItems)
		return
	}
	for _, s := range items {
		if utf8.RuneCountInString(s) > maxLen {
			v.Add(location, "entries must be at most %d characters", maxLen)
			return
		}
	}
}

func uniqueNonEmpty(items []string, norm func(string) string) []string {
	out := make([]string, 0, len(items))
	for _, s := range items {
		if s = norm(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// compactObject returns doc without insignificant white space, or {} when
// it is absent. Invalid JSON is returned unchanged for Validate to report.
func compactObject(doc json.RawMessage) json.RawMessage {
	if len(doc) == 0 || string(doc) == "null" {
		return json.RawMessage("{}")
	}
	var b bytes.Buffer
	if err := json.Compact(&b, doc); err != nil {
		return doc
	}
	return json.RawMessage(b.Bytes())
}

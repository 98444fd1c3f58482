package gmc

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCharacterNormalize(t *testing.T) {
	c := &Character{Name: "  Ireena ", Aliases: []string{" Tatyana", "", "Tatyana"}, Tags: []string{"Noble ", "noble", " "},
		Stats: json.RawMessage("{ \"hp\" : 3 }"), Notes: json.RawMessage("null")}
	c.Normalize()
	want := &Character{Name: "Ireena", Aliases: []string{"Tatyana"}, Tags: []string{"noble"},
		Stats: json.RawMessage(`{"hp":3}`), Notes: json.RawMessage("{}"), GMNotes: json.RawMessage("{}")}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("Normalize mismatch (-want +got):\n%s", diff)
	}
	if got := c.SearchKey(); got != "ireena\x1ftatyana" {
		t.Errorf("SearchKey = %q", got)
	}
	if got := SearchQuery("  ÆRIN\x1f "); got != "ærin" {
		t.Errorf("SearchQuery = %q, want %q", got, "ærin")
	}
}

func TestCharacterValidate(t *testing.T) {
	owner := "someone"
	valid := func() *Character {
		c := &Character{Name: "A", CharacterType: CharacterPC, Visibility: VisiblePlayers, OwnerID: &owner}
		c.Normalize()
		return c
	}
	tests := []struct {
		name     string
		edit     func(*Character)
		location string // "" means valid
	}{
		{"valid", func(*Character) {}, ""},
		{"empty name", func(c *Character) { c.Name = "" }, "body.name"},
		{"long name", func(c *Character) { c.Name = strings.Repeat("é", 256) }, "body.name"},
		{"unknown type", func(c *Character) { c.CharacterType = "monster" }, "body.character_type"},
		{"unknown visibility", func(c *Character) { c.Visibility = "all" }, "body.visibility"},
		{"stats an array", func(c *Character) { c.Stats = json.RawMessage(`[1]`) }, "body.stats"},
		{"gm notes not JSON", func(c *Character) { c.GMNotes = json.RawMessage(`{`) }, "body.gm_notes"},
		{"too many tags", func(c *Character) { c.Tags = make([]string, MaxTags+1) }, "body.tags"},
		{"long alias", func(c *Character) { c.Aliases = []string{strings.Repeat("a", 256)} }, "body.aliases"},
		{"npc with owner", func(c *Character) { c.CharacterType = CharacterNPC }, "body.owner_id"},
	}
	for _, tc := range tests {
		c := valid()
		tc.edit(c)
		err := c.Validate()
		var ve *ValidationError
		switch {
		case tc.location == "" && err != nil:
			t.Errorf("%s: Validate = %v, want nil", tc.name, err)
		case tc.location != "" && (!errors.As(err, &ve) || ve.Fields[0].Location != tc.location):
			t.Errorf("%s: Validate = %v, want a problem with %s", tc.name, err, tc.location)
		}
	}
}

func TestForRole(t *testing.T) {
	c := &Character{GMNotes: json.RawMessage(`{"s":1}`)}
	if c.ForRole(RolePlayer).GMNotes != nil || c.ForRole(RoleObserver).GMNotes != nil {
		t.Error("ForRole leaves gm_notes to a non-GM")
	}
	if c.ForRole(RoleGM).GMNotes == nil || c.GMNotes == nil {
		t.Error("ForRole took gm_notes from the GM or from the original")
	}
}

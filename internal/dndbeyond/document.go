// Package dndbeyond reads D&D Beyond character documents and computes the
// sheet D&D Beyond shows but does not store (ability scores, hit points,
// armour class, skills…), and fetches public characters from D&D Beyond's
// character service.
//
// The character service is undocumented; the fields read here are the
// ones open-source importers read (ddb-importer, avrae). Three shapes of
// document are accepted: the service's envelope ({"success", "data"}), the
// ddb-proxy envelope ({"ddb": {"character"}}) and the bare character.
//
// Not computed, so a sheet may differ from D&D Beyond's where a character
// relies on them: modifiers whose restriction is only text ("while not
// wearing heavy armor") count always; natural armour, "minimum base
// armor" and hand-entered speeds (customSpeeds) are not read; of the sheet's characterValues only the AC
// overrides and bonuses (types 1–4) and per-skill proficiency overrides
// (26) are, not skill or save totals and bonuses; advantage on Perception
// adds nothing to passive Perception; spell slots are not counted.
package dndbeyond

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Errors of Parse and Client.Fetch. Each is wrapped with detail.
var (
	// ErrMalformed: the document is not a D&D Beyond character.
	ErrMalformed = errors.New("dndbeyond: not a D&D Beyond character document")
	// ErrPrivate: the character service refuses to show the character.
	ErrPrivate = errors.New("dndbeyond: character is not public")
	// ErrNotFound: the character service knows no such character.
	ErrNotFound = errors.New("dndbeyond: character not found")
	// ErrUnavailable: the character service did not answer in time or
	// answered with a server error.
	ErrUnavailable = errors.New("dndbeyond: character service unavailable")
)

// Character is the part of a character document the sheet is computed
// from.
type Character struct {
	ID                int64                 `json:"id"`
	Name              string                `json:"name"`
	Stats             []stat                `json:"stats"`
	BonusStats        []stat                `json:"bonusStats"`
	OverrideStats     []stat                `json:"overrideStats"`
	BaseHitPoints     num                   `json:"baseHitPoints"`
	BonusHitPoints    num                   `json:"bonusHitPoints"`
	OverrideHitPoints num                   `json:"overrideHitPoints"`
	Race              *race                 `json:"race"`
	Classes           []class               `json:"classes"`
	Modifiers         map[string][]modifier `json:"modifiers"`
	Inventory         []item                `json:"inventory"`
	CustomItems       []customItem          `json:"customItems"`
	ClassSpells       []classSpells         `json:"classSpells"`
	Spells            map[string][]spell    `json:"spells"`
	Currencies        currencies            `json:"currencies"`
	CharacterValues   []characterValue      `json:"characterValues"`
	Options           options               `json:"options"`
}

type stat struct {
	ID    num `json:"id"`
	Value num `json:"value"`
}

type race struct {
	FullName     string `json:"fullName"`
	WeightSpeeds struct {
		Normal map[string]num `json:"normal"`
	} `json:"weightSpeeds"`
}

type class struct {
	ID                 num       `json:"id"`
	Level              num       `json:"level"`
	IsStartingClass    bool      `json:"isStartingClass"`
	Definition         *classDef `json:"definition"`
	SubclassDefinition *classDef `json:"subclassDefinition"`
	ClassFeatures      []feature `json:"classFeatures"`
}

type classDef struct {
	Name string `json:"name"`
}

type feature struct {
	Definition featDef `json:"definition"`
}

type featDef struct {
	ID            num `json:"id"`
	RequiredLevel num `json:"requiredLevel"`
}

type modifier struct {
	Type                  string `json:"type"`
	SubType               string `json:"subType"`
	Value                 num    `json:"value"`
	StatID                num    `json:"statId"`
	EntityID              num    `json:"entityId"`
	ComponentID           num    `json:"componentId"`
	AvailableToMulticlass *bool  `json:"availableToMulticlass"`
}

type item struct {
	Quantity   num      `json:"quantity"`
	Equipped   bool     `json:"equipped"`
	IsAttuned  bool     `json:"isAttuned"`
	Definition *itemDef `json:"definition"`
}

type itemDef struct {
	ID          num    `json:"id"`
	Name        string `json:"name"`
	FilterType  string `json:"filterType"`
	Rarity      string `json:"rarity"`
	Magic       bool   `json:"magic"`
	CanAttune   bool   `json:"canAttune"`
	ArmorClass  num    `json:"armorClass"`
	ArmorTypeID num    `json:"armorTypeId"`
	// StrengthRequirement is heavy armour's: below it, speed drops by 10.
	StrengthRequirement num `json:"strengthRequirement"`
}

type customItem struct {
	Name     string `json:"name"`
	Quantity num    `json:"quantity"`
}

type classSpells struct {
	CharacterClassID num     `json:"characterClassId"`
	Spells           []spell `json:"spells"`
}

type spell struct {
	Prepared       bool      `json:"prepared"`
	AlwaysPrepared bool      `json:"alwaysPrepared"`
	Definition     *spellDef `json:"definition"`
}

type spellDef struct {
	Name  string `json:"name"`
	Level num    `json:"level"`
}

type currencies struct {
	CP num `json:"cp"`
	SP num `json:"sp"`
	EP num `json:"ep"`
	GP num `json:"gp"`
	PP num `json:"pp"`
}

type characterValue struct {
	TypeID  num `json:"typeId"`
	Value   num `json:"value"`
	ValueID num `json:"valueId"`
}

type options struct {
	Class []struct {
		Definition *struct {
			ID num `json:"id"`
		} `json:"definition"`
	} `json:"class"`
}

// num is a whole number that may be absent. The documents write numbers as
// numbers, ids sometimes as strings ("valueId": "10"), and unset values as
// null; anything else (an object where a number belongs) reads as absent
// rather than failing the whole document, as the web sheet shrugs it off.
type num struct {
	V  int64
	OK bool
}

// UnmarshalJSON reads a number, a numeric string or null.
func (n *num) UnmarshalJSON(b []byte) error {
	*n = num{}
	s := string(bytes.TrimSpace(b))
	if s == "null" {
		return nil
	}
	s = strings.Trim(s, `"`)
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = num{V: v, OK: true}
	} else if f, err := strconv.ParseFloat(s, 64); err == nil && f >= -1e15 && f <= 1e15 {
		*n = num{V: int64(f), OK: true}
	}
	return nil
}

// int returns the value, or 0 when absent, bounded so that sums of a
// hostile document cannot overflow.
func (n num) int() int {
	const limit = 1 << 30
	switch {
	case !n.OK:
		return 0
	case n.V > limit:
		return limit
	case n.V < -limit:
		return -limit
	}
	return int(n.V)
}

// envelope is any of the three shapes a character arrives in.
type envelope struct {
	Success  *bool           `json:"success"`
	Message  string          `json:"message"`
	Messages []string        `json:"messages"`
	Data     json.RawMessage `json:"data"`
	DDB      *struct {
		Character json.RawMessage `json:"character"`
	} `json:"ddb"`
	ID    json.RawMessage `json:"id"`
	Stats json.RawMessage `json:"stats"`
}

type serviceError struct {
	ServerMessage string `json:"serverMessage"`
	ErrorCode     string `json:"errorCode"`
}

// Unwrap returns the character object inside doc, whichever of the three
// shapes it has. A service envelope with success false is ErrPrivate when
// it says the access was unauthorised, else ErrMalformed with its message.
func Unwrap(doc []byte) (json.RawMessage, error) {
	var env envelope
	if err := json.Unmarshal(doc, &env); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, jsonProblem(err))
	}
	if env.Success != nil && !*env.Success {
		var se serviceError
		_ = json.Unmarshal(env.Data, &se)
		said := strings.TrimSpace(strings.Join(append([]string{env.Message, se.ServerMessage}, env.Messages...), " "))
		// The service says "Unauthorized Access Attempt."; ddb-proxy
		// "Character must be set to public in order to be accessible."
		for _, word := range []string{"unauthorized", "forbidden", "public"} {
			if strings.Contains(strings.ToLower(said), word) {
				return nil, fmt.Errorf("%w: %s", ErrPrivate, said)
			}
		}
		return nil, fmt.Errorf("%w: the service answered %q", ErrMalformed, said)
	}
	switch {
	case isObject(env.Data):
		return env.Data, nil
	case env.DDB != nil && isObject(env.DDB.Character):
		return env.DDB.Character, nil
	case len(env.ID) > 0 && isArray(env.Stats):
		return doc, nil
	}
	return nil, fmt.Errorf("%w: no character object (expected \"data\", \"ddb.character\", or a character with \"id\" and \"stats\")", ErrMalformed)
}

// Parse reads a character document of any accepted shape.
func Parse(doc []byte) (*Character, error) {
	raw, err := Unwrap(doc)
	if err != nil {
		return nil, err
	}
	var c Character
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, jsonProblem(err))
	}
	if c.ID <= 0 {
		return nil, fmt.Errorf("%w: the character has no id", ErrMalformed)
	}
	if len(c.Classes) == 0 {
		return nil, fmt.Errorf("%w: the character has no class", ErrMalformed)
	}
	c.Name = strings.TrimSpace(c.Name)
	return &c, nil
}

func isObject(b json.RawMessage) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '{'
}

func isArray(b json.RawMessage) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '['
}

// jsonProblem says where a document went wrong without quoting it.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q has the wrong type (%s)", typ.Field, typ.Value)
	}
	return "invalid JSON"
}

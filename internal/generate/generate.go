// Package generate makes drafts for a game master: NPCs, locations,
// encounters and plot hooks, each built from what the campaign already
// holds. Generator is the contract; Builtin fills it with procedural
// generation that needs no model and no network, and a language-model
// generator can fill it the same way.
//
// A draft is never stored here: the service decides whether to keep it.
// Builtin drafts are a pure function of the request, the campaign state
// and the seed, so a GM can ask for the same draft again.
package generate

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/gmc-project/gmc/internal/gmc"
)

// Generator makes drafts from a campaign's state. Implementations must not
// change c, and must treat everything in it as the GM's: drafts are shown
// to GMs only.
type Generator interface {
	NPC(ctx context.Context, c *Campaign, req NPCRequest) (*NPCDraft, error)
	Location(ctx context.Context, c *Campaign, req LocationRequest) (*LocationDraft, error)
	Encounter(ctx context.Context, c *Campaign, req EncounterRequest) (*EncounterDraft, error)
	PlotHooks(ctx context.Context, c *Campaign, req PlotHookRequest) (*PlotHookDraft, error)
}

// MaxSeed bounds seeds to integers a JSON number carries exactly in every
// client (2^53 - 1), so a seed read back from an answer is the same seed.
const MaxSeed = 1<<53 - 1

// Campaign is what a generator may build on: the whole campaign as its GM
// sees it, in a stable order (the order the store lists things in), so
// the same state gives the same drafts. The service fills only what a
// request needs: Monsters for encounters, say.
type Campaign struct {
	ID            string
	Name          string
	Characters    []*gmc.Character
	Locations     []*gmc.Location
	Plots         []*gmc.PlotThread
	Foreshadowing []*gmc.Foreshadowing
	Relationships []*gmc.Relationship
	// LatestSessionNumber is the number of the campaign's latest played
	// session (0 before the first): how long a thread or a hint has waited
	// is measured against it.
	LatestSessionNumber int
	// Monsters is the imported SRD bestiary, for encounters.
	Monsters []Monster
	// Similar, when set, scores the campaign's entities by how close in
	// meaning they are to a request (cosine similarity by entity id, the
	// nearest few only); generators that choose context use it beside
	// the words the request shares with each entity.
	Similar func(ctx context.Context, request string) map[string]float64
}

// Monster is an SRD monster as encounters need it.
type Monster struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
	// Type is the creature type in lower case ("undead", "beast");
	// a swarm's is "swarm of tiny beasts".
	Type    string `json:"type"`
	Subtype string `json:"subtype,omitempty"`
	Size    string `json:"size"`
	CR      string `json:"cr"`
	XP      int    `json:"xp"`
	// Speed reads like "30 ft., swim 40 ft.".
	Speed string `json:"speed"`
}

// Ref names a campaign entity a draft is built from or points at.
type Ref struct {
	Type string `json:"type" enum:"character,location,plot,foreshadowing,relationship" doc:"Entity type"`
	ID   string `json:"id" doc:"Entity id"`
	Name string `json:"name" doc:"Its name or title when the draft was made"`
}

// NPCRequest asks for a non-player character. Every hint is optional.
type NPCRequest struct {
	Seed  uint64
	Hints NPCHints
}

// NPCHints steer an NPC draft.
type NPCHints struct {
	Ancestry   string `json:"ancestry,omitempty" maxLength:"64" example:"dwarf" doc:"Ancestry, e.g. human, elf, dwarf, halfling, gnome, half-elf, half-orc, orc, tiefling, dragonborn; others are kept as written"`
	Culture    string `json:"culture,omitempty" maxLength:"64" enum:"human,elvish,dwarvish,halfling,orcish" doc:"Naming culture; by default the ancestry's"`
	Occupation string `json:"occupation,omitempty" maxLength:"128" example:"blacksmith" doc:"Occupation; by default one is chosen"`
}

// Voice is how to play an NPC at the table.
type Voice struct {
	Pitch  string `json:"pitch"`
	Pace   string `json:"pace"`
	Accent string `json:"accent"`
	Tic    string `json:"tic" doc:"A verbal tic or catchphrase"`
}

// NPCDraft is a generated NPC. Secret is for the GM only: saving puts it
// in gm_notes.
type NPCDraft struct {
	Seed        uint64   `json:"seed" doc:"Send as ?seed= to get this draft again from the same campaign state"`
	Name        string   `json:"name"`
	GivenName   string   `json:"given_name"`
	FamilyName  string   `json:"family_name,omitempty"`
	Culture     string   `json:"culture"`
	Ancestry    string   `json:"ancestry"`
	Occupation  string   `json:"occupation"`
	Appearance  string   `json:"appearance"`
	Personality []string `json:"personality"`
	Ideal       string   `json:"ideal"`
	Bond        string   `json:"bond"`
	Flaw        string   `json:"flaw"`
	Motivation  string   `json:"motivation"`
	Secret      string   `json:"secret" doc:"GM only: saved in gm_notes"`
	Voice       Voice    `json:"voice"`
	VoiceNotes  string   `json:"voice_notes" doc:"The voice as one text, for the character's voice_notes"`
	// Attitude is towards the party at first (friendly, indifferent,
	// hostile), when the generator chose one.
	Attitude string `json:"attitude,omitempty"`
	// References are the campaign entities the bond or secret names.
	References []Ref `json:"references"`
	Origin
}

// Notes is the part of an NPC the table may come to know, as a
// character's notes document.
func (d *NPCDraft) Notes() json.RawMessage {
	m := map[string]any{"ancestry": d.Ancestry, "culture": d.Culture, "occupation": d.Occupation, "appearance": d.Appearance,
		"personality": d.Personality, "ideal": d.Ideal, "bond": d.Bond, "flaw": d.Flaw, "motivation": d.Motivation}
	if d.Attitude != "" {
		m["attitude"] = d.Attitude
	}
	return mustJSON(m)
}

// GMNotes is the GM-only part of an NPC, as a character's gm_notes.
func (d *NPCDraft) GMNotes() json.RawMessage {
	return mustJSON(map[string]any{"secret": d.Secret, "generated_seed": d.Seed})
}

// LocationRequest asks for a location of a type, optionally below a
// parent (which the service has checked is in the campaign).
type LocationRequest struct {
	Seed   uint64
	Type   string
	Parent *gmc.Location
	Hints  LocationHints
}

// LocationHints steer a location draft.
type LocationHints struct {
	Culture string `json:"culture,omitempty" maxLength:"64" enum:"human,elvish,dwarvish,halfling,orcish" doc:"Naming culture of its inhabitants; by default mostly human"`
	Mood    string `json:"mood,omitempty" maxLength:"64" enum:"welcoming,neutral,sinister" doc:"The feel of the place; by default chosen"`
}

// Inhabitant is someone (or something) found at a location.
type Inhabitant struct {
	Name     string `json:"name"`
	Role     string `json:"role"`
	Ancestry string `json:"ancestry,omitempty"`
	Trait    string `json:"trait"`
	// NPC is true for a named person the GM may save as an NPC; false for
	// creatures and crowds.
	NPC bool `json:"npc"`
}

// LocationDraft is a generated location.
type LocationDraft struct {
	Seed         uint64       `json:"seed" doc:"Send as ?seed= to get this draft again from the same campaign state"`
	Name         string       `json:"name"`
	LocationType string       `json:"location_type"`
	ParentID     *string      `json:"parent_id"`
	Mood         string       `json:"mood"`
	Description  string       `json:"description"`
	Features     []string     `json:"features"`
	Inhabitants  []Inhabitant `json:"inhabitants"`
	Hooks        []string     `json:"hooks"`
	References   []Ref        `json:"references"`
	Origin
}

// Metadata is what a saved location keeps of its draft besides its name
// and description.
func (d *LocationDraft) Metadata() json.RawMessage {
	return mustJSON(map[string]any{"mood": d.Mood, "features": d.Features, "inhabitants": d.Inhabitants, "hooks": d.Hooks, "generated_seed": d.Seed})
}

// Difficulty is an encounter's difficulty in the 5e rules.
type Difficulty string

// Difficulties, easiest first.
const (
	Easy   Difficulty = "easy"
	Medium Difficulty = "medium"
	Hard   Difficulty = "hard"
	Deadly Difficulty = "deadly"
)

// EncounterRequest asks for a combat encounter for a party.
type EncounterRequest struct {
	Seed       uint64
	PartyLevel int
	PartySize  int
	Difficulty Difficulty
	// Location, when set, themes the monsters.
	Location *gmc.Location
}

// EncounterMonster is one kind of monster in an encounter.
type EncounterMonster struct {
	Monster
	Count int `json:"count"`
	// TotalXP is XP × Count.
	TotalXP int `json:"total_xp"`
}

// Thresholds are a party's XP thresholds: the sum of its characters'.
type Thresholds struct {
	Easy   int `json:"easy"`
	Medium int `json:"medium"`
	Hard   int `json:"hard"`
	Deadly int `json:"deadly"`
}

// EncounterDraft is a generated encounter.
type EncounterDraft struct {
	Seed       uint64             `json:"seed" doc:"Send as ?seed= to get this draft again"`
	PartyLevel int                `json:"party_level"`
	PartySize  int                `json:"party_size"`
	Difficulty Difficulty         `json:"difficulty" doc:"The difficulty asked for"`
	Reached    Difficulty         `json:"difficulty_reached" doc:"The difficulty the adjusted XP falls in"`
	Monsters   []EncounterMonster `json:"monsters"`
	// XP is the monsters' XP, what the party earns.
	XP         int        `json:"xp"`
	Multiplier float64    `json:"multiplier" doc:"For the number of monsters, adjusted for the party's size"`
	AdjustedXP int        `json:"adjusted_xp" doc:"XP × multiplier: what the difficulty is judged by"`
	Thresholds Thresholds `json:"thresholds"`
	// Band is the adjusted XP range the difficulty asked for covers:
	// [Band[0], Band[1]).
	Band  [2]int `json:"band"`
	Theme string `json:"theme,omitempty" doc:"The monster theme taken from the location, when one was given"`
	// Themed is true when the monsters all fit the location's theme; false
	// without a theme, or when no themed set fitted and the whole
	// bestiary was used (Notes says so).
	Themed   bool `json:"themed"`
	Location *Ref `json:"location,omitempty"`
	// Flavour is the telling of the encounter, when the generator writes
	// one; the rules chose the monsters either way.
	Flavour *EncounterFlavour `json:"flavour,omitempty"`
	Notes   []string          `json:"notes"`
	// Generator and Model say what made the draft, as in Origin.
	Generator string `json:"generator" enum:"builtin,llm" doc:"What made the draft: the built-in procedural generator or a language model"`
	Model     string `json:"model,omitempty" doc:"The language model, when one wrote part of the draft"`
}

// EncounterFlavour is how an encounter plays at the table.
type EncounterFlavour struct {
	Title     string   `json:"title"`
	ReadAloud string   `json:"read_aloud" doc:"What the GM reads aloud as it starts"`
	Terrain   []string `json:"terrain" doc:"Features of the ground the fight can use"`
	Tactics   string   `json:"tactics" doc:"How the monsters fight and when they flee"`
	Twist     string   `json:"twist,omitempty"`
}

// PlotHookRequest asks for plot hooks.
type PlotHookRequest struct {
	Seed  uint64
	Count int
}

// PlotHook is one suggestion, with the entities it is built from.
type PlotHook struct {
	// Kind says what in the campaign's state it comes from; "new" is a
	// language model's hook that grows from nothing recorded.
	Kind  string `json:"kind" enum:"unresolved_thread,npc_motivation,foreshadowing,strained_relationship,new"`
	Title string `json:"title"`
	Text  string `json:"text"`
	// Sources are the entities the hook is built from; never empty from
	// the built-in generator, and empty only for a language model's hook
	// of kind new.
	Sources []Ref `json:"sources"`
	// CharacterIDs and LocationIDs are the characters and locations
	// involved, for a plot thread saved from the hook.
	CharacterIDs []string `json:"character_ids"`
	LocationIDs  []string `json:"location_ids"`
}

// PlotHookDraft is a list of suggestions, most pressing first.
type PlotHookDraft struct {
	Seed  uint64     `json:"seed" doc:"Send as ?seed= to get these hooks again from the same campaign state"`
	Hooks []PlotHook `json:"hooks"`
	Origin
}

// Generator names.
const (
	GeneratorBuiltin = "builtin"
	GeneratorLLM     = "llm"
)

// Origin says what made a draft, and anything the GM should know about
// how it was made.
type Origin struct {
	Generator string `json:"generator" enum:"builtin,llm" doc:"What made the draft: the built-in procedural generator or a language model"`
	Model     string `json:"model,omitempty" doc:"The language model, when one made the draft"`
	// Notes are remarks on the making: a seed a server may not honour, a
	// name drawn again because the campaign had it.
	Notes []string `json:"notes,omitempty"`
}

// Errors of encounters.
var (
	// ErrOutOfReach: no set of the bestiary's monsters fits the party and
	// difficulty, typically a party too strong for it. The error's text
	// says what was needed and what the bestiary can give.
	ErrOutOfReach = errors.New("no monster set reaches the difficulty")
	// ErrNoBestiary: there are no monsters to build from.
	ErrNoBestiary = errors.New("the SRD bestiary has not been imported (gmc reference import)")
)

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps of strings and numbers reach here
	}
	return b
}

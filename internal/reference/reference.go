// Package reference reads the D&D 5e System Reference Document 5.1 in the
// JSON format of the 5e-database project (5e-bits/5e-database) into
// reference entries: one per spell, monster, condition, magic item, piece
// of equipment and every other record the data folder holds.
//
// The project ships no copy of the data: a user downloads it and points
// Load at the folder. Each entry keeps its original JSON object, a few
// project-written aliases for names players use that the SRD drops, and a
// Card with the facts a game master needs at a glance. Wherever SRD text is
// shown, Attribution must be shown with it.
package reference

import "encoding/json"

// Attribution is the statement the CC-BY-4.0 licence of the SRD 5.1
// requires wherever its text is shown. Wizards of the Coast ask that it be
// used exactly as written and that no other attribution to them be added.
const Attribution = `This work includes material taken from the System Reference Document 5.1 ("SRD 5.1") by Wizards of the Coast LLC and available at https://dnd.wizards.com/resources/systems-reference-document. The SRD 5.1 is licensed under the Creative Commons Attribution 4.0 International License available at https://creativecommons.org/licenses/by/4.0/legalcode.`

// DataNotice says how the data differs from the SRD as published, which
// CC-BY-4.0 asks us to indicate, and credits the MIT-licensed compilation
// it comes from.
const DataNotice = `Reference data: a restructured JSON conversion of the SRD 5.1 made by the 5e-bits/5e-database project (MIT License, Copyright (c) 2018-2020 Adrian Padua, Christopher Ward), with cards and aliases added by GameMaster's Companion.`

// Kinds of entries that have cards of their own. Every other file of the
// data folder gets a kind derived from its file name (see kindFromFile).
const (
	KindSpell     = "spell"
	KindMonster   = "monster"
	KindCondition = "condition"
	KindMagicItem = "magic_item"
	KindEquipment = "equipment"
)

// Entry is one SRD record.
type Entry struct {
	// Kind is the record's type: spell, monster, condition, magic_item,
	// equipment, or the singular of another file's name (feature, skill …).
	Kind string `json:"kind"`
	// Slug is the record's 5e-database index, unique within its kind.
	Slug string `json:"slug"`
	// Name is the record's name as the SRD writes it.
	Name string `json:"name"`
	// Aliases are other names players use for it, written by the project.
	Aliases []string `json:"aliases,omitempty"`
	// Variant is true for the records 5e-database derives from a parent
	// (e.g. "Potion of Healing" the common variant of "Potion of Healing").
	Variant bool `json:"variant,omitempty"`
	// Card holds what a game master needs at a glance.
	Card Card `json:"card"`
	// Data is the original JSON object, unchanged.
	Data json.RawMessage `json:"data"`
}

// Card is the at-a-glance view of an entry. Exactly one of Spell, Monster
// and Item is set for those kinds; Effects is set for conditions.
type Card struct {
	// Summary is one line: "Level 3 evocation · 1 action · 150 feet …".
	Summary string `json:"summary"`
	// Text is the first sentence of the description, when there is one.
	Text string `json:"text,omitempty"`
	// Spell holds a spell's facts.
	Spell *SpellFacts `json:"spell,omitempty"`
	// Monster holds a monster's stat-block essentials.
	Monster *MonsterFacts `json:"monster,omitempty"`
	// Item holds a magic item's or a piece of equipment's facts.
	Item *ItemFacts `json:"item,omitempty"`
	// Effects lists a condition's rules, one per line.
	Effects []string `json:"effects,omitempty"`
	// Attribution is the licence statement to show with the card.
	Attribution string `json:"attribution"`
}

// SpellFacts are the lines of a spell's header.
type SpellFacts struct {
	Level         int      `json:"level"`
	School        string   `json:"school"`
	CastingTime   string   `json:"casting_time"`
	Range         string   `json:"range"`
	Components    []string `json:"components"`
	Material      string   `json:"material,omitempty"`
	Duration      string   `json:"duration"`
	Concentration bool     `json:"concentration"`
	Ritual        bool     `json:"ritual"`
}

// MonsterFacts are the parts of a stat block a game master looks up
// mid-fight.
type MonsterFacts struct {
	Size      string `json:"size"`
	Type      string `json:"type"`
	Alignment string `json:"alignment,omitempty"`
	// AC is the first armour class listed; ACNote says where it comes from.
	AC      int      `json:"ac"`
	ACNote  string   `json:"ac_note,omitempty"`
	HP      int      `json:"hp"`
	HitDice string   `json:"hit_dice,omitempty"`
	Speed   string   `json:"speed"`
	CR      string   `json:"cr"`
	XP      int      `json:"xp"`
	Attacks []Attack `json:"attacks,omitempty"`
}

// Attack is one action of a monster that has an attack roll or a damage
// roll.
type Attack struct {
	Name string `json:"name"`
	// Bonus is the attack roll modifier; nil when the action has none
	// (a breath weapon with a saving throw instead).
	Bonus *int `json:"bonus,omitempty"`
	// Damage reads like "2d10+8 piercing + 2d6 fire".
	Damage string `json:"damage,omitempty"`
	// Save reads like "DC 21 DEX" for actions that call for a saving throw.
	Save string `json:"save,omitempty"`
}

// ItemFacts describe a magic item or a piece of equipment.
type ItemFacts struct {
	Category   string   `json:"category"`
	Rarity     string   `json:"rarity,omitempty"`
	Attunement bool     `json:"attunement,omitempty"`
	Cost       string   `json:"cost,omitempty"`
	Damage     string   `json:"damage,omitempty"`
	ArmorClass string   `json:"armor_class,omitempty"`
	Properties []string `json:"properties,omitempty"`
}

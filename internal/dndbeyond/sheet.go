package dndbeyond

import (
	"strings"
)

// Sheet is what D&D Beyond's sheet shows and its documents do not store.
// Its JSON form is stored as a character's stats.sheet and is part of the
// API: fields are added, never renamed.
type Sheet struct {
	TotalLevel        int                `json:"total_level"`
	Classes           []ClassLevel       `json:"classes"`
	Abilities         map[string]Ability `json:"abilities"`
	ProficiencyBonus  int                `json:"proficiency_bonus"`
	MaxHP             int                `json:"max_hp"`
	ArmorClass        int                `json:"armor_class"`
	PassivePerception int                `json:"passive_perception"`
	Speeds            Speeds             `json:"speeds"`
	SavingThrows      map[string]Check   `json:"saving_throws"`
	Skills            map[string]Check   `json:"skills"`
	Spells            []Spell            `json:"spells"`
	Inventory         []Item             `json:"inventory"`
	Currency          Currency           `json:"currency"`
}

// ClassLevel is one class of a (multiclass) character. Subclass is nil
// until the character has chosen one.
type ClassLevel struct {
	Name     string  `json:"name"`
	Subclass *string `json:"subclass"`
	Level    int     `json:"level"`
}

// Ability is a final ability score and its modifier.
type Ability struct {
	Score    int `json:"score"`
	Modifier int `json:"modifier"`
}

// Speeds are in feet; 0 means the character has no such speed.
type Speeds struct {
	Walk  int `json:"walk"`
	Fly   int `json:"fly"`
	Swim  int `json:"swim"`
	Climb int `json:"climb"`
}

// Proficiency levels of a Check.
const (
	ProfNone      = "none"
	ProfHalf      = "half"
	ProfFull      = "proficient"
	ProfExpertise = "expertise"
)

// Check is a saving throw or skill: the ability it uses, its total
// modifier and the character's proficiency in it.
type Check struct {
	Ability     string `json:"ability"`
	Modifier    int    `json:"modifier"`
	Proficiency string `json:"proficiency"`
}

// Spell is a spell the character knows or has prepared. Source is where
// it comes from (class, race, background, item, feat); Class names the
// class of a class spell.
type Spell struct {
	Name           string `json:"name"`
	Level          int    `json:"level"`
	Source         string `json:"source"`
	Class          string `json:"class,omitempty"`
	Prepared       bool   `json:"prepared"`
	AlwaysPrepared bool   `json:"always_prepared"`
}

// Item is one inventory entry. Type is D&D Beyond's filter type (Armor,
// Weapon, Wondrous item, …), "Custom" for items written in by hand.
type Item struct {
	Name               string `json:"name"`
	Type               string `json:"type"`
	Quantity           int    `json:"quantity"`
	Equipped           bool   `json:"equipped"`
	Attuned            bool   `json:"attuned"`
	RequiresAttunement bool   `json:"requires_attunement"`
	Magic              bool   `json:"magic"`
}

// Currency is the character's purse.
type Currency struct {
	CP int `json:"cp"`
	SP int `json:"sp"`
	EP int `json:"ep"`
	GP int `json:"gp"`
	PP int `json:"pp"`
}

// abilities are indexed by D&D Beyond's ability id minus one.
var abilities = [6]struct{ key, long string }{
	{"str", "strength"}, {"dex", "dexterity"}, {"con", "constitution"},
	{"int", "intelligence"}, {"wis", "wisdom"}, {"cha", "charisma"},
}

// skills are D&D Beyond's skills: modifier slug, id (characterValues
// valueId) and ability index.
var skills = []struct {
	slug    string
	id      int64
	ability int
}{
	{"athletics", 2, 0}, {"acrobatics", 3, 1}, {"sleight-of-hand", 4, 1}, {"stealth", 5, 1},
	{"arcana", 6, 3}, {"history", 7, 3}, {"investigation", 8, 3}, {"nature", 9, 3}, {"religion", 10, 3},
	{"animal-handling", 11, 4}, {"insight", 12, 4}, {"medicine", 13, 4}, {"perception", 14, 4}, {"survival", 15, 4},
	{"deception", 16, 5}, {"intimidation", 17, 5}, {"performance", 18, 5}, {"persuasion", 19, 5},
}

// characterValues type ids read here (see the fixtures' field guide).
const (
	valueACOverride    = 1
	valueACMagic       = 2
	valueACMisc        = 3
	valueACBase        = 4
	valueSkillOverride = 26
)

// Armour type ids of item definitions.
const (
	armorLight  = 1
	armorMedium = 2
	armorHeavy  = 3
	armorShield = 4
)

// calc holds what the parts of the sheet share.
type calc struct {
	c      *Character
	mods   []modifier
	scores [6]int
	level  int
	prof   int
	armour *itemDef // worn body armour, nil when unarmoured
	shield *itemDef
	// monkFeatures are the ids of Monk class features, whose unarmoured
	// defence and movement end with a shield.
	monkFeatures map[int64]bool
}

// Compute works out the sheet of a parsed character.
func Compute(c *Character) *Sheet {
	k := &calc{c: c, monkFeatures: map[int64]bool{}}
	k.mods = activeModifiers(c, k.monkFeatures)
	s := &Sheet{Classes: k.classes(), Abilities: map[string]Ability{}}
	s.TotalLevel = k.level
	k.prof = (max(k.level, 1)-1)/4 + 2
	s.ProficiencyBonus = k.prof
	for i := range abilities {
		k.scores[i] = k.score(i)
		s.Abilities[abilities[i].key] = Ability{Score: k.scores[i], Modifier: k.mod(i)}
	}
	k.wornArmour()
	s.MaxHP = k.maxHP()
	s.ArmorClass = k.armourClass()
	s.Speeds = k.speeds()
	s.SavingThrows = k.savingThrows()
	s.Skills = k.skills()
	s.PassivePerception = 10 + s.Skills["perception"].Modifier + k.sum("bonus", "passive-perception")
	s.Spells = spells(c)
	s.Inventory = inventory(c)
	s.Currency = Currency{CP: c.Currencies.CP.int(), SP: c.Currencies.SP.int(), EP: c.Currencies.EP.int(), GP: c.Currencies.GP.int(), PP: c.Currencies.PP.int()}
	return s
}

func (k *calc) classes() []ClassLevel {
	out := make([]ClassLevel, 0, len(k.c.Classes))
	for _, cl := range k.c.Classes {
		lvl := max(cl.Level.int(), 0)
		k.level = min(k.level+lvl, 1<<20)
		cv := ClassLevel{Level: lvl}
		if cl.Definition != nil {
			cv.Name = cl.Definition.Name
		}
		if cl.SubclassDefinition != nil && cl.SubclassDefinition.Name != "" {
			name := cl.SubclassDefinition.Name
			cv.Subclass = &name
		}
		// The starting class comes first, as the sheet's header lists it.
		if cl.IsStartingClass {
			out = append([]ClassLevel{cv}, out...)
		} else {
			out = append(out, cv)
		}
	}
	return out
}

// activeModifiers returns the modifiers that apply, from race, class,
// background, item, feat and condition, in that order. Of class modifiers
// it drops those of features above the class's level, and those a
// non-starting class does not give to a multiclass character (its saving
// throws). Of item modifiers it keeps those of equipped items, attuned
// where the item needs attunement: D&D Beyond lists an equipped item's
// modifiers even when it is not attuned.
func activeModifiers(c *Character, monk map[int64]bool) []modifier {
	type owner struct {
		class int
		level int
	}
	features := map[int64]owner{}
	for i, cl := range c.Classes {
		isMonk := cl.Definition != nil && strings.EqualFold(cl.Definition.Name, "Monk")
		for _, f := range cl.ClassFeatures {
			features[f.Definition.ID.V] = owner{class: i, level: f.Definition.RequiredLevel.int()}
			if isMonk {
				monk[f.Definition.ID.V] = true
			}
		}
	}
	activeItems := map[int64]bool{}
	for _, it := range c.Inventory {
		if it.Definition != nil && it.Equipped && (!it.Definition.CanAttune || it.IsAttuned) {
			activeItems[it.Definition.ID.V] = true
		}
	}
	var out []modifier
	for _, source := range []string{"race", "class", "background", "item", "feat", "condition"} {
		for _, m := range c.Modifiers[source] {
			switch source {
			case "class":
				if f, ok := features[m.ComponentID.V]; ok {
					cl := c.Classes[f.class]
					if f.level > cl.Level.int() || (!cl.IsStartingClass && m.AvailableToMulticlass != nil && !*m.AvailableToMulticlass) {
						continue
					}
				}
			case "item":
				if !activeItems[m.ComponentID.V] {
					continue
				}
			}
			out = append(out, m)
		}
	}
	return out
}

// sum adds the values of the active modifiers of a type and sub-type; one
// with a statId and no value adds that ability's modifier (Thaumaturge:
// WIS to Arcana).
func (k *calc) sum(typ, subType string) int {
	total := 0
	for _, m := range k.mods {
		if m.Type != typ || m.SubType != subType {
			continue
		}
		switch {
		case m.Value.OK:
			total += m.Value.int()
		case m.StatID.OK && m.StatID.V >= 1 && m.StatID.V <= 6:
			total += k.mod(int(m.StatID.V - 1))
		}
		total = min(max(total, -1<<20), 1<<20)
	}
	return total
}

// has reports an active modifier of a type and sub-type.
func (k *calc) has(typ, subType string) bool {
	for _, m := range k.mods {
		if m.Type == typ && m.SubType == subType {
			return true
		}
	}
	return false
}

// setValue is the highest value of the active "set" modifiers of a
// sub-type, or def when there is none higher.
func (k *calc) setValue(subType string, def int) int {
	for _, m := range k.mods {
		if m.Type == "set" && m.SubType == subType && m.Value.OK {
			def = max(def, m.Value.int())
		}
	}
	return def
}

// score: base + bonuses (capped at 20, or higher with a raised maximum)
// + the sheet's "other modifier", raised to any "set" value, unless the
// sheet overrides it.
func (k *calc) score(i int) int {
	id := int64(i + 1)
	if v, ok := statValue(k.c.OverrideStats, id); ok {
		return v
	}
	base, ok := statValue(k.c.Stats, id)
	if !ok {
		base = 10
	}
	long := abilities[i].long
	limit := max(20+k.sum("bonus", long+"-maximum"), base)
	score := min(base+k.sum("bonus", long+"-score"), limit)
	if v, ok := statValue(k.c.BonusStats, id); ok {
		score += v
	}
	return k.setValue(long+"-score", score)
}

func statValue(stats []stat, id int64) (int, bool) {
	for _, s := range stats {
		if s.ID.V == id && s.Value.OK {
			return s.Value.int(), true
		}
	}
	return 0, false
}

// mod is an ability's modifier, rounded down.
func (k *calc) mod(i int) int {
	d := k.scores[i] - 10
	if d < 0 {
		return -((-d + 1) / 2)
	}
	return d / 2
}

// maxHP is the override, or the hit-die total plus CON and per-level
// bonuses for every level plus the sheet's "max HP modifier".
func (k *calc) maxHP() int {
	if v := k.c.OverrideHitPoints; v.OK && v.V > 0 {
		return v.int()
	}
	perLevel := k.mod(2) + k.sum("bonus", "hit-points-per-level")
	return k.c.BaseHitPoints.int() + perLevel*k.level + k.c.BonusHitPoints.int()
}

// wornArmour finds the equipped body armour (the best, should several be
// marked) and shield.
func (k *calc) wornArmour() {
	for _, it := range k.c.Inventory {
		d := it.Definition
		if d == nil || !it.Equipped || !d.ArmorTypeID.OK {
			continue
		}
		switch t := d.ArmorTypeID.V; {
		case t == armorShield:
			if k.shield == nil || d.ArmorClass.V > k.shield.ArmorClass.V {
				k.shield = d
			}
		case t >= armorLight && t <= armorHeavy:
			if k.armour == nil || k.armouredBase(d) > k.armouredBase(k.armour) {
				k.armour = d
			}
		}
	}
}

func (k *calc) armouredBase(d *itemDef) int {
	dex := k.mod(1)
	switch d.ArmorTypeID.V {
	case armorMedium:
		dex = min(dex, k.setValue("ac-max-dex-armored-modifier", 2))
	case armorHeavy:
		dex = 0
	}
	return d.ArmorClass.int() + dex
}

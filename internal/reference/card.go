package reference

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// summarySep separates the facts of a card's one-line summary.
const summarySep = " · "

func buildCard(kind string, h header, raw json.RawMessage) (Card, error) {
	switch kind {
	case KindSpell:
		return spellCard(h, raw)
	case KindMonster:
		return monsterCard(h, raw)
	case KindCondition:
		return conditionCard(h), nil
	case KindMagicItem:
		return magicItemCard(h, raw)
	case KindEquipment:
		return equipmentCard(h, raw)
	}
	text := firstSentence(h.Desc)
	summary := text
	if summary == "" {
		summary = h.Name
		if summary == "" {
			summary = derivedName(h)
		}
	}
	return Card{Summary: summary, Text: text}, nil
}

type spellRecord struct {
	Level         int      `json:"level"`
	School        apiRef   `json:"school"`
	CastingTime   string   `json:"casting_time"`
	Range         string   `json:"range"`
	Components    []string `json:"components"`
	Material      string   `json:"material"`
	Duration      string   `json:"duration"`
	Concentration bool     `json:"concentration"`
	Ritual        bool     `json:"ritual"`
}

func spellCard(h header, raw json.RawMessage) (Card, error) {
	var r spellRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		return Card{}, err
	}
	f := &SpellFacts{
		Level: r.Level, School: r.School.Name, CastingTime: r.CastingTime, Range: r.Range,
		Components: r.Components, Material: r.Material, Duration: r.Duration,
		Concentration: r.Concentration, Ritual: r.Ritual,
	}
	school := strings.ToLower(r.School.Name)
	head := fmt.Sprintf("Level %d %s", r.Level, school)
	if r.Level == 0 {
		head = capitalize(school) + " cantrip"
	}
	if r.Ritual {
		head += " (ritual)"
	}
	duration := r.Duration
	if r.Concentration {
		// 5e-database writes "Up to 1 minute" and a flag; the book's
		// "Concentration, up to 1 minute" is what players recognise.
		duration = "Concentration, " + lowerFirst(duration)
	}
	parts := []string{head, r.CastingTime, r.Range, strings.Join(r.Components, ", "), duration}
	return Card{Summary: joinNonEmpty(parts), Text: firstSentence(h.Desc), Spell: f}, nil
}

type monsterRecord struct {
	Size       string `json:"size"`
	Type       string `json:"type"`
	Subtype    string `json:"subtype"`
	Alignment  string `json:"alignment"`
	ArmorClass []struct {
		Type  string `json:"type"`
		Value int    `json:"value"`
	} `json:"armor_class"`
	HitPoints int             `json:"hit_points"`
	HitDice   string          `json:"hit_points_roll"`
	Speed     map[string]any  `json:"speed"`
	CR        float64         `json:"challenge_rating"`
	XP        int             `json:"xp"`
	Actions   []monsterAction `json:"actions"`
}

type monsterAction struct {
	Name        string `json:"name"`
	AttackBonus *int   `json:"attack_bonus"`
	Damage      []struct {
		DamageType apiRef `json:"damage_type"`
		DamageDice string `json:"damage_dice"`
	} `json:"damage"`
	DC *struct {
		Type  apiRef `json:"dc_type"`
		Value int    `json:"dc_value"`
	} `json:"dc"`
}

func monsterCard(h header, raw json.RawMessage) (Card, error) {
	var r monsterRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		return Card{}, err
	}
	f := &MonsterFacts{
		Size: r.Size, Type: r.Type, Alignment: r.Alignment, HP: r.HitPoints, HitDice: r.HitDice,
		Speed: formatSpeed(r.Speed), CR: formatCR(r.CR), XP: r.XP,
	}
	if r.Subtype != "" {
		f.Type += " (" + r.Subtype + ")"
	}
	if len(r.ArmorClass) > 0 {
		f.AC = r.ArmorClass[0].Value
		f.ACNote = r.ArmorClass[0].Type
	}
	for _, a := range r.Actions {
		if at, ok := attackOf(a); ok {
			f.Attacks = append(f.Attacks, at)
		}
	}
	what := strings.TrimSpace(r.Size + " " + f.Type)
	if r.Alignment != "" {
		what += ", " + r.Alignment
	}
	hp := "HP " + strconv.Itoa(r.HitPoints)
	if r.HitDice != "" {
		hp += " (" + r.HitDice + ")"
	}
	parts := []string{what, "AC " + strconv.Itoa(f.AC), hp, "Speed " + f.Speed,
		fmt.Sprintf("CR %s (%d XP)", f.CR, r.XP)}
	return Card{Summary: joinNonEmpty(parts), Text: firstSentence(h.Desc), Monster: f}, nil
}

// attackOf keeps the actions a game master rolls for: those with an
// attack bonus, a damage roll or a saving throw. Multiattack and the like
// are descriptions only.
func attackOf(a monsterAction) (Attack, bool) {
	at := Attack{Name: a.Name, Bonus: a.AttackBonus}
	var dmg []string
	for _, d := range a.Damage {
		// Damage with a choice of options has no dice of its own.
		if d.DamageDice == "" {
			continue
		}
		dmg = append(dmg, strings.TrimSpace(d.DamageDice+" "+strings.ToLower(d.DamageType.Name)))
	}
	at.Damage = strings.Join(dmg, " + ")
	if a.DC != nil && a.DC.Value > 0 {
		at.Save = fmt.Sprintf("DC %d %s", a.DC.Value, a.DC.Type.Name)
	}
	return at, at.Bonus != nil || at.Damage != "" || at.Save != ""
}

// formatSpeed writes walking speed first, as stat blocks do.
func formatSpeed(speed map[string]any) string {
	var parts []string
	hover, _ := speed["hover"].(bool)
	for _, mode := range []string{"walk", "burrow", "climb", "fly", "swim"} {
		v, ok := speed[mode].(string)
		if !ok {
			continue
		}
		s := v
		if mode != "walk" {
			s = mode + " " + v
		}
		if mode == "fly" && hover {
			s += " (hover)"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// formatCR writes fractional challenge ratings the way the books do.
func formatCR(cr float64) string {
	switch cr {
	case 0.125:
		return "1/8"
	case 0.25:
		return "1/4"
	case 0.5:
		return "1/2"
	}
	return strconv.FormatFloat(cr, 'f', -1, 64)
}

func conditionCard(h header) Card {
	var effects []string
	for _, line := range h.Desc {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "- "))
		if line != "" {
			effects = append(effects, cleanMarkdown(line))
		}
	}
	c := Card{Effects: effects}
	if len(effects) > 0 {
		c.Summary = effects[0]
	}
	return c
}

type itemRecord struct {
	Category       apiRef                `json:"equipment_category"`
	Rarity         struct{ Name string } `json:"rarity"`
	WeaponCategory string                `json:"category_range"`
	ArmorCategory  string                `json:"armor_category"`
	GearCategory   *apiRef               `json:"gear_category"`
	Cost           *struct {
		Quantity int    `json:"quantity"`
		Unit     string `json:"unit"`
	} `json:"cost"`
	Damage *struct {
		DamageDice string `json:"damage_dice"`
		DamageType apiRef `json:"damage_type"`
	} `json:"damage"`
	ArmorClass *struct {
		Base     int  `json:"base"`
		DexBonus bool `json:"dex_bonus"`
		MaxBonus *int `json:"max_bonus"`
	} `json:"armor_class"`
	Properties []apiRef `json:"properties"`
}

func magicItemCard(h header, raw json.RawMessage) (Card, error) {
	var r itemRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		return Card{}, err
	}
	f := &ItemFacts{Category: r.Category.Name, Rarity: r.Rarity.Name}
	// The first paragraph of a magic item is its type line ("Wondrous
	// item, uncommon (requires attunement)"); the description follows.
	summary, body := "", h.Desc
	if len(h.Desc) > 0 {
		summary, body = cleanMarkdown(h.Desc[0]), h.Desc[1:]
		f.Attunement = strings.Contains(strings.ToLower(summary), "requires attunement")
	}
	if summary == "" {
		summary = joinNonEmpty([]string{r.Category.Name, r.Rarity.Name})
	}
	return Card{Summary: summary, Text: firstSentence(body), Item: f}, nil
}

func equipmentCard(h header, raw json.RawMessage) (Card, error) {
	var r itemRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		return Card{}, err
	}
	f := &ItemFacts{Category: r.Category.Name}
	what := r.Category.Name
	switch {
	case r.WeaponCategory != "":
		what = r.WeaponCategory + " weapon"
	case r.ArmorCategory != "":
		what = r.ArmorCategory + " armor"
		if r.ArmorCategory == "Shield" {
			what = "Shield"
		}
	case r.GearCategory != nil && r.GearCategory.Name != "":
		what = r.GearCategory.Name
	}
	if r.Cost != nil {
		f.Cost = fmt.Sprintf("%d %s", r.Cost.Quantity, r.Cost.Unit)
	}
	if r.Damage != nil && r.Damage.DamageDice != "" {
		f.Damage = strings.TrimSpace(r.Damage.DamageDice + " " + strings.ToLower(r.Damage.DamageType.Name))
	}
	if ac := r.ArmorClass; ac != nil {
		f.ArmorClass = strconv.Itoa(ac.Base)
		switch {
		case r.ArmorCategory == "Shield":
			f.ArmorClass = "+" + f.ArmorClass
		case ac.DexBonus && ac.MaxBonus != nil:
			f.ArmorClass += fmt.Sprintf(" + Dex modifier (max %d)", *ac.MaxBonus)
		case ac.DexBonus:
			f.ArmorClass += " + Dex modifier"
		}
	}
	for _, p := range r.Properties {
		f.Properties = append(f.Properties, p.Name)
	}
	parts := []string{what, f.Cost, f.Damage}
	if f.ArmorClass != "" {
		parts = append(parts, "AC "+f.ArmorClass)
	}
	parts = append(parts, strings.Join(f.Properties, ", "))
	return Card{Summary: joinNonEmpty(parts), Text: firstSentence(h.Desc), Item: f}, nil
}

func joinNonEmpty(parts []string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, summarySep)
}

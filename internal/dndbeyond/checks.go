package dndbeyond

import "strings"

// savingThrows: ability modifier, plus the proficiency bonus when
// proficient, plus bonuses to all saves (Ring of Protection) and to that
// save.
func (k *calc) savingThrows() map[string]Check {
	out := make(map[string]Check, len(abilities))
	all := k.sum("bonus", "saving-throws")
	for i, a := range abilities {
		slug := a.long + "-saving-throws"
		c := Check{Ability: a.key, Modifier: k.mod(i) + all + k.sum("bonus", slug), Proficiency: ProfNone}
		if k.has("proficiency", slug) {
			c.Proficiency = ProfFull
		}
		if k.has("expertise", slug) {
			c.Proficiency = ProfExpertise
		}
		c.Modifier += k.profBonus(c.Proficiency)
		out[a.key] = c
	}
	return out
}

// skills: ability modifier, plus the proficiency bonus by proficiency
// (half rounded down, double for expertise), plus bonuses to the skill,
// to its ability's checks and to all checks. Half proficiency in all
// ability checks (Jack of All Trades) or one ability's (Remarkable
// Athlete) lifts skills without proficiency; the sheet's per-skill
// proficiency override has the last word.
func (k *calc) skills() map[string]Check {
	out := make(map[string]Check, len(skills))
	halfAll := k.has("half-proficiency", "ability-checks")
	allChecks := k.sum("bonus", "ability-checks")
	for _, s := range skills {
		a := abilities[s.ability]
		level := 0
		if halfAll || k.has("half-proficiency", a.long+"-ability-checks") || k.has("half-proficiency", s.slug) {
			level = 1
		}
		if k.has("proficiency", s.slug) {
			level = 2
		}
		if k.has("expertise", s.slug) {
			level = 3
		}
		if v, ok := k.skillOverride(s.id); ok {
			level = v
		}
		prof := []string{ProfNone, ProfHalf, ProfFull, ProfExpertise}[level]
		mod := k.mod(s.ability) + k.profBonus(prof) + k.sum("bonus", s.slug) + k.sum("bonus", a.long+"-ability-checks") + allChecks
		out[strings.ReplaceAll(s.slug, "-", "_")] = Check{Ability: a.key, Modifier: mod, Proficiency: prof}
	}
	return out
}

// skillOverride reads the sheet's proficiency override of a skill as a
// level 0–3. Values 1 and 2 are read as ddb-importer reads them (none,
// half); avrae reads both as kinds of half proficiency.
func (k *calc) skillOverride(skillID int64) (int, bool) {
	for _, v := range k.c.CharacterValues {
		if v.TypeID.V != valueSkillOverride || !v.ValueID.OK || v.ValueID.V != skillID || !v.Value.OK {
			continue
		}
		switch v.Value.V {
		case 1:
			return 0, true
		case 2:
			return 1, true
		case 3:
			return 2, true
		case 4:
			return 3, true
		}
	}
	return 0, false
}

func (k *calc) profBonus(level string) int {
	switch level {
	case ProfHalf:
		return k.prof / 2
	case ProfFull:
		return k.prof
	case ProfExpertise:
		return 2 * k.prof
	}
	return 0
}

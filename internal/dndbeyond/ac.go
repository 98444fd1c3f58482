package dndbeyond

// armourClass: a sheet override wins; otherwise the best of worn armour
// and every unarmoured defence the character has, plus shield, the
// armour-class bonuses of active items, feats and features, and the
// sheet's magic and misc bonuses.
func (k *calc) armourClass() int {
	if v, ok := k.value(valueACOverride); ok {
		return v
	}
	dex := k.mod(1)
	shieldOK := true
	var base int
	if k.armour != nil {
		base = k.armouredBase(k.armour) + k.sum("bonus", "armored-armor-class")
	} else {
		base = 10 + dex
		if v, ok := k.value(valueACBase); ok {
			base = v + dex
		}
		for _, m := range k.mods {
			if m.Type != "set" || m.SubType != "unarmored-armor-class" {
				continue
			}
			// Barbarian: 10 + DEX + CON; Monk: + WIS, without a shield;
			// Draconic Resilience: 13 + DEX (a value, no ability).
			ac := 10 + dex + m.Value.int()
			if m.StatID.OK && m.StatID.V >= 1 && m.StatID.V <= 6 {
				ac += k.mod(int(m.StatID.V - 1))
			}
			monk := k.monkFeatures[m.ComponentID.V]
			if monk && k.shield != nil {
				continue
			}
			if ac > base {
				base, shieldOK = ac, !monk
			}
		}
		base += k.sum("bonus", "unarmored-armor-class")
	}
	if k.shield != nil && shieldOK {
		base += k.shield.ArmorClass.int()
	}
	base += k.sum("bonus", "armor-class")
	for _, t := range []int64{valueACMagic, valueACMisc} {
		if v, ok := k.value(t); ok {
			base += v
		}
	}
	return base
}

// value returns a characterValues entry of a type without a context.
func (k *calc) value(typeID int64) (int, bool) {
	for _, v := range k.c.CharacterValues {
		if v.TypeID.V == typeID && v.Value.OK {
			return v.Value.int(), true
		}
	}
	return 0, false
}

// speeds: the race's, plus speed bonuses; unarmoured movement only
// without armour or shield; 10 feet less in heavy armour too heavy for
// the character's strength; a "set innate-speed-*" without a value is
// "equal to your walking speed".
func (k *calc) speeds() Speeds {
	normal := map[string]int{}
	if k.c.Race != nil {
		for name, v := range k.c.Race.WeightSpeeds.Normal {
			normal[name] = v.int()
		}
	}
	walk := normal["walk"] + k.sum("bonus", "speed") + k.sum("bonus", "speed-walking")
	if k.armour == nil && k.shield == nil {
		walk += k.sum("bonus", "unarmored-movement")
	}
	if a := k.armour; a != nil && a.ArmorTypeID.V == armorHeavy && k.scores[0] < a.StrengthRequirement.int() {
		walk -= 10
	}
	walk = max(k.setValue("innate-speed-walking", walk), 0)
	other := func(kind, innate string) int {
		v := normal[kind]
		for _, m := range k.mods {
			if m.Type == "set" && m.SubType == "innate-speed-"+innate {
				if m.Value.OK {
					v = max(v, m.Value.int())
				} else {
					v = max(v, walk)
				}
			}
		}
		if v > 0 {
			v += k.sum("bonus", "speed-"+innate)
		}
		return v
	}
	return Speeds{Walk: walk, Fly: other("fly", "flying"), Swim: other("swim", "swimming"), Climb: other("climb", "climbing")}
}

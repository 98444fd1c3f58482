package dndbeyond

// spells lists class spells (per class) and spells from race, class
// features, background, items and feats, once each: a spell listed twice
// for one class and source is one spell, prepared if either entry is.
func spells(c *Character) []Spell {
	classNames := map[int64]string{}
	for _, cl := range c.Classes {
		if cl.Definition != nil {
			classNames[cl.ID.V] = cl.Definition.Name
		}
	}
	out := []Spell{}
	seen := map[Spell]int{}
	add := func(sp spell, source, class string) {
		if sp.Definition == nil || sp.Definition.Name == "" {
			return
		}
		key := Spell{Name: sp.Definition.Name, Source: source, Class: class}
		if i, ok := seen[key]; ok {
			out[i].Prepared = out[i].Prepared || sp.Prepared || sp.AlwaysPrepared
			out[i].AlwaysPrepared = out[i].AlwaysPrepared || sp.AlwaysPrepared
			return
		}
		seen[key] = len(out)
		out = append(out, Spell{Name: key.Name, Level: min(max(sp.Definition.Level.int(), 0), 9), Source: source, Class: class,
			Prepared: sp.Prepared || sp.AlwaysPrepared, AlwaysPrepared: sp.AlwaysPrepared})
	}
	for _, cs := range c.ClassSpells {
		for _, sp := range cs.Spells {
			add(sp, "class", classNames[cs.CharacterClassID.V])
		}
	}
	for _, source := range []string{"race", "class", "background", "item", "feat"} {
		for _, sp := range c.Spells[source] {
			add(sp, source, "")
		}
	}
	return out
}

// inventory lists the items carried, then those written in by hand.
func inventory(c *Character) []Item {
	out := []Item{}
	for _, it := range c.Inventory {
		d := it.Definition
		if d == nil {
			continue
		}
		out = append(out, Item{Name: d.Name, Type: d.FilterType, Quantity: it.Quantity.int(), Equipped: it.Equipped,
			Attuned: it.IsAttuned, RequiresAttunement: d.CanAttune, Magic: d.Magic})
	}
	for _, ci := range c.CustomItems {
		out = append(out, Item{Name: ci.Name, Type: "Custom", Quantity: ci.Quantity.int()})
	}
	return out
}

package search

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/reference"
)

// CharacterDoc is what search indexes of a character: name, aliases and
// tags; its notes and voice notes as text; its GM notes as GM-only text.
func CharacterDoc(c *gmc.Character) Document {
	return Document{
		Scope: c.CampaignID, Type: TypeCharacter, ID: c.ID,
		Name: c.Name, Aliases: c.Aliases, Tags: c.Tags,
		Text:   joinText(jsonText(c.Notes), c.VoiceNotes),
		GMText: jsonText(c.GMNotes),
		GMOnly: c.Visibility != gmc.VisiblePlayers,
	}
}

// LocationDoc is what search indexes of a location, given its ancestors
// root first: its name, its breadcrumb as context, its type and
// description as text. It is GM-only when it or any ancestor is, as the
// location tree decides for players.
func LocationDoc(l *gmc.Location, ancestors []*gmc.Location) Document {
	crumbs := make([]string, 0, len(ancestors))
	for _, a := range ancestors {
		crumbs = append(crumbs, a.Name)
	}
	return Document{
		Scope: l.CampaignID, Type: TypeLocation, ID: l.ID, Name: l.Name,
		Context: strings.Join(crumbs, " › "),
		Text:    joinText(l.LocationType, l.Description),
		GMOnly:  !gmc.VisibleToPlayers(l, ancestors),
	}
}

// LocationDocs returns the documents of the locations whose paths lie in
// [lo, hi) (a subtree, gmc.SubtreeRange), given those locations and all
// their ancestors.
func LocationDocs(locs []*gmc.Location, lo, hi string) []Document {
	byID := make(map[string]*gmc.Location, len(locs))
	for _, l := range locs {
		byID[l.ID] = l
	}
	var out []Document
	for _, l := range locs {
		if l.Path < lo || l.Path >= hi {
			continue
		}
		ids := l.AncestorIDs()
		chain := make([]*gmc.Location, 0, len(ids))
		for _, id := range ids {
			if a := byID[id]; a != nil {
				chain = append(chain, a)
			}
		}
		d := LocationDoc(l, chain)
		// An ancestor not given might hide it: hide it rather than leak.
		d.GMOnly = d.GMOnly || len(chain) != len(ids)
		out = append(out, d)
	}
	return out
}

// PlotDoc is what search indexes of a plot thread: its title, and its
// summary and milestones as text.
func PlotDoc(p *gmc.PlotThread) Document {
	parts := []string{p.Summary}
	for _, m := range p.Milestones {
		parts = append(parts, m.Title)
	}
	return Document{
		Scope: p.CampaignID, Type: TypePlot, ID: p.ID, Name: p.Title,
		Text: joinText(parts...), GMOnly: p.Visibility != gmc.VisiblePlayers,
	}
}

// SessionDoc is what search indexes of a game session: its title, with
// "Session N" as an alias (or the name when untitled), and its notes as
// text. Every member sees sessions.
func SessionDoc(s *gmc.GameSession) Document {
	numbered := "Session " + strconv.Itoa(s.Number)
	d := Document{Scope: s.CampaignID, Type: TypeSession, ID: s.ID, Name: s.Title, Aliases: []string{numbered}, Text: s.Notes}
	if strings.TrimSpace(s.Title) == "" {
		d.Name, d.Aliases = numbered, nil
	}
	return d
}

// maxReferenceProse bounds the SRD prose indexed per entry: enough for
// every spell's and condition's rules, not a long monster's every action.
const maxReferenceProse = 16 << 10

// ReferenceDoc is what search indexes of an SRD entry: name and aliases,
// its card summary as context, its card and rules prose as text.
func ReferenceDoc(e reference.Entry) Document {
	parts := append([]string{e.Card.Text}, e.Card.Effects...)
	parts = append(parts, e.Prose()...)
	return Document{
		Scope: ReferenceScope, Type: e.Kind, ID: e.Slug,
		Name: e.Name, Aliases: e.Aliases, Context: e.Card.Summary,
		Text: cutAt(joinText(parts...), maxReferenceProse),
	}
}

// ReferenceKinds maps the kind filter of reference search to entry kinds:
// "item" is magic items and equipment alike.
func ReferenceKinds(kind string) []string {
	switch kind {
	case "":
		return nil
	case "item":
		return []string{reference.KindMagicItem, reference.KindEquipment}
	}
	return []string{kind}
}

func joinText(parts ...string) string {
	parts = slices.DeleteFunc(slices.Clone(parts), func(s string) bool { return strings.TrimSpace(s) == "" })
	return strings.Join(parts, "\n")
}

// jsonText returns the string values of a JSON document (a character's
// notes), in key order, one per line: the prose a reader would search,
// without the keys that structure it.
func jsonText(doc json.RawMessage) string {
	if len(doc) == 0 {
		return ""
	}
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return ""
	}
	var out []string
	collectStrings(v, &out)
	return joinText(out...)
}

func collectStrings(v any, out *[]string) {
	switch x := v.(type) {
	case string:
		*out = append(*out, x)
	case []any:
		for _, y := range x {
			collectStrings(y, out)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			collectStrings(x[k], out)
		}
	}
}

package generate

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/gmc-project/gmc/internal/gmc"
)

// Hook kinds.
const (
	HookThread        = "unresolved_thread"
	HookMotivation    = "npc_motivation"
	HookForeshadowing = "foreshadowing"
	HookStrain        = "strained_relationship"
	// HookNew is a hook a language model made up from nothing recorded.
	HookNew = "new"
)

// Limits of a plot-hook request.
const (
	DefaultHookCount = 5
	MaxHookCount     = 20
)

// motivationKeys are the keys of a character's notes or gm_notes that
// hold what they want.
var motivationKeys = []string{"motivation", "goal", "goals", "wants", "motive"}

var threadTemplates = map[gmc.PlotStatus][]string{
	gmc.PlotHook: {"\"%[1]s\" has not been taken up yet. %[2]s brings it to the party's door, and the offer will not stay open long.",
		"Word of \"%[1]s\" reaches the party through %[2]s, with a detail that makes it personal."},
	gmc.PlotActive: {"\"%[1]s\" moves without the party: %[2]s acts first, and the party hears of it a day late.",
		"%[2]s forces the pace of \"%[1]s\": a deadline appears where there was none."},
	gmc.PlotStalled: {"\"%[1]s\" has stalled. %[2]s turns up with a new lead that starts it moving again.",
		"Someone else picks up \"%[1]s\" where the party left it; %[2]s knows who."},
}

var milestoneTemplates = []string{" The next step is \"%s\".", " It now hinges on \"%s\"."}

var motivationTemplates = []string{
	"%[1]s %[2]s, and asks the party for help without saying why.",
	"%[1]s %[2]s; to get there, they are about to cross the party's path.",
	"%[1]s %[2]s, and someone else wants the same thing and is closer to it.",
}

var foreshadowingTemplates = []string{
	"Time to pay off the hint planted for \"%[1]s\": %[2]s Let the party find proof of it.",
	"Reveal what was hinted for \"%[1]s\" — %[2]s — through someone who did not mean to tell.",
}

var strainTemplates = map[bool][]string{
	false: { // strained
		"%[1]s and %[2]s (%[3]s, attitude %[4]d) clash in public; the party has to take a side.",
		"%[1]s asks the party to dig up something to use against %[2]s (%[3]s, attitude %[4]d).",
	},
	true: { // hostile
		"%[1]s moves against %[2]s (%[3]s, attitude %[4]d): an ambush, a betrayal or a lawsuit, and the party is caught in the middle.",
		"%[1]s's hatred of %[2]s (%[3]s, attitude %[4]d) boils over; whoever the party helps gains an enemy.",
	},
}

// PlotHooks suggests hooks from the campaign's state: unfinished threads,
// what NPCs want, foreshadowing not yet revealed, and relationships with a
// negative attitude. Each cites the entities it comes from. The seed varies
// the wording and breaks near-ties in the order.
func (Builtin) PlotHooks(ctx context.Context, c *Campaign, req PlotHookRequest) (*PlotHookDraft, error) {
	rng := newRNG(req.Seed, "plot-hooks")
	chars := make(map[string]*gmc.Character, len(c.Characters))
	for _, ch := range c.Characters {
		chars[ch.ID] = ch
	}
	locs := make(map[string]*gmc.Location, len(c.Locations))
	for _, l := range c.Locations {
		locs[l.ID] = l
	}
	plots := make(map[string]*gmc.PlotThread, len(c.Plots))
	for _, p := range c.Plots {
		plots[p.ID] = p
	}
	type scored struct {
		hook  PlotHook
		score float64
	}
	var all []scored
	add := func(h PlotHook, score float64) {
		// The jitter only reorders hooks of nearly equal weight.
		all = append(all, scored{h, score + rng.Float64()*0.3})
	}

	for _, p := range c.Plots {
		if p.Status.Closed() {
			continue
		}
		h := PlotHook{Kind: HookThread, Title: p.Title, Sources: []Ref{{Type: gmc.EntityPlot, ID: p.ID, Name: p.Title}},
			CharacterIDs: []string{}, LocationIDs: []string{}}
		who := "a stranger"
		for _, id := range p.CharacterIDs {
			if ch := chars[id]; ch != nil {
				h.Sources = append(h.Sources, Ref{Type: gmc.EntityCharacter, ID: id, Name: ch.Name})
				h.CharacterIDs = append(h.CharacterIDs, id)
			}
		}
		if len(h.CharacterIDs) > 0 {
			who = chars[pick(rng, h.CharacterIDs)].Name
		}
		for _, id := range p.LocationIDs {
			if l := locs[id]; l != nil {
				h.Sources = append(h.Sources, Ref{Type: gmc.EntityLocation, ID: id, Name: l.Name})
				h.LocationIDs = append(h.LocationIDs, id)
			}
		}
		h.Text = fmt.Sprintf(pick(rng, threadTemplates[p.Status]), p.Title, who)
		for _, m := range p.Milestones {
			if !m.Done {
				h.Text += fmt.Sprintf(pick(rng, milestoneTemplates), m.Title)
				break
			}
		}
		score := map[gmc.PlotStatus]float64{gmc.PlotStalled: 3, gmc.PlotHook: 2.5, gmc.PlotActive: 2}[p.Status]
		add(h, score+waited(c, p.LastTouchedSessionNumber))
	}

	for _, ch := range c.Characters {
		if ch.CharacterType != gmc.CharacterNPC {
			continue
		}
		want := motivation(ch.GMNotes)
		if want == "" {
			want = motivation(ch.Notes)
		}
		if want == "" {
			continue
		}
		h := PlotHook{Kind: HookMotivation, Title: ch.Name + "'s ambition", Sources: []Ref{{Type: gmc.EntityCharacter, ID: ch.ID, Name: ch.Name}},
			CharacterIDs: []string{ch.ID}, LocationIDs: []string{}}
		h.Text = fmt.Sprintf(pick(rng, motivationTemplates), ch.Name, wants(want))
		add(h, 2)
	}

	for _, f := range c.Foreshadowing {
		p := plots[f.PlotID]
		if f.Revealed || p == nil || p.Status.Closed() {
			continue
		}
		desc := strings.TrimSpace(f.Description)
		if !strings.HasSuffix(desc, ".") {
			desc += "."
		}
		h := PlotHook{Kind: HookForeshadowing, Title: "Reveal: " + p.Title, CharacterIDs: append([]string{}, p.CharacterIDs...), LocationIDs: append([]string{}, p.LocationIDs...),
			Sources: []Ref{{Type: gmc.EntityForeshadowing, ID: f.ID, Name: firstWords(f.Description, 8)}, {Type: gmc.EntityPlot, ID: p.ID, Name: p.Title}}}
		h.Text = fmt.Sprintf(pick(rng, foreshadowingTemplates), p.Title, desc)
		add(h, 2.2+waited(c, f.PlantedSessionNumber))
	}

	for _, r := range c.Relationships {
		a, b := chars[r.SourceID], chars[r.TargetID]
		// A mutual pair is one strain: keep the edge with the lower id.
		if r.Attitude >= 0 || a == nil || b == nil || (r.PairID != nil && *r.PairID < r.ID) {
			continue
		}
		hostile := r.Attitude <= -50
		h := PlotHook{Kind: HookStrain, Title: a.Name + " against " + b.Name, CharacterIDs: []string{a.ID, b.ID}, LocationIDs: []string{},
			Sources: []Ref{{Type: gmc.EntityRelationship, ID: r.ID, Name: a.Name + " → " + b.Name},
				{Type: gmc.EntityCharacter, ID: a.ID, Name: a.Name}, {Type: gmc.EntityCharacter, ID: b.ID, Name: b.Name}}}
		h.Text = fmt.Sprintf(pick(rng, strainTemplates[hostile]), a.Name, b.Name, r.Kind, r.Attitude)
		add(h, 1.5+float64(-r.Attitude)/50)
	}

	slices.SortStableFunc(all, func(x, y scored) int { return cmp.Compare(y.score, x.score) })
	n := req.Count
	if n <= 0 {
		n = DefaultHookCount
	}
	d := &PlotHookDraft{Seed: req.Seed, Hooks: []PlotHook{}, Origin: Origin{Generator: GeneratorBuiltin}}
	for _, s := range all[:min(n, len(all))] {
		d.Hooks = append(d.Hooks, s.hook)
	}
	return d, nil
}

// waited weighs how many played sessions something has been left alone
// since session: a quarter point each, up to four sessions, enough to
// outweigh the seed's jitter.
func waited(c *Campaign, session int) float64 {
	return 0.25 * float64(min(4, max(0, c.LatestSessionNumber-session)))
}

// motivation reads what a character wants from a notes document.
func motivation(doc json.RawMessage) string {
	if len(doc) == 0 {
		return ""
	}
	var m map[string]any
	if json.Unmarshal(doc, &m) != nil {
		return ""
	}
	for _, k := range motivationKeys {
		if s, ok := m[k].(string); ok && strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// wants phrases a motivation after a name: "wants to …" stays, anything
// else becomes "wants: …".
func wants(m string) string {
	m = strings.TrimSuffix(m, ".")
	l := strings.ToLower(m)
	for _, verb := range []string{"wants ", "needs ", "seeks ", "hopes ", "longs ", "dreams "} {
		if strings.HasPrefix(l, verb) {
			return m
		}
	}
	return "wants " + lowerFirst(m)
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	if len(r) > 1 && r[1] >= 'A' && r[1] <= 'Z' { // an acronym stays as it is
		return s
	}
	r[0] = []rune(strings.ToLower(string(r[0])))[0]
	return string(r)
}

func firstWords(s string, n int) string {
	ws := strings.Fields(s)
	if len(ws) <= n {
		return strings.Join(ws, " ")
	}
	return strings.Join(ws[:n], " ") + "…"
}

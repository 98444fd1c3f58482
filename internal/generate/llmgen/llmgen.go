// Package llmgen is the generate.Generator that asks a language model
// (an OpenAI-compatible server, through internal/llm) for NPCs, locations
// and plot hooks, with the campaign's own state as context, and maps its
// validated answers onto the drafts the built-in generator makes, so the
// service, the API and saving work the same in both modes.
//
// Encounters keep the 5e rules: the built-in generator chooses the
// monsters by the party's XP thresholds, and the model only tells the
// encounter (read-aloud text, terrain, tactics, a twist). When the model
// fails, the rules' encounter still comes back, with a note saying so.
//
// A seed is sent to the server as the chat request's seed; the same seed
// gives the same draft only on a server that honours seeds (llama.cpp and
// vLLM do for the same model and settings; not every server does), and
// every draft says so in its notes.
//
// It sits below generate and llm, which know nothing of each other.
package llmgen

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gmc-project/gmc/internal/generate"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/llm"
)

// DefaultContextTokens is the campaign context a prompt carries when
// Config leaves it at zero: enough for a few dozen entities, small enough
// for a model with a 4k context to answer in.
const DefaultContextTokens = 1500

// Config adjusts a Generator.
type Config struct {
	// ContextTokens bounds the campaign context of a prompt.
	ContextTokens int
	// Timeout bounds one draft, every call to the model included (a
	// name asked for again is a second call); 0 leaves it to the
	// client's own total timeout per call.
	Timeout time.Duration
	Logger  *slog.Logger
}

// Generator asks a language model for drafts.
type Generator struct {
	client  *llm.Client
	budget  int
	timeout time.Duration
	log     *slog.Logger
	builtin generate.Builtin
}

var _ generate.Generator = (*Generator)(nil)

// New makes a Generator on a client.
func New(client *llm.Client, cfg Config) *Generator {
	g := &Generator{client: client, budget: cfg.ContextTokens, timeout: cfg.Timeout, log: cfg.Logger}
	if g.budget <= 0 {
		g.budget = DefaultContextTokens
	}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	return g
}

// Model is the model the drafts come from.
func (g *Generator) Model() string { return g.client.Model() }

// Usage is the tokens spent so far per campaign id.
func (g *Generator) Usage() map[string]llm.Usage { return g.client.UsageByCampaign() }

// bounded is ctx with the draft's deadline.
func (g *Generator) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	if g.timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, g.timeout)
}

// seedNote is told with every draft: the seed is only as good as the
// server's sampling.
const seedNote = "The seed was sent to the language model server; the same seed gives the same draft only if that server honours seeds for the same model and settings."

// ask renders a prompt and asks for T, counting the tokens in the
// campaign's usage.
func ask[T any](ctx context.Context, g *Generator, name string, c *generate.Campaign, seed uint64, data llm.PromptData, stream bool) (T, error) {
	var zero T
	data.Campaign = campaignName(c)
	p, err := llm.Render(name, data)
	if err != nil {
		return zero, err
	}
	p.Campaign = c.ID
	s := int64(seed)
	p.Seed = &s
	if stream {
		// Long answers come as a stream, so a server that stalls halfway
		// is noticed by the silence timeout rather than the whole one.
		p.Stream = true
	}
	r, err := llm.Generate[T](ctx, g.client, p)
	if err != nil {
		return zero, g.failure(ctx, c, name, err)
	}
	if r.Repaired {
		g.log.InfoContext(ctx, "language model answer repaired", "prompt", name, "campaign_id", c.ID)
	}
	return r.Value, nil
}

func campaignName(c *generate.Campaign) string {
	if strings.TrimSpace(c.Name) == "" {
		return "this campaign"
	}
	return c.Name
}

// failure turns an llm error into a domain error the API answers with:
// 503 ai_unavailable when the server could not be reached or did not
// answer in time (trying again later may work), 502 ai_bad_answer when it
// answered something unusable even after the repair request, 502
// ai_refused when it refused the request (a wrong model name or key). The
// client sees what happened but not the server's address; the log has the
// whole error.
func (g *Generator) failure(ctx context.Context, c *generate.Campaign, prompt string, err error) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return context.Cause(ctx) // the caller went away; nobody to tell
	}
	// A deadline that passed is the draft's own timeout: the server did
	// not answer in time, as below.
	g.log.WarnContext(ctx, "language model request failed", "prompt", prompt, "campaign_id", c.ID, "error", err.Error())
	var invalid *llm.InvalidAnswerError
	if errors.As(err, &invalid) {
		first := ""
		if len(invalid.Problems) > 0 {
			first = " (" + invalid.Problems[0] + ")"
		}
		return gmc.Errorf(gmc.ErrUpstream, "ai_bad_answer", "the language model's answer did not fit the %s form even after it was asked to correct it%s; try again, or ask for a built-in draft by running without GMC_LLM_BASE_URL", prompt, first)
	}
	var api *llm.APIError
	if errors.As(err, &api) && api.Status >= 400 && api.Status < 500 && api.Status != http.StatusRequestTimeout && api.Status != http.StatusTooManyRequests {
		return gmc.Errorf(gmc.ErrUpstream, "ai_refused", "the language model server refused the request (HTTP %d: %s); check GMC_LLM_MODEL and GMC_LLM_API_KEY", api.Status, clip(api.Message, 200))
	}
	why := "could not be reached"
	switch {
	case errors.Is(err, llm.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		why = "did not answer in time"
	case errors.Is(err, llm.ErrStreamCut):
		why = "broke off its answers"
	case errors.As(err, &api) && api.Status == http.StatusTooManyRequests:
		why = "is overloaded (HTTP 429)"
	case errors.As(err, &api) && api.Status != 0:
		why = fmt.Sprintf("failed (HTTP %d)", api.Status)
	case errors.As(err, &api):
		why = "reported an error in its answer"
	}
	return gmc.Errorf(gmc.ErrUnavailable, "ai_unavailable", "the language model server %s, after retries; nothing was generated or saved; try again later", why)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// NPC asks the model for an NPC of the hints, with the campaign's most
// relevant entities as context.
func (g *Generator) NPC(ctx context.Context, c *generate.Campaign, req generate.NPCRequest) (*generate.NPCDraft, error) {
	ctx, cancel := g.bounded(ctx)
	defer cancel()
	h := req.Hints
	var want []string
	if a := strings.TrimSpace(h.Ancestry); a != "" {
		want = append(want, "ancestry "+a)
	}
	if o := strings.TrimSpace(h.Occupation); o != "" {
		want = append(want, "occupation "+o)
	}
	if cu := strings.TrimSpace(h.Culture); cu != "" {
		want = append(want, "a name of the "+cu+" naming culture")
	}
	request := "an NPC who fits the campaign"
	if len(want) > 0 {
		request = "an NPC with " + strings.Join(want, ", ")
	}
	data := llm.PromptData{Request: request, Context: selectContext(entries(c), request, g.budget, withSimilar(ctx, c, request, nil))}
	if o := strings.TrimSpace(h.Occupation); o != "" {
		data.Params = map[string]string{"role": o}
	}
	taken := characterNames(c)
	ans, err := ask[llm.NPC](ctx, g, "npc", c, req.Seed, data, false)
	if err != nil {
		return nil, err
	}
	d := &generate.NPCDraft{Seed: req.Seed, References: []generate.Ref{},
		Origin: generate.Origin{Generator: generate.GeneratorLLM, Model: g.Model(), Notes: []string{seedNote}}}
	name := tidyName(ans.Name)
	if clash := taken.clash(name); clash != "" {
		// Once more, saying which names are taken; then the built-in
		// name generator, which never repeats one.
		data.Request = request + fmt.Sprintf(". Do not call them %s: the campaign already has %s; choose a new name", name, clash)
		again, err := ask[llm.NPC](ctx, g, "npc", c, req.Seed+1, data, false)
		if err == nil && taken.clash(tidyName(again.Name)) == "" {
			d.Origin.Notes = append(d.Origin.Notes, fmt.Sprintf("The model first proposed %q, which the campaign has; it was asked again.", name))
			ans, name = again, tidyName(again.Name)
		} else {
			culture := cmpOr(h.Culture, generate.CultureOf(cmpOr(h.Ancestry, ans.Ancestry)))
			_, _, fresh := generate.NPCName(c, req.Seed, culture, name)
			d.Origin.Notes = append(d.Origin.Notes, fmt.Sprintf("The model proposed %q, which the campaign has (%s); the built-in name generator named them %s instead.", name, clash, fresh))
			ans = renamed(ans, name, fresh)
			name = fresh
		}
	}
	d.Name = name
	d.GivenName, d.FamilyName, _ = strings.Cut(name, " ")
	d.Ancestry = strings.ToLower(strings.TrimSpace(ans.Ancestry))
	if a := strings.ToLower(strings.TrimSpace(h.Ancestry)); a != "" && a != d.Ancestry {
		d.Origin.Notes = append(d.Origin.Notes, fmt.Sprintf("The model wrote the ancestry as %q; the asked-for %q is kept.", d.Ancestry, a))
		d.Ancestry = a
	}
	d.Culture = cmpOr(strings.TrimSpace(h.Culture), generate.CultureOf(d.Ancestry))
	d.Occupation = cmpOr(strings.TrimSpace(h.Occupation), strings.TrimSpace(ans.Occupation))
	d.Appearance = ans.Appearance
	d.Personality = []string{ans.Personality}
	d.Ideal, d.Bond, d.Flaw, d.Motivation, d.Secret = ans.Ideal, ans.Bond, ans.Flaw, ans.Motivation, ans.Secret
	d.VoiceNotes = ans.VoiceNotes
	d.Attitude = ans.Attitude
	d.References = references(c, d.Bond, d.Secret, d.Motivation)
	return d, nil
}

// Location asks the model for a place of the type, below the parent.
func (g *Generator) Location(ctx context.Context, c *generate.Campaign, req generate.LocationRequest) (*generate.LocationDraft, error) {
	ctx, cancel := g.bounded(ctx)
	defer cancel()
	typ := strings.ToLower(strings.TrimSpace(req.Type))
	if typ == "" {
		typ = generate.LocationTypes[req.Seed%uint64(len(generate.LocationTypes))]
	}
	var want []string
	if m := req.Hints.Mood; m != "" {
		want = append(want, "a "+m+" mood")
	}
	if cu := req.Hints.Culture; cu != "" {
		want = append(want, "inhabitants of the "+cu+" naming culture")
	}
	request := "a " + typ + " that fits the campaign"
	if len(want) > 0 {
		request += ", with " + strings.Join(want, " and ")
	}
	params := map[string]string{"kind": typ}
	b := boost{}
	if p := req.Parent; p != nil {
		params["parent"] = p.Name
		request += ", inside " + p.Name
		// The parent's own parents and its other places are its
		// neighbourhood.
		for _, l := range c.Locations {
			if strings.Contains(p.Path, "/"+l.ID+"/") || (l.ParentID != nil && *l.ParentID == p.ID) {
				b[l.ID] = 2
			}
		}
	}
	data := llm.PromptData{Request: request, Params: params, Context: selectContext(entries(c), request, g.budget, withSimilar(ctx, c, request, b))}
	ans, err := ask[llm.Location](ctx, g, "location", c, req.Seed, data, true)
	if err != nil {
		return nil, err
	}
	d := &generate.LocationDraft{Seed: req.Seed, LocationType: typ, Mood: cmpOr(req.Hints.Mood, "neutral"), References: []generate.Ref{},
		Origin: generate.Origin{Generator: generate.GeneratorLLM, Model: g.Model(), Notes: []string{seedNote}}}
	taken := locationNames(c)
	name := tidyName(ans.Name)
	if clash := taken.clash(name); clash != "" {
		data.Request = request + fmt.Sprintf(". Do not call it %s: the campaign already has %s; choose a new name", name, clash)
		again, err := ask[llm.Location](ctx, g, "location", c, req.Seed+1, data, true)
		if err == nil && taken.clash(tidyName(again.Name)) == "" {
			d.Notes = append(d.Notes, fmt.Sprintf("The model first proposed %q, which the campaign has; it was asked again.", name))
			ans, name = again, tidyName(again.Name)
		} else {
			fresh := generate.PlaceName(c, req.Seed, typ, req.Hints.Culture, name)
			d.Notes = append(d.Notes, fmt.Sprintf("The model proposed %q, which the campaign has; the built-in generator named it %s instead.", name, fresh))
			ans.Description = strings.ReplaceAll(ans.Description, name, fresh)
			for i := range ans.Hooks {
				ans.Hooks[i] = strings.ReplaceAll(ans.Hooks[i], name, fresh)
			}
			name = fresh
		}
	}
	d.Name = name
	if req.Parent != nil {
		d.ParentID = &req.Parent.ID
		d.References = append(d.References, generate.Ref{Type: gmc.EntityLocation, ID: req.Parent.ID, Name: req.Parent.Name})
	}
	d.Description = ans.Description
	d.Features = ans.Features
	d.Hooks = ans.Hooks
	d.Inhabitants = []generate.Inhabitant{}
	chars := characterNames(c)
	var drawn []string
	for i, s := range ans.Inhabitants {
		in := inhabitant(s)
		switch {
		case !in.NPC:
		case chars.has(in.Name):
			// The campaign's own character: described here, not saved again.
			in.NPC = false
		case chars.clash(in.Name) != "":
			// A new person who shares a given name with one of the
			// campaign's: named afresh, as an NPC draft would be.
			_, _, fresh := generate.NPCName(c, req.Seed+uint64(i)+1, cmpOr(req.Hints.Culture, "human"), append(drawn, in.Name)...)
			d.Origin.Notes = append(d.Origin.Notes, fmt.Sprintf("The inhabitant %q shared a name with %s; the built-in name generator named them %s.", in.Name, chars.clash(in.Name), fresh))
			r := strings.NewReplacer(in.Name, fresh)
			d.Description = r.Replace(d.Description)
			for k := range d.Hooks {
				d.Hooks[k] = r.Replace(d.Hooks[k])
			}
			in.Name = fresh
			drawn = append(drawn, fresh)
		}
		d.Inhabitants = append(d.Inhabitants, in)
	}
	for _, r := range references(c, append([]string{d.Description}, d.Hooks...)...) {
		if req.Parent == nil || r.ID != req.Parent.ID {
			d.References = append(d.References, r)
		}
	}
	return d, nil
}

// inhabitant reads "Mara Quill, the innkeeper, …" or "Old Tom (ferryman)"
// as a named person (saved as an NPC with the location); anything else,
// "rats in the cellar", as a description.
func inhabitant(s string) generate.Inhabitant {
	s = strings.TrimSpace(s)
	cut := len(s)
	for _, sep := range []string{", ", " (", " — ", " - ", ": ", " the "} {
		if i := strings.Index(s, sep); i > 0 && i < cut {
			cut = i
		}
	}
	head, rest := s[:cut], strings.TrimSpace(strings.Trim(strings.TrimSpace(s[cut:]), ",:—-()"))
	rest = strings.TrimSuffix(rest, ")")
	words := strings.Fields(head)
	named := len(words) >= 1 && len(words) <= 4 && len(head) <= 60 && rest != ""
	for _, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsUpper(r) {
			named = false
		}
	}
	// One capitalised word alone ("Goblins, …") is more often a kind of
	// creature than a name: only a plural-free single word counts.
	if len(words) == 1 && strings.HasSuffix(strings.ToLower(head), "s") {
		named = false
	}
	if !named {
		return generate.Inhabitant{Name: s, Role: "", Trait: ""}
	}
	role, trait, _ := strings.Cut(rest, ", ")
	role = strings.TrimPrefix(strings.TrimPrefix(role, "the "), "a ")
	return generate.Inhabitant{Name: head, Role: clip(role, 120), Trait: clip(trait, 200), NPC: true}
}

// PlotHooks asks the model for hooks grown from the campaign's state.
func (g *Generator) PlotHooks(ctx context.Context, c *generate.Campaign, req generate.PlotHookRequest) (*generate.PlotHookDraft, error) {
	ctx, cancel := g.bounded(ctx)
	defer cancel()
	n := req.Count
	if n <= 0 {
		n = generate.DefaultHookCount
	}
	request := "hooks from unresolved threads, what NPCs want, unrevealed foreshadowing and strained relationships"
	data := llm.PromptData{Params: map[string]string{"count": strconv.Itoa(n)}, Context: selectContext(entries(c), request, g.budget, withSimilar(ctx, c, request, nil))}
	ans, err := ask[llm.PlotHooks](ctx, g, "plot_hooks", c, req.Seed, data, true)
	if err != nil {
		return nil, err
	}
	d := &generate.PlotHookDraft{Seed: req.Seed, Hooks: []generate.PlotHook{},
		Origin: generate.Origin{Generator: generate.GeneratorLLM, Model: g.Model(), Notes: []string{seedNote}}}
	hooks := ans.Hooks
	rank := map[string]int{"high": 0, "medium": 1, "low": 2}
	slices.SortStableFunc(hooks, func(a, b llm.PlotHook) int { return rank[a.Urgency] - rank[b.Urgency] })
	idx := index(c)
	for _, h := range hooks[:min(n, len(hooks))] {
		ph := generate.PlotHook{Kind: hookKinds[h.Source], Title: h.Title, Text: h.Summary, Sources: []generate.Ref{}, CharacterIDs: []string{}, LocationIDs: []string{}}
		for _, name := range h.Involves {
			r, ok := idx.find(name)
			if !ok {
				d.Notes = append(d.Notes, fmt.Sprintf("Hook %q names %q, which the campaign does not have.", h.Title, name))
				continue
			}
			if slices.Contains(ph.Sources, r) {
				continue
			}
			ph.Sources = append(ph.Sources, r)
			switch r.Type {
			case gmc.EntityCharacter:
				ph.CharacterIDs = append(ph.CharacterIDs, r.ID)
			case gmc.EntityLocation:
				ph.LocationIDs = append(ph.LocationIDs, r.ID)
			}
		}
		if ph.Kind == "" || (len(ph.Sources) == 0 && ph.Kind != generate.HookNew) {
			// A hook said to grow from the campaign but naming nothing in
			// it grows from nothing recorded.
			ph.Kind = generate.HookNew
		}
		d.Hooks = append(d.Hooks, ph)
	}
	return d, nil
}

var hookKinds = map[string]string{
	"thread": generate.HookThread, "npc_motivation": generate.HookMotivation, "foreshadowing": generate.HookForeshadowing,
	"relationship": generate.HookStrain, "new": generate.HookNew,
}

// Encounter lets the rules choose the monsters and asks the model only
// for the telling; when the model fails, the rules' encounter stands.
func (g *Generator) Encounter(ctx context.Context, c *generate.Campaign, req generate.EncounterRequest) (*generate.EncounterDraft, error) {
	ctx, cancel := g.bounded(ctx)
	defer cancel()
	d, err := g.builtin.Encounter(ctx, c, req)
	if err != nil {
		return nil, err
	}
	var monsters []string
	for _, m := range d.Monsters {
		monsters = append(monsters, fmt.Sprintf("%d × %s (%s, CR %s)", m.Count, m.Name, m.Type, m.CR))
	}
	where := "a place of the game master's choosing"
	var ctxItems []llm.ContextItem
	if l := req.Location; l != nil {
		where = l.Name + " (" + cmpOr(l.LocationType, "location") + ")"
		ctxItems = selectContext(entries(&generate.Campaign{Locations: []*gmc.Location{l}}), l.Name, g.budget/3, nil)
	}
	data := llm.PromptData{Context: ctxItems, Params: map[string]string{
		"monsters":   strings.Join(monsters, "; "),
		"difficulty": fmt.Sprintf("%s for %d characters of level %d", d.Reached, req.PartySize, req.PartyLevel),
		"location":   where,
	}}
	f, err := ask[llm.EncounterFlavour](ctx, g, "encounter", c, req.Seed, data, false)
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return nil, err
		}
		msg := "the model's answer was unusable"
		var de *gmc.Error
		if errors.As(err, &de) {
			msg = de.Message
		}
		d.Notes = append(d.Notes, "The language model could not describe this encounter ("+msg+"); the monsters are the rules' choice and stand without it.")
		return d, nil
	}
	d.Generator, d.Model = generate.GeneratorLLM, g.Model()
	d.Flavour = &generate.EncounterFlavour{Title: f.Title, ReadAloud: f.ReadAloud, Terrain: f.Terrain, Tactics: f.Tactics, Twist: f.Twist}
	if d.Flavour.Terrain == nil {
		d.Flavour.Terrain = []string{}
	}
	d.Notes = append(d.Notes, "The monsters repeat with the seed; the telling was sent the seed too, and repeats only if the language model server honours seeds.")
	return d, nil
}

func cmpOr(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

// tidyName trims a model's name of quotes and spaces.
func tidyName(s string) string {
	return strings.Join(strings.Fields(strings.Trim(strings.TrimSpace(s), `"'“”`)), " ")
}

// renamed replaces a clashing name (and its first word) in an NPC's text.
func renamed(n llm.NPC, old, fresh string) llm.NPC {
	oldGiven, _, _ := strings.Cut(old, " ")
	freshGiven, _, _ := strings.Cut(fresh, " ")
	r := strings.NewReplacer(old, fresh, oldGiven, freshGiven)
	for _, f := range []*string{&n.Appearance, &n.Personality, &n.Ideal, &n.Bond, &n.Flaw, &n.Motivation, &n.Secret, &n.VoiceNotes} {
		*f = r.Replace(*f)
	}
	n.Name = fresh
	return n
}

// names checks a name against the names a campaign has: each full name
// and alias, and for characters each given name (the first word after
// any title), since two characters called "Bram" confuse the table and
// live keyword alerts alike. It scans rather than indexes: one name is
// checked once or twice per draft.
type names struct {
	c *generate.Campaign
	// locations checks against locations instead of characters.
	locations bool
}

func characterNames(c *generate.Campaign) names { return names{c: c} }
func locationNames(c *generate.Campaign) names  { return names{c: c, locations: true} }

// has reports whether a character of the campaign has the name as its
// name or an alias.
func (ns names) has(name string) bool {
	name = strings.TrimSpace(name)
	for _, ch := range ns.c.Characters {
		if strings.EqualFold(strings.TrimSpace(ch.Name), name) ||
			slices.ContainsFunc(ch.Aliases, func(a string) bool { return strings.EqualFold(strings.TrimSpace(a), name) }) {
			return true
		}
	}
	return false
}

// clash is what of the campaign's the name collides with, or "".
func (ns names) clash(name string) string {
	name = strings.TrimSpace(name)
	if ns.locations {
		for _, l := range ns.c.Locations {
			if strings.EqualFold(strings.TrimSpace(l.Name), name) {
				return fmt.Sprintf("the location %q", l.Name)
			}
		}
		return ""
	}
	given := givenOf(name)
	for _, ch := range ns.c.Characters {
		if strings.EqualFold(strings.TrimSpace(ch.Name), name) || (given != "" && strings.EqualFold(givenOf(ch.Name), given)) {
			return fmt.Sprintf("%q", ch.Name)
		}
		for _, a := range ch.Aliases {
			if strings.EqualFold(strings.TrimSpace(a), name) || (given != "" && strings.EqualFold(givenOf(a), given)) {
				return fmt.Sprintf("%q", ch.Name)
			}
		}
	}
	return ""
}

// titles come before names without being one: "Lady Vex" and "Lady
// Mirela" do not clash.
var titles = []string{"lady", "lord", "sir", "dame", "old", "young", "captain", "the", "brother", "sister", "father", "mother", "master",
	"mistress", "king", "queen", "prince", "princess", "doctor", "uncle", "aunt", "saint", "madam", "granny"}

// givenOf is the given name of a name, as written: its first word after
// any titles, or "" when that is shorter than three letters.
func givenOf(name string) string {
	for w := range strings.FieldsSeq(name) {
		if slices.ContainsFunc(titles, func(t string) bool { return strings.EqualFold(t, w) }) {
			continue
		}
		if utf8.RuneCountInString(w) < 3 {
			return ""
		}
		return w
	}
	return ""
}

// entityIndex finds campaign entities by name or alias.
type entityIndex map[string]generate.Ref

func index(c *generate.Campaign) entityIndex {
	idx := entityIndex{}
	put := func(name string, r generate.Ref) {
		k := strings.ToLower(strings.TrimSpace(name))
		if _, ok := idx[k]; !ok && k != "" {
			idx[k] = r
		}
	}
	for _, ch := range c.Characters {
		r := generate.Ref{Type: gmc.EntityCharacter, ID: ch.ID, Name: ch.Name}
		put(ch.Name, r)
		for _, a := range ch.Aliases {
			put(a, r)
		}
	}
	for _, l := range c.Locations {
		put(l.Name, generate.Ref{Type: gmc.EntityLocation, ID: l.ID, Name: l.Name})
	}
	for _, p := range c.Plots {
		put(p.Title, generate.Ref{Type: gmc.EntityPlot, ID: p.ID, Name: p.Title})
	}
	return idx
}

func (idx entityIndex) find(name string) (generate.Ref, bool) {
	r, ok := idx[strings.ToLower(tidyName(name))]
	return r, ok
}

// references are the campaign's characters, locations and threads the
// texts name, in the campaign's order.
func references(c *generate.Campaign, texts ...string) []generate.Ref {
	text := strings.ToLower(strings.Join(texts, "\n"))
	out := []generate.Ref{}
	seen := map[string]bool{}
	add := func(name string, r generate.Ref) {
		if !seen[r.ID] && utf8.RuneCountInString(name) >= 3 && mentionsFold(text, name) {
			seen[r.ID] = true
			out = append(out, r)
		}
	}
	for _, ch := range c.Characters {
		r := generate.Ref{Type: gmc.EntityCharacter, ID: ch.ID, Name: ch.Name}
		for _, n := range append([]string{ch.Name}, ch.Aliases...) {
			add(n, r)
		}
	}
	for _, l := range c.Locations {
		add(l.Name, generate.Ref{Type: gmc.EntityLocation, ID: l.ID, Name: l.Name})
	}
	for _, p := range c.Plots {
		add(p.Title, generate.Ref{Type: gmc.EntityPlot, ID: p.ID, Name: p.Title})
	}
	return out
}

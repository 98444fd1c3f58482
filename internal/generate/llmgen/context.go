package llmgen

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gmc-project/gmc/internal/generate"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/llm"
)

// Campaign context for a prompt: every entity of the campaign becomes an
// item, scored by how well it matches the request's words (weighted by
// how rare each word is in the campaign, so "Saltmarsh" counts for more
// than "the") and by how recently it changed; llm.SelectContext then puts
// the items the request names first and fills the budget by score.
//
// Generation is for the GM, so GM-only items go in, but marked: their
// type says "GM only" and a character's gm_notes are labelled secret, so
// the model knows what the table has not learnt.

// maxItemTokens bounds one item's text, so a long description does not
// crowd everything else out of the budget.
const maxItemTokens = 120

// entry is a context item with what scoring needs: one entity of the
// campaign. Its type and text are built only for the items that may go
// into the prompt: a campaign has hundreds of entities and a prompt room
// for a few dozen.
type entry struct {
	name    string
	id      string
	aliases []string
	updated time.Time
	// prior is what the item is worth before the request is read: an open
	// thread more than a closed one.
	prior float64
	// One of these is the entity.
	ch  *gmc.Character
	l   *gmc.Location
	p   *gmc.PlotThread
	f   *gmc.Foreshadowing
	r   *gmc.Relationship
	all *lookup
}

// lookup finds the entities an item's text names by id.
type lookup struct {
	chars map[string]*gmc.Character
	locs  map[string]*gmc.Location
	plots map[string]*gmc.PlotThread
}

// boost raises the score of particular entities (a location's parent).
type boost map[string]float64

func gmOnlyType(typ string, v gmc.Visibility) string {
	if v == gmc.VisibleGM {
		return typ + ", GM only"
	}
	return typ
}

// entries turns the campaign into context items.
func entries(c *generate.Campaign) []entry {
	all := &lookup{chars: make(map[string]*gmc.Character, len(c.Characters)), locs: make(map[string]*gmc.Location, len(c.Locations)),
		plots: make(map[string]*gmc.PlotThread, len(c.Plots))}
	for _, ch := range c.Characters {
		all.chars[ch.ID] = ch
	}
	for _, l := range c.Locations {
		all.locs[l.ID] = l
	}
	for _, p := range c.Plots {
		all.plots[p.ID] = p
	}
	out := make([]entry, 0, len(c.Characters)+len(c.Locations)+len(c.Plots)+len(c.Foreshadowing)+len(c.Relationships))
	for _, ch := range c.Characters {
		prior := 0.2
		if ch.CharacterType == gmc.CharacterPC {
			prior = 0.5 // the party is part of most stories
		}
		out = append(out, entry{name: ch.Name, id: ch.ID, aliases: ch.Aliases, updated: ch.UpdatedAt, prior: prior, ch: ch, all: all})
	}
	for _, l := range c.Locations {
		out = append(out, entry{name: l.Name, id: l.ID, updated: l.UpdatedAt, prior: 0.1, l: l, all: all})
	}
	for _, p := range c.Plots {
		prior := 0.6
		if p.Status.Closed() {
			prior = -1 // history: only what the request names or matches
		}
		out = append(out, entry{name: p.Title, id: p.ID, updated: p.UpdatedAt, prior: prior, p: p, all: all})
	}
	for _, f := range c.Foreshadowing {
		if !f.Revealed {
			out = append(out, entry{id: f.ID, updated: f.UpdatedAt, prior: 0.5, f: f, all: all})
		}
	}
	for _, r := range c.Relationships {
		if all.chars[r.SourceID] == nil || all.chars[r.TargetID] == nil {
			continue
		}
		prior := 0.1
		if r.Attitude < 0 {
			prior = 0.3 + float64(-r.Attitude)/200 // strain makes stories
		}
		out = append(out, entry{id: r.ID, updated: r.UpdatedAt, prior: prior, r: r, all: all})
	}
	return out
}

// item builds the context item.
func (e *entry) item() llm.ContextItem {
	switch {
	case e.ch != nil:
		ch := e.ch
		typ := "NPC"
		if ch.CharacterType == gmc.CharacterPC {
			typ = "player character"
		}
		var text []string
		if len(ch.Aliases) > 0 {
			text = append(text, "also called "+strings.Join(ch.Aliases, ", "))
		}
		if n := flatten(ch.Notes); n != "" {
			text = append(text, n)
		}
		if n := flatten(ch.GMNotes); n != "" {
			text = append(text, "GM notes (secret): "+n)
		}
		return llm.ContextItem{Name: ch.Name, Type: gmOnlyType(typ, ch.Visibility), Text: strings.Join(text, ". "), GMOnly: ch.Visibility == gmc.VisibleGM}
	case e.l != nil:
		l := e.l
		typ := cmp.Or(l.LocationType, "location")
		if l.ParentID != nil && e.all.locs[*l.ParentID] != nil {
			typ += " in " + e.all.locs[*l.ParentID].Name
		}
		return llm.ContextItem{Name: l.Name, Type: gmOnlyType(typ, l.Visibility), Text: l.Description, GMOnly: l.Visibility == gmc.VisibleGM}
	case e.p != nil:
		p := e.p
		var text []string
		if p.Summary != "" {
			text = append(text, p.Summary)
		}
		for _, m := range p.Milestones {
			if !m.Done {
				text = append(text, "next: "+m.Title)
				break
			}
		}
		var who []string
		for _, id := range p.CharacterIDs {
			if ch := e.all.chars[id]; ch != nil {
				who = append(who, ch.Name)
			}
		}
		if len(who) > 0 {
			text = append(text, "involves "+strings.Join(who, ", "))
		}
		return llm.ContextItem{Name: p.Title, Type: gmOnlyType("plot thread, "+string(p.Status), p.Visibility), Text: strings.Join(text, "; "), GMOnly: p.Visibility == gmc.VisibleGM}
	case e.f != nil:
		title := "a thread"
		if p := e.all.plots[e.f.PlotID]; p != nil {
			title = p.Title
		}
		return llm.ContextItem{Name: "Hint for " + title, Type: "foreshadowing not yet revealed, GM only", Text: e.f.Description, GMOnly: true}
	default:
		r := e.r
		text := fmt.Sprintf("%s, attitude %d", r.Kind, r.Attitude)
		if r.Description != "" {
			text += ": " + r.Description
		}
		return llm.ContextItem{Name: e.all.chars[r.SourceID].Name + " → " + e.all.chars[r.TargetID].Name, Type: gmOnlyType("relationship", r.Visibility),
			Text: text, GMOnly: r.Visibility == gmc.VisibleGM}
	}
}

// matches reports whether the entity's names or texts have the word w
// as a whole word, in any case.
func (e *entry) matches(w string) bool {
	if mentionsFold(e.name, w) {
		return true
	}
	for _, a := range e.aliases {
		if mentionsFold(a, w) {
			return true
		}
	}
	switch {
	case e.ch != nil:
		return mentionsFold([]byte(e.ch.Notes), w) || mentionsFold([]byte(e.ch.GMNotes), w)
	case e.l != nil:
		return mentionsFold(e.l.Description, w)
	case e.p != nil:
		return mentionsFold(e.p.Summary, w)
	case e.f != nil:
		return mentionsFold(e.f.Description, w)
	default:
		return mentionsFold(e.r.Kind, w) || mentionsFold(e.r.Description, w)
	}
}

// mentionsFold is mentions with text and w in any case. An ASCII w is
// looked for in place, without lower-cased copies: this runs for every
// entity of the campaign on every request.
func mentionsFold[T string | []byte](text T, w string) bool {
	if w == "" || len(text) < len(w) {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			return mentions(strings.ToLower(string(text)), strings.ToLower(w))
		}
	}
	first := lowerASCII(w[0])
	for i := 0; i+len(w) <= len(text); i++ {
		if lowerASCII(text[i]) != first || !equalFoldASCII(text[i:i+len(w)], w) {
			continue
		}
		if !wordBefore(text, i) && !wordAt(text, i+len(w)) {
			return true
		}
	}
	return false
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// equalFoldASCII compares a with the ASCII w, ignoring case.
func equalFoldASCII[T string | []byte](a T, w string) bool {
	for i := 0; i < len(w); i++ {
		if lowerASCII(a[i]) != lowerASCII(w[i]) {
			return false
		}
	}
	return true
}

// wordBefore reports whether the character before byte i is a letter or
// digit.
func wordBefore[T string | []byte](s T, i int) bool {
	if i == 0 {
		return false
	}
	if s[i-1] < utf8.RuneSelf {
		return isWord(rune(s[i-1]))
	}
	j := i - 1
	for j > 0 && i-j < utf8.UTFMax && !utf8.RuneStart(s[j]) {
		j--
	}
	r, _ := utf8.DecodeRuneInString(string(s[j:i]))
	return isWord(r)
}

// wordAt reports whether the character at byte i is a letter or digit.
func wordAt[T string | []byte](s T, i int) bool {
	if i >= len(s) {
		return false
	}
	if s[i] < utf8.RuneSelf {
		return isWord(rune(s[i]))
	}
	r, _ := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
	return isWord(r)
}

// selectContext scores the entries against the request and picks what
// fits in budget tokens.
func selectContext(es []entry, request string, budget int, b boost) []llm.ContextItem {
	if len(es) == 0 || budget <= 0 {
		return nil
	}
	var reqWords []string
	for w := range wordSet(request) {
		reqWords = append(reqWords, w)
	}
	slices.Sort(reqWords)
	// Document frequency of each request word, for its weight.
	var hits []bool
	df := make([]int, len(reqWords))
	if len(reqWords) > 0 {
		hits = make([]bool, len(es)*len(reqWords))
		for i := range es {
			for k, w := range reqWords {
				if es[i].matches(w) {
					hits[i*len(reqWords)+k] = true
					df[k]++
				}
			}
		}
	}
	// Recency as a rank: the newest change is 1, the oldest 0.
	order := make([]int, len(es))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Or(es[a].updated.Compare(es[b].updated), cmp.Compare(a, b)) })
	recency := make([]float64, len(es))
	for rank, i := range order {
		if len(es) > 1 {
			recency[i] = float64(rank) / float64(len(es)-1)
		}
	}
	n := float64(len(es))
	score := make([]float64, len(es))
	named := make([]bool, len(es))
	for i, e := range es {
		match := 0.0
		for k := range reqWords {
			if hits[i*len(reqWords)+k] {
				match += math.Log(1 + n/float64(df[k]))
			}
		}
		score[i] = 2*match + recency[i] + e.prior + b[e.id]
		if request == "" {
			continue
		}
		named[i] = e.name != "" && mentionsFold(request, e.name)
		for _, a := range e.aliases {
			// SelectContext finds names; an alias the request uses counts
			// nearly as much.
			if mentionsFold(request, a) {
				score[i] += 100
			}
		}
	}
	// Only the best items can fit: SelectContext gets the named ones and
	// the rest by score up to a budget and a half (room for the ones it
	// skips as too big), not the whole campaign, and only those get their
	// text built.
	slices.SortFunc(order, func(a, b int) int { return cmp.Or(cmp.Compare(score[b], score[a]), cmp.Compare(a, b)) })
	items := make([]llm.ContextItem, 0, 64)
	spent := 0
	for _, i := range order {
		if !named[i] && spent > budget+budget/2 {
			continue
		}
		it := es[i].item()
		it.Text = clipTokens(it.Text, maxItemTokens)
		it.Score = score[i]
		items = append(items, it)
		spent += llm.ItemTokens(it)
	}
	return llm.SelectContext(items, request, budget, llm.ForGM)
}

// stopWords are too common in requests to say anything about relevance.
var stopWords = map[string]bool{
	"the": true, "and": true, "for": true, "with": true, "who": true, "that": true, "this": true, "from": true, "into": true,
	"one": true, "any": true, "fits": true, "campaign": true, "type": true, "some": true, "are": true, "was": true, "has": true,
}

// wordSet is the lower-case words of s of three or more letters.
func wordSet(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' }) {
		w = strings.Trim(w, "'")
		if len([]rune(w)) >= 3 && !stopWords[w] {
			out[w] = true
		}
	}
	return out
}

// mentions reports whether lower-case text has name as whole words.
func mentions(text, name string) bool {
	name = strings.TrimSpace(name)
	if name == "" {
		return false
	}
	for from := 0; from <= len(text); {
		i := strings.Index(text[from:], name)
		if i < 0 {
			return false
		}
		start, end := from+i, from+i+len(name)
		if !wordRuneBefore(text, start) && !wordRuneAt(text, end) {
			return true
		}
		from = start + 1
	}
	return false
}

func wordRuneBefore(s string, i int) bool {
	if i == 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return isWord(r)
}

func wordRuneAt(s string, i int) bool {
	for _, r := range s[i:] {
		return isWord(r)
	}
	return false
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// flatten reads a notes document as "key: value" text, keys in order.
func flatten(doc json.RawMessage) string {
	if len(doc) == 0 {
		return ""
	}
	var m map[string]any
	if json.Unmarshal(doc, &m) != nil {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		if v := flatValue(m[k]); v != "" {
			parts = append(parts, strings.ReplaceAll(k, "_", " ")+": "+v)
		}
	}
	return strings.Join(parts, "; ")
}

func flatValue(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case float64:
		return fmt.Sprint(x)
	case bool:
		return fmt.Sprint(x)
	case []any:
		var parts []string
		for _, e := range x {
			if s := flatValue(e); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ", ")
	}
	return ""
}

// clipTokens cuts s at a word so it costs about n tokens at most.
func clipTokens(s string, n int) string {
	if llm.EstimateTokens(s) <= n {
		return s
	}
	var b strings.Builder
	used := 1
	for _, w := range strings.Fields(s) {
		c := llm.EstimateTokens(w)
		if used+c > n {
			break
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
		used += c
	}
	return b.String() + "…"
}

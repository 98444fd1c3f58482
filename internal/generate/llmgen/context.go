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

// entry is a context item with what scoring needs. Its text is built
// only for the items that may go into the prompt: a campaign has hundreds
// of entities and a prompt room for a few dozen.
type entry struct {
	item    llm.ContextItem
	id      string
	aliases []string
	updated time.Time
	// prior is what the item is worth before the request is read: an open
	// thread more than a closed one.
	prior float64
	// raw is what the request's words are matched against: the source
	// text as stored (a notes document as JSON).
	raw []string
	// text builds the item's text.
	text func() string
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
	chars := make(map[string]*gmc.Character, len(c.Characters))
	for _, ch := range c.Characters {
		chars[ch.ID] = ch
	}
	locs := make(map[string]*gmc.Location, len(c.Locations))
	for _, l := range c.Locations {
		locs[l.ID] = l
	}
	out := make([]entry, 0, len(c.Characters)+len(c.Locations)+len(c.Plots)+len(c.Foreshadowing)+len(c.Relationships))
	for _, ch := range c.Characters {
		typ := "NPC"
		prior := 0.2
		if ch.CharacterType == gmc.CharacterPC {
			typ = "player character"
			prior = 0.5 // the party is part of most stories
		}
		out = append(out, entry{item: llm.ContextItem{Name: ch.Name, Type: gmOnlyType(typ, ch.Visibility), GMOnly: ch.Visibility == gmc.VisibleGM},
			id: ch.ID, aliases: ch.Aliases, updated: ch.UpdatedAt, prior: prior, raw: []string{string(ch.Notes), string(ch.GMNotes)},
			text: func() string {
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
				return strings.Join(text, ". ")
			}})
	}
	for _, l := range c.Locations {
		typ := cmp.Or(l.LocationType, "location")
		if l.ParentID != nil && locs[*l.ParentID] != nil {
			typ += " in " + locs[*l.ParentID].Name
		}
		out = append(out, entry{item: llm.ContextItem{Name: l.Name, Type: gmOnlyType(typ, l.Visibility), GMOnly: l.Visibility == gmc.VisibleGM},
			id: l.ID, updated: l.UpdatedAt, prior: 0.1, raw: []string{l.Description}, text: func() string { return l.Description }})
	}
	plots := make(map[string]*gmc.PlotThread, len(c.Plots))
	for _, p := range c.Plots {
		plots[p.ID] = p
		prior := 0.6
		if p.Status.Closed() {
			prior = -1 // history: only what the request names or matches
		}
		out = append(out, entry{item: llm.ContextItem{Name: p.Title, Type: gmOnlyType("plot thread, "+string(p.Status), p.Visibility), GMOnly: p.Visibility == gmc.VisibleGM},
			id: p.ID, updated: p.UpdatedAt, prior: prior, raw: []string{p.Summary},
			text: func() string {
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
					if ch := chars[id]; ch != nil {
						who = append(who, ch.Name)
					}
				}
				if len(who) > 0 {
					text = append(text, "involves "+strings.Join(who, ", "))
				}
				return strings.Join(text, "; ")
			}})
	}
	for _, f := range c.Foreshadowing {
		if f.Revealed {
			continue
		}
		title := "a thread"
		if p := plots[f.PlotID]; p != nil {
			title = p.Title
		}
		out = append(out, entry{item: llm.ContextItem{Name: "Hint for " + title, Type: "foreshadowing not yet revealed, GM only", GMOnly: true},
			id: f.ID, updated: f.UpdatedAt, prior: 0.5, raw: []string{f.Description}, text: func() string { return f.Description }})
	}
	for _, r := range c.Relationships {
		a, b := chars[r.SourceID], chars[r.TargetID]
		if a == nil || b == nil {
			continue
		}
		prior := 0.1
		if r.Attitude < 0 {
			prior = 0.3 + float64(-r.Attitude)/200 // strain makes stories
		}
		out = append(out, entry{item: llm.ContextItem{Name: a.Name + " → " + b.Name, Type: gmOnlyType("relationship", r.Visibility), GMOnly: r.Visibility == gmc.VisibleGM},
			id: r.ID, updated: r.UpdatedAt, prior: prior, raw: []string{r.Kind, r.Description},
			text: func() string {
				text := fmt.Sprintf("%s, attitude %d", r.Kind, r.Attitude)
				if r.Description != "" {
					text += ": " + r.Description
				}
				return text
			}})
	}
	return out
}

// matches reports whether any of the entry's names or texts has the
// lower-case word w as a whole word, in any case.
func (e *entry) matches(w string) bool {
	if mentionsFold(e.item.Name, w) {
		return true
	}
	for _, a := range e.aliases {
		if mentionsFold(a, w) {
			return true
		}
	}
	for _, t := range e.raw {
		if mentionsFold(t, w) {
			return true
		}
	}
	return false
}

// mentionsFold is mentions with text and w in any case. An ASCII w is
// looked for in place, without lower-cased copies: this runs for every
// entity of the campaign on every request.
func mentionsFold(text, w string) bool {
	if w == "" || len(text) < len(w) {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			return mentions(strings.ToLower(text), strings.ToLower(w))
		}
	}
	lowerASCII := func(c byte) byte {
		if 'A' <= c && c <= 'Z' {
			return c + 'a' - 'A'
		}
		return c
	}
	first := lowerASCII(w[0])
	for i := 0; i+len(w) <= len(text); i++ {
		if lowerASCII(text[i]) != first || !strings.EqualFold(text[i:i+len(w)], w) {
			continue
		}
		if !wordRuneBefore(text, i) && !wordRuneAt(text, i+len(w)) {
			return true
		}
	}
	return false
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
	slices.SortStableFunc(order, func(a, b int) int { return es[a].updated.Compare(es[b].updated) })
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
		named[i] = mentionsFold(request, e.item.Name)
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
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(score[b], score[a]) })
	items := make([]llm.ContextItem, 0, 64)
	spent := 0
	for _, i := range order {
		if !named[i] && spent > budget+budget/2 {
			continue
		}
		it := es[i].item
		it.Text = clipTokens(es[i].text(), maxItemTokens)
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

package search

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/gmc-project/gmc/internal/textmatch"
)

// memSource is a Source over documents in memory with the semantics the
// store backends implement in SQL, for testing ranking without a database.
type memSource struct {
	docs []Indexed // DocID is the index + 1
}

func (m *memSource) add(d Document) int64 {
	m.docs = append(m.docs, Index(d))
	return int64(len(m.docs))
}

func (m *memSource) allowed(f Filter, d *Indexed) bool {
	if d.Scope != f.Scope || (d.GMOnly && !f.GM) {
		return false
	}
	for _, t := range f.Tags {
		if !slices.Contains(d.Tags, t) {
			return false
		}
	}
	return true
}

func (m *memSource) SearchKeys(_ context.Context, p KeyProbe) ([]Hit, error) {
	var out []Hit
	for ki, k := range p.Keys {
		type match struct {
			key string
			id  int64
		}
		var ms []match
		for i := range m.docs {
			d := &m.docs[i]
			if !m.allowed(p.Filter, d) {
				continue
			}
			for _, dk := range d.Keys {
				if dk == k.Text || (k.Prefix && strings.HasPrefix(dk, k.Text)) {
					ms = append(ms, match{dk, int64(i + 1)})
				}
			}
		}
		slices.SortFunc(ms, func(a, b match) int {
			if c := strings.Compare(a.key, b.key); c != 0 {
				return c
			}
			return cmp.Compare(a.id, b.id)
		})
		limit := p.PerKey
		if k.Prefix {
			limit = p.PerPrefix
		}
		for _, x := range ms[:min(len(ms), limit)] {
			out = append(out, Hit{DocID: x.id, Key: ki})
		}
	}
	return out, nil
}

func (m *memSource) SearchText(_ context.Context, p TextProbe) ([]int64, error) {
	var out []int64
	for i := range m.docs {
		d := &m.docs[i]
		if !m.allowed(p.Filter, d) {
			continue
		}
		if holdsWords(d.TextWords, p) || (p.GM && holdsWords(d.GMTextWords, p)) {
			out = append(out, int64(i+1))
		}
	}
	return out[:min(len(out), p.Limit)], nil
}

func holdsWords(text string, p TextProbe) bool {
	words := strings.Fields(text)
	for i, w := range p.Words {
		prefix := p.LastPrefix && i == len(p.Words)-1
		if !slices.ContainsFunc(words, func(t string) bool { return t == w || prefix && strings.HasPrefix(t, w) }) {
			return false
		}
	}
	return true
}

func (m *memSource) SearchTrigrams(_ context.Context, p TrigramProbe) ([]int64, error) {
	type sim struct {
		id int64
		s  float64
	}
	var ss []sim
	for i := range m.docs {
		d := &m.docs[i]
		if !m.allowed(p.Filter, d) {
			continue
		}
		best := 0.0
		for _, n := range strings.Split(d.Names, "\n") {
			best = max(best, textmatch.TrigramSimilarity(p.Text, n))
		}
		if best >= 0.3 {
			ss = append(ss, sim{int64(i + 1), best})
		}
	}
	slices.SortFunc(ss, func(a, b sim) int { return cmp.Compare(b.s, a.s) })
	out := make([]int64, 0, len(ss))
	for _, s := range ss[:min(len(ss), p.Limit)] {
		out = append(out, s.id)
	}
	return out, nil
}

func (m *memSource) SearchDocs(_ context.Context, p DocsProbe) ([]Candidate, error) {
	var out []Candidate
	for _, id := range p.IDs {
		d := &m.docs[id-1]
		if !m.allowed(p.Filter, d) {
			continue
		}
		c := Candidate{DocID: id, Type: d.Type, ID: d.ID, Name: d.Name, Aliases: d.Aliases, Context: d.Context, GMOnly: d.GMOnly, Forms: d.Forms}
		if slices.Contains(p.TextIDs, id) {
			c.Text = d.Text
			if p.GM {
				c.GMText = d.GMText
			}
		}
		out = append(out, c)
	}
	return out, nil
}

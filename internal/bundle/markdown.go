// Package bundle renders a campaign's export document (gmc.Bundle) in the
// formats other than its own JSON: today the Markdown campaign book.
package bundle

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
)

// Markdown renders a bundle as a campaign book: one Markdown
// document to read or print, with the characters (PCs first), their
// relationships, the locations as a tree, the plot threads and the session
// log. The order is the bundle's, so the same campaign always renders the
// same text. It shows everything, GM secrets marked as such: only GMs export.
func Markdown(b *gmc.Bundle) []byte {
	w := &bookWriter{b: b, names: map[string]string{}, sessions: map[string]int{}}
	for _, c := range b.Characters {
		w.names[c.ID] = c.Name
	}
	for _, l := range b.Locations {
		w.names[l.ID] = l.Name
	}
	for _, p := range b.Plots {
		w.names[p.ID] = p.Title
	}
	for _, s := range b.Sessions {
		w.sessions[s.ID] = s.Number
	}
	w.campaign()
	w.characters()
	w.relationships()
	w.locations()
	w.plots()
	w.sessionLog()
	return w.buf.Bytes()
}

// bookWriter holds the lookups the book's sections share.
type bookWriter struct {
	buf      bytes.Buffer
	b        *gmc.Bundle
	names    map[string]string
	sessions map[string]int
}

func (w *bookWriter) f(format string, args ...any) { fmt.Fprintf(&w.buf, format, args...) }

// para writes a block of text followed by a blank line, if there is any.
func (w *bookWriter) para(text string) {
	if text = strings.TrimSpace(text); text != "" {
		w.f("%s\n\n", text)
	}
}

func (w *bookWriter) session(id *string) string {
	if id == nil {
		return ""
	}
	return fmt.Sprintf("session %d", w.sessions[*id])
}

func secret(v gmc.Visibility) string {
	if v == gmc.VisibleGM {
		return " *(GM only)*"
	}
	return ""
}

func day(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func (w *bookWriter) campaign() {
	c := w.b.Campaign
	w.f("# %s\n\n", c.Name)
	if c.GameSystem != "" {
		w.f("*%s*\n\n", c.GameSystem)
	}
	w.para(c.Description)
	if len(w.b.Members) > 0 {
		w.f("**Table:** ")
		for i, m := range w.b.Members {
			if i > 0 {
				w.f(", ")
			}
			w.f("%s (%s)", m.DisplayName, m.Role)
		}
		w.f("\n\n")
	}
}

func (w *bookWriter) characters() {
	w.f("## Characters\n\n")
	for _, kind := range []struct {
		t     gmc.CharacterType
		title string
	}{{gmc.CharacterPC, "Player characters"}, {gmc.CharacterNPC, "Non-player characters"}} {
		w.f("### %s\n\n", kind.title)
		for _, c := range w.b.Characters {
			if c.CharacterType == kind.t {
				w.character(c)
			}
		}
	}
}

func (w *bookWriter) character(c gmc.BundleCharacter) {
	w.f("#### %s%s\n\n", c.Name, secret(c.Visibility))
	if len(c.Aliases) > 0 {
		w.f("- **Also known as:** %s\n", strings.Join(c.Aliases, ", "))
	}
	if c.OwnerEmail != nil {
		w.f("- **Played by:** %s\n", *c.OwnerEmail)
	}
	if len(c.Tags) > 0 {
		w.f("- **Tags:** %s\n", strings.Join(c.Tags, ", "))
	}
	if c.VoiceNotes != "" {
		w.f("- **Voice:** %s\n", oneLine(c.VoiceNotes))
	}
	w.object("Stats", c.Stats)
	w.object("Notes", c.Notes)
	w.object("GM notes", c.GMNotes)
	for _, a := range w.b.Achievements {
		if a.CharacterID == c.ID {
			w.f("- **Achievement:** %s", a.Title)
			if a.SessionID != nil {
				w.f(" (%s)", w.session(a.SessionID))
			}
			if a.Description != "" {
				w.f(" — %s", oneLine(a.Description))
			}
			w.f("\n")
		}
	}
	w.f("\n")
}

// object lists a JSON object's fields, keys sorted, one level deep.
func (w *bookWriter) object(label string, doc json.RawMessage) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(doc, &obj) != nil || len(obj) == 0 {
		return
	}
	w.f("- **%s:**\n", label)
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		var s string
		if json.Unmarshal(obj[k], &s) != nil {
			s = string(obj[k])
		}
		w.f("  - %s: %s\n", k, oneLine(s))
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// relationships lists each edge once; a mutual pair is shown as one
// two-way line.
func (w *bookWriter) relationships() {
	w.f("## Relationships\n\n")
	shown := map[string]bool{}
	for _, r := range w.b.Relationships {
		if r.PairID != nil && shown[*r.PairID] {
			continue
		}
		shown[r.ID] = true
		arrow := "→"
		if r.PairID != nil {
			arrow = "↔"
		}
		w.f("- **%s** %s **%s**: %s (attitude %+d)%s", w.names[r.SourceID], arrow, w.names[r.TargetID], r.Kind, r.Attitude, secret(r.Visibility))
		if r.Description != "" {
			w.f(" — %s", oneLine(r.Description))
		}
		w.f("\n")
		for _, h := range r.History {
			w.f("  - %s: ", h.At.UTC().Format("2006-01-02"))
			if h.AttitudeBefore != nil {
				w.f("%+d → ", *h.AttitudeBefore)
			}
			w.f("%+d", h.AttitudeAfter)
			if h.SessionID != nil {
				w.f(" (%s)", w.session(h.SessionID))
			}
			if h.Note != "" {
				w.f(" — %s", oneLine(h.Note))
			}
			w.f("\n")
		}
	}
	w.f("\n")
}

// locations writes the tree as nested lists, children in bundle order.
func (w *bookWriter) locations() {
	w.f("## Locations\n\n")
	children := map[string][]gmc.BundleLocation{}
	for _, l := range w.b.Locations {
		parent := ""
		if l.ParentID != nil {
			parent = *l.ParentID
		}
		children[parent] = append(children[parent], l)
	}
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		for _, l := range children[parent] {
			w.f("%s- **%s**", strings.Repeat("  ", depth), l.Name)
			if l.LocationType != "" {
				w.f(" (%s)", l.LocationType)
			}
			w.f("%s", secret(l.Visibility))
			if l.Description != "" {
				w.f(" — %s", oneLine(l.Description))
			}
			w.f("\n")
			if depth < gmc.MaxLocationDepth {
				walk(l.ID, depth+1)
			}
		}
	}
	walk("", 0)
	w.f("\n")
}

func (w *bookWriter) plots() {
	w.f("## Plot threads\n\n")
	for _, p := range w.b.Plots {
		w.f("### %s%s\n\n", p.Title, secret(p.Visibility))
		w.f("**Status:** %s · **Progress:** %d%%\n\n", p.Status, p.Progress)
		w.para(p.Summary)
		for _, m := range p.Milestones {
			mark := " "
			if m.Done {
				mark = "x"
			}
			w.f("- [%s] %s\n", mark, m.Title)
		}
		w.refs("Depends on", w.dependsOn(p.ID))
		w.refs("Characters", p.CharacterIDs)
		w.refs("Locations", p.LocationIDs)
		for _, f := range w.b.Foreshadowing {
			if f.PlotID != p.ID {
				continue
			}
			state := "unrevealed"
			if f.Revealed {
				state = "revealed"
				if f.RevealedSessionID != nil {
					state += " in " + w.session(f.RevealedSessionID)
				}
			}
			w.f("- **Foreshadowing** (planted in session %d, %s): %s\n", f.PlantedSessionNumber, state, oneLine(f.Description))
		}
		w.f("\n")
	}
}

func (w *bookWriter) dependsOn(plotID string) []string {
	var ids []string
	for _, d := range w.b.Dependencies {
		if d.PlotID == plotID {
			ids = append(ids, d.DependsOnID)
		}
	}
	return ids
}

func (w *bookWriter) refs(label string, ids []string) {
	if len(ids) == 0 {
		return
	}
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = w.names[id]
	}
	w.f("- **%s:** %s\n", label, strings.Join(names, ", "))
}

func (w *bookWriter) sessionLog() {
	w.f("## Session log\n\n")
	for _, s := range w.b.Sessions {
		title := s.Title
		if title == "" {
			title = "Untitled"
		}
		w.f("### Session %d: %s\n\n", s.Number, title)
		w.f("*%s* · scheduled %s · started %s · ended %s\n\n", s.Status, day(s.ScheduledAt), day(s.StartedAt), day(s.EndedAt))
		w.para(s.Notes)
	}
}

package gmc

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestDependencyPath(t *testing.T) {
	edges := map[string][]string{"a": {"c", "b"}, "b": {"d"}, "c": {"d"}, "d": {"e"}}
	for _, tc := range []struct {
		from, to string
		want     []string
	}{
		{"a", "e", []string{"a", "b", "d", "e"}}, // shortest, and b before c
		{"a", "a", []string{"a"}},
		{"c", "e", []string{"c", "d", "e"}},
		{"e", "a", nil},
		{"x", "a", nil},
	} {
		if got := DependencyPath(edges, tc.from, tc.to); !slices.Equal(got, tc.want) {
			t.Errorf("DependencyPath(%s, %s) = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
}

func TestDependencyCycle(t *testing.T) {
	err := DependencyCycle([]PlotRef{{ID: "1", Title: "Heist"}, {ID: "2", Title: "Key"}, {ID: "1", Title: "Heist"}})
	var e *Error
	if !errors.Is(err, ErrConflict) || !errors.As(err, &e) || e.Code != "dependency_cycle" {
		t.Fatalf("DependencyCycle = %v", err)
	}
	if want := `"Heist" (1) → "Key" (2) → "Heist" (1)`; !strings.Contains(err.Error(), want) {
		t.Errorf("DependencyCycle = %q, want it to name %s", err, want)
	}
}

func TestPlotNormalize(t *testing.T) {
	p := &PlotThread{Title: " T ", CharacterIDs: []string{"b", "a", "b"}, Milestones: []Milestone{
		{ID: "new", Title: " appended "}, {ID: "second", Order: 7}, {ID: "first", Order: 2}, {ID: "also7", Order: 7},
	}}
	p.Normalize()
	var ids []string
	for i, m := range p.Milestones {
		ids = append(ids, m.ID)
		if m.Order != i+1 {
			t.Errorf("milestone %s order = %d, want %d", m.ID, m.Order, i+1)
		}
	}
	if want := []string{"first", "second", "also7", "new"}; !slices.Equal(ids, want) {
		t.Errorf("milestone order = %v, want %v", ids, want)
	}
	if p.Title != "T" || !slices.Equal(p.CharacterIDs, []string{"a", "b"}) || p.LocationIDs == nil || p.BlockedBy == nil || p.Milestones[3].Title != "appended" {
		t.Errorf("Normalize = %+v", p)
	}
}

func TestPlotValidate(t *testing.T) {
	valid := func() *PlotThread {
		return &PlotThread{Title: "T", Status: PlotHook, Visibility: VisibleGM, Milestones: []Milestone{{Title: "M"}}}
	}
	for _, tc := range []struct {
		name  string
		edit  func(*PlotThread)
		field string
	}{
		{"ok", func(*PlotThread) {}, ""},
		{"progress", func(p *PlotThread) { p.Progress = 101 }, "body.progress"},
		{"negative progress", func(p *PlotThread) { p.Progress = -1 }, "body.progress"},
		{"status", func(p *PlotThread) { p.Status = "done" }, "body.status"},
		{"title", func(p *PlotThread) { p.Title = " " }, "body.title"},
		{"milestone title", func(p *PlotThread) { p.Milestones[0].Title = "" }, "body.milestones[0].title"},
		{"visibility", func(p *PlotThread) { p.Visibility = "all" }, "body.visibility"},
	} {
		p := valid()
		tc.edit(p)
		err := p.Validate()
		var ve *ValidationError
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%s: Validate = %v", tc.name, err)
		case tc.field != "" && (!errors.As(err, &ve) || ve.Fields[0].Location != tc.field):
			t.Errorf("%s: Validate = %v, want a problem with %s", tc.name, err, tc.field)
		}
	}
}

func TestPlotStateChanged(t *testing.T) {
	before := &PlotThread{Status: PlotActive, Progress: 10, Milestones: []Milestone{{ID: "m", Title: "M"}}}
	same := *before
	same.Title, same.CharacterIDs = "renamed", []string{"x"}
	if same.StateChanged(before) {
		t.Error("a title or link change counts as touching the thread")
	}
	done := *before
	done.Milestones = []Milestone{{ID: "m", Title: "M", Done: true}}
	progressed := *before
	progressed.Progress = 20
	for _, p := range []*PlotThread{&done, &progressed} {
		if !p.StateChanged(before) {
			t.Errorf("StateChanged(%+v) = false", p)
		}
	}
}

package gmc

import (
	"slices"
	"strings"
	"testing"
)

func TestLocationPath(t *testing.T) {
	const a, b, c = "01a00000-0000-7000-8000-00000000000a", "01a00000-0000-7000-8000-00000000000b", "01a00000-0000-7000-8000-00000000000c"
	root := LocationPath("", a)
	child := LocationPath(root, b)
	grandchild := LocationPath(child, c)
	if want := "/" + a + "/" + b + "/" + c + "/"; grandchild != want {
		t.Fatalf("LocationPath = %q, want %q", grandchild, want)
	}
	l := &Location{ID: c, Path: grandchild}
	if got := l.AncestorIDs(); !slices.Equal(got, []string{a, b}) {
		t.Errorf("AncestorIDs = %v", got)
	}
	if got := (&Location{ID: a, Path: root}).AncestorIDs(); len(got) != 0 {
		t.Errorf("AncestorIDs(root) = %v", got)
	}
	lo, hi := SubtreeRange(child)
	sibling := LocationPath(root, "01a00000-0000-7000-8000-00000000000d")
	for _, tc := range []struct {
		path string
		in   bool
	}{
		{child, true}, {grandchild, true}, {LocationPath(grandchild, a), true},
		{root, false}, {sibling, false}, {strings.TrimSuffix(child, "/"), false}, {child[:len(child)-1] + "0/", false},
	} {
		if got := tc.path >= lo && tc.path < hi; got != tc.in {
			t.Errorf("%q in SubtreeRange(%q) = %v, want %v", tc.path, child, got, tc.in)
		}
	}
}

func TestValidLocationPath(t *testing.T) {
	id := "01a00000-0000-7000-8000-00000000000a"
	deep := "/" + strings.Repeat(id+"/", MaxLocationDepth)
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"/" + id + "/", true}, {deep, true},
		{"", false}, {"/", false}, {id, false}, {"/" + id, false}, {"/" + strings.ToUpper(id) + "/", false},
		{"/x/", false}, {deep + id + "/", false}, {"/" + id + "//", false},
	} {
		if got := ValidLocationPath(tc.s); got != tc.want {
			t.Errorf("ValidLocationPath(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}

func TestVisibleToPlayers(t *testing.T) {
	pub, gm := &Location{Visibility: VisiblePlayers}, &Location{Visibility: VisibleGM}
	for _, tc := range []struct {
		name      string
		l         *Location
		ancestors []*Location
		want      bool
	}{
		{"public root", pub, nil, true},
		{"hidden root", gm, nil, false},
		{"public below public", pub, []*Location{pub, pub}, true},
		{"public below hidden", pub, []*Location{pub, gm}, false},
		{"public below hidden root", pub, []*Location{gm, pub}, false},
	} {
		if got := VisibleToPlayers(tc.l, tc.ancestors); got != tc.want {
			t.Errorf("%s: VisibleToPlayers = %v, want %v", tc.name, got, tc.want)
		}
	}
}

package search

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestIndexSegment(t *testing.T) {
	got := IndexSegment("Khaldrun's forge, Vethrâx!", []Mention{{Name: "Xylandra Voss"}, {Name: "Vethrax the Unbound", GMOnly: true}})
	want := SegmentIndex{Words: "khaldrun forge vethrax", Names: "xylandra voss", GMNames: "vethrax the unbound"}
	if got != want {
		t.Errorf("IndexSegment = %+v, want %+v", got, want)
	}
}

// segments is a SegmentSource over candidates that returns them all.
type segments []SegmentCandidate

func (s segments) SearchSegments(_ context.Context, p SegmentProbe) ([]SegmentCandidate, error) {
	return s, nil
}

func TestRunSegments(t *testing.T) {
	start := time.Date(2026, 12, 1, 19, 0, 0, 0, time.UTC)
	cands := segments{
		{SegmentID: "far", SessionID: "s1", SessionTitle: "One", SessionNumber: 1, Seq: 1, Text: "the river is wide and then far away lies the forge"},
		{SegmentID: "heard", SessionID: "s2", SessionTitle: "Two", SessionNumber: 2, SessionStartedAt: &start, StartMS: 61500, Seq: 4,
			Text: "we follow zee landra to the river", Mentions: []Mention{{Name: "Xylandra", Span: [2]int{10, 20}}}},
		{SegmentID: "secret", SessionID: "s2", SessionTitle: "Two", SessionNumber: 2, Seq: 5,
			Text: "vethrocks by the river", Mentions: []Mention{{Name: "Vethrax", Span: [2]int{0, 9}, GMOnly: true}}},
		{SegmentID: "close", SessionID: "s1", SessionTitle: "One", SessionNumber: 1, Seq: 2, Text: "river forge"},
	}
	tests := []struct {
		name, query string
		gm          bool
		wantIDs     []string
		wantMarks   map[string]string
	}{
		{"words together rank first", "river forge", false, []string{"close", "far", "heard", "secret"},
			map[string]string{"close": "<mark>river</mark> <mark>forge</mark>", "far": "the <mark>river</mark> is wide"}},
		{"a resolved name marks what was heard", "xylandra river", false, []string{"heard", "secret", "far", "close"},
			map[string]string{"heard": "we follow <mark>zee landra</mark> to the <mark>river</mark>"}},
		{"GM-only names mark for GMs", "vethrax", true, []string{"secret", "heard", "far", "close"},
			map[string]string{"secret": "<mark>vethrocks</mark> by the river"}},
		{"short queries find nothing", "x", false, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := RunSegments(context.Background(), cands, "c", tc.gm, tc.query)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, it := range res.Items {
				ids = append(ids, it.ID)
				if want, ok := tc.wantMarks[it.ID]; ok && !strings.Contains(it.Highlight, want) {
					t.Errorf("%s: highlight %q, want it to hold %q", it.ID, it.Highlight, want)
				}
				if it.Type != TypeSegment || it.Segment == nil || it.Name != it.Segment.SessionTitle {
					t.Errorf("item = %+v", it)
				}
			}
			// The fake store returns every candidate: those the query does
			// not match stay as the weakest matches, as a match the
			// database found where ranking does not read would.
			if !slices.Equal(ids, tc.wantIDs) {
				t.Errorf("ids = %v, want %v", ids, tc.wantIDs)
			}
			if res.Found != len(tc.wantIDs) {
				t.Errorf("Found = %d, want %d", res.Found, len(tc.wantIDs))
			}
		})
	}
	res, _ := RunSegments(context.Background(), cands[1:2], "c", false, "xylandra")
	if at := res.Items[0].Segment.At; !at.Equal(start.Add(61500 * time.Millisecond)) {
		t.Errorf("At = %v, want the session's start plus start_ms", at)
	}
}

func TestMergeSegments(t *testing.T) {
	entities := func() *Result {
		return &Result{Items: []Item{{ID: "e1", Score: 0.9}, {ID: "e2", Score: 0.3}}, Facets: map[string]int{"character": 2}}
	}
	segs := &SegmentResult{Items: []Item{{ID: "s1", Score: 0.4}, {ID: "s2", Score: 0.3}, {ID: "s3", Score: 0.2}}, Found: 3}
	tests := []struct {
		name  string
		types []string
		limit int
		want  []string
	}{
		{"by score, entities first on a tie", nil, 0, []string{"e1", "s1", "e2", "s2", "s3"}},
		{"cut to the limit", nil, 3, []string{"e1", "s1", "e2"}},
		{"segments asked for", []string{"segment"}, 0, []string{"e1", "s1", "e2", "s2", "s3"}},
		{"segments not asked for", []string{"character"}, 0, []string{"e1", "e2"}},
	}
	for _, tc := range tests {
		res := entities()
		MergeSegments(res, segs, tc.types, tc.limit)
		var ids []string
		for _, it := range res.Items {
			ids = append(ids, it.ID)
		}
		if !slices.Equal(ids, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, ids, tc.want)
		}
		if res.Facets["segment"] != 3 || res.Facets["character"] != 2 {
			t.Errorf("%s: facets %v", tc.name, res.Facets)
		}
	}
}

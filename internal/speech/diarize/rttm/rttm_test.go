package rttm

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    []Segment
		wantErr string
	}{
		{"empty", "", nil, ""},
		{
			"unsorted, overlapping, tabs and comments",
			";; a comment\n" +
				"SPKR-INFO dev01 1 <NA> <NA> <NA> unknown GM <NA> <NA>\n" +
				"SPEAKER dev01 1 5.000 2.5 <NA> <NA> P1 <NA> <NA>\n" +
				"\n" +
				"SPEAKER\tdev01  1\t0.600   6.000 <NA> <NA> GM <NA> <NA>\r\n",
			[]Segment{
				{File: "dev01", Channel: "1", Start: 5, Dur: 2.5, Speaker: "P1"},
				{File: "dev01", Channel: "1", Start: 0.6, Dur: 6, Speaker: "GM"},
			},
			"",
		},
		{"zero duration", "SPEAKER f 1 1 0 <NA> <NA> s <NA> <NA>", []Segment{{File: "f", Channel: "1", Start: 1, Speaker: "s"}}, ""},
		{"nine fields", "SPEAKER f 1 1 2 <NA> <NA> s <NA>", nil, "line 1: SPEAKER line has 9 fields, want 10"},
		{"bad onset", "\nSPEAKER f 1 x 2 <NA> <NA> s <NA> <NA>", nil, `line 2: onset (field 4): "x" is not a number`},
		{"negative duration", "SPEAKER f 1 1 -2 <NA> <NA> s <NA> <NA>", nil, `line 1: duration (field 5): "-2" is not a time >= 0`},
		{"NaN onset", "SPEAKER f 1 NaN 2 <NA> <NA> s <NA> <NA>", nil, `onset (field 4): "NaN" is not a time >= 0`},
		{"lower-case type is not SPEAKER", "speaker f 1 1 2 <NA> <NA> s <NA> <NA>", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseString(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Parse() error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse() error = %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWrite(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	err := Write(&buf, []Segment{{File: "dev02", Start: 11.875, Dur: 4.8944, Speaker: "P4"}})
	if err != nil {
		t.Fatal(err)
	}
	want := "SPEAKER dev02 1 11.875 4.894 <NA> <NA> P4 <NA> <NA>\n"
	if buf.String() != want {
		t.Errorf("Write() = %q, want %q", buf.String(), want)
	}
	for _, bad := range []Segment{
		{File: "", Speaker: "a"},
		{File: "a b", Speaker: "a"},
		{File: "f", Speaker: "x\ty"},
		{File: "f", Speaker: "s", Start: -1},
		{File: "f", Speaker: "s", Dur: math.NaN()},
		{File: "f", Speaker: "s", Dur: math.Inf(1)},
	} {
		if err := Write(&bytes.Buffer{}, []Segment{bad}); err == nil {
			t.Errorf("Write(%+v) = nil error, want one", bad)
		}
	}
}

// FuzzParse checks that Parse never panics and that whatever it accepts
// survives a Write and a second Parse with the same names and times to the
// millisecond.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"SPEAKER dev01 1 0.600 6.000 <NA> <NA> GM <NA> <NA>\n",
		";; x\nSPEAKER a 1 1e3 0 <NA> <NA> b <NA> <NA>\nLEXEME a 1 1 1 hi <NA> b <NA> <NA>\n",
		"SPEAKER\ta\t1\t.5\t.25\tx\ty\tz\tw\tv",
		"SPEAKER a 1 0x1p-2 1 <NA> <NA> b <NA> <NA>",
		"SPEAKER a 1 1 2 <NA> <NA> b <NA>",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		segs, err := ParseString(in)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := Write(&buf, segs); err != nil {
			// Only times too large for %.3f to print back as finite
			// numbers may be refused; names out of Parse have no spaces.
			for _, s := range segs {
				if math.IsInf(s.Start+s.Dur, 0) {
					return
				}
			}
			t.Fatalf("Write(Parse(%q)) error = %v", in, err)
		}
		again, err := Parse(&buf)
		if err != nil {
			t.Fatalf("Parse(Write(Parse(%q))) error = %v\n%s", in, err, buf.String())
		}
		if len(again) != len(segs) {
			t.Fatalf("round trip of %q: %d segments, want %d", in, len(again), len(segs))
		}
		for i := range segs {
			a, b := segs[i], again[i]
			if a.File != b.File || a.Speaker != b.Speaker || a.Channel != b.Channel {
				t.Fatalf("round trip of %q: segment %d = %+v, want %+v", in, i, b, a)
			}
			if math.Abs(a.Start-b.Start) > 5e-4*math.Max(1, a.Start*1e-12) || math.Abs(a.Dur-b.Dur) > 5e-4*math.Max(1, a.Dur*1e-12) {
				t.Fatalf("round trip of %q: segment %d times %v+%v, want %v+%v", in, i, b.Start, b.Dur, a.Start, a.Dur)
			}
		}
	})
}

// Package rttm reads and writes RTTM, the NIST Rich Transcription Time
// Marked format that diarization tools and scorers exchange: one SPEAKER
// line per turn, ten whitespace-separated fields, times in seconds.
//
// The reader follows the rules the format's users rely on (see
// shared/PROTOCOLS.md §2): any whitespace separates fields, lines that are
// not SPEAKER lines (other record types, ";;" comments, blank lines) are
// ignored, durations may be 0, and turns may overlap and come in any order.
package rttm

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// Segment is one SPEAKER line: Speaker talks in File from Start for Dur
// seconds.
type Segment struct {
	File    string
	Channel string
	Start   float64
	Dur     float64
	Speaker string
}

// End is Start + Dur, computed as the scorer computes it.
func (s Segment) End() float64 { return s.Start + s.Dur }

// Parse reads every SPEAKER line of r. A SPEAKER line without exactly ten
// fields, or with a start or duration that is not a finite number >= 0,
// is an error naming the line.
func Parse(r io.Reader) ([]Segment, error) {
	var out []Segment
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		seg, ok, err := parseLine(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("rttm: line %d: %w", n, err)
		}
		if ok {
			out = append(out, seg)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("rttm: %w", err)
	}
	return out, nil
}

// ParseString is Parse over a string, for the frames a Diart server sends.
func ParseString(s string) ([]Segment, error) {
	return Parse(strings.NewReader(s))
}

func parseLine(line string) (Segment, bool, error) {
	f := strings.Fields(line)
	if len(f) == 0 || f[0] != "SPEAKER" {
		return Segment{}, false, nil
	}
	if len(f) != 10 {
		return Segment{}, false, fmt.Errorf("SPEAKER line has %d fields, want 10", len(f))
	}
	start, err := parseTime(f[3])
	if err != nil {
		return Segment{}, false, fmt.Errorf("onset (field 4): %w", err)
	}
	dur, err := parseTime(f[4])
	if err != nil {
		return Segment{}, false, fmt.Errorf("duration (field 5): %w", err)
	}
	return Segment{File: f[1], Channel: f[2], Start: start, Dur: dur, Speaker: f[7]}, true, nil
}

func parseTime(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0, fmt.Errorf("%q is not a time >= 0", s)
	}
	return v, nil
}

// Write writes segs as SPEAKER lines with times to the millisecond, as
// pyannote does. A file or speaker name that is empty or holds whitespace
// would make the line unreadable, so it is an error.
func Write(w io.Writer, segs []Segment) error {
	bw := bufio.NewWriter(w)
	for i, s := range segs {
		if err := checkName("file", s.File); err != nil {
			return fmt.Errorf("rttm: segment %d: %w", i, err)
		}
		if err := checkName("speaker", s.Speaker); err != nil {
			return fmt.Errorf("rttm: segment %d: %w", i, err)
		}
		ch := s.Channel
		if ch == "" {
			ch = "1"
		}
		if err := checkName("channel", ch); err != nil {
			return fmt.Errorf("rttm: segment %d: %w", i, err)
		}
		if !(s.Start >= 0) || !(s.Dur >= 0) || math.IsInf(s.Start+s.Dur, 0) {
			return fmt.Errorf("rttm: segment %d: start %v, duration %v: want finite times >= 0", i, s.Start, s.Dur)
		}
		fmt.Fprintf(bw, "SPEAKER %s %s %.3f %.3f <NA> <NA> %s <NA> <NA>\n", s.File, ch, s.Start, s.Dur, s.Speaker)
	}
	return bw.Flush()
}

func checkName(field, v string) error {
	if v == "" {
		return fmt.Errorf("%s name is empty", field)
	}
	if strings.IndexFunc(v, unicode.IsSpace) >= 0 {
		return fmt.Errorf("%s name %q holds whitespace", field, v)
	}
	return nil
}

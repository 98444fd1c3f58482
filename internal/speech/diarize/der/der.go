// Package der scores diarization output with the diarization error rate,
// by exactly the rules of shared/bench/diarization/score_der.py: scoring is
// event based (no frames), overlapping speech counts once per speaker, the
// reference→hypothesis speaker mapping is per file the one-to-one mapping
// that maximises the time both speak (Hungarian algorithm), a collar leaves
// ±C s around every reference boundary out, skip-overlap leaves out regions
// where several reference speakers talk, and the overall figure is total
// errors over total speech across files.
package der

import (
	"math"
	"sort"

	"github.com/gmc-project/gmc/internal/speech/diarize/rttm"
)

// Options are the scorer's flags.
type Options struct {
	// Collar is the seconds left out on each side of every reference
	// segment boundary (score_der.py --collar; 0.25 is usual).
	Collar float64
	// SkipOverlap leaves out regions with two or more reference speakers.
	SkipOverlap bool
}

// Result is the error of one file or of all files, in seconds.
type Result struct {
	Total      float64 // reference speech, once per speaker
	Missed     float64
	FalseAlarm float64
	Confusion  float64
	// Mapping is reference speaker → hypothesis speaker (per file only).
	Mapping map[string]string
}

// DER is (missed + false alarm + confusion) / total, 0 when there is no
// reference speech.
func (r Result) DER() float64 {
	if r.Total == 0 {
		return 0
	}
	return (r.Missed + r.FalseAlarm + r.Confusion) / r.Total
}

// Report is a whole scoring run.
type Report struct {
	Files   map[string]Result // by RTTM file field
	Overall Result
	// HypOnly lists hypothesis files that have no reference, sorted; they
	// are not scored.
	HypOnly []string
}

// interval is [s, e) in seconds.
type interval struct{ s, e float64 }

// speakers is one file's segments: speaker → merged, sorted intervals.
type speakers map[string][]interval

// Score scores hyp against ref the way score_der.py does for the same
// files: every file of ref is scored, a file with no hypothesis lines as
// all missed.
func Score(ref, hyp []rttm.Segment, opts Options) Report {
	r, h := byFile(ref), byFile(hyp)
	rep := Report{Files: make(map[string]Result, len(r))}
	names := make([]string, 0, len(r))
	for f := range r {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		res := scoreFile(r[f], h[f], opts)
		rep.Files[f] = res
		rep.Overall.Total += res.Total
		rep.Overall.Missed += res.Missed
		rep.Overall.FalseAlarm += res.FalseAlarm
		rep.Overall.Confusion += res.Confusion
	}
	for f := range h {
		if _, ok := r[f]; !ok {
			rep.HypOnly = append(rep.HypOnly, f)
		}
	}
	sort.Strings(rep.HypOnly)
	return rep
}

// byFile groups segments by file and speaker, dropping zero-length ones and
// merging each speaker's overlapping or touching segments.
func byFile(segs []rttm.Segment) map[string]speakers {
	out := make(map[string]speakers)
	for _, sg := range segs {
		if !(sg.Dur > 0) {
			continue
		}
		spk := out[sg.File]
		if spk == nil {
			spk = make(speakers)
			out[sg.File] = spk
		}
		spk[sg.Speaker] = append(spk[sg.Speaker], interval{sg.Start, sg.Start + sg.Dur})
	}
	for _, spk := range out {
		for who, iv := range spk {
			spk[who] = merge(iv)
		}
	}
	return out
}

func merge(iv []interval) []interval {
	sort.Slice(iv, func(i, j int) bool {
		if iv[i].s != iv[j].s {
			return iv[i].s < iv[j].s
		}
		return iv[i].e < iv[j].e
	})
	var out []interval
	for _, x := range iv {
		if n := len(out); n > 0 && x.s <= out[n-1].e {
			out[n-1].e = math.Max(out[n-1].e, x.e)
			continue
		}
		out = append(out, x)
	}
	return out
}

func scoreFile(ref, hyp speakers, opts Options) Result {
	var excluded []interval
	if opts.Collar > 0 {
		for _, segs := range ref {
			for _, x := range segs {
				excluded = append(excluded,
					interval{x.s - opts.Collar, x.s + opts.Collar},
					interval{x.e - opts.Collar, x.e + opts.Collar})
			}
		}
	}
	if opts.SkipOverlap {
		for _, ev := range sweep(ref, nil, nil) {
			if len(ev.ref) > 1 {
				excluded = append(excluded, interval{ev.s, ev.e})
			}
		}
	}
	events := sweep(ref, hyp, merge(excluded))

	rs, hs := sortedKeys(ref), sortedKeys(hyp)
	ri, hi := index(rs), index(hs)
	co := make([][]float64, len(rs))
	for i := range co {
		co[i] = make([]float64, len(hs))
	}
	for _, ev := range events {
		for _, x := range ev.ref {
			for _, y := range ev.hyp {
				co[ri[x]][hi[y]] += ev.e - ev.s
			}
		}
	}
	res := Result{Mapping: map[string]string{}}
	if len(rs) > 0 && len(hs) > 0 {
		for i, j := range hungarianMax(co) {
			if co[i][j] > 0 {
				res.Mapping[rs[i]] = hs[j]
			}
		}
	}
	for _, ev := range events {
		d := ev.e - ev.s
		nr, nh := float64(len(ev.ref)), float64(len(ev.hyp))
		correct := 0.0
		for _, x := range ev.ref {
			if y, ok := res.Mapping[x]; ok && contains(ev.hyp, y) {
				correct++
			}
		}
		res.Total += d * nr
		res.Missed += d * math.Max(0, nr-nh)
		res.FalseAlarm += d * math.Max(0, nh-nr)
		res.Confusion += d * (math.Min(nr, nh) - correct)
	}
	return res
}

// event is an elementary interval with who speaks in it.
type event struct {
	s, e     float64
	ref, hyp []string
}

type change struct {
	kind byte // 'r', 'h' or 'x' (excluded)
	who  string
	d    int
}

// sweep cuts the timeline at every boundary and returns the pieces outside
// excluded where anyone speaks.
func sweep(ref, hyp speakers, excluded []interval) []event {
	changes := make(map[float64][]change)
	add := func(kind byte, spk speakers) {
		for who, segs := range spk {
			for _, x := range segs {
				changes[x.s] = append(changes[x.s], change{kind, who, 1})
				changes[x.e] = append(changes[x.e], change{kind, who, -1})
			}
		}
	}
	add('r', ref)
	add('h', hyp)
	for _, x := range excluded {
		changes[x.s] = append(changes[x.s], change{'x', "", 1})
		changes[x.e] = append(changes[x.e], change{'x', "", -1})
	}
	times := make([]float64, 0, len(changes))
	for t := range changes {
		times = append(times, t)
	}
	sort.Float64s(times)
	act := map[byte]map[string]int{'r': {}, 'h': {}}
	excl := 0
	var events []event
	for i, t := range times {
		for _, c := range changes[t] {
			if c.kind == 'x' {
				excl += c.d
			} else {
				act[c.kind][c.who] += c.d
			}
		}
		if i+1 < len(times) && excl == 0 {
			r, h := active(act['r']), active(act['h'])
			if len(r) > 0 || len(h) > 0 {
				events = append(events, event{t, times[i+1], r, h})
			}
		}
	}
	return events
}

func active(m map[string]int) []string {
	var out []string
	for k, c := range m {
		if c > 0 {
			out = append(out, k)
		}
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func sortedKeys(spk speakers) []string {
	out := make([]string, 0, len(spk))
	for k := range spk {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func index(xs []string) map[string]int {
	m := make(map[string]int, len(xs))
	for i, x := range xs {
		m[x] = i
	}
	return m
}

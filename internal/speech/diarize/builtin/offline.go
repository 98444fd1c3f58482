package builtin

import (
	"math"

	"github.com/gmc-project/gmc/internal/speech"
)

// DiarizeOffline diarizes a whole recording: the segments of the streaming
// pass are clustered again, agglomeratively (closest pair of clusters first,
// until none is within ClusterDist), so that no decision depends on the
// order in which the voices came. Labels are numbered by first appearance.
// The live pipeline cannot use it (it revises labels); it shows what the
// streaming clustering's greediness costs.
func (d *Diarizer) DiarizeOffline(samples []float32) []speech.Turn {
	e := newEngine(d.p)
	e.keepSegs = true
	e.push(samples)
	e.flush()
	segs := e.segs
	minNew := float64(e.minNew)
	// Clusters start from the segments long enough to open a speaker.
	var cl []stats
	owner := make([]int, len(segs))
	for i := range segs {
		owner[i] = -1
		if segs[i].st.n >= minNew {
			owner[i] = len(cl)
			var c stats
			c.absorb(&segs[i].st)
			cl = append(cl, c)
		}
	}
	alive := make([]bool, len(cl))
	for i := range alive {
		alive[i] = true
	}
	parent := make([]int, len(cl))
	for i := range parent {
		parent[i] = i
	}
	for {
		bi, bj, bd := -1, -1, math.Inf(1)
		for i := range cl {
			for j := i + 1; j < len(cl) && alive[i]; j++ {
				if alive[j] {
					if dd := voiceDist(&cl[i], &cl[j], d.p.PitchWeight); dd < bd {
						bi, bj, bd = i, j, dd
					}
				}
			}
		}
		if bi < 0 || bd > d.p.ClusterDist {
			break
		}
		cl[bi].merge(&cl[bj])
		alive[bj] = false
		parent[bj] = bi
	}
	root := func(i int) int {
		for parent[i] != i {
			i = parent[i]
		}
		return i
	}
	for i := range segs {
		if owner[i] >= 0 {
			owner[i] = root(owner[i])
			continue
		}
		best, bd := -1, math.Inf(1)
		for j := range cl {
			if alive[j] {
				if dd := voiceDist(&segs[i].st, &cl[j], d.p.PitchWeight); dd < bd {
					best, bd = j, dd
				}
			}
		}
		owner[i] = best
	}
	names := map[int]int{}
	var out []speech.Turn
	for i, s := range segs {
		if owner[i] < 0 {
			continue
		}
		if _, ok := names[owner[i]]; !ok {
			names[owner[i]] = len(names)
		}
		lab := label(names[owner[i]])
		start, end := frameMS(s.start), frameMS(s.end)
		if n := len(out); n > 0 && out[n-1].Label == lab && out[n-1].EndMS+int64(e.gap)*10 >= start {
			out[n-1].EndMS = end
			continue
		}
		out = append(out, speech.Turn{StartMS: start, EndMS: end, Label: lab})
	}
	return out
}

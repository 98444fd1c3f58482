package summary

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/gmc-project/gmc/internal/gmc"
)

// Builtin summarises without a model: scenes split where the table
// paused or the words changed (TextTiling's lexical cohesion between
// windows), kinds from cue lexicons and keyword hits, an extractive
// recap by TextRank over sentences, and facts from rules over the words.
type Builtin struct {
	// PauseMS is the silence that always ends a scene; 0 is 20 s.
	PauseMS int64
	// Window is how many segments each side of a gap are compared for a
	// change of topic; 0 is 6.
	Window int
	// MinScene is the fewest segments a scene split by topic has; 0 is 6.
	MinScene int
	// RecapLines bounds each recap; 0 lets it grow with the session, from
	// 5 to 25 lines.
	RecapLines int
}

var _ Summarizer = Builtin{}

// sentence is one sentence of a segment.
type sentence struct {
	seg        int // index into the segments
	start, end int // byte span in the segment's text
	text       string
	terms      []string
}

// run is the working state of one summary.
type run struct {
	b     Builtin
	in    SummaryInput
	segs  []Segment
	words [][]word
	// segHits are the hits of each segment.
	segHits [][]*gmc.KeywordHit
	chars   map[string]*Entity
	locs    map[string]*Entity
	// mentions are the characters and locations each segment names.
	mentions [][]entityMatch
	// gmOnly marks, per segment, the byte spans naming GM-only things.
	gmOnly [][][2]int
	out    *Summary
}

type entityMatch struct {
	e          *Entity
	start, end int
}

func (b Builtin) progress(in SummaryInput, f float64, msg string) {
	if in.Progress != nil {
		in.Progress(f, msg)
	}
}

// Summarize makes the session's summary from its transcript.
func (b Builtin) Summarize(ctx context.Context, in SummaryInput) (*Summary, error) {
	if b.PauseMS <= 0 {
		b.PauseMS = 20_000
	}
	if b.Window <= 0 {
		b.Window = 6
	}
	if b.MinScene <= 0 {
		b.MinScene = 6
	}
	r := &run{b: b, in: in, segs: in.Segments, chars: map[string]*Entity{}, locs: map[string]*Entity{},
		out: &Summary{SessionSummary: gmc.SessionSummary{Mode: "builtin", View: "gm"}, Proposals: []*gmc.Proposal{}}}
	b.progress(in, 0.05, "reading the transcript")
	r.index()
	steps := []struct {
		msg string
		do  func()
	}{
		{"splitting scenes", r.scenes},
		{"finding entities", r.entities},
		{"finding plot points", r.plotPoints},
		{"finding relationship changes", r.relationships},
		{"finding achievements", r.achievements},
		{"finding places visited", r.locationsVisited},
		{"finding new names", r.newNames},
		{"ranking sentences for the recap", r.recaps},
	}
	for i, st := range steps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b.progress(in, 0.1+0.8*float64(i)/float64(len(steps)), st.msg)
		st.do()
	}
	b.progress(in, 0.9, "summary made")
	return r.out, nil
}

// index reads the segments' words, hits and entity mentions.
func (r *run) index() {
	n := len(r.segs)
	r.words = make([][]word, n)
	r.segHits = make([][]*gmc.KeywordHit, n)
	r.mentions = make([][]entityMatch, n)
	r.gmOnly = make([][][2]int, n)
	bySeg := map[string]int{}
	for i, s := range r.segs {
		r.words[i] = words(s.Text)
		bySeg[s.ID] = i
	}
	for _, h := range r.in.Hits {
		if i, ok := bySeg[h.SegmentID]; ok {
			r.segHits[i] = append(r.segHits[i], h)
			if h.GMOnly {
				r.gmOnly[i] = append(r.gmOnly[i], h.Span)
			}
		}
	}
	var all []*Entity
	for i := range r.in.Characters {
		e := &r.in.Characters[i]
		r.chars[e.ID] = e
		all = append(all, e)
	}
	for i := range r.in.Locations {
		e := &r.in.Locations[i]
		r.locs[e.ID] = e
		all = append(all, e)
	}
	var m phraseMatcher
	for k, e := range all {
		m.add(e.Name, k)
		for _, a := range e.Aliases {
			m.add(a, k)
		}
	}
	var secrets phraseMatcher
	for k, s := range r.in.Secrets {
		secrets.add(s, k)
	}
	for _, p := range r.in.Plots {
		if p.GMOnly {
			secrets.add(p.Title, 0)
		}
	}
	for i := range r.segs {
		for _, mt := range longestFirst(m.find(r.words[i])) {
			e := all[mt.key]
			r.mentions[i] = append(r.mentions[i], entityMatch{e: e, start: mt.start, end: mt.end})
			if e.GMOnly {
				r.gmOnly[i] = append(r.gmOnly[i], [2]int{mt.start, mt.end})
			}
		}
		for _, mt := range secrets.find(r.words[i]) {
			r.gmOnly[i] = append(r.gmOnly[i], [2]int{mt.start, mt.end})
		}
	}
}

// longestFirst keeps non-overlapping matches, longer ones first ("Old
// Tom" over "Tom").
func longestFirst(ms []match) []match {
	slices.SortStableFunc(ms, func(a, b match) int { return cmp.Compare(b.end-b.start, a.end-a.start) })
	var out []match
	for _, m := range ms {
		if !slices.ContainsFunc(out, func(o match) bool { return m.start < o.end && o.start < m.end }) {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b match) int { return cmp.Compare(a.start, b.start) })
	return out
}

// segmentGMOnly reports whether segment i names anything GM-only.
func (r *run) segmentGMOnly(i int) bool { return len(r.gmOnly[i]) > 0 }

func (r *run) ids(idx ...int) []string {
	out := make([]string, 0, len(idx))
	for _, i := range idx {
		if !slices.Contains(out, r.segs[i].ID) {
			out = append(out, r.segs[i].ID)
		}
	}
	return out
}

// kindScores counts the cues of each kind in segment i.
func (r *run) kindScores(i int) map[gmc.SceneKind]float64 {
	sc := map[gmc.SceneKind]float64{}
	for _, w := range r.words[i] {
		s := stem(w.lower)
		for k, lex := range cues {
			if lex[s] || lex[w.lower] {
				sc[k]++
			}
		}
	}
	for _, h := range r.segHits[i] {
		key := h.Category
		if h.Kind == gmc.HitRule {
			key = h.TermKey
		}
		if hk, ok := hitKinds[key]; ok {
			sc[hk.kind] += hk.weight
		}
	}
	for _, m := range r.mentions[i] {
		if m.e.Kind == "location" {
			sc[gmc.SceneExploration] += 0.5
		}
	}
	return sc
}

// scenes splits the session into scenes and classifies them.
func (r *run) scenes() {
	n := len(r.segs)
	r.out.Scenes = []gmc.Scene{}
	if n == 0 {
		return
	}
	// Each segment's vector: its content words by TF-IDF, and its cues
	// as pseudo-words, so a change of activity reads as a change of topic.
	df := map[string]int{}
	terms := make([][]string, n)
	scores := make([]map[gmc.SceneKind]float64, n)
	for i, s := range r.segs {
		terms[i] = contentTerms(s.Text)
		seen := map[string]bool{}
		for _, t := range terms[i] {
			if !seen[t] {
				df[t]++
				seen[t] = true
			}
		}
		scores[i] = r.kindScores(i)
	}
	vec := func(lo, hi int) vector {
		v := vector{}
		for i := max(lo, 0); i < min(hi, n); i++ {
			for _, t := range terms[i] {
				v[t] += math.Log(float64(n+1) / float64(df[t]))
			}
			for k, x := range scores[i] {
				v["#"+string(k)] += 3 * x
			}
		}
		return v
	}
	w := r.b.Window
	// cohesion[g] compares the windows before and after gap g (between
	// segments g-1 and g).
	cohesion := make([]float64, n)
	for g := 1; g < n; g++ {
		cohesion[g] = cosine(vec(g-w, g), vec(g, g+w))
	}
	// Depth: how far cohesion dips below the peaks on either side.
	depth := make([]float64, n)
	var sum, sq float64
	for g := 1; g < n; g++ {
		l, rr := cohesion[g], cohesion[g]
		for k := g - 1; k >= 1 && cohesion[k] >= l; k-- {
			l = cohesion[k]
		}
		for k := g + 1; k < n && cohesion[k] >= rr; k++ {
			rr = cohesion[k]
		}
		depth[g] = (l - cohesion[g]) + (rr - cohesion[g])
		sum += depth[g]
		sq += depth[g] * depth[g]
	}
	mean := sum / float64(max(n-1, 1))
	sd := math.Sqrt(max(sq/float64(max(n-1, 1))-mean*mean, 0))
	cut := mean + sd/2
	// Candidate cuts, deepest first, at least MinScene segments apart;
	// pauses always cut.
	type gap struct {
		at    int
		depth float64
	}
	var cands []gap
	for g := 1; g < n; g++ {
		if depth[g] > cut && depth[g] >= depth[g-1] && (g+1 >= n || depth[g] >= depth[g+1]) {
			cands = append(cands, gap{g, depth[g]})
		}
	}
	slices.SortFunc(cands, func(a, b gap) int { return cmp.Compare(b.depth, a.depth) })
	cuts := map[int]bool{}
	for g := 1; g < n; g++ {
		if r.segs[g].StartMS-r.segs[g-1].EndMS >= r.b.PauseMS {
			cuts[g] = true
		}
	}
	for _, c := range cands {
		ok := c.at >= r.b.MinScene && n-c.at >= r.b.MinScene
		for k := range cuts {
			if abs(k-c.at) < r.b.MinScene {
				ok = false
			}
		}
		if ok {
			cuts[c.at] = true
		}
	}
	// Where the activity itself changes (the kind that dominates the
	// segments around each one), cut too: talk about the same people can
	// run from the tavern into the shop without the words changing much.
	labels := r.smoothedKinds(scores)
	for g := 1; g < n; g++ {
		if labels[g] == labels[g-1] {
			continue
		}
		ok := true
		for k := range cuts {
			if abs(k-g) < r.b.MinScene/2 {
				ok = false
			}
		}
		if ok {
			cuts[g] = true
		}
	}
	bounds := []int{0}
	for g := 1; g < n; g++ {
		if cuts[g] {
			bounds = append(bounds, g)
		}
	}
	bounds = append(bounds, n)
	for k := 0; k+1 < len(bounds); k++ {
		lo, hi := bounds[k], bounds[k+1]
		kind, cueWords := r.classify(lo, hi, scores)
		idx := make([]int, 0, hi-lo)
		for i := lo; i < hi; i++ {
			idx = append(idx, i)
		}
		sc := gmc.Scene{Kind: kind, StartMS: r.segs[lo].StartMS, EndMS: r.segs[hi-1].EndMS, FirstSeq: r.segs[lo].Seq, LastSeq: r.segs[hi-1].Seq,
			Cues: cueWords, Evidence: gmc.Evidence{SegmentIDs: r.ids(idx...)}}
		// Two neighbours of one kind are one scene.
		if last := len(r.out.Scenes) - 1; last >= 0 && r.out.Scenes[last].Kind == kind && r.segs[lo].StartMS-r.out.Scenes[last].EndMS < r.b.PauseMS {
			prev := &r.out.Scenes[last]
			prev.EndMS, prev.LastSeq = sc.EndMS, sc.LastSeq
			prev.SegmentIDs = append(prev.SegmentIDs, sc.SegmentIDs...)
			prev.Cues = topWords(append(prev.Cues, sc.Cues...), 8)
			continue
		}
		r.out.Scenes = append(r.out.Scenes, sc)
	}
}

// smoothedKinds labels each segment with the kind that wins over the
// window around it, then folds runs shorter than half a scene into the
// run before them.
func (r *run) smoothedKinds(scores []map[gmc.SceneKind]float64) []gmc.SceneKind {
	n := len(scores)
	half := r.b.Window / 2
	labels := make([]gmc.SceneKind, n)
	for i := range n {
		kind, _ := r.classify(max(0, i-half), min(n, i+half+1), scores)
		labels[i] = kind
	}
	minRun := max(r.b.MinScene/2, 2)
	for i := 0; i < n; {
		j := i
		for j < n && labels[j] == labels[i] {
			j++
		}
		if j-i < minRun && i > 0 {
			for k := i; k < j; k++ {
				labels[k] = labels[i-1]
			}
		}
		i = j
	}
	return labels
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// classify picks the kind of segments [lo, hi) and the cue words heard.
func (r *run) classify(lo, hi int, scores []map[gmc.SceneKind]float64) (gmc.SceneKind, []string) {
	total := map[gmc.SceneKind]float64{}
	var cueWords []string
	for i := lo; i < hi; i++ {
		for k, x := range scores[i] {
			total[k] += x
		}
	}
	best, bestScore := gmc.SceneRoleplay, 0.0
	for _, k := range gmc.SceneKinds {
		// Talk is the default: roleplay cues count less, so that a scene
		// of fighting words with some talk stays a fight.
		s := total[k]
		if k == gmc.SceneRoleplay {
			s *= 0.6
		}
		if s > bestScore {
			best, bestScore = k, s
		}
	}
	// Too few cues of any kind: people talking.
	if bestScore < 1.5 {
		best = gmc.SceneRoleplay
	}
	for i := lo; i < hi; i++ {
		for _, w := range r.words[i] {
			if cues[best][stem(w.lower)] || cues[best][w.lower] {
				cueWords = append(cueWords, w.lower)
			}
		}
	}
	return best, topWords(cueWords, 8)
}

// topWords returns the n most frequent words, most frequent first.
func topWords(ws []string, n int) []string {
	count := map[string]int{}
	for _, w := range ws {
		count[w]++
	}
	out := make([]string, 0, len(count))
	for w := range count {
		out = append(out, w)
	}
	slices.SortFunc(out, func(a, b string) int {
		if c := cmp.Compare(count[b], count[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// entities gathers the keyword engine's term hits and the campaign's
// names heard in the text.
func (r *run) entities() {
	byKey := map[string]*gmc.EntityMention{}
	var order []string
	add := func(key, name, category, ref string, gmOnly bool, seg int) {
		e, ok := byKey[key]
		if !ok {
			e = &gmc.EntityMention{Key: key, Name: name, Category: category, Ref: ref, GMOnly: gmOnly, Evidence: gmc.Evidence{SegmentIDs: []string{}}}
			byKey[key] = e
			order = append(order, key)
		}
		e.Count++
		e.GMOnly = e.GMOnly || gmOnly
		if id := r.segs[seg].ID; !slices.Contains(e.SegmentIDs, id) {
			e.SegmentIDs = append(e.SegmentIDs, id)
		}
	}
	for i := range r.segs {
		seen := map[string]bool{}
		for _, h := range r.segHits[i] {
			if h.Kind != gmc.HitTerm {
				continue
			}
			seen[h.TermKey] = true
			add(h.TermKey, h.Name, h.Category, h.Ref, h.GMOnly, i)
		}
		for _, m := range r.mentions[i] {
			key, ref := "character:"+m.e.ID, "characters/"+m.e.ID
			if m.e.Kind == "location" {
				key, ref = "location:"+m.e.ID, "locations/"+m.e.ID
			}
			if !seen[key] {
				seen[key] = true
				add(key, m.e.Name, m.e.Kind, ref, m.e.GMOnly, i)
			}
		}
	}
	r.out.Entities = []gmc.EntityMention{}
	for _, k := range order {
		r.out.Entities = append(r.out.Entities, *byKey[k])
	}
}

// sentenceOf returns the sentence of segment i around byte offset at.
func (r *run) sentenceOf(i, at int) string {
	t := r.segs[i].Text
	lo := strings.LastIndexAny(t[:at], ".!?") + 1
	hi := strings.IndexAny(t[at:], ".!?")
	if hi < 0 {
		hi = len(t)
	} else {
		hi += at + 1
	}
	return strings.TrimSpace(t[lo:hi])
}

// hasWord reports the first word of segment i found in lex (stemmed).
func (r *run) hasWord(i int, lex map[string]bool) (word, bool) {
	for _, w := range r.words[i] {
		if lex[stem(w.lower)] || lex[w.lower] {
			return w, true
		}
	}
	return word{}, false
}

func (r *run) propose(kind gmc.ProposalKind, target string, payload any, seg ...int) {
	b, err := json.Marshal(payload)
	if err != nil {
		panic(fmt.Sprintf("summary: payload %T: %v", payload, err)) // our own structs always marshal
	}
	for _, p := range r.out.Proposals {
		if p.Kind == kind && p.Target == target {
			for _, id := range r.ids(seg...) {
				if !slices.Contains(p.SegmentIDs, id) {
					p.SegmentIDs = append(p.SegmentIDs, id)
				}
			}
			return
		}
	}
	r.out.Proposals = append(r.out.Proposals, &gmc.Proposal{Kind: kind, Target: target, Payload: b, Status: gmc.ProposalPending,
		Evidence: gmc.Evidence{SegmentIDs: r.ids(seg...)}})
}

// plotPoints finds threads whose title or people come up with a decisive
// word, and milestones said to be done.
func (r *run) plotPoints() {
	r.out.PlotPoints = []gmc.PlotPoint{}
	for _, p := range r.in.Plots {
		title := contentTerms(p.Title)
		var hits []int
		var firstWord string
		for i := range r.segs {
			w, ok := r.hasWord(i, decisive)
			if !ok || !r.namesPlot(i, p, title) {
				continue
			}
			if firstWord == "" {
				firstWord = w.lower
			}
			hits = append(hits, i)
			r.out.PlotPoints = append(r.out.PlotPoints, gmc.PlotPoint{PlotID: p.ID, Title: p.Title, Word: w.lower, Text: r.sentenceOf(i, w.start),
				GMOnly: p.GMOnly || r.segmentGMOnly(i), Evidence: gmc.Evidence{SegmentIDs: r.ids(i)}})
		}
		// A milestone is done when most of its title is said with a
		// decisive word, whether or not the thread is named.
		for _, m := range p.Milestones {
			if m.Done {
				continue
			}
			mt := contentTerms(m.Title)
			for i := range r.segs {
				if _, ok := r.hasWord(i, decisive); ok && coverage(mt, r.words[i]) >= 0.6 {
					r.propose(gmc.ProposeMilestoneDone, m.ID, gmc.MilestonePayload{PlotID: p.ID, MilestoneID: m.ID, Title: m.Title}, i)
				}
			}
		}
		if len(hits) == 0 || p.Status.Closed() {
			continue
		}
		pp := gmc.PlotProgressPayload{PlotID: p.ID, Title: p.Title, Word: firstWord, Progress: min(100, p.Progress+25), Status: gmc.PlotActive}
		for _, i := range hits {
			if w, ok := r.hasWord(i, closing); ok && coverage(title, r.words[i]) >= 0.6 {
				pp.Progress, pp.Status, pp.Word = 100, gmc.PlotResolved, w.lower
			}
		}
		r.propose(gmc.ProposePlotProgress, p.ID, pp, hits...)
	}
}

// namesPlot reports whether segment i names thread p: most of its title's
// words, or one of its characters or places.
func (r *run) namesPlot(i int, p Plot, title []string) bool {
	if len(title) > 0 && coverage(title, r.words[i]) >= 0.6 {
		return true
	}
	for _, m := range r.mentions[i] {
		if slices.Contains(p.CharacterIDs, m.e.ID) || slices.Contains(p.LocationIDs, m.e.ID) {
			return true
		}
	}
	return false
}

// coverage is the share of terms found among ws.
func coverage(terms []string, ws []word) float64 {
	if len(terms) == 0 {
		return 0
	}
	have := map[string]bool{}
	for _, w := range ws {
		have[stem(w.lower)] = true
	}
	n := 0
	for _, t := range terms {
		if have[t] {
			n++
		}
	}
	return float64(n) / float64(len(terms))
}

// characters named in segment i, in order, without repeats.
func (r *run) characters(i int) []*Entity {
	var out []*Entity
	for _, m := range r.mentions[i] {
		if m.e.Kind != "location" && !slices.Contains(out, m.e) {
			out = append(out, m.e)
		}
	}
	return out
}

// relationships finds two characters named together (or one named by
// another's player) with a word of attitude.
func (r *run) relationships() {
	r.out.Relationships = []gmc.RelationshipShift{}
	type pair struct{ a, b string }
	agg := map[pair]*gmc.RelationshipShift{}
	var order []pair
	for i, s := range r.segs {
		named := r.characters(i)
		if sp := r.chars[s.CharacterID]; sp != nil && !slices.Contains(named, sp) {
			named = append([]*Entity{sp}, named...)
		}
		if len(named) < 2 {
			continue
		}
		delta, wd := 0, word{}
		for _, w := range r.words[i] {
			switch st := stem(w.lower); {
			case warmer[st] || warmer[w.lower]:
				delta += 10
				wd = w
			case colder[st] || colder[w.lower]:
				delta -= 10
				wd = w
			}
		}
		if delta == 0 {
			continue
		}
		src, dst := named[0], named[1]
		k := pair{src.ID, dst.ID}
		sh, ok := agg[k]
		if !ok {
			sh = &gmc.RelationshipShift{SourceID: src.ID, SourceName: src.Name, TargetID: dst.ID, TargetName: dst.Name, Word: wd.lower,
				Text: r.sentenceOf(i, wd.start), Evidence: gmc.Evidence{SegmentIDs: []string{}}}
			agg[k] = sh
			order = append(order, k)
		}
		sh.Delta = max(-100, min(100, sh.Delta+delta))
		sh.GMOnly = sh.GMOnly || src.GMOnly || dst.GMOnly || r.segmentGMOnly(i)
		sh.SegmentIDs = append(sh.SegmentIDs, s.ID)
	}
	for _, k := range order {
		sh := agg[k]
		if sh.Delta == 0 {
			continue
		}
		r.out.Relationships = append(r.out.Relationships, *sh)
		r.proposeIDs(gmc.ProposeAttitudeChange, sh.SourceID+">"+sh.TargetID, gmc.AttitudePayload{SourceID: sh.SourceID, SourceName: sh.SourceName,
			TargetID: sh.TargetID, TargetName: sh.TargetName, Delta: sh.Delta, Word: sh.Word}, sh.SegmentIDs)
	}
}

func (r *run) proposeIDs(kind gmc.ProposalKind, target string, payload any, ids []string) {
	var idx []int
	for i, s := range r.segs {
		if slices.Contains(ids, s.ID) {
			idx = append(idx, i)
		}
	}
	r.propose(kind, target, payload, idx...)
}

var (
	natural20 = regexp.MustCompile(`(?i)\b(natural|nat)[ -]?(20|twenty)\b`)
	levelUp   = regexp.MustCompile(`(?i)\b(level(ed|led)? up|gain(s|ed)? a level|reach(es|ed)? level|(are|is) now level)\b`)
)

// actor is the player character a feat in segment i belongs to: a PC
// named there, else the speaker's character.
func (r *run) actor(i int) *Entity {
	for _, e := range r.characters(i) {
		if e.Kind == "pc" {
			return e
		}
	}
	if e := r.chars[r.segs[i].CharacterID]; e != nil && e.Kind == "pc" {
		return e
	}
	return nil
}

// achievements finds first kills of named foes, natural 20s, level-ups and
// bosses defeated.
func (r *run) achievements() {
	r.out.Achievements = []gmc.Feat{}
	killed := map[string]bool{}
	for i := range r.segs {
		text := r.segs[i].Text
		pc := r.actor(i)
		feat := func(kind, target, title string, at int, gmOnly bool) {
			f := gmc.Feat{Kind: kind, Target: target, Title: title, Text: r.sentenceOf(i, at), GMOnly: gmOnly || r.segmentGMOnly(i),
				Evidence: gmc.Evidence{SegmentIDs: r.ids(i)}}
			if pc != nil {
				f.CharacterID, f.CharacterName = pc.ID, pc.Name
				f.GMOnly = f.GMOnly || pc.GMOnly
			}
			r.out.Achievements = append(r.out.Achievements, f)
			if pc != nil {
				r.propose(gmc.ProposeAchievement, kind+":"+pc.ID+":"+target, gmc.AchievementPayload{CharacterID: pc.ID, CharacterName: pc.Name,
					Kind: kind, Title: title, Description: f.Text}, i)
			}
		}
		natural := natural20.FindStringIndex(text)
		for _, h := range r.segHits[i] {
			if h.TermKey == "rule:natural" && strings.Contains(string(h.Values), "20") && natural == nil {
				natural = []int{h.Span[0], h.Span[1]}
			}
		}
		if natural != nil {
			feat(gmc.FeatNatural20, "", "Natural 20", natural[0], false)
		}
		if loc := levelUp.FindStringIndex(text); loc != nil {
			feat(gmc.FeatLevelUp, "", "Level up", loc[0], false)
		}
		w, ok := r.hasWord(i, killWords)
		if !ok {
			continue
		}
		for _, e := range r.characters(i) {
			if e.Kind != "npc" || killed[e.ID] {
				continue
			}
			killed[e.ID] = true
			boss := slices.Contains(e.Tags, "boss") || slices.Contains(e.Tags, "villain") || strings.Contains(strings.ToLower(text), "boss")
			if boss {
				feat(gmc.FeatBossDefeated, e.ID, "Defeated "+e.Name, w.start, e.GMOnly)
			} else {
				feat(gmc.FeatFirstKill, e.ID, "Slew "+e.Name, w.start, e.GMOnly)
			}
		}
	}
}

// locationsVisited proposes the places the party went to: named with a
// word of arrival.
func (r *run) locationsVisited() {
	for i := range r.segs {
		if _, ok := r.hasWord(i, arrival); !ok {
			continue
		}
		for _, m := range r.mentions[i] {
			if m.e.Kind == "location" {
				r.propose(gmc.ProposeLocationVisited, m.e.ID, gmc.LocationPayload{LocationID: m.e.ID, Name: m.e.Name}, i)
			}
		}
	}
}

// newNames proposes an NPC for a capitalised name heard again and again
// that is no known entity, alias, SRD term or speaker.
func (r *run) newNames() {
	known := map[string]bool{}
	for _, e := range append(slices.Clone(r.in.Characters), r.in.Locations...) {
		for _, n := range append([]string{e.Name}, e.Aliases...) {
			for _, w := range words(n) {
				known[w.lower] = true
			}
		}
	}
	for _, s := range r.segs {
		for _, w := range words(s.Speaker) {
			known[w.lower] = true
		}
	}
	lower := map[string]bool{} // words also heard in lower case: ordinary words
	for i := range r.segs {
		for _, w := range r.words[i] {
			if w.text == w.lower {
				lower[w.lower] = true
			}
		}
	}
	type cand struct {
		name string
		segs []int
		n    int
	}
	cands := map[string]*cand{}
	var order []string
	for i := range r.segs {
		ws := r.words[i]
		text := r.segs[i].Text
		for j := 0; j < len(ws); j++ {
			// A capitalised everyday word before a name belongs to it
			// ("Old Tom").
			lead := j+1 < len(ws) && capitalised(ws[j]) && !notNames[ws[j].lower] && ws[j+1].start-ws[j].end <= 1 &&
				isName(ws[j+1], lower, known, r.in.Known)
			if !lead && !isName(ws[j], lower, known, r.in.Known) {
				continue
			}
			// A run of capitalised words is one name ("Old Tom").
			k := j
			for k+1 < len(ws) && isName(ws[k+1], lower, known, r.in.Known) && ws[k+1].start-ws[k].end <= 1 {
				k++
			}
			name := text[ws[j].start:ws[k].end]
			first := j == 0 || strings.ContainsAny(text[ws[j-1].end:ws[j].start], ".!?")
			before := ""
			if j > 0 {
				before = ws[j-1].lower
			}
			j = k
			if first || places[before] {
				continue // a sentence's first word, or a place
			}
			key := strings.ToLower(name)
			c, ok := cands[key]
			if !ok {
				c = &cand{name: name}
				cands[key] = c
				order = append(order, key)
			}
			c.n++
			if !slices.Contains(c.segs, i) {
				c.segs = append(c.segs, i)
			}
		}
	}
	for _, key := range order {
		c := cands[key]
		if c.n >= 3 && len(c.segs) >= 2 {
			r.propose(gmc.ProposeNewNPC, key, gmc.NewNPCPayload{Name: c.name, Mentions: c.n}, c.segs...)
		}
	}
}

func capitalised(w word) bool {
	r0 := []rune(w.text)[0]
	return r0 >= 'A' && r0 <= 'Z' && w.text != strings.ToUpper(w.text)
}

func isName(w word, lower, known map[string]bool, isKnown func(string) bool) bool {
	if w.text == w.lower || w.text == strings.ToUpper(w.text) && len(w.text) > 1 {
		return false // lower case, or an abbreviation
	}
	r0 := []rune(w.text)[0]
	if r0 < 'A' || r0 > 'Z' && r0 < 0x80 {
		return false
	}
	l := strings.TrimSuffix(strings.TrimSuffix(w.lower, "'s"), "’s")
	if notNames[l] || stopWords[l] || lower[l] || known[l] || len(l) < 3 {
		return false
	}
	return isKnown == nil || !isKnown(l)
}

// recaps ranks the transcript's sentences with TextRank and keeps the
// best of each scene and then the best overall, in the order they were
// said; the player recap does the same over the sentences that name
// nothing GM-only.
func (r *run) recaps() {
	var sents []sentence
	for i, s := range r.segs {
		lo := 0
		for lo < len(s.Text) {
			hi := strings.IndexAny(s.Text[lo:], ".!?")
			end := len(s.Text)
			if hi >= 0 {
				end = lo + hi + 1
			}
			text := strings.TrimSpace(s.Text[lo:end])
			if t := contentTerms(text); len(t) >= 3 {
				sents = append(sents, sentence{seg: i, start: lo, end: end, text: text, terms: t})
			}
			lo = end
		}
	}
	rank := textRank(sents)
	k := r.b.RecapLines
	if k <= 0 {
		k = min(25, max(5, len(sents)/8))
	}
	r.out.GMRecap = r.pick(sents, rank, k, func(sentence) bool { return true })
	r.out.PlayerRecap = r.pick(sents, rank, k, func(s sentence) bool {
		// Attributing a line to a GM-only character would name it.
		if c := r.chars[r.segs[s.seg].CharacterID]; c != nil && c.GMOnly {
			return false
		}
		for _, sp := range r.gmOnly[s.seg] {
			if sp[0] < s.end && s.start < sp[1] {
				return false
			}
		}
		return true
	})
}

// textRank scores sentences by PageRank over their TF-IDF cosine
// similarities.
func textRank(sents []sentence) []float64 {
	n := len(sents)
	df := map[string]int{}
	for _, s := range sents {
		seen := map[string]bool{}
		for _, t := range s.terms {
			if !seen[t] {
				df[t]++
				seen[t] = true
			}
		}
	}
	vecs := make([]vector, n)
	for i, s := range sents {
		vecs[i] = vector{}
		for _, t := range s.terms {
			vecs[i][t] += math.Log(float64(n+1) / float64(df[t]))
		}
	}
	// Each sentence keeps its most similar neighbours only: the graph
	// stays sparse (memory linear in the session's length) and a long
	// session's ranking is not drowned by weak links.
	const neighbours = 20
	type edge struct {
		to int
		w  float64
	}
	norms := make([]float64, n)
	type posting struct {
		s int
		w float64
	}
	postings := map[string][]posting{}
	for i, v := range vecs {
		norms[i] = v.norm()
		for t, w := range v {
			postings[t] = append(postings[t], posting{i, w})
		}
	}
	adj := make([][]edge, n)
	acc := make([]float64, n)
	var touched []int
	for i, v := range vecs {
		touched = touched[:0]
		for t, w := range v {
			for _, p := range postings[t] {
				if p.s == i {
					continue
				}
				if acc[p.s] == 0 {
					touched = append(touched, p.s)
				}
				acc[p.s] += w * p.w
			}
		}
		var row []edge
		for _, j := range touched {
			if c := acc[j] / (norms[i] * norms[j]); c > 0.05 {
				row = append(row, edge{j, c})
			}
			acc[j] = 0
		}
		slices.SortFunc(row, func(a, b edge) int { return cmp.Compare(b.w, a.w) })
		if len(row) > neighbours {
			row = row[:neighbours]
		}
		for _, e := range row {
			adj[i] = append(adj[i], e)
			adj[e.to] = append(adj[e.to], edge{i, e.w})
		}
	}
	out := make([]float64, n)
	for i := range adj {
		// A pair kept by both ends is one link, not two.
		slices.SortFunc(adj[i], func(a, b edge) int { return cmp.Compare(a.to, b.to) })
		adj[i] = slices.CompactFunc(adj[i], func(a, b edge) bool { return a.to == b.to })
		for _, e := range adj[i] {
			out[i] += e.w
		}
	}
	rank := make([]float64, n)
	for i := range rank {
		rank[i] = 1
	}
	next := make([]float64, n)
	const d = 0.85
	for range 30 {
		for i := range next {
			next[i] = 1 - d
		}
		for i := range n {
			if out[i] == 0 {
				continue
			}
			for _, e := range adj[i] {
				next[e.to] += d * rank[i] * e.w / out[i]
			}
		}
		rank, next = next, rank
	}
	return rank
}

func (r *run) pick(sents []sentence, rank []float64, k int, allowed func(sentence) bool) []gmc.RecapLine {
	var cand []int
	for i, s := range sents {
		if allowed(s) {
			cand = append(cand, i)
		}
	}
	slices.SortStableFunc(cand, func(a, b int) int { return cmp.Compare(rank[b], rank[a]) })
	chosen := map[int]bool{}
	// The best sentence of each scene first, so every scene is told.
	for _, sc := range r.out.Scenes {
		for _, c := range cand {
			if len(chosen) >= k {
				break
			}
			seq := r.segs[sents[c].seg].Seq
			if seq >= sc.FirstSeq && seq <= sc.LastSeq {
				chosen[c] = true
				break
			}
		}
	}
	for _, c := range cand {
		if len(chosen) >= k {
			break
		}
		chosen[c] = true
	}
	var idx []int
	for c := range chosen {
		idx = append(idx, c)
	}
	slices.Sort(idx)
	lines := []gmc.RecapLine{}
	for _, c := range idx {
		s := sents[c]
		speaker := r.segs[s.seg].Speaker
		if speaker == "" {
			speaker = "Someone"
		}
		lines = append(lines, gmc.RecapLine{Speaker: speaker, Text: s.text, Evidence: gmc.Evidence{SegmentIDs: r.ids(s.seg)}})
	}
	return lines
}

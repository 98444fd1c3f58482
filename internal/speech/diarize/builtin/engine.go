package builtin

import (
	"math"
)

// Params are the diarizer's settings. The zero value is not useful; start
// from DefaultParams.
type Params struct {
	// FloorMarginDB: a frame is speech when its energy is this far above
	// the adaptive noise floor...
	FloorMarginDB float64
	// ...and no more than RangeDB below the recent speech peak.
	RangeDB float64
	// GapSec: pauses shorter than this are part of the turn around them.
	GapSec float64
	// PauseSec: a pause this long ends a segment; the segments on either
	// side are clustered apart.
	PauseSec float64
	// WindowSec is the length of each of the two windows compared when
	// looking for a change of speaker; it is the look-ahead inside speech.
	WindowSec float64
	// Lambda weighs the BIC model-size penalty in change detection (1 is
	// the criterion's own).
	Lambda float64
	// ClusterDist is the voice distance (see voiceDist) beyond which a
	// segment opens a new speaker.
	ClusterDist float64
	// PitchWeight is the share of pitch in the voice distance, the rest
	// going to the spectral envelope.
	PitchWeight float64
	// AssignSec: a speech run this long without a change gets its speaker
	// before it ends, so long turns need not wait for their end.
	AssignSec float64
	// MinNewSec: a segment shorter than this joins the closest speaker
	// rather than opening a new one, and no change of speaker is placed
	// closer than this to the segment's start: short segments are too few
	// frames to tell voices apart.
	MinNewSec float64
}

// DefaultParams are settings chosen from how speech, the BIC and the
// features behave, then checked (not fitted) by leaving one dev recording
// out; see the report of `gmc bench diarization`:
//   - 10 dB above the floor and 40 dB of dynamic range: the usual energy VAD
//     margins; quiet consonants that fall under them are bridged by GapSec.
//   - 0.3 s: the pause that ends an utterance for the VAD of the pipeline;
//     shorter pauses are breaths and commas inside a turn.
//   - 1 s change windows: 100 frames per side for 38 parameters.
//   - λ = 2.5: the BIC counts frames as independent, but 25 ms windows every
//     10 ms overlap, so only about one frame in 2.5 is new evidence; scaling
//     the penalty by window/hop is that correction.
//   - ClusterDist 0.4: two voices whose cepstral means differ by less than
//     0.4 of the spread inside a segment (between Cohen's "small", 0.2, and
//     "medium", 0.5, effects) are taken as one.
//   - PitchWeight 0.5: source (pitch) and filter (envelope) weigh alike.
//   - 2 s before assigning a long turn or opening a new speaker: twice the
//     change window, so a speaker is founded on as much evidence as a
//     label is given on.
func DefaultParams() Params {
	return Params{
		FloorMarginDB: 10, RangeDB: 40, GapSec: 0.3, PauseSec: 0.3, WindowSec: 1,
		Lambda: 2.5, ClusterDist: 0.4, PitchWeight: 0.5, AssignSec: 2, MinNewSec: 2,
	}
}

const (
	candStep = 10 // frames between change candidates (0.1 s)
	minSide  = 30 // voiced frames needed on each side of a candidate
	minBlip  = 10 // voiced frames a region needs to count as speech
)

// frameRec is one analysed frame.
type frameRec struct {
	idx      int
	voiced   bool
	periodic bool
	lf0      float64
	ceps     [numCeps]float64
}

// segment is a run of one speaker's speech, [start, end) in frames.
type segment struct {
	start, end int
	st         stats
	label      int // -1 until assigned
}

// turn is an output turn in frames.
type turn struct {
	start, end int
	label      int
}

// engine is the streaming diarizer's state; it is not safe for concurrent
// use (Stream locks around it).
type engine struct {
	p                               Params
	an                              *analyzer
	gap, win, assign, minNew, pause int // Params in frames
	pending                         []float32
	nFrames                         int
	floor, peak                     float64
	inRegion                        bool
	regionVoiced                    int
	silRun                          []frameRec
	fed                             int // frames handed to the segmenter
	recent                          []frameRec
	seg                             *segment
	nextCand                        int
	best                            int
	bestScore                       float64
	hasBest                         bool
	turns                           []turn
	clusters                        []stats
	flushed                         bool
	// segs keeps every closed segment for the offline path.
	keepSegs bool
	segs     []segment
}

func newEngine(p Params) *engine {
	fr := func(sec float64) int { return int(math.Round(sec * 100)) }
	return &engine{
		p: p, an: newAnalyzer(16000),
		gap: fr(p.GapSec), pause: fr(p.PauseSec), win: fr(p.WindowSec), assign: fr(p.AssignSec), minNew: fr(p.MinNewSec),
		floor: math.NaN(),
	}
}

// push analyses samples as far as whole frames allow.
func (e *engine) push(samples []float32) {
	e.pending = append(e.pending, samples...)
	off := 0
	for off+frameLen <= len(e.pending) {
		var rec frameRec
		rec.idx = e.nFrames
		db := e.an.frame(e.pending[off:off+frameLen], rec.ceps[:])
		rec.voiced = e.vad(db)
		if rec.voiced {
			rec.lf0, rec.periodic = pitch(e.pending[off : off+frameLen])
		}
		e.nFrames++
		e.region(rec)
		off += frameHop
	}
	e.pending = append(e.pending[:0], e.pending[off:]...)
}

// vad decides speech from energy against two references: a noise floor
// that follows the quietest frames (falling at once, rising by 1 dB/s so
// that a long turn does not lift it into the speech) and the loudest recent
// frame (decaying by 0.5 dB/s).
func (e *engine) vad(db float64) bool {
	if math.IsNaN(e.floor) {
		e.floor, e.peak = db, db
	}
	if db < e.floor {
		e.floor = db
	} else {
		e.floor += 0.01
	}
	e.floor = math.Max(e.floor, -100)
	if db > e.peak {
		e.peak = db
	} else {
		e.peak -= 0.005
	}
	return db > e.floor+e.p.FloorMarginDB && db > e.peak-e.p.RangeDB
}

// region bridges short pauses and hands frames to the segmenter in order,
// holding back at most gap frames of silence.
func (e *engine) region(rec frameRec) {
	switch {
	case rec.voiced && e.inRegion:
		for _, s := range e.silRun {
			e.feed(s)
		}
		e.silRun = e.silRun[:0]
		e.feed(rec)
	case rec.voiced:
		e.inRegion, e.regionVoiced = true, 0
		e.seg = &segment{start: rec.idx, label: -1}
		e.nextCand = rec.idx + candStep
		e.hasBest = false
		e.recent = e.recent[:0]
		e.feed(rec)
	case e.inRegion:
		e.silRun = append(e.silRun, rec)
		if len(e.silRun) >= e.pause {
			e.endRegion()
		}
	default:
		e.fed = rec.idx + 1
	}
}

// endRegion closes the speech region at the first frame of the silence
// that follows it.
func (e *engine) endRegion() {
	end := e.fed
	if len(e.silRun) > 0 {
		end = e.silRun[0].idx
	}
	for e.nextCand < end {
		e.candidate(e.nextCand, end)
		e.nextCand += candStep
	}
	if e.hasBest {
		e.split(e.best)
	}
	if e.regionVoiced >= minBlip {
		e.closeSegment()
	}
	e.seg, e.inRegion = nil, false
	if len(e.silRun) > 0 {
		e.fed = e.silRun[len(e.silRun)-1].idx + 1
	}
	e.silRun = e.silRun[:0]
}

// feed adds one frame of the current region.
func (e *engine) feed(rec frameRec) {
	e.fed = rec.idx + 1
	e.recent = append(e.recent, rec)
	if rec.voiced {
		e.regionVoiced++
		e.seg.st.addFrame(&rec)
		e.seg.end = rec.idx + 1
	}
	for e.nextCand+e.win <= e.fed {
		e.candidate(e.nextCand, e.nextCand+e.win)
		e.nextCand += candStep
	}
	if e.seg.label < 0 && !e.hasBest && e.seg.st.n >= float64(e.assign) {
		e.seg.label = e.classify(&e.seg.st, true)
	}
	if keep := 3 * e.win; len(e.recent) > 2*keep {
		e.recent = append(e.recent[:0], e.recent[len(e.recent)-keep:]...)
	}
}

// candidate tests a change of speaker at frame c, comparing the voiced
// frames of [max(segment start, c−win), c) and [c, rightEnd), and commits
// the best change once the score has peaked.
func (e *engine) candidate(c, rightEnd int) {
	// A change leaves at least MinNewSec before it, so that the segment
	// it ends is long enough to be told apart from the known speakers.
	if c-e.seg.start < e.minNew {
		return
	}
	var left, right stats
	for _, r := range e.recent {
		if !r.voiced || r.idx < e.seg.start || r.idx < c-e.win || r.idx >= rightEnd {
			continue
		}
		if r.idx < c {
			left.add(r.ceps[:])
		} else {
			right.add(r.ceps[:])
		}
	}
	score := math.Inf(-1)
	if left.n >= minSide && right.n >= minSide {
		score = deltaBIC(&left, &right, e.p.Lambda)
	}
	switch {
	case score > 0 && (!e.hasBest || score > e.bestScore):
		e.best, e.bestScore, e.hasBest = c, score, true
	case e.hasBest && (score <= 0 || c-e.best >= e.win/2):
		e.split(e.best)
	}
}

// split ends the open segment at frame b and opens the next one there.
func (e *engine) split(b int) {
	e.hasBest = false
	next := &segment{start: b, end: e.seg.end, label: -1}
	for _, r := range e.recent {
		if r.voiced && r.idx >= b {
			next.st.addFrame(&r)
		}
	}
	e.seg.st.sub(&next.st)
	e.seg.end = b
	e.closeSegment()
	e.seg = next
	if e.nextCand < b+candStep {
		e.nextCand = b + candStep
	}
}

// closeSegment gives the open segment its speaker, adds it to that
// speaker's model and to the turns.
func (e *engine) closeSegment() {
	s := e.seg
	if s.st.n == 0 {
		return
	}
	if s.label < 0 {
		s.label = e.classify(&s.st, s.st.n >= float64(e.minNew))
	}
	e.clusters[s.label].absorb(&s.st)
	if e.keepSegs {
		e.segs = append(e.segs, *s)
	}
	if n := len(e.turns); n > 0 && e.turns[n-1].label == s.label && e.turns[n-1].end+e.gap >= s.start {
		e.turns[n-1].end = s.end
		return
	}
	e.turns = append(e.turns, turn{s.start, s.end, s.label})
}

// classify returns the speaker closest to st, or a new speaker when none
// is within ClusterDist and mayOpen. Labels are never revised, so a
// speaker once opened stays.
func (e *engine) classify(st *stats, mayOpen bool) int {
	best, bestD := -1, math.Inf(1)
	for i := range e.clusters {
		if e.clusters[i].n == 0 {
			continue // opened by a turn still being heard
		}
		if d := voiceDist(st, &e.clusters[i], e.p.PitchWeight); d < bestD {
			best, bestD = i, d
		}
	}
	if best >= 0 && (bestD <= e.p.ClusterDist || !mayOpen) {
		return best
	}
	e.clusters = append(e.clusters, stats{})
	return len(e.clusters) - 1
}

// flush ends the stream: a region still open is closed.
func (e *engine) flush() {
	if e.flushed {
		return
	}
	e.flushed = true
	if e.inRegion {
		e.endRegion()
	}
	e.fed = e.nFrames
}

// decided is the frame before which every turn is final.
func (e *engine) decided() int {
	switch {
	case e.flushed || !e.inRegion:
		return e.fed
	case e.seg.label < 0:
		return e.seg.start
	case e.hasBest:
		return e.best
	}
	return min(e.nextCand, e.fed)
}

// decidedMS is the stream time before which every turn is final.
func (e *engine) decidedMS() int64 {
	if e.flushed {
		return math.MaxInt64
	}
	// Frame i's decision covers the audio up to its middle; never claim
	// more than the audio analysed.
	return min(frameMS(e.decided()), int64(e.fed)*10)
}

func (s *stats) addFrame(r *frameRec) {
	s.add(r.ceps[:])
	if r.periodic {
		s.addPitch(r.lf0)
	}
}

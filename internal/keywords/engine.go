package keywords

import (
	"sync"
	"sync/atomic"
)

// DefaultThreshold is the confidence below which detections are not
// reported. Exact names score about 0.95, sound-alikes and misspellings
// between 0.6 and 0.9 depending on how much of the name survived.
const DefaultThreshold = 0.6

// Options tune an Engine for one campaign.
type Options struct {
	// Threshold is the minimum Confidence reported; 0 means
	// DefaultThreshold.
	Threshold float64
	// AlertCommon reports Common terms without supporting context, for
	// tables that want every "shield" flagged.
	AlertCommon bool
	// Lexicon, when set, marks ordinary words that are not read as
	// mangled names (see LexiconFromReference).
	Lexicon *Lexicon
	// Sound sets the sound matcher's thresholds; the zero value means
	// DefaultSound.
	Sound SoundOptions
}

func (o Options) threshold() float64 {
	if o.Threshold <= 0 {
		return DefaultThreshold
	}
	return o.Threshold
}

// Engine detects terms in text. Detect may be called from any number of
// goroutines while another updates the dictionary: readers use an
// immutable snapshot, and a writer publishes a new one atomically. Create
// one with New; the zero Engine is not usable.
type Engine struct {
	mu   sync.Mutex // serialises writers
	snap atomic.Pointer[snapshot]
	opts atomic.Pointer[Options]
	// scratch holds per-call working memory for Detect.
	scratch sync.Pool
}

// New compiles terms into an Engine. A later term with the same Key
// replaces an earlier one.
func New(terms []Term, opts Options) *Engine {
	e := &Engine{}
	b := newBuilder(&snapshot{})
	for _, t := range terms {
		b.add(t)
	}
	e.snap.Store(b.s)
	e.opts.Store(&opts)
	e.scratch.New = func() any { return new(scratch) }
	return e
}

// SetOptions changes the options for later Detect calls.
func (e *Engine) SetOptions(opts Options) { e.opts.Store(&opts) }

// Options returns the options in force.
func (e *Engine) Options() Options { return *e.opts.Load() }

// Len returns the number of terms in the dictionary.
func (e *Engine) Len() int { return e.snap.Load().live }

// Term returns the term with key.
func (e *Engine) Term(key string) (Term, bool) {
	s := e.snap.Load()
	id, ok := s.termID(key)
	if !ok {
		return Term{}, false
	}
	return s.terms[id], true
}

// Add inserts terms, replacing any with the same Key. Only the index
// shards the terms' names fall in are rebuilt.
func (e *Engine) Add(terms ...Term) {
	e.Update(nil, terms)
}

// Remove deletes the terms with the given keys and reports how many
// existed.
func (e *Engine) Remove(keys ...string) int {
	return e.Update(keys, nil)
}

// Replace swaps the term with key oldKey for t in one step, for an entity
// that was renamed or re-keyed: no Detect sees both or neither.
func (e *Engine) Replace(oldKey string, t Term) {
	e.Update([]string{oldKey}, []Term{t})
}

// Update removes the terms with keys in remove, then adds add, and
// publishes the result atomically. It returns how many removed keys
// existed.
func (e *Engine) Update(remove []string, add []Term) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	b := newBuilder(e.snap.Load())
	n := 0
	for _, k := range remove {
		if b.remove(k) {
			n++
		}
	}
	for _, t := range add {
		b.add(t)
	}
	e.snap.Store(compact(b.s))
	return n
}

// Reset replaces the whole dictionary, as when a campaign is switched.
func (e *Engine) Reset(terms []Term) {
	e.mu.Lock()
	defer e.mu.Unlock()
	b := newBuilder(&snapshot{})
	for _, t := range terms {
		b.add(t)
	}
	e.snap.Store(b.s)
}

// Detect returns the terms mentioned in text, in text order, without
// overlaps: where two candidates cover the same words the longer name
// wins, then the more confident one.
func (e *Engine) Detect(text string) []Detection {
	s := e.snap.Load()
	sc := e.scratch.Get().(*scratch)
	defer e.scratch.Put(sc)
	return s.detect(text, *e.opts.Load(), sc)
}

package phonetic

import (
	"sync"
	"sync/atomic"
)

// Pronouncer gives the phones of any lower-case word: from the embedded
// dictionary when it has the word, by letter-to-sound rules otherwise.
// It is safe for concurrent use.
type Pronouncer struct {
	dict *Dictionary
	lts  *LTS
	// guessed caches letter-to-sound results: names recur in a session.
	// It is bounded, since a server may see any number of odd words.
	guessed  sync.Map // string → []Phone
	nGuessed atomic.Int32
}

// maxGuessed bounds the cache of letter-to-sound results.
const maxGuessed = 20000

var (
	defOnce sync.Once
	def     *Pronouncer
	defErr  error
)

// Default returns the Pronouncer of the embedded dictionary and model,
// loading them on first use (about a quarter of a second).
func Default() (*Pronouncer, error) {
	defOnce.Do(func() {
		d, err := loadDict()
		if err != nil {
			defErr = err
			return
		}
		m, err := DefaultLTS()
		if err != nil {
			defErr = err
			return
		}
		def = &Pronouncer{dict: d, lts: m}
	})
	return def, defErr
}

// Known reports whether the dictionary has word.
func (p *Pronouncer) Known(word string) bool {
	_, ok := p.dict.Lookup(word)
	return ok
}

// Pronounce returns the phones of word. The result is shared: do not
// modify it.
func (p *Pronouncer) Pronounce(word string) []Phone {
	if ph, ok := p.dict.Lookup(word); ok {
		return ph
	}
	if ph, ok := p.guessed.Load(word); ok {
		return ph.([]Phone)
	}
	ph := Encode(p.lts.Pronounce(word))
	if p.nGuessed.Load() < maxGuessed {
		if _, loaded := p.guessed.LoadOrStore(word, ph); !loaded {
			p.nGuessed.Add(1)
		}
	}
	return ph
}

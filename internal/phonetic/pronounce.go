package phonetic

import "sync"

// Pronouncer gives the phones of any lower-case word: from the embedded
// dictionary when it has the word, by letter-to-sound rules otherwise.
// It is safe for concurrent use.
type Pronouncer struct {
	dict *Dictionary
	lts  *LTS
	// guessed caches letter-to-sound results: names recur in a session.
	guessed sync.Map // string → []Phone
}

var (
	defOnce sync.Once
	def     *Pronouncer
	defErr  error
)

// Default returns the Pronouncer of the embedded dictionary and model,
// loading them on first use (about a quarter of a second).
func Default() (*Pronouncer, error) {
	defOnce.Do(func() {
		d, _, err := loadDict()
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
	p.guessed.Store(word, ph)
	return ph
}

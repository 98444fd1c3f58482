// Package phonetic turns English words and invented names into phones
// (the ARPAbet set of the CMU Pronouncing Dictionary) and compares phone
// sequences by how alike they sound.
//
// Known words come from the CMU Pronouncing Dictionary, embedded as
// cmudict-en-us.dict.gz (the copy PocketSphinx ships; licence in
// LICENSE-cmudict). The whole file is embedded, not a filtered one: the
// speech recogniser writes only words of this dictionary, so every word it
// can output must be found, and the compressed copy is under 1 MB. Words
// the dictionary lacks, such as a campaign's invented names, are spelled
// by letter-to-sound rules learnt from it (lts.go).
package phonetic

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"sync"
)

//go:embed cmudict-en-us.dict.gz
var dictGz []byte

// Dictionary maps lower-case words to their first pronunciation.
type Dictionary struct {
	words map[string][]Phone
}

var (
	dictOnce sync.Once
	dict     *Dictionary
	entries  []Entry
	dictErr  error
)

// loadDict decompresses and parses the embedded dictionary once.
func loadDict() (*Dictionary, []Entry, error) {
	dictOnce.Do(func() {
		zr, err := gzip.NewReader(bytes.NewReader(dictGz))
		if err != nil {
			dictErr = err
			return
		}
		entries, dictErr = ReadDict(zr, "cmudict-en-us.dict.gz")
		if dictErr != nil {
			return
		}
		d := &Dictionary{words: make(map[string][]Phone, len(entries))}
		for _, e := range entries {
			d.words[e.Word] = Encode(e.Phones)
		}
		dict = d
	})
	return dict, entries, dictErr
}

// Entries returns the embedded dictionary's words with their first
// pronunciation. The slice is shared: do not modify it.
func Entries() ([]Entry, error) {
	_, e, err := loadDict()
	return e, err
}

// Lookup returns the phones of a lower-case word in the dictionary.
func (d *Dictionary) Lookup(word string) ([]Phone, bool) {
	p, ok := d.words[word]
	return p, ok
}

// Len returns the number of words.
func (d *Dictionary) Len() int { return len(d.words) }

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

// Dictionary maps lower-case words to their first pronunciation. It holds
// no pointers per word (letters and phones in two arrays, and an
// open-addressing table of offsets), so that its 130,000 words cost the garbage collector nothing
// to scan while a live session runs.
type Dictionary struct {
	words  []byte  // the words' letters, one after another
	phones []Phone // their phones, one after another
	ents   []dictEntry
	slots  []uint32 // open addressing: index into ents + 1; 0 is empty
}

type dictEntry struct {
	word, phones uint32 // offsets into words and phones
	wordLen      uint8
	phoneLen     uint8
}

func newDictionary(entries []Entry) *Dictionary {
	d := &Dictionary{slots: make([]uint32, nextPow2(2*len(entries)))}
	mask := uint32(len(d.slots) - 1)
	for _, e := range entries {
		ph := Encode(e.Phones)
		if len(e.Word) > 255 || len(ph) > 255 {
			continue
		}
		if _, ok := d.Lookup(e.Word); ok {
			continue
		}
		d.ents = append(d.ents, dictEntry{word: uint32(len(d.words)), phones: uint32(len(d.phones)), wordLen: uint8(len(e.Word)), phoneLen: uint8(len(ph))})
		d.words = append(d.words, e.Word...)
		d.phones = append(d.phones, ph...)
		for h := hashWord(e.Word) & mask; ; h = (h + 1) & mask {
			if d.slots[h] == 0 {
				d.slots[h] = uint32(len(d.ents))
				break
			}
		}
	}
	return d
}

func nextPow2(n int) int {
	p := 1
	for p < n {
		p <<= 1
	}
	return p
}

func hashWord(w string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(w); i++ {
		h ^= uint32(w[i])
		h *= 16777619
	}
	return h
}

var (
	dictOnce sync.Once
	dict     *Dictionary
	dictErr  error
)

// Entries parses the embedded dictionary: its words with their first
// pronunciation. Each call parses it afresh; only learning needs it.
func Entries() ([]Entry, error) {
	zr, err := gzip.NewReader(bytes.NewReader(dictGz))
	if err != nil {
		return nil, err
	}
	return ReadDict(zr, "cmudict-en-us.dict.gz")
}

// loadDict builds the embedded dictionary once.
func loadDict() (*Dictionary, error) {
	dictOnce.Do(func() {
		entries, err := Entries()
		if err != nil {
			dictErr = err
			return
		}
		dict = newDictionary(entries)
	})
	return dict, dictErr
}

// Lookup returns the phones of a lower-case word in the dictionary. The
// result is shared: do not modify it.
func (d *Dictionary) Lookup(word string) ([]Phone, bool) {
	if len(d.slots) == 0 {
		return nil, false
	}
	mask := uint32(len(d.slots) - 1)
	for h := hashWord(word) & mask; d.slots[h] != 0; h = (h + 1) & mask {
		e := &d.ents[d.slots[h]-1]
		if int(e.wordLen) == len(word) && string(d.words[e.word:e.word+uint32(e.wordLen)]) == word {
			return d.phones[e.phones : e.phones+uint32(e.phoneLen) : e.phones+uint32(e.phoneLen)], true
		}
	}
	return nil, false
}

// Len returns the number of words.
func (d *Dictionary) Len() int { return len(d.ents) }

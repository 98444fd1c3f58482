package pocketsphinx

import "github.com/gmc-project/gmc/internal/phonetic"

// LTS spells names the dictionary lacks. The model is learnt from the
// acoustic model's own dictionary, so that it speaks exactly its phone set.
type LTS = phonetic.LTS

// TrainLTS learns letter-to-sound rules from a CMU-style dictionary file.
func TrainLTS(dictPath string, skip func(i int, word string) bool) (*LTS, error) {
	return phonetic.TrainLTS(dictPath, skip)
}

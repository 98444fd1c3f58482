package phonetic

import "math"

// Substitution costs come from articulatory features, so that a sound is
// cheap to mistake for a neighbour ("t" for "d": voicing only) and dear to
// mistake for a distant one ("t" for "m"). Vowels differ by height,
// backness and rounding, consonants by voicing, place and manner; stress
// is not compared (the recogniser's dictionary writes none). The weights
// are round numbers from that ordering, not fitted to any data: a vowel is
// never dearer to swap than to drop, and a consonant of another manner
// and place costs a full edit.

type vowelFeat struct{ height, back, round float64 }

// Heights run 0 (low) to 3 (high), backness 0 (front) to 2 (back);
// diphthongs take the middle of their glide.
var vowels = map[string]vowelFeat{
	"IY": {3, 0, 0}, "IH": {2.5, 0.3, 0}, "EY": {2.2, 0, 0}, "EH": {1.5, 0, 0}, "AE": {0.5, 0, 0},
	"AA": {0, 2, 0}, "AH": {1.3, 1, 0}, "ER": {1.5, 1, 0}, "AO": {0.8, 2, 1}, "OW": {1.8, 2, 1},
	"UH": {2.5, 1.8, 1}, "UW": {3, 2, 1}, "AY": {1.5, 0.8, 0}, "AW": {1.5, 1.5, 0.5}, "OY": {1.5, 1.4, 0.7},
}

// Places: 0 bilabial, 1 labiodental, 2 dental, 3 alveolar, 4 postalveolar,
// 5 palatal, 6 velar, 7 glottal.
type consFeat struct {
	voiced bool
	place  int
	manner int
}

const (
	stop = iota
	fricative
	affricate
	nasal
	lateral
	rhotic
	glide
)

var consonants = map[string]consFeat{
	"P": {false, 0, stop}, "B": {true, 0, stop}, "M": {true, 0, nasal}, "W": {true, 0, glide},
	"F": {false, 1, fricative}, "V": {true, 1, fricative},
	"TH": {false, 2, fricative}, "DH": {true, 2, fricative},
	"T": {false, 3, stop}, "D": {true, 3, stop}, "S": {false, 3, fricative}, "Z": {true, 3, fricative},
	"N": {true, 3, nasal}, "L": {true, 3, lateral}, "R": {true, 3, rhotic},
	"SH": {false, 4, fricative}, "ZH": {true, 4, fricative}, "CH": {false, 4, affricate}, "JH": {true, 4, affricate},
	"Y": {true, 5, glide}, "K": {false, 6, stop}, "G": {true, 6, stop}, "NG": {true, 6, nasal},
	"HH": {false, 7, fricative},
}

// mannerCost is the price of changing manner; near manners are cheap.
func mannerCost(a, b int) float64 {
	if a == b {
		return 0
	}
	if a > b {
		a, b = b, a
	}
	switch {
	case a == stop && b == affricate, a == fricative && b == affricate, a == lateral && b == rhotic:
		return 0.25
	case a == stop && b == fricative, a == stop && b == nasal:
		return 0.4
	case b == glide && (a == lateral || a == rhotic):
		return 0.35
	}
	return 0.6
}

var (
	sub   [NumPhones][NumPhones]float32
	indel [NumPhones]float32
)

func init() {
	for a := 1; a < NumPhones; a++ {
		indel[a] = float32(indelCost(arpabet[a]))
	}
	for a := 1; a < NumPhones; a++ {
		for b := 1; b < NumPhones; b++ {
			// Never dearer than dropping one and adding the other.
			sub[a][b] = min(float32(subCost(arpabet[a], arpabet[b])), indel[a]+indel[b])
		}
	}
}

func subCost(a, b string) float64 {
	if a == b {
		return 0
	}
	va, aVowel := vowels[a]
	vb, bVowel := vowels[b]
	switch {
	case aVowel && bVowel:
		d := 0.15*math.Abs(va.height-vb.height) + 0.15*math.Abs(va.back-vb.back) + 0.15*math.Abs(va.round-vb.round)
		return math.Min(0.1+d, 0.7)
	case aVowel || bVowel:
		v, c := a, b
		if bVowel {
			v, c = b, a
		}
		// Glides and liquids are vowels in all but timing.
		switch {
		case c == "W" && (v == "UW" || v == "UH"), c == "Y" && (v == "IY" || v == "IH"), c == "R" && v == "ER":
			return 0.3
		case c == "L" || c == "R" || c == "W" || c == "Y":
			return 0.8
		}
		return 1
	}
	ca, cb := consonants[a], consonants[b]
	d := 0.1
	if ca.voiced != cb.voiced {
		d += 0.2
	}
	d += math.Min(0.12*math.Abs(float64(ca.place-cb.place)), 0.4)
	d += mannerCost(ca.manner, cb.manner)
	return math.Min(d, 1)
}

// indelCost is the price of a phone heard that was not said, or the
// reverse. Short vowels and h come and go in fast speech, so they are
// cheap; a consonant costs most of a substitution.
func indelCost(p string) float64 {
	switch p {
	case "AH", "IH", "HH":
		return 0.4
	}
	if _, ok := vowels[p]; ok {
		return 0.6
	}
	return 0.8
}

// Sub returns the cost of hearing b for a.
func Sub(a, b Phone) float32 { return sub[a][b] }

// Indel returns the cost of inserting or deleting p.
func Indel(p Phone) float32 { return indel[p] }

// Distance is the weighted edit distance between two phone sequences.
func Distance(a, b []Phone) float64 {
	prev := make([]float32, len(b)+1)
	cur := make([]float32, len(b)+1)
	for j := 1; j <= len(b); j++ {
		prev[j] = prev[j-1] + indel[b[j-1]]
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = prev[0] + indel[a[i-1]]
		for j := 1; j <= len(b); j++ {
			cur[j] = min(prev[j-1]+sub[a[i-1]][b[j-1]], prev[j]+indel[a[i-1]], cur[j-1]+indel[b[j-1]])
		}
		prev, cur = cur, prev
	}
	return float64(prev[len(b)])
}

package phonetic

// Phone is one ARPAbet phone of the CMU dictionary, numbered from 1; 0 is
// no phone.
type Phone uint8

// arpabet lists the phones in Phone order (index 0 unused).
var arpabet = [...]string{"",
	"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW",
	"B", "CH", "D", "DH", "F", "G", "HH", "JH", "K", "L", "M", "N", "NG", "P", "R", "S", "SH",
	"T", "TH", "V", "W", "Y", "Z", "ZH",
}

// NumPhones is one more than the largest Phone.
const NumPhones = len(arpabet)

var phoneID = func() map[string]Phone {
	m := make(map[string]Phone, len(arpabet))
	for i, s := range arpabet[1:] {
		m[s] = Phone(i + 1)
	}
	return m
}()

// String returns the ARPAbet symbol.
func (p Phone) String() string {
	if int(p) < len(arpabet) {
		return arpabet[p]
	}
	return "?"
}

// Encode turns ARPAbet symbols (stress digits allowed) into phones;
// unknown symbols are left out.
func Encode(syms []string) []Phone {
	out := make([]Phone, 0, len(syms))
	for _, s := range syms {
		for len(s) > 0 && s[len(s)-1] >= '0' && s[len(s)-1] <= '9' {
			s = s[:len(s)-1]
		}
		if p, ok := phoneID[s]; ok {
			out = append(out, p)
		}
	}
	return out
}

// Vowel reports whether p is a vowel (ER included).
func (p Phone) Vowel() bool { return p >= 1 && p <= 15 }

package phonetic

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
)

// TestLTSHeldOut learns from 19 of every 20 dictionary words and measures
// the phone error rate on the 20th.
func TestLTSHeldOut(t *testing.T) {
	entries, err := Entries()
	if err != nil {
		t.Fatal(err)
	}
	heldOut := func(i int, _ string) bool { return i%20 == 7 }
	m, err := Train(entries, heldOut)
	if err != nil {
		t.Fatal(err)
	}
	var edits, phones, wordsWrong, words int
	for i, e := range entries {
		if !heldOut(i, e.Word) {
			continue
		}
		got := m.Pronounce(e.Word)
		d := editDistance(got, e.Phones)
		edits += d
		phones += len(e.Phones)
		words++
		if d > 0 {
			wordsWrong++
		}
	}
	per := float64(edits) / float64(phones)
	t.Logf("letter-to-sound on %d held-out words: phone error rate %.3f, word error rate %.3f", words, per, float64(wordsWrong)/float64(words))
	if per > 0.2 {
		t.Errorf("phone error rate %.3f on held-out words, want at most 0.2", per)
	}
}

// TestEmbeddedModelIsCurrent relearns the model from the embedded
// dictionary and compares it with the embedded copy byte for byte.
func TestEmbeddedModelIsCurrent(t *testing.T) {
	entries, err := Entries()
	if err != nil {
		t.Fatal(err)
	}
	m, err := Train(entries, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if _, err := m.WriteTo(&want); err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(modelGz))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("lts-model.bin.gz is stale (%d bytes, relearnt %d): run go generate ./internal/phonetic", len(got), want.Len())
	}
	if _, err := ReadLTS(bytes.NewReader([]byte("not a model"))); err == nil {
		t.Error("ReadLTS accepted garbage")
	}
}

func TestPronounce(t *testing.T) {
	p, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if got := join(p.Pronounce("dragon")); got != "D R AE G AH N" {
		t.Errorf("dragon = %s", got)
	}
	for _, w := range []string{"xylandra", "vexmoor", "thandrel", "quorravel"} {
		if p.Known(w) {
			t.Fatalf("%s is in the dictionary; pick another invented name", w)
		}
		if ph := p.Pronounce(w); len(ph) < 4 {
			t.Errorf("Pronounce(%q) = %s, want a full pronunciation", w, join(ph))
		}
	}
}

// TestDistanceOrdersByFeatures checks that the feature costs rank near
// sounds before far ones, and that words split differently still meet.
func TestDistanceOrdersByFeatures(t *testing.T) {
	p, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	say := func(words string) []Phone {
		var out []Phone
		for _, w := range strings.Fields(words) {
			out = append(out, p.Pronounce(w)...)
		}
		return out
	}
	if !(Sub(ph("T"), ph("D")) < Sub(ph("T"), ph("S")) && Sub(ph("T"), ph("S")) < Sub(ph("T"), ph("M"))) {
		t.Errorf("consonant costs: t/d %.2f, t/s %.2f, t/m %.2f", Sub(ph("T"), ph("D")), Sub(ph("T"), ph("S")), Sub(ph("T"), ph("M")))
	}
	if !(Sub(ph("IY"), ph("IH")) < Sub(ph("IY"), ph("AA"))) {
		t.Error("vowel costs: iy/ih not below iy/aa")
	}
	for a := Phone(1); int(a) < NumPhones; a++ {
		for b := Phone(1); int(b) < NumPhones; b++ {
			if Sub(a, b) != Sub(b, a) || (a == b) != (Sub(a, b) == 0) || Sub(a, b) > Indel(a)+Indel(b) {
				t.Fatalf("sub(%s,%s) = %.2f, indels %.2f %.2f", a, b, Sub(a, b), Indel(a), Indel(b))
			}
		}
	}
	tests := []struct{ heard, name, far string }{
		{"zee lan dra", "xylandra", "salamander"},
		{"vex more", "vexmoor", "box"},
		{"the and rel", "thandrel", "chandelier"},
	}
	for _, tt := range tests {
		name := say(tt.name)
		near, far := Distance(say(tt.heard), name)/float64(len(name)), Distance(say(tt.far), name)/float64(len(name))
		if near >= 0.35 || near >= far {
			t.Errorf("%q vs %q: %.2f (a far word %q: %.2f)", tt.heard, tt.name, near, tt.far, far)
		}
	}
}

func ph(s string) Phone { return Encode([]string{s})[0] }

func join(ps []Phone) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

func editDistance(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

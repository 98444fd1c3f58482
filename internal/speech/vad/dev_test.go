package vad

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/gmc-project/gmc/internal/testenv"
)

// TestDevRecordings runs the detector, with its default settings, over the
// diarization benchmark's dev recordings and compares the speech it finds
// with the reference sentence times. The settings were chosen before this
// test existed and are not tuned to it: it asserts only a loose recall, and
// logs the figures.
func TestDevRecordings(t *testing.T) {
	t.Parallel()
	files := []string{"dev01", "dev02", "dev03"}
	var need []string
	for _, f := range files {
		need = append(need, "bench/diarization/"+f+".wav", "bench/diarization/"+f+".json")
	}
	dir := filepath.Join(testenv.SharedData(t, need...), "bench", "diarization")
	var total score
	for _, name := range files {
		samples := readWAV16(t, filepath.Join(dir, name+".wav"))
		ref := readSentences(t, filepath.Join(dir, name+".json"))
		us := detect(t, Config{}, samples, 3200) // 200 ms socket messages
		s := scoreFrames(ref, us, len(samples))
		t.Logf("%s: %s", name, s)
		if s.recall() < 0.9 {
			t.Errorf("%s: speech-frame recall %.3f, want at least 0.9", name, s.recall())
		}
		total.add(s)
	}
	t.Logf("all: %s", total)
}

type sentence struct{ Start, End float64 }

func readSentences(t *testing.T, path string) []sentence {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		Turns []struct{ Sentences []sentence }
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []sentence
	for _, turn := range meta.Turns {
		out = append(out, turn.Sentences...)
	}
	return out
}

// readWAV16 reads the benchmark's 16 kHz mono 16-bit WAV files; this
// package must not depend on the audio package, and these files need no more.
func readWAV16(t *testing.T, path string) []float32 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		t.Fatalf("%s is not a WAV file", path)
	}
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(le.Uint32(b[p+4:]))
		body := b[p+8 : min(p+8+size, len(b))]
		if id == "fmt " && (le.Uint16(body[2:]) != 1 || le.Uint32(body[4:]) != rate || le.Uint16(body[14:]) != 16) {
			t.Fatalf("%s is not 16 kHz mono 16-bit", path)
		}
		if id == "data" {
			out := make([]float32, len(body)/2)
			for i := range out {
				out[i] = float32(int16(le.Uint16(body[2*i:]))) / 32768
			}
			return out
		}
		p += 8 + size + size%2
	}
	t.Fatalf("%s has no data chunk", path)
	return nil
}

// score counts 10 ms frames of reference and detected speech.
type score struct {
	frames, ref, det, both   int
	sentences, covered, utts int
}

func scoreFrames(ref []sentence, us []Utterance, n int) score {
	const frameMS = 10
	frames := n * 1000 / rate / frameMS
	isRef, isDet := make([]bool, frames), make([]bool, frames)
	s := score{frames: frames, sentences: len(ref), utts: len(us)}
	for _, u := range us {
		for f := u.StartMS / frameMS; f < min(u.EndMS/frameMS, int64(frames)); f++ {
			isDet[f] = true
		}
	}
	for _, r := range ref {
		in, hit := 0, 0
		for f := int(r.Start * 1000 / frameMS); f < min(int(r.End*1000/frameMS), frames); f++ {
			isRef[f] = true
			in++
			if isDet[f] {
				hit++
			}
		}
		if hit*10 >= in*9 {
			s.covered++
		}
	}
	for f := range frames {
		if isRef[f] {
			s.ref++
		}
		if isDet[f] {
			s.det++
		}
		if isRef[f] && isDet[f] {
			s.both++
		}
	}
	return s
}

func (s *score) add(o score) {
	s.frames += o.frames
	s.ref += o.ref
	s.det += o.det
	s.both += o.both
	s.sentences += o.sentences
	s.covered += o.covered
	s.utts += o.utts
}

func (s score) recall() float64    { return float64(s.both) / float64(max(s.ref, 1)) }
func (s score) precision() float64 { return float64(s.both) / float64(max(s.det, 1)) }

func (s score) String() string {
	return fmt.Sprintf("%d utterances; %d of %d sentences ≥90%% covered; speech frames precision %.3f recall %.3f (reference %.1f s, detected %.1f s of %.1f s)",
		s.utts, s.covered, s.sentences, s.precision(), s.recall(), float64(s.ref)/100, float64(s.det)/100, float64(s.frames)/100)
}

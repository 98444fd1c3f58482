package audio

import (
	"bytes"
	"os/exec"
	"testing"
	"time"
)

// fuzzLimits keep each fuzz input cheap while still crossing limits.
var fuzzLimits = Limits{MaxBytes: 1 << 20, MaxTotalBytes: 2 << 20, MaxDuration: 20 * time.Second, MaxFiles: 16}

// seedFiles are valid files of every format, from which the fuzzer mutates.
func seedFiles(f *testing.F) [][]byte {
	x := tone(800, 8000, 440, 0.5)
	seeds := [][]byte{
		makeWAV(wavSpec{tag: wavPCM, bits: 8, channels: 1, rate: 8000}, x[:100]),
		makeWAV(wavSpec{tag: wavPCM, bits: 16, channels: 2, rate: 8000}, x[:200]),
		makeWAV(wavSpec{tag: wavPCM, bits: 24, channels: 1, rate: 8000}, x[:100]),
		makeWAV(wavSpec{tag: wavPCM, bits: 32, channels: 1, rate: 8000}, x[:100]),
		makeWAV(wavSpec{tag: wavFloat, bits: 32, channels: 1, rate: 8000, extensible: true}, x[:100]),
		makeWAV(wavSpec{tag: wavFloat, bits: 64, channels: 1, rate: 8000}, x[:100]),
	}
	// FLAC and Vorbis seeds need sox; without it the fuzzer still mutates
	// WAV and the magic bytes below into them, only more slowly.
	if _, err := exec.LookPath("sox"); err == nil {
		wav := makeWAV(wavSpec{tag: wavPCM, bits: 16, channels: 2, rate: 8000}, interleave(x, 2))
		seeds = append(seeds, sox(f, wav, "s.flac"), sox(f, wav, "s.ogg"))
	}
	return append(seeds, []byte("fLaC"), oggPage("\x01vorbis"), []byte("ID3"))
}

func FuzzDecode(f *testing.F) {
	for _, s := range seedFiles(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, file []byte) {
		c, err := Decode(bytes.NewReader(file), fuzzLimits)
		if err != nil {
			if !isAudioError(err) {
				t.Fatalf("Decode error %q unwraps to no sentinel", err)
			}
			return
		}
		checkClip(t, c)
	})
}

// FuzzWAV fuzzes what follows the RIFF header, where the chunk walk and
// the fmt parsing live.
func FuzzWAV(f *testing.F) {
	for _, s := range seedFiles(f)[:6] {
		f.Add(s[12:])
	}
	f.Fuzz(func(t *testing.T, chunks []byte) {
		file := append([]byte("RIFF\x00\x00\x00\x00WAVE"), chunks...)
		c, err := Decode(bytes.NewReader(file), fuzzLimits)
		if err != nil {
			if !isAudioError(err) {
				t.Fatalf("Decode error %q unwraps to no sentinel", err)
			}
			return
		}
		checkClip(t, c)
	})
}

func FuzzReadTracks(f *testing.F) {
	seeds := seedFiles(f)
	f.Add(makeZip(f, zipEntry{name: "1-a.wav", body: seeds[1]}, zipEntry{name: "info.txt", body: []byte("x")}))
	f.Add(makeZip(f, zipEntry{name: "d/", body: nil}, zipEntry{name: "d/2-b.wav", body: seeds[2], store: true}))
	f.Add(makeZip(f, zipEntry{name: "1-a.flac", body: seeds[len(seeds)-3]}))
	f.Fuzz(func(t *testing.T, file []byte) {
		tracks, err := ReadTracks(bytes.NewReader(file), int64(len(file)), fuzzLimits)
		if err != nil {
			if !isAudioError(err) {
				t.Fatalf("ReadTracks error %q unwraps to no sentinel", err)
			}
			return
		}
		for _, tr := range tracks {
			if tr.Label == "" || tr.Clip.Rate != 16000 || tr.Clip.Channels != 1 {
				t.Fatalf("track %q of %q: %d Hz, %d channels", tr.Label, tr.Name, tr.Clip.Rate, tr.Clip.Channels)
			}
		}
	})
}

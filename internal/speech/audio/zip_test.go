package audio

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// zipEntry is one file for makeZip; store keeps it uncompressed.
type zipEntry struct {
	name  string
	body  []byte
	store bool
}

func makeZip(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		method := zip.Deflate
		if e.store {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func speechWAV(seconds float64, rate, channels int, freq float64) []byte {
	n := int(seconds * float64(rate))
	return makeWAV(wavSpec{tag: wavPCM, bits: 16, channels: channels, rate: rate}, interleave(tone(n, rate, freq, 0.5), channels))
}

func TestReadTracks(t *testing.T) {
	t.Parallel()
	alice := speechWAV(1, 48000, 2, 300)
	bob := speechWAV(0.5, 22050, 1, 500)
	file := makeZip(t,
		zipEntry{name: "craig/", body: nil},
		zipEntry{name: "craig/1-alice.wav", body: alice},
		zipEntry{name: "craig/info.txt", body: []byte("Recording of session 12\n")},
		zipEntry{name: "__MACOSX/craig/._1-alice.wav", body: []byte("\x00\x05\x16\x07 mac resource fork")},
		zipEntry{name: "craig/.DS_Store", body: []byte("Bud1 junk")},
		zipEntry{name: "craig/2-bob.wav", body: bob, store: true},
		zipEntry{name: "craig/empty.txt", body: nil},
		zipEntry{name: "other/bob.wav", body: bob},
	)
	tracks, err := ReadTracks(bytes.NewReader(file), int64(len(file)), Limits{})
	if err != nil {
		t.Fatalf("ReadTracks: %v", err)
	}
	want := []struct {
		label  string
		frames int
	}{{"alice", 16000}, {"bob", 8000}, {"bob-2", 8000}}
	if len(tracks) != len(want) {
		t.Fatalf("ReadTracks gave %d tracks, want %d: %+v", len(tracks), len(want), tracks)
	}
	for i, w := range want {
		tr := tracks[i]
		if tr.Label != w.label || tr.Clip.Rate != 16000 || tr.Clip.Channels != 1 || tr.Clip.Frames() != w.frames {
			t.Errorf("track %d = %q, %d Hz, %d channels, %d frames; want %q, 16000, 1, %d",
				i, tr.Label, tr.Clip.Rate, tr.Clip.Channels, tr.Clip.Frames(), w.label, w.frames)
		}
	}
}

func TestTrackLabel(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"1-alice.flac": "alice", "craig/12-Bob the Bard.ogg": "Bob the Bard", "carol.wav": "carol",
		"x-ray.wav": "x-ray", "3-.wav": "3-", "7-dave-2.flac": "dave-2", "noext": "noext",
	} {
		if got := trackLabel(name); got != want {
			t.Errorf("trackLabel(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestReadTracksErrors(t *testing.T) {
	t.Parallel()
	wav := speechWAV(0.2, 16000, 1, 400)
	// Digital silence inflates about 1000 to 1; an open-ended data chunk
	// makes the decoder read all of it.
	bomb := append(bytes.Clone(wav[:44]), make([]byte, 8<<20)...)
	binary.LittleEndian.PutUint32(bomb[40:], 0xFFFFFFFF)
	var many []zipEntry
	for i := range 70 {
		many = append(many, zipEntry{name: fmt.Sprintf("%d.txt", i), body: []byte("x")})
	}
	truncated := makeZip(t, zipEntry{name: "1-a.wav", body: wav})
	tests := []struct {
		name    string
		file    []byte
		lim     Limits
		want    error
		message string
	}{
		{"not a zip", wav, Limits{}, ErrMalformed, "malformed zip"},
		{"no audio", makeZip(t, zipEntry{name: "info.txt", body: []byte("hi")}), Limits{}, ErrNoAudio, "no WAV, FLAC or Ogg Vorbis track"},
		{"MP3 track", makeZip(t, zipEntry{name: "1-a.wav", body: wav}, zipEntry{name: "2-b.mp3", body: []byte("ID3\x04\x00rest")}), Limits{}, ErrUnsupported, `zip entry "2-b.mp3": unsupported audio format: MP3`},
		{"broken track", makeZip(t, zipEntry{name: "1-a.wav", body: wav[:100]}), Limits{}, ErrTruncated, `zip entry "1-a.wav": truncated WAV`},
		{"too many files", makeZip(t, many...), Limits{}, ErrTooLarge, "70 entries, the limit is 64"},
		{"file over limit", makeZip(t, zipEntry{name: "1-a.wav", body: speechWAV(1, 48000, 2, 300)}), Limits{MaxBytes: 100000}, ErrTooLarge, "100000 bytes per file"},
		{"archive over limit", makeZip(t, zipEntry{name: "1-a.wav", body: wav}, zipEntry{name: "2-b.wav", body: wav}), Limits{MaxTotalBytes: 10000}, ErrTooLarge, "10000 bytes in all"},
		{"tracks over sample limit", makeZip(t, zipEntry{name: "1-a.wav", body: wav}, zipEntry{name: "2-b.wav", body: wav}), Limits{MaxSamples: 5000}, ErrTooLarge, "together decode to more than the limit of 5000 samples"},
		{"zip bomb", makeZip(t, zipEntry{name: "1-a.wav", body: bomb}), Limits{}, ErrZipBomb, "zip bomb"},
		{"truncated archive", truncated[:len(truncated)-30], Limits{}, ErrMalformed, "malformed zip"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ReadTracks(bytes.NewReader(tc.file), int64(len(tc.file)), tc.lim)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("ReadTracks = %v, want %v saying %q", err, tc.want, tc.message)
			}
		})
	}
}

// TestReadTracksLyingSizes gives an entry headers that claim it is tiny:
// the limits must hold on the bytes that really come out.
func TestReadTracksLyingSizes(t *testing.T) {
	t.Parallel()
	body := speechWAV(2, 48000, 2, 300)
	honest := makeZip(t, zipEntry{name: "1-liar.wav", body: body})
	zr, err := zip.NewReader(bytes.NewReader(honest), int64(len(honest)))
	if err != nil {
		t.Fatal(err)
	}
	f := zr.File[0]
	raw, err := f.OpenRaw()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: f.Name, Method: zip.Deflate,
		CRC32: f.CRC32, CompressedSize64: f.CompressedSize64, UncompressedSize64: 100})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(w, raw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = ReadTracks(bytes.NewReader(b.Bytes()), int64(b.Len()), Limits{MaxBytes: 50000})
	if !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrMalformed) {
		t.Fatalf("ReadTracks of an entry claiming 100 bytes that inflates to %d = %v, want ErrTooLarge or ErrMalformed", len(body), err)
	}
}

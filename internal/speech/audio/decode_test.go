package audio

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/testenv"
)

func TestDecodeWAV(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		spec wavSpec
		tol  float64 // largest error quantisation allows
	}{
		{"8-bit unsigned mono", wavSpec{tag: wavPCM, bits: 8, channels: 1, rate: 8000}, 1.0 / 100},
		{"16-bit stereo", wavSpec{tag: wavPCM, bits: 16, channels: 2, rate: 44100}, 1.0 / 15000},
		{"24-bit mono", wavSpec{tag: wavPCM, bits: 24, channels: 1, rate: 48000}, 1.0 / 8e6},
		{"32-bit int 3 channels", wavSpec{tag: wavPCM, bits: 32, channels: 3, rate: 22050}, 1e-6},
		{"32-bit float stereo", wavSpec{tag: wavFloat, bits: 32, channels: 2, rate: 96000}, 1e-7},
		{"64-bit float mono", wavSpec{tag: wavFloat, bits: 64, channels: 1, rate: 16000}, 1e-7},
		{"extensible 16-bit 6 channels", wavSpec{tag: wavPCM, bits: 16, channels: 6, rate: 48000, extensible: true}, 1.0 / 15000},
		{"extensible float", wavSpec{tag: wavFloat, bits: 32, channels: 2, rate: 32000, extensible: true}, 1e-7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			want := interleave(tone(tc.spec.rate/10, tc.spec.rate, 440, 0.8), tc.spec.channels)
			c, err := Decode(bytes.NewReader(makeWAV(tc.spec, want)), Limits{})
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			checkClip(t, c)
			if c.Rate != tc.spec.rate || c.Channels != tc.spec.channels || len(c.Samples) != len(want) {
				t.Fatalf("Decode = %d Hz, %d channels, %d samples; want %d, %d, %d",
					c.Rate, c.Channels, len(c.Samples), tc.spec.rate, tc.spec.channels, len(want))
			}
			for i := range want {
				if d := math.Abs(float64(c.Samples[i] - want[i])); d > tc.tol {
					t.Fatalf("sample %d = %v, want %v (±%g)", i, c.Samples[i], want[i], tc.tol)
				}
			}
		})
	}
}

// TestDecodeWAVChunks checks the chunk walk: side chunks of odd length with
// their pad byte, and a data chunk whose size a streaming writer left open.
func TestDecodeWAVChunks(t *testing.T) {
	t.Parallel()
	spec := wavSpec{tag: wavPCM, bits: 16, channels: 1, rate: 16000}
	samples := tone(1600, 16000, 300, 0.5)
	plain := makeWAV(spec, samples)
	fmtEnd := 12 + 8 + 16

	var withList bytes.Buffer
	withList.Write(plain[:12])
	writeChunk(&withList, "LIST", []byte("INFOodd"))
	withList.Write(plain[12:])

	var withLate bytes.Buffer
	withLate.Write(plain[:fmtEnd])
	writeChunk(&withLate, "fact", []byte{1, 0, 0, 0})
	withLate.Write(plain[fmtEnd:])

	open := bytes.Clone(plain)
	binary.LittleEndian.PutUint32(open[fmtEnd+4:], 0xFFFFFFFF)
	openPartial := append(bytes.Clone(open), 0x7f) // half a sample at the end

	for name, file := range map[string][]byte{
		"LIST before fmt": withList.Bytes(), "fact before data": withLate.Bytes(),
		"open-ended data": open, "open-ended data with a partial sample": openPartial,
	} {
		t.Run(name, func(t *testing.T) {
			c, err := Decode(bytes.NewReader(file), Limits{})
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if len(c.Samples) != len(samples) {
				t.Fatalf("Decode gave %d samples, want %d", len(c.Samples), len(samples))
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	spec := wavSpec{tag: wavPCM, bits: 16, channels: 1, rate: 16000}
	good := makeWAV(spec, tone(16000, 16000, 440, 0.5))
	le := binary.LittleEndian
	patch := func(off int, v uint32, size int) []byte {
		b := bytes.Clone(good)
		if size == 2 {
			le.PutUint16(b[off:], uint16(v))
		} else {
			le.PutUint32(b[off:], v)
		}
		return b
	}
	// Offsets in good: fmt body at 20 (tag 20, channels 22, rate 24, align 32, bits 34), data header at 36.
	var dataFirst bytes.Buffer
	dataFirst.Write(good[:12])
	writeChunk(&dataFirst, "data", []byte{0, 0})
	tests := []struct {
		name    string
		file    []byte
		lim     Limits
		want    error
		message string
	}{
		{"empty", nil, Limits{}, ErrMalformed, "empty audio file"},
		{"truncated data", good[:1000], Limits{}, ErrTruncated, "truncated WAV: data chunk says 32000 bytes, file has 956"},
		{"truncated header", good[:30], Limits{}, ErrTruncated, "truncated WAV"},
		{"truncated side chunk", append(bytes.Clone(good[:12]), "LIST\xff\x00\x00\x00abc"...), Limits{}, ErrTruncated, `"LIST" chunk says 256 bytes, file has 3`},
		{"MP3 with ID3", []byte("ID3\x04\x00\x00\x00\x00\x00\x00rest"), Limits{}, ErrUnsupported, "unsupported audio format: MP3"},
		{"MP3 frame", []byte{0xFF, 0xFB, 0x90, 0x64, 0, 0, 0, 0}, Limits{}, ErrUnsupported, "unsupported audio format: MP3"},
		{"AAC", []byte{0xFF, 0xF1, 0x50, 0x80, 0, 0, 0, 0}, Limits{}, ErrUnsupported, "AAC"},
		{"M4A", []byte("\x00\x00\x00\x20ftypM4A \x00\x00"), Limits{}, ErrUnsupported, "MP4/M4A"},
		{"Ogg Opus", oggPage("OpusHead\x01\x01"), Limits{}, ErrUnsupported, "Ogg Opus"},
		{"zip", []byte("PK\x03\x04\x14\x00\x00\x00"), Limits{}, ErrUnsupported, "zip archive"},
		{"text", []byte("hello, this is not audio"), Limits{}, ErrUnsupported, "not WAV, FLAC or Ogg Vorbis"},
		{"µ-law WAV", patch(20, 7, 2), Limits{}, ErrUnsupported, "µ-law in WAV"},
		{"12-bit WAV", patch(34, 12, 2), Limits{}, ErrUnsupported, "12-bit integer WAV"},
		{"RIFX", append([]byte("RIFX"), good[4:]...), Limits{}, ErrUnsupported, "RIFX WAV"},
		{"bad block align", patch(32, 3, 2), Limits{}, ErrMalformed, "block align is 3"},
		{"no channels", patch(22, 0, 2), Limits{}, ErrMalformed, "0 channels"},
		{"too many channels", patch(22, 9, 2), Limits{}, ErrTooLarge, "9 channels, the limit is 8"},
		{"rate too low", patch(24, 100, 4), Limits{}, ErrUnsupported, "100 Hz is below"},
		{"rate too high", patch(24, 1000000, 4), Limits{}, ErrTooLarge, "1000000 Hz is over the limit"},
		{"no fmt", []byte("RIFF\x04\x00\x00\x00WAVE"), Limits{}, ErrMalformed, "no fmt chunk"},
		{"no data", good[:36], Limits{}, ErrMalformed, "no data chunk"},
		{"data before fmt", dataFirst.Bytes(), Limits{}, ErrMalformed, "data chunk before fmt chunk"},
		{"tiny fmt", append(bytes.Clone(good[:12]), "fmt \x04\x00\x00\x00abcd"...), Limits{}, ErrMalformed, "fmt chunk is 4 bytes"},
		{"over byte limit", good, Limits{MaxBytes: 1000}, ErrTooLarge, "over the limit of 1000 bytes"},
		{"declared over duration", good, Limits{MaxDuration: 500 * time.Millisecond}, ErrTooLarge, "is 1s long, the limit is 500ms"},
		{"over sample limit", good, Limits{MaxSamples: 10000}, ErrTooLarge, "WAV decodes to more than the limit of 10000 samples"},
		{"open-ended over duration", patch(40, 0, 4), Limits{MaxDuration: 500 * time.Millisecond}, ErrTooLarge, "longer than the limit of 500ms"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Decode(bytes.NewReader(tc.file), tc.lim)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("Decode = %v, want %v saying %q", err, tc.want, tc.message)
			}
		})
	}
}

// oggPage is the start of an Ogg page whose first packet begins with packet.
func oggPage(packet string) []byte {
	b := []byte("OggS\x00\x02")
	b = append(b, make([]byte, 20)...)
	b = append(b, 1, byte(len(packet)))
	return append(b, packet...)
}

func TestDecodeFLACAndVorbis(t *testing.T) {
	t.Parallel()
	const rate = 44100
	mono := tone(rate, rate, 440, 0.5)
	stereo := interleave(mono, 2)
	wav16 := makeWAV(wavSpec{tag: wavPCM, bits: 16, channels: 2, rate: rate}, stereo)
	wav24 := makeWAV(wavSpec{tag: wavPCM, bits: 24, channels: 1, rate: rate}, mono)
	tests := []struct {
		name     string
		file     []byte
		channels int
		want     []float32
		tol      float64
	}{
		{"FLAC 16-bit stereo", sox(t, wav16, "a.flac"), 2, stereo, 1.0 / 15000},
		{"FLAC 24-bit mono", sox(t, wav24, "b.flac"), 1, mono, 1.0 / 8e6},
		{"Ogg Vorbis stereo", sox(t, wav16, "c.ogg"), 2, stereo, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := Decode(bytes.NewReader(tc.file), Limits{})
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			checkClip(t, c)
			if c.Rate != rate || c.Channels != tc.channels || len(c.Samples) != len(tc.want) {
				t.Fatalf("Decode = %d Hz, %d channels, %d samples; want %d, %d, %d",
					c.Rate, c.Channels, len(c.Samples), rate, tc.channels, len(tc.want))
			}
			if tc.tol == 0 {
				// Lossy: the tone must keep its level in every channel.
				for ch := range tc.channels {
					got := toneLevel(Downmix(nil, channel(c.Samples, ch, tc.channels), 1), rate, 440)
					want := 0.5 * float64(ch+1) / float64(tc.channels)
					if math.Abs(db(got/want)) > 0.5 {
						t.Errorf("channel %d: 440 Hz level %.3f, want %.3f", ch, got, want)
					}
				}
				return
			}
			for i := range tc.want {
				if d := math.Abs(float64(c.Samples[i] - tc.want[i])); d > tc.tol {
					t.Fatalf("sample %d = %v, want %v", i, c.Samples[i], tc.want[i])
				}
			}
		})
		t.Run(tc.name+" truncated", func(t *testing.T) {
			t.Parallel()
			_, err := Decode(bytes.NewReader(tc.file[:len(tc.file)/2]), Limits{})
			if !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("Decode of half the file = %v, want ErrTruncated or ErrMalformed", err)
			}
		})
		t.Run(tc.name+" over duration", func(t *testing.T) {
			t.Parallel()
			_, err := Decode(bytes.NewReader(tc.file), Limits{MaxDuration: 500 * time.Millisecond})
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Decode with a 500 ms limit = %v, want ErrTooLarge", err)
			}
		})
	}
}

func channel(interleaved []float32, c, channels int) []float32 {
	out := make([]float32, 0, len(interleaved)/channels)
	for i := c; i < len(interleaved); i += channels {
		out = append(out, interleaved[i])
	}
	return out
}

func TestDecodeSpeech(t *testing.T) {
	t.Parallel()
	const rate = 44100
	file := makeWAV(wavSpec{tag: wavPCM, bits: 16, channels: 2, rate: rate}, interleave(tone(2*rate, rate, 1000, 0.5), 2))
	c, err := DecodeSpeech(bytes.NewReader(file), Limits{})
	if err != nil {
		t.Fatalf("DecodeSpeech: %v", err)
	}
	if c.Rate != 16000 || c.Channels != 1 || len(c.Samples) != 32000 {
		t.Fatalf("DecodeSpeech = %d Hz, %d channels, %d samples; want 16000, 1, 32000", c.Rate, c.Channels, len(c.Samples))
	}
	// The mean of the channels (0.5·½ and 0.5·1) is 0.375.
	if got := toneLevel(c.Samples[1000:31000], 16000, 1000); math.Abs(db(got/0.375)) > 0.1 {
		t.Fatalf("1 kHz level %.4f, want 0.375", got)
	}
	whole, err := Decode(bytes.NewReader(file), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	oneShot, err := whole.Speech()
	if err != nil {
		t.Fatal(err)
	}
	for i := range oneShot {
		if d := math.Abs(float64(oneShot[i] - c.Samples[i])); d > 1e-6 {
			t.Fatalf("sample %d: DecodeSpeech %v, Decode+Speech %v", i, c.Samples[i], oneShot[i])
		}
	}
}

func TestDecodeSharedDev01(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(testenv.SharedData(t, "bench/diarization/dev01.wav", "bench/diarization/dev01.json"), "bench", "diarization")
	f, err := os.Open(filepath.Join(dir, "dev01.wav"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := Decode(f, Limits{})
	if err != nil {
		t.Fatalf("Decode dev01.wav: %v", err)
	}
	var meta struct{ Duration float64 }
	b, err := os.ReadFile(filepath.Join(dir, "dev01.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		t.Fatal(err)
	}
	if c.Rate != 16000 || c.Channels != 1 {
		t.Fatalf("dev01.wav = %d Hz, %d channels; want 16000 mono", c.Rate, c.Channels)
	}
	if got := c.Duration().Seconds(); math.Abs(got-meta.Duration) > 0.001 {
		t.Fatalf("dev01.wav lasts %.3f s, its JSON says %.3f s", got, meta.Duration)
	}
}

// BenchmarkDecodeSpeech decodes, down-mixes and resamples 60 s of 44.1 kHz
// 16-bit stereo WAV, the usual shape of a recording.
func BenchmarkDecodeSpeech(b *testing.B) {
	const rate, seconds = 44100, 60
	file := makeWAV(wavSpec{tag: wavPCM, bits: 16, channels: 2, rate: rate}, interleave(tone(seconds*rate, rate, 440, 0.5), 2))
	b.SetBytes(int64(len(file)))
	for b.Loop() {
		if _, err := DecodeSpeech(bytes.NewReader(file), Limits{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(seconds*float64(b.N)/b.Elapsed().Seconds(), "x-real-time")
}

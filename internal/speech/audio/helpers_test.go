package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// wavSpec describes a WAV file for makeWAV to write.
type wavSpec struct {
	tag        uint16 // wavPCM or wavFloat
	bits       int
	channels   int
	rate       int
	extensible bool
}

// makeWAV encodes interleaved samples as a WAV file of the given format.
func makeWAV(spec wavSpec, samples []float32) []byte {
	var data bytes.Buffer
	le := binary.LittleEndian
	for _, v := range samples {
		x := float64(v)
		switch {
		case spec.tag == wavFloat && spec.bits == 32:
			binary.Write(&data, le, float32(x))
		case spec.tag == wavFloat:
			binary.Write(&data, le, x)
		case spec.bits == 8:
			data.WriteByte(byte(math.Round(x*127) + 128))
		case spec.bits == 16:
			binary.Write(&data, le, int16(math.Round(x*32767)))
		case spec.bits == 24:
			i := int32(math.Round(x * 8388607))
			data.Write([]byte{byte(i), byte(i >> 8), byte(i >> 16)})
		default:
			binary.Write(&data, le, int32(math.Round(x*2147483647)))
		}
	}
	return wavFile(spec, data.Bytes())
}

// wavFile wraps raw sample bytes in RIFF, fmt and data chunks.
func wavFile(spec wavSpec, data []byte) []byte {
	le := binary.LittleEndian
	align := spec.channels * spec.bits / 8
	var fmtChunk bytes.Buffer
	tag := spec.tag
	if spec.extensible {
		tag = wavExtensible
	}
	for _, v := range []any{tag, uint16(spec.channels), uint32(spec.rate), uint32(spec.rate * align), uint16(align), uint16(spec.bits)} {
		binary.Write(&fmtChunk, le, v)
	}
	if spec.extensible {
		for _, v := range []any{uint16(22), uint16(spec.bits), uint32(0), spec.tag} {
			binary.Write(&fmtChunk, le, v)
		}
		fmtChunk.Write(extensibleTail)
	}
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, le, uint32(4+8+fmtChunk.Len()+8+len(data)))
	b.WriteString("WAVE")
	writeChunk(&b, "fmt ", fmtChunk.Bytes())
	writeChunk(&b, "data", data)
	return b.Bytes()
}

func writeChunk(b *bytes.Buffer, id string, body []byte) {
	b.WriteString(id)
	binary.Write(b, binary.LittleEndian, uint32(len(body)))
	b.Write(body)
	if len(body)%2 == 1 {
		b.WriteByte(0)
	}
}

// tone is n samples of a sine of the given frequency and amplitude.
func tone(n, rate int, freq, amp float64) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
	}
	return s
}

// interleave makes a multi-channel signal whose channel c is scaled by
// (c+1)/channels, so a mix-up of channels shows.
func interleave(mono []float32, channels int) []float32 {
	out := make([]float32, 0, len(mono)*channels)
	for _, v := range mono {
		for c := range channels {
			out = append(out, v*float32(c+1)/float32(channels))
		}
	}
	return out
}

// toneLevel is the amplitude of the freq component of x (a single-bin DFT).
func toneLevel(x []float32, rate int, freq float64) float64 {
	var re, im float64
	for i, v := range x {
		ph := 2 * math.Pi * freq * float64(i) / float64(rate)
		re += float64(v) * math.Cos(ph)
		im += float64(v) * math.Sin(ph)
	}
	return 2 * math.Hypot(re, im) / float64(len(x))
}

func rms(x []float32) float64 {
	var sum float64
	for _, v := range x {
		sum += float64(v) * float64(v)
	}
	return math.Sqrt(sum / float64(max(len(x), 1)))
}

func db(ratio float64) float64 { return 20 * math.Log10(ratio) }

// sox converts the WAV bytes to the format of outName's extension with the
// sox program, skipping the test (failing it when CI=true) without sox.
func sox(t testing.TB, wav []byte, outName string, args ...string) []byte {
	t.Helper()
	if _, err := exec.LookPath("sox"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("sox not found: install the Debian sox package to make FLAC and Ogg Vorbis test files")
		}
		t.Skipf("SKIPPING: sox not found; install the Debian sox package to make FLAC and Ogg Vorbis test files")
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.wav"), filepath.Join(dir, outName)
	if err := os.WriteFile(in, wav, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sox", append(append([]string{in}, args...), out)...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sox %s: %v\n%s", outName, err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// isAudioError reports whether err unwraps to one of the package's sentinels.
func isAudioError(err error) bool {
	for _, s := range []error{ErrUnsupported, ErrMalformed, ErrTruncated, ErrTooLarge, ErrZipBomb, ErrNoAudio} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// checkClip fails unless c is well formed: whole frames of finite samples in range.
func checkClip(t testing.TB, c *Clip) {
	t.Helper()
	if c.Channels < 1 || c.Rate < minRate || len(c.Samples)%c.Channels != 0 {
		t.Fatalf("clip has %d channels at %d Hz and %d samples", c.Channels, c.Rate, len(c.Samples))
	}
	for i, v := range c.Samples {
		if v != v || v < -1 || v > 1 {
			t.Fatalf("sample %d is %v", i, v)
		}
	}
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

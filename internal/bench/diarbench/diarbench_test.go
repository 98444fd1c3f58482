package diarbench

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/testenv"
)

// TestDevRecordings runs the bench on the diarization dev set. It asserts
// only a loose bound, well under the 66% of giving all speech to one
// speaker (the README's baseline), and logs the figures.
func TestDevRecordings(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(testenv.SharedData(t, "bench/diarization/dev01.wav", "bench/diarization/dev01.rttm"), "bench/diarization")
	out := t.TempDir()
	opts, err := parseArgs([]string{"--data", dir, "--out", out}, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	res.Print(&buf)
	t.Logf("\n%s", buf.String())
	if res.Overall == nil {
		t.Fatal("no file was scored")
	}
	if der := res.Overall.DER(); der >= 0.45 {
		t.Errorf("overall DER = %.2f%%, want < 45%% (one speaker for everything scores 66%%)", 100*der)
	}
	for _, f := range res.Files {
		if _, err := os.Stat(filepath.Join(out, f.Name+".rttm")); err != nil {
			t.Errorf("no RTTM written for %s: %v", f.Name, err)
		}
	}
}

func TestArgs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--out", "x"}, "--data and --out are required"},
		{[]string{"--data", "x"}, "--data and --out are required"},
		{[]string{"--data", "x", "--out", "y", "--chunk-ms", "0"}, "--chunk-ms"},
		{[]string{"--data", "x", "--out", "y", "--collar", "-1"}, "--collar"},
	} {
		_, err := parseArgs(tc.args, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("parseArgs(%q) error = %v, want one containing %q", tc.args, err, tc.wantErr)
		}
	}
}

// wavBytes makes a WAV with the given header fields around data.
func wavBytes(format, chans uint16, rate uint32, bits uint16, data []byte) []byte {
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(36+len(data)))
	b.WriteString("WAVEfmt ")
	binary.Write(&b, binary.LittleEndian, uint32(16))
	binary.Write(&b, binary.LittleEndian, format)
	binary.Write(&b, binary.LittleEndian, chans)
	binary.Write(&b, binary.LittleEndian, rate)
	binary.Write(&b, binary.LittleEndian, rate*uint32(chans)*uint32(bits)/8)
	binary.Write(&b, binary.LittleEndian, chans*bits/8)
	binary.Write(&b, binary.LittleEndian, bits)
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, uint32(len(data)))
	b.Write(data)
	return b.Bytes()
}

func TestReadWAV(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		file    []byte
		want    []float32
		wantErr string
	}{
		{"ok", wavBytes(1, 1, 16000, 16, []byte{0, 0x40, 0, 0xC0}), []float32{0.5, -0.5}, ""},
		{"stereo", wavBytes(1, 2, 16000, 16, nil), nil, "2 channels"},
		{"44.1 kHz", wavBytes(1, 1, 44100, 16, nil), nil, "44100 Hz"},
		{"float", wavBytes(3, 1, 16000, 32, nil), nil, "format 3"},
		{"not RIFF", []byte("OggS...."), nil, "not a RIFF/WAVE file"},
		{"no data", wavBytes(1, 1, 16000, 16, nil)[:36], nil, "no data chunk"},
	} {
		path := filepath.Join(dir, tc.name+".wav")
		if err := os.WriteFile(path, tc.file, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := readWAV(path)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("readWAV(%s) error = %v, want one containing %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || len(got) != len(tc.want) || got[0] != tc.want[0] || got[1] != tc.want[1] {
			t.Errorf("readWAV(%s) = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}

// FuzzReadWAV checks that no file makes the reader panic or allocate
// beyond the file's own size.
func FuzzReadWAV(f *testing.F) {
	f.Add(wavBytes(1, 1, 16000, 16, []byte{1, 2, 3, 4}))
	f.Add(wavBytes(1, 1, 16000, 16, nil)[:40])
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEjunk\x04\x00\x00\x00abcd"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "x.wav")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		samples, err := readWAV(path)
		if err == nil && 2*len(samples) > len(data) {
			t.Fatalf("%d samples from %d bytes", len(samples), len(data))
		}
	})
}

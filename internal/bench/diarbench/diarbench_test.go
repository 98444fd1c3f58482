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
		want    int // samples at 16 kHz mono
		wantErr string
	}{
		{"16 kHz mono", wavBytes(1, 1, 16000, 16, make([]byte, 3200)), 1600, ""},
		{"stereo", wavBytes(1, 2, 16000, 16, make([]byte, 6400)), 1600, ""},
		{"32 kHz", wavBytes(1, 1, 32000, 16, make([]byte, 6400)), 1600, ""},
		{"not audio", []byte("OggS...."), 0, "x"},
	} {
		path := filepath.Join(dir, tc.name+".wav")
		if err := os.WriteFile(path, tc.file, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := readWAV(path)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), path) {
				t.Errorf("readWAV(%s) error = %v, want one naming the file", tc.name, err)
			}
			continue
		}
		if err != nil || len(got) != tc.want {
			t.Errorf("readWAV(%s) = %d samples, %v; want %d", tc.name, len(got), err, tc.want)
		}
	}
}

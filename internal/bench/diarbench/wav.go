package diarbench

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gmc-project/gmc/internal/speech"
)

// readWAV reads a 16-bit PCM mono WAV at speech.SampleRate, the layout of
// the benchmark's recordings, as samples in [-1, 1). It is deliberately
// minimal: the product's decoder (any format, rate, channel count) lives in
// the speech audio package, which can replace it.
func readWAV(path string) ([]float32, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var hdr [12]byte
	if _, err := io.ReadFull(f, hdr[:]); err != nil || string(hdr[:4]) != "RIFF" || string(hdr[8:]) != "WAVE" {
		return nil, fmt.Errorf("%s: not a RIFF/WAVE file", path)
	}
	var fmtOK bool
	for {
		var ch [8]byte
		if _, err := io.ReadFull(f, ch[:]); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, fmt.Errorf("%s: no data chunk", path)
			}
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		size := int64(binary.LittleEndian.Uint32(ch[4:]))
		switch string(ch[:4]) {
		case "fmt ":
			if size < 16 || size > 1024 {
				return nil, fmt.Errorf("%s: fmt chunk of %d bytes", path, size)
			}
			b := make([]byte, size+size%2)
			if _, err := io.ReadFull(f, b); err != nil {
				return nil, fmt.Errorf("%s: fmt chunk: %w", path, err)
			}
			format, chans := binary.LittleEndian.Uint16(b), binary.LittleEndian.Uint16(b[2:])
			rate, bits := binary.LittleEndian.Uint32(b[4:]), binary.LittleEndian.Uint16(b[14:])
			if format != 1 || chans != 1 || rate != speech.SampleRate || bits != 16 {
				return nil, fmt.Errorf("%s: format %d, %d channels, %d Hz, %d bits; want PCM (1), 1 channel, %d Hz, 16 bits",
					path, format, chans, rate, bits, speech.SampleRate)
			}
			fmtOK = true
		case "data":
			if !fmtOK {
				return nil, fmt.Errorf("%s: data chunk before fmt chunk", path)
			}
			// A truncated file keeps what it has; the header's size is
			// not trusted for the allocation.
			b, err := io.ReadAll(io.LimitReader(f, size))
			if err != nil {
				return nil, fmt.Errorf("%s: data chunk: %w", path, err)
			}
			out := make([]float32, len(b)/2)
			for i := range out {
				out[i] = float32(int16(binary.LittleEndian.Uint16(b[2*i:]))) / 32768
			}
			return out, nil
		default:
			if _, err := f.Seek(size+size%2, io.SeekCurrent); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
		}
	}
}

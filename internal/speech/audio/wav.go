package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
)

// WAVE format tags (the fmt chunk's first field).
const (
	wavPCM        = 0x0001
	wavFloat      = 0x0003
	wavExtensible = 0xFFFE
)

// wavOtherTags names the codecs people do put in WAV files, for the error.
var wavOtherTags = map[uint16]string{
	0x0002: "MS ADPCM", 0x0006: "A-law", 0x0007: "µ-law", 0x0011: "IMA ADPCM",
	0x0031: "GSM 6.10", 0x0050: "MPEG", 0x0055: "MP3",
}

// extensibleTail is the part of a WAVE_FORMAT_EXTENSIBLE sub-format GUID
// after its first two bytes, which hold the plain format tag.
var extensibleTail = []byte("\x00\x00\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71")

// unknownSize marks a data chunk whose size a streaming writer could not
// fill in (0 or 0xFFFFFFFF): its samples run to the end of the file.
const unknownSize = -1

// wavFmt is what the fmt chunk says.
type wavFmt struct {
	tag      uint16
	channels int
	rate     int
	align    int
	bits     int
}

// newWAV reads a RIFF/WAVE header up to the start of its samples. Chunks
// other than fmt and data (LIST, fact, bext, …) are skipped.
func newWAV(r io.Reader, lim Limits) (decoder, int, int, error) {
	var riff [12]byte
	if _, err := io.ReadFull(r, riff[:]); err != nil {
		return nil, 0, 0, wavReadErr(err, "RIFF header", 12)
	}
	var f *wavFmt
	for {
		var hdr [8]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			if errors.Is(err, io.EOF) && f == nil {
				return nil, 0, 0, errorf(ErrMalformed, "malformed WAV: no fmt chunk")
			}
			if errors.Is(err, io.EOF) {
				return nil, 0, 0, errorf(ErrMalformed, "malformed WAV: no data chunk")
			}
			return nil, 0, 0, wavReadErr(err, "chunk header", 8)
		}
		id, size := string(hdr[:4]), int64(binary.LittleEndian.Uint32(hdr[4:]))
		switch id {
		case "fmt ":
			var err error
			if f, err = readWAVFmt(r, size, lim); err != nil {
				return nil, 0, 0, err
			}
		case "data":
			if f == nil {
				return nil, 0, 0, errorf(ErrMalformed, "malformed WAV: data chunk before fmt chunk")
			}
			return newWAVData(r, f, size, lim)
		default:
			if err := skipChunk(r, id, size+size&1); err != nil {
				return nil, 0, 0, err
			}
		}
	}
}

func readWAVFmt(r io.Reader, size int64, lim Limits) (*wavFmt, error) {
	if size < 16 || size > 1024 {
		return nil, errorf(ErrMalformed, "malformed WAV: fmt chunk is %d bytes, want 16 to 40", size)
	}
	b := make([]byte, size+size&1)
	if n, err := io.ReadFull(r, b); err != nil {
		return nil, wavReadErr(err, "fmt chunk", int64(n))
	}
	le := binary.LittleEndian
	f := &wavFmt{
		tag:      le.Uint16(b[0:]),
		channels: int(le.Uint16(b[2:])),
		rate:     int(le.Uint32(b[4:])),
		align:    int(le.Uint16(b[12:])),
		bits:     int(le.Uint16(b[14:])),
	}
	if f.tag == wavExtensible {
		if size < 40 || !bytes.Equal(b[26:40], extensibleTail) {
			return nil, errorf(ErrUnsupported, "unsupported audio format: WAVE_FORMAT_EXTENSIBLE with an unknown sub-format")
		}
		f.tag = le.Uint16(b[24:])
	}
	switch {
	case f.tag == wavPCM && (f.bits == 8 || f.bits == 16 || f.bits == 24 || f.bits == 32):
	case f.tag == wavFloat && (f.bits == 32 || f.bits == 64):
	case f.tag == wavPCM || f.tag == wavFloat:
		return nil, errorf(ErrUnsupported, "unsupported audio format: %d-bit %s WAV", f.bits, map[uint16]string{wavPCM: "integer", wavFloat: "float"}[f.tag])
	case wavOtherTags[f.tag] != "":
		return nil, errorf(ErrUnsupported, "unsupported audio format: %s in WAV", wavOtherTags[f.tag])
	default:
		return nil, errorf(ErrUnsupported, "unsupported audio format: WAV format tag 0x%04x", f.tag)
	}
	if err := checkFormat(formatWAV, f.rate, f.channels, lim); err != nil {
		return nil, err
	}
	if want := f.channels * f.bits / 8; f.align != want {
		return nil, errorf(ErrMalformed, "malformed WAV: block align is %d, %d channels of %d bits need %d", f.align, f.channels, f.bits, want)
	}
	return f, nil
}

func skipChunk(r io.Reader, id string, n int64) error {
	got, err := io.CopyN(io.Discard, r, n)
	if err != nil {
		var ae *audioError
		if errors.As(err, &ae) {
			return err
		}
		return errorf(ErrTruncated, "truncated WAV: %q chunk says %d bytes, file has %d", id, n, got)
	}
	return nil
}

// wavReadErr keeps a limit error as it is and calls running out of bytes
// what it is: a truncated file.
func wavReadErr(err error, what string, got int64) error {
	var ae *audioError
	if errors.As(err, &ae) {
		return err
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errorf(ErrTruncated, "truncated WAV: file ends inside the %s", what)
	}
	return errorf(ErrMalformed, "reading WAV %s: %v", what, err)
}

// wavData reads and converts the samples of the data chunk.
type wavData struct {
	r        io.Reader
	f        *wavFmt
	declared int64 // bytes the chunk header promises, or unknownSize
	got      int64
	buf      []byte
	conv     func(dst []float32, src []byte)
}

func newWAVData(r io.Reader, f *wavFmt, size int64, lim Limits) (decoder, int, int, error) {
	d := &wavData{r: r, f: f, declared: size}
	if size == 0 || size == 0xFFFFFFFF {
		d.declared = unknownSize
	} else {
		// A trailing partial frame cannot be played; leave it unread.
		d.declared -= size % int64(f.align)
		if err := checkLength(formatWAV, d.declared/int64(f.align), f.rate, lim); err != nil {
			return nil, 0, 0, err
		}
	}
	d.conv = wavConverter(f)
	return d, f.rate, f.channels, nil
}

func (d *wavData) read(dst []float32) (int, error) {
	want := int64(len(dst) / d.f.channels * d.f.align)
	if d.declared != unknownSize {
		want = min(want, d.declared-d.got)
	}
	if want == 0 {
		return 0, io.EOF
	}
	if int64(cap(d.buf)) < want {
		d.buf = make([]byte, want)
	}
	buf := d.buf[:want]
	n, err := io.ReadFull(d.r, buf)
	d.got += int64(n)
	var ae *audioError
	switch {
	case errors.As(err, &ae):
		return 0, err
	case err != nil && d.declared != unknownSize:
		return 0, errorf(ErrTruncated, "truncated WAV: data chunk says %d bytes, file has %d", d.declared, d.got)
	case err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF):
		return 0, errorf(ErrMalformed, "reading WAV samples: %v", err)
	}
	frames := n / d.f.align
	d.conv(dst, buf[:frames*d.f.align])
	if err != nil {
		// Open-ended data: the end of the file is the end of the samples.
		return frames * d.f.channels, io.EOF
	}
	return frames * d.f.channels, nil
}

// wavConverter returns the function that turns little-endian samples of
// the given format into float32 in [-1, 1].
func wavConverter(f *wavFmt) func(dst []float32, src []byte) {
	le := binary.LittleEndian
	switch {
	case f.tag == wavFloat && f.bits == 32:
		return func(dst []float32, src []byte) {
			for i := range len(src) / 4 {
				dst[i] = clampSample(float64(math.Float32frombits(le.Uint32(src[4*i:]))))
			}
		}
	case f.tag == wavFloat:
		return func(dst []float32, src []byte) {
			for i := range len(src) / 8 {
				dst[i] = clampSample(math.Float64frombits(le.Uint64(src[8*i:])))
			}
		}
	case f.bits == 8:
		// 8-bit WAV is the one unsigned format: silence is 128.
		return func(dst []float32, src []byte) {
			for i, b := range src {
				dst[i] = (float32(b) - 128) / 128
			}
		}
	case f.bits == 16:
		return func(dst []float32, src []byte) {
			for i := range len(src) / 2 {
				dst[i] = float32(int16(le.Uint16(src[2*i:]))) / (1 << 15)
			}
		}
	case f.bits == 24:
		return func(dst []float32, src []byte) {
			for i := range len(src) / 3 {
				v := int32(src[3*i]) | int32(src[3*i+1])<<8 | int32(src[3*i+2])<<16
				dst[i] = float32(v<<8>>8) / (1 << 23)
			}
		}
	default:
		return func(dst []float32, src []byte) {
			for i := range len(src) / 4 {
				dst[i] = float32(float64(int32(le.Uint32(src[4*i:]))) / (1 << 31))
			}
		}
	}
}

// clampSample keeps float samples finite and in range: a NaN or an
// over-range value in a float WAV would otherwise poison every filter after.
func clampSample(v float64) float32 {
	switch {
	case v != v:
		return 0
	case v > 1:
		return 1
	case v < -1:
		return -1
	}
	return float32(v)
}

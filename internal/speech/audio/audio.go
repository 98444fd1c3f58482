// Package audio decodes uploaded and streamed audio (WAV, FLAC, Ogg Vorbis,
// zips of per-speaker tracks, raw PCM16LE socket frames) and conditions it
// for the speech stages: down-mixed to mono and resampled to
// speech.SampleRate with an anti-aliasing filter.
//
// Everything here reads hostile input: formats are told by their content,
// never by a file name; every size a header states is checked against
// Limits before it is believed, and bytes are read through limiting readers
// so that a lying header cannot make us read or allocate more; failures
// unwrap to the sentinels in errors.go, and nothing panics.
package audio

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gmc-project/gmc/internal/speech"
)

// Clip is decoded audio held in memory.
type Clip struct {
	// Rate is the sample rate in Hz.
	Rate int
	// Channels is the number of interleaved channels (1 for mono).
	Channels int
	// Samples are interleaved frames of Channels values in [-1, 1].
	Samples []float32
}

// Frames is the number of sample frames (samples per channel).
func (c *Clip) Frames() int {
	if c.Channels == 0 {
		return 0
	}
	return len(c.Samples) / c.Channels
}

// Duration is the clip's length.
func (c *Clip) Duration() time.Duration {
	if c.Rate == 0 {
		return 0
	}
	return time.Duration(int64(c.Frames()) * int64(time.Second) / int64(c.Rate))
}

// Mono returns the clip down-mixed to one channel (the mean of the
// channels), sharing Samples when the clip is already mono.
func (c *Clip) Mono() []float32 {
	if c.Channels == 1 {
		return c.Samples
	}
	return Downmix(nil, c.Samples, c.Channels)
}

// Speech returns the clip as mono float32 at speech.SampleRate, the form
// every later speech stage takes.
func (c *Clip) Speech() ([]float32, error) {
	return Resample(c.Mono(), c.Rate, speech.SampleRate)
}

// Downmix appends to dst the mean of each frame of interleaved samples with
// the given number of channels; a trailing partial frame is ignored.
func Downmix(dst, interleaved []float32, channels int) []float32 {
	if channels == 1 {
		return append(dst, interleaved...)
	}
	scale := 1 / float32(channels)
	for i := 0; i+channels <= len(interleaved); i += channels {
		var sum float32
		for _, v := range interleaved[i : i+channels] {
			sum += v
		}
		dst = append(dst, sum*scale)
	}
	return dst
}

// Limits bound what decoding may read and produce. A zero field takes the
// value of DefaultLimits.
type Limits struct {
	// MaxBytes bounds the encoded bytes of one file (or one zip entry,
	// counted as inflated).
	MaxBytes int64
	// MaxTotalBytes bounds the inflated bytes of all entries of a zip.
	MaxTotalBytes int64
	// MaxDuration bounds the decoded length of one file.
	MaxDuration time.Duration
	// MaxChannels and MaxRate bound what a header may declare.
	MaxChannels int
	MaxRate     int
	// MaxSamples bounds the float32 values a decode holds in memory (frames
	// × channels for Decode, the output for DecodeSpeech, the sum over the
	// tracks for ReadTracks). Codecs can describe long silence in a few
	// bytes, so a small hostile file could otherwise ask for gigabytes.
	MaxSamples int64
	// MaxFiles bounds the entries of a zip (directories included).
	MaxFiles int
	// MaxRatio bounds how far one zip entry may inflate (bytes out per
	// compressed byte). Deflated speech audio inflates a few times; deflate
	// cannot exceed about 1032, and only runs of identical bytes (digital
	// silence) come near it, so a ratio above MaxRatio is taken for a bomb.
	MaxRatio float64
}

// DefaultLimits are generous for a recorded table session of a few hours
// decoded with DecodeSpeech; Decode keeps the source rate and channels, so
// under them it takes about an hour of 44.1 kHz stereo.
func DefaultLimits() Limits {
	return Limits{
		MaxBytes:      1 << 30,
		MaxTotalBytes: 4 << 30,
		MaxDuration:   4 * time.Hour,
		MaxChannels:   8,
		MaxSamples:    1 << 28, // 1 GiB; 4 h of speech-rate audio is 230 M
		MaxRate:       192000,
		MaxFiles:      64,
		MaxRatio:      250,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = d.MaxTotalBytes
	}
	if l.MaxDuration <= 0 {
		l.MaxDuration = d.MaxDuration
	}
	if l.MaxSamples <= 0 {
		l.MaxSamples = d.MaxSamples
	}
	if l.MaxChannels <= 0 {
		l.MaxChannels = d.MaxChannels
	}
	if l.MaxRate <= 0 {
		l.MaxRate = d.MaxRate
	}
	if l.MaxFiles <= 0 {
		l.MaxFiles = d.MaxFiles
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	return l
}

// minRate is the lowest sample rate we accept: below it a "speech"
// recording cannot carry speech, and the header is more likely garbage.
const minRate = 4000

// decoder is one format's sample source: it fills dst with whole
// interleaved frames and returns io.EOF after the last one.
type decoder interface {
	read(dst []float32) (int, error)
}

// Stream reads decoded samples from an encoded file as they are needed, so
// a long recording can be conditioned without holding it whole.
type Stream struct {
	// Format names the container and codec ("WAV", "FLAC", "Ogg Vorbis").
	Format string
	// Rate is the sample rate in Hz, Channels the number of interleaved channels.
	Rate     int
	Channels int

	dec       decoder
	lr        *limitReader
	frames    int64
	maxFrames int64
	maxDur    time.Duration
	err       error
}

// Open sniffs the format of r from its first bytes and reads its headers.
// At most lim.MaxBytes bytes are read from r.
func Open(r io.Reader, lim Limits) (s *Stream, err error) {
	lim = lim.withDefaults()
	lr := &limitReader{r: r, left: lim.MaxBytes, max: lim.MaxBytes}
	br := bufio.NewReaderSize(lr, 64<<10)
	head, _ := br.Peek(sniffLen)
	format, err := sniff(head)
	if err != nil {
		return nil, err
	}
	defer recoverDecoder(format, &err)
	defer lr.blame(&err)
	s = &Stream{Format: format, maxDur: lim.MaxDuration, lr: lr}
	switch format {
	case formatWAV:
		s.dec, s.Rate, s.Channels, err = newWAV(br, lim)
	case formatFLAC:
		s.dec, s.Rate, s.Channels, err = newFLAC(br, lim)
	case formatVorbis:
		s.dec, s.Rate, s.Channels, err = newVorbis(br, lim)
	}
	if err != nil {
		return nil, err
	}
	if err := checkFormat(format, s.Rate, s.Channels, lim); err != nil {
		return nil, err
	}
	s.maxFrames = int64(lim.MaxDuration.Seconds() * float64(s.Rate))
	return s, nil
}

func checkFormat(format string, rate, channels int, lim Limits) error {
	switch {
	case channels < 1:
		return errorf(ErrMalformed, "%s header says %d channels", format, channels)
	case channels > lim.MaxChannels:
		return errorf(ErrTooLarge, "%s has %d channels, the limit is %d", format, channels, lim.MaxChannels)
	case rate < minRate:
		return errorf(ErrUnsupported, "%s sample rate %d Hz is below %d Hz", format, rate, minRate)
	case rate > lim.MaxRate:
		return errorf(ErrTooLarge, "%s sample rate %d Hz is over the limit of %d Hz", format, rate, lim.MaxRate)
	}
	return nil
}

// checkLength rejects up front a file whose header declares more frames
// than MaxDuration allows, before any of them is decoded.
func checkLength(format string, frames int64, rate int, lim Limits) error {
	if rate <= 0 {
		return nil
	}
	if max := int64(lim.MaxDuration.Seconds() * float64(rate)); frames > max {
		return errorf(ErrTooLarge, "%s is %v long, the limit is %v", format,
			time.Duration(float64(frames)/float64(rate)*float64(time.Second)).Round(time.Second), lim.MaxDuration)
	}
	return nil
}

// Read fills dst with whole interleaved frames (len(dst) should be at least
// Channels) and returns io.EOF after the last one.
func (s *Stream) Read(dst []float32) (n int, err error) {
	if s.err != nil {
		return 0, s.err
	}
	dst = dst[:len(dst)/s.Channels*s.Channels]
	if len(dst) == 0 {
		return 0, fmt.Errorf("audio: Read into a buffer shorter than one frame of %d channels", s.Channels)
	}
	defer func() {
		if err != nil {
			s.err = err
		}
	}()
	defer recoverDecoder(s.Format, &err)
	defer s.lr.blame(&err)
	n, err = s.dec.read(dst)
	s.frames += int64(n / s.Channels)
	if s.frames > s.maxFrames {
		return 0, errorf(ErrTooLarge, "%s is longer than the limit of %v", s.Format, s.maxDur)
	}
	return n, err
}

// recoverDecoder turns a panic inside a third-party decoder (which hostile
// input can provoke) into ErrMalformed, so that one bad upload cannot take
// the server down.
func recoverDecoder(format string, err *error) {
	if p := recover(); p != nil {
		*err = errorf(ErrMalformed, "%s decoder failed on malformed input: %v", format, p)
	}
}

// Decode reads a whole WAV, FLAC or Ogg Vorbis file, told by its content,
// at its own rate and channels.
func Decode(r io.Reader, lim Limits) (*Clip, error) {
	s, err := Open(r, lim)
	if err != nil {
		return nil, err
	}
	c := &Clip{Rate: s.Rate, Channels: s.Channels}
	buf := make([]float32, 4096*s.Channels)
	maxSamples := lim.withDefaults().MaxSamples
	for {
		n, err := s.Read(buf)
		if int64(len(c.Samples)+n) > maxSamples {
			return nil, errorf(ErrTooLarge, "%s decodes to more than the limit of %d samples", s.Format, maxSamples)
		}
		c.Samples = append(c.Samples, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return c, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// DecodeSpeech reads a whole file like Decode, down-mixing and resampling
// as it goes, and returns mono audio at speech.SampleRate. It holds only the
// result in memory, which for 48 kHz stereo is a sixth of Decode's.
func DecodeSpeech(r io.Reader, lim Limits) (*Clip, error) {
	s, err := Open(r, lim)
	if err != nil {
		return nil, err
	}
	rs, err := NewResampler(s.Rate, speech.SampleRate)
	if err != nil {
		return nil, err
	}
	c := &Clip{Rate: speech.SampleRate, Channels: 1}
	buf := make([]float32, 4096*s.Channels)
	var mono []float32
	maxSamples := lim.withDefaults().MaxSamples
	for {
		n, err := s.Read(buf)
		mono = Downmix(mono[:0], buf[:n], s.Channels)
		c.Samples = rs.Append(c.Samples, mono)
		if int64(len(c.Samples)) > maxSamples {
			return nil, errorf(ErrTooLarge, "%s resamples to more than the limit of %d samples", s.Format, maxSamples)
		}
		if errors.Is(err, io.EOF) {
			c.Samples = rs.Flush(c.Samples)
			return c, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// limitReader reads at most max bytes and then fails with ErrTooLarge if
// more follow; it never trusts a size stated anywhere else.
type limitReader struct {
	r    io.Reader
	left int64
	max  int64
	err  error // set once the limit is crossed
}

// blame replaces a decoder's error with the limit error when the limit was
// the cause: decoders do not all wrap the errors of their reader, and a
// file over the limit must say so, not that it is malformed.
func (l *limitReader) blame(err *error) {
	if *err != nil && l.err != nil {
		*err = l.err
	}
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var probe [1]byte
		if n, _ := io.ReadFull(l.r, probe[:]); n > 0 {
			l.err = errorf(ErrTooLarge, "file is over the limit of %d bytes", l.max)
			return 0, l.err
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

package audio

import (
	"fmt"

	"github.com/gmc-project/gmc/internal/speech"
)

// PCM16LE turns a stream of signed 16-bit little-endian bytes, arriving in
// frames of any length (WebSocket messages), into float32 samples. A frame
// of odd length leaves its last byte waiting for the next frame, so a
// sample split across two messages is not lost or misaligned.
type PCM16LE struct {
	odd    byte
	hasOdd bool
}

// Append converts p, after any byte left over from the previous call, and
// appends the samples to dst.
func (d *PCM16LE) Append(dst []float32, p []byte) []float32 {
	if d.hasOdd && len(p) > 0 {
		dst = append(dst, pcm16(d.odd, p[0]))
		p, d.hasOdd = p[1:], false
	}
	for len(p) >= 2 {
		dst = append(dst, pcm16(p[0], p[1]))
		p = p[2:]
	}
	if len(p) == 1 {
		d.odd, d.hasOdd = p[0], true
	}
	return dst
}

// Pending reports whether half a sample waits for its second byte; at the
// end of a stream that means the sender cut a sample in two.
func (d *PCM16LE) Pending() bool { return d.hasOdd }

func pcm16(lo, hi byte) float32 {
	return float32(int16(uint16(lo)|uint16(hi)<<8)) / (1 << 15)
}

// Live conditions a live socket's PCM16LE frames of any rate and channel
// count into mono speech.SampleRate samples, keeping samples, frames of
// channels and filter state whole across messages.
type Live struct {
	channels int
	pcm      PCM16LE
	inter    []float32 // interleaved samples of an incomplete channel frame
	mono     []float32
	rs       *Resampler
}

// NewLive returns a Live for a stream that declared the given sample rate
// and channel count.
func NewLive(rate, channels int, lim Limits) (*Live, error) {
	lim = lim.withDefaults()
	if err := checkFormat("PCM16LE stream", rate, channels, lim); err != nil {
		return nil, err
	}
	rs, err := NewResampler(rate, speech.SampleRate)
	if err != nil {
		return nil, fmt.Errorf("audio: live stream: %w", err)
	}
	return &Live{channels: channels, rs: rs}, nil
}

// Append converts one message's bytes and appends the speech samples that
// are ready to dst.
func (l *Live) Append(dst []float32, p []byte) []float32 {
	l.inter = l.pcm.Append(l.inter, p)
	whole := len(l.inter) / l.channels * l.channels
	l.mono = Downmix(l.mono[:0], l.inter[:whole], l.channels)
	l.inter = append(l.inter[:0], l.inter[whole:]...)
	return l.rs.Append(dst, l.mono)
}

// Flush appends what the resampler still holds at the end of the stream.
// An incomplete last sample or channel frame is dropped.
func (l *Live) Flush(dst []float32) []float32 {
	l.inter, l.pcm = l.inter[:0], PCM16LE{}
	return l.rs.Flush(dst)
}

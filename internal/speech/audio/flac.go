package audio

import (
	"errors"
	"io"

	"github.com/mewkiz/flac"
)

// flacDecoder hands out the samples of one FLAC frame at a time.
type flacDecoder struct {
	s        *flac.Stream
	channels int
	scale    float64   // of the current frame, whose bit depth may differ from the stream's
	pending  [][]int32 // per channel, what is left of the current frame
}

func newFLAC(r io.Reader, lim Limits) (decoder, int, int, error) {
	s, err := flac.New(r)
	if err != nil {
		return nil, 0, 0, flacErr(err)
	}
	info := s.Info
	if info.BitsPerSample < 4 || info.BitsPerSample > 32 {
		return nil, 0, 0, errorf(ErrMalformed, "malformed FLAC: %d bits per sample", info.BitsPerSample)
	}
	rate, channels := int(info.SampleRate), int(info.NChannels)
	if err := checkFormat(formatFLAC, rate, channels, lim); err != nil {
		return nil, 0, 0, err
	}
	if err := checkLength(formatFLAC, int64(min(info.NSamples, 1<<62)), rate, lim); err != nil {
		return nil, 0, 0, err
	}
	d := &flacDecoder{s: s, channels: channels}
	return d, rate, channels, nil
}

func (d *flacDecoder) read(dst []float32) (int, error) {
	if len(d.pending) == 0 || len(d.pending[0]) == 0 {
		f, err := d.s.ParseNext()
		if errors.Is(err, io.EOF) {
			return 0, io.EOF
		}
		if err != nil {
			return 0, flacErr(err)
		}
		if len(f.Subframes) != d.channels {
			return 0, errorf(ErrMalformed, "malformed FLAC: frame has %d channels, stream has %d", len(f.Subframes), d.channels)
		}
		if f.BitsPerSample < 4 || f.BitsPerSample > 32 {
			return 0, errorf(ErrMalformed, "malformed FLAC: frame of %d bits per sample", f.BitsPerSample)
		}
		d.scale = 1 / float64(int64(1)<<(f.BitsPerSample-1))
		d.pending = d.pending[:0]
		for _, sf := range f.Subframes {
			if len(sf.Samples) != len(f.Subframes[0].Samples) {
				return 0, errorf(ErrMalformed, "malformed FLAC: channels of one frame differ in length")
			}
			d.pending = append(d.pending, sf.Samples)
		}
	}
	frames := min(len(d.pending[0]), len(dst)/d.channels)
	for c, samples := range d.pending {
		for i, v := range samples[:frames] {
			// A hostile predictor can overflow the declared depth; clamp.
			dst[i*d.channels+c] = clampSample(float64(v) * d.scale)
		}
		d.pending[c] = samples[frames:]
	}
	return frames * d.channels, nil
}

func flacErr(err error) error {
	var ae *audioError
	switch {
	case errors.As(err, &ae):
		return err
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(ErrTruncated, "truncated FLAC: the stream ends inside a header or frame")
	}
	return errorf(ErrMalformed, "malformed FLAC: %v", err)
}

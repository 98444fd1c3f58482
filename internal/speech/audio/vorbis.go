package audio

import (
	"errors"
	"io"

	"github.com/jfreymuth/oggvorbis"
)

type vorbisDecoder struct{ r *oggvorbis.Reader }

func newVorbis(r io.Reader, lim Limits) (decoder, int, int, error) {
	// r is not an io.Seeker, so the reader does not look for the length at
	// the end of the stream; MaxDuration is enforced while decoding.
	vr, err := oggvorbis.NewReader(r)
	if err != nil {
		return nil, 0, 0, vorbisErr(err)
	}
	if err := checkFormat(formatVorbis, vr.SampleRate(), vr.Channels(), lim); err != nil {
		return nil, 0, 0, err
	}
	return &vorbisDecoder{r: vr}, vr.SampleRate(), vr.Channels(), nil
}

func (d *vorbisDecoder) read(dst []float32) (int, error) {
	n, err := d.r.Read(dst)
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, vorbisErr(err)
	}
	return n, err
}

func vorbisErr(err error) error {
	var ae *audioError
	switch {
	case errors.As(err, &ae):
		return err
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(ErrTruncated, "truncated Ogg Vorbis: the stream ends inside a page or packet")
	}
	return errorf(ErrMalformed, "malformed Ogg Vorbis: %v", err)
}

package audio

import (
	"errors"
	"fmt"
)

// The sentinel errors every failure of this package unwraps to (test with
// errors.Is). The message of the error itself says what exactly is wrong;
// the HTTP layer maps the sentinel to a status:
//
//	ErrUnsupported  415 a format or codec we do not decode (MP3, Opus, µ-law WAV…)
//	ErrMalformed    400 a broken header, chunk or stream
//	ErrTruncated    400 the file ends before its headers say it should
//	ErrTooLarge     413 over a byte, duration, channel or file-count limit
//	ErrZipBomb      413 an archive whose entries inflate beyond reason
//	ErrNoAudio      400 an archive without a single audio track
var (
	ErrUnsupported = errors.New("unsupported audio format")
	ErrMalformed   = errors.New("malformed audio")
	ErrTruncated   = errors.New("truncated audio")
	ErrTooLarge    = errors.New("audio over the size limit")
	ErrZipBomb     = errors.New("suspicious archive (zip bomb)")
	ErrNoAudio     = errors.New("no audio tracks in archive")
)

// audioError carries a specific message and unwraps to one sentinel, so the
// message can read "truncated WAV: data chunk says 88200 bytes, file has 100"
// without the sentinel's own text repeated in front of it.
type audioError struct {
	kind error
	msg  string
}

func (e *audioError) Error() string { return e.msg }
func (e *audioError) Unwrap() error { return e.kind }

func errorf(kind error, format string, args ...any) error {
	return &audioError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

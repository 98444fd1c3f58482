package audio

import (
	"bytes"
	"encoding/binary"
)

// The formats Open decodes, as Stream.Format names them.
const (
	formatWAV    = "WAV"
	formatFLAC   = "FLAC"
	formatVorbis = "Ogg Vorbis"
)

// sniffLen covers an Ogg page header with a full segment table and the
// start of its first packet, the longest look any format needs.
const sniffLen = 27 + 255 + 16

// sniff names the format of a file from its first bytes. Known formats we
// do not decode get ErrUnsupported with their name, so the user learns to
// convert rather than that the file is "broken".
func sniff(head []byte) (string, error) {
	has := func(off int, magic string) bool {
		return len(head) >= off+len(magic) && string(head[off:off+len(magic)]) == magic
	}
	switch {
	case has(0, "RIFF") && has(8, "WAVE"):
		return formatWAV, nil
	case has(0, "fLaC"):
		return formatFLAC, nil
	case has(0, "OggS"):
		return sniffOgg(head)
	case has(0, "RIFX") || has(0, "RF64") || has(0, "BW64"):
		return "", errorf(ErrUnsupported, "unsupported audio format: %s WAV variant", head[:4])
	case has(0, "ID3"):
		return "", errorf(ErrUnsupported, "unsupported audio format: MP3 (ID3 tag)")
	case len(head) >= 2 && head[0] == 0xFF && head[1]&0xF6 == 0xF0:
		return "", errorf(ErrUnsupported, "unsupported audio format: AAC (ADTS)")
	case len(head) >= 2 && head[0] == 0xFF && head[1]&0xE0 == 0xE0:
		return "", errorf(ErrUnsupported, "unsupported audio format: MP3")
	case has(4, "ftyp"):
		return "", errorf(ErrUnsupported, "unsupported audio format: MP4/M4A")
	case has(0, "\x1A\x45\xDF\xA3"):
		return "", errorf(ErrUnsupported, "unsupported audio format: WebM/Matroska")
	case has(0, "FORM") && (has(8, "AIFF") || has(8, "AIFC")):
		return "", errorf(ErrUnsupported, "unsupported audio format: AIFF")
	case has(0, "#!AMR"):
		return "", errorf(ErrUnsupported, "unsupported audio format: AMR")
	case has(0, "PK\x03\x04"):
		return "", errorf(ErrUnsupported, "unsupported audio format: a zip archive is not one audio file (upload it as per-speaker tracks)")
	case len(head) == 0:
		return "", errorf(ErrMalformed, "empty audio file")
	}
	return "", errNotAudio
}

// errNotAudio is sniff's answer for content of no audio format it knows,
// which a zip of tracks skips as a side file (info.txt) rather than fails on.
var errNotAudio = errorf(ErrUnsupported, "unsupported audio format: not WAV, FLAC or Ogg Vorbis")

// sniffOgg tells the codec inside an Ogg stream by its first packet.
func sniffOgg(head []byte) (string, error) {
	if len(head) < 27 {
		return "", errorf(ErrTruncated, "truncated Ogg: %d bytes", len(head))
	}
	segs := int(head[26])
	p := 27 + segs
	if len(head) < p+8 {
		return "", errorf(ErrTruncated, "truncated Ogg: first page header cut short")
	}
	packet := head[p:]
	switch {
	case bytes.HasPrefix(packet, []byte("\x01vorbis")):
		return formatVorbis, nil
	case bytes.HasPrefix(packet, []byte("OpusHead")):
		return "", errorf(ErrUnsupported, "unsupported audio format: Ogg Opus")
	case bytes.HasPrefix(packet, []byte("\x7fFLAC")):
		return "", errorf(ErrUnsupported, "unsupported audio format: Ogg FLAC")
	case bytes.HasPrefix(packet, []byte("Speex")):
		return "", errorf(ErrUnsupported, "unsupported audio format: Ogg Speex")
	}
	return "", errorf(ErrUnsupported, "unsupported audio format: Ogg stream of an unknown codec")
}

// IsZip reports whether a file starting with head is a zip archive, so
// that an upload handler can send it to ReadTracks rather than Decode.
func IsZip(head []byte) bool {
	return len(head) >= 4 && binary.LittleEndian.Uint32(head) == 0x04034b50
}

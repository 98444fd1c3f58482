package service

import (
	"bytes"
	"slices"

	"github.com/gmc-project/gmc/internal/gmc"
)

// fileType is a content type gmc accepts in uploads, told by its first
// bytes; what the client declares and the file's name are never trusted.
type fileType struct {
	mime  string
	name  string // for messages
	image bool
	match func(head []byte) bool
}

// sniffLen is how much of the start of a file sniffing needs.
const sniffLen = 16

var fileTypes = []fileType{
	{"image/png", "png", true, prefix("\x89PNG\r\n\x1a\n")},
	{"image/jpeg", "jpeg", true, prefix("\xff\xd8\xff")},
	{"image/gif", "gif", true, func(h []byte) bool { return hasPrefix(h, "GIF87a") || hasPrefix(h, "GIF89a") }},
	{"image/webp", "webp", true, riff("WEBP")},
	{"application/pdf", "pdf", false, prefix("%PDF-")},
	{"audio/wav", "wav", false, riff("WAVE")},
	{"audio/flac", "flac", false, prefix("fLaC")},
	{"audio/ogg", "ogg", false, prefix("OggS\x00")},
	{"audio/mpeg", "mp3", false, isMP3},
}

// kindTypes says which types each kind of file may be.
var kindTypes = map[string][]string{
	gmc.FilePortrait:  {"png", "jpeg", "gif", "webp"},
	gmc.FileMap:       {"png", "jpeg", "gif", "webp", "pdf"},
	gmc.FileRecording: {"wav", "flac", "ogg", "mp3"},
	gmc.FileHandout:   {"png", "jpeg", "gif", "webp", "pdf", "wav", "flac", "ogg", "mp3"},
}

// sniff returns the type of a file starting with head, or false.
func sniff(head []byte) (fileType, bool) {
	for _, t := range fileTypes {
		if t.match(head) {
			return t, true
		}
	}
	return fileType{}, false
}

// allowed reports whether a file of kind may be of type t.
func (t fileType) allowed(kind string) bool { return slices.Contains(kindTypes[kind], t.name) }

// IsImage reports whether mime is one of the image types uploads may
// be, which are shown inline; everything else is downloaded.
func IsImage(mime string) bool {
	for _, t := range fileTypes {
		if t.mime == mime {
			return t.image
		}
	}
	return false
}

func hasPrefix(h []byte, p string) bool { return bytes.HasPrefix(h, []byte(p)) }

func prefix(p string) func([]byte) bool { return func(h []byte) bool { return hasPrefix(h, p) } }

// riff matches a RIFF container of the given form ("WAVE", "WEBP").
func riff(form string) func([]byte) bool {
	return func(h []byte) bool { return len(h) >= 12 && hasPrefix(h, "RIFF") && string(h[8:12]) == form }
}

// isMP3 matches an ID3v2 tag, or an MPEG audio layer III frame header
// whose fields are all valid (sync, version, layer, bitrate and rate),
// which few other files start with by chance.
func isMP3(h []byte) bool {
	if len(h) >= 10 && hasPrefix(h, "ID3") && h[3] >= 2 && h[3] <= 4 && h[5]&0x0f == 0 {
		// The size is four 7-bit bytes.
		return h[6]|h[7]|h[8]|h[9] < 0x80
	}
	if len(h) < 4 || h[0] != 0xff || h[1]&0xe0 != 0xe0 {
		return false
	}
	version, layer := h[1]>>3&3, h[1]>>1&3
	bitrate, rate := h[2]>>4, h[2]>>2&3
	return version != 1 && layer == 1 && bitrate != 0 && bitrate != 15 && rate != 3
}

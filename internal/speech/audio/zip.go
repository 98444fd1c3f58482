package audio

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// Track is one speaker's audio from a zip of per-speaker recordings.
type Track struct {
	// Label names the speaker: the file name without its directory, its
	// extension and a leading track number ("1-alice.flac" → "alice").
	Label string
	// Name is the entry's path inside the archive.
	Name string
	// Clip is the track as mono speech.SampleRate audio.
	Clip *Clip
}

// ratioSlack is how many inflated bytes an entry may produce before the
// compression ratio is judged: tiny entries of silence inflate a lot
// without being a threat.
const ratioSlack = 1 << 20

// ReadTracks decodes a zip of per-speaker tracks (Craig style: one audio
// file per speaker, named after them) into speech-ready tracks in archive
// order. Directories, macOS metadata (__MACOSX, ._*), dotfiles and files
// that are not audio by their content (info.txt) are skipped; a file in an
// audio format we do not decode fails the whole archive, so no speaker is
// silently left out. Entry sizes in the zip headers are not trusted: every
// entry is read through a counting reader against lim.
func ReadTracks(ra io.ReaderAt, size int64, lim Limits) ([]Track, error) {
	lim = lim.withDefaults()
	if size > lim.MaxTotalBytes {
		return nil, errorf(ErrTooLarge, "zip is %d bytes, the limit is %d", size, lim.MaxTotalBytes)
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, errorf(ErrMalformed, "malformed zip: %v", err)
	}
	if len(zr.File) > lim.MaxFiles {
		return nil, errorf(ErrTooLarge, "zip has %d entries, the limit is %d", len(zr.File), lim.MaxFiles)
	}
	// Each track may use all of MaxSamples; the check of their sum comes
	// after each one, so the peak is below twice the limit.
	budget, samples := lim.MaxTotalBytes, int64(0)
	var tracks []Track
	labels := map[string]int{}
	for _, f := range zr.File {
		if skipZipEntry(f) {
			continue
		}
		clip, err := readTrack(f, lim, &budget)
		if err == nil {
			if samples += int64(len(clip.Samples)); samples > lim.MaxSamples {
				err = errorf(ErrTooLarge, "the tracks together decode to more than the limit of %d samples", lim.MaxSamples)
			}
		}
		if errors.Is(err, errNotAudio) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("zip entry %q: %w", f.Name, err)
		}
		label := trackLabel(f.Name)
		if labels[label]++; labels[label] > 1 {
			label += "-" + strconv.Itoa(labels[label])
		}
		tracks = append(tracks, Track{Label: label, Name: f.Name, Clip: clip})
	}
	if len(tracks) == 0 {
		return nil, errorf(ErrNoAudio, "zip holds no WAV, FLAC or Ogg Vorbis track")
	}
	return tracks, nil
}

func skipZipEntry(f *zip.File) bool {
	if f.FileInfo().IsDir() || strings.HasSuffix(f.Name, "/") {
		return true
	}
	for _, part := range strings.Split(f.Name, "/") {
		if part == "__MACOSX" || strings.HasPrefix(part, ".") {
			return true
		}
	}
	return false
}

func readTrack(f *zip.File, lim Limits, budget *int64) (*Clip, error) {
	rc, err := f.Open()
	if errors.Is(err, zip.ErrAlgorithm) {
		return nil, errorf(ErrUnsupported, "unsupported zip compression method %d", f.Method)
	}
	if err != nil {
		return nil, errorf(ErrMalformed, "malformed zip entry: %v", err)
	}
	defer rc.Close()
	er := &zipEntryReader{r: rc, f: f, lim: lim, budget: budget}
	br := bufio.NewReaderSize(er, 64<<10)
	head, err := br.Peek(sniffLen)
	if er.err != nil {
		return nil, er.err
	}
	if len(head) == 0 && err != nil {
		return nil, errNotAudio // an empty side file
	}
	if _, err := sniff(head); err != nil {
		return nil, err
	}
	clip, err := DecodeSpeech(br, lim)
	if er.err != nil {
		return nil, er.err
	}
	return clip, err
}

// zipEntryReader counts the bytes an entry really inflates to and stops it
// at the per-file, whole-archive and compression-ratio limits.
type zipEntryReader struct {
	r      io.Reader
	f      *zip.File
	lim    Limits
	budget *int64
	n      int64
	err    error
}

func (z *zipEntryReader) Read(p []byte) (int, error) {
	if z.err != nil {
		return 0, z.err
	}
	n, err := z.r.Read(p)
	z.n += int64(n)
	*z.budget -= int64(n)
	switch {
	case z.n > z.lim.MaxBytes:
		z.err = errorf(ErrTooLarge, "inflates past the limit of %d bytes per file", z.lim.MaxBytes)
	case *z.budget < 0:
		z.err = errorf(ErrTooLarge, "zip inflates past the limit of %d bytes in all", z.lim.MaxTotalBytes)
	case z.n > ratioSlack && float64(z.n) > z.lim.MaxRatio*float64(max(z.f.CompressedSize64, 1)):
		z.err = errorf(ErrZipBomb, "zip bomb: %d compressed bytes inflate past %d (more than %.0f to 1)",
			z.f.CompressedSize64, z.n, z.lim.MaxRatio)
	case errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat):
		z.err = errorf(ErrMalformed, "malformed zip entry: %v", err)
	}
	if z.err != nil {
		return 0, z.err
	}
	return n, err
}

// trackLabel is the speaker's name in a Craig-style track file name.
func trackLabel(name string) string {
	base := path.Base(name)
	label := strings.TrimSuffix(base, path.Ext(base))
	if i := strings.IndexByte(label, '-'); i > 0 {
		if _, err := strconv.Atoi(label[:i]); err == nil && i+1 < len(label) {
			label = label[i+1:]
		}
	}
	if label == "" {
		return base
	}
	return label
}

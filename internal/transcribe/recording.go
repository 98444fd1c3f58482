package transcribe

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/gmc-project/gmc/internal/speech"
	"github.com/gmc-project/gmc/internal/speech/audio"
	"github.com/gmc-project/gmc/internal/speech/pipeline"
)

// DecodeRecording reads a recording: one file (WAV, FLAC, Ogg Vorbis) of
// a shared microphone, returned as one track with an empty label, or a zip
// of per-speaker tracks. Every track is checked whole, so a bad file is
// refused before anything is stored.
func DecodeRecording(ra io.ReaderAt, size int64, lim audio.Limits) ([]audio.Track, error) {
	head := make([]byte, 4)
	if _, err := ra.ReadAt(head, 0); err != nil && err != io.EOF {
		return nil, err
	}
	if audio.IsZip(head) {
		return audio.ReadTracks(ra, size, lim)
	}
	clip, err := audio.DecodeSpeech(io.NewSectionReader(ra, 0, size), lim)
	if err != nil {
		return nil, err
	}
	return []audio.Track{{Clip: clip}}, nil
}

// Skip says whether a track must not be transcribed, and why; it lets the
// caller leave out the voices of members who have not consented.
type Skip func(ctx context.Context, label string) (reason string, err error)

// TrackReport is what became of one track of a recording.
type TrackReport struct {
	Label    string `json:"label"`
	Segments int    `json:"segments"`
	// SpeechMS is how much of the track's audio went to speech
	// recognition: its utterances, without the pauses between them.
	SpeechMS int64 `json:"speech_ms"`
	// Skipped says why the track was not transcribed.
	Skipped string `json:"skipped,omitempty"`
}

// Recording transcribes the tracks of a recording as fast as recognition
// goes — two tracks at a time, since a track keeps one core busy — and
// returns every segment in time order with a report per track. Progress
// is the share of all audio done.
func (e *Engine) Recording(ctx context.Context, tracks []audio.Track, names []string, skip Skip, progress func(float64)) ([]speech.Segment, []TrackReport, error) {
	reports := make([]TrackReport, len(tracks))
	var total float64
	for i, t := range tracks {
		reports[i].Label = t.Label
		if skip != nil && t.Label != "" {
			reason, err := skip(ctx, t.Label)
			if err != nil {
				return nil, nil, err
			}
			reports[i].Skipped = reason
		}
		if reports[i].Skipped == "" {
			total += float64(len(t.Clip.Samples))
		}
	}
	var (
		mu   sync.Mutex
		segs []speech.Segment
		done = make([]float64, len(tracks))
	)
	report := func(i int, share float64) {
		if progress == nil || total == 0 {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		done[i] = share * float64(len(tracks[i].Clip.Samples))
		var sum float64
		for _, d := range done {
			sum += d
		}
		progress(min(sum/total, 1))
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i, t := range tracks {
		if reports[i].Skipped != "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			o := Options{Track: t.Label, Names: names, Emit: func(_ context.Context, r pipeline.Result) error {
				mu.Lock()
				defer mu.Unlock()
				segs = append(segs, r.Segments...)
				reports[i].Segments += len(r.Segments)
				reports[i].SpeechMS += UtteranceMS(r.Utterance)
				return nil
			}}
			err := e.Run(ctx, t.Clip.Samples, o, func(share float64) { report(i, share) })
			if err != nil {
				name := "the recording"
				if t.Label != "" {
					name = fmt.Sprintf("track %q", t.Label)
				}
				cancel(fmt.Errorf("%s: %w", name, err))
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, nil, err
	}
	slices.SortStableFunc(segs, func(a, b speech.Segment) int { return int(a.StartMS - b.StartMS) })
	return segs, reports, nil
}

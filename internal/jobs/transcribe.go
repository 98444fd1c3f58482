package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/speech/audio"
	"github.com/gmc-project/gmc/internal/transcribe"
)

// TranscribeResult is what a finished transcription job shows as its
// result.
type TranscribeResult struct {
	RecordingID string `json:"recording_id"`
	Segments    int    `json:"segments"`
	// Dropped counts segments of speakers mapped to members who have not
	// consented to voice processing.
	Dropped int                      `json:"dropped"`
	Tracks  []transcribe.TrackReport `json:"tracks"`
}

// RegisterTranscribe registers the job that transcribes an uploaded
// recording (service.TranscribeArgs): the recording is decoded, each of its
// tracks run through the speech engine, and the segments stored and shown
// at the session's table. A track whose speaker has not consented is left
// out. The recording is then kept or deleted as the campaign's settings
// say. A try that fails leaves nothing stored, so the retry starts afresh.
func RegisterTranscribe(q *Queue, svc *service.Service, engine *transcribe.Engine, lim audio.Limits) error {
	work := func(ctx context.Context, job *Job[service.TranscribeArgs]) error {
		err := transcribeRecording(ctx, svc, engine, lim, job)
		// The last attempt, or one refused for a spent audio budget (it
		// fails for good, see Work), settles the recording as failed.
		if err != nil && (job.Attempt >= job.MaxAttempts || errors.Is(err, gmc.ErrQuotaExceeded)) {
			if ferr := svc.FinishRecording(context.WithoutCancel(ctx), job.Args.RecordingID, false); ferr != nil {
				err = errors.Join(err, ferr)
			}
		}
		return err
	}
	return Register(q, work, WorkerOpts{Timeout: 6 * time.Hour})
}

func transcribeRecording(ctx context.Context, svc *service.Service, engine *transcribe.Engine, lim audio.Limits, job *Job[service.TranscribeArgs]) error {
	if err := engine.Ready(); err != nil {
		return err
	}
	rec, rc, err := svc.OpenRecording(ctx, job.UserID, job.Args.RecordingID)
	if err != nil {
		return err
	}
	// The file store may be remote; decoding wants to seek (zip), so the
	// recording is copied to a temporary file first.
	f, err := os.CreateTemp("", "gmc-recording-*")
	if err != nil {
		rc.Close()
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	size, err := io.Copy(f, rc)
	rc.Close()
	if err != nil {
		return fmt.Errorf("read recording: %w", err)
	}
	_ = Progress(ctx, 0, "decoding")
	tracks, err := transcribe.DecodeRecording(f, size, lim)
	if err != nil {
		return fmt.Errorf("decode %s: %w", rec.FileName, err)
	}
	src, err := svc.OpenAudio(ctx, job.UserID, rec.SessionID, "", false)
	if err != nil {
		return err
	}
	skip := func(ctx context.Context, label string) (string, error) {
		return svc.TrackConsent(ctx, src.Session, label)
	}
	segs, reports, err := engine.Recording(ctx, tracks, src.Names, skip, throttled(ctx))
	if err != nil {
		return err
	}
	_ = Progress(ctx, 1, "storing the transcript")
	// A zip's tracks are labelled by their speakers, a single file is one
	// shared microphone.
	var opts transcribe.Options
	if tracks[0].Label != "" {
		opts.Track = tracks[0].Label
	}
	source := engine.Source(opts)
	stored, dropped, err := svc.IngestSpeech(ctx, src, job.UserID, source, segs)
	if err != nil {
		return err
	}
	if err := svc.FinishRecording(ctx, rec.ID, true); err != nil {
		return err
	}
	// The audio recognised counts in the campaign's budget once the
	// transcript is kept. The recording started within the budget, so it
	// is kept whole even if it crosses it; the next upload is refused.
	var speechMS int64
	for _, r := range reports {
		speechMS += r.SpeechMS
	}
	_ = svc.ChargeAudio(ctx, rec.CampaignID, time.Duration(speechMS)*time.Millisecond)
	return SetResult(ctx, TranscribeResult{RecordingID: rec.ID, Segments: len(stored), Dropped: dropped, Tracks: reports})
}

// throttled reports progress at most every half second or whole percent,
// so a recording of many short utterances does not write for each.
func throttled(ctx context.Context) func(float64) {
	var (
		mu   sync.Mutex
		last float64
		at   time.Time
	)
	return func(done float64) {
		mu.Lock()
		defer mu.Unlock()
		if done-last < 0.01 && time.Since(at) < 500*time.Millisecond {
			return
		}
		last, at = done, time.Now()
		_ = Progress(ctx, done, "transcribing")
	}
}

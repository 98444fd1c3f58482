package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/speech"
	"github.com/gmc-project/gmc/internal/store"
)

// AudioSource is what OpenAudio decided about an audio stream: which
// session it feeds and whose voice it carries.
type AudioSource struct {
	Session *gmc.GameSession
	// Track is the speaker label of a one-person track; empty for a shared
	// microphone, whose speakers diarization tells apart.
	Track string
	// Names are the campaign's proper names, for the recogniser.
	Names []string
}

// OpenAudio checks that the caller may send audio into a session, live
// (a socket; the session must be live) or as a recording. The GM may send
// the room's microphone (track "") or any track; any other member sends
// only their own voice, as a track labelled with their display name that
// is mapped to them. A track whose voice belongs to a member who has not
// consented to voice processing in the campaign is refused: it is never
// transcribed.
func (s *Service) OpenAudio(ctx context.Context, userID, sessionID, track string, live bool) (*AudioSource, error) {
	return s.openAudio(ctx, userID, sessionID, track, live, true)
}

// CheckAudio is OpenAudio without its one write (mapping a member's own
// track to them): the audio socket asks it before the upgrade, when the
// track named in the first message is not known yet.
func (s *Service) CheckAudio(ctx context.Context, userID, sessionID, track string, live bool) (*AudioSource, error) {
	return s.openAudio(ctx, userID, sessionID, track, live, false)
}

func (s *Service) openAudio(ctx context.Context, userID, sessionID, track string, live, claim bool) (*AudioSource, error) {
	gs, role, err := s.Session(ctx, userID, sessionID)
	if err != nil {
		return nil, err
	}
	if err := s.requireSpending(ctx, gs.CampaignID, gmc.FeatureAudio, gmc.BudgetAudioSeconds); err != nil {
		return nil, err
	}
	if live && gs.Status != gmc.SessionLive {
		return nil, gmc.Errorf(gmc.ErrConflict, "session_not_live", "the session is %s, not live", gs.Status)
	}
	track = strings.TrimSpace(track)
	if utf8.RuneCountInString(track) > gmc.MaxSpeakerLabelLen {
		return nil, gmc.Invalid("speaker", "must be at most 64 characters")
	}
	src := &AudioSource{Session: gs, Track: track}
	if role == gmc.RoleGM {
		if track != "" {
			if err := s.checkTrackConsent(ctx, gs, track); err != nil {
				return nil, err
			}
		}
	} else {
		if src.Track, err = s.ownTrack(ctx, gs, userID, track, claim); err != nil {
			return nil, err
		}
	}
	if src.Names, err = s.live.Names(ctx, gs.CampaignID); err != nil {
		return nil, err
	}
	return src, nil
}

// checkTrackConsent refuses a track whose label is mapped to a member who
// has not consented.
func (s *Service) checkTrackConsent(ctx context.Context, gs *gmc.GameSession, label string) error {
	speakers, err := s.store.Speakers(ctx, gs.ID)
	if err != nil {
		return err
	}
	for _, sp := range speakers {
		if sp.Label == label && sp.UserID != nil {
			return s.requireConsent(ctx, gs.CampaignID, *sp.UserID, fmt.Sprintf("the track %q is the voice of a member who has", label))
		}
	}
	return nil
}

// requireConsent refuses unless the member consented; subject begins the
// refusal's sentence ("you have", "… a member who has").
func (s *Service) requireConsent(ctx context.Context, campaignID, userID, subject string) error {
	ok, err := s.VoiceConsent(ctx, campaignID, userID)
	if err != nil {
		return err
	}
	if !ok {
		return gmc.Errorf(gmc.ErrForbidden, "voice_consent_required", "%s not consented to voice processing in this campaign (PUT /campaigns/{campaign_id}/members/me/voice-consent)", subject)
	}
	return nil
}

// ownTrack is the label of a member's own voice: the one they asked for,
// else their display name; with claim it is mapped to them for the
// session. It may not be a label mapped to someone else.
func (s *Service) ownTrack(ctx context.Context, gs *gmc.GameSession, userID, track string, claim bool) (string, error) {
	if err := s.requireConsent(ctx, gs.CampaignID, userID, "you have"); err != nil {
		return "", err
	}
	if track == "" {
		u, err := s.store.User(ctx, userID)
		if err != nil {
			return "", err
		}
		track = strings.TrimSpace(u.DisplayName)
		if utf8.RuneCountInString(track) > gmc.MaxSpeakerLabelLen || track == "" {
			track = userID
		}
	}
	if !claim {
		speakers, err := s.store.Speakers(ctx, gs.ID)
		if err != nil {
			return "", err
		}
		for _, sp := range speakers {
			if sp.Label == track && sp.UserID != nil && *sp.UserID != userID {
				return "", gmc.Errorf(gmc.ErrConflict, "speaker_taken", "the speaker label %q belongs to another member of this session", track)
			}
		}
		return track, nil
	}
	err := s.store.InTx(ctx, func(tx store.Store) error {
		speakers, err := tx.Speakers(ctx, gs.ID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(speakers, func(sp gmc.Speaker) bool { return sp.Label == track })
		switch {
		case i >= 0 && speakers[i].UserID != nil && *speakers[i].UserID == userID:
			return nil
		case i >= 0 && speakers[i].UserID != nil:
			return gmc.Errorf(gmc.ErrConflict, "speaker_taken", "the speaker label %q belongs to another member of this session", track)
		case i >= 0:
			speakers[i].UserID = &userID
		default:
			speakers = append(speakers, gmc.Speaker{Label: track, UserID: &userID})
		}
		ev := s.event(gs.CampaignID, userID, gmc.ActionUpdate, gmc.EntitySpeakers, gs.ID, nil, speakers)
		return tx.SetSpeakers(ctx, gs.ID, speakers, ev)
	})
	return track, err
}

// IngestSpeech stores the segments the speech pipeline made of a
// session's audio and shows them live, like IngestSegments. Segments whose
// label is mapped to a member who has not consented to voice processing
// are dropped, never stored: the room microphone may pick up someone who
// said no. It returns the stored segments and how many were dropped.
func (s *Service) IngestSpeech(ctx context.Context, src *AudioSource, actorID, source string, segs []speech.Segment) ([]*gmc.TranscriptSegment, int, error) {
	if len(segs) == 0 {
		return nil, 0, nil
	}
	gs := src.Session
	refused, err := s.refusedLabels(ctx, gs)
	if err != nil {
		return nil, 0, err
	}
	now := s.clock()
	out := make([]*gmc.TranscriptSegment, 0, len(segs))
	dropped := 0
	for _, sg := range segs {
		if refused[sg.Label] {
			dropped++
			continue
		}
		text := strings.TrimSpace(sg.Text())
		if text == "" {
			continue
		}
		label := sg.Label
		if utf8.RuneCountInString(label) > gmc.MaxSpeakerLabelLen {
			label = string([]rune(label)[:gmc.MaxSpeakerLabelLen])
		}
		out = append(out, &gmc.TranscriptSegment{
			ID: s.newID(), SessionID: gs.ID, SpeakerLabel: label, StartMS: sg.StartMS, EndMS: sg.EndMS,
			Text: truncateRunes(text, gmc.MaxSegmentTextLen), Source: source, CreatedAt: now,
			Alternatives: sg.Alternatives,
		})
	}
	if len(out) == 0 {
		return nil, dropped, nil
	}
	for batch := range slices.Chunk(out, gmc.MaxSegmentsPerBatch) {
		ev := s.event(gs.CampaignID, actorID, gmc.ActionCreate, gmc.EntityTranscript, gs.ID, nil, map[string]any{"segments": len(batch), "source": source})
		if err := s.store.AppendSegments(ctx, batch, ev); err != nil {
			return nil, dropped, err
		}
		s.live.Segments(ctx, gs, batch)
	}
	return out, dropped, nil
}

// refusedLabels are the session's speaker labels mapped to members who
// have not consented to voice processing.
func (s *Service) refusedLabels(ctx context.Context, gs *gmc.GameSession) (map[string]bool, error) {
	speakers, err := s.store.Speakers(ctx, gs.ID)
	if err != nil {
		return nil, err
	}
	refused := map[string]bool{}
	for _, sp := range speakers {
		if sp.UserID == nil {
			continue
		}
		ok, err := s.VoiceConsent(ctx, gs.CampaignID, *sp.UserID)
		if err != nil {
			return nil, err
		}
		refused[sp.Label] = !ok
	}
	return refused, nil
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// errNoJobs refuses uploads on a service built without a job queue (tools).
var errNoJobs = errors.New("service: no job queue configured to transcribe recordings")

// TranscribeArgs is the job that transcribes an uploaded recording.
type TranscribeArgs struct {
	RecordingID string `json:"recording_id"`
}

// Kind names the job kind; stored with every job, it never changes.
func (TranscribeArgs) Kind() string { return "speech.transcribe" }

// UploadRecording stores a recording of a session and queues its
// transcription, returning the recording and the job's id. GM only. The
// caller has checked that the content decodes. When the job cannot be
// queued the recording is deleted again, so a failed upload leaves
// nothing behind.
func (s *Service) UploadRecording(ctx context.Context, userID, sessionID string, p RecordingParams, content io.Reader) (*gmc.Recording, string, error) {
	if s.jobs == nil {
		return nil, "", errNoJobs
	}
	if err := s.CheckUpload(ctx, userID, sessionID); err != nil {
		return nil, "", err
	}
	r, err := s.CreateRecording(ctx, userID, sessionID, p, content)
	if err != nil {
		return nil, "", err
	}
	jobID, err := s.jobs.Enqueue(ctx, TranscribeArgs{RecordingID: r.ID}, gmc.JobOpts{CampaignID: r.CampaignID, SessionID: r.SessionID, UserID: userID, GMOnly: true})
	if err != nil {
		if derr := s.deleteRecording(context.WithoutCancel(ctx), r, nil); derr != nil {
			s.log.Error("recording left behind after a failed enqueue", "recording_id", r.ID, "error", derr)
		}
		return nil, "", err
	}
	return r, jobID, nil
}

// CheckUpload refuses, before a recording is read, a caller who may not
// upload one: only the GM of the session's campaign may, while it has
// audio budget left this month.
func (s *Service) CheckUpload(ctx context.Context, userID, sessionID string) error {
	gs, err := s.gmSession(ctx, userID, sessionID)
	if err != nil {
		return err
	}
	return s.requireSpending(ctx, gs.CampaignID, gmc.FeatureAudio, gmc.BudgetAudioSeconds)
}

// TrackConsent says why a track of a recording must not be transcribed:
// its label is mapped to a member who has not consented. Empty means go on.
func (s *Service) TrackConsent(ctx context.Context, gs *gmc.GameSession, label string) (string, error) {
	err := s.checkTrackConsent(ctx, gs, label)
	var ge *gmc.Error
	if errors.As(err, &ge) && ge.Code == "voice_consent_required" {
		return "no voice consent", nil
	}
	return "", err
}

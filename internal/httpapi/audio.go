package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/danielgtaylor/huma/v2"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/speech"
	"github.com/gmc-project/gmc/internal/speech/audio"
	"github.com/gmc-project/gmc/internal/speech/pipeline"
	"github.com/gmc-project/gmc/internal/transcribe"
)

// The audio socket (GET /sessions/{session_id}/audio/ws) carries one
// stream of a live session's audio into the speech pipeline. Its
// protocol, also in the AsyncAPI document:
//
//	client → server: first a text message {"sample_rate", "channels", "speaker"?},
//	  then binary messages of interleaved PCM16LE samples, and at the end
//	  optionally a text message {"type": "end"} (or just a close).
//	server → client: {"type": "ready"} once the header is accepted;
//	  {"type": "heard"} after each utterance is transcribed (its segments
//	  go to the session's live socket as transcript.segment);
//	  {"type": "slow_down"} when the client sends faster than real time or
//	  than recognition keeps up with — the server then reads no more
//	  until it has caught up, so nothing is dropped;
//	  {"type": "done"} after "end", when every utterance is transcribed;
//	  {"type": "error", "code", "detail"} before a close for a bad header
//	  or a failure, or (code quota_exceeded, close 1008) once the
//	  campaign's monthly audio budget is spent: each transcribed utterance
//	  counts in it, and the one that spends it ends the stream.

// AudioHeader is the first message on an audio socket.
type AudioHeader struct {
	SampleRate int    `json:"sample_rate"`
	Channels   int    `json:"channels"`
	Speaker    string `json:"speaker,omitempty"`
}

// AudioEvent is a server message on an audio socket.
type AudioEvent struct {
	Type string `json:"type"`
	// ready
	Speaker     string `json:"speaker,omitempty"`
	STT         string `json:"stt,omitempty"`
	Diarization string `json:"diarization,omitempty"`
	// heard
	StartMS  int64 `json:"start_ms,omitempty"`
	EndMS    int64 `json:"end_ms,omitempty"`
	Segments int   `json:"segments,omitempty"`
	Dropped  int   `json:"dropped,omitempty"`
	// slow_down
	AheadMS int64  `json:"ahead_ms,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// error
	Code   string `json:"code,omitempty"`
	Detail string `json:"detail,omitempty"`
}

const (
	// audioAhead is how far ahead of real time a client may send before it
	// is told to slow down and reading pauses; audioCatchUp is how far
	// ahead reading resumes.
	audioAhead   = 2 * time.Second
	audioCatchUp = time.Second
	// audioCalm is how long a client told to slow down must keep within
	// bounds before it is told again.
	audioCalm = 5 * time.Second
	// audioMaxMessage bounds one binary message (a second of 48 kHz
	// 8-channel PCM16 is 768 KB).
	audioMaxMessage = 1 << 20
	audioHeaderWait = 10 * time.Second
)

func (a *api) audioRoutes(h huma.API, mux *http.ServeMux) {
	up := operation(http.MethodPost, "/sessions/{session_id}/audio", "upload-audio", "Upload a recording to transcribe (GM only)", "speech")
	// The form's other bytes (boundaries, headers) are few; a recording
	// of exactly the limit still fits.
	up.MaxBodyBytes = a.limits.MaxRecordingBytes + 64<<10
	up.BodyReadTimeout = -1 // a large recording takes its time to arrive
	up.DefaultStatus = http.StatusAccepted
	authed(h, up, a.handleAudioUpload, a)
	mux.HandleFunc("GET "+BasePath+"/sessions/{session_id}/audio/ws", a.handleAudioSocket)
}

// handleAudioSocket, like the live socket, checks everything it can before
// the upgrade so that refusals are problems with a status: the Origin,
// the caller, that speech is on, and that the caller may send this voice
// (the speaker may also be given as ?speaker= to be checked here).
func (a *api) handleAudioSocket(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sessionID := r.PathValue("session_id")
	if err := checkOrigin(r, a.allowedOrigins); err != nil {
		writeProblem(w, newProblem(http.StatusForbidden, "origin_not_allowed", err.Error()))
		return
	}
	uid, err := a.socketUser(ctx, r, sessionID)
	if err != nil {
		writeProblem(w, problemFrom(ctx, a.log, err))
		return
	}
	speaker := r.URL.Query().Get("speaker")
	src, err := a.svc.CheckAudio(ctx, uid, sessionID, speaker, true)
	if err != nil {
		writeProblem(w, problemFrom(ctx, a.log, err))
		return
	}
	if err := a.speech.Ready(); err != nil {
		writeProblem(w, newProblem(http.StatusServiceUnavailable, "speech_unavailable", err.Error()))
		return
	}
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: a.allowedOrigins})
	if err != nil {
		return
	}
	ws.SetReadLimit(audioMaxMessage)
	// The stream outlives nothing but its socket; shutdown closes the
	// listener and the socket's reads fail.
	err = a.serveAudio(context.WithoutCancel(ctx), ws, uid, speaker, src)
	var ce *audioClose
	switch {
	case err == nil:
		ws.Close(websocket.StatusNormalClosure, "")
	case errors.As(err, &ce):
		_ = wsjson.Write(ctx, ws, AudioEvent{Type: "error", Code: ce.code, Detail: ce.detail})
		ws.Close(ce.status, ce.code)
	case websocket.CloseStatus(err) != -1:
		// the client closed
	default:
		a.log.WarnContext(ctx, "audio stream failed", "request_id", requestID(ctx), "session_id", sessionID, "error", err.Error())
		_ = wsjson.Write(ctx, ws, AudioEvent{Type: "error", Code: "speech_failed", Detail: err.Error()})
		ws.Close(websocket.StatusInternalError, "speech_failed")
	}
}

// audioClose ends an audio socket with an error message and a close code.
type audioClose struct {
	status websocket.StatusCode
	code   string
	detail string
}

func (e *audioClose) Error() string { return e.code + ": " + e.detail }

func (a *api) serveAudio(ctx context.Context, ws *websocket.Conn, uid, speaker string, src *service.AudioSource) error {
	hdr, err := readAudioHeader(ctx, ws)
	if err != nil {
		return err
	}
	// The header's speaker, when it names one, is the track; a member's
	// own track is mapped to them only now, once it is known.
	if hdr.Speaker != "" {
		speaker = hdr.Speaker
	}
	if src, err = a.svc.OpenAudio(ctx, uid, src.Session.ID, speaker, true); err != nil {
		p := problemFrom(ctx, a.log, err)
		return &audioClose{websocket.StatusPolicyViolation, p.Code, p.Detail}
	}
	conv, err := audio.NewLive(hdr.SampleRate, hdr.Channels, audio.Limits{})
	if err != nil {
		return &audioClose{websocket.StatusPolicyViolation, "bad_audio_header", err.Error()}
	}
	opts := transcribe.Options{Track: src.Track, Names: src.Names}
	source := a.speech.Source(opts)
	var segments atomic.Int64
	opts.Emit = func(ctx context.Context, r pipeline.Result) error {
		stored, dropped, err := a.svc.IngestSpeech(ctx, src, uid, source, r.Segments)
		if err != nil {
			return err
		}
		segments.Add(int64(len(stored)))
		if err := wsjson.Write(ctx, ws, AudioEvent{Type: "heard", StartMS: r.Utterance.StartMS, EndMS: r.Utterance.EndMS, Segments: len(stored), Dropped: dropped}); err != nil {
			return err
		}
		// The utterance was recognised, so it counts in the campaign's
		// audio budget, and the one that spends the budget ends the stream.
		spent := time.Duration(transcribe.UtteranceMS(r.Utterance)) * time.Millisecond
		if err := a.svc.ChargeAudio(ctx, src.Session.CampaignID, spent); err != nil {
			p := problemFrom(ctx, a.log, err)
			return &audioClose{websocket.StatusPolicyViolation, p.Code, p.Detail}
		}
		return nil
	}
	stream, err := a.speech.Start(ctx, opts)
	if err != nil {
		return err
	}
	stt, dia := a.speech.Providers()
	if src.Track != "" {
		dia = "tracks"
	}
	if err := wsjson.Write(ctx, ws, AudioEvent{Type: "ready", Speaker: src.Track, STT: stt, Diarization: dia}); err != nil {
		return errors.Join(err, stream.Close(ctx))
	}
	err = a.pumpAudio(ctx, ws, conv, stream)
	if cerr := stream.Close(ctx); cerr != nil && err == nil {
		err = cerr
	}
	if err == nil {
		err = wsjson.Write(ctx, ws, AudioEvent{Type: "done", Segments: int(segments.Load())})
	}
	return err
}

func readAudioHeader(ctx context.Context, ws *websocket.Conn) (AudioHeader, error) {
	var hdr AudioHeader
	hctx, cancel := context.WithTimeout(ctx, audioHeaderWait)
	defer cancel()
	typ, data, err := ws.Read(hctx)
	if err != nil {
		if hctx.Err() != nil && ctx.Err() == nil {
			return hdr, &audioClose{websocket.StatusPolicyViolation, "no_audio_header", "the first message must come within 10 s"}
		}
		return hdr, err
	}
	if typ != websocket.MessageText {
		return hdr, &audioClose{websocket.StatusPolicyViolation, "bad_audio_header", `the first message must be a text message {"sample_rate", "channels", "speaker"?}`}
	}
	if err := decodeStrict(data, &hdr); err != nil {
		return hdr, &audioClose{websocket.StatusPolicyViolation, "bad_audio_header", err.Error()}
	}
	switch {
	case hdr.SampleRate < 4000 || hdr.SampleRate > 192000:
		return hdr, &audioClose{websocket.StatusPolicyViolation, "bad_audio_header", "sample_rate must be 4000 to 192000"}
	case hdr.Channels < 1 || hdr.Channels > 8:
		return hdr, &audioClose{websocket.StatusPolicyViolation, "bad_audio_header", "channels must be 1 to 8"}
	}
	return hdr, nil
}

func decodeStrict(data []byte, v any) error {
	if ie := checkJSON(data, 2, 1); ie != nil {
		return ie
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("header: %w", err)
	}
	return nil
}

// pumpAudio reads the client's audio into the stream until "end" or a
// close, pausing when the client is ahead of real time.
func (a *api) pumpAudio(ctx context.Context, ws *websocket.Conn, conv *audio.Live, stream *pipeline.Stream) error {
	var (
		start   time.Time
		sent    time.Duration // audio received
		slowed  bool
		calm    time.Time // since when a slowed client has kept within bounds
		samples []float32
	)
	for {
		typ, data, err := ws.Read(ctx)
		if websocket.CloseStatus(err) == websocket.StatusNormalClosure || websocket.CloseStatus(err) == websocket.StatusGoingAway {
			samples = conv.Flush(samples[:0])
			return stream.Write(ctx, samples)
		}
		if err != nil {
			return err
		}
		if typ == websocket.MessageText {
			var msg struct {
				Type string `json:"type"`
			}
			if err := decodeStrict(data, &msg); err != nil || msg.Type != "end" {
				return &audioClose{websocket.StatusUnsupportedData, "bad_message", `text messages after the header may only be {"type": "end"}`}
			}
			samples = conv.Flush(samples[:0])
			return stream.Write(ctx, samples)
		}
		if start.IsZero() {
			start = time.Now()
		}
		samples = conv.Append(samples[:0], data)
		sent += time.Duration(len(samples)) * time.Second / speech.SampleRate
		if err := stream.Write(ctx, samples); err != nil {
			return err
		}
		ahead := sent - time.Since(start)
		behind := time.Duration(stream.Lag()) * time.Millisecond
		if ahead <= audioAhead && behind <= audioAhead {
			// One slow_down per episode: a client catching up sends its
			// held audio in bursts, each of which runs ahead again, and
			// a client that pauses at every slow_down would then hold
			// (and burst) again for ever.
			if slowed && calm.IsZero() {
				calm = time.Now()
			}
			if slowed && time.Since(calm) >= audioCalm {
				slowed, calm = false, time.Time{}
			}
			continue
		}
		calm = time.Time{}
		if !slowed {
			ev := AudioEvent{Type: "slow_down", AheadMS: ahead.Milliseconds(), Reason: "faster_than_real_time"}
			if behind > audioAhead {
				ev.AheadMS, ev.Reason = behind.Milliseconds(), "recognition_behind"
			}
			if err := wsjson.Write(ctx, ws, ev); err != nil {
				return err
			}
			slowed = true
		}
		// Read nothing more until the client is back near real time: the
		// socket's buffers fill and its sends block, losing nothing. A
		// recognition backlog is bounded by the pipeline's queue, whose
		// Write blocks; pausing here for it too would starve a diarizer
		// that waits for the audio after an utterance before it answers.
		if wait := ahead - audioCatchUp; wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return ctx.Err()
			}
		}

	}
}

// DefaultMaxRecordingBytes bounds an uploaded recording unless
// Limits.MaxRecordingBytes says otherwise: a four-hour session as 16-bit
// 48 kHz stereo WAV is 2.7 GB, as FLAC about half that.
const DefaultMaxRecordingBytes = 2 << 30

// UploadAudioInput is a recording sent as multipart/form-data.
type UploadAudioInput struct {
	SessionPath
	RawBody huma.MultipartFormFiles[struct {
		File huma.FormFile `form:"file" required:"true" doc:"The recording: WAV (8/16/24/32-bit integer or float, any rate and channel count), FLAC, Ogg Vorbis, or a zip of per-speaker tracks in those formats (Craig style: each file named after its speaker, e.g. 1-alice.flac)"`
	}]
}

// UploadAudioOutput answers an accepted recording with its transcription job.
type UploadAudioOutput struct {
	Location string `header:"Location" doc:"The job transcribing the recording"`
	Body     struct {
		JobID     string         `json:"job_id" doc:"GET /jobs/{job_id} follows the transcription; its progress is also sent to the session's GMs as job.progress"`
		Recording *gmc.Recording `json:"recording"`
	}
}

func (a *api) handleAudioUpload(ctx context.Context, uid string, in *UploadAudioInput) (*UploadAudioOutput, error) {
	// Permission first, so a stranger's upload is not decoded and is
	// told nothing of the server's speech; then the audio feature.
	if err := a.svc.CheckUpload(ctx, uid, in.SessionID); err != nil {
		return nil, err
	}
	if err := a.speech.Ready(); err != nil {
		return nil, newProblem(http.StatusServiceUnavailable, "speech_unavailable", err.Error())
	}
	file := in.RawBody.Data().File
	ra, ok := file.File.(io.ReaderAt)
	if !ok {
		return nil, errors.New("upload: the multipart file cannot be read at offsets")
	}
	tracks, err := transcribe.DecodeRecording(ra, file.Size, audio.Limits{MaxBytes: a.limits.MaxRecordingBytes, MaxTotalBytes: a.limits.MaxRecordingBytes})
	if err != nil {
		return nil, audioProblem(err)
	}
	var longest int
	for _, t := range tracks {
		longest = max(longest, len(t.Clip.Samples))
	}
	name := file.Filename
	if name == "" {
		name = "recording"
	}
	p := service.RecordingParams{
		FileName: name, ContentType: recordingType(file.ContentType, tracks), SizeBytes: file.Size,
		DurationMS: int64(longest) * 1000 / speech.SampleRate, Tracks: len(tracks),
	}
	rec, jobID, err := a.svc.UploadRecording(ctx, uid, in.SessionID, p, io.NewSectionReader(ra, 0, file.Size))
	if err != nil {
		return nil, err
	}
	out := &UploadAudioOutput{Location: BasePath + "/jobs/" + jobID}
	out.Body.JobID, out.Body.Recording = jobID, rec
	return out, nil
}

// recordingType is the content type a recording is stored and served
// with: what the client declared when it is a real one, else a generic
// one for an archive or audio.
func recordingType(declared string, tracks []audio.Track) string {
	if declared != "" && declared != "application/octet-stream" && len(declared) <= 100 {
		return declared
	}
	if len(tracks) > 0 && tracks[0].Label != "" {
		return "application/zip"
	}
	return "application/octet-stream"
}

// audioProblem answers a recording that does not decode.
func audioProblem(err error) error {
	for _, m := range []struct {
		err    error
		status int
		code   string
	}{
		{audio.ErrUnsupported, http.StatusUnsupportedMediaType, "unsupported_audio"},
		{audio.ErrTooLarge, http.StatusRequestEntityTooLarge, "audio_too_large"},
		{audio.ErrZipBomb, http.StatusRequestEntityTooLarge, "zip_bomb"},
		{audio.ErrTruncated, http.StatusBadRequest, "truncated_audio"},
		{audio.ErrMalformed, http.StatusBadRequest, "malformed_audio"},
		{audio.ErrNoAudio, http.StatusBadRequest, "no_audio"},
	} {
		if errors.Is(err, m.err) {
			p := newProblem(m.status, m.code, "body.file: "+err.Error())
			p.Errors = append(p.Errors, problemDetail("body.file", err.Error(), nil))
			return p
		}
	}
	return err
}

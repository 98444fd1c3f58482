package httpapi

import (
	"context"
	"io"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/gmc-project/gmc/internal/gmc"
)

// RecordingPath names one recording in a path.
type RecordingPath struct {
	RecordingID string `path:"recording_id" format:"uuid" doc:"Recording id"`
}

// RecordingsOutput answers with a session's recordings.
type RecordingsOutput struct {
	Body struct {
		Recordings []*gmc.Recording `json:"recordings"`
	}
}

func (a *api) handleRecordingList(ctx context.Context, uid string, in *SessionPath) (*RecordingsOutput, error) {
	list, err := a.svc.Recordings(ctx, uid, in.SessionID)
	if err != nil {
		return nil, err
	}
	out := &RecordingsOutput{}
	out.Body.Recordings = list
	return out, nil
}

func (a *api) handleRecordingDelete(ctx context.Context, uid string, in *RecordingPath) (*struct{}, error) {
	return nil, a.svc.DeleteRecording(ctx, uid, in.RecordingID)
}

// RecordingAudioOutput streams a recording's audio as it was uploaded.
type RecordingAudioOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentLength      string `header:"Content-Length"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               func(huma.Context)
}

func (a *api) handleRecordingAudio(ctx context.Context, uid string, in *RecordingPath) (*RecordingAudioOutput, error) {
	r, rc, err := a.svc.OpenRecording(ctx, uid, in.RecordingID)
	if err != nil {
		return nil, err
	}
	return &RecordingAudioOutput{
		ContentType: r.ContentType, ContentLength: strconv.FormatInt(r.SizeBytes, 10),
		ContentDisposition: `attachment; filename="` + audioFileName(r.FileName) + `"`,
		Body: func(hc huma.Context) {
			defer rc.Close()
			// The status and headers are sent; a copy that fails now (the
			// client went away) can only end the response early.
			_, _ = io.Copy(hc.BodyWriter(), rc)
		},
	}, nil
}

// audioFileName makes an uploaded file's name safe for a download's file
// name, keeping its extension.
func audioFileName(name string) string {
	out := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '-'
	}, name)
	if out = strings.TrimLeft(out, ".-"); out == "" {
		return "recording"
	}
	return out
}

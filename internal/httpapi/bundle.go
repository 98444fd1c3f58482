package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/gmc-project/gmc/internal/bundle"
	"github.com/gmc-project/gmc/internal/gmc"
)

// maxBundleBytes bounds an imported document: a large campaign exports to
// a few MiB, and the whole document is held in memory while it is checked.
const maxBundleBytes = 64 << 20

type campaignExportInput struct {
	CampaignPath
	Format string `query:"format" enum:"json,markdown" default:"json" doc:"json: the document import reads; markdown: a campaign book to read or print"`
	Async  bool   `query:"async" doc:"Export in a background job whatever the campaign's size: 202 with the job's id, the file then at GET /jobs/{job_id}/result"`
}

// CampaignExportOutput is an export document, sent as it is written, or
// (202) the job that writes it.
type CampaignExportOutput struct {
	Status             int
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Location           string `header:"Location"`
	Body               []byte
}

// JobAccepted is the body of a 202: the job doing the work.
type JobAccepted struct {
	JobID string `json:"job_id" doc:"The job; follow it at GET /jobs/{job_id}"`
}

// acceptedJob is the JSON of a 202 answer and where the job is read.
func acceptedJob(jobID string) ([]byte, string, error) {
	body, err := json.Marshal(JobAccepted{JobID: jobID})
	return body, BasePath + "/jobs/" + jobID, err
}

func (a *api) handleCampaignExport(ctx context.Context, uid string, in *campaignExportInput) (*CampaignExportOutput, error) {
	jobID, err := a.svc.ExportCampaignJob(ctx, uid, in.CampaignID, in.Format, in.Async)
	if err != nil {
		return nil, err
	}
	if jobID != "" {
		body, loc, err := acceptedJob(jobID)
		if err != nil {
			return nil, err
		}
		return &CampaignExportOutput{Status: http.StatusAccepted, ContentType: "application/json", Location: loc, Body: body}, nil
	}
	b, err := a.svc.ExportCampaign(ctx, uid, in.CampaignID)
	if err != nil {
		return nil, err
	}
	f, err := bundle.Render(b, in.Format)
	if err != nil {
		return nil, err
	}
	return &CampaignExportOutput{Status: http.StatusOK, ContentType: f.ContentType, ContentDisposition: attachment(f.FileName), Body: f.Body}, nil
}

// attachment is a Content-Disposition for a file name bundle.FileName made.
func attachment(name string) string { return `attachment; filename="` + name + `"` }

// JobResultOutput streams the file a finished job wrote.
type JobResultOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentLength      string `header:"Content-Length"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               func(huma.Context)
}

func (a *api) handleJobResult(ctx context.Context, uid string, in *JobPath) (*JobResultOutput, error) {
	res, rc, err := a.svc.JobFile(ctx, uid, in.JobID)
	if err != nil {
		return nil, err
	}
	return &JobResultOutput{
		ContentType: res.ContentType, ContentLength: strconv.FormatInt(res.SizeBytes, 10), ContentDisposition: attachment(res.FileName),
		Body: func(hc huma.Context) {
			defer rc.Close()
			// The status and headers are sent; a copy that fails now (the
			// client went away) can only end the response early.
			_, _ = io.Copy(hc.BodyWriter(), rc)
		},
	}, nil
}

type campaignImportInput struct {
	Async  bool   `query:"async" doc:"Import in a background job whatever the document's size: 202 with the job's id"`
	Prefer string `header:"Prefer" doc:"respond-async asks for a background job, as ?async=true does (RFC 7240)"`
	// RawBody rather than a typed Body: the document is checked as a whole
	// by gmc.Bundle.Validate, which names every problem by its path, the
	// same way for a type error as for a dangling reference.
	RawBody []byte `contentType:"application/json" doc:"A document GET /campaigns/{campaign_id}/export wrote"`
}

// prefersAsync reports whether the Prefer header asks for a background job.
func (in *campaignImportInput) prefersAsync() bool {
	for pref := range strings.SplitSeq(in.Prefer, ",") {
		name, _, _ := strings.Cut(pref, ";")
		if strings.EqualFold(strings.TrimSpace(name), "respond-async") {
			return true
		}
	}
	return false
}

// CampaignImportOutput answers an import: the campaign made (201,
// service.CampaignImport), or the job that makes it (202, JobAccepted).
type CampaignImportOutput struct {
	Status            int
	Location          string `header:"Location"`
	PreferenceApplied string `header:"Preference-Applied" doc:"respond-async when Prefer asked for the job"`
	Body              any
}

func (a *api) handleCampaignImport(ctx context.Context, uid string, in *campaignImportInput) (*CampaignImportOutput, error) {
	b, err := decodeBundle(in.RawBody)
	if err != nil {
		return nil, err
	}
	prefer := in.prefersAsync()
	jobID, err := a.svc.ImportCampaignJob(ctx, uid, in.RawBody, b, in.Async || prefer)
	if err != nil {
		return nil, err
	}
	if jobID != "" {
		out := &CampaignImportOutput{Status: http.StatusAccepted, Location: BasePath + "/jobs/" + jobID, Body: JobAccepted{JobID: jobID}}
		if prefer {
			out.PreferenceApplied = "respond-async"
		}
		return out, nil
	}
	res, err := a.svc.ImportCampaign(ctx, uid, b)
	if err != nil {
		return nil, err
	}
	return &CampaignImportOutput{Status: http.StatusCreated, Location: BasePath + "/campaigns/" + res.Campaign.ID, Body: res}, nil
}

// decodeBundle reads a document; a value of the wrong type is named by
// its field path, a document that is no JSON object as "body".
func decodeBundle(raw []byte) (*gmc.Bundle, error) {
	var b gmc.Bundle
	if !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		return nil, gmc.Invalid("body", "must be a JSON object: a campaign export document")
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return nil, gmc.Invalid("body."+te.Field, "must be a %s", te.Type)
		}
		return nil, gmc.Invalid("body", "is not valid JSON: %v", err)
	}
	return &b, nil
}

package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/gmc-project/gmc/internal/bundle"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

// maxBundleBytes bounds an imported document: a large campaign exports to
// a few MiB, and the whole document is held in memory while it is checked.
const maxBundleBytes = 64 << 20

type campaignExportInput struct {
	CampaignPath
	Format string `query:"format" enum:"json,markdown" default:"json" doc:"json: the document import reads; markdown: a campaign book to read or print"`
}

// CampaignExportOutput is an export document, sent as it is written.
type CampaignExportOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

func (a *api) handleCampaignExport(ctx context.Context, uid string, in *campaignExportInput) (*CampaignExportOutput, error) {
	b, err := a.svc.ExportCampaign(ctx, uid, in.CampaignID)
	if err != nil {
		return nil, err
	}
	name := fileName(b.Campaign.Name)
	if in.Format == "markdown" {
		return &CampaignExportOutput{ContentType: "text/markdown; charset=utf-8", ContentDisposition: `attachment; filename="` + name + `.md"`,
			Body: bundle.Markdown(b)}, nil
	}
	body, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return nil, err
	}
	return &CampaignExportOutput{ContentType: "application/json", ContentDisposition: `attachment; filename="` + name + `.gmc.json"`, Body: body}, nil
}

// fileName makes a campaign name safe for a download's file name.
func fileName(name string) string {
	out := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, name)
	if out = strings.Trim(out, "-"); out == "" {
		return "campaign"
	}
	return out
}

type campaignImportInput struct {
	// RawBody rather than a typed Body: the document is checked as a whole
	// by gmc.Bundle.Validate, which names every problem by its path, the
	// same way for a type error as for a dangling reference.
	RawBody []byte `contentType:"application/json" doc:"A document GET /campaigns/{campaign_id}/export wrote"`
}

// CampaignImportOutput answers an import.
type CampaignImportOutput struct {
	Location string `header:"Location"`
	Body     *service.CampaignImport
}

func (a *api) handleCampaignImport(ctx context.Context, uid string, in *campaignImportInput) (*CampaignImportOutput, error) {
	b, err := decodeBundle(in.RawBody)
	if err != nil {
		return nil, err
	}
	res, err := a.svc.ImportCampaign(ctx, uid, b)
	if err != nil {
		return nil, err
	}
	return &CampaignImportOutput{Location: BasePath + "/campaigns/" + res.Campaign.ID, Body: res}, nil
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

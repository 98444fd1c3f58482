package httpapi

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/gmc-project/gmc/internal/dndbeyond"
	"github.com/gmc-project/gmc/internal/service"
)

// maxDndBeyondBytes admits a character document sent whole: the largest
// real ones are about 1 MB.
const maxDndBeyondBytes = dndbeyond.DefaultMaxBytes

type dndbeyondImportInput struct {
	Body struct {
		CampaignID    string          `json:"campaign_id" format:"uuid" doc:"The campaign to import into"`
		URL           string          `json:"url,omitempty" maxLength:"2048" doc:"The character's sheet URL on dndbeyond.com (the character must be public)" example:"https://www.dndbeyond.com/characters/12345678"`
		DndBeyondID   int64           `json:"dndbeyond_id,omitempty" minimum:"1" doc:"The character's D&D Beyond id (the character must be public)"`
		CharacterJSON json.RawMessage `json:"character_json,omitempty" doc:"The character document itself, as D&D Beyond's character service or ddb-proxy answer it"`
	}
}

// DndBeyondImportOutput answers an import: 201 with a new character, 200
// with an updated one and the changes to its sheet.
type DndBeyondImportOutput struct {
	Status   int
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     *service.DndBeyondResult
}

func (a *api) handleDndBeyondImport(ctx context.Context, uid string, in *dndbeyondImportInput) (*DndBeyondImportOutput, error) {
	b := in.Body
	res, err := a.svc.ImportDndBeyond(ctx, uid, service.DndBeyondImport{CampaignID: b.CampaignID, URL: b.URL, DndBeyondID: b.DndBeyondID,
		CharacterJSON: b.CharacterJSON})
	if err != nil {
		return nil, err
	}
	out := &DndBeyondImportOutput{Status: http.StatusOK, ETag: etag(res.Character.Version), Location: BasePath + "/characters/" + res.Character.ID, Body: res}
	if res.Created {
		out.Status = http.StatusCreated
	}
	return out, nil
}

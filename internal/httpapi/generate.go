package httpapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"github.com/gmc-project/gmc/internal/generate"
	"github.com/gmc-project/gmc/internal/service"
)

// GenerateQuery is the query of every generator.
type GenerateQuery struct {
	Seed string `query:"seed" pattern:"^[0-9]{1,16}$" doc:"Makes the draft repeatable: the same seed and the same campaign state give the same draft (at most 2^53 - 1); in LLM mode the seed goes to the model server, and repeats the draft only if that server honours seeds. Without one a seed is drawn and returned in the draft."`
	Save bool   `query:"save" doc:"Store the draft (201 with the stored entities) instead of only returning it"`
}

func (q GenerateQuery) options() service.GenerateOptions {
	opt := service.GenerateOptions{Save: q.Save}
	if q.Seed != "" {
		// The pattern admits only digits, at most 16 of them: it parses.
		seed, _ := strconv.ParseUint(q.Seed, 10, 64)
		opt.Seed = &seed
	}
	return opt
}

// savedStatus is 201 when a request stored what it made, else 200.
func savedStatus(saved bool) int {
	if saved {
		return http.StatusCreated
	}
	return http.StatusOK
}

// describeSaved documents the 201 answer of the generators that store
// their draft with ?save=true: huma knows only the default status, 200.
func describeSaved(oapi *huma.OpenAPI) {
	for _, op := range operations(oapi) {
		switch op.OperationID {
		case "generate-npc", "generate-location", "plot-hooks":
		default:
			continue
		}
		ok := op.Responses[strconv.Itoa(http.StatusOK)]
		if ok == nil {
			continue
		}
		ok.Description = "The draft"
		saved := *ok
		saved.Description = "Saved (?save=true): the draft and what was stored"
		op.Responses[strconv.Itoa(http.StatusCreated)] = &saved
	}
}

type npcGenerateInput struct {
	CampaignPath
	GenerateQuery
	Body *struct {
		Hints generate.NPCHints `json:"hints,omitempty" doc:"What to steer; anything left out is chosen"`
	}
}

// NPCGenerateOutput answers with an NPC draft.
type NPCGenerateOutput struct {
	Status   int
	Location string `header:"Location"`
	Body     *service.NPCGeneration
}

func (a *api) handleGenerateNPC(ctx context.Context, uid string, in *npcGenerateInput) (*NPCGenerateOutput, error) {
	var hints generate.NPCHints
	if in.Body != nil {
		hints = in.Body.Hints
	}
	g, err := a.svc.GenerateNPC(ctx, uid, in.CampaignID, hints, in.options())
	if err != nil {
		return nil, err
	}
	out := &NPCGenerateOutput{Status: savedStatus(g.Character != nil), Body: g}
	if g.Character != nil {
		out.Location = BasePath + "/characters/" + g.Character.ID
	}
	return out, nil
}

type locationGenerateInput struct {
	CampaignPath
	GenerateQuery
	Body *struct {
		Type     string                 `json:"type,omitempty" maxLength:"255" example:"tavern" doc:"The location type: tavern, shop, village, city, castle, temple, dungeon, crypt, cave, ruins, forest, swamp, mountain, port have grammars of their own (and their synonyms: inn, tomb, keep…); any other is described generically. By default one is chosen."`
		ParentID *string                `json:"parent_id,omitempty" format:"uuid" doc:"The location it lies in (of this campaign)"`
		Hints    generate.LocationHints `json:"hints,omitempty"`
	}
}

// LocationGenerateOutput answers with a location draft.
type LocationGenerateOutput struct {
	Status   int
	Location string `header:"Location"`
	Body     *service.LocationGeneration
}

func (a *api) handleGenerateLocation(ctx context.Context, uid string, in *locationGenerateInput) (*LocationGenerateOutput, error) {
	var p service.LocationGenerateParams
	if b := in.Body; b != nil {
		p = service.LocationGenerateParams{Type: b.Type, ParentID: b.ParentID, Hints: b.Hints}
	}
	g, err := a.svc.GenerateLocation(ctx, uid, in.CampaignID, p, in.options())
	if err != nil {
		return nil, err
	}
	out := &LocationGenerateOutput{Status: savedStatus(g.Location != nil), Body: g}
	if g.Location != nil {
		out.Location = BasePath + "/locations/" + g.Location.ID
	}
	return out, nil
}

type encounterGenerateInput struct {
	CampaignPath
	Seed string `query:"seed" pattern:"^[0-9]{1,16}$" doc:"Makes the encounter repeatable: the same seed gives the same monsters (at most 2^53 - 1), in LLM mode too; the model's flavour repeats only if its server honours seeds. Without one a seed is drawn and returned."`
	Body struct {
		PartyLevel int     `json:"party_level" minimum:"1" maximum:"20" doc:"The characters' level"`
		PartySize  int     `json:"party_size" minimum:"1" maximum:"12" doc:"How many characters"`
		Difficulty string  `json:"difficulty,omitempty" enum:"easy,medium,hard,deadly" default:"medium"`
		LocationID *string `json:"location_id,omitempty" format:"uuid" doc:"Theme the monsters by this location's type (undead in a crypt, beasts in a forest…)"`
	}
}

// EncounterOutput answers with an encounter.
type EncounterOutput struct {
	Body *generate.EncounterDraft
}

func (a *api) handleGenerateEncounter(ctx context.Context, uid string, in *encounterGenerateInput) (*EncounterOutput, error) {
	b := in.Body
	d, err := a.svc.GenerateEncounter(ctx, uid, in.CampaignID, service.EncounterParams{PartyLevel: b.PartyLevel, PartySize: b.PartySize,
		Difficulty: b.Difficulty, LocationID: b.LocationID}, GenerateQuery{Seed: in.Seed}.options())
	if err != nil {
		return nil, err
	}
	return &EncounterOutput{Body: d}, nil
}

type plotHooksInput struct {
	CampaignPath
	GenerateQuery
	Body *struct {
		Count int `json:"count,omitempty" minimum:"1" maximum:"20" default:"5" doc:"How many hooks at most"`
	}
}

// PlotHooksOutput answers with plot hooks.
type PlotHooksOutput struct {
	Status int
	Body   *service.PlotHookGeneration
}

func (a *api) handlePlotHooks(ctx context.Context, uid string, in *plotHooksInput) (*PlotHooksOutput, error) {
	count := 0
	if in.Body != nil {
		count = in.Body.Count
	}
	g, err := a.svc.GeneratePlotHooks(ctx, uid, in.CampaignID, count, in.options())
	if err != nil {
		return nil, err
	}
	return &PlotHooksOutput{Status: savedStatus(g.Plots != nil), Body: g}, nil
}

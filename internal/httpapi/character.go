package httpapi

import (
	"context"
	"encoding/json"

	"github.com/danielgtaylor/huma/v2"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

// CharacterPath names one character in a path.
type CharacterPath struct {
	CharacterID string `path:"character_id" format:"uuid" doc:"Character id"`
}

// CharacterOutput answers with one character.
type CharacterOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     *gmc.Character
}

func characterOut(c *gmc.Character) *CharacterOutput {
	return &CharacterOutput{ETag: etag(c.Version), Body: c}
}

// characterBody is a create or PUT body. In a PUT, absent documents and
// lists are empty, an absent owner or portrait is none, an absent
// visibility is the default for the type, and gm_notes stays as it is.
type characterBody struct {
	Name           string            `json:"name" maxLength:"255" example:"Ireena Kolyana"`
	CharacterType  gmc.CharacterType `json:"character_type" enum:"pc,npc"`
	Stats          json.RawMessage   `json:"stats,omitempty" doc:"A JSON object (at most 256 KiB): abilities, hit points, anything"`
	Notes          json.RawMessage   `json:"notes,omitempty" doc:"A JSON object (at most 256 KiB) everyone who sees the character may read"`
	GMNotes        json.RawMessage   `json:"gm_notes,omitempty" doc:"A JSON object (at most 256 KiB) only GMs read and write"`
	VoiceNotes     string            `json:"voice_notes,omitempty" maxLength:"20000" doc:"How the character is voiced at the table"`
	Aliases        []string          `json:"aliases,omitempty" maxItems:"50" doc:"Other names, matched by ?q= and live keyword detection"`
	Tags           []string          `json:"tags,omitempty" maxItems:"50" doc:"Labels, stored lower-case"`
	Visibility     gmc.Visibility    `json:"visibility,omitempty" enum:"gm,players" doc:"Who sees it; by default players for a PC and gm for an NPC"`
	OwnerID        *string           `json:"owner_id,omitempty" format:"uuid" nullable:"true" doc:"The member who plays this PC; for a player, themselves by default"`
	PortraitFileID *string           `json:"portrait_file_id,omitempty" format:"uuid" nullable:"true"`
}

type characterCreateInput struct {
	CampaignPath
	Body characterBody
}

func (a *api) handleCharacterCreate(ctx context.Context, uid string, in *characterCreateInput) (*CharacterOutput, error) {
	b := in.Body
	c, err := a.svc.CreateCharacter(ctx, uid, in.CampaignID, service.CharacterParams{Name: b.Name, CharacterType: b.CharacterType, Stats: b.Stats,
		Notes: b.Notes, GMNotes: b.GMNotes, VoiceNotes: b.VoiceNotes, Aliases: b.Aliases, Tags: b.Tags, Visibility: b.Visibility,
		OwnerID: b.OwnerID, PortraitFileID: b.PortraitFileID})
	if err != nil {
		return nil, err
	}
	out := characterOut(c)
	out.Location = BasePath + "/characters/" + c.ID
	return out, nil
}

type characterListInput struct {
	CampaignPath
	PageInput
	CharacterType string `query:"character_type" enum:"pc,npc" doc:"Only PCs or only NPCs"`
	Tag           string `query:"tag" maxLength:"64" doc:"Only characters with this tag"`
	OwnerID       string `query:"owner_id" format:"uuid" doc:"Only the PCs of this member"`
	Q             string `query:"q" maxLength:"255" doc:"Part of a name or alias, any case"`
}

func (a *api) handleCharacterList(ctx context.Context, uid string, in *characterListInput) (*ListOutput[*gmc.Character], error) {
	items, next, err := a.svc.Characters(ctx, uid, service.CharacterQuery{CampaignID: in.CampaignID, Type: gmc.CharacterType(in.CharacterType),
		Tag: in.Tag, OwnerID: in.OwnerID, Q: in.Q, Page: in.page()})
	if err != nil {
		return nil, err
	}
	return list(items, next), nil
}

func (a *api) handleCharacterGet(ctx context.Context, uid string, in *CharacterPath) (*CharacterOutput, error) {
	c, err := a.svc.Character(ctx, uid, in.CharacterID)
	if err != nil {
		return nil, err
	}
	return characterOut(c), nil
}

type characterPutInput struct {
	CharacterPath
	IfMatch string `header:"If-Match" doc:"Version the change is based on"`
	Body    characterBody
}

func (a *api) handleCharacterPut(ctx context.Context, uid string, in *characterPutInput) (*CharacterOutput, error) {
	b := in.Body
	upd := service.CharacterUpdate{Name: &b.Name, CharacterType: &b.CharacterType, Stats: orEmpty(b.Stats), Notes: orEmpty(b.Notes),
		VoiceNotes: &b.VoiceNotes, Aliases: &b.Aliases, Tags: &b.Tags, OwnerID: orClear(b.OwnerID), PortraitFileID: orClear(b.PortraitFileID)}
	upd.Visibility, upd.GMNotes = &b.Visibility, sentDoc(b.GMNotes)
	return a.updateCharacter(ctx, uid, in.CharacterID, in.IfMatch, upd)
}

func orEmpty(doc json.RawMessage) *json.RawMessage {
	if doc == nil {
		doc = json.RawMessage("{}")
	}
	return &doc
}

// orClear turns an absent id of a PUT into "clear it".
func orClear(id *string) *string {
	if id == nil {
		clear := ""
		return &clear
	}
	return id
}

// nullableID is an id in a PATCH body: absent leaves the field as it is,
// null clears it (JSON merge patch).
type nullableID struct {
	sent  bool
	value *string
}

// UnmarshalJSON is called only for a field present in the body.
func (n *nullableID) UnmarshalJSON(b []byte) error {
	n.sent = true
	return json.Unmarshal(b, &n.value)
}

// Schema describes the field to huma: a uuid or null.
func (nullableID) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: "string", Format: "uuid", Nullable: true}
}

// update is the field's service.CharacterUpdate form: nil, "" or the id.
func (n nullableID) update() *string {
	if !n.sent {
		return nil
	}
	return orClear(n.value)
}

type characterPatchInput struct {
	CharacterPath
	IfMatch string `header:"If-Match" doc:"Version the change is based on"`
	Body    struct {
		Name           *string            `json:"name,omitempty" maxLength:"255"`
		CharacterType  *gmc.CharacterType `json:"character_type,omitempty" enum:"pc,npc"`
		Stats          json.RawMessage    `json:"stats,omitempty" doc:"A JSON object; null empties it"`
		Notes          json.RawMessage    `json:"notes,omitempty" doc:"A JSON object; null empties it"`
		GMNotes        json.RawMessage    `json:"gm_notes,omitempty" doc:"A JSON object (GM only); null empties it"`
		VoiceNotes     *string            `json:"voice_notes,omitempty" maxLength:"20000"`
		Aliases        []string           `json:"aliases,omitempty" maxItems:"50"`
		Tags           []string           `json:"tags,omitempty" maxItems:"50"`
		Visibility     *gmc.Visibility    `json:"visibility,omitempty" enum:"gm,players"`
		OwnerID        nullableID         `json:"owner_id,omitzero" doc:"null: no owner"`
		PortraitFileID nullableID         `json:"portrait_file_id,omitzero" doc:"null: no portrait"`
	}
}

func (a *api) handleCharacterPatch(ctx context.Context, uid string, in *characterPatchInput) (*CharacterOutput, error) {
	b := in.Body
	upd := service.CharacterUpdate{Name: b.Name, CharacterType: b.CharacterType, Stats: sentDoc(b.Stats), Notes: sentDoc(b.Notes),
		GMNotes: sentDoc(b.GMNotes), VoiceNotes: b.VoiceNotes, Visibility: b.Visibility, OwnerID: b.OwnerID.update(), PortraitFileID: b.PortraitFileID.update()}
	if b.Aliases != nil {
		upd.Aliases = &b.Aliases
	}
	if b.Tags != nil {
		upd.Tags = &b.Tags
	}
	return a.updateCharacter(ctx, uid, in.CharacterID, in.IfMatch, upd)
}

// sentDoc is a PATCH body's JSON document: nil when absent.
func sentDoc(doc json.RawMessage) *json.RawMessage {
	if doc == nil {
		return nil
	}
	return &doc
}

func (a *api) updateCharacter(ctx context.Context, uid, id, ifMatchHeader string, upd service.CharacterUpdate) (*CharacterOutput, error) {
	var err error
	if upd.IfMatch, err = ifMatch(ifMatchHeader); err != nil {
		return nil, err
	}
	c, err := a.svc.UpdateCharacter(ctx, uid, id, upd)
	if err != nil {
		return nil, err
	}
	return characterOut(c), nil
}

func (a *api) handleCharacterDelete(ctx context.Context, uid string, in *CharacterPath) (*struct{}, error) {
	return nil, a.svc.DeleteCharacter(ctx, uid, in.CharacterID)
}

// VoiceNotesOutput answers with a character's voice notes.
type VoiceNotesOutput struct {
	ETag string `header:"ETag"`
	Body *service.VoiceNotes
}

func (a *api) handleVoiceNotesGet(ctx context.Context, uid string, in *CharacterPath) (*VoiceNotesOutput, error) {
	v, err := a.svc.CharacterVoiceNotes(ctx, uid, in.CharacterID)
	if err != nil {
		return nil, err
	}
	return &VoiceNotesOutput{ETag: etag(v.Version), Body: v}, nil
}

type voiceNotesPutInput struct {
	CharacterPath
	IfMatch string `header:"If-Match" doc:"Version of the character the change is based on"`
	Body    struct {
		VoiceNotes string `json:"voice_notes" maxLength:"20000" example:"Low, slow, a faint Barovian lilt"`
	}
}

func (a *api) handleVoiceNotesPut(ctx context.Context, uid string, in *voiceNotesPutInput) (*VoiceNotesOutput, error) {
	version, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	v, err := a.svc.SetCharacterVoiceNotes(ctx, uid, in.CharacterID, in.Body.VoiceNotes, version)
	if err != nil {
		return nil, err
	}
	return &VoiceNotesOutput{ETag: etag(v.Version), Body: v}, nil
}

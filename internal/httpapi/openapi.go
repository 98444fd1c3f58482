package httpapi

import (
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

// The OpenAPI document huma builds from the routes is finished here, once
// every operation is registered and before it is first served: the parts
// a client generator needs that huma cannot derive from Go types.

const apiDescription = "The HTTP API of gmc (GameMaster's Companion), a self-hosted companion for tabletop role-playing game masters: " +
	"campaigns, characters, relationships, locations, plot threads, game sessions with a live table, transcripts and live keyword alerts.\n\n" +
	"Authenticate with `Authorization: Bearer <access token>` from `POST /api/v1/auth/login`. Every error answer is an RFC 9457 problem " +
	"document (`application/problem+json`) with a stable `code`; a 422 names each bad field in `errors`. Request bodies refuse unknown fields; " +
	"answers may gain fields, so clients should ignore the ones they do not know.\n\n" +
	"The live table's WebSocket protocol is described by the AsyncAPI 3.0 document [" + BasePath + "/asyncapi.json](" + BasePath + "/asyncapi.json)."

// tagDescriptions describe the groups operations are tagged with;
// TestOpenAPITagsDescribed fails for a tag missing here.
var tagDescriptions = []huma.Tag{
	{Name: "auth", Description: "Accounts and tokens: register, log in, refresh, log out."},
	{Name: "users", Description: "Your own account and everything stored about you."},
	{Name: "campaigns", Description: "Campaigns, their audit log, and export and import of a whole campaign."},
	{Name: "members", Description: "Who is in a campaign with which role (gm, player, observer), and invites."},
	{Name: "sessions", Description: "Game sessions: scheduled, live, ended."},
	{Name: "live", Description: "Joining a live session's WebSocket (see the AsyncAPI document)."},
	{Name: "characters", Description: "Player characters and NPCs, their voice notes and achievements."},
	{Name: "relationships", Description: "Relationships between characters with their history, and the relationship graph."},
	{Name: "locations", Description: "The campaign's location tree."},
	{Name: "plots", Description: "Plot threads, their progress, dependencies, foreshadowing and reminders."},
	{Name: "transcript", Description: "Transcript segments of a session and who is speaking."},
	{Name: "speech", Description: "Audio into the transcript: recordings uploaded for transcription (a background job) and the live audio socket (see the AsyncAPI document)."},
	{Name: "recordings", Description: "Audio recordings of sessions kept in the file store, for the GM; settings.keep_recordings and recording_retention_days say how long."},
	{Name: "files", Description: "Portraits, maps, recordings and handouts of a campaign in the file store, typed by their content."},
	{Name: "keywords", Description: "Custom keywords for live detection, and the hits detected in a session."},
	{Name: "search", Description: "Typo- and sound-alike-tolerant search over a campaign."},
	{Name: "reference", Description: "SRD 5.1 rules entries (CC-BY-4.0) and their search."},
	{Name: "discord", Description: "Posting session recaps to Discord: a campaign's channel webhooks (their tokens sealed, never shown again) and the guilds of the server's bot."},
	{Name: "generate", Description: "Drafts for the GM built from the campaign's state: NPCs, locations, encounters from the SRD monsters, plot hooks. Repeatable with ?seed=, stored with ?save=true."},
	{Name: "summaries", Description: "Session summaries made by a background job when a session ends, and the database updates they propose for the GM to apply or reject."},
	{Name: "jobs", Description: "Background jobs: long work runs after the request that started it, with retries; its progress is also sent on the session's WebSocket."},
}

// freeFormFields are free-form JSON objects (json.RawMessage in Go, which
// huma can only describe as "anything").
var freeFormFields = []string{"stats", "notes", "gm_notes", "metadata", "coordinates", "values"}

// auditFields are an audit event's snapshots: the entity (an object), or
// the list it replaced (the speakers of a session).
var auditFields = []string{"before", "after"}

// describeAPI finishes the document.
func describeAPI(oapi *huma.OpenAPI) {
	oapi.Info.Description = apiDescription
	oapi.Info.Contact = &huma.Contact{Name: "gmc", URL: "https://github.com/gmc-project/gmc"}
	oapi.Info.License = &huma.License{Name: "CC-BY-4.0 (the SRD 5.1 reference content served)", URL: "https://creativecommons.org/licenses/by/4.0/legalcode"}
	// Relative, so that the document works wherever the server is reached
	// (generators resolve it against the URL they fetched it from); the
	// paths carry the /api/v1 prefix themselves.
	oapi.Servers = []*huma.Server{{URL: "/", Description: "The server this document was fetched from"}}
	oapi.Tags = nil
	for _, t := range tagDescriptions {
		oapi.Tags = append(oapi.Tags, &t)
	}
	describeBundle(oapi)
	describeSaved(oapi)
	for _, op := range operations(oapi) {
		if d, ok := operationDocs[op.OperationID]; ok {
			op.Description = d.description
		}
		describeErrors(op, operationDocs[op.OperationID].errs)
	}
	typeFreeFormFields(oapi.Components.Schemas.Map())
	openResponseSchemas(oapi)
	// huma registers the type of a multipart file field but describes the
	// field inline (string, binary); the component is never referenced.
	delete(oapi.Components.Schemas.Map(), "FormFile")
}

// operations lists the document's operations.
func operations(oapi *huma.OpenAPI) []*huma.Operation {
	var ops []*huma.Operation
	for _, p := range oapi.Paths {
		for _, op := range []*huma.Operation{p.Get, p.Put, p.Post, p.Delete, p.Options, p.Head, p.Patch, p.Trace} {
			if op != nil {
				ops = append(ops, op)
			}
		}
	}
	return ops
}

// errorAnswers says what each error status means in this API.
var errorAnswers = map[int]string{
	http.StatusBadRequest:            "The body is not well-formed JSON, or has a key twice.",
	http.StatusUnauthorized:          "No valid access token (missing, expired or revoked), or wrong credentials.",
	http.StatusForbidden:             "Your role in the campaign does not allow this (code role_too_low).",
	http.StatusNotFound:              "No such resource, or not one you may see (other people's campaigns, GM-only content for players).",
	http.StatusConflict:              "The change conflicts with the current state; code names it (stale_version when If-Match is not the current version).",
	http.StatusRequestEntityTooLarge: "The body is larger than this operation accepts.",
	http.StatusUnsupportedMediaType:  "The uploaded file is in a format this operation does not read (code unsupported_audio or unsupported_file_type names it).",
	http.StatusUnprocessableEntity:   "Invalid input; errors names each bad field.",
	http.StatusTooManyRequests: "Too many requests (this operation's class, or the attempts it limits itself), or (code quota_exceeded) the campaign has spent " +
		"its monthly AI or audio budget, named by budget, until resets_at; retry after Retry-After seconds.",
	http.StatusBadGateway:         "A server gmc asked on your behalf (D&D Beyond, the language model, Discord) failed or did not answer in time; nothing was changed.",
	http.StatusServiceUnavailable: "The feature this needs is not configured or not running on this server (code names it); nothing was changed.",
	http.StatusGatewayTimeout:     "The request ran past the time this server allows its kind (code request_timeout, GMC_REQUEST_TIMEOUTS): it was stopped, and what it had not committed was dropped.",
}

// errorStatuses are the 4xx answers an operation can give: those its shape
// implies and the extra ones of its opDoc.
func errorStatuses(op *huma.Operation, extra []int) []int {
	// Every operation counts against its class's request limit
	// (GMC_RATE_LIMITS).
	statuses := append(slices.Clone(extra), http.StatusTooManyRequests)
	// and runs under its class's time limit, unless it streams.
	if op.Metadata[metaNoDeadline] != true {
		statuses = append(statuses, http.StatusGatewayTimeout)
	}
	if len(op.Security) > 0 {
		statuses = append(statuses, http.StatusUnauthorized)
	}
	if op.RequestBody != nil {
		statuses = append(statuses, http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity)
	}
	for _, p := range op.Parameters {
		statuses = append(statuses, http.StatusUnprocessableEntity)
		switch {
		case p.In == "path":
			statuses = append(statuses, http.StatusNotFound)
		case p.In == "header" && p.Name == "If-Match":
			statuses = append(statuses, http.StatusConflict)
		}
	}
	slices.Sort(statuses)
	return slices.Compact(statuses)
}

func describeErrors(op *huma.Operation, extra []int) {
	for _, status := range errorStatuses(op, extra) {
		r := &huma.Response{
			Description: errorAnswers[status],
			Content: map[string]*huma.MediaType{
				"application/problem+json": {Schema: &huma.Schema{Ref: "#/components/schemas/Problem"}},
			},
		}
		if status == http.StatusTooManyRequests {
			r.Headers = map[string]*huma.Param{"Retry-After": {
				Description: "Seconds to wait before trying again",
				Schema:      &huma.Schema{Type: huma.TypeInteger},
			}}
		}
		op.Responses[strconv.Itoa(status)] = r
	}
}

// acceptedResponse is a 202 whose body names the job doing the work.
func acceptedResponse(job *huma.Schema, description string) *huma.Response {
	return &huma.Response{
		Description: description,
		Headers: map[string]*huma.Param{"Location": {Description: "The job: GET it for its state, progress and result",
			Schema: &huma.Schema{Type: huma.TypeString}}},
		Content: map[string]*huma.MediaType{"application/json": {Schema: job}},
	}
}

// describeBundle describes export's answer and import's body as the export
// document they really are; the handlers move it as raw bytes (export
// writes it indented, import checks it whole), which huma can only call a
// string.
func describeBundle(oapi *huma.OpenAPI) {
	bundle := oapi.Components.Schemas.Schema(reflect.TypeFor[gmc.Bundle](), true, "Bundle")
	accepted := oapi.Components.Schemas.Schema(reflect.TypeFor[JobAccepted](), true, "JobAccepted")
	imported := oapi.Components.Schemas.Schema(reflect.TypeFor[service.CampaignImport](), true, "CampaignImport")
	for _, op := range operations(oapi) {
		switch op.OperationID {
		case "export-campaign":
			ok := op.Responses[strconv.Itoa(http.StatusOK)]
			ok.Description = "The export document, or with ?format=markdown a campaign book"
			ok.Content = map[string]*huma.MediaType{
				"application/json": {Schema: bundle},
				"text/markdown":    {Schema: &huma.Schema{Type: huma.TypeString, Description: "A readable campaign book"}},
			}
			// Location belongs to the 202 (the output type is shared).
			delete(ok.Headers, "Location")
			op.Responses[strconv.Itoa(http.StatusAccepted)] = acceptedResponse(accepted, "A large campaign, or ?async=true: the export job; its file is then at GET /jobs/{job_id}/result")
		case "import-campaign":
			op.RequestBody.Description = "A document export-campaign wrote"
			op.RequestBody.Content = map[string]*huma.MediaType{"application/json": {Schema: bundle}}
			created := op.Responses[strconv.Itoa(http.StatusCreated)]
			created.Description = "The campaign made, with what was imported"
			created.Content = map[string]*huma.MediaType{"application/json": {Schema: imported}}
			job := acceptedResponse(accepted, "A large document, ?async=true or Prefer: respond-async: the import job")
			// Preference-Applied belongs to the 202 (the output type is shared).
			job.Headers["Preference-Applied"] = created.Headers["Preference-Applied"]
			delete(created.Headers, "Preference-Applied")
			op.Responses[strconv.Itoa(http.StatusAccepted)] = job
		case "get-job-result":
			op.Responses[strconv.Itoa(http.StatusOK)] = &huma.Response{
				Description: "The file: an export document (application/json) or campaign book (text/markdown)",
				Headers: map[string]*huma.Param{"Content-Disposition": {Description: "attachment, with the file's name",
					Schema: &huma.Schema{Type: huma.TypeString}}},
				Content: map[string]*huma.MediaType{
					"application/json": {Schema: bundle},
					"text/markdown":    {Schema: &huma.Schema{Type: huma.TypeString, Description: "A readable campaign book"}},
				},
			}
		}
	}
}

// typeFreeFormFields makes the free-form fields objects. In PATCH bodies
// they may be null, which empties them.
func typeFreeFormFields(schemas map[string]*huma.Schema) {
	for name, s := range schemas {
		nullable := strings.Contains(name, "Patch")
		walkSchema(s, func(s *huma.Schema) {
			for _, field := range freeFormFields {
				if p := s.Properties[field]; p != nil && p.Type == "" && p.Ref == "" {
					p.Type, p.Nullable = huma.TypeObject, nullable
				}
			}
			for _, field := range auditFields {
				if p := s.Properties[field]; p != nil && p.Type == "" && p.Ref == "" && p.OneOf == nil {
					p.OneOf = []*huma.Schema{{Type: huma.TypeObject}, {Type: huma.TypeArray, Items: &huma.Schema{Type: huma.TypeObject}}}
				}
			}
		})
	}
}

// openResponseSchemas lets answers gain fields without breaking clients:
// schemas only answers use stay open. Those request bodies use stay
// closed, because requests refuse unknown fields. Import's body is not
// counted: it is read leniently, like any document of a newer version.
func openResponseSchemas(oapi *huma.OpenAPI) {
	reg := oapi.Components.Schemas
	closed := map[*huma.Schema]bool{}
	var mark func(s *huma.Schema)
	mark = func(s *huma.Schema) {
		walkSchema(s, func(s *huma.Schema) {
			if s.Ref == "" {
				return
			}
			if r := reg.SchemaFromRef(s.Ref); r != nil && !closed[r] {
				closed[r] = true
				mark(r)
			}
		})
	}
	for _, op := range operations(oapi) {
		if op.RequestBody == nil || op.OperationID == "import-campaign" {
			continue
		}
		for _, mt := range op.RequestBody.Content {
			mark(mt.Schema)
		}
	}
	for _, s := range reg.Map() {
		if closed[s] {
			continue
		}
		walkSchema(s, func(s *huma.Schema) {
			if s.AdditionalProperties == false {
				s.AdditionalProperties = nil
			}
		})
	}
}

// walkSchema calls fn on s and every schema inline in it (not following
// references).
func walkSchema(s *huma.Schema, fn func(*huma.Schema)) {
	if s == nil {
		return
	}
	fn(s)
	for _, p := range s.Properties {
		walkSchema(p, fn)
	}
	walkSchema(s.Items, fn)
	if a, ok := s.AdditionalProperties.(*huma.Schema); ok {
		walkSchema(a, fn)
	}
	for _, list := range [][]*huma.Schema{s.AllOf, s.AnyOf, s.OneOf} {
		for _, sub := range list {
			walkSchema(sub, fn)
		}
	}
	walkSchema(s.Not, fn)
}

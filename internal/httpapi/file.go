package httpapi

import (
	"context"
	"mime"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

// FilePath names one file in a path.
type FilePath struct {
	FileID string `path:"file_id" format:"uuid" doc:"File id"`
}

// uploadFileInput is a file sent as multipart/form-data.
type uploadFileInput struct {
	CampaignPath
	RawBody huma.MultipartFormFiles[struct {
		File        huma.FormFile `form:"file" required:"true" doc:"The file: png, jpeg, webp or gif (portraits, maps, handouts), pdf (maps, handouts), wav, flac, ogg or mp3 (recordings, handouts); its type is read from its content"`
		Kind        string        `form:"kind" required:"true" enum:"portrait,map,recording,handout" doc:"What the file is for"`
		CharacterID string        `form:"character_id" required:"false" doc:"The character a portrait is of"`
		LocationID  string        `form:"location_id" required:"false" doc:"The location a map shows"`
		SessionID   string        `form:"session_id" required:"false" doc:"The session a recording is of"`
		Visibility  string        `form:"visibility" required:"false" doc:"gm or players (default gm for recordings, players for the rest)"`
	}]
}

// FileOutput answers with one file's metadata.
type FileOutput struct {
	Location string `header:"Location"`
	Body     *gmc.File
}

func (a *api) handleFileUpload(ctx context.Context, uid string, in *uploadFileInput) (*FileOutput, error) {
	form := in.RawBody.Data()
	p := service.FileParams{Name: form.File.Filename, Kind: form.Kind, CharacterID: form.CharacterID, LocationID: form.LocationID,
		SessionID: form.SessionID, Visibility: gmc.Visibility(form.Visibility)}
	f, err := a.svc.UploadFile(ctx, uid, in.CampaignID, p, form.File.File, form.File.Size)
	if err != nil {
		return nil, err
	}
	return &FileOutput{Location: BasePath + "/files/" + f.ID, Body: f}, nil
}

// fileListInput filters a campaign's files.
type fileListInput struct {
	CampaignPath
	Kind       string `query:"kind" enum:"portrait,map,recording,handout" doc:"Only files of this kind"`
	AttachedTo string `query:"attached_to" doc:"Only files attached to this character, location or session"`
}

// FilesOutput answers with a campaign's files.
type FilesOutput struct {
	Body struct {
		Files []*gmc.File `json:"files"`
	}
}

func (a *api) handleFileList(ctx context.Context, uid string, in *fileListInput) (*FilesOutput, error) {
	list, err := a.svc.Files(ctx, uid, service.FileQuery{CampaignID: in.CampaignID, Kind: in.Kind, AttachedTo: in.AttachedTo})
	if err != nil {
		return nil, err
	}
	out := &FilesOutput{}
	out.Body.Files = list
	return out, nil
}

func (a *api) handleFileDelete(ctx context.Context, uid string, in *FilePath) (*struct{}, error) {
	return nil, a.svc.DeleteFile(ctx, uid, in.FileID)
}

// FileContentOutput streams a file's content.
type FileContentOutput struct {
	Body func(huma.Context)
}

// handleFileGet serves the content with http.ServeContent, which answers
// Range, If-Range and If-None-Match requests from a seekable blob. The
// type is the sniffed one, and nosniff keeps browsers from guessing
// another; only images are shown inline.
func (a *api) handleFileGet(ctx context.Context, uid string, in *FilePath) (*FileContentOutput, error) {
	f, rc, err := a.svc.OpenFile(ctx, uid, in.FileID)
	if err != nil {
		return nil, err
	}
	return &FileContentOutput{Body: func(hc huma.Context) {
		defer rc.Close()
		r, w := humago.Unwrap(hc)
		h := w.Header()
		h.Set("Content-Type", f.ContentType)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Disposition", contentDisposition(f))
		h.Set("ETag", `"`+f.SHA256+`"`)
		h.Set("Cache-Control", "private, no-cache")
		// A file is never a page: no script of it runs, even as an SVG or
		// a PDF a browser renders.
		h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
		http.ServeContent(w, r, "", f.CreatedAt, rc)
	}}, nil
}

// contentDisposition shows images inline and has everything else
// downloaded, under the uploaded name (mime quotes or encodes it).
func contentDisposition(f *gmc.File) string {
	disposition := "attachment"
	if service.IsImage(f.ContentType) {
		disposition = "inline"
	}
	if v := mime.FormatMediaType(disposition, map[string]string{"filename": f.Name}); v != "" {
		return v
	}
	return disposition
}

// fileDownload describes an operation that answers with a file's bytes.
func fileDownload(op huma.Operation) huma.Operation {
	op = noDeadline(op)
	op.Responses = map[string]*huma.Response{
		"200": {Description: "The content, with the type found in it", Content: map[string]*huma.MediaType{
			"application/octet-stream": {Schema: &huma.Schema{Type: huma.TypeString, Format: "binary"}}}},
		"206": {Description: "The ranges asked for with Range"},
	}
	return op
}

func (a *api) fileRoutes(h huma.API) {
	up := operation(http.MethodPost, "/campaigns/{campaign_id}/files", "upload-file", "Upload a portrait, map, recording or handout", "files")
	// The service refuses a file over its limit with a clear message; the
	// body limit only stops a body far beyond it.
	limits := service.DefaultFileLimits
	if a.svc != nil { // nil when only the OpenAPI document is built
		limits = a.svc.FileLimits()
	}
	up.MaxBodyBytes = limits.MaxBytes + 1<<20
	authed(h, up, a.handleFileUpload, a)
	authed(h, operation(http.MethodGet, "/campaigns/{campaign_id}/files", "list-files", "The campaign's files you can see", "files"), a.handleFileList, a)
	authed(h, fileDownload(operation(http.MethodGet, "/files/{file_id}", "get-file", "A file's content (Range supported)", "files")), a.handleFileGet, a)
	authed(h, operation(http.MethodDelete, "/files/{file_id}", "delete-file", "Delete a file (GM, or the member who uploaded it)", "files"), a.handleFileDelete, a)
}

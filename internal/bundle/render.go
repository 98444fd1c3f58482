package bundle

import (
	"encoding/json"
	"strings"

	"github.com/gmc-project/gmc/internal/gmc"
)

// Export formats.
const (
	FormatJSON     = "json"
	FormatMarkdown = "markdown"
)

// File is an export written in one format: what a download sends.
type File struct {
	ContentType string
	// FileName is safe for a Content-Disposition header.
	FileName string
	Body     []byte
}

// Render writes b in format (FormatJSON, the document import reads, or
// FormatMarkdown, the campaign book). The answer to a synchronous export
// and the file an export job stores come from here, so they are the same
// bytes for the same bundle.
func Render(b *gmc.Bundle, format string) (*File, error) {
	name := FileName(b.Campaign.Name)
	if format == FormatMarkdown {
		return &File{ContentType: "text/markdown; charset=utf-8", FileName: name + ".md", Body: Markdown(b)}, nil
	}
	body, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return nil, err
	}
	return &File{ContentType: "application/json", FileName: name + ".gmc.json", Body: body}, nil
}

// FileName makes a campaign name safe for a download's file name.
func FileName(name string) string {
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

package httpapi_test

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFileContentLost: a file whose content was removed from the file
// store behind the server's back (an operator's clean-up, a restored
// backup) is a 404, as a missing recording is, not a server error; its
// row still lists it and the GM can delete it.
func TestFileContentLost(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c, root := fileServer(t, b.open, serverOpts{})
			p := newParty(t, c)
			gm := p.token["gm"]
			r := upload(c, gm, p.path("/files"), map[string]string{"kind": "handout"}, "letter.pdf", "application/pdf", pdfFile)
			if r.status != 201 {
				t.Fatalf("upload = %d %s", r.status, r.raw)
			}
			id := r.str("id")
			stored := blobFiles(t, root)
			if len(stored) != 1 {
				t.Fatalf("file store holds %v, want the one content", stored)
			}
			if err := os.Remove(filepath.Join(root, filepath.FromSlash(stored[0]))); err != nil {
				t.Fatal(err)
			}
			if got := c.do("GET", "/api/v1/files/"+id, gm, nil); got.status != 404 || got.str("code") != "file_not_found" {
				t.Errorf("GET of a file whose content is gone = %d %s, want 404 file_not_found", got.status, got.raw)
			}
			c.must(204, "DELETE", "/api/v1/files/"+id, gm, nil)
		})
	}
}

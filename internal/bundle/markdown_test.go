package bundle_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/gmc-project/gmc/internal/bundle"
	"github.com/gmc-project/gmc/internal/gmc"
)

var update = flag.Bool("update", false, "rewrite the golden files from the current output")

// TestMarkdownGolden renders a bundle with one of everything the book
// shows (PCs and GM-only NPCs, a mutual pair and one-way relationships with
// history, a three-level location tree, plots with milestones, dependencies
// and foreshadowing, untitled and unplayed sessions, multi-line text) and
// compares it byte for byte with testdata/campaign.md.
func TestMarkdownGolden(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "campaign.json"))
	if err != nil {
		t.Fatal(err)
	}
	var b gmc.Bundle
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	if err := b.Validate(); err != nil {
		t.Fatalf("the fixture is not a valid bundle: %v", err)
	}
	got := bundle.Markdown(&b)
	golden := filepath.Join("testdata", "campaign.md")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Markdown differs from %s (run go test -update to accept the new output):\n%s", golden, got)
	}
}

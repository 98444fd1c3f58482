package reference

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles makes a data folder from made-up records, so that these tests
// need no SRD text.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadErrorsNameTheFile(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"no data files", map[string]string{"notes.txt": "x"}, []string{"no 5e-SRD-*.json files"}},
		{"broken JSON", map[string]string{"5e-SRD-Spells.json": "[\n{\"index\": \"zap\",\n\"name\": }\n]"},
			[]string{"5e-SRD-Spells.json", "line 3"}},
		{"not an array", map[string]string{"5e-SRD-Spells.json": `{"index": "zap"}`},
			[]string{"5e-SRD-Spells.json", "invalid JSON"}},
		{"record without index", map[string]string{"5e-SRD-Conditions.json": `[{"name": "Dazed"}]`},
			[]string{"5e-SRD-Conditions.json", "record 1", `no "index"`}},
		{"record without name", map[string]string{"5e-SRD-Conditions.json": `[{"index": "dazed"}]`},
			[]string{"5e-SRD-Conditions.json", `"dazed"`, `no "name"`}},
		{"duplicate index", map[string]string{"5e-SRD-Conditions.json": `[{"index": "a", "name": "A"}, {"index": "a", "name": "B"}]`},
			[]string{"5e-SRD-Conditions.json", "record 2", "already used by record 1"}},
		{"wrong field type", map[string]string{"5e-SRD-Spells.json": `[{"index": "zap", "name": "Zap", "level": "three"}]`},
			[]string{"5e-SRD-Spells.json", `"zap"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeFiles(t, tt.files))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("Load of a missing folder succeeded")
	}
}

func TestLoadMadeUpRecords(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"5e-SRD-Spells.json": `[{"index": "zap", "name": "Zap", "level": 0, "school": {"index": "evocation", "name": "Evocation"},
			"casting_time": "1 action", "range": "30 feet", "components": ["V"], "duration": "Up to 1 minute",
			"concentration": true, "ritual": true, "desc": ["A spark jumps 5 ft. to a target. It stings."]}]`,
		"5e-SRD-Conditions.json": `[{"index": "dazed", "name": "Dazed", "desc": ["- You reel.", "- You stagger."]}]`,
		"5e-SRD-Gizmos.json":     `[{"index": "cog", "name": "Cog, brass (1 piece)", "desc": "## Cog\n\nA cog turns. It has teeth."}]`,
		"5e-SRD-Levels.json":     `[{"index": "tinker-1", "level": 1, "class": {"index": "tinker", "name": "Tinker"}}]`,
	})
	entries, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Entry{}
	for _, e := range entries {
		got[e.Kind+":"+e.Slug] = e
	}
	zap := got["spell:zap"].Card
	if want := "Evocation cantrip (ritual) · 1 action · 30 feet · V · Concentration, up to 1 minute"; zap.Summary != want {
		t.Errorf("Zap summary = %q, want %q", zap.Summary, want)
	}
	if want := "A spark jumps 5 ft. to a target."; zap.Text != want {
		t.Errorf("Zap text = %q, want %q", zap.Text, want)
	}
	if e := got["condition:dazed"].Card.Effects; len(e) != 2 || e[1] != "You stagger." {
		t.Errorf("Dazed effects = %q", e)
	}
	cog := got["gizmo:cog"]
	if cog.Card.Summary != "A cog turns." || !contains(cog.Aliases, "Brass Cog") {
		t.Errorf("unknown file kind: got %+v", cog)
	}
	if got["level:tinker-1"].Name != "Tinker level 1" {
		t.Errorf("level table name = %q", got["level:tinker-1"].Name)
	}
}

func TestProse(t *testing.T) {
	e := Entry{Data: []byte(`{"index": "x", "name": "X", "desc": ["One.", "Two."],
		"actions": [{"name": "Bite", "desc": "Three."}], "higher_level": ["Four."], "url": "/api/x"}`)}
	got := e.Prose()
	want := map[string]bool{"One.": true, "Two.": true, "Three.": true, "Four.": true}
	if len(got) != len(want) {
		t.Fatalf("Prose() = %q", got)
	}
	for _, s := range got {
		if !want[s] {
			t.Errorf("Prose() has %q", s)
		}
	}
}

func TestKindFromFile(t *testing.T) {
	tests := map[string]string{
		"5e-SRD-Spells.json":            "spell",
		"5e-SRD-Magic-Items.json":       "magic_item",
		"5e-SRD-Classes.json":           "class",
		"5e-SRD-Proficiencies.json":     "proficiency",
		"5e-SRD-Equipment.json":         "equipment",
		"5e-SRD-Weapon-Properties.json": "weapon_property",
		"5e-SRD-Ability-Scores.json":    "ability_score",
	}
	for file, want := range tests {
		if got, ok := kindFromFile(file); !ok || got != want {
			t.Errorf("kindFromFile(%q) = %q, %v; want %q", file, got, ok, want)
		}
	}
	if _, ok := kindFromFile("spells.json"); ok {
		t.Error("kindFromFile accepted a name without the 5e-SRD- prefix")
	}
}

func TestFirstSentence(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"One. Two."}, "One."},
		{[]string{"Within 5 ft. of it. Next."}, "Within 5 ft. of it."},
		{[]string{"## Heading\n\n**Bold** text here. More."}, "Bold text here."},
		{[]string{"- Bullet one. Bullet two."}, "Bullet one."},
		{[]string{"no full stop"}, "no full stop"},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := firstSentence(tt.in); got != tt.want {
			t.Errorf("firstSentence(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

package reference

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// filePattern matches the data files of a 5e-database language folder
// (src/2014/en/ in that repository).
const filePattern = "5e-SRD-*.json"

// Load reads every 5e-SRD-*.json file in dir and returns their records as
// entries, files in name order and records in file order. An error names
// the file (and the record, when one is at fault); no partial result is
// returned with it.
func Load(dir string) ([]Entry, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("reference: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("reference: %s is not a directory", dir)
	}
	paths, err := filepath.Glob(filepath.Join(dir, filePattern))
	if err != nil {
		return nil, fmt.Errorf("reference: %w", err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("reference: no %s files in %s (download the 5e-database src/2014/en folder)", filePattern, dir)
	}
	sort.Strings(paths)
	var all []Entry
	table := aliasTable()
	for _, p := range paths {
		entries, err := loadFile(p, table)
		if err != nil {
			return nil, err
		}
		all = append(all, entries...)
	}
	return all, nil
}

// LoadFile reads one 5e-database file. Its kind comes from its name:
// 5e-SRD-Magic-Items.json holds magic_item entries.
func LoadFile(path string) ([]Entry, error) {
	return loadFile(path, aliasTable())
}

func loadFile(path string, table map[string][]string) ([]Entry, error) {
	base := filepath.Base(path)
	kind, ok := kindFromFile(base)
	if !ok {
		return nil, fmt.Errorf("reference: %s: not a 5e-database file name (want %s)", base, filePattern)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reference: %w", err)
	}
	entries, err := parseFile(kind, data, table)
	if err != nil {
		return nil, fmt.Errorf("reference: %s: %w", base, err)
	}
	return entries, nil
}

// kindFromFile turns "5e-SRD-Weapon-Properties.json" into
// "weapon_property", so that a file added to 5e-database later is read
// too, with a sensible kind.
func kindFromFile(base string) (string, bool) {
	name, ok := strings.CutPrefix(base, "5e-SRD-")
	if !ok {
		return "", false
	}
	name, ok = strings.CutSuffix(name, ".json")
	if !ok || name == "" {
		return "", false
	}
	words := strings.Split(strings.ToLower(name), "-")
	last := words[len(words)-1]
	switch {
	case strings.HasSuffix(last, "sses"):
		last = strings.TrimSuffix(last, "es")
	case strings.HasSuffix(last, "ies"):
		last = strings.TrimSuffix(last, "ies") + "y"
	case strings.HasSuffix(last, "s") && !strings.HasSuffix(last, "ss"):
		last = strings.TrimSuffix(last, "s")
	}
	words[len(words)-1] = last
	return strings.Join(words, "_"), true
}

// header holds the fields every kind of record may have.
type header struct {
	Index    string   `json:"index"`
	Name     string   `json:"name"`
	FullName string   `json:"full_name"`
	Variant  bool     `json:"variant"`
	Desc     textList `json:"desc"`
	Level    *int     `json:"level"`
	Class    *apiRef  `json:"class"`
	Subclass *apiRef  `json:"subclass"`
}

// apiRef is 5e-database's cross-reference object.
type apiRef struct {
	Index string `json:"index"`
	Name  string `json:"name"`
}

// textList decodes a desc field, which is an array of paragraphs in most
// files and a single Markdown string in Rule-Sections.
type textList []string

// UnmarshalJSON accepts a string or an array of strings.
func (t *textList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = textList{s}
		return nil
	}
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		return err
	}
	*t = l
	return nil
}

func parseFile(kind string, data []byte, table map[string][]string) ([]Entry, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil {
		return nil, describeJSONError(data, err)
	}
	entries := make([]Entry, 0, len(raws))
	seen := make(map[string]int, len(raws))
	for i, raw := range raws {
		e, err := parseRecord(kind, raw, table)
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", i+1, err)
		}
		if j, dup := seen[e.Slug]; dup {
			return nil, fmt.Errorf("record %d: index %q already used by record %d", i+1, e.Slug, j)
		}
		seen[e.Slug] = i + 1
		entries = append(entries, e)
	}
	deriveAliases(entries)
	return entries, nil
}

func parseRecord(kind string, raw json.RawMessage, table map[string][]string) (Entry, error) {
	var h header
	if err := json.Unmarshal(raw, &h); err != nil {
		// Name the record when its index can still be read.
		var id struct{ Index string }
		if json.Unmarshal(raw, &id) == nil && id.Index != "" {
			return Entry{}, fmt.Errorf("index %q: %w", id.Index, err)
		}
		return Entry{}, err
	}
	if h.Index == "" {
		return Entry{}, errors.New(`no "index"`)
	}
	name := h.Name
	if name == "" {
		name = derivedName(h)
	}
	if name == "" {
		return Entry{}, fmt.Errorf("index %q: no \"name\"", h.Index)
	}
	e := Entry{Kind: kind, Slug: h.Index, Name: name, Variant: h.Variant, Data: raw}
	card, err := buildCard(kind, h, raw)
	if err != nil {
		return Entry{}, fmt.Errorf("index %q: %w", h.Index, err)
	}
	card.Attribution = Attribution
	e.Card = card
	e.Aliases = aliasesFor(kind, h, table)
	return e, nil
}

// derivedName names the records that have none: the class level tables
// ("Barbarian level 1", "Evocation level 14").
func derivedName(h header) string {
	if h.Level == nil {
		return ""
	}
	owner := h.Class
	if h.Subclass != nil {
		owner = h.Subclass
	}
	if owner == nil || owner.Name == "" {
		return ""
	}
	return owner.Name + " level " + strconv.Itoa(*h.Level)
}

// describeJSONError adds the line and column to decoding errors so a user
// can find a damaged file's fault in an editor.
func describeJSONError(data []byte, err error) error {
	var off int64 = -1
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := int(off) - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Errorf("invalid JSON at line %d, column %d: %w", line, col, err)
}

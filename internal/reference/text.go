package reference

import (
	"encoding/json"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// isAbbreviation reports words whose full stop does not end a sentence in
// SRD prose ("within 5 ft. of it", "e.g. a torch").
func isAbbreviation(w string) bool {
	switch strings.ToLower(w) {
	case "ft", "e.g", "i.e", "etc", "vs", "lb", "lbs", "gp", "sp", "cp", "in", "mi", "no", "st", "mr", "mrs":
		return true
	}
	return false
}

// firstSentence returns the first sentence of the first prose paragraph:
// Markdown headings, table rows and bullet markers are skipped.
func firstSentence(paragraphs []string) string {
	for _, p := range paragraphs {
		for _, line := range strings.Split(p, "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "|") {
				continue
			}
			line = strings.TrimSpace(strings.TrimPrefix(line, "- "))
			return cutSentence(cleanMarkdown(line))
		}
	}
	return ""
}

// cutSentence ends s after the first full stop, question or exclamation
// mark that is followed by a space and a capital letter (or ends s), and
// is not an abbreviation's.
func cutSentence(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '.' && c != '!' && c != '?' {
			continue
		}
		if i+1 == len(s) {
			return s
		}
		if s[i+1] != ' ' {
			continue
		}
		next, _ := utf8.DecodeRuneInString(strings.TrimLeft(s[i+1:], " "))
		if !unicode.IsUpper(next) && !unicode.IsDigit(next) {
			continue
		}
		if c == '.' && isAbbreviation(lastWord(s[:i])) {
			continue
		}
		return s[:i+1]
	}
	return s
}

func lastWord(s string) string {
	if i := strings.LastIndexAny(s, " ("); i >= 0 {
		return s[i+1:]
	}
	return s
}

// cleanMarkdown drops the emphasis markers 5e-database keeps from the SRD
// ("***Nimble Escape.***").
func cleanMarkdown(s string) string {
	s = strings.ReplaceAll(s, "***", "")
	s = strings.ReplaceAll(s, "**", "")
	return strings.TrimSpace(s)
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// Prose returns the entry's descriptive text: every "desc",
// "higher_level" and "material" string in its record, nested ones (a
// monster's actions) included. Keyword spotting uses it as a sample of
// ordinary game prose.
func (e Entry) Prose() []string {
	var v any
	if err := json.Unmarshal(e.Data, &v); err != nil {
		return nil
	}
	var out []string
	collectProse(v, false, &out)
	return out
}

func collectProse(v any, inText bool, out *[]string) {
	switch x := v.(type) {
	case string:
		if inText {
			*out = append(*out, x)
		}
	case []any:
		for _, y := range x {
			collectProse(y, inText, out)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			collectProse(x[k], k == "desc" || k == "higher_level" || k == "material", out)
		}
	}
}

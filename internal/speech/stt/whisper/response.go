package whisper

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gmc-project/gmc/internal/speech"
)

// verbose is a verbose_json answer as any of the servers in PROTOCOLS.md
// §4.3 sends it. Every field is optional: vLLM sends duration as a string
// and may leave out words, whisper.cpp puts words (Whisper tokens) inside
// segments, and all of them add keys of their own, which are ignored.
type verbose struct {
	Text     string    `json:"text"`
	Language string    `json:"language"`
	Duration flexFloat `json:"duration"`
	Segments []segment `json:"segments"`
	Words    []word    `json:"words"`
}

type segment struct {
	Start flexFloat `json:"start"`
	End   flexFloat `json:"end"`
	Text  string    `json:"text"`
	Words []word    `json:"words"`
}

type word struct {
	Word        string     `json:"word"`
	Start       flexFloat  `json:"start"`
	End         flexFloat  `json:"end"`
	Probability *flexFloat `json:"probability"`
}

// flexFloat is a number of seconds sent as a JSON number, a string holding
// one, or null (0).
type flexFloat float64

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*f = 0
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			*f = 0
			return nil
		}
		b = []byte(s)
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("not a number: %.20q", b)
	}
	if v != v || v > 1e9 || v < -1e9 { // NaN or absurd: treat as absent
		v = 0
	}
	*f = flexFloat(v)
	return nil
}

// decodeVerbose turns a verbose_json body into a transcript of an
// utterance audioMS long. Words come from the top-level list when there is
// one, else from each segment's tokens, else from each segment's text
// spread over the segment's time, else from the text spread over the
// whole utterance.
func decodeVerbose(body []byte, audioMS int64) (*speech.Transcript, error) {
	var v verbose
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, fmt.Errorf("decode verbose_json answer: %w", err)
	}
	var words []speech.Word
	switch {
	case len(v.Words) > 0:
		words = topLevelWords(v.Words)
	case len(v.Segments) > 0:
		for _, s := range v.Segments {
			if len(s.Words) > 0 {
				words = append(words, mergeTokens(s.Words)...)
			} else {
				words = append(words, spread(s.Text, ms(s.Start), ms(s.End))...)
			}
		}
	default:
		end := audioMS
		if d := ms(v.Duration); d > 0 && d < end {
			end = d
		}
		words = spread(v.Text, 0, end)
	}
	return &speech.Transcript{Words: tidy(words, audioMS)}, nil
}

func ms(s flexFloat) int64 { return int64(float64(s)*1000 + 0.5) }

func confidence(p *flexFloat) float64 {
	if p == nil {
		return 0
	}
	return min(max(float64(*p), 0), 1)
}

// topLevelWords takes OpenAI-style words, one real word each.
func topLevelWords(in []word) []speech.Word {
	out := make([]speech.Word, 0, len(in))
	for _, w := range in {
		if t := cleanWord(w.Word); t != "" {
			out = append(out, speech.Word{Text: t, StartMS: ms(w.Start), EndMS: ms(w.End), Confidence: confidence(w.Probability)})
		}
	}
	return out
}

// mergeTokens joins whisper.cpp's sub-word tokens into words: a token that
// starts with a space starts a word, any other continues the one before.
func mergeTokens(tokens []word) []speech.Word {
	var out []speech.Word
	var cur strings.Builder
	var w speech.Word
	flush := func() {
		if t := cleanWord(cur.String()); t != "" {
			w.Text = t
			out = append(out, w)
		}
		cur.Reset()
	}
	for _, tok := range tokens {
		if isSpecialToken(tok.Word) {
			continue
		}
		starts := cur.Len() == 0 || strings.HasPrefix(tok.Word, " ")
		if starts {
			flush()
			w = speech.Word{StartMS: ms(tok.Start), Confidence: confidence(tok.Probability)}
		} else {
			// A word is as sure as its least sure piece.
			w.Confidence = min(w.Confidence, confidence(tok.Probability))
		}
		cur.WriteString(tok.Word)
		w.EndMS = ms(tok.End)
	}
	flush()
	return out
}

// isSpecialToken is a Whisper control token ("[_BEG_]", "[_TT_150]",
// "<|endoftext|>"); whisper.cpp leaves them out, but a server that does
// not must not turn them into words.
func isSpecialToken(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "[_") && strings.HasSuffix(s, "]") ||
		strings.HasPrefix(s, "<|") && strings.HasSuffix(s, "|>")
}

// spread splits text into words and gives each a share of [startMS,
// endMS) in proportion to its length, for servers that time only segments.
func spread(text string, startMS, endMS int64) []speech.Word {
	var fields []string
	total := 0
	for _, f := range strings.Fields(text) {
		if t := cleanWord(f); t != "" {
			fields = append(fields, t)
			total += utf8.RuneCountInString(t) + 1 // +1: the pause between words takes time too
		}
	}
	if len(fields) == 0 {
		return nil
	}
	span := max(endMS-startMS, 0)
	out := make([]speech.Word, len(fields))
	done := 0
	for i, f := range fields {
		n := utf8.RuneCountInString(f) + 1
		out[i] = speech.Word{
			Text:    f,
			StartMS: startMS + span*int64(done)/int64(total),
			EndMS:   startMS + span*int64(done+n)/int64(total),
		}
		done += n
	}
	return out
}

// cleanWord trims spaces and the punctuation around a word, keeping what
// is inside it ("don't", "half-elf").
func cleanWord(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || r == utf8.RuneError
	})
}

// tidy puts words in time order inside [0, audioMS], each ending no
// earlier than it starts, whatever the server claimed.
func tidy(words []speech.Word, audioMS int64) []speech.Word {
	for i := range words {
		w := &words[i]
		w.StartMS = min(max(w.StartMS, 0), audioMS)
		w.EndMS = min(max(w.EndMS, w.StartMS), audioMS)
	}
	sort.SliceStable(words, func(i, j int) bool { return words[i].StartMS < words[j].StartMS })
	return words
}

package discord

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of a message's embeds, from Discord's "Embed Limits"
// (message.mdx). Discord counts characters after trimming surrounding
// whitespace; these count runes.
const (
	MaxEmbedTitle       = 256
	MaxEmbedDescription = 4096
	MaxEmbedFields      = 25
	MaxFieldName        = 256
	MaxFieldValue       = 1024
	MaxFooterText       = 2048
	MaxAuthorName       = 256
	// MaxMessageEmbedChars bounds title, description, field names and
	// values, footer and author texts of all of a message's embeds.
	MaxMessageEmbedChars = 6000
	MaxMessageEmbeds     = 10
	MaxContent           = 2000
)

// Message is the body of Execute Webhook (JSON; no files).
type Message struct {
	Content  string  `json:"content,omitempty"`
	Username string  `json:"username,omitempty"`
	Embeds   []Embed `json:"embeds,omitempty"`
	// AllowedMentions is always sent: a webhook's default pings the users
	// named in a message, and a recap quotes what was said at the table.
	AllowedMentions AllowedMentions `json:"allowed_mentions"`
}

// AllowedMentions says whom a message may ping. NoMentions pings no one.
type AllowedMentions struct {
	Parse []string `json:"parse"`
}

// NoMentions is the allowed_mentions of every message gmc sends.
var NoMentions = AllowedMentions{Parse: []string{}}

// Embed is a rich embed of a message.
type Embed struct {
	Title       string       `json:"title,omitempty"`
	Description string       `json:"description,omitempty"`
	URL         string       `json:"url,omitempty"`
	Timestamp   string       `json:"timestamp,omitempty"`
	Color       int          `json:"color,omitempty"`
	Footer      *EmbedFooter `json:"footer,omitempty"`
	Author      *EmbedAuthor `json:"author,omitempty"`
	Fields      []EmbedField `json:"fields,omitempty"`
}

// EmbedFooter is an embed's footer.
type EmbedFooter struct {
	Text string `json:"text"`
}

// EmbedAuthor is an embed's author line.
type EmbedAuthor struct {
	Name string `json:"name"`
}

// EmbedField is one name/value pair of an embed.
type EmbedField struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline,omitempty"`
}

// Chars is what e counts toward a message's MaxMessageEmbedChars.
func (e Embed) Chars() int {
	n := runes(e.Title) + runes(e.Description)
	for _, f := range e.Fields {
		n += runes(f.Name) + runes(f.Value)
	}
	if e.Footer != nil {
		n += runes(e.Footer.Text)
	}
	if e.Author != nil {
		n += runes(e.Author.Name)
	}
	return n
}

func runes(s string) int { return utf8.RuneCountInString(strings.TrimSpace(s)) }

// Post is a text to post as embeds: a title, a body of paragraphs, named
// sections, and a footer every message repeats.
type Post struct {
	Title       string
	Description string
	Fields      []EmbedField
	Footer      string
	Color       int
}

// partMark is added to the footer of each message of a post of several;
// footerRoom is what it may take.
const footerRoom = len(" · part 999/999")

// Messages splits p into messages within Discord's limits: the
// description into embeds of at most MaxEmbedDescription characters and
// each field's value into fields of at most MaxFieldValue, cut between
// paragraphs, lines, sentences or words whenever a piece allows, then the
// embeds into messages of at most MaxMessageEmbeds embeds and
// MaxMessageEmbedChars characters. The first embed carries the title; the
// last embed of each message the footer, numbered when there are several
// messages. Every message allows no mentions.
func (p Post) Messages() []Message {
	footer := truncate(strings.TrimSpace(p.Footer), MaxFooterText-footerRoom)
	// Room left in a message once its footer is in.
	budget := MaxMessageEmbedChars - runes(footer) - footerRoom
	var embeds []Embed
	title := truncate(strings.TrimSpace(p.Title), MaxEmbedTitle)
	// A description piece must fit a message beside the title.
	for _, d := range split(p.Description, min(MaxEmbedDescription, budget-runes(title))) {
		embeds = append(embeds, Embed{Description: d, Color: p.Color})
	}
	if len(embeds) == 0 {
		embeds = append(embeds, Embed{Color: p.Color})
	}
	embeds[0].Title = title
	for _, f := range p.Fields {
		name := truncate(strings.TrimSpace(f.Name), MaxFieldName-len(" (cont.)"))
		for i, v := range split(f.Value, MaxFieldValue) {
			fl := EmbedField{Name: name, Value: v, Inline: f.Inline}
			if i > 0 {
				fl.Name = name + " (cont.)"
			}
			if fl.Name == "" {
				fl.Name = "\u200b" // Discord refuses an empty field name
			}
			last := &embeds[len(embeds)-1]
			if len(last.Fields) >= MaxEmbedFields || last.Chars()+runes(fl.Name)+runes(fl.Value) > budget {
				embeds = append(embeds, Embed{Color: p.Color})
				last = &embeds[len(embeds)-1]
			}
			last.Fields = append(last.Fields, fl)
		}
	}
	return pack(embeds, footer, budget)
}

// pack puts embeds into as few messages as the limits allow, in order,
// and signs each message's last embed with the footer.
func pack(embeds []Embed, footer string, budget int) []Message {
	var msgs []Message
	used := 0
	for _, e := range embeds {
		n := len(msgs)
		if n == 0 || len(msgs[n-1].Embeds) >= MaxMessageEmbeds || used+e.Chars() > budget {
			msgs = append(msgs, Message{AllowedMentions: NoMentions})
			n, used = n+1, 0
		}
		msgs[n-1].Embeds = append(msgs[n-1].Embeds, e)
		used += e.Chars()
	}
	for i := range msgs {
		text := footer
		if len(msgs) > 1 {
			text = strings.TrimSpace(footer + " · part " + strconv.Itoa(i+1) + "/" + strconv.Itoa(len(msgs)))
		}
		if text != "" {
			es := msgs[i].Embeds
			es[len(es)-1].Footer = &EmbedFooter{Text: text}
		}
	}
	return msgs
}

// truncate cuts s to at most n runes, ending with "…" when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRightFunc(string(r[:n-1]), unicode.IsSpace) + "…"
}

// split cuts text into pieces of at most max runes (trimmed), each cut at
// the last paragraph break, else line break, else sentence end, else space
// of the piece's second half; only a run without any of them (a very long
// "word") is cut inside.
func split(text string, max int) []string {
	var out []string
	rest := []rune(strings.TrimSpace(text))
	for len(rest) > 0 {
		if len(rest) <= max {
			out = append(out, string(rest))
			break
		}
		cut := cutAt(rest[:max+1])
		piece := strings.TrimSpace(string(rest[:cut]))
		if piece != "" {
			out = append(out, piece)
		}
		rest = []rune(strings.TrimSpace(string(rest[cut:])))
	}
	return out
}

// cutAt is where to end a piece taken from window (whose last rune is the
// first that does not fit): the best boundary in its second half.
func cutAt(window []rune) int {
	limit := len(window) - 1
	floor := limit / 2
	for _, sep := range []string{"\n\n", "\n", ". ", "! ", "? ", " "} {
		s := []rune(sep)
		for i := limit - len(s) + 1; i >= floor; i-- {
			if i >= 0 && string(window[i:i+len(s)]) == sep {
				// Keep the sentence's mark with it; drop the separating space.
				if len(s) > 1 && sep[0] != '\n' {
					return i + 1
				}
				if i == 0 {
					break
				}
				return i
			}
		}
	}
	return limit
}

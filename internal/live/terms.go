package live

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/keywords"
	"github.com/gmc-project/gmc/internal/reference"
)

// KeywordCard is what a keyword alert shows about its term: an SRD entry's
// card (with the licence statement the SRD's CC-BY-4.0 asks for), or the
// type, id, name and a one-line summary of a campaign entity or keyword.
type KeywordCard struct {
	// Type is "reference" for SRD entries, else the entity type:
	// "character", "location", "plot" or "keyword".
	Type string `json:"type"`
	// ID is the campaign entity's id.
	ID string `json:"id,omitempty"`
	// Kind and Slug name an SRD entry (GET /reference/{kind}/{slug}).
	Kind    string `json:"kind,omitempty"`
	Slug    string `json:"slug,omitempty"`
	Name    string `json:"name"`
	Summary string `json:"summary"`
	// Text, Spell, Monster, Item and Effects are an SRD card's details.
	Text        string                  `json:"text,omitempty"`
	Spell       *reference.SpellFacts   `json:"spell,omitempty"`
	Monster     *reference.MonsterFacts `json:"monster,omitempty"`
	Item        *reference.ItemFacts    `json:"item,omitempty"`
	Effects     []string                `json:"effects,omitempty"`
	Attribution string                  `json:"attribution,omitempty"`
}

// ownTerm is a campaign's own dictionary term with its card.
type ownTerm struct {
	term keywords.Term
	card *KeywordCard
}

// Term keys of campaign entities: "<type>:<id>". The prefix is also what a
// dictionary update selects a type's terms by.
const (
	keyCharacter = "character:"
	keyLocation  = "location:"
	keyPlot      = "plot:"
	keyKeyword   = "keyword:"
)

// Term sources.
const (
	sourceCampaign = "campaign"
	sourceCustom   = "custom"
)

func characterTerm(c *gmc.Character) ownTerm {
	summary := joinFacts(strings.ToUpper(string(c.CharacterType)), strings.Join(c.Tags, ", "))
	if v := gist(c.VoiceNotes); v != "" {
		summary = joinFacts(summary, "voice: "+v)
	}
	return ownTerm{
		term: keywords.Term{Key: keyCharacter + c.ID, Name: c.Name, Aliases: c.Aliases, Category: string(c.CharacterType),
			Source: sourceCampaign, Ref: "characters/" + c.ID, GMOnly: c.Visibility != gmc.VisiblePlayers},
		card: &KeywordCard{Type: gmc.EntityCharacter, ID: c.ID, Name: c.Name, Summary: summary},
	}
}

// locationTerm needs to know whether players may see l, which depends on
// its ancestors too.
func locationTerm(l *gmc.Location, visibleToPlayers bool) ownTerm {
	return ownTerm{
		term: keywords.Term{Key: keyLocation + l.ID, Name: l.Name, Category: "location", Source: sourceCampaign,
			Ref: "locations/" + l.ID, GMOnly: !visibleToPlayers},
		card: &KeywordCard{Type: gmc.EntityLocation, ID: l.ID, Name: l.Name, Summary: joinFacts(l.LocationType, gist(l.Description))},
	}
}

func plotTerm(p *gmc.PlotThread) ownTerm {
	status := fmt.Sprintf("plot thread, %s, %d%%", p.Status, p.Progress)
	return ownTerm{
		term: keywords.Term{Key: keyPlot + p.ID, Name: p.Title, Category: "plot", Source: sourceCampaign,
			Ref: "plots/" + p.ID, GMOnly: p.Visibility != gmc.VisiblePlayers},
		card: &KeywordCard{Type: gmc.EntityPlot, ID: p.ID, Name: p.Title, Summary: joinFacts(status, gist(p.Summary))},
	}
}

func keywordTerm(k *gmc.Keyword) ownTerm {
	return ownTerm{
		term: keywords.Term{Key: keyKeyword + k.ID, Name: k.Term, Aliases: k.Aliases, Category: k.Category, Source: sourceCustom,
			Ref: "keywords/" + k.ID, Common: k.Common, GMOnly: k.Visibility != gmc.VisiblePlayers},
		card: &KeywordCard{Type: gmc.EntityKeyword, ID: k.ID, Name: k.Term, Summary: joinFacts(k.Category, gist(k.Notes))},
	}
}

// referenceCard is the card of an SRD entry's alert. The attribution
// travels with every card: it is SRD text shown to the table.
func referenceCard(e *reference.Entry) *KeywordCard {
	c := e.Card
	return &KeywordCard{Type: gmc.EntityReference, Kind: e.Kind, Slug: e.Slug, Name: e.Name, Summary: c.Summary, Text: c.Text,
		Spell: c.Spell, Monster: c.Monster, Item: c.Item, Effects: c.Effects, Attribution: reference.Attribution}
}

// maxGist bounds a card summary's free text: a glance, not the record.
const maxGist = 160

// gist is the first sentence or line of s, at most maxGist characters.
func gist(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\n\r"); i >= 0 {
		s = s[:i]
	}
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i+1]
	}
	if utf8.RuneCountInString(s) > maxGist {
		s = strings.TrimSpace(string([]rune(s)[:maxGist-1])) + "…"
	}
	return s
}

// joinFacts joins the non-empty facts of a summary.
func joinFacts(facts ...string) string {
	var out []string
	for _, f := range facts {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return strings.Join(out, " · ")
}

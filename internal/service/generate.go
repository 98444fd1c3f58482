package service

import (
	"context"
	"errors"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gmc-project/gmc/internal/generate"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/reference"
	"github.com/gmc-project/gmc/internal/store"
)

// Who may generate: GMs only. Drafts are built from everything in the
// campaign, GM-only content included, and a draft may name it (an NPC's
// secret ties them to a hidden thread), so players never get one.
//
// A built-in draft is a pure function of the request, the campaign's
// state and a seed: the seed the caller sends, or one drawn and returned
// with the draft, so the GM can ask for the same draft again. A language
// model's draft gets the seed too, and repeats only as far as its server
// honours seeds. A generator's failure stores nothing. Saving stores the
// draft through the ordinary create use cases, all of one request in one
// transaction.

// GenerateOptions are the query options every generator takes.
type GenerateOptions struct {
	// Seed makes the draft repeatable; nil draws one.
	Seed *uint64
	// Save stores the draft (where the kind of draft has a stored form).
	Save bool
}

func (o GenerateOptions) seed() (uint64, error) {
	if o.Seed == nil {
		return rand.Uint64N(generate.MaxSeed + 1), nil
	}
	if *o.Seed > generate.MaxSeed {
		return 0, gmc.Invalid("query.seed", "must be at most %d", uint64(generate.MaxSeed))
	}
	return *o.Seed, nil
}

// NPCGeneration is an NPC draft, and the character made of it when saved.
type NPCGeneration struct {
	Draft     *generate.NPCDraft `json:"draft"`
	Character *gmc.Character     `json:"character,omitempty" doc:"The NPC as stored (with ?save=true)"`
}

// GenerateNPC drafts an NPC for a campaign and, with opt.Save, stores it as
// a GM-only NPC: the public parts in notes, the secret in gm_notes, the
// voice in voice_notes. GM only.
func (s *Service) GenerateNPC(ctx context.Context, userID, campaignID string, hints generate.NPCHints, opt GenerateOptions) (*NPCGeneration, error) {
	seed, err := s.generateAccess(ctx, userID, campaignID, opt)
	if err != nil {
		return nil, err
	}
	var v gmc.Validator
	checkHint(&v, "body.hints.ancestry", hints.Ancestry, 64)
	checkHint(&v, "body.hints.occupation", hints.Occupation, 128)
	checkCulture(&v, "body.hints.culture", hints.Culture)
	if err := v.Err(); err != nil {
		return nil, err
	}
	c, err := s.generationState(ctx, campaignID, false)
	if err != nil {
		return nil, err
	}
	d, err := s.gen.NPC(ctx, c, generate.NPCRequest{Seed: seed, Hints: hints})
	if err != nil {
		return nil, err
	}
	out := &NPCGeneration{Draft: d}
	if !opt.Save {
		return out, nil
	}
	err = s.inTx(ctx, func(tx *Service, _ store.Store) error {
		out.Character, err = tx.CreateCharacter(ctx, userID, campaignID, npcParams(d.Name, d.Ancestry, d.Notes(), d.GMNotes(), d.VoiceNotes))
		return err
	})
	return out, err
}

func npcParams(name, ancestry string, notes, gmNotes []byte, voice string) CharacterParams {
	tags := []string{"generated"}
	if ancestry != "" && utf8.RuneCountInString(ancestry) <= gmc.MaxTagLen {
		tags = append(tags, ancestry)
	}
	return CharacterParams{Name: name, CharacterType: gmc.CharacterNPC, Notes: notes, GMNotes: gmNotes, VoiceNotes: voice,
		Tags: tags, Visibility: gmc.VisibleGM}
}

// LocationGenerateParams ask for a location.
type LocationGenerateParams struct {
	Type     string
	ParentID *string
	Hints    generate.LocationHints
}

// LocationGeneration is a location draft, and what was made of it when
// saved: the location and its named inhabitants as NPCs.
type LocationGeneration struct {
	Draft       *generate.LocationDraft `json:"draft"`
	Location    *gmc.Location           `json:"location,omitempty" doc:"The location as stored (with ?save=true)"`
	Inhabitants []*gmc.Character        `json:"inhabitants,omitempty" doc:"Its named inhabitants, stored as GM-only NPCs (with ?save=true)"`
}

// GenerateLocation drafts a location, below a parent of the campaign when
// ParentID is set, and with opt.Save stores it with its named inhabitants
// as NPCs, in one transaction. GM only.
func (s *Service) GenerateLocation(ctx context.Context, userID, campaignID string, p LocationGenerateParams, opt GenerateOptions) (*LocationGeneration, error) {
	seed, err := s.generateAccess(ctx, userID, campaignID, opt)
	if err != nil {
		return nil, err
	}
	var v gmc.Validator
	checkHint(&v, "body.type", p.Type, gmc.MaxNameLen)
	checkCulture(&v, "body.hints.culture", p.Hints.Culture)
	if m := p.Hints.Mood; m != "" && m != "welcoming" && m != "neutral" && m != "sinister" {
		v.Add("body.hints.mood", "must be one of welcoming, neutral, sinister")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	req := generate.LocationRequest{Seed: seed, Type: p.Type, Hints: p.Hints}
	if p.ParentID != nil {
		parent, err := s.store.Location(ctx, *p.ParentID)
		if errors.Is(err, gmc.ErrNotFound) || (err == nil && parent.CampaignID != campaignID) {
			return nil, store.ErrParentNotFound
		} else if err != nil {
			return nil, err
		}
		req.Parent = parent
	}
	c, err := s.generationState(ctx, campaignID, false)
	if err != nil {
		return nil, err
	}
	d, err := s.gen.Location(ctx, c, req)
	if err != nil {
		return nil, err
	}
	out := &LocationGeneration{Draft: d}
	if !opt.Save {
		return out, nil
	}
	err = s.inTx(ctx, func(tx *Service, _ store.Store) error {
		l, err := tx.CreateLocation(ctx, userID, campaignID, LocationParams{ParentID: d.ParentID, Name: d.Name, LocationType: d.LocationType,
			Description: d.Description, Metadata: d.Metadata(), Visibility: gmc.VisibleGM})
		if err != nil {
			return err
		}
		out.Location = l
		for _, in := range d.Inhabitants {
			if !in.NPC {
				continue
			}
			notes := marshalOrNil(map[string]any{"ancestry": in.Ancestry, "occupation": in.Role, "personality": []string{in.Trait}, "location_id": l.ID})
			ch, err := tx.CreateCharacter(ctx, userID, campaignID, npcParams(in.Name, in.Ancestry, notes, nil, ""))
			if err != nil {
				return err
			}
			out.Inhabitants = append(out.Inhabitants, ch)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EncounterParams ask for an encounter.
type EncounterParams struct {
	PartyLevel int
	PartySize  int
	Difficulty string
	// LocationID themes the monsters by the location's type.
	LocationID *string
}

// GenerateEncounter builds a combat encounter from the imported SRD
// monsters for a party and difficulty. GM only. An encounter has no
// stored form; it is a draft to run.
func (s *Service) GenerateEncounter(ctx context.Context, userID, campaignID string, p EncounterParams, opt GenerateOptions) (*generate.EncounterDraft, error) {
	seed, err := s.generateAccess(ctx, userID, campaignID, opt)
	if err != nil {
		return nil, err
	}
	var v gmc.Validator
	v.Check(p.PartyLevel >= 1 && p.PartyLevel <= generate.MaxPartyLevel, "body.party_level", "must be between 1 and 20")
	v.Check(p.PartySize >= 1 && p.PartySize <= generate.MaxPartySize, "body.party_size", "must be between 1 and 12")
	diff := generate.Difficulty(p.Difficulty)
	if diff == "" {
		diff = generate.Medium
	}
	v.Check(slices.Contains(generate.Difficulties, diff), "body.difficulty", "must be one of easy, medium, hard, deadly")
	v.Check(!opt.Save, "query.save", "an encounter is not stored; ask without save")
	if err := v.Err(); err != nil {
		return nil, err
	}
	req := generate.EncounterRequest{Seed: seed, PartyLevel: p.PartyLevel, PartySize: p.PartySize, Difficulty: diff}
	if p.LocationID != nil {
		l, err := s.store.Location(ctx, *p.LocationID)
		if errors.Is(err, gmc.ErrNotFound) || (err == nil && l.CampaignID != campaignID) {
			return nil, gmc.Errorf(gmc.ErrNotFound, "location_not_found", "location_id is not a location of this campaign")
		} else if err != nil {
			return nil, err
		}
		req.Location = l
	}
	monsters, err := s.bestiary.monsters(ctx, s.store)
	if err != nil {
		return nil, err
	}
	d, err := s.gen.Encounter(ctx, &generate.Campaign{ID: campaignID, Monsters: monsters}, req)
	switch {
	case errors.Is(err, generate.ErrNoBestiary):
		return nil, gmc.Errorf(gmc.ErrConflict, "no_bestiary", "there are no SRD monsters to build from: an operator imports them with `gmc reference import`")
	case errors.Is(err, generate.ErrOutOfReach):
		return nil, gmc.Errorf(gmc.ErrInvalid, "encounter_out_of_reach", "%s", err.Error())
	}
	return d, err
}

// PlotHookGeneration is a list of plot hooks, and the threads made of them
// when saved.
type PlotHookGeneration struct {
	Draft *generate.PlotHookDraft `json:"draft"`
	Plots []*gmc.PlotThread       `json:"plots,omitempty" doc:"The hooks stored as GM-only plot threads with status hook (with ?save=true)"`
}

// GeneratePlotHooks suggests plot hooks from the campaign's state and, with
// opt.Save, stores each as a plot thread with status hook linked to its
// characters and locations, in one transaction. GM only.
func (s *Service) GeneratePlotHooks(ctx context.Context, userID, campaignID string, count int, opt GenerateOptions) (*PlotHookGeneration, error) {
	seed, err := s.generateAccess(ctx, userID, campaignID, opt)
	if err != nil {
		return nil, err
	}
	if count == 0 {
		count = generate.DefaultHookCount
	}
	if count < 1 || count > generate.MaxHookCount {
		return nil, gmc.Invalid("body.count", "must be between 1 and %d", generate.MaxHookCount)
	}
	c, err := s.generationState(ctx, campaignID, true)
	if err != nil {
		return nil, err
	}
	d, err := s.gen.PlotHooks(ctx, c, generate.PlotHookRequest{Seed: seed, Count: count})
	if err != nil {
		return nil, err
	}
	out := &PlotHookGeneration{Draft: d}
	if !opt.Save {
		return out, nil
	}
	err = s.inTx(ctx, func(tx *Service, _ store.Store) error {
		for _, h := range d.Hooks {
			p, err := tx.CreatePlot(ctx, userID, campaignID, PlotParams{Title: truncateRunes(h.Title, gmc.MaxNameLen), Summary: h.Text,
				Status: gmc.PlotHook, CharacterIDs: h.CharacterIDs, LocationIDs: h.LocationIDs, Visibility: gmc.VisibleGM})
			if err != nil {
				return err
			}
			out.Plots = append(out.Plots, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// generateAccess checks the caller is a GM of the campaign, that AI is on
// and, when a language model drafts, that the campaign has AI budget left
// this month; and settles the seed.
func (s *Service) generateAccess(ctx context.Context, userID, campaignID string, opt GenerateOptions) (uint64, error) {
	if _, err := s.access(ctx, campaignID, userID, gmc.RoleGM); err != nil {
		return 0, err
	}
	var err error
	if s.aiMetered() {
		err = s.requireSpending(ctx, campaignID, gmc.FeatureAI, gmc.BudgetAITokens)
	} else {
		err = s.requireFeature(ctx, campaignID, gmc.FeatureAI)
	}
	if err != nil {
		return 0, err
	}
	return opt.seed()
}

// generationState reads what generators build on, as the GM sees it:
// characters, locations and plot threads, and with full also the
// unrevealed foreshadowing of open threads and the relationships. The
// reads are independent and run at once: a request waits for the slowest,
// not for their sum.
func (s *Service) generationState(ctx context.Context, campaignID string, full bool) (*generate.Campaign, error) {
	c := &generate.Campaign{ID: campaignID, Similar: s.similarFor(campaignID)}
	reads := []func() error{
		func() error {
			camp, err := s.store.Campaign(ctx, campaignID)
			if err == nil {
				c.Name = camp.Name
			}
			return err
		},
		func() error {
			return gmc.EachPage(func(cursor string) ([]*gmc.Character, string, error) {
				return s.store.Characters(ctx, store.CharacterFilter{CampaignID: campaignID, Page: gmc.FullPage(cursor)})
			}, func(ch *gmc.Character) { c.Characters = append(c.Characters, ch) })
		},
		func() error {
			return gmc.EachPage(func(cursor string) ([]*gmc.Location, string, error) {
				return s.store.Locations(ctx, store.LocationFilter{CampaignID: campaignID, Subtree: true, Page: gmc.FullPage(cursor)})
			}, func(l *gmc.Location) { c.Locations = append(c.Locations, l) })
		},
		func() error {
			return gmc.EachPage(func(cursor string) ([]*gmc.PlotThread, string, error) {
				return s.store.Plots(ctx, store.PlotFilter{CampaignID: campaignID, Page: gmc.FullPage(cursor)})
			}, func(p *gmc.PlotThread) { c.Plots = append(c.Plots, p) })
		},
	}
	if full {
		reads = append(reads,
			func() error {
				// Reminders with a threshold of 0 sessions are every
				// unrevealed hint of an open thread, in one query.
				rem, err := s.store.PlotReminders(ctx, campaignID, 0)
				if err != nil {
					return err
				}
				c.LatestSessionNumber = rem.LatestSessionNumber
				for _, f := range rem.Foreshadowing {
					c.Foreshadowing = append(c.Foreshadowing, f.Foreshadowing)
				}
				return nil
			},
			func() (err error) {
				c.Relationships, err = s.store.CampaignRelationships(ctx, campaignID)
				return err
			})
	}
	errs := make([]error, len(reads))
	var wg sync.WaitGroup
	for i, read := range reads {
		wg.Go(func() { errs[i] = read() })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

func checkHint(v *gmc.Validator, location, value string, maxLen int) {
	gmc.ValidateText(v, location, value, maxLen)
}

func checkCulture(v *gmc.Validator, location, culture string) {
	if culture != "" && !slices.Contains(generate.Cultures, culture) {
		v.Add(location, "must be one of %s", strings.Join(generate.Cultures, ", "))
	}
}

// bestiary holds the SRD monsters, read from the reference entries once
// and again only when an import has changed how many there are.
type bestiary struct {
	mu    sync.Mutex
	kinds map[string]int
	list  []generate.Monster
}

func (b *bestiary) monsters(ctx context.Context, st store.Store) ([]generate.Monster, error) {
	kinds, err := st.ReferenceKinds(ctx)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.kinds != nil && maps.Equal(kinds, b.kinds) {
		return b.list, nil
	}
	var list []generate.Monster
	err = gmc.EachPage(func(cursor string) ([]reference.Entry, string, error) {
		return st.ReferenceEntries(ctx, store.ReferenceFilter{Kind: reference.KindMonster, Limit: 1000, Cursor: cursor})
	}, func(e reference.Entry) {
		if m, ok := generate.MonsterOf(&e); ok {
			list = append(list, m)
		}
	})
	if err != nil {
		return nil, err
	}
	b.kinds, b.list = kinds, list
	return list, nil
}

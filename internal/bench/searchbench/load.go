package searchbench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/store"
)

// loaded is a data set stored as one campaign.
type loaded struct {
	dataset
	campaignID string
	// member is the campaign's GM, who searches it.
	member string
	refs   []string // "type/id" of each entity, as search results name them
}

// charactersPerTx batches character inserts; every other entity is stored
// by the ordinary one-per-transaction store call.
const charactersPerTx = 500

// load stores d as a campaign, or finds it stored by an earlier run.
func (b *backend) load(ctx context.Context, d dataset, progress io.Writer) (*loaded, error) {
	l := &loaded{dataset: d}
	campaignID, refs, err := b.st.BaselineSet(ctx, d.label)
	switch {
	case err == nil:
		if len(refs) != len(d.entities) {
			return nil, fmt.Errorf("stored campaign %q has %d entities, want %d: run with --fresh", d.label, len(refs), len(d.entities))
		}
		l.campaignID, l.refs = campaignID, refs
		return l, b.findMember(ctx, l)
	case !errors.Is(err, gmc.ErrNotFound):
		return nil, err
	}
	start := time.Now()
	write := b.store
	if _, ok := b.st.(store.BulkSearchIndex); ok && b.bulk {
		write = b.storeBulk
	}
	if err := write(ctx, l, progress); err != nil {
		return nil, err
	}
	set := store.BaselineSet{Label: d.label, CampaignID: l.campaignID, Entities: make([]store.BaselineEntity, len(l.refs))}
	for i, ref := range l.refs {
		set.Entities[i] = store.BaselineEntity{Ref: ref, Names: append([]string{d.entities[i].name}, d.entities[i].aliases...)}
	}
	if err := b.st.SaveBaselineSet(ctx, set); err != nil {
		return nil, err
	}
	if err := b.st.RefreshStatistics(ctx); err != nil {
		return nil, err
	}
	fmt.Fprintf(progress, "loaded %q: %d entities in %s\n", d.label, len(d.entities), time.Since(start).Round(time.Second))
	return l, b.findMember(ctx, l)
}

// findMember sets l.member to the campaign's (only) member.
func (b *backend) findMember(ctx context.Context, l *loaded) error {
	ms, err := b.st.Members(ctx, l.campaignID)
	if err != nil {
		return err
	}
	if len(ms) == 0 {
		return fmt.Errorf("stored campaign %q has no member: run with --fresh", l.label)
	}
	l.member = ms[0].UserID
	return nil
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// createCampaign creates the campaign of l, with a GM who is its member.
func (b *backend) createCampaign(ctx context.Context, l *loaded, now time.Time) (*gmc.Campaign, *gmc.User, error) {
	u := &gmc.User{ID: newID(), Email: newID() + "@bench.invalid", DisplayName: "bench", PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
	if err := b.st.CreateUser(ctx, u); err != nil {
		return nil, nil, err
	}
	c := &gmc.Campaign{ID: newID(), Name: l.label, Settings: gmc.DefaultCampaignSettings(), CreatedBy: u.ID, CreatedAt: now, UpdatedAt: now}
	ev := &gmc.Event{ID: newID(), CampaignID: c.ID, ActorID: u.ID, Action: gmc.ActionCreate, EntityType: "campaign", EntityID: c.ID, At: now}
	if err := b.st.CreateCampaign(ctx, c, &gmc.Member{CampaignID: c.ID, UserID: u.ID, Role: gmc.RoleGM, JoinedAt: now}, ev); err != nil {
		return nil, nil, err
	}
	l.campaignID = c.ID
	return c, u, nil
}

// storeBulk writes the campaign's search documents, made by the functions
// entity writes use, straight into the search index (BulkIndex), without
// the entity rows: minutes for a million entities where the store API
// takes hours. Search reads only the index, so it sees the same data.
func (b *backend) storeBulk(ctx context.Context, l *loaded, progress io.Writer) error {
	now := time.Now().UTC().Truncate(time.Microsecond)
	c, _, err := b.createCampaign(ctx, l, now)
	if err != nil {
		return err
	}
	l.refs = make([]string, len(l.entities))
	locs := make([]*gmc.Location, len(l.entities))
	docs := make([]search.Document, 0, min(len(l.entities), bulkChunk))
	flush := func() error {
		if len(docs) == 0 {
			return nil
		}
		err := b.st.(store.BulkSearchIndex).BulkIndex(ctx, docs)
		docs = docs[:0]
		return err
	}
	for i, e := range l.entities {
		id := newID()
		l.refs[i] = e.typ + "/" + id
		switch e.typ {
		case search.TypeCharacter:
			ch := &gmc.Character{ID: id, CampaignID: c.ID, Name: e.name, Aliases: e.aliases, CharacterType: gmc.CharacterNPC,
				Visibility: gmc.VisiblePlayers, CreatedAt: now, UpdatedAt: now}
			ch.Normalize()
			docs = append(docs, search.CharacterDoc(ch))
		case search.TypeLocation:
			loc := &gmc.Location{ID: id, CampaignID: c.ID, Name: e.name, Visibility: gmc.VisiblePlayers, CreatedAt: now, UpdatedAt: now}
			var ancestors []*gmc.Location
			for p := e.parent; p >= 0; p = l.entities[p].parent {
				ancestors = append([]*gmc.Location{locs[p]}, ancestors...)
			}
			loc.Normalize()
			locs[i] = loc
			docs = append(docs, search.LocationDoc(loc, ancestors))
		default:
			p := &gmc.PlotThread{ID: id, CampaignID: c.ID, Title: e.name, Status: gmc.PlotActive, Visibility: gmc.VisiblePlayers, CreatedAt: now, UpdatedAt: now}
			p.Normalize()
			docs = append(docs, search.PlotDoc(p))
		}
		if len(docs) == bulkChunk {
			if err := flush(); err != nil {
				return err
			}
			fmt.Fprintf(progress, "  %s: %d/%d\n", l.label, i+1, len(l.entities))
		}
	}
	return flush()
}

// bulkChunk is how many documents one BulkIndex call writes.
const bulkChunk = 50_000

// store writes the campaign through the store API, so that the index is
// built exactly as the server builds it.
func (b *backend) store(ctx context.Context, l *loaded, progress io.Writer) error {
	now := time.Now().UTC().Truncate(time.Microsecond)
	c, u, err := b.createCampaign(ctx, l, now)
	if err != nil {
		return err
	}
	ev := func(typ, id string) *gmc.Event {
		return &gmc.Event{ID: newID(), CampaignID: c.ID, ActorID: u.ID, Action: gmc.ActionCreate, EntityType: typ, EntityID: id, At: now}
	}
	l.refs = make([]string, len(l.entities))
	var batch []*gmc.Character
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := b.st.CreateCharacters(ctx, batch, ev("character", batch[0].ID))
		batch = batch[:0]
		return err
	}
	for i, e := range l.entities {
		id := newID()
		l.refs[i] = e.typ + "/" + id
		var err error
		switch e.typ {
		case search.TypeCharacter:
			ch := &gmc.Character{ID: id, CampaignID: c.ID, Name: e.name, Aliases: e.aliases, CharacterType: gmc.CharacterNPC,
				Visibility: gmc.VisiblePlayers, CreatedAt: now, UpdatedAt: now}
			ch.Normalize()
			if batch = append(batch, ch); len(batch) == charactersPerTx {
				err = flush()
			}
		case search.TypeLocation:
			loc := &gmc.Location{ID: id, CampaignID: c.ID, Name: e.name, Visibility: gmc.VisiblePlayers, CreatedAt: now, UpdatedAt: now}
			if e.parent >= 0 {
				parent := strings.TrimPrefix(l.refs[e.parent], search.TypeLocation+"/")
				loc.ParentID = &parent
			}
			loc.Normalize()
			err = b.st.CreateLocation(ctx, loc, ev("location", id))
		default:
			p := &gmc.PlotThread{ID: id, CampaignID: c.ID, Title: e.name, Status: gmc.PlotActive, Visibility: gmc.VisiblePlayers, CreatedAt: now, UpdatedAt: now}
			p.Normalize()
			err = b.st.CreatePlot(ctx, p, ev("plot", id))
		}
		if err != nil {
			return fmt.Errorf("store %s %q: %w", e.typ, e.name, err)
		}
		if (i+1)%10000 == 0 {
			fmt.Fprintf(progress, "  %s: %d/%d\n", l.label, i+1, len(l.entities))
		}
	}
	return flush()
}

package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// CampaignImport says what a campaign import made.
type CampaignImport struct {
	Campaign *gmc.Campaign `json:"campaign"`
	// Members are the bundle's members who were added, by email.
	Members []gmc.BundleMember `json:"members"`
	// SkippedMembers are the emails of members left out: no account has
	// them here, or the bundle lists them twice. The importer, who is the
	// new campaign's GM whatever their role in the bundle, is not skipped.
	SkippedMembers []string       `json:"skipped_members"`
	Counts         map[string]int `json:"counts"`
}

// ImportCampaign makes a new campaign from a bundle, with the caller as
// its GM. The bundle is validated whole first (gmc.Bundle.Validate), so
// every reference is known to resolve before anything is written.
//
// Atomicity: the entities are written through the ordinary store methods
// (so audit events and search indexes are filled as for any create), all
// in one transaction: should one of them still fail, or the process stop,
// nothing of the import stays, and nobody sees the campaign half-made.
func (s *Service) ImportCampaign(ctx context.Context, userID string, b *gmc.Bundle) (*CampaignImport, error) {
	return s.importCampaign(ctx, userID, b, s.newID(), nil)
}

// importCampaign is ImportCampaign making the campaign with campaignID
// (an import job chooses it up front, see ImportCampaignJob) and telling
// progress, when not nil, when the import starts.
func (s *Service) importCampaign(ctx context.Context, userID string, b *gmc.Bundle, campaignID string, progress func(float64, string)) (*CampaignImport, error) {
	if err := b.Validate(); err != nil {
		return nil, err
	}
	me, err := s.store.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	im := newImporter(s, b, me)
	// Progress is told before the transaction, not within it: a job's
	// progress is written to the database, which on SQLite is the one
	// connection the transaction holds; and the import's steps are not
	// visible to anyone before the commit anyway.
	if progress != nil {
		progress(0.1, fmt.Sprintf("importing %d entities in one transaction", b.EntityCount()))
	}
	err = s.store.InTx(ctx, func(tx store.Store) error {
		im.st = tx
		if err := im.campaign(ctx, campaignID); err != nil {
			return err
		}
		for _, step := range []func(context.Context) error{im.members, im.sessions, im.characters, im.achievements, im.relationships,
			im.locations, im.plots, im.dependencies, im.foreshadowing, im.keywords} {
			if err := step(ctx); err != nil {
				return fmt.Errorf("import campaign: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return im.res, nil
}

// importer writes one bundle. fresh maps each kind's bundle ids to the
// new ids, assigned up front in document order: ids are time-ordered, so
// the new entities list in the same order as the old ones did.
type importer struct {
	s *Service
	// st is the transaction every write of the import goes through.
	st    store.Store
	b     *gmc.Bundle
	me    *gmc.User
	c     *gmc.Campaign
	res   *CampaignImport
	fresh map[string]map[string]string
	// users maps the emails of added members (and the importer) to ids.
	users map[string]string
}

func newImporter(s *Service, b *gmc.Bundle, me *gmc.User) *importer {
	im := &importer{s: s, b: b, me: me, fresh: map[string]map[string]string{}, users: map[string]string{me.Email: me.ID},
		res: &CampaignImport{Members: []gmc.BundleMember{}, SkippedMembers: []string{}, Counts: map[string]int{}}}
	assign := func(kind string, n int, id func(int) string) {
		im.fresh[kind] = make(map[string]string, n)
		for i := range n {
			im.fresh[kind][id(i)] = s.newID()
		}
		im.res.Counts[kind] = n
	}
	assign("sessions", len(b.Sessions), func(i int) string { return b.Sessions[i].ID })
	assign("characters", len(b.Characters), func(i int) string { return b.Characters[i].ID })
	assign("achievements", len(b.Achievements), func(i int) string { return b.Achievements[i].ID })
	assign("relationships", len(b.Relationships), func(i int) string { return b.Relationships[i].ID })
	assign("locations", len(b.Locations), func(i int) string { return b.Locations[i].ID })
	assign("plots", len(b.Plots), func(i int) string { return b.Plots[i].ID })
	assign("foreshadowing", len(b.Foreshadowing), func(i int) string { return b.Foreshadowing[i].ID })
	assign("keywords", len(b.Keywords), func(i int) string { return b.Keywords[i].ID })
	im.res.Counts["plot_dependencies"] = len(b.Dependencies)
	return im
}

// id returns the new id of a bundle id of kind.
func (im *importer) id(kind, old string) string { return im.fresh[kind][old] }

// idPtr maps an optional reference.
func (im *importer) idPtr(kind string, old *string) *string {
	if old == nil {
		return nil
	}
	id := im.id(kind, *old)
	return &id
}

// event records one import step in the new campaign's audit log.
func (im *importer) event(entityType, entityID string, after any) *gmc.Event {
	return im.s.event(im.c.ID, im.me.ID, gmc.ActionCreate, entityType, entityID, nil, after)
}

func (im *importer) campaign(ctx context.Context, id string) error {
	now := im.s.clock()
	bc := im.b.Campaign
	im.c = &gmc.Campaign{ID: id, Name: strings.TrimSpace(bc.Name), Description: bc.Description, GameSystem: bc.GameSystem,
		Settings: bc.Settings, CreatedBy: im.me.ID, Version: 1, CreatedAt: now, UpdatedAt: now}
	gm := &gmc.Member{CampaignID: im.c.ID, UserID: im.me.ID, Role: gmc.RoleGM, JoinedAt: now}
	ev := im.s.event(im.c.ID, im.me.ID, gmc.ActionCreate, gmc.EntityCampaign, im.c.ID, nil, map[string]any{"campaign": im.c, "imported": im.res.Counts})
	if err := im.st.CreateCampaign(ctx, im.c, gm, ev); err != nil {
		return err
	}
	im.res.Campaign = im.c
	return nil
}

// members adds the bundle's members who have an account here.
func (im *importer) members(ctx context.Context) error {
	for _, bm := range im.b.Members {
		email := gmc.NormalizeEmail(bm.Email)
		if email == im.me.Email {
			continue // already the GM
		}
		if _, done := im.users[email]; done {
			im.res.SkippedMembers = append(im.res.SkippedMembers, email)
			continue
		}
		u, err := im.st.UserByEmail(ctx, email)
		if errors.Is(err, gmc.ErrNotFound) {
			im.res.SkippedMembers = append(im.res.SkippedMembers, email)
			continue
		} else if err != nil {
			return err
		}
		m := &gmc.Member{CampaignID: im.c.ID, UserID: u.ID, Role: bm.Role, JoinedAt: im.s.clock()}
		if err := im.st.AddMember(ctx, m, im.event(gmc.EntityMember, u.ID, m)); err != nil {
			return err
		}
		im.users[email] = u.ID
		im.res.Members = append(im.res.Members, gmc.BundleMember{Email: u.Email, DisplayName: u.DisplayName, Role: bm.Role})
	}
	return nil
}

// sessions recreates the sessions with their numbers. The store numbers a
// new session max+1, so a gap (a deleted session) is kept by creating a
// stand-in for it and deleting the stand-ins at the end.
func (im *importer) sessions(ctx context.Context) error {
	byNumber := map[int]gmc.BundleSession{}
	last := 0
	for _, bs := range im.b.Sessions {
		byNumber[bs.Number], last = bs, max(last, bs.Number)
	}
	var standIns []string
	for n := 1; n <= last; n++ {
		bs, ok := byNumber[n]
		s := &gmc.GameSession{ID: im.id("sessions", bs.ID), CampaignID: im.c.ID, Title: bs.Title, ScheduledAt: bs.ScheduledAt, Status: bs.Status,
			StartedAt: bs.StartedAt, EndedAt: bs.EndedAt, Notes: bs.Notes, CreatedAt: bs.CreatedAt, UpdatedAt: bs.UpdatedAt}
		if !ok {
			now := im.s.clock()
			s = &gmc.GameSession{ID: im.s.newID(), CampaignID: im.c.ID, Status: gmc.SessionEnded, CreatedAt: now, UpdatedAt: now}
			standIns = append(standIns, s.ID)
		}
		if err := im.st.CreateSession(ctx, s, im.event(gmc.EntitySession, s.ID, s)); err != nil {
			return err
		}
	}
	for _, id := range standIns {
		ev := im.s.event(im.c.ID, im.me.ID, gmc.ActionDelete, gmc.EntitySession, id, nil, nil)
		if err := im.st.DeleteSession(ctx, id, ev); err != nil {
			return err
		}
	}
	return nil
}

func (im *importer) characters(ctx context.Context) error {
	cs := make([]*gmc.Character, 0, len(im.b.Characters))
	for _, bc := range im.b.Characters {
		c := &gmc.Character{ID: im.id("characters", bc.ID), CampaignID: im.c.ID, Name: bc.Name, CharacterType: bc.CharacterType,
			Stats: bc.Stats, Notes: bc.Notes, GMNotes: bc.GMNotes, VoiceNotes: bc.VoiceNotes, Aliases: bc.Aliases, Tags: bc.Tags,
			Visibility: bc.Visibility, CreatedAt: bc.CreatedAt, UpdatedAt: bc.UpdatedAt}
		// A PC keeps its player when that player came along as a member.
		if bc.OwnerEmail != nil {
			if uid, ok := im.users[gmc.NormalizeEmail(*bc.OwnerEmail)]; ok {
				c.OwnerID = &uid
			}
		}
		c.Normalize()
		cs = append(cs, c)
	}
	if len(cs) == 0 {
		return nil
	}
	return im.st.CreateCharacters(ctx, cs, im.event(gmc.EntityCharacter, im.c.ID, map[string]int{"imported": len(cs)}))
}

func (im *importer) achievements(ctx context.Context) error {
	for _, ba := range im.b.Achievements {
		a := &gmc.Achievement{ID: im.id("achievements", ba.ID), CampaignID: im.c.ID, CharacterID: im.id("characters", ba.CharacterID),
			Title: ba.Title, Description: ba.Description, SessionID: im.idPtr("sessions", ba.SessionID), AwardedAt: ba.AwardedAt,
			AwardedBy: im.me.ID, CreatedAt: ba.CreatedAt}
		if err := im.st.CreateAchievement(ctx, a, im.event(gmc.EntityAchievement, a.ID, a)); err != nil {
			return err
		}
	}
	return nil
}

func (im *importer) relationships(ctx context.Context) error {
	rs := make([]*gmc.Relationship, 0, len(im.b.Relationships))
	for _, br := range im.b.Relationships {
		r := &gmc.Relationship{ID: im.id("relationships", br.ID), CampaignID: im.c.ID, SourceID: im.id("characters", br.SourceID),
			TargetID: im.id("characters", br.TargetID), Kind: br.Kind, Attitude: br.Attitude, Description: br.Description,
			Visibility: br.Visibility, Mutual: br.PairID != nil, PairID: im.idPtr("relationships", br.PairID),
			CreatedAt: br.CreatedAt, UpdatedAt: br.UpdatedAt}
		for _, h := range br.History {
			r.History = append(r.History, gmc.RelationshipChange{At: h.At, SessionID: im.idPtr("sessions", h.SessionID),
				AttitudeBefore: h.AttitudeBefore, AttitudeAfter: h.AttitudeAfter, Note: h.Note, ActorID: im.me.ID})
		}
		rs = append(rs, r)
	}
	if len(rs) == 0 {
		return nil
	}
	return im.st.CreateRelationships(ctx, rs, im.event(gmc.EntityRelationship, im.c.ID, map[string]int{"imported": len(rs)}))
}

// locations creates parents before children, whatever the document's
// order: by depth, and in document order within a depth.
func (im *importer) locations(ctx context.Context) error {
	index := make(map[string]int, len(im.b.Locations))
	for i, bl := range im.b.Locations {
		index[bl.ID] = i + 1
	}
	order := make([]int, len(im.b.Locations))
	depth := make([]int, len(im.b.Locations))
	for i := range order {
		order[i], depth[i] = i, im.b.LocationDepth(i, index)
	}
	slices.SortStableFunc(order, func(a, b int) int { return depth[a] - depth[b] })
	for _, i := range order {
		bl := im.b.Locations[i]
		l := &gmc.Location{ID: im.id("locations", bl.ID), CampaignID: im.c.ID, ParentID: im.idPtr("locations", bl.ParentID), Name: bl.Name,
			LocationType: bl.LocationType, Description: bl.Description, Metadata: bl.Metadata, Coordinates: bl.Coordinates,
			Visibility: bl.Visibility, CreatedAt: bl.CreatedAt, UpdatedAt: bl.UpdatedAt}
		l.Normalize()
		if err := im.st.CreateLocation(ctx, l, im.event(gmc.EntityLocation, l.ID, l)); err != nil {
			return err
		}
	}
	return nil
}

func (im *importer) plots(ctx context.Context) error {
	for _, bp := range im.b.Plots {
		p := &gmc.PlotThread{ID: im.id("plots", bp.ID), CampaignID: im.c.ID, Title: bp.Title, Summary: bp.Summary, Status: bp.Status,
			Progress: bp.Progress, Visibility: bp.Visibility, LastTouchedSessionID: im.idPtr("sessions", bp.LastTouchedSessionID),
			LastTouchedSessionNumber: bp.LastTouchedSessionNumber, CreatedAt: bp.CreatedAt, UpdatedAt: bp.UpdatedAt}
		for _, m := range bp.Milestones {
			m.ID = im.s.newID()
			m.DoneSessionID = im.idPtr("sessions", m.DoneSessionID)
			p.Milestones = append(p.Milestones, m)
		}
		for _, id := range bp.CharacterIDs {
			p.CharacterIDs = append(p.CharacterIDs, im.id("characters", id))
		}
		for _, id := range bp.LocationIDs {
			p.LocationIDs = append(p.LocationIDs, im.id("locations", id))
		}
		p.Normalize()
		if err := im.st.CreatePlot(ctx, p, im.event(gmc.EntityPlot, p.ID, p)); err != nil {
			return err
		}
	}
	return nil
}

func (im *importer) dependencies(ctx context.Context) error {
	for _, bd := range im.b.Dependencies {
		d := &gmc.PlotDependency{CampaignID: im.c.ID, PlotID: im.id("plots", bd.PlotID), DependsOnID: im.id("plots", bd.DependsOnID), CreatedAt: bd.CreatedAt}
		if err := im.st.AddPlotDependency(ctx, d, im.event(gmc.EntityPlotDependency, d.PlotID, d)); err != nil {
			return err
		}
	}
	return nil
}

func (im *importer) foreshadowing(ctx context.Context) error {
	for _, bf := range im.b.Foreshadowing {
		f := &gmc.Foreshadowing{ID: im.id("foreshadowing", bf.ID), CampaignID: im.c.ID, PlotID: im.id("plots", bf.PlotID),
			Description: bf.Description, PlantedSessionID: im.idPtr("sessions", bf.PlantedSessionID), PlantedSessionNumber: bf.PlantedSessionNumber,
			Revealed: bf.Revealed, RevealedSessionID: im.idPtr("sessions", bf.RevealedSessionID), RevealedAt: bf.RevealedAt,
			CreatedAt: bf.CreatedAt, UpdatedAt: bf.UpdatedAt}
		if err := im.st.CreateForeshadowing(ctx, f, im.event(gmc.EntityForeshadowing, f.ID, f)); err != nil {
			return err
		}
	}
	return nil
}

func (im *importer) keywords(ctx context.Context) error {
	for _, bk := range im.b.Keywords {
		k := &gmc.Keyword{ID: im.id("keywords", bk.ID), CampaignID: im.c.ID, Term: bk.Term, Aliases: bk.Aliases, Category: bk.Category,
			Visibility: bk.Visibility, Common: bk.Common, Notes: bk.Notes, CreatedAt: bk.CreatedAt, UpdatedAt: bk.UpdatedAt}
		k.Normalize()
		if err := im.st.CreateKeyword(ctx, k, im.event(gmc.EntityKeyword, k.ID, k)); err != nil {
			return err
		}
	}
	return nil
}

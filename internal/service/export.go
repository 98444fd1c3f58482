package service

import (
	"context"
	"errors"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// ExportCampaign returns the whole campaign as one bundle, GM-only content
// and every history included. GM only: the bundle holds the GM's secrets.
func (s *Service) ExportCampaign(ctx context.Context, userID, campaignID string) (*gmc.Bundle, error) {
	return s.exportCampaign(ctx, userID, campaignID, nil)
}

// exportCampaign is ExportCampaign telling progress, when not nil, the
// fraction done before each kind of entity it reads.
func (s *Service) exportCampaign(ctx context.Context, userID, campaignID string, progress func(float64, string)) (*gmc.Bundle, error) {
	if _, err := s.access(ctx, campaignID, userID, gmc.RoleGM); err != nil {
		return nil, err
	}
	c, err := s.store.Campaign(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	b := &gmc.Bundle{FormatVersion: gmc.BundleFormatVersion, ExportedAt: s.clock(),
		Campaign: gmc.BundleCampaign{Name: c.Name, Description: c.Description, GameSystem: c.GameSystem, Settings: c.Settings}}
	x := exporter{s: s, b: b, campaignID: campaignID, emails: map[string]string{}}
	steps := []struct {
		name string
		run  func(context.Context) error
	}{{"members", x.members}, {"sessions", x.sessions}, {"characters", x.characters}, {"achievements", x.achievements},
		{"relationships", x.relationships}, {"locations", x.locations}, {"plot threads", x.plots}, {"plot dependencies", x.dependencies},
		{"keywords", x.keywords}}
	for i, step := range steps {
		if progress != nil {
			progress(float64(i)/float64(len(steps)+1), "reading "+step.name)
		}
		if err := step.run(ctx); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// exporter fills a bundle one kind of entity at a time.
type exporter struct {
	s          *Service
	b          *gmc.Bundle
	campaignID string
	// emails maps user ids to emails, for members and PC owners.
	emails map[string]string
}

func (x *exporter) members(ctx context.Context) error {
	ms, err := x.s.store.Members(ctx, x.campaignID)
	if err != nil {
		return err
	}
	x.b.Members = make([]gmc.BundleMember, 0, len(ms))
	for _, m := range ms {
		x.emails[m.UserID] = m.Email
		x.b.Members = append(x.b.Members, gmc.BundleMember{Email: m.Email, DisplayName: m.DisplayName, Role: m.Role})
	}
	return nil
}

func (x *exporter) sessions(ctx context.Context) error {
	x.b.Sessions = []gmc.BundleSession{}
	return gmc.EachPage(func(cursor string) ([]*gmc.GameSession, string, error) {
		return x.s.store.Sessions(ctx, store.SessionFilter{CampaignID: x.campaignID, Page: gmc.FullPage(cursor)})
	}, func(s *gmc.GameSession) {
		x.b.Sessions = append(x.b.Sessions, gmc.BundleSession{ID: s.ID, Number: s.Number, Title: s.Title, ScheduledAt: s.ScheduledAt,
			Status: s.Status, StartedAt: s.StartedAt, EndedAt: s.EndedAt, Notes: s.Notes, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt})
	})
}

func (x *exporter) characters(ctx context.Context) error {
	var cs []*gmc.Character
	err := gmc.EachPage(func(cursor string) ([]*gmc.Character, string, error) {
		return x.s.store.Characters(ctx, store.CharacterFilter{CampaignID: x.campaignID, Page: gmc.FullPage(cursor)})
	}, func(c *gmc.Character) { cs = append(cs, c) })
	if err != nil {
		return err
	}
	x.b.Characters = make([]gmc.BundleCharacter, 0, len(cs))
	for _, c := range cs {
		owner, err := x.ownerEmail(ctx, c.OwnerID)
		if err != nil {
			return err
		}
		x.b.Characters = append(x.b.Characters, gmc.BundleCharacter{ID: c.ID, Name: c.Name, CharacterType: c.CharacterType,
			Stats: c.Stats, Notes: c.Notes, GMNotes: c.GMNotes, VoiceNotes: c.VoiceNotes, Aliases: c.Aliases, Tags: c.Tags,
			Visibility: c.Visibility, OwnerEmail: owner, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt})
	}
	return nil
}

// ownerEmail names a PC's owner by email; an owner who has left the
// campaign is looked up, one whose account is gone is dropped.
func (x *exporter) ownerEmail(ctx context.Context, ownerID *string) (*string, error) {
	if ownerID == nil {
		return nil, nil
	}
	if e, ok := x.emails[*ownerID]; ok {
		return &e, nil
	}
	u, err := x.s.store.User(ctx, *ownerID)
	if errors.Is(err, gmc.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	x.emails[u.ID] = u.Email
	return &u.Email, nil
}

func (x *exporter) achievements(ctx context.Context) error {
	as, err := x.s.store.CampaignAchievements(ctx, x.campaignID)
	if err != nil {
		return err
	}
	x.b.Achievements = make([]gmc.BundleAchievement, 0, len(as))
	for _, a := range as {
		x.b.Achievements = append(x.b.Achievements, gmc.BundleAchievement{ID: a.ID, CharacterID: a.CharacterID, Title: a.Title,
			Description: a.Description, SessionID: a.SessionID, AwardedAt: a.AwardedAt, CreatedAt: a.CreatedAt})
	}
	return nil
}

func (x *exporter) relationships(ctx context.Context) error {
	rs, err := x.s.store.CampaignRelationships(ctx, x.campaignID)
	if err != nil {
		return err
	}
	x.b.Relationships = make([]gmc.BundleRelationship, 0, len(rs))
	for _, r := range rs {
		hist := make([]gmc.BundleChange, len(r.History))
		for i, h := range r.History {
			hist[i] = gmc.BundleChange{At: h.At, SessionID: h.SessionID, AttitudeBefore: h.AttitudeBefore, AttitudeAfter: h.AttitudeAfter, Note: h.Note}
		}
		x.b.Relationships = append(x.b.Relationships, gmc.BundleRelationship{ID: r.ID, SourceID: r.SourceID, TargetID: r.TargetID,
			Kind: r.Kind, Attitude: r.Attitude, Description: r.Description, Visibility: r.Visibility, PairID: r.PairID, History: hist,
			CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt})
	}
	return nil
}

// locations lists the tree in path order, so parents come before their
// children and siblings keep their creation order.
func (x *exporter) locations(ctx context.Context) error {
	x.b.Locations = []gmc.BundleLocation{}
	return gmc.EachPage(func(cursor string) ([]*gmc.Location, string, error) {
		return x.s.store.Locations(ctx, store.LocationFilter{CampaignID: x.campaignID, Subtree: true, Page: gmc.FullPage(cursor)})
	}, func(l *gmc.Location) {
		x.b.Locations = append(x.b.Locations, gmc.BundleLocation{ID: l.ID, ParentID: l.ParentID, Name: l.Name, LocationType: l.LocationType,
			Description: l.Description, Metadata: l.Metadata, Coordinates: l.Coordinates, Visibility: l.Visibility,
			CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt})
	})
}

func (x *exporter) plots(ctx context.Context) error {
	var ps []*gmc.PlotThread
	err := gmc.EachPage(func(cursor string) ([]*gmc.PlotThread, string, error) {
		return x.s.store.Plots(ctx, store.PlotFilter{CampaignID: x.campaignID, Page: gmc.FullPage(cursor)})
	}, func(p *gmc.PlotThread) { ps = append(ps, p) })
	if err != nil {
		return err
	}
	x.b.Plots, x.b.Foreshadowing = make([]gmc.BundlePlot, 0, len(ps)), []gmc.BundleForeshadowing{}
	for _, p := range ps {
		x.b.Plots = append(x.b.Plots, gmc.BundlePlot{ID: p.ID, Title: p.Title, Summary: p.Summary, Status: p.Status, Progress: p.Progress,
			Milestones: p.Milestones, CharacterIDs: p.CharacterIDs, LocationIDs: p.LocationIDs, Visibility: p.Visibility,
			LastTouchedSessionID: p.LastTouchedSessionID, LastTouchedSessionNumber: p.LastTouchedSessionNumber,
			CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt})
		fs, err := x.s.store.Foreshadowings(ctx, p.ID, false)
		if err != nil {
			return err
		}
		for _, f := range fs {
			x.b.Foreshadowing = append(x.b.Foreshadowing, gmc.BundleForeshadowing{ID: f.ID, PlotID: f.PlotID, Description: f.Description,
				PlantedSessionID: f.PlantedSessionID, PlantedSessionNumber: f.PlantedSessionNumber, Revealed: f.Revealed,
				RevealedSessionID: f.RevealedSessionID, RevealedAt: f.RevealedAt, CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt})
		}
	}
	return nil
}

func (x *exporter) dependencies(ctx context.Context) error {
	ds, err := x.s.store.CampaignPlotDependencies(ctx, x.campaignID)
	if err != nil {
		return err
	}
	x.b.Dependencies = make([]gmc.BundleDependency, 0, len(ds))
	for _, d := range ds {
		x.b.Dependencies = append(x.b.Dependencies, gmc.BundleDependency{PlotID: d.PlotID, DependsOnID: d.DependsOnID, CreatedAt: d.CreatedAt})
	}
	return nil
}

func (x *exporter) keywords(ctx context.Context) error {
	x.b.Keywords = []gmc.BundleKeyword{}
	return gmc.EachPage(func(cursor string) ([]*gmc.Keyword, string, error) {
		return x.s.store.Keywords(ctx, store.KeywordFilter{CampaignID: x.campaignID, Page: gmc.FullPage(cursor)})
	}, func(k *gmc.Keyword) {
		x.b.Keywords = append(x.b.Keywords, gmc.BundleKeyword{ID: k.ID, Term: k.Term, Aliases: k.Aliases, Category: k.Category,
			Visibility: k.Visibility, Common: k.Common, Notes: k.Notes, CreatedAt: k.CreatedAt, UpdatedAt: k.UpdatedAt})
	})
}

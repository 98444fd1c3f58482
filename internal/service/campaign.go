package service

import (
	"context"
	"errors"
	"strings"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// CampaignParams are a campaign's editable fields.
type CampaignParams struct {
	Name        string
	Description string
	GameSystem  string
	Settings    *gmc.CampaignSettings
}

// CreateCampaign creates a campaign with the caller as its GM.
func (s *Service) CreateCampaign(ctx context.Context, userID string, p CampaignParams) (*gmc.Campaign, error) {
	now := s.clock()
	c := &gmc.Campaign{ID: s.newID(), Name: strings.TrimSpace(p.Name), Description: p.Description, GameSystem: p.GameSystem,
		Settings: gmc.DefaultCampaignSettings(), CreatedBy: userID, CreatedAt: now, UpdatedAt: now}
	if p.Settings != nil {
		c.Settings = *p.Settings
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkBudgetSettings(c.Settings, gmc.CampaignSettings{}, "body.settings"); err != nil {
		return nil, err
	}
	gm := &gmc.Member{CampaignID: c.ID, UserID: userID, Role: gmc.RoleGM, JoinedAt: now}
	c.Version = 1
	if err := s.store.CreateCampaign(ctx, c, gm, s.event(c.ID, userID, gmc.ActionCreate, gmc.EntityCampaign, c.ID, nil, c)); err != nil {
		return nil, err
	}
	return c, nil
}

// Campaign returns a campaign the caller belongs to.
// The membership comes with the campaign, in one statement: reading it
// first would cost every read a round trip of its own.
func (s *Service) Campaign(ctx context.Context, userID, campaignID string) (*gmc.Campaign, error) {
	c, role, err := s.store.MemberCampaign(ctx, campaignID, userID)
	if err != nil {
		return nil, accessError(err)
	}
	if err := checkRole(role, gmc.RoleObserver); err != nil {
		return nil, err
	}
	return c, nil
}

// Campaigns lists the caller's campaigns.
func (s *Service) Campaigns(ctx context.Context, userID string, page gmc.Page) ([]*gmc.Campaign, string, error) {
	return s.store.Campaigns(ctx, store.CampaignFilter{MemberID: userID, Page: page})
}

// CampaignUpdate changes some of a campaign's fields; nil means unchanged.
type CampaignUpdate struct {
	Name        *string
	Description *string
	GameSystem  *string
	Settings    *gmc.CampaignSettings
	// SettingsPatch changes some settings (PATCH); applied after Settings.
	SettingsPatch *gmc.CampaignSettingsPatch
	IfMatch       int64
}

// UpdateCampaign changes a campaign. GM only.
func (s *Service) UpdateCampaign(ctx context.Context, userID, campaignID string, upd CampaignUpdate) (*gmc.Campaign, error) {
	if _, err := s.access(ctx, campaignID, userID, gmc.RoleGM); err != nil {
		return nil, err
	}
	c, err := s.store.Campaign(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(upd.IfMatch, c.Version); err != nil {
		return nil, err
	}
	before := *c
	setIf(&c.Name, upd.Name)
	setIf(&c.Description, upd.Description)
	setIf(&c.GameSystem, upd.GameSystem)
	setIf(&c.Settings, upd.Settings)
	if upd.SettingsPatch != nil {
		c.Settings = upd.SettingsPatch.Apply(c.Settings)
	}
	c.Name = strings.TrimSpace(c.Name)
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkBudgetSettings(c.Settings, before.Settings, "body.settings"); err != nil {
		return nil, err
	}
	if id := c.Settings.DiscordAutoPostWebhookID; id != "" && id != before.Settings.DiscordAutoPostWebhookID {
		w, err := s.store.DiscordWebhook(ctx, id)
		if errors.Is(err, gmc.ErrNotFound) || err == nil && w.CampaignID != c.ID {
			return nil, gmc.Invalid("body.settings.discord_auto_post_webhook_id", "is not a Discord webhook of this campaign")
		} else if err != nil {
			return nil, err
		}
		if w.GoneAt != nil {
			return nil, gmc.Invalid("body.settings.discord_auto_post_webhook_id", "is a webhook Discord no longer knows; register a new one")
		}
	}
	c.UpdatedAt = s.clock()
	after := *c
	after.Version++
	if err := s.store.UpdateCampaign(ctx, c, s.event(c.ID, userID, gmc.ActionUpdate, gmc.EntityCampaign, c.ID, before, after)); err != nil {
		return nil, err
	}
	s.changed(ctx, gmc.EntityRef{CampaignID: c.ID, Type: gmc.EntityCampaign, ID: c.ID, Action: gmc.ActionUpdate, Visibility: gmc.VisiblePlayers})
	return c, nil
}

// DeleteCampaign deletes a campaign and everything in it. GM only.
func (s *Service) DeleteCampaign(ctx context.Context, userID, campaignID string) error {
	if _, err := s.access(ctx, campaignID, userID, gmc.RoleGM); err != nil {
		return err
	}
	return s.store.DeleteCampaign(ctx, campaignID)
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

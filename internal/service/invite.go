package service

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
)

// Invite limits.
const (
	DefaultInviteTTL = 7 * 24 * time.Hour
	MaxInviteTTL     = 90 * 24 * time.Hour
	MaxInviteUses    = 1000
)

// InviteParams describe a new invite. Zero ExpiresIn means a week; zero
// MaxUses means single use.
type InviteParams struct {
	Role      gmc.Role
	ExpiresIn time.Duration
	MaxUses   int
}

// CreateInvite makes an invite code. GM only.
func (s *Service) CreateInvite(ctx context.Context, userID, campaignID string, p InviteParams) (*gmc.Invite, error) {
	if _, err := s.access(ctx, campaignID, userID, gmc.RoleGM); err != nil {
		return nil, err
	}
	if p.Role == "" {
		p.Role = gmc.RolePlayer
	}
	if p.ExpiresIn == 0 {
		p.ExpiresIn = DefaultInviteTTL
	}
	if p.MaxUses == 0 {
		p.MaxUses = 1
	}
	var v gmc.Validator
	v.Check(p.Role.Valid(), "body.role", "must be one of gm, player, observer")
	v.Check(p.ExpiresIn >= time.Minute && p.ExpiresIn <= MaxInviteTTL, "body.expires_in", "must be between 60 seconds and 90 days")
	v.Check(p.MaxUses >= 1 && p.MaxUses <= MaxInviteUses, "body.max_uses", "must be between 1 and 1000")
	if err := v.Err(); err != nil {
		return nil, err
	}
	code, err := newInviteCode()
	if err != nil {
		return nil, err
	}
	now := s.clock()
	inv := &gmc.Invite{ID: s.newID(), CampaignID: campaignID, Code: code, Role: p.Role, MaxUses: p.MaxUses,
		CreatedBy: userID, ExpiresAt: now.Add(p.ExpiresIn), CreatedAt: now}
	logged := *inv
	logged.Code = "" // the code is a credential; the audit log keeps only its id
	if err := s.store.CreateInvite(ctx, inv, s.event(campaignID, userID, gmc.ActionCreate, gmc.EntityInvite, inv.ID, nil, logged)); err != nil {
		return nil, err
	}
	return inv, nil
}

// AcceptInvite joins the caller to the invite's campaign. clientIP is the
// caller's address, for rate limiting.
func (s *Service) AcceptInvite(ctx context.Context, userID, code, clientIP string) (*gmc.Member, error) {
	if err := s.allowAll(ctx, s.limits.AcceptInvite, clientIP); err != nil {
		return nil, err
	}
	now := s.clock()
	m := &gmc.Member{UserID: userID, JoinedAt: now}
	ev := s.event("", userID, gmc.ActionCreate, gmc.EntityMember, userID, nil, nil)
	if _, err := s.store.AcceptInvite(ctx, code, m, now, ev); err != nil {
		return nil, err
	}
	return s.store.Member(ctx, m.CampaignID, userID)
}

// newInviteCode returns 128 random bits in a form that is easy to read out
// at the table: base32 without padding, upper case.
func newInviteCode() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b), nil
}

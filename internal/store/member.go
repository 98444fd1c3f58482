package store

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
)

// MemberStore keeps who belongs to which campaign with which role.
type MemberStore interface {
	// Member returns userID's membership of campaignID, or ErrNotFound.
	Member(ctx context.Context, campaignID, userID string) (*gmc.Member, error)
	// Members lists a campaign's members with their email and display name,
	// in order of joining.
	Members(ctx context.Context, campaignID string) ([]*gmc.Member, error)
	// SetMemberRole changes an existing member's role. ErrNotFound; ErrConflict
	// (code "last_gm") when it would leave the campaign without a GM.
	SetMemberRole(ctx context.Context, m *gmc.Member, ev *gmc.Event) error
	// RemoveMember removes a member. ErrNotFound; ErrConflict (code "last_gm")
	// when they are the campaign's last GM.
	RemoveMember(ctx context.Context, campaignID, userID string, ev *gmc.Event) error
	// SetVoiceConsent writes m.VoiceConsent and m.VoiceConsentAt of an
	// existing member and appends ev. ErrNotFound.
	SetVoiceConsent(ctx context.Context, m *gmc.Member, ev *gmc.Event) error
}

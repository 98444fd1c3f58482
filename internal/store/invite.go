package store

import (
	"context"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
)

// InviteStore keeps invite codes.
type InviteStore interface {
	// CreateInvite stores inv.
	CreateInvite(ctx context.Context, inv *gmc.Invite, ev *gmc.Event) error
	// AcceptInvite uses the invite with code to add m (CampaignID and Role are
	// filled from the invite) and returns the invite. ErrNotFound for an
	// unknown, expired or used-up code; ErrConflict (code "already_member")
	// when the user already belongs to the campaign. Audit event ev gets its
	// campaign and entity filled in.
	AcceptInvite(ctx context.Context, code string, m *gmc.Member, now time.Time, ev *gmc.Event) (*gmc.Invite, error)
}

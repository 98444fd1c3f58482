package store

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
)

// KeywordFilter selects a campaign's custom keywords. Zero fields match all.
type KeywordFilter struct {
	CampaignID string
	// Category matches keywords of this (normalised) category.
	Category string
	// HideGMOnly leaves out keywords with visibility gm.
	HideGMOnly bool
	Page       gmc.Page
}

// KeywordHitFilter selects the keyword hits of one session.
type KeywordHitFilter struct {
	SessionID string
	// Kind is gmc.HitTerm or gmc.HitRule; "" matches both.
	Kind string
	// HideGMOnly leaves out GM-only hits.
	HideGMOnly bool
	Page       gmc.Page
}

// KeywordStore keeps a campaign's custom keywords and the keyword hits of
// its sessions. Every keyword write appends ev to the audit log in the
// same transaction; hits are derived from transcript segments (whose
// ingestion is audited) and are written without an event of their own.
type KeywordStore interface {
	// CreateKeyword inserts k with version 1. ErrNotFound when its
	// campaign does not exist; ErrKeywordExists when the campaign has a
	// keyword with the same TermKey.
	CreateKeyword(ctx context.Context, k *gmc.Keyword, ev *gmc.Event) error
	// Keyword returns the keyword with id, or ErrNotFound.
	Keyword(ctx context.Context, id string) (*gmc.Keyword, error)
	// Keywords lists keywords in id (creation) order and the next page's
	// cursor.
	Keywords(ctx context.Context, f KeywordFilter) ([]*gmc.Keyword, string, error)
	// MemberKeywords is Keywords as userID may see them, with userID's
	// role: a GM sees every keyword, anyone else those with visibility
	// players (f.HideGMOnly is not used). The membership is read in the
	// list's statement; only an empty page costs a second one. ErrNotFound
	// when userID is not a member of f.CampaignID.
	MemberKeywords(ctx context.Context, userID string, f KeywordFilter) ([]*gmc.Keyword, string, gmc.Role, error)
	// UpdateKeyword writes k's editable fields when the stored version
	// equals k.Version, then increments k.Version. ErrNotFound;
	// ErrConflict on a stale version; ErrKeywordExists when the new term
	// is another keyword's.
	UpdateKeyword(ctx context.Context, k *gmc.Keyword, ev *gmc.Event) error
	// DeleteKeyword removes the keyword k.ID when the stored version
	// equals k.Version. ErrNotFound; ErrConflict on a stale version. Hits
	// of the keyword stay: they record what was heard.
	DeleteKeyword(ctx context.Context, k *gmc.Keyword, ev *gmc.Event) error

	// CreateKeywordHits stores the hits of one ingested batch in one
	// transaction (ID, SessionID and SegmentID set; all of one session).
	// ErrNotFound when the session or a segment does not exist; nothing
	// is stored on error.
	CreateKeywordHits(ctx context.Context, hits []*gmc.KeywordHit) error
	// KeywordHits lists a session's hits in id (detection) order and the
	// next page's cursor.
	KeywordHits(ctx context.Context, f KeywordHitFilter) ([]*gmc.KeywordHit, string, error)
}

// ErrKeywordExists is the conflict of two keywords of a campaign with the
// same term.
var ErrKeywordExists = gmc.Errorf(gmc.ErrConflict, "keyword_exists", "the campaign already has a keyword with this term")

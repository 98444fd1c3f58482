package store

import (
	"context"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
)

// ProposalFilter selects a session's proposals; an empty Status matches
// all.
type ProposalFilter struct {
	SessionID string
	Status    gmc.ProposalStatus
}

// SummaryStore keeps sessions' summaries and the updates they propose.
type SummaryStore interface {
	// SaveSummary stores s as its session's summary, replacing the one
	// before and setting s.Version to one more than its. Of proposals, it
	// inserts those whose (session, kind, target) is new and leaves the
	// others as they are, decided or not; it returns the ones inserted.
	// ErrNotFound when the session is not in s.CampaignID.
	SaveSummary(ctx context.Context, s *gmc.SessionSummary, proposals []*gmc.Proposal) ([]*gmc.Proposal, error)
	// SessionSummary returns a session's summary (the GM view), or
	// ErrNotFound.
	SessionSummary(ctx context.Context, sessionID string) (*gmc.SessionSummary, error)
	// Proposal returns a proposal, or ErrNotFound.
	Proposal(ctx context.Context, id string) (*gmc.Proposal, error)
	// Proposals lists a session's proposals in id order.
	Proposals(ctx context.Context, f ProposalFilter) ([]*gmc.Proposal, error)
	// DecideProposal writes p's status, decider, time and result when the
	// stored proposal is still pending, and logs ev. ErrNotFound;
	// ErrConflict (code "proposal_decided") when it was decided before.
	DecideProposal(ctx context.Context, p *gmc.Proposal, ev *gmc.Event) error
	// ApproveSummary marks the session's summary approved by userID at
	// at, and logs ev, when it is still the given version and not yet
	// approved; it reports whether it did. A summary approved already
	// is left as it was (false, nil): approving twice is one approval.
	// ErrNotFound when the session has no summary; ErrConflict (code
	// "summary_replaced") when its version is another, made since the
	// caller read it. SaveSummary clears the approval.
	ApproveSummary(ctx context.Context, sessionID string, version int64, userID string, at time.Time, ev *gmc.Event) (bool, error)
}

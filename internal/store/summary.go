package store

import (
	"context"

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
}

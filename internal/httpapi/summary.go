package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/gmc-project/gmc/internal/gmc"
)

// ProposalPath names one proposal in a path.
type ProposalPath struct {
	ProposalID string `path:"proposal_id" format:"uuid" doc:"Proposal id"`
}

// SummaryJobOutput answers a request for a summary with its job.
type SummaryJobOutput struct {
	Body struct {
		JobID string `json:"job_id" doc:"The summary job; follow it at GET /jobs/{job_id}"`
	}
}

// SummaryOutput answers with a session's summary.
type SummaryOutput struct {
	Body *gmc.SessionSummary
}

// ProposalListInput selects a session's proposals.
type ProposalListInput struct {
	SessionPath
	Status string `query:"status" enum:"pending,applied,rejected" required:"false" doc:"Only proposals with this status"`
}

// ProposalsOutput lists proposals.
type ProposalsOutput struct {
	Body struct {
		Items []*gmc.Proposal `json:"items"`
	}
}

// ProposalOutput answers with one proposal.
type ProposalOutput struct {
	Body *gmc.Proposal
}

func (a *api) summaryRoutes(h huma.API) {
	req := operation(http.MethodPost, "/sessions/{session_id}/summary", "request-summary", "Summarise the session again (GM only); one job per session at a time", "summaries")
	req.DefaultStatus = http.StatusAccepted
	authed(h, req, a.handleSummaryRequest, a)
	authed(h, operation(http.MethodGet, "/sessions/{session_id}/summary", "get-summary", "The session's summary: the GM view for GMs, the player view for others", "summaries"), a.handleSummaryGet, a)
	authed(h, withStatus(operation(http.MethodPost, "/sessions/{session_id}/summary/approve", "approve-summary",
		"Approve the session's summary (GM only); when the campaign sets discord_auto_post_webhook_id, its player recap is queued for Discord with the approval. Approving again changes nothing and posts nothing", "summaries"), http.StatusOK),
		a.handleSummaryApprove, a)
	authed(h, operation(http.MethodGet, "/sessions/{session_id}/proposals", "list-proposals", "Database updates the summary proposes (GM only)", "summaries"), a.handleProposalList, a)
	authed(h, withStatus(operation(http.MethodPost, "/proposals/{proposal_id}/apply", "apply-proposal", "Make a proposed update, in one audited transaction (GM only)", "summaries"), http.StatusOK), a.handleProposalApply, a)
	authed(h, withStatus(operation(http.MethodPost, "/proposals/{proposal_id}/reject", "reject-proposal", "Reject a proposed update (GM only)", "summaries"), http.StatusOK), a.handleProposalReject, a)
}

func (a *api) handleSummaryRequest(ctx context.Context, uid string, in *SessionPath) (*SummaryJobOutput, error) {
	id, err := a.svc.RequestSummary(ctx, uid, in.SessionID)
	if err != nil {
		return nil, err
	}
	out := &SummaryJobOutput{}
	out.Body.JobID = id
	return out, nil
}

func (a *api) handleSummaryGet(ctx context.Context, uid string, in *SessionPath) (*SummaryOutput, error) {
	s, err := a.svc.Summary(ctx, uid, in.SessionID)
	if err != nil {
		return nil, err
	}
	return &SummaryOutput{Body: s}, nil
}

// SummaryApprovalOutput answers an approval.
type SummaryApprovalOutput struct {
	Body struct {
		Summary        *gmc.SessionSummary `json:"summary"`
		Approved       bool                `json:"approved" doc:"This request approved the summary; false when it was approved already (nothing was done)"`
		DiscordJobID   string              `json:"discord_job_id,omitempty" doc:"The Discord post queued with the approval; follow it at GET /jobs/{job_id}"`
		DiscordSkipped string              `json:"discord_skipped,omitempty" doc:"Why no post was queued although the campaign asks for one"`
	}
}

func (a *api) handleSummaryApprove(ctx context.Context, uid string, in *SessionPath) (*SummaryApprovalOutput, error) {
	res, err := a.svc.ApproveSummary(ctx, uid, in.SessionID)
	if err != nil {
		return nil, err
	}
	out := &SummaryApprovalOutput{}
	out.Body.Summary, out.Body.Approved, out.Body.DiscordJobID, out.Body.DiscordSkipped = res.Summary, res.Approved, res.DiscordJobID, res.DiscordSkipped
	return out, nil
}

func (a *api) handleProposalList(ctx context.Context, uid string, in *ProposalListInput) (*ProposalsOutput, error) {
	list, err := a.svc.Proposals(ctx, uid, in.SessionID, gmc.ProposalStatus(in.Status))
	if err != nil {
		return nil, err
	}
	out := &ProposalsOutput{}
	out.Body.Items = list
	return out, nil
}

func (a *api) handleProposalApply(ctx context.Context, uid string, in *ProposalPath) (*ProposalOutput, error) {
	p, err := a.svc.ApplyProposal(ctx, uid, in.ProposalID)
	if err != nil {
		return nil, err
	}
	return &ProposalOutput{Body: p}, nil
}

func (a *api) handleProposalReject(ctx context.Context, uid string, in *ProposalPath) (*ProposalOutput, error) {
	p, err := a.svc.RejectProposal(ctx, uid, in.ProposalID)
	if err != nil {
		return nil, err
	}
	return &ProposalOutput{Body: p}, nil
}

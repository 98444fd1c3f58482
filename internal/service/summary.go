package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/summary"
	"github.com/gmc-project/gmc/internal/textmatch"
)

// SummarizeArgs is the job that summarises a session.
type SummarizeArgs struct {
	SessionID string `json:"session_id"`
}

// Kind names the job kind; stored with every job, it never changes.
func (SummarizeArgs) Kind() string { return "session.summarize" }

// summaryJobOpts: one summary job per session at a time (the args name
// the session), shown to its GMs.
func summaryJobOpts(gs *gmc.GameSession, userID string) gmc.JobOpts {
	return gmc.JobOpts{CampaignID: gs.CampaignID, SessionID: gs.ID, UserID: userID, GMOnly: true, Unique: true}
}

// RequestSummary queues the session's summary and returns the job's id;
// while one is queued or running, its id. GM only.
func (s *Service) RequestSummary(ctx context.Context, userID, sessionID string) (string, error) {
	gs, err := s.gmSession(ctx, userID, sessionID)
	if err != nil {
		return "", err
	}
	if s.jobs == nil {
		return "", errors.New("service: no job queue configured to summarise sessions")
	}
	if s.aiMetered() {
		if err := s.requireBudget(ctx, gs.CampaignID, gmc.BudgetAITokens); err != nil {
			return "", err
		}
	}
	return s.jobs.Enqueue(ctx, SummarizeArgs{SessionID: gs.ID}, summaryJobOpts(gs, userID))
}

// SummaryApproval is what approving a summary did.
type SummaryApproval struct {
	Summary *gmc.SessionSummary
	// Approved: this call approved the summary (false: it was already).
	Approved bool
	// DiscordJobID is the post job queued with the approval, when the
	// campaign posts approved recaps (CampaignSettings.DiscordAutoPostWebhookID).
	DiscordJobID string
	// DiscordSkipped says why no post was queued although the campaign
	// asks for one.
	DiscordSkipped string
}

// ApproveSummary approves the session's current summary. GM only. When
// the campaign names a webhook to post approved recaps to, the post job
// is queued in the approval's transaction: both happen or neither. A
// summary approved already stays as it was and nothing is posted again.
func (s *Service) ApproveSummary(ctx context.Context, userID, sessionID string) (*SummaryApproval, error) {
	gs, err := s.gmSession(ctx, userID, sessionID)
	if err != nil {
		return nil, err
	}
	sum, err := s.store.SessionSummary(ctx, gs.ID)
	if errors.Is(err, gmc.ErrNotFound) {
		return nil, gmc.Errorf(gmc.ErrNotFound, "summary_not_found", "this session has no summary yet")
	} else if err != nil {
		return nil, err
	}
	out := &SummaryApproval{}
	var post *DiscordPostArgs
	if sum.ApprovedAt == nil {
		post, out.DiscordSkipped, err = s.autoPost(ctx, gs)
		if err != nil {
			return nil, err
		}
	}
	now := s.clock()
	ev := s.event(gs.CampaignID, userID, gmc.ActionUpdate, gmc.EntitySession, gs.ID,
		map[string]any{"summary_version": sum.Version, "summary_approved": false},
		map[string]any{"summary_version": sum.Version, "summary_approved": true})
	err = s.store.InTx(ctx, func(tx store.Store) error {
		out.DiscordJobID = ""
		var err error
		out.Approved, err = tx.ApproveSummary(ctx, gs.ID, sum.Version, userID, now, ev)
		if err != nil || !out.Approved || post == nil {
			return err
		}
		out.DiscordJobID, err = s.jobs.EnqueueTx(ctx, tx, *post, discordPostOpts(gs, userID))
		return err
	})
	if err != nil {
		return nil, err
	}
	if !out.Approved {
		out.DiscordSkipped = "" // another approval came first
	}
	if out.Summary, err = s.store.SessionSummary(ctx, gs.ID); err != nil {
		return nil, err
	}
	return out, nil
}

// autoPost returns the post job an approval of the session's summary
// queues, nil when the campaign asks for none; and why none is queued
// when it asks for one that cannot be made.
func (s *Service) autoPost(ctx context.Context, gs *gmc.GameSession) (*DiscordPostArgs, string, error) {
	c, err := s.store.Campaign(ctx, gs.CampaignID)
	if err != nil {
		return nil, "", err
	}
	id := c.Settings.DiscordAutoPostWebhookID
	if id == "" {
		return nil, "", nil
	}
	if s.discord == nil || s.jobs == nil {
		return nil, "this server does not post to Discord", nil
	}
	w, err := s.store.DiscordWebhook(ctx, id)
	switch {
	case errors.Is(err, gmc.ErrNotFound) || err == nil && w.CampaignID != gs.CampaignID:
		return nil, "the campaign's auto-post webhook was deleted", nil
	case err != nil:
		return nil, "", err
	case w.GoneAt != nil:
		return nil, "Discord no longer knows the campaign's auto-post webhook", nil
	}
	args, err := s.discordPostArgs(ctx, gs, w)
	if err != nil {
		return nil, "", err
	}
	return &args, "", nil
}

// Summary returns a session's summary as the caller may see it: GMs the
// GM view, players and observers the player view.
func (s *Service) Summary(ctx context.Context, userID, sessionID string) (*gmc.SessionSummary, error) {
	gs, role, err := s.Session(ctx, userID, sessionID)
	if err != nil {
		return nil, err
	}
	sum, err := s.store.SessionSummary(ctx, gs.ID)
	if errors.Is(err, gmc.ErrNotFound) {
		return nil, gmc.Errorf(gmc.ErrNotFound, "summary_not_found", "this session has no summary yet")
	} else if err != nil {
		return nil, err
	}
	if role != gmc.RoleGM {
		return sum.ForPlayers(), nil
	}
	return sum, nil
}

// Proposals lists a session's proposals; status "" lists all. GM only.
func (s *Service) Proposals(ctx context.Context, userID, sessionID string, status gmc.ProposalStatus) ([]*gmc.Proposal, error) {
	switch status {
	case "", gmc.ProposalPending, gmc.ProposalApplied, gmc.ProposalRejected:
	default:
		return nil, gmc.Invalid("query.status", "must be one of pending, applied, rejected")
	}
	gs, err := s.gmSession(ctx, userID, sessionID)
	if err != nil {
		return nil, err
	}
	list, err := s.store.Proposals(ctx, store.ProposalFilter{SessionID: gs.ID, Status: status})
	if list == nil {
		list = []*gmc.Proposal{}
	}
	return list, err
}

// proposalForGM loads a proposal for a GM of its campaign; others do not
// find it.
func (s *Service) proposalForGM(ctx context.Context, userID, id string) (*gmc.Proposal, error) {
	p, err := s.store.Proposal(ctx, id)
	if err != nil {
		return nil, notFound(err, gmc.EntityProposal)
	}
	m, err := s.access(ctx, p.CampaignID, userID, gmc.RoleObserver)
	if err != nil {
		return nil, gmc.Errorf(gmc.ErrNotFound, "proposal_not_found", "proposal not found")
	}
	if m.Role != gmc.RoleGM {
		return nil, gmc.Errorf(gmc.ErrForbidden, "role_too_low", "only a GM can decide proposals")
	}
	return p, nil
}

// ApplyProposal makes the update a proposal suggests and marks it
// applied, in one transaction with both audit events. GM only; 409
// (proposal_decided) when it was applied or rejected before.
func (s *Service) ApplyProposal(ctx context.Context, userID, id string) (*gmc.Proposal, error) {
	p, err := s.proposalForGM(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	if p.Status != gmc.ProposalPending {
		return nil, gmc.ProposalDecided()
	}
	err = s.inTx(ctx, func(t *Service, tx store.Store) error {
		return t.apply(ctx, userID, p)
	})
	return p, err
}

// RejectProposal marks a proposal rejected. GM only; 409 when decided.
func (s *Service) RejectProposal(ctx context.Context, userID, id string) (*gmc.Proposal, error) {
	p, err := s.proposalForGM(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	if p.Status != gmc.ProposalPending {
		return nil, gmc.ProposalDecided()
	}
	before := *p
	now := s.clock()
	p.Status, p.DecidedBy, p.DecidedAt = gmc.ProposalRejected, &userID, &now
	if err := s.store.DecideProposal(ctx, p, s.event(p.CampaignID, userID, gmc.ActionUpdate, gmc.EntityProposal, p.ID, before, p)); err != nil {
		return nil, err
	}
	return p, nil
}

// apply writes what p proposes through the ordinary use cases of s (a
// service bound to a transaction), then records the decision.
func (s *Service) apply(ctx context.Context, userID string, p *gmc.Proposal) error {
	before := *p
	var result any
	var err error
	switch p.Kind {
	case gmc.ProposeNewNPC:
		var pl gmc.NewNPCPayload
		if err = json.Unmarshal(p.Payload, &pl); err == nil {
			var c *gmc.Character
			c, err = s.CreateCharacter(ctx, userID, p.CampaignID, CharacterParams{Name: pl.Name, CharacterType: gmc.CharacterNPC,
				Tags: []string{"proposed"}})
			if err == nil {
				result = map[string]string{"character_id": c.ID}
			}
		}
	case gmc.ProposeAttitudeChange:
		var pl gmc.AttitudePayload
		if err = json.Unmarshal(p.Payload, &pl); err == nil {
			result, err = s.applyAttitude(ctx, userID, p, pl)
		}
	case gmc.ProposePlotProgress, gmc.ProposeMilestoneDone:
		result, err = s.applyPlot(ctx, userID, p)
	case gmc.ProposeAchievement:
		var pl gmc.AchievementPayload
		if err = json.Unmarshal(p.Payload, &pl); err == nil {
			var a *gmc.Achievement
			a, err = s.AwardAchievement(ctx, userID, pl.CharacterID, AchievementParams{Title: pl.Title, Description: pl.Description, SessionID: &p.SessionID})
			if err == nil {
				result = map[string]string{"achievement_id": a.ID}
			}
		}
	case gmc.ProposeLocationVisited:
		var pl gmc.LocationPayload
		if err = json.Unmarshal(p.Payload, &pl); err == nil {
			result, err = s.applyVisit(ctx, userID, p, pl)
		}
	default:
		err = fmt.Errorf("proposal %s: unknown kind %q", p.ID, p.Kind)
	}
	if err != nil {
		return err
	}
	now := s.clock()
	p.Status, p.DecidedBy, p.DecidedAt = gmc.ProposalApplied, &userID, &now
	if p.Result, err = json.Marshal(result); err != nil {
		return err
	}
	return s.store.DecideProposal(ctx, p, s.event(p.CampaignID, userID, gmc.ActionUpdate, gmc.EntityProposal, p.ID, before, p))
}

// applyAttitude moves the attitude of source towards target, creating
// the relationship when there is none.
func (s *Service) applyAttitude(ctx context.Context, userID string, p *gmc.Proposal, pl gmc.AttitudePayload) (any, error) {
	note := "session summary: " + pl.Word
	rels, err := allPages(func(cursor string) ([]*gmc.Relationship, string, error) {
		return s.Relationships(ctx, userID, pl.SourceID, gmc.Page{Limit: gmc.MaxPageSize, Cursor: cursor})
	})
	if err != nil {
		return nil, err
	}
	for _, r := range rels {
		if r.SourceID == pl.SourceID && r.TargetID == pl.TargetID {
			att := max(gmc.MinAttitude, min(gmc.MaxAttitude, r.Attitude+pl.Delta))
			r, err := s.UpdateRelationship(ctx, userID, r.ID, RelationshipUpdate{Attitude: &att, SessionID: &p.SessionID, Note: note})
			if err != nil {
				return nil, err
			}
			return map[string]string{"relationship_id": r.ID}, nil
		}
	}
	r, err := s.CreateRelationship(ctx, userID, pl.SourceID, RelationshipParams{TargetID: pl.TargetID, Kind: "acquaintance",
		Attitude: max(gmc.MinAttitude, min(gmc.MaxAttitude, pl.Delta)), SessionID: &p.SessionID, Note: note})
	if err != nil {
		return nil, err
	}
	return map[string]string{"relationship_id": r.ID}, nil
}

// applyPlot records plot progress or a milestone done in the session.
func (s *Service) applyPlot(ctx context.Context, userID string, p *gmc.Proposal) (any, error) {
	var pp ProgressParams
	var plotID string
	if p.Kind == gmc.ProposeMilestoneDone {
		var pl gmc.MilestonePayload
		if err := json.Unmarshal(p.Payload, &pl); err != nil {
			return nil, err
		}
		plotID, pp.MilestoneID = pl.PlotID, &pl.MilestoneID
	} else {
		var pl gmc.PlotProgressPayload
		if err := json.Unmarshal(p.Payload, &pl); err != nil {
			return nil, err
		}
		plotID, pp.Progress, pp.Status = pl.PlotID, pl.Progress, pl.Status
	}
	cur, err := s.plotForGM(ctx, userID, plotID, 0)
	if err != nil {
		return nil, err
	}
	if p.Kind == gmc.ProposeMilestoneDone {
		// A milestone leaves progress and status as they are.
		pp.Progress, pp.Status = cur.Progress, cur.Status
	} else {
		pp.Progress = max(pp.Progress, cur.Progress)
	}
	pp.SessionID = &p.SessionID
	if _, err := s.UpdatePlotProgress(ctx, userID, plotID, pp); err != nil {
		return nil, err
	}
	return map[string]string{"plot_id": plotID}, nil
}

// applyVisit notes the session in the location's metadata under
// "visited_sessions".
func (s *Service) applyVisit(ctx context.Context, userID string, p *gmc.Proposal, pl gmc.LocationPayload) (any, error) {
	l, _, err := s.locationForGM(ctx, userID, pl.LocationID, 0)
	if err != nil {
		return nil, err
	}
	meta := map[string]any{}
	if len(l.Metadata) > 0 {
		if err := json.Unmarshal(l.Metadata, &meta); err != nil {
			return nil, err
		}
	}
	var visited []any
	if v, ok := meta["visited_sessions"].([]any); ok {
		visited = v
	}
	if !slices.Contains(visited, any(p.SessionID)) {
		visited = append(visited, p.SessionID)
	}
	meta["visited_sessions"] = visited
	raw, err := json.Marshal(meta)
	if err != nil {
		return nil, err
	}
	rm := json.RawMessage(raw)
	if _, err := s.UpdateLocation(ctx, userID, l.ID, LocationUpdate{Metadata: &rm}); err != nil {
		return nil, err
	}
	return map[string]string{"location_id": l.ID}, nil
}

func allPages[T any](fetch func(cursor string) ([]T, string, error)) ([]T, error) {
	var out []T
	cursor := ""
	for {
		page, next, err := fetch(cursor)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}

// SummaryJob names the job a summary is made by.
type SummaryJob struct {
	SessionID string
	// UserID started the job; auto-applied proposals are applied as them.
	UserID string
	JobID  string
}

// SummaryResult is what a finished summary job shows.
type SummaryResult struct {
	SessionID string `json:"session_id"`
	Version   int64  `json:"version"`
	// Mode is what wrote the GM recap: builtin or llm.
	Mode   string `json:"mode"`
	Scenes int    `json:"scenes"`
	// Proposals counts the proposals this run added (a run again after a
	// crash adds none it made before); AutoApplied those of them applied
	// by the campaign's auto_apply_proposals.
	Proposals   int `json:"proposals"`
	AutoApplied int `json:"auto_applied"`
}

// SummarizeSession makes and stores a session's summary with sum (the
// summary job's work). The summary and its new proposals are stored, and
// the kinds the campaign auto-applies applied, in one transaction, so a
// crash leaves either all of it or none; proposals are keyed by session,
// kind and target, so a run again adds none twice.
func (s *Service) SummarizeSession(ctx context.Context, job SummaryJob, sum summary.Summarizer, progress func(float64, string)) (*SummaryResult, error) {
	gs, err := s.store.Session(ctx, job.SessionID)
	if err != nil {
		return nil, notFound(err, gmc.EntitySession)
	}
	c, err := s.store.Campaign(ctx, gs.CampaignID)
	if err != nil {
		return nil, err
	}
	// A model's summary is refused once the month's AI budget is spent
	// (the job fails for good: trying again cannot help before the month
	// ends); one that starts within it runs to its end.
	if usesModel(sum) {
		if err := s.checkBudget(ctx, c, gmc.BudgetAITokens); err != nil {
			return nil, err
		}
	}
	in, err := s.summaryInput(ctx, gs)
	if err != nil {
		return nil, err
	}
	in.CampaignID, in.Campaign, in.Progress = c.ID, c.Name, progress
	out, err := sum.Summarize(ctx, in)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	ss := out.SessionSummary
	ss.SessionID, ss.CampaignID, ss.JobID, ss.CreatedAt, ss.View = gs.ID, gs.CampaignID, job.JobID, now, "gm"
	for _, p := range out.Proposals {
		p.ID, p.CampaignID, p.SessionID, p.JobID, p.CreatedAt, p.Status = s.newID(), gs.CampaignID, gs.ID, job.JobID, now, gmc.ProposalPending
	}
	res := &SummaryResult{SessionID: gs.ID, Mode: ss.Mode, Scenes: len(ss.Scenes)}
	err = s.inTx(ctx, func(t *Service, tx store.Store) error {
		res.AutoApplied = 0
		added, err := tx.SaveSummary(ctx, &ss, out.Proposals)
		if err != nil {
			return err
		}
		res.Proposals, res.Version = len(added), ss.Version
		for _, p := range added {
			if !slices.Contains(c.Settings.AutoApplyProposals, p.Kind) {
				continue
			}
			// A proposal that cannot be applied (its entity was deleted
			// meanwhile) stays pending for the GM; the savepoint undoes
			// its partial writes.
			told := len(*t.held)
			err := tx.InTx(ctx, func(tx2 store.Store) error {
				t2 := *t
				t2.store = tx2
				return t2.apply(ctx, job.UserID, p)
			})
			if err == nil {
				res.AutoApplied++
			} else {
				// Its writes are undone, so are the changes it would tell.
				*t.held = (*t.held)[:told]
				p.Status = gmc.ProposalPending
				s.log.Warn("auto-apply of a proposal failed; left for the GM", "proposal_id", p.ID, "kind", p.Kind, "error", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// summaryInput gathers what the summarizer reads about a session.
func (s *Service) summaryInput(ctx context.Context, gs *gmc.GameSession) (summary.SummaryInput, error) {
	var in summary.SummaryInput
	chars, err := allPages(func(cursor string) ([]*gmc.Character, string, error) {
		return s.store.Characters(ctx, store.CharacterFilter{CampaignID: gs.CampaignID, Page: gmc.Page{Limit: gmc.MaxPageSize, Cursor: cursor}})
	})
	if err != nil {
		return in, err
	}
	names := map[string]string{}
	for _, c := range chars {
		in.Characters = append(in.Characters, summary.Entity{ID: c.ID, Name: c.Name, Aliases: c.Aliases, Kind: string(c.CharacterType),
			Tags: c.Tags, GMOnly: c.Visibility == gmc.VisibleGM})
		names[c.ID] = c.Name
	}
	locs, err := allPages(func(cursor string) ([]*gmc.Location, string, error) {
		return s.store.Locations(ctx, store.LocationFilter{CampaignID: gs.CampaignID, Subtree: true, Page: gmc.Page{Limit: gmc.MaxPageSize, Cursor: cursor}})
	})
	if err != nil {
		return in, err
	}
	// A location below a hidden one is hidden too: what players may see
	// is what the players' listing returns.
	shown, err := allPages(func(cursor string) ([]*gmc.Location, string, error) {
		return s.store.Locations(ctx, store.LocationFilter{CampaignID: gs.CampaignID, Subtree: true, ForPlayers: true,
			Page: gmc.Page{Limit: gmc.MaxPageSize, Cursor: cursor}})
	})
	if err != nil {
		return in, err
	}
	for _, l := range locs {
		hidden := !slices.ContainsFunc(shown, func(v *gmc.Location) bool { return v.ID == l.ID })
		in.Locations = append(in.Locations, summary.Entity{ID: l.ID, Name: l.Name, Kind: "location", GMOnly: hidden})
	}
	plots, err := allPages(func(cursor string) ([]*gmc.PlotThread, string, error) {
		return s.store.Plots(ctx, store.PlotFilter{CampaignID: gs.CampaignID, Page: gmc.Page{Limit: gmc.MaxPageSize, Cursor: cursor}})
	})
	if err != nil {
		return in, err
	}
	for _, p := range plots {
		sp := summary.Plot{ID: p.ID, Title: p.Title, Status: p.Status, Progress: p.Progress, CharacterIDs: p.CharacterIDs,
			LocationIDs: p.LocationIDs, GMOnly: p.Visibility == gmc.VisibleGM}
		for _, m := range p.Milestones {
			sp.Milestones = append(sp.Milestones, summary.Milestone{ID: m.ID, Title: m.Title, Done: m.Done})
		}
		in.Plots = append(in.Plots, sp)
	}
	kws, err := allPages(func(cursor string) ([]*gmc.Keyword, string, error) {
		return s.store.Keywords(ctx, store.KeywordFilter{CampaignID: gs.CampaignID, Page: gmc.Page{Limit: gmc.MaxPageSize, Cursor: cursor}})
	})
	if err != nil {
		return in, err
	}
	known := map[string]bool{}
	for _, k := range kws {
		for _, n := range append([]string{k.Term}, k.Aliases...) {
			if k.Visibility == gmc.VisibleGM {
				in.Secrets = append(in.Secrets, n)
			}
			for _, w := range strings.Fields(textmatch.Fold(n)) {
				known[w] = true
			}
		}
	}
	hits, err := allPages(func(cursor string) ([]*gmc.KeywordHit, string, error) {
		return s.store.KeywordHits(ctx, store.KeywordHitFilter{SessionID: gs.ID, Page: gmc.Page{Limit: gmc.MaxPageSize, Cursor: cursor}})
	})
	if err != nil {
		return in, err
	}
	in.Hits = hits
	for _, h := range hits {
		if h.Source == "srd" {
			for _, w := range strings.Fields(textmatch.Fold(h.Name)) {
				known[w] = true
			}
		}
	}
	in.Known = func(w string) bool { return known[w] }
	members, err := s.store.Members(ctx, gs.CampaignID)
	if err != nil {
		return in, err
	}
	speakers, err := s.store.Speakers(ctx, gs.ID)
	if err != nil {
		return in, err
	}
	who := map[string]gmc.Speaker{}
	for _, sp := range speakers {
		who[sp.Label] = sp
	}
	var after int64
	for {
		segs, more, err := s.store.Segments(ctx, store.SegmentFilter{SessionID: gs.ID, AfterSeq: after, Limit: 500})
		if err != nil {
			return in, err
		}
		for _, seg := range segs {
			sg := summary.Segment{ID: seg.ID, Seq: seg.Seq, StartMS: seg.StartMS, EndMS: seg.EndMS, Speaker: seg.SpeakerLabel, Text: seg.Text}
			if sp, ok := who[seg.SpeakerLabel]; ok {
				if sp.CharacterID != nil && names[*sp.CharacterID] != "" {
					sg.CharacterID, sg.Speaker = *sp.CharacterID, names[*sp.CharacterID]
				} else if sp.UserID != nil {
					for _, m := range members {
						if m.UserID == *sp.UserID && m.DisplayName != "" {
							sg.Speaker = m.DisplayName
						}
					}
				}
			}
			in.Segments = append(in.Segments, sg)
			after = seg.Seq
		}
		if !more || len(segs) == 0 {
			break
		}
	}
	return in, nil
}

package service

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// Me returns the caller's account.
func (s *Service) Me(ctx context.Context, userID string) (*gmc.User, error) {
	u, err := s.store.User(ctx, userID)
	if errors.Is(err, gmc.ErrNotFound) {
		// The token outlived its account.
		return nil, errAccountGone
	}
	return u, err
}

// UserUpdate changes some of an account's fields. Changing the email or the
// password needs the current password.
type UserUpdate struct {
	DisplayName     *string
	Email           *string
	NewPassword     *string
	CurrentPassword string
	IfMatch         int64
}

// UpdateMe changes the caller's account. A change of email or password
// ends every session of the account, the caller's included (an access
// token does not say which login it belongs to), and starts a new one for
// the caller: its token pair is returned, nil when no session ended.
func (s *Service) UpdateMe(ctx context.Context, userID string, upd UserUpdate) (*gmc.User, *TokenPair, error) {
	u, err := s.Me(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	if err := checkVersion(upd.IfMatch, u.Version); err != nil {
		return nil, nil, err
	}
	oldEmail := u.Email
	var v gmc.Validator
	if upd.DisplayName != nil {
		gmc.ValidateName(&v, "body.display_name", *upd.DisplayName)
		u.DisplayName = strings.TrimSpace(*upd.DisplayName)
	}
	if upd.Email != nil {
		u.Email = gmc.NormalizeEmail(*upd.Email)
		gmc.ValidateEmail(&v, "body.email", u.Email)
	}
	if upd.NewPassword != nil {
		gmc.ValidatePassword(&v, "body.new_password", *upd.NewPassword)
	}
	if (upd.Email != nil || upd.NewPassword != nil) && !verifyPassword(u.PasswordHash, upd.CurrentPassword) {
		v.Add("body.current_password", "must be your current password to change email or password")
	}
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	if upd.NewPassword != nil {
		if u.PasswordHash, err = s.hashPassword(*upd.NewPassword); err != nil {
			return nil, nil, err
		}
	}
	u.UpdatedAt = s.clock()
	if upd.NewPassword == nil && u.Email == oldEmail {
		if err := s.store.UpdateUser(ctx, u); err != nil {
			return nil, nil, err
		}
		return u, nil, nil
	}
	pair, err := s.updateCredentials(ctx, u)
	if err != nil {
		return nil, nil, err
	}
	return u, pair, nil
}

// updateCredentials writes a changed email or password and ends every
// session in the same transaction, so that nobody who knew only the old
// credentials keeps a session under the new ones; then it starts the
// caller's new session.
func (s *Service) updateCredentials(ctx context.Context, u *gmc.User) (*TokenPair, error) {
	err := s.store.InTx(ctx, func(tx store.Store) error {
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		var err error
		u.TokenVersion, err = tx.EndSessions(ctx, u.ID, u.UpdatedAt)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.sessionsChanged(ctx, u.ID)
	return s.startSession(ctx, u.ID, u.TokenVersion)
}

// UserExport is everything gmc holds about one user: the account, each
// membership and its campaign, the characters they own, what they said at
// the table (transcript segments whose speaker was mapped to them) and the
// audit events they caused or that are about their account.
type UserExport struct {
	User        *gmc.User                `json:"user"`
	Memberships []*gmc.Member            `json:"memberships"`
	Campaigns   []*gmc.Campaign          `json:"campaigns"`
	Characters  []*gmc.Character         `json:"characters" doc:"Characters the user owns, as the user may see them"`
	Segments    []*gmc.TranscriptSegment `json:"transcript_segments" doc:"What the user said at the table, as mapped to them by the GM"`
	Events      []*gmc.Event             `json:"events" doc:"Audit events the user caused or that are about their account; before and after only in campaigns the user is GM of, since they may hold others' secrets"`
}

// ExportMe gathers the caller's data.
func (s *Service) ExportMe(ctx context.Context, userID string) (*UserExport, error) {
	u, err := s.Me(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := &UserExport{User: u, Memberships: []*gmc.Member{}, Campaigns: []*gmc.Campaign{},
		Characters: []*gmc.Character{}, Segments: []*gmc.TranscriptSegment{}, Events: []*gmc.Event{}}
	cursor := ""
	for {
		page, next, err := s.store.Campaigns(ctx, store.CampaignFilter{MemberID: userID, Page: gmc.Page{Limit: gmc.MaxPageSize, Cursor: cursor}})
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			m, err := s.store.Member(ctx, c.ID, userID)
			if err != nil {
				return nil, err
			}
			out.Campaigns = append(out.Campaigns, c)
			out.Memberships = append(out.Memberships, m)
			if err := s.exportCampaignShare(ctx, out, m); err != nil {
				return nil, err
			}
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}

// exportCampaignShare adds to out the user's characters, segments and
// events of m's campaign.
func (s *Service) exportCampaignShare(ctx context.Context, out *UserExport, m *gmc.Member) error {
	err := eachPage(func(p gmc.Page) (string, error) {
		list, next, err := s.store.Characters(ctx, store.CharacterFilter{CampaignID: m.CampaignID, OwnerID: m.UserID, HideGMOnly: m.Role != gmc.RoleGM, Page: p})
		for _, c := range list {
			out.Characters = append(out.Characters, c.ForRole(m.Role))
		}
		return next, err
	})
	if err != nil {
		return err
	}
	err = eachPage(func(p gmc.Page) (string, error) {
		sessions, next, err := s.store.Sessions(ctx, store.SessionFilter{CampaignID: m.CampaignID, Page: p})
		for _, gs := range sessions {
			if err == nil {
				err = s.exportSegments(ctx, out, gs.ID, m.UserID)
			}
		}
		return next, err
	})
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, f := range []store.EventFilter{{ActorID: m.UserID}, {EntityID: m.UserID}} {
		f.CampaignID = m.CampaignID
		err := eachPage(func(p gmc.Page) (string, error) {
			f.Page = p
			list, next, err := s.store.Events(ctx, f)
			for _, ev := range list {
				if seen[ev.ID] {
					continue
				}
				seen[ev.ID] = true
				if m.Role != gmc.RoleGM {
					ev.Before, ev.After = nil, nil
				}
				out.Events = append(out.Events, ev)
			}
			return next, err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// exportSegments adds the segments of a session mapped to userID.
func (s *Service) exportSegments(ctx context.Context, out *UserExport, sessionID, userID string) error {
	speakers, err := s.store.Speakers(ctx, sessionID)
	if err != nil || !slices.ContainsFunc(speakers, func(sp gmc.Speaker) bool { return sp.UserID != nil && *sp.UserID == userID }) {
		return err
	}
	after := int64(0)
	for {
		segs, more, err := s.store.Segments(ctx, store.SegmentFilter{SessionID: sessionID, AfterSeq: after, Limit: gmc.MaxPageSize})
		if err != nil {
			return err
		}
		for _, seg := range segs {
			if seg.Speaker != nil && seg.Speaker.UserID != nil && *seg.Speaker.UserID == userID {
				out.Segments = append(out.Segments, seg)
			}
			after = seg.Seq
		}
		if !more || len(segs) == 0 {
			return nil
		}
	}
}

// eachPage calls list with successive pages until it returns no cursor.
func eachPage(list func(gmc.Page) (string, error)) error {
	cursor := ""
	for {
		next, err := list(gmc.Page{Limit: gmc.MaxPageSize, Cursor: cursor})
		if err != nil || next == "" {
			return err
		}
		cursor = next
	}
}

// DeleteMe deletes the caller's account (see store.UserStore.DeleteUser),
// its refresh tokens with it; its access tokens stop working once the
// AccountCache has forgotten it.
func (s *Service) DeleteMe(ctx context.Context, userID string) error {
	if err := s.store.DeleteUser(ctx, userID); err != nil {
		return err
	}
	s.sessionsChanged(ctx, userID)
	return nil
}

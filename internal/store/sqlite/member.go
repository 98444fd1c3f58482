package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/gmc-project/gmc/internal/gmc"
)

func insertMember(ctx context.Context, tx *sql.Tx, m *gmc.Member) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO members (campaign_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)`,
		m.CampaignID, m.UserID, string(m.Role), micros(m.JoinedAt))
	return interpretError(err)
}

const memberSelect = `SELECT m.campaign_id, m.user_id, m.role, u.email, u.display_name, m.joined_at, m.voice_consent, m.voice_consent_at
	FROM members m JOIN users u ON u.id = m.user_id`

func scanMember(row interface{ Scan(...any) error }) (*gmc.Member, error) {
	var m gmc.Member
	var role string
	var joined int64
	var consent sql.NullBool
	var consentAt sql.NullInt64
	if err := row.Scan(&m.CampaignID, &m.UserID, &role, &m.Email, &m.DisplayName, &joined, &consent, &consentAt); err != nil {
		return nil, interpretError(err)
	}
	m.Role, m.JoinedAt = gmc.Role(role), fromMicros(joined)
	if consent.Valid {
		m.VoiceConsent = &consent.Bool
	}
	m.VoiceConsentAt = fromNullMicros(consentAt)
	return &m, nil
}

// Member returns one membership.
func (db *DB) Member(ctx context.Context, campaignID, userID string) (*gmc.Member, error) {
	return scanMember(db.read.QueryRowContext(ctx, memberSelect+` WHERE m.campaign_id = ? AND m.user_id = ?`, campaignID, userID))
}

// withRole scans a row whose last column is a member's role after the
// columns its scan function reads, so that a read can carry the caller's
// membership.
type withRole struct {
	row  interface{ Scan(...any) error }
	role any
}

func (w withRole) Scan(dest ...any) error { return w.row.Scan(append(dest, w.role)...) }

// prefixed qualifies every column of a comma-separated list with p ("c.").
func prefixed(p, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// memberRole is the role of userID in campaignID, for the reads whose
// statement returned no row to carry it.
func (db *DB) memberRole(ctx context.Context, campaignID, userID string) (gmc.Role, error) {
	var role string
	err := db.read.QueryRowContext(ctx, `SELECT role FROM members WHERE campaign_id = ? AND user_id = ?`, campaignID, userID).Scan(&role)
	return gmc.Role(role), interpretError(err)
}

// memberOf is how a list read finds the caller's role: roleSQL selects
// one row with the role, none when the caller may not read the list (not
// in the campaign, or for a character's relationships, the character is
// hidden from them), with its arguments.
type memberOf struct {
	roleSQL string
	args    []any
}

// campaignMember is the role of userID in campaignID.
func campaignMember(campaignID, userID string) memberOf {
	return memberOf{`SELECT role FROM members WHERE campaign_id = ? AND user_id = ?`, []any{campaignID, userID}}
}

// characterViewer is the role of userID when they may see the character
// characterID: a member of its campaign, and a GM if it is GM-only.
func characterViewer(characterID, userID string) memberOf {
	return memberOf{`SELECT m.role FROM characters c JOIN members m ON m.campaign_id = c.campaign_id
		WHERE c.id = ? AND m.user_id = ? AND (c.visibility = 'players' OR m.role = 'gm')`, []any{characterID, userID}}
}

// readRole reads of's role on its own.
func (db *DB) readRole(ctx context.Context, of memberOf) (gmc.Role, error) {
	var role string
	err := db.read.QueryRowContext(ctx, of.roleSQL, of.args...).Scan(&role)
	return gmc.Role(role), interpretError(err)
}

// memberList runs q after the CTE "me" (of's role), with of's arguments
// and then args, and returns its rows with the caller's role; q selects
// (SELECT role FROM me) after scan's columns. ErrNotFound when the caller
// may not read the list. Only an empty page costs a second statement: no
// row carried the role.
func memberList[T any](ctx context.Context, db *DB, of memberOf, q string, args []any, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, gmc.Role, error) {
	rows, err := db.read.QueryContext(ctx, `WITH me AS (`+of.roleSQL+`) `+q, append(slices.Clip(of.args), args...)...)
	if err != nil {
		return nil, "", interpretError(err)
	}
	var role sql.NullString
	out, err := collectRows(rows, func(row interface{ Scan(...any) error }) (T, error) { return scan(withRole{row, &role}) })
	switch {
	case err != nil:
		return nil, "", err
	case role.Valid:
		return out, gmc.Role(role.String), nil
	}
	r, err := db.readRole(ctx, of)
	return out, r, err
}

// Members lists a campaign's members in order of joining.
func (db *DB) Members(ctx context.Context, campaignID string) ([]*gmc.Member, error) {
	rows, err := db.read.QueryContext(ctx, memberSelect+` WHERE m.campaign_id = ? ORDER BY m.joined_at, m.user_id`, campaignID)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	var out []*gmc.Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, interpretError(rows.Err())
}

// SetMemberRole changes a member's role, keeping at least one GM.
func (db *DB) SetMemberRole(ctx context.Context, m *gmc.Member, ev *gmc.Event) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		if m.Role != gmc.RoleGM {
			if err := ensureOtherGM(ctx, tx, m.CampaignID, m.UserID); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE members SET role = ? WHERE campaign_id = ? AND user_id = ?`, string(m.Role), m.CampaignID, m.UserID)
		if err != nil {
			return interpretError(err)
		}
		if err := mustAffect(res); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// RemoveMember removes a member, keeping at least one GM.
func (db *DB) RemoveMember(ctx context.Context, campaignID, userID string, ev *gmc.Event) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		if err := ensureOtherGM(ctx, tx, campaignID, userID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM members WHERE campaign_id = ? AND user_id = ?`, campaignID, userID)
		if err != nil {
			return interpretError(err)
		}
		if err := mustAffect(res); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// SetVoiceConsent records a member's answer to the consent question.
func (db *DB) SetVoiceConsent(ctx context.Context, m *gmc.Member, ev *gmc.Event) error {
	var consent any
	if m.VoiceConsent != nil {
		consent = *m.VoiceConsent
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE members SET voice_consent = ?, voice_consent_at = ? WHERE campaign_id = ? AND user_id = ?`,
			consent, nullMicros(m.VoiceConsentAt), m.CampaignID, m.UserID)
		if err != nil {
			return interpretError(err)
		}
		if err := mustAffect(res); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// ensureOtherGM fails when userID is a GM of the campaign and no other
// member is. It runs inside the write transaction, so two concurrent
// demotions cannot both pass it.
func ensureOtherGM(ctx context.Context, tx *sql.Tx, campaignID, userID string) error {
	var isGM, others int
	err := tx.QueryRowContext(ctx, `SELECT
		coalesce(sum(CASE WHEN user_id = ? THEN 1 ELSE 0 END), 0),
		coalesce(sum(CASE WHEN user_id <> ? THEN 1 ELSE 0 END), 0)
		FROM members WHERE campaign_id = ? AND role = 'gm'`, userID, userID, campaignID).Scan(&isGM, &others)
	if err != nil {
		return interpretError(err)
	}
	if isGM > 0 && others == 0 {
		return gmc.Errorf(gmc.ErrConflict, "last_gm", "a campaign must keep at least one GM")
	}
	return nil
}

package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
)

func insertMember(ctx context.Context, tx pgx.Tx, m *gmc.Member) error {
	_, err := tx.Exec(ctx, `INSERT INTO members (campaign_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4)`,
		m.CampaignID, m.UserID, string(m.Role), m.JoinedAt)
	return interpretError(err)
}

const memberSelect = `SELECT m.campaign_id, m.user_id, m.role, u.email, u.display_name, m.joined_at, m.voice_consent, m.voice_consent_at
	FROM members m JOIN users u ON u.id = m.user_id`

func scanMember(row pgx.Row) (*gmc.Member, error) {
	var m gmc.Member
	var role string
	if err := row.Scan(&m.CampaignID, &m.UserID, &role, &m.Email, &m.DisplayName, &m.JoinedAt, &m.VoiceConsent, &m.VoiceConsentAt); err != nil {
		return nil, interpretError(err)
	}
	m.Role, m.JoinedAt = gmc.Role(role), m.JoinedAt.UTC()
	if m.VoiceConsentAt != nil {
		at := m.VoiceConsentAt.UTC()
		m.VoiceConsentAt = &at
	}
	return &m, nil
}

// Member returns one membership.
func (db *DB) Member(ctx context.Context, campaignID, userID string) (*gmc.Member, error) {
	return scanMember(db.q.QueryRow(ctx, memberSelect+` WHERE m.campaign_id = $1 AND m.user_id = $2`, campaignID, userID))
}

// withRole scans a row whose last column is a member's role after the
// columns its scan function reads, so that a read can carry the caller's
// membership.
type withRole struct {
	row  pgx.Row
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

// memberOf is how a list read finds the caller's role: roleSQL selects
// one row with the role, none when the caller may not read the list (not
// in the campaign, or for a character's relationships, the character is
// hidden from them), with the named arguments of the read.
type memberOf struct {
	roleSQL string
	args    pgx.NamedArgs
}

// campaignMember is the role of @member in @campaign.
func campaignMember(campaignID, userID string) memberOf {
	return memberOf{`SELECT role FROM members WHERE campaign_id = @campaign AND user_id = @member`,
		pgx.NamedArgs{"campaign": campaignID, "member": userID}}
}

// characterViewer is the role of @member when they may see the character
// @character: a member of its campaign, and a GM if it is GM-only.
func characterViewer(characterID, userID string) memberOf {
	return memberOf{`SELECT m.role FROM characters c JOIN members m ON m.campaign_id = c.campaign_id
		WHERE c.id = @character AND m.user_id = @member AND (c.visibility = 'players' OR m.role = 'gm')`,
		pgx.NamedArgs{"character": characterID, "member": userID}}
}

// memberRead is a list read that carries the caller's role: its statement
// starts with with (the CTE "me"), runs on q and selects (SELECT role FROM
// me) after the entity's columns.
type memberRead struct {
	of   memberOf
	q    querier
	with string
	// role is the role when it was read ahead (see memberScope).
	role gmc.Role
}

// memberScope prepares a read carrying the caller's role; replicaOK says
// the list may be read from a replica (see reader). Permissions come from
// the primary: while no replica serves the read it runs on the primary
// and joins the membership in its own statement; when the read goes to a
// replica, the role is read from the primary first and handed to the
// replica's statement as a parameter, so that a replica which has not yet
// replayed a removal or a demotion never decides what the caller sees.
func (db *DB) memberScope(ctx context.Context, of memberOf, replicaOK bool) (*memberRead, error) {
	rd := db.q
	if replicaOK {
		rd = db.reader(ctx)
	}
	if _, replica := rd.(replicaReader); !replica {
		return &memberRead{of: of, q: rd, with: `WITH me AS (` + of.roleSQL + `) `}, nil
	}
	role, err := db.readRole(ctx, of)
	if err != nil {
		return nil, err
	}
	of.args["role"] = string(role)
	return &memberRead{of: of, q: rd, with: `WITH me AS (SELECT @role::text AS role) `, role: role}, nil
}

// readRole reads of's role on its own, on the primary.
func (db *DB) readRole(ctx context.Context, of memberOf) (gmc.Role, error) {
	var role string
	err := db.q.QueryRow(ctx, of.roleSQL, of.args).Scan(&role)
	return gmc.Role(role), interpretError(err)
}

// memberList runs m's statement q (with m's named arguments) and returns
// its rows with the caller's role; ErrNotFound when the caller may not
// read the list. Only an empty page costs a second statement: no row
// carried the role.
func memberList[T any](ctx context.Context, db *DB, m *memberRead, q string, scan func(pgx.Row) (T, error)) ([]T, gmc.Role, error) {
	rows, err := m.q.Query(ctx, m.with+q, m.of.args)
	if err != nil {
		return nil, "", interpretError(err)
	}
	var role *string
	out, err := collect(rows, func(row pgx.Row) (T, error) { return scan(withRole{row, &role}) })
	switch {
	case err != nil:
		return nil, "", err
	case m.role != "":
		return out, m.role, nil
	case role != nil:
		return out, gmc.Role(*role), nil
	}
	r, err := db.readRole(ctx, m.of)
	return out, r, err
}

// memberFails is err for a member and ErrNotFound for anyone else, for
// reads refused before their statement (a bad cursor): a caller outside
// the campaign learns nothing but "not found", as when the membership was
// checked first.
func (db *DB) memberFails(ctx context.Context, of memberOf, err error) error {
	if _, rerr := db.readRole(ctx, of); rerr != nil {
		return rerr
	}
	return err
}

// Members lists a campaign's members in order of joining.
func (db *DB) Members(ctx context.Context, campaignID string) ([]*gmc.Member, error) {
	if !isUUID(campaignID) {
		return nil, nil
	}
	rows, err := db.q.Query(ctx, memberSelect+` WHERE m.campaign_id = $1 ORDER BY m.joined_at, m.user_id`, campaignID)
	if err != nil {
		return nil, interpretError(err)
	}
	return collect(rows, scanMember)
}

// SetMemberRole changes a member's role, keeping at least one GM.
func (db *DB) SetMemberRole(ctx context.Context, m *gmc.Member, ev *gmc.Event) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockCampaign(ctx, tx, m.CampaignID); err != nil {
			return err
		}
		if m.Role != gmc.RoleGM {
			if err := ensureOtherGM(ctx, tx, m.CampaignID, m.UserID); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, `UPDATE members SET role = $1 WHERE campaign_id = $2 AND user_id = $3`, string(m.Role), m.CampaignID, m.UserID)
		if err != nil {
			return interpretError(err)
		}
		if err := mustAffect(tag); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// RemoveMember removes a member, keeping at least one GM.
func (db *DB) RemoveMember(ctx context.Context, campaignID, userID string, ev *gmc.Event) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockCampaign(ctx, tx, campaignID); err != nil {
			return err
		}
		if err := ensureOtherGM(ctx, tx, campaignID, userID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM members WHERE campaign_id = $1 AND user_id = $2`, campaignID, userID)
		if err != nil {
			return interpretError(err)
		}
		if err := mustAffect(tag); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// SetVoiceConsent records a member's answer to the consent question.
func (db *DB) SetVoiceConsent(ctx context.Context, m *gmc.Member, ev *gmc.Event) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockCampaign(ctx, tx, m.CampaignID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE members SET voice_consent = $1, voice_consent_at = $2 WHERE campaign_id = $3 AND user_id = $4`,
			m.VoiceConsent, m.VoiceConsentAt, m.CampaignID, m.UserID)
		if err != nil {
			return interpretError(err)
		}
		if err := mustAffect(tag); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// ensureOtherGM fails when userID is a GM of the campaign and no other
// member is. It locks the campaign's GM rows (in user order, so two callers
// never wait on each other crosswise): of two concurrent demotions of the
// campaign's last two GMs, the second waits here, then no longer sees the
// first as a GM and is refused.
func ensureOtherGM(ctx context.Context, tx pgx.Tx, campaignID, userID string) error {
	rows, err := tx.Query(ctx, `SELECT user_id FROM members WHERE campaign_id = $1 AND role = 'gm' ORDER BY user_id FOR UPDATE`, campaignID)
	if err != nil {
		return interpretError(err)
	}
	gms, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return interpretError(err)
	}
	isGM, others := false, 0
	for _, id := range gms {
		if id == userID {
			isGM = true
		} else {
			others++
		}
	}
	if isGM && others == 0 {
		return gmc.Errorf(gmc.ErrConflict, "last_gm", "a campaign must keep at least one GM")
	}
	return nil
}

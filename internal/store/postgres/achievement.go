package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
)

const achievementColumns = `id, campaign_id, character_id, title, description, session_id, awarded_at, awarded_by, created_at`

func scanAchievement(row pgx.Row) (*gmc.Achievement, error) {
	var a gmc.Achievement
	if err := row.Scan(&a.ID, &a.CampaignID, &a.CharacterID, &a.Title, &a.Description, &a.SessionID, &a.AwardedAt, &a.AwardedBy, &a.CreatedAt); err != nil {
		return nil, interpretError(err)
	}
	a.AwardedAt, a.CreatedAt = a.AwardedAt.UTC(), a.CreatedAt.UTC()
	return &a, nil
}

// CreateAchievement inserts a.
func (db *DB) CreateAchievement(ctx context.Context, a *gmc.Achievement, ev *gmc.Event) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO achievements (`+achievementColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			a.ID, a.CampaignID, a.CharacterID, a.Title, a.Description, a.SessionID, a.AwardedAt, a.AwardedBy, a.CreatedAt)
		if err != nil {
			return interpretError(err)
		}
		return insertEvent(ctx, tx, ev)
	})
}

// Achievements lists a character's achievements in award order.
func (db *DB) Achievements(ctx context.Context, characterID string, page gmc.Page) ([]*gmc.Achievement, string, error) {
	page = page.Normalize()
	if err := checkCursor(page.Cursor); err != nil {
		return nil, "", err
	}
	if !isUUID(characterID) {
		return nil, "", nil
	}
	q := `SELECT ` + achievementColumns + ` FROM achievements WHERE character_id = @character`
	args := pgx.NamedArgs{"character": characterID, "limit": page.Limit + 1}
	if page.Cursor != "" {
		q += ` AND id > @cursor`
		args["cursor"] = page.Cursor
	}
	rows, err := db.q.Query(ctx, q+` ORDER BY id LIMIT @limit`, args)
	if err != nil {
		return nil, "", interpretError(err)
	}
	out, err := collect(rows, scanAchievement)
	if err != nil {
		return nil, "", err
	}
	out, next := gmc.NextCursor(out, page.Limit, func(a *gmc.Achievement) string { return a.ID })
	return out, next, nil
}

// MemberAchievements lists a character's achievements with userID's role;
// the character and the membership are read by the list's statement.
func (db *DB) MemberAchievements(ctx context.Context, userID, characterID string, page gmc.Page) ([]*gmc.Achievement, string, gmc.Role, error) {
	page = page.Normalize()
	if !isUUID(characterID) || !isUUID(userID) {
		return nil, "", "", gmc.ErrNotFound
	}
	of := characterViewer(characterID, userID)
	if err := checkCursor(page.Cursor); err != nil {
		return nil, "", "", db.memberFails(ctx, of, err)
	}
	m, err := db.memberScope(ctx, of, false)
	if err != nil {
		return nil, "", "", err
	}
	q := `SELECT ` + achievementColumns + `, (SELECT role FROM me) FROM achievements WHERE EXISTS (SELECT 1 FROM me) AND character_id = @character`
	m.of.args["limit"] = page.Limit + 1
	if page.Cursor != "" {
		q += ` AND id > @cursor`
		m.of.args["cursor"] = page.Cursor
	}
	out, role, err := memberList(ctx, db, m, q+` ORDER BY id LIMIT @limit`, scanAchievement)
	if err != nil {
		return nil, "", "", err
	}
	out, next := gmc.NextCursor(out, page.Limit, func(a *gmc.Achievement) string { return a.ID })
	return out, next, role, nil
}

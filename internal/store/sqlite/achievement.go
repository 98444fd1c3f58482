package sqlite

import (
	"context"
	"database/sql"

	"github.com/gmc-project/gmc/internal/gmc"
)

const achievementColumns = `id, campaign_id, character_id, title, description, session_id, awarded_at, awarded_by, created_at`

func scanAchievement(row interface{ Scan(...any) error }) (*gmc.Achievement, error) {
	var a gmc.Achievement
	var session sql.NullString
	var awarded, created int64
	if err := row.Scan(&a.ID, &a.CampaignID, &a.CharacterID, &a.Title, &a.Description, &session, &awarded, &a.AwardedBy, &created); err != nil {
		return nil, interpretError(err)
	}
	a.SessionID, a.AwardedAt, a.CreatedAt = strPtr(session), fromMicros(awarded), fromMicros(created)
	return &a, nil
}

// CreateAchievement inserts a.
func (db *DB) CreateAchievement(ctx context.Context, a *gmc.Achievement, ev *gmc.Event) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO achievements (`+achievementColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, a.CampaignID, a.CharacterID, a.Title, a.Description, strArg(a.SessionID), micros(a.AwardedAt), a.AwardedBy, micros(a.CreatedAt))
		if err != nil {
			return interpretError(err)
		}
		return insertEvent(ctx, tx, ev)
	})
}

// Achievements lists a character's achievements in award order.
func (db *DB) Achievements(ctx context.Context, characterID string, page gmc.Page) ([]*gmc.Achievement, string, error) {
	page = page.Normalize()
	rows, err := db.read.QueryContext(ctx, `SELECT `+achievementColumns+` FROM achievements WHERE character_id = ? AND id > ? ORDER BY id LIMIT ?`,
		characterID, page.Cursor, page.Limit+1)
	if err != nil {
		return nil, "", interpretError(err)
	}
	out, err := collectRows(rows, scanAchievement)
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
	out, role, err := memberList(ctx, db, characterViewer(characterID, userID), `SELECT `+achievementColumns+`, (SELECT role FROM me)
		FROM achievements WHERE EXISTS (SELECT 1 FROM me) AND character_id = ? AND id > ? ORDER BY id LIMIT ?`,
		[]any{characterID, page.Cursor, page.Limit + 1}, scanAchievement)
	if err != nil {
		return nil, "", "", err
	}
	out, next := gmc.NextCursor(out, page.Limit, func(a *gmc.Achievement) string { return a.ID })
	return out, next, role, nil
}

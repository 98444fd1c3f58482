package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

const keywordColumns = `id, campaign_id, term, aliases, category, visibility, common, notes, version, created_at, updated_at`

func scanKeyword(row interface{ Scan(...any) error }) (*gmc.Keyword, error) {
	var k gmc.Keyword
	var aliases string
	var created, updated int64
	if err := row.Scan(&k.ID, &k.CampaignID, &k.Term, &aliases, &k.Category, &k.Visibility, &k.Common, &k.Notes,
		&k.Version, &created, &updated); err != nil {
		return nil, interpretError(err)
	}
	if err := json.Unmarshal([]byte(aliases), &k.Aliases); err != nil {
		return nil, err
	}
	k.CreatedAt, k.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &k, nil
}

// keywordError names a duplicate term; other errors pass.
func keywordError(err error) error {
	if errors.Is(err, gmc.ErrConflict) {
		return store.ErrKeywordExists
	}
	return err
}

// CreateKeyword inserts k.
func (db *DB) CreateKeyword(ctx context.Context, k *gmc.Keyword, ev *gmc.Event) error {
	aliases, err := json.Marshal(nonNil(k.Aliases))
	if err != nil {
		return err
	}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO keywords (`+keywordColumns+`, term_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
			k.ID, k.CampaignID, k.Term, string(aliases), k.Category, k.Visibility, k.Common, k.Notes,
			micros(k.CreatedAt), micros(k.UpdatedAt), k.TermKey())
		if err != nil {
			return keywordError(interpretError(err))
		}
		return insertEvent(ctx, tx, ev)
	})
	if err == nil {
		k.Version = 1
	}
	return err
}

// Keyword returns the keyword with id.
func (db *DB) Keyword(ctx context.Context, id string) (*gmc.Keyword, error) {
	return scanKeyword(db.read.QueryRowContext(ctx, `SELECT `+keywordColumns+` FROM keywords WHERE id = ?`, id))
}

// Keywords lists a campaign's keywords in id order.
func (db *DB) Keywords(ctx context.Context, f store.KeywordFilter) ([]*gmc.Keyword, string, error) {
	f.Page = f.Page.Normalize()
	q := `SELECT ` + keywordColumns + ` FROM keywords WHERE campaign_id = ? AND id > ?`
	args := []any{f.CampaignID, f.Page.Cursor}
	if f.Category != "" {
		q += ` AND category = ?`
		args = append(args, f.Category)
	}
	if f.HideGMOnly {
		q += ` AND visibility = 'players'`
	}
	rows, err := db.read.QueryContext(ctx, q+` ORDER BY id LIMIT ?`, append(args, f.Page.Limit+1)...)
	if err != nil {
		return nil, "", interpretError(err)
	}
	out, err := collectRows(rows, scanKeyword)
	if err != nil {
		return nil, "", err
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(k *gmc.Keyword) string { return k.ID })
	return out, next, nil
}

// MemberKeywords lists the keywords userID may see with userID's role,
// read by the list's statement.
func (db *DB) MemberKeywords(ctx context.Context, userID string, f store.KeywordFilter) ([]*gmc.Keyword, string, gmc.Role, error) {
	f.Page = f.Page.Normalize()
	q := `SELECT ` + keywordColumns + `, (SELECT role FROM me) FROM keywords
		WHERE EXISTS (SELECT 1 FROM me) AND campaign_id = ? AND id > ? AND (visibility = 'players' OR (SELECT role FROM me) = 'gm')`
	args := []any{f.CampaignID, f.Page.Cursor}
	if f.Category != "" {
		q += ` AND category = ?`
		args = append(args, f.Category)
	}
	out, role, err := memberList(ctx, db, campaignMember(f.CampaignID, userID), q+` ORDER BY id LIMIT ?`, append(args, f.Page.Limit+1), scanKeyword)
	if err != nil {
		return nil, "", "", err
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(k *gmc.Keyword) string { return k.ID })
	return out, next, role, nil
}

// UpdateKeyword writes k when its version is current.
func (db *DB) UpdateKeyword(ctx context.Context, k *gmc.Keyword, ev *gmc.Event) error {
	aliases, err := json.Marshal(nonNil(k.Aliases))
	if err != nil {
		return err
	}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE keywords SET term = ?, term_key = ?, aliases = ?, category = ?, visibility = ?, common = ?, notes = ?,
			version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			k.Term, k.TermKey(), string(aliases), k.Category, k.Visibility, k.Common, k.Notes, micros(k.UpdatedAt), k.ID, k.Version)
		if err != nil {
			return keywordError(interpretError(err))
		}
		if err := checkVersioned(ctx, tx, res, "keywords", k.ID); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	if err == nil {
		k.Version++ // only once the new version is committed
	}
	return err
}

// DeleteKeyword removes the keyword when its version is current.
func (db *DB) DeleteKeyword(ctx context.Context, k *gmc.Keyword, ev *gmc.Event) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM keywords WHERE id = ? AND version = ?`, k.ID, k.Version)
		if err != nil {
			return interpretError(err)
		}
		if err := checkVersioned(ctx, tx, res, "keywords", k.ID); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

const keywordColumns = `id, campaign_id, term, aliases, category, visibility, common, notes, version, created_at, updated_at`

func scanKeyword(row pgx.Row) (*gmc.Keyword, error) {
	var k gmc.Keyword
	if err := row.Scan(&k.ID, &k.CampaignID, &k.Term, &k.Aliases, &k.Category, &k.Visibility, &k.Common, &k.Notes,
		&k.Version, &k.CreatedAt, &k.UpdatedAt); err != nil {
		return nil, interpretError(err)
	}
	k.CreatedAt, k.UpdatedAt = k.CreatedAt.UTC(), k.UpdatedAt.UTC()
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
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockCampaign(ctx, tx, k.CampaignID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO keywords (`+keywordColumns+`, term_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $11)`,
			k.ID, k.CampaignID, k.Term, nonNil(k.Aliases), k.Category, string(k.Visibility), k.Common, k.Notes,
			k.CreatedAt, k.UpdatedAt, k.TermKey())
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
	return scanKeyword(db.q.QueryRow(ctx, `SELECT `+keywordColumns+` FROM keywords WHERE id = $1`, id))
}

// Keywords lists a campaign's keywords in id order.
func (db *DB) Keywords(ctx context.Context, f store.KeywordFilter) ([]*gmc.Keyword, string, error) {
	f.Page = f.Page.Normalize()
	if err := checkCursor(f.Page.Cursor); err != nil {
		return nil, "", err
	}
	if !isUUID(f.CampaignID) {
		return nil, "", nil
	}
	q := `SELECT ` + keywordColumns + ` FROM keywords WHERE campaign_id = @campaign`
	args := pgx.NamedArgs{"campaign": f.CampaignID, "limit": f.Page.Limit + 1}
	if f.Page.Cursor != "" {
		q, args["cursor"] = q+` AND id > @cursor`, f.Page.Cursor
	}
	if f.Category != "" {
		q, args["category"] = q+` AND category = @category`, f.Category
	}
	if f.HideGMOnly {
		q += ` AND visibility = 'players'`
	}
	rows, err := db.q.Query(ctx, q+` ORDER BY id LIMIT @limit`, args)
	if err != nil {
		return nil, "", interpretError(err)
	}
	out, err := collect(rows, scanKeyword)
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
	if !isUUID(f.CampaignID) || !isUUID(userID) {
		return nil, "", "", gmc.ErrNotFound
	}
	of := campaignMember(f.CampaignID, userID)
	if err := checkCursor(f.Page.Cursor); err != nil {
		return nil, "", "", db.memberFails(ctx, of, err)
	}
	m, err := db.memberScope(ctx, of, false)
	if err != nil {
		return nil, "", "", err
	}
	q := `SELECT ` + keywordColumns + `, (SELECT role FROM me) FROM keywords
		WHERE EXISTS (SELECT 1 FROM me) AND campaign_id = @campaign AND (visibility = 'players' OR (SELECT role FROM me) = 'gm')`
	m.of.args["limit"] = f.Page.Limit + 1
	if f.Page.Cursor != "" {
		q, m.of.args["cursor"] = q+` AND id > @cursor`, f.Page.Cursor
	}
	if f.Category != "" {
		q, m.of.args["category"] = q+` AND category = @category`, f.Category
	}
	out, role, err := memberList(ctx, db, m, q+` ORDER BY id LIMIT @limit`, scanKeyword)
	if err != nil {
		return nil, "", "", err
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(k *gmc.Keyword) string { return k.ID })
	return out, next, role, nil
}

// UpdateKeyword writes k when its version is current.
func (db *DB) UpdateKeyword(ctx context.Context, k *gmc.Keyword, ev *gmc.Event) error {
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockCampaign(ctx, tx, k.CampaignID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE keywords SET term = $1, term_key = $2, aliases = $3, category = $4, visibility = $5, common = $6, notes = $7,
			version = version + 1, updated_at = $8 WHERE id = $9 AND version = $10`,
			k.Term, k.TermKey(), nonNil(k.Aliases), k.Category, string(k.Visibility), k.Common, k.Notes, k.UpdatedAt, k.ID, k.Version)
		if err != nil {
			return keywordError(interpretError(err))
		}
		if err := checkVersioned(ctx, tx, tag, "keywords", k.ID); err != nil {
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
	return db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockCampaign(ctx, tx, k.CampaignID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM keywords WHERE id = $1 AND version = $2`, k.ID, k.Version)
		if err != nil {
			return interpretError(err)
		}
		if err := checkVersioned(ctx, tx, tag, "keywords", k.ID); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

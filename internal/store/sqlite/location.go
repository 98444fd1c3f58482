package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// Locations form a tree per campaign, kept as a materialised path (see
// migration 00004): ancestors are the ids of a location's path and a
// subtree is a path range, both served by indexes. SQLite's single writer
// makes every read-check-write below atomic without further locking.

const locationColumns = `id, campaign_id, parent_id, path, depth, name, location_type, description, metadata, coordinates, visibility, version, created_at, updated_at`

func scanLocation(row interface{ Scan(...any) error }) (*gmc.Location, error) {
	var l gmc.Location
	var parent sql.NullString
	var metadata, coordinates, visibility string
	var created, updated int64
	if err := row.Scan(&l.ID, &l.CampaignID, &parent, &l.Path, &l.Depth, &l.Name, &l.LocationType, &l.Description,
		&metadata, &coordinates, &visibility, &l.Version, &created, &updated); err != nil {
		return nil, interpretError(err)
	}
	if parent.Valid {
		l.ParentID = &parent.String
	}
	l.Metadata, l.Coordinates = []byte(metadata), []byte(coordinates)
	l.Visibility = gmc.Visibility(visibility)
	l.CreatedAt, l.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &l, nil
}

func findLocation(ctx context.Context, q querier, id string) (*gmc.Location, error) {
	return scanLocation(q.QueryRowContext(ctx, `SELECT `+locationColumns+` FROM locations WHERE id = ?`, id))
}

// findParent returns the location id of campaignID that is to become a
// parent, or ErrParentNotFound.
func findParent(ctx context.Context, q querier, campaignID, id string) (*gmc.Location, error) {
	p, err := findLocation(ctx, q, id)
	if err == gmc.ErrNotFound || (err == nil && p.CampaignID != campaignID) {
		return nil, store.ErrParentNotFound
	}
	return p, err
}

func queryLocations(ctx context.Context, q querier, query string, args ...any) ([]*gmc.Location, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	var out []*gmc.Location
	for rows.Next() {
		l, err := scanLocation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, interpretError(rows.Err())
}

// CreateLocation inserts l below its parent.
func (db *DB) CreateLocation(ctx context.Context, l *gmc.Location, ev *gmc.Event) error {
	row := *l
	err := db.tx(ctx, func(tx *sql.Tx) error {
		parentPath := ""
		row.Depth = 1
		if l.ParentID != nil {
			p, err := findParent(ctx, tx, l.CampaignID, *l.ParentID)
			if err != nil {
				return err
			}
			parentPath, row.Depth = p.Path, p.Depth+1
		}
		if row.Depth > gmc.MaxLocationDepth {
			return store.ErrLocationTooDeep
		}
		row.Path, row.Version = gmc.LocationPath(parentPath, l.ID), 1
		if _, err := tx.ExecContext(ctx, `INSERT INTO locations (`+locationColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			row.ID, row.CampaignID, row.ParentID, row.Path, row.Depth, row.Name, row.LocationType, row.Description,
			string(row.Metadata), string(row.Coordinates), string(row.Visibility), row.Version, micros(row.CreatedAt), micros(row.UpdatedAt)); err != nil {
			return interpretError(err)
		}
		if err := indexLocations(ctx, tx, row.ID); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	if err == nil {
		*l = row
	}
	return err
}

// Location returns the location with id.
func (db *DB) Location(ctx context.Context, id string) (*gmc.Location, error) {
	return findLocation(ctx, db.read, id)
}

// LocationAncestors returns l's ancestors, root first.
func (db *DB) LocationAncestors(ctx context.Context, l *gmc.Location) ([]*gmc.Location, error) {
	ids := l.AncestorIDs()
	if len(ids) == 0 {
		return []*gmc.Location{}, nil
	}
	args := []any{l.CampaignID}
	for _, id := range ids {
		args = append(args, id)
	}
	return queryLocations(ctx, db.read, `SELECT `+locationColumns+` FROM locations
		WHERE campaign_id = ? AND id IN (`+inList(len(ids))+`) ORDER BY depth`, args...)
}

// LocationChildrenCount counts l's direct children.
func (db *DB) LocationChildrenCount(ctx context.Context, l *gmc.Location, forPlayers bool) (int, error) {
	q := `SELECT count(*) FROM locations WHERE parent_id = ?`
	if forPlayers {
		q += ` AND visibility = 'players'`
	}
	var n int
	err := db.read.QueryRowContext(ctx, q, l.ID).Scan(&n)
	return n, interpretError(err)
}

// hiddenAbove is true for a location l that is GM-only or lies below a
// GM-only location; it reads the campaign's few GM-only locations through
// the partial index locations_hidden.
const hiddenAbove = `EXISTS (SELECT 1 FROM locations h WHERE h.campaign_id = l.campaign_id AND h.visibility = 'gm'
	AND h.path <= l.path AND substr(l.path, 1, length(h.path)) = h.path)`

// Locations lists locations in tree order.
func (db *DB) Locations(ctx context.Context, f store.LocationFilter) ([]*gmc.Location, string, error) {
	f.Page = f.Page.Normalize()
	if f.Page.Cursor != "" && !gmc.ValidLocationPath(f.Page.Cursor) {
		return nil, "", store.ErrInvalidCursor
	}
	where, args := []string{"l.campaign_id = ?"}, []any{f.CampaignID}
	if f.ParentID != "" {
		p, err := findLocation(ctx, db.read, f.ParentID)
		if err != nil || p.CampaignID != f.CampaignID {
			return nil, "", store.ErrParentNotFound
		}
		if f.Subtree {
			lo, hi := gmc.SubtreeRange(p.Path)
			where, args = append(where, "l.path > ? AND l.path < ?"), append(args, lo, hi)
		} else {
			where, args = append(where, "l.parent_id = ?"), append(args, f.ParentID)
		}
	} else if !f.Subtree {
		where = append(where, "l.parent_id IS NULL")
	}
	if f.ForPlayers {
		where = append(where, "NOT "+hiddenAbove)
	}
	if f.Page.Cursor != "" {
		where, args = append(where, "l.path > ?"), append(args, f.Page.Cursor)
	}
	args = append(args, f.Page.Limit+1)
	out, err := queryLocations(ctx, db.read, `SELECT `+qualify("l.", locationColumns)+` FROM locations l
		WHERE `+strings.Join(where, " AND ")+` ORDER BY l.path LIMIT ?`, args...)
	if err != nil {
		return nil, "", err
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(l *gmc.Location) string { return l.Path })
	return out, next, nil
}

// MemberLocations lists the locations userID may see with userID's role;
// the membership and the parent are read by the list's statement.
func (db *DB) MemberLocations(ctx context.Context, userID string, f store.LocationFilter) ([]*gmc.Location, string, gmc.Role, error) {
	f.Page = f.Page.Normalize()
	of := campaignMember(f.CampaignID, userID)
	if f.Page.Cursor != "" && !gmc.ValidLocationPath(f.Page.Cursor) {
		if _, err := db.locationAccess(ctx, of, f.CampaignID, f.ParentID); err != nil {
			return nil, "", "", err
		}
		return nil, "", "", store.ErrInvalidCursor
	}
	where := []string{"EXISTS (SELECT 1 FROM me)", "l.campaign_id = ?", "((SELECT role FROM me) = 'gm' OR NOT " + hiddenAbove + ")"}
	args := []any{f.CampaignID}
	if f.ParentID != "" {
		if f.Subtree {
			// The parent's path bounds its subtree (gmc.SubtreeRange).
			parent := `(SELECT %s FROM locations WHERE id = ? AND campaign_id = ?)`
			where = append(where, "l.path > "+fmt.Sprintf(parent, "path"), "l.path < "+fmt.Sprintf(parent, "substr(path, 1, length(path) - 1) || '0'"))
			args = append(args, f.ParentID, f.CampaignID, f.ParentID, f.CampaignID)
		} else {
			where, args = append(where, "l.parent_id = ?"), append(args, f.ParentID)
		}
	} else if !f.Subtree {
		where = append(where, "l.parent_id IS NULL")
	}
	if f.Page.Cursor != "" {
		where, args = append(where, "l.path > ?"), append(args, f.Page.Cursor)
	}
	out, role, err := memberList(ctx, db, of, `SELECT `+qualify("l.", locationColumns)+`, (SELECT role FROM me) FROM locations l
		WHERE `+strings.Join(where, " AND ")+` ORDER BY l.path LIMIT ?`, append(args, f.Page.Limit+1), scanLocation)
	if err == nil && len(out) == 0 && f.ParentID != "" {
		// No row showed that the parent is there for userID.
		role, err = db.locationAccess(ctx, of, f.CampaignID, f.ParentID)
	}
	if err != nil {
		return nil, "", "", err
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(l *gmc.Location) string { return l.Path })
	return out, next, role, nil
}

// locationAccess is the caller's role when the caller is a member who may
// see parentID (when set), a location of campaignID; else ErrNotFound
// (not a member) or ErrParentNotFound.
func (db *DB) locationAccess(ctx context.Context, of memberOf, campaignID, parentID string) (gmc.Role, error) {
	role, err := db.readRole(ctx, of)
	if err != nil || parentID == "" {
		return role, err
	}
	var visible bool
	err = db.read.QueryRowContext(ctx, `SELECT NOT `+hiddenAbove+` FROM locations l WHERE l.id = ? AND l.campaign_id = ?`,
		parentID, campaignID).Scan(&visible)
	if errors.Is(interpretError(err), gmc.ErrNotFound) || (err == nil && !visible && role != gmc.RoleGM) {
		return "", store.ErrParentNotFound
	}
	return role, interpretError(err)
}

// UpdateLocation writes l's editable fields when its version is current.
func (db *DB) UpdateLocation(ctx context.Context, l *gmc.Location, ev *gmc.Event) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE locations SET name = ?, location_type = ?, description = ?, metadata = ?, coordinates = ?,
			visibility = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			l.Name, l.LocationType, l.Description, string(l.Metadata), string(l.Coordinates), string(l.Visibility), micros(l.UpdatedAt), l.ID, l.Version)
		if err != nil {
			return interpretError(err)
		}
		if err := checkVersioned(ctx, tx, res, "locations", l.ID); err != nil {
			return err
		}
		if err := indexLocations(ctx, tx, l.ID); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	if err == nil {
		l.Version++
	}
	return err
}

// MoveLocation re-parents l with its subtree: one UPDATE rewrites the
// paths and depths of the whole subtree, a second the parent and version
// of l itself.
func (db *DB) MoveLocation(ctx context.Context, l *gmc.Location, ev *gmc.Event) error {
	var path string
	var depth int
	err := db.tx(ctx, func(tx *sql.Tx) error {
		cur, err := findLocation(ctx, tx, l.ID)
		if err != nil {
			return err
		}
		if cur.Version != l.Version {
			return gmc.StaleVersion(cur.Version)
		}
		parentPath := ""
		depth = 1
		if l.ParentID != nil {
			p, err := findParent(ctx, tx, cur.CampaignID, *l.ParentID)
			if err != nil {
				return err
			}
			if strings.HasPrefix(p.Path, cur.Path) {
				return store.ErrLocationCycle
			}
			parentPath, depth = p.Path, p.Depth+1
		}
		path = gmc.LocationPath(parentPath, cur.ID)
		lo, hi := gmc.SubtreeRange(cur.Path)
		var deepest int
		if err := tx.QueryRowContext(ctx, `SELECT max(depth) FROM locations WHERE campaign_id = ? AND path >= ? AND path < ?`,
			cur.CampaignID, lo, hi).Scan(&deepest); err != nil {
			return interpretError(err)
		}
		if deepest-cur.Depth+depth > gmc.MaxLocationDepth {
			return store.ErrLocationTooDeep
		}
		if _, err := tx.ExecContext(ctx, `UPDATE locations SET path = ? || substr(path, ?), depth = depth + ?
			WHERE campaign_id = ? AND path >= ? AND path < ?`, path, len(cur.Path)+1, depth-cur.Depth, cur.CampaignID, lo, hi); err != nil {
			return interpretError(err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE locations SET parent_id = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			l.ParentID, micros(l.UpdatedAt), l.ID, l.Version)
		if err != nil {
			return interpretError(err)
		}
		if err := checkVersioned(ctx, tx, res, "locations", l.ID); err != nil {
			return err
		}
		if err := indexLocations(ctx, tx, l.ID); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	if err == nil {
		l.Path, l.Depth = path, depth
		l.Version++
	}
	return err
}

// DeleteLocation removes l, and its subtree when cascade is set.
func (db *DB) DeleteLocation(ctx context.Context, l *gmc.Location, cascade bool, ev *gmc.Event) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		cur, err := findLocation(ctx, tx, l.ID)
		if err != nil {
			return err
		}
		if cur.Version != l.Version {
			return gmc.StaleVersion(cur.Version)
		}
		lo, hi := gmc.SubtreeRange(cur.Path)
		ids, err := selectIDs(ctx, tx, `SELECT id FROM locations WHERE campaign_id = ? AND path > ? AND path < ? ORDER BY path`, cur.CampaignID, lo, hi)
		if err != nil {
			return err
		}
		if len(ids) > 0 {
			if !cascade {
				return store.ErrHasChildren
			}
			if ev.Before, err = store.WithAuditField(ev.Before, "deleted_descendant_ids", ids); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM locations WHERE campaign_id = ? AND path >= ? AND path < ?`, cur.CampaignID, lo, hi); err != nil {
			return interpretError(err)
		}
		return insertEvent(ctx, tx, ev)
	})
}

// selectIDs returns the single text column (an id) of every row.
func selectIDs(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, interpretError(err)
		}
		out = append(out, s)
	}
	return out, interpretError(rows.Err())
}

// inList returns "?, ?, …" with n marks.
func inList(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// qualify qualifies every column of a comma-separated list with p.
func qualify(p, columns string) string {
	cols := strings.Split(columns, ", ")
	for i, c := range cols {
		cols[i] = p + c
	}
	return strings.Join(cols, ", ")
}

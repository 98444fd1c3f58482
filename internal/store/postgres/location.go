package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// Locations form a tree per campaign, kept as a materialised path (see
// migration 00004): ancestors are the ids of a location's path and a
// subtree is a path range, both served by indexes.
//
// Writers run concurrently here, so the writes that change the shape of a
// tree (create, move, delete) take a per-campaign advisory lock: without it
// two moves could each pass the cycle check and together make a loop, or a
// child could be created below a subtree while a move rewrites its paths.
// Every write takes the campaign row's key-share lock first (lockCampaign),
// the order DeleteCampaign follows, so none deadlocks with it.

const locationColumns = `id, campaign_id, parent_id, path, depth, name, location_type, description, metadata, coordinates, visibility, version, created_at, updated_at`

func scanLocation(row pgx.Row) (*gmc.Location, error) {
	var l gmc.Location
	var metadata, coordinates []byte
	if err := row.Scan(&l.ID, &l.CampaignID, &l.ParentID, &l.Path, &l.Depth, &l.Name, &l.LocationType, &l.Description,
		&metadata, &coordinates, &l.Visibility, &l.Version, &l.CreatedAt, &l.UpdatedAt); err != nil {
		return nil, interpretError(err)
	}
	l.Metadata, l.Coordinates = metadata, coordinates
	l.CreatedAt, l.UpdatedAt = l.CreatedAt.UTC(), l.UpdatedAt.UTC()
	return &l, nil
}

func findLocation(ctx context.Context, q querier, id string) (*gmc.Location, error) {
	return scanLocation(q.QueryRow(ctx, `SELECT `+locationColumns+` FROM locations WHERE id = $1`, id))
}

// findParent returns the location id of campaignID that is to become a
// parent, or ErrParentNotFound.
func findParent(ctx context.Context, q querier, campaignID, id string) (*gmc.Location, error) {
	p, err := findLocation(ctx, q, id)
	if errors.Is(err, gmc.ErrNotFound) || (err == nil && p.CampaignID != campaignID) {
		return nil, store.ErrParentNotFound
	}
	return p, err
}

// lockLocationTree serialises the structural writes of one campaign's tree.
func lockLocationTree(ctx context.Context, tx pgx.Tx, campaignID string) error {
	if err := lockCampaign(ctx, tx, campaignID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('gmc.locations:' || $1::text, 0))`, campaignID)
	return interpretError(err)
}

// CreateLocation inserts l below its parent.
func (db *DB) CreateLocation(ctx context.Context, l *gmc.Location, ev *gmc.Event) error {
	row := *l
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockLocationTree(ctx, tx, l.CampaignID); err != nil {
			return err
		}
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
		if _, err := tx.Exec(ctx, `INSERT INTO locations (`+locationColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			row.ID, row.CampaignID, row.ParentID, row.Path, row.Depth, row.Name, row.LocationType, row.Description,
			string(row.Metadata), string(row.Coordinates), string(row.Visibility), row.Version, row.CreatedAt, row.UpdatedAt); err != nil {
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
	return findLocation(ctx, db.q, id)
}

// LocationAncestors returns l's ancestors, root first.
func (db *DB) LocationAncestors(ctx context.Context, l *gmc.Location) ([]*gmc.Location, error) {
	ids := l.AncestorIDs()
	if len(ids) == 0 {
		return []*gmc.Location{}, nil
	}
	rows, err := db.q.Query(ctx, `SELECT `+locationColumns+` FROM locations WHERE campaign_id = $1 AND id = ANY($2::uuid[]) ORDER BY depth`, l.CampaignID, ids)
	if err != nil {
		return nil, interpretError(err)
	}
	return collect(rows, scanLocation)
}

// LocationChildrenCount counts l's direct children.
func (db *DB) LocationChildrenCount(ctx context.Context, l *gmc.Location, forPlayers bool) (int, error) {
	q := `SELECT count(*) FROM locations WHERE parent_id = $1`
	if forPlayers {
		q += ` AND visibility = 'players'`
	}
	var n int
	err := db.q.QueryRow(ctx, q, l.ID).Scan(&n)
	return n, interpretError(err)
}

// hiddenAbove is true for a location l that is GM-only or lies below a
// GM-only location; it reads the campaign's few GM-only locations through
// the partial index locations_hidden.
const hiddenAbove = `EXISTS (SELECT 1 FROM locations h WHERE h.campaign_id = l.campaign_id AND h.visibility = 'gm'
	AND h.path <= l.path AND starts_with(l.path, h.path))`

// Locations lists locations in tree order.
func (db *DB) Locations(ctx context.Context, f store.LocationFilter) ([]*gmc.Location, string, error) {
	f.Page = f.Page.Normalize()
	if f.Page.Cursor != "" && !gmc.ValidLocationPath(f.Page.Cursor) {
		return nil, "", store.ErrInvalidCursor
	}
	where := []string{"l.campaign_id = @campaign"}
	args := pgx.NamedArgs{"campaign": f.CampaignID, "limit": f.Page.Limit + 1, "cursor": f.Page.Cursor}
	if !isUUID(f.CampaignID) {
		return nil, "", nil
	}
	if f.ParentID != "" {
		p, err := findLocation(ctx, db.q, f.ParentID)
		if err != nil || p.CampaignID != f.CampaignID {
			return nil, "", store.ErrParentNotFound
		}
		if f.Subtree {
			args["lo"], args["hi"] = gmc.SubtreeRange(p.Path)
			where = append(where, "l.path > @lo AND l.path < @hi")
		} else {
			where, args["parent"] = append(where, "l.parent_id = @parent"), f.ParentID
		}
	} else if !f.Subtree {
		where = append(where, "l.parent_id IS NULL")
	}
	if f.ForPlayers {
		where = append(where, "NOT "+hiddenAbove)
	}
	if f.Page.Cursor != "" {
		where = append(where, "l.path > @cursor")
	}
	rows, err := db.reader(ctx).Query(ctx, `SELECT `+qualify("l.", locationColumns)+` FROM locations l
		WHERE `+strings.Join(where, " AND ")+` ORDER BY l.path LIMIT @limit`, args)
	if err != nil {
		return nil, "", interpretError(err)
	}
	out, err := collect(rows, scanLocation)
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
	if !isUUID(f.CampaignID) || !isUUID(userID) {
		return nil, "", "", gmc.ErrNotFound
	}
	of := campaignMember(f.CampaignID, userID)
	if (f.Page.Cursor != "" && !gmc.ValidLocationPath(f.Page.Cursor)) || (f.ParentID != "" && !isUUID(f.ParentID)) {
		if _, err := db.locationAccess(ctx, of, f.ParentID); err != nil {
			return nil, "", "", err
		}
		return nil, "", "", store.ErrInvalidCursor
	}
	m, err := db.memberScope(ctx, of, true)
	if err != nil {
		return nil, "", "", err
	}
	where := []string{"EXISTS (SELECT 1 FROM me)", "l.campaign_id = @campaign", "((SELECT role FROM me) = 'gm' OR NOT " + hiddenAbove + ")"}
	m.of.args["limit"] = f.Page.Limit + 1
	if f.ParentID != "" {
		m.of.args["parent"] = f.ParentID
		if f.Subtree {
			// The parent's path bounds its subtree (gmc.SubtreeRange).
			parent := `(SELECT %s FROM locations WHERE id = @parent AND campaign_id = @campaign)`
			where = append(where, "l.path > "+fmt.Sprintf(parent, "path"), "l.path < "+fmt.Sprintf(parent, "left(path, -1) || '0'"))
		} else {
			where = append(where, "l.parent_id = @parent")
		}
	} else if !f.Subtree {
		where = append(where, "l.parent_id IS NULL")
	}
	if f.Page.Cursor != "" {
		where, m.of.args["cursor"] = append(where, "l.path > @cursor"), f.Page.Cursor
	}
	out, role, err := memberList(ctx, db, m, `SELECT `+qualify("l.", locationColumns)+`, (SELECT role FROM me) FROM locations l
		WHERE `+strings.Join(where, " AND ")+` ORDER BY l.path LIMIT @limit`, scanLocation)
	if err == nil && len(out) == 0 && f.ParentID != "" {
		// No row showed that the parent is there for userID.
		role, err = db.locationAccess(ctx, of, f.ParentID)
	}
	if err != nil {
		return nil, "", "", err
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(l *gmc.Location) string { return l.Path })
	return out, next, role, nil
}

// locationAccess is the caller's role, read on the primary, when the
// caller is a member who may see parentID (when set), a location of the
// campaign; else ErrNotFound (not a member) or ErrParentNotFound.
func (db *DB) locationAccess(ctx context.Context, of memberOf, parentID string) (gmc.Role, error) {
	role, err := db.readRole(ctx, of)
	if err != nil || parentID == "" {
		return role, err
	}
	if !isUUID(parentID) {
		return "", store.ErrParentNotFound
	}
	var visible bool
	err = db.q.QueryRow(ctx, `SELECT NOT `+hiddenAbove+` FROM locations l WHERE l.id = @parent AND l.campaign_id = @campaign`,
		pgx.NamedArgs{"parent": parentID, "campaign": of.args["campaign"]}).Scan(&visible)
	if errors.Is(interpretError(err), gmc.ErrNotFound) || (err == nil && !visible && role != gmc.RoleGM) {
		return "", store.ErrParentNotFound
	}
	return role, interpretError(err)
}

// UpdateLocation writes l's editable fields when its version is current.
func (db *DB) UpdateLocation(ctx context.Context, l *gmc.Location, ev *gmc.Event) error {
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockCampaign(ctx, tx, l.CampaignID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE locations SET name = $1, location_type = $2, description = $3, metadata = $4, coordinates = $5,
			visibility = $6, version = version + 1, updated_at = $7 WHERE id = $8 AND version = $9`,
			l.Name, l.LocationType, l.Description, string(l.Metadata), string(l.Coordinates), string(l.Visibility), l.UpdatedAt, l.ID, l.Version)
		if err != nil {
			return interpretError(err)
		}
		if err := checkVersioned(ctx, tx, tag, "locations", l.ID); err != nil {
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

// lockedLocation locks l's tree and returns the stored location when its
// version is still l.Version.
func lockedLocation(ctx context.Context, tx pgx.Tx, l *gmc.Location) (*gmc.Location, error) {
	if err := lockLocationTree(ctx, tx, l.CampaignID); err != nil {
		return nil, err
	}
	cur, err := findLocation(ctx, tx, l.ID)
	if err != nil {
		return nil, err
	}
	if cur.CampaignID != l.CampaignID {
		return nil, gmc.ErrNotFound
	}
	if cur.Version != l.Version {
		return nil, gmc.StaleVersion(cur.Version)
	}
	return cur, nil
}

// MoveLocation re-parents l with its subtree: one UPDATE rewrites the
// paths and depths of the whole subtree, a second the parent and version
// of l itself.
func (db *DB) MoveLocation(ctx context.Context, l *gmc.Location, ev *gmc.Event) error {
	var path string
	var depth int
	err := db.tx(ctx, func(tx pgx.Tx) error {
		cur, err := lockedLocation(ctx, tx, l)
		if err != nil {
			return err
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
		if err := tx.QueryRow(ctx, `SELECT max(depth) FROM locations WHERE campaign_id = $1 AND path >= $2 AND path < $3`,
			cur.CampaignID, lo, hi).Scan(&deepest); err != nil {
			return interpretError(err)
		}
		if deepest-cur.Depth+depth > gmc.MaxLocationDepth {
			return store.ErrLocationTooDeep
		}
		if _, err := tx.Exec(ctx, `UPDATE locations SET path = $1 || substr(path, $2), depth = depth + $3
			WHERE campaign_id = $4 AND path >= $5 AND path < $6`, path, len(cur.Path)+1, depth-cur.Depth, cur.CampaignID, lo, hi); err != nil {
			return interpretError(err)
		}
		tag, err := tx.Exec(ctx, `UPDATE locations SET parent_id = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4`,
			l.ParentID, l.UpdatedAt, l.ID, l.Version)
		if err != nil {
			return interpretError(err)
		}
		if err := checkVersioned(ctx, tx, tag, "locations", l.ID); err != nil {
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
	return db.tx(ctx, func(tx pgx.Tx) error {
		cur, err := lockedLocation(ctx, tx, l)
		if err != nil {
			return err
		}
		lo, hi := gmc.SubtreeRange(cur.Path)
		rows, err := tx.Query(ctx, `SELECT id::text FROM locations WHERE campaign_id = $1 AND path > $2 AND path < $3 ORDER BY path`, cur.CampaignID, lo, hi)
		if err != nil {
			return interpretError(err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return interpretError(err)
		}
		if len(ids) > 0 {
			if !cascade {
				return store.ErrHasChildren
			}
			if ev.Before, err = store.WithAuditField(ev.Before, "deleted_descendant_ids", ids); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM locations WHERE campaign_id = $1 AND path >= $2 AND path < $3`, cur.CampaignID, lo, hi); err != nil {
			return interpretError(err)
		}
		return insertEvent(ctx, tx, ev)
	})
}

// qualify qualifies every column of a comma-separated list with p.
func qualify(p, columns string) string {
	cols := strings.Split(columns, ", ")
	for i, c := range cols {
		cols[i] = p + c
	}
	return strings.Join(cols, ", ")
}

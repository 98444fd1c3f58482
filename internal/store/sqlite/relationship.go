package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

const relationshipColumns = `id, campaign_id, source_id, target_id, kind, attitude, description, visibility, pair_id, version, created_at, updated_at`

func scanRelationship(row interface{ Scan(...any) error }) (*gmc.Relationship, error) {
	var r gmc.Relationship
	var pair sql.NullString
	var created, updated int64
	if err := row.Scan(&r.ID, &r.CampaignID, &r.SourceID, &r.TargetID, &r.Kind, &r.Attitude, &r.Description, &r.Visibility,
		&pair, &r.Version, &created, &updated); err != nil {
		return nil, interpretError(err)
	}
	r.PairID, r.Mutual = strPtr(pair), pair.Valid
	r.CreatedAt, r.UpdatedAt = fromMicros(created), fromMicros(updated)
	r.History = []gmc.RelationshipChange{}
	return &r, nil
}

// CreateRelationship inserts r and, for a mutual one, creates or links its
// reverse edge.
func (db *DB) CreateRelationship(ctx context.Context, r *gmc.Relationship, change gmc.RelationshipChange, ev *gmc.Event) error {
	row := *r
	row.Version = 1
	err := db.tx(ctx, func(tx *sql.Tx) error {
		rev, err := pairFor(ctx, tx, &row)
		if err != nil {
			return err
		}
		if err := insertRelationship(ctx, tx, &row); err != nil {
			return err
		}
		if err := insertChange(ctx, tx, row.ID, change); err != nil {
			return err
		}
		if row.Mutual {
			if err := stepPartner(ctx, tx, &row, rev, change); err != nil {
				return err
			}
		}
		return insertEvent(ctx, tx, ev)
	})
	if err == nil {
		*r = row
		r.History = []gmc.RelationshipChange{change}
	}
	return err
}

// CreateRelationships inserts many relationships in one transaction.
func (db *DB) CreateRelationships(ctx context.Context, rs []*gmc.Relationship, ev *gmc.Event) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		for _, r := range rs {
			r.Version = 1
			if err := insertRelationship(ctx, tx, r); err != nil {
				return err
			}
			for _, ch := range r.History {
				if err := insertChange(ctx, tx, r.ID, ch); err != nil {
					return err
				}
			}
		}
		return insertEvent(ctx, tx, ev)
	})
}

func insertRelationship(ctx context.Context, tx *sql.Tx, r *gmc.Relationship) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO relationships (`+relationshipColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.CampaignID, r.SourceID, r.TargetID, r.Kind, r.Attitude, r.Description, r.Visibility, strArg(r.PairID),
		r.Version, micros(r.CreatedAt), micros(r.UpdatedAt))
	return relationshipError(err)
}

// relationshipError names the one unique key a relationship write can
// break (ids are fresh UUIDs): source, target and kind.
func relationshipError(err error) error {
	if err = interpretError(err); errors.Is(err, gmc.ErrConflict) {
		return gmc.Errorf(gmc.ErrConflict, "duplicate_relationship", "these characters already have a relationship of this kind in this direction")
	}
	return err
}

func insertChange(ctx context.Context, tx *sql.Tx, relationshipID string, ch gmc.RelationshipChange) error {
	var before any
	if ch.AttitudeBefore != nil {
		before = *ch.AttitudeBefore
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO relationship_history (relationship_id, at, session_id, attitude_before, attitude_after, note, actor_id)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, relationshipID, micros(ch.At), strArg(ch.SessionID), before, ch.AttitudeAfter, ch.Note, ch.ActorID)
	return interpretError(err)
}

// pairFor prepares r.PairID for a write: nil unless r is mutual, the id of
// the existing reverse edge (returned) when there is one, else the fresh id
// the caller supplied.
func pairFor(ctx context.Context, q querier, r *gmc.Relationship) (*gmc.Relationship, error) {
	if !r.Mutual {
		r.PairID = nil
		return nil, nil
	}
	rev, err := reverseEdge(ctx, q, r)
	if err != nil {
		return nil, err
	}
	if rev != nil {
		r.PairID = &rev.ID
	} else if r.PairID == nil {
		return nil, errors.New("sqlite: a new mutual relationship needs a PairID for its reverse edge")
	}
	return rev, nil
}

// reverseEdge returns the edge target→source of r's kind, or nil.
func reverseEdge(ctx context.Context, q querier, r *gmc.Relationship) (*gmc.Relationship, error) {
	rev, err := scanRelationship(q.QueryRowContext(ctx, `SELECT `+relationshipColumns+` FROM relationships
		WHERE source_id = ? AND target_id = ? AND kind = ?`, r.TargetID, r.SourceID, r.Kind))
	if errors.Is(err, gmc.ErrNotFound) {
		return nil, nil
	}
	return rev, err
}

// stepPartner makes the reverse edge of mutual r agree with it: it creates
// the edge with id *r.PairID when rev is nil, else links and updates rev.
// Either way the edge's history records change.
func stepPartner(ctx context.Context, tx *sql.Tx, r, rev *gmc.Relationship, change gmc.RelationshipChange) error {
	if rev == nil {
		created := *r
		created.ID, created.SourceID, created.TargetID, created.PairID = *r.PairID, r.TargetID, r.SourceID, &r.ID
		created.Version, created.CreatedAt = 1, r.UpdatedAt
		change.AttitudeBefore = nil
		if err := insertRelationship(ctx, tx, &created); err != nil {
			return err
		}
		return insertChange(ctx, tx, created.ID, change)
	}
	before := rev.Attitude
	change.AttitudeBefore = &before
	_, err := tx.ExecContext(ctx, `UPDATE relationships SET kind = ?, attitude = ?, description = ?, visibility = ?, pair_id = ?,
		version = version + 1, updated_at = ? WHERE id = ?`, r.Kind, r.Attitude, r.Description, r.Visibility, r.ID, micros(r.UpdatedAt), rev.ID)
	if err != nil {
		return relationshipError(err)
	}
	return insertChange(ctx, tx, rev.ID, change)
}

// Relationship returns the relationship with id and its history.
func (db *DB) Relationship(ctx context.Context, id string) (*gmc.Relationship, error) {
	r, err := scanRelationship(db.read.QueryRowContext(ctx, `SELECT `+relationshipColumns+` FROM relationships WHERE id = ?`, id))
	if err != nil {
		return nil, err
	}
	return r, loadHistory(ctx, db.read, []*gmc.Relationship{r})
}

// Relationships lists the relationships of a character in id order.
func (db *DB) Relationships(ctx context.Context, f store.RelationshipFilter) ([]*gmc.Relationship, string, error) {
	f.Page = f.Page.Normalize()
	q := `SELECT ` + relationshipColumns + ` FROM relationships r WHERE (source_id = ? OR target_id = ?) AND id > ?`
	if f.HideGMOnly {
		q += ` AND visibility = 'players' AND NOT ` + hiddenEnd
	}
	rows, err := db.read.QueryContext(ctx, q+` ORDER BY id LIMIT ?`, f.CharacterID, f.CharacterID, f.Page.Cursor, f.Page.Limit+1)
	if err != nil {
		return nil, "", interpretError(err)
	}
	out, err := collectRows(rows, scanRelationship)
	if err != nil {
		return nil, "", err
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(r *gmc.Relationship) string { return r.ID })
	return out, next, loadHistory(ctx, db.read, out)
}

// MemberRelationships lists the relationships of a character userID may
// see with userID's role; the character and the membership are read by
// the list's statement.
func (db *DB) MemberRelationships(ctx context.Context, userID string, f store.RelationshipFilter) ([]*gmc.Relationship, string, gmc.Role, error) {
	f.Page = f.Page.Normalize()
	out, role, err := memberList(ctx, db, characterViewer(f.CharacterID, userID), `SELECT `+relationshipColumns+`, (SELECT role FROM me) FROM relationships r
		WHERE EXISTS (SELECT 1 FROM me) AND (r.source_id = ? OR r.target_id = ?) AND r.id > ?
		AND ((SELECT role FROM me) = 'gm' OR (r.visibility = 'players' AND NOT `+hiddenEnd+`)) ORDER BY r.id LIMIT ?`,
		[]any{f.CharacterID, f.CharacterID, f.Page.Cursor, f.Page.Limit + 1}, scanRelationship)
	if err != nil {
		return nil, "", "", err
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(r *gmc.Relationship) string { return r.ID })
	return out, next, role, loadHistory(ctx, db.read, out)
}

// loadHistory fills in the history of rs with one query.
func loadHistory(ctx context.Context, q querier, rs []*gmc.Relationship) error {
	if len(rs) == 0 {
		return nil
	}
	byID := make(map[string]*gmc.Relationship, len(rs))
	ids := make([]string, len(rs))
	for i, r := range rs {
		byID[r.ID], ids[i] = r, r.ID
	}
	idList, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	rows, err := q.QueryContext(ctx, `SELECT relationship_id, at, session_id, attitude_before, attitude_after, note, actor_id
		FROM relationship_history WHERE relationship_id IN (SELECT value FROM json_each(?)) ORDER BY relationship_id, id`, string(idList))
	if err != nil {
		return interpretError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var ch gmc.RelationshipChange
		var at int64
		var session sql.NullString
		var before sql.NullInt64
		if err := rows.Scan(&id, &at, &session, &before, &ch.AttitudeAfter, &ch.Note, &ch.ActorID); err != nil {
			return interpretError(err)
		}
		ch.At, ch.SessionID = fromMicros(at), strPtr(session)
		if before.Valid {
			b := int(before.Int64)
			ch.AttitudeBefore = &b
		}
		byID[id].History = append(byID[id].History, ch)
	}
	return interpretError(rows.Err())
}

// UpdateRelationship writes r when its version is current and keeps its
// pair in step.
func (db *DB) UpdateRelationship(ctx context.Context, r *gmc.Relationship, change gmc.RelationshipChange, ev *gmc.Event) error {
	row := *r
	err := db.tx(ctx, func(tx *sql.Tx) error {
		cur, err := scanRelationship(tx.QueryRowContext(ctx, `SELECT `+relationshipColumns+` FROM relationships WHERE id = ?`, row.ID))
		if err != nil {
			return err
		}
		if cur.Version != row.Version {
			return gmc.StaleVersion(cur.Version)
		}
		if err := updatePair(ctx, tx, cur, &row, change); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE relationships SET kind = ?, attitude = ?, description = ?, visibility = ?, pair_id = ?,
			version = version + 1, updated_at = ? WHERE id = ?`,
			row.Kind, row.Attitude, row.Description, row.Visibility, strArg(row.PairID), micros(row.UpdatedAt), row.ID)
		if err != nil {
			return relationshipError(err)
		}
		if err := insertChange(ctx, tx, row.ID, change); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	if err == nil {
		row.Version++
		*r = row
	}
	return err
}

// updatePair carries an update of cur (becoming r) over to its pair:
// a kept pair follows r, a dropped one is unlinked and a new one is
// created or linked. It sets r.PairID.
func updatePair(ctx context.Context, tx *sql.Tx, cur, r *gmc.Relationship, change gmc.RelationshipChange) error {
	switch {
	case cur.PairID != nil && r.Mutual:
		r.PairID = cur.PairID
		partner, err := scanRelationship(tx.QueryRowContext(ctx, `SELECT `+relationshipColumns+` FROM relationships WHERE id = ?`, *cur.PairID))
		if err != nil {
			return err
		}
		return stepPartner(ctx, tx, r, partner, change)
	case cur.PairID != nil:
		return unlinkPartner(ctx, tx, *cur.PairID, r, change)
	case r.Mutual:
		rev, err := pairFor(ctx, tx, r)
		if err != nil {
			return err
		}
		return stepPartner(ctx, tx, r, rev, change)
	}
	r.PairID = nil
	return nil
}

// unlinkPartner turns the pair of a relationship that stops being mutual
// into an independent edge, and says so in its history.
func unlinkPartner(ctx context.Context, tx *sql.Tx, partnerID string, r *gmc.Relationship, change gmc.RelationshipChange) error {
	r.PairID = nil
	var attitude int
	err := tx.QueryRowContext(ctx, `UPDATE relationships SET pair_id = NULL, version = version + 1, updated_at = ? WHERE id = ? RETURNING attitude`,
		micros(r.UpdatedAt), partnerID).Scan(&attitude)
	if err != nil {
		return interpretError(err)
	}
	change.AttitudeBefore, change.AttitudeAfter = &attitude, attitude
	return insertChange(ctx, tx, partnerID, change)
}

// DeleteRelationship removes the relationship and its pair.
func (db *DB) DeleteRelationship(ctx context.Context, id string, ev *gmc.Event) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		var pair sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT pair_id FROM relationships WHERE id = ?`, id).Scan(&pair); err != nil {
			return interpretError(err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM relationships WHERE id IN (?, ?)`, id, pair.String); err != nil {
			return interpretError(err)
		}
		return insertEvent(ctx, tx, ev)
	})
}

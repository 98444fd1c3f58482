package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

const relationshipColumns = `id, campaign_id, source_id, target_id, kind, attitude, description, visibility, pair_id, version, created_at, updated_at`

func scanRelationship(row pgx.Row) (*gmc.Relationship, error) {
	var r gmc.Relationship
	if err := row.Scan(&r.ID, &r.CampaignID, &r.SourceID, &r.TargetID, &r.Kind, &r.Attitude, &r.Description, &r.Visibility,
		&r.PairID, &r.Version, &r.CreatedAt, &r.UpdatedAt); err != nil {
		return nil, interpretError(err)
	}
	r.Mutual = r.PairID != nil
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	r.History = []gmc.RelationshipChange{}
	return &r, nil
}

// lockEnds locks the two characters of an edge, in id order, before any
// relationship row. Every relationship write starts here, so writes to the
// same pair of characters queue up instead of deadlocking: without it,
// creating A→B and B→A as mutual at once would each insert one edge and
// then wait for the other's. Character deletes lock the character before
// cascading to its relationships, the same order.
func lockEnds(ctx context.Context, tx pgx.Tx, a, b string) error {
	rows, err := tx.Query(ctx, `SELECT id FROM characters WHERE id IN ($1, $2) ORDER BY id FOR NO KEY UPDATE`, a, b)
	if err != nil {
		return interpretError(err)
	}
	n := 0
	for rows.Next() {
		n++
	}
	if err := interpretError(rows.Err()); err != nil {
		return err
	}
	if n < 2 && a != b {
		return gmc.ErrNotFound
	}
	return nil
}

// CreateRelationship inserts r and, for a mutual one, creates or links its
// reverse edge.
func (db *DB) CreateRelationship(ctx context.Context, r *gmc.Relationship, change gmc.RelationshipChange, ev *gmc.Event) error {
	row := *r
	row.Version = 1
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockEnds(ctx, tx, row.SourceID, row.TargetID); err != nil {
			return err
		}
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

// CreateRelationships inserts many relationships in one transaction. It
// takes no character locks: a batch writes new edges only.
func (db *DB) CreateRelationships(ctx context.Context, rs []*gmc.Relationship, ev *gmc.Event) error {
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var batch pgx.Batch
		for _, r := range rs {
			row := *r
			row.Version = 1
			queueRelationship(&batch, &row)
			for _, ch := range r.History {
				queueChange(&batch, r.ID, ch)
			}
		}
		if err := tx.SendBatch(ctx, &batch).Close(); err != nil {
			return relationshipError(err)
		}
		return insertEvent(ctx, tx, ev)
	})
	if err == nil {
		for _, r := range rs {
			r.Version = 1
		}
		analyze(ctx, db, "relationships, relationship_history")
	}
	return err
}

const insertRelationshipSQL = `INSERT INTO relationships (` + relationshipColumns + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`

func relationshipArgs(r *gmc.Relationship) []any {
	return []any{r.ID, r.CampaignID, r.SourceID, r.TargetID, r.Kind, r.Attitude, r.Description, string(r.Visibility), r.PairID,
		r.Version, r.CreatedAt, r.UpdatedAt}
}

func queueRelationship(b *pgx.Batch, r *gmc.Relationship) {
	b.Queue(insertRelationshipSQL, relationshipArgs(r)...)
}

func insertRelationship(ctx context.Context, tx pgx.Tx, r *gmc.Relationship) error {
	_, err := tx.Exec(ctx, insertRelationshipSQL, relationshipArgs(r)...)
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

const insertChangeSQL = `INSERT INTO relationship_history (relationship_id, at, session_id, attitude_before, attitude_after, note, actor_id)
	VALUES ($1, $2, $3, $4, $5, $6, $7)`

func queueChange(b *pgx.Batch, relationshipID string, ch gmc.RelationshipChange) {
	b.Queue(insertChangeSQL, relationshipID, ch.At, ch.SessionID, ch.AttitudeBefore, ch.AttitudeAfter, ch.Note, ch.ActorID)
}

func insertChange(ctx context.Context, tx pgx.Tx, relationshipID string, ch gmc.RelationshipChange) error {
	_, err := tx.Exec(ctx, insertChangeSQL, relationshipID, ch.At, ch.SessionID, ch.AttitudeBefore, ch.AttitudeAfter, ch.Note, ch.ActorID)
	return interpretError(err)
}

// pairFor prepares r.PairID for a write: nil unless r is mutual, the id of
// the existing reverse edge (returned) when there is one, else the fresh id
// the caller supplied.
func pairFor(ctx context.Context, tx pgx.Tx, r *gmc.Relationship) (*gmc.Relationship, error) {
	if !r.Mutual {
		r.PairID = nil
		return nil, nil
	}
	rev, err := scanRelationship(tx.QueryRow(ctx, `SELECT `+relationshipColumns+` FROM relationships
		WHERE source_id = $1 AND target_id = $2 AND kind = $3`, r.TargetID, r.SourceID, r.Kind))
	if errors.Is(err, gmc.ErrNotFound) {
		if r.PairID == nil {
			return nil, errors.New("postgres: a new mutual relationship needs a PairID for its reverse edge")
		}
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	r.PairID = &rev.ID
	return rev, nil
}

// stepPartner makes the reverse edge of mutual r agree with it: it creates
// the edge with id *r.PairID when rev is nil, else links and updates rev.
// Either way the edge's history records change.
func stepPartner(ctx context.Context, tx pgx.Tx, r, rev *gmc.Relationship, change gmc.RelationshipChange) error {
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
	_, err := tx.Exec(ctx, `UPDATE relationships SET kind = $1, attitude = $2, description = $3, visibility = $4, pair_id = $5,
		version = version + 1, updated_at = $6 WHERE id = $7`, r.Kind, r.Attitude, r.Description, string(r.Visibility), r.ID, r.UpdatedAt, rev.ID)
	if err != nil {
		return relationshipError(err)
	}
	return insertChange(ctx, tx, rev.ID, change)
}

// Relationship returns the relationship with id and its history.
func (db *DB) Relationship(ctx context.Context, id string) (*gmc.Relationship, error) {
	r, err := scanRelationship(db.q.QueryRow(ctx, `SELECT `+relationshipColumns+` FROM relationships WHERE id = $1`, id))
	if err != nil {
		return nil, err
	}
	return r, loadHistory(ctx, db.q, []*gmc.Relationship{r})
}

// hiddenEnd is true for an edge r with a GM-only character at either end.
const hiddenEnd = `EXISTS (SELECT 1 FROM characters c WHERE c.id IN (r.source_id, r.target_id) AND c.visibility = 'gm')`

// Relationships lists the relationships of a character in id order.
func (db *DB) Relationships(ctx context.Context, f store.RelationshipFilter) ([]*gmc.Relationship, string, error) {
	f.Page = f.Page.Normalize()
	if err := checkCursor(f.Page.Cursor); err != nil {
		return nil, "", err
	}
	if !isUUID(f.CharacterID) {
		return nil, "", nil
	}
	q := `SELECT ` + relationshipColumns + ` FROM relationships r WHERE (source_id = @character OR target_id = @character)`
	args := pgx.NamedArgs{"character": f.CharacterID, "limit": f.Page.Limit + 1}
	if f.Page.Cursor != "" {
		q += ` AND id > @cursor`
		args["cursor"] = f.Page.Cursor
	}
	if f.HideGMOnly {
		q += ` AND visibility = 'players' AND NOT ` + hiddenEnd
	}
	rows, err := db.q.Query(ctx, q+` ORDER BY id LIMIT @limit`, args)
	if err != nil {
		return nil, "", interpretError(err)
	}
	out, err := collect(rows, scanRelationship)
	if err != nil {
		return nil, "", err
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(r *gmc.Relationship) string { return r.ID })
	return out, next, loadHistory(ctx, db.q, out)
}

// MemberRelationships lists the relationships of a character userID may
// see with userID's role; the character and the membership are read by
// the list's statement.
func (db *DB) MemberRelationships(ctx context.Context, userID string, f store.RelationshipFilter) ([]*gmc.Relationship, string, gmc.Role, error) {
	f.Page = f.Page.Normalize()
	if !isUUID(f.CharacterID) || !isUUID(userID) {
		return nil, "", "", gmc.ErrNotFound
	}
	of := characterViewer(f.CharacterID, userID)
	if err := checkCursor(f.Page.Cursor); err != nil {
		return nil, "", "", db.memberFails(ctx, of, err)
	}
	m, err := db.memberScope(ctx, of, false)
	if err != nil {
		return nil, "", "", err
	}
	q := `SELECT ` + relationshipColumns + `, (SELECT role FROM me) FROM relationships r
		WHERE EXISTS (SELECT 1 FROM me) AND (r.source_id = @character OR r.target_id = @character)
		AND ((SELECT role FROM me) = 'gm' OR (r.visibility = 'players' AND NOT ` + hiddenEnd + `))`
	m.of.args["limit"] = f.Page.Limit + 1
	if f.Page.Cursor != "" {
		q += ` AND r.id > @cursor`
		m.of.args["cursor"] = f.Page.Cursor
	}
	out, role, err := memberList(ctx, db, m, q+` ORDER BY r.id LIMIT @limit`, scanRelationship)
	if err != nil {
		return nil, "", "", err
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(r *gmc.Relationship) string { return r.ID })
	return out, next, role, loadHistory(ctx, db.q, out)
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
	rows, err := q.Query(ctx, `SELECT relationship_id, at, session_id, attitude_before, attitude_after, note, actor_id
		FROM relationship_history WHERE relationship_id = ANY($1::uuid[]) ORDER BY relationship_id, id`, ids)
	if err != nil {
		return interpretError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var ch gmc.RelationshipChange
		if err := rows.Scan(&id, &ch.At, &ch.SessionID, &ch.AttitudeBefore, &ch.AttitudeAfter, &ch.Note, &ch.ActorID); err != nil {
			return interpretError(err)
		}
		ch.At = ch.At.UTC()
		byID[id].History = append(byID[id].History, ch)
	}
	return interpretError(rows.Err())
}

// UpdateRelationship writes r when its version is current and keeps its
// pair in step.
func (db *DB) UpdateRelationship(ctx context.Context, r *gmc.Relationship, change gmc.RelationshipChange, ev *gmc.Event) error {
	row := *r
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockEnds(ctx, tx, row.SourceID, row.TargetID); err != nil {
			return err
		}
		cur, err := scanRelationship(tx.QueryRow(ctx, `SELECT `+relationshipColumns+` FROM relationships WHERE id = $1 FOR UPDATE`, row.ID))
		if err != nil {
			return err
		}
		if cur.Version != row.Version {
			return gmc.StaleVersion(cur.Version)
		}
		if err := updatePair(ctx, tx, cur, &row, change); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE relationships SET kind = $1, attitude = $2, description = $3, visibility = $4, pair_id = $5,
			version = version + 1, updated_at = $6 WHERE id = $7`,
			row.Kind, row.Attitude, row.Description, string(row.Visibility), row.PairID, row.UpdatedAt, row.ID)
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
func updatePair(ctx context.Context, tx pgx.Tx, cur, r *gmc.Relationship, change gmc.RelationshipChange) error {
	switch {
	case cur.PairID != nil && r.Mutual:
		r.PairID = cur.PairID
		partner, err := scanRelationship(tx.QueryRow(ctx, `SELECT `+relationshipColumns+` FROM relationships WHERE id = $1 FOR UPDATE`, *cur.PairID))
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
func unlinkPartner(ctx context.Context, tx pgx.Tx, partnerID string, r *gmc.Relationship, change gmc.RelationshipChange) error {
	r.PairID = nil
	var attitude int
	err := tx.QueryRow(ctx, `UPDATE relationships SET pair_id = NULL, version = version + 1, updated_at = $1 WHERE id = $2 RETURNING attitude`,
		r.UpdatedAt, partnerID).Scan(&attitude)
	if err != nil {
		return interpretError(err)
	}
	change.AttitudeBefore, change.AttitudeAfter = &attitude, attitude
	return insertChange(ctx, tx, partnerID, change)
}

// DeleteRelationship removes the relationship and its pair.
func (db *DB) DeleteRelationship(ctx context.Context, id string, ev *gmc.Event) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		var source, target string
		if err := tx.QueryRow(ctx, `SELECT source_id, target_id FROM relationships WHERE id = $1`, id).Scan(&source, &target); err != nil {
			return interpretError(err)
		}
		if err := lockEnds(ctx, tx, source, target); err != nil {
			return err
		}
		// Read the pair only now: it may have changed while we waited.
		var pair *string
		if err := tx.QueryRow(ctx, `SELECT pair_id FROM relationships WHERE id = $1`, id).Scan(&pair); err != nil {
			return interpretError(err)
		}
		ids := []string{id}
		if pair != nil {
			ids = append(ids, *pair)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM relationships WHERE id = ANY($1::uuid[])`, ids); err != nil {
			return interpretError(err)
		}
		return insertEvent(ctx, tx, ev)
	})
}

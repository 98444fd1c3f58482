package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// insertEvent appends ev to the audit log inside tx.
func insertEvent(ctx context.Context, tx *sql.Tx, ev *gmc.Event) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO events (id, campaign_id, actor_id, action, entity_type, entity_id, before, after, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ev.ID, ev.CampaignID, ev.ActorID, ev.Action, ev.EntityType, ev.EntityID, nullJSON(ev.Before), nullJSON(ev.After), micros(ev.At))
	return interpretError(err)
}

func nullJSON(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

// Events lists a campaign's audit events, newest first.
func (db *DB) Events(ctx context.Context, f store.EventFilter) ([]*gmc.Event, string, error) {
	f.Page = f.Page.Normalize()
	where := []string{"campaign_id = ?"}
	args := []any{f.CampaignID}
	for _, c := range []struct{ col, val string }{{"entity_type", f.EntityType}, {"entity_id", f.EntityID}, {"actor_id", f.ActorID}} {
		if c.val != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.val)
		}
	}
	if f.Page.Cursor != "" {
		where = append(where, "id < ?")
		args = append(args, f.Page.Cursor)
	}
	args = append(args, f.Page.Limit+1)
	rows, err := db.read.QueryContext(ctx, `SELECT id, campaign_id, actor_id, action, entity_type, entity_id, before, after, at
		FROM events WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, "", interpretError(err)
	}
	defer rows.Close()
	var out []*gmc.Event
	for rows.Next() {
		var ev gmc.Event
		var before, after sql.NullString
		var at int64
		if err := rows.Scan(&ev.ID, &ev.CampaignID, &ev.ActorID, &ev.Action, &ev.EntityType, &ev.EntityID, &before, &after, &at); err != nil {
			return nil, "", interpretError(err)
		}
		if before.Valid {
			ev.Before = []byte(before.String)
		}
		if after.Valid {
			ev.After = []byte(after.String)
		}
		ev.At = fromMicros(at)
		out = append(out, &ev)
	}
	if err := rows.Err(); err != nil {
		return nil, "", interpretError(err)
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(e *gmc.Event) string { return e.ID })
	return out, next, nil
}

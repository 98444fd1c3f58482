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

const eventColumns = `id, campaign_id, actor_id, action, entity_type, entity_id, before, after, at`

func scanEvent(row interface{ Scan(...any) error }) (*gmc.Event, error) {
	var ev gmc.Event
	var before, after sql.NullString
	var at int64
	if err := row.Scan(&ev.ID, &ev.CampaignID, &ev.ActorID, &ev.Action, &ev.EntityType, &ev.EntityID, &before, &after, &at); err != nil {
		return nil, interpretError(err)
	}
	if before.Valid {
		ev.Before = []byte(before.String)
	}
	if after.Valid {
		ev.After = []byte(after.String)
	}
	ev.At = fromMicros(at)
	return &ev, nil
}

// Events lists a campaign's audit events, newest first.
func (db *DB) Events(ctx context.Context, f store.EventFilter) ([]*gmc.Event, string, error) {
	f.Page = f.Page.Normalize()
	where, args := eventQuery(f)
	rows, err := db.read.QueryContext(ctx, `SELECT `+eventColumns+` FROM events WHERE `+where, args...)
	if err != nil {
		return nil, "", interpretError(err)
	}
	out, err := collectRows(rows, scanEvent)
	if err != nil {
		return nil, "", err
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(e *gmc.Event) string { return e.ID })
	return out, next, nil
}

// MemberEvents lists a campaign's events for userID, a GM, with userID's
// role, read by the list's statement.
func (db *DB) MemberEvents(ctx context.Context, userID string, f store.EventFilter) ([]*gmc.Event, string, gmc.Role, error) {
	f.Page = f.Page.Normalize()
	where, args := eventQuery(f)
	out, role, err := memberList(ctx, db, campaignMember(f.CampaignID, userID), `SELECT `+eventColumns+`, (SELECT role FROM me) FROM events
		WHERE (SELECT role FROM me) = 'gm' AND `+where, args, scanEvent)
	if err != nil {
		return nil, "", "", err
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(e *gmc.Event) string { return e.ID })
	return out, next, role, nil
}

// eventQuery is the condition, order and limit of a list of f with its
// arguments.
func eventQuery(f store.EventFilter) (string, []any) {
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
	return strings.Join(where, " AND ") + ` ORDER BY id DESC LIMIT ?`, append(args, f.Page.Limit+1)
}

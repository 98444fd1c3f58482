package postgres

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// insertEvent appends ev to the audit log inside tx.
func insertEvent(ctx context.Context, tx pgx.Tx, ev *gmc.Event) error {
	_, err := tx.Exec(ctx, `INSERT INTO events (id, campaign_id, actor_id, action, entity_type, entity_id, before, after, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		ev.ID, ev.CampaignID, ev.ActorID, ev.Action, ev.EntityType, ev.EntityID, jsonArg(ev.Before), jsonArg(ev.After), ev.At)
	return interpretError(err)
}

// queueEvent adds insertEvent's statement to b.
func queueEvent(b *pgx.Batch, ev *gmc.Event) {
	b.Queue(`INSERT INTO events (id, campaign_id, actor_id, action, entity_type, entity_id, before, after, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		ev.ID, ev.CampaignID, ev.ActorID, ev.Action, ev.EntityType, ev.EntityID, jsonArg(ev.Before), jsonArg(ev.After), ev.At)
}

// jsonArg passes a JSON document to a jsonb column: NULL when empty, else
// its text, which the server parses.
func jsonArg(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

const eventColumns = `id, campaign_id, actor_id, action, entity_type, entity_id, before, after, at`

func scanEvent(row pgx.Row) (*gmc.Event, error) {
	var ev gmc.Event
	var before, after []byte
	if err := row.Scan(&ev.ID, &ev.CampaignID, &ev.ActorID, &ev.Action, &ev.EntityType, &ev.EntityID, &before, &after, &ev.At); err != nil {
		return nil, interpretError(err)
	}
	ev.Before, ev.After, ev.At = before, after, ev.At.UTC()
	return &ev, nil
}

// Events lists a campaign's audit events, newest first.
func (db *DB) Events(ctx context.Context, f store.EventFilter) ([]*gmc.Event, string, error) {
	f.Page = f.Page.Normalize()
	if err := checkCursor(f.Page.Cursor); err != nil {
		return nil, "", err
	}
	if !isUUID(f.CampaignID) || (f.ActorID != "" && !isUUID(f.ActorID)) {
		return nil, "", nil
	}
	q := `SELECT ` + eventColumns + ` FROM events WHERE campaign_id = @campaign`
	args := pgx.NamedArgs{"campaign": f.CampaignID, "limit": f.Page.Limit + 1}
	for _, c := range []struct{ col, val string }{{"entity_type", f.EntityType}, {"entity_id", f.EntityID}, {"actor_id", f.ActorID}} {
		if c.val != "" {
			q += ` AND ` + c.col + ` = @` + c.col
			args[c.col] = c.val
		}
	}
	if f.Page.Cursor != "" {
		q += ` AND id < @cursor`
		args["cursor"] = f.Page.Cursor
	}
	rows, err := db.q.Query(ctx, q+` ORDER BY id DESC LIMIT @limit`, args)
	if err != nil {
		return nil, "", interpretError(err)
	}
	out, err := collect(rows, scanEvent)
	if err != nil {
		return nil, "", err
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(e *gmc.Event) string { return e.ID })
	return out, next, nil
}

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
	q, args := eventQuery(f, pgx.NamedArgs{"campaign": f.CampaignID})
	rows, err := db.q.Query(ctx, `SELECT `+eventColumns+` FROM events WHERE `+q, args)
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

// MemberEvents lists a campaign's events for userID, a GM, with userID's
// role, read by the list's statement.
func (db *DB) MemberEvents(ctx context.Context, userID string, f store.EventFilter) ([]*gmc.Event, string, gmc.Role, error) {
	f.Page = f.Page.Normalize()
	if !isUUID(f.CampaignID) || !isUUID(userID) {
		return nil, "", "", gmc.ErrNotFound
	}
	of := campaignMember(f.CampaignID, userID)
	if err := checkCursor(f.Page.Cursor); err != nil {
		return nil, "", "", db.memberFails(ctx, of, err)
	}
	if f.ActorID != "" && !isUUID(f.ActorID) {
		// No event has that actor.
		role, err := db.readRole(ctx, of)
		return nil, "", role, err
	}
	m, err := db.memberScope(ctx, of, false)
	if err != nil {
		return nil, "", "", err
	}
	q, _ := eventQuery(f, m.of.args)
	out, role, err := memberList(ctx, db, m, `SELECT `+eventColumns+`, (SELECT role FROM me) FROM events WHERE (SELECT role FROM me) = 'gm' AND `+q, scanEvent)
	if err != nil {
		return nil, "", "", err
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(e *gmc.Event) string { return e.ID })
	return out, next, role, nil
}

// eventQuery is the condition, order and limit of a list of f; it adds its
// named arguments to args (which holds "campaign").
func eventQuery(f store.EventFilter, args pgx.NamedArgs) (string, pgx.NamedArgs) {
	q := `campaign_id = @campaign`
	args["limit"] = f.Page.Limit + 1
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
	return q + ` ORDER BY id DESC LIMIT @limit`, args
}

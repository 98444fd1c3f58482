package postgres

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/store"
)

// Plot threads. Every write takes the campaign row's key-share lock first
// (lockCampaign), the order DeleteCampaign follows; writes to the
// dependency graph also take a per-campaign advisory lock (see
// plot_dependency.go).

const plotColumns = `id, campaign_id, title, summary, status, progress, milestones, visibility, last_touched_session_id, last_touched_session_number, version, created_at, updated_at`

func scanPlot(row pgx.Row) (*gmc.PlotThread, error) {
	var p gmc.PlotThread
	var milestones []byte
	if err := row.Scan(&p.ID, &p.CampaignID, &p.Title, &p.Summary, &p.Status, &p.Progress, &milestones, &p.Visibility,
		&p.LastTouchedSessionID, &p.LastTouchedSessionNumber, &p.Version, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, interpretError(err)
	}
	if err := json.Unmarshal(milestones, &p.Milestones); err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	p.CharacterIDs, p.LocationIDs, p.BlockedBy = []string{}, []string{}, []gmc.PlotRef{}
	return &p, nil
}

// writePlotLinks replaces the thread's links. The composite foreign keys
// turn a character or location of another campaign into ErrNotFound.
func writePlotLinks(ctx context.Context, tx pgx.Tx, p *gmc.PlotThread) error {
	for _, l := range []struct {
		table, column string
		ids           []string
	}{{"plot_characters", "character_id", p.CharacterIDs}, {"plot_locations", "location_id", p.LocationIDs}} {
		if _, err := tx.Exec(ctx, `DELETE FROM `+l.table+` WHERE plot_id = $1`, p.ID); err != nil {
			return interpretError(err)
		}
		if len(l.ids) == 0 {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO `+l.table+` (campaign_id, plot_id, `+l.column+`)
			SELECT $1, $2, unnest($3::uuid[])`, p.CampaignID, p.ID, l.ids); err != nil {
			return interpretError(err)
		}
	}
	return nil
}

// CreatePlot inserts p with its links.
func (db *DB) CreatePlot(ctx context.Context, p *gmc.PlotThread, ev *gmc.Event) error {
	milestones, err := json.Marshal(p.Milestones)
	if err != nil {
		return err
	}
	err = db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockCampaign(ctx, tx, p.CampaignID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO plot_threads (`+plotColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $12)`,
			p.ID, p.CampaignID, p.Title, p.Summary, string(p.Status), p.Progress, string(milestones), string(p.Visibility),
			p.LastTouchedSessionID, p.LastTouchedSessionNumber, p.CreatedAt, p.UpdatedAt); err != nil {
			return interpretError(err)
		}
		if err := writePlotLinks(ctx, tx, p); err != nil {
			return err
		}
		if err := indexDoc(ctx, tx, search.PlotDoc(p)); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	if err == nil {
		p.Version = 1
	}
	return err
}

// Plot returns one thread with its links and blockers.
func (db *DB) Plot(ctx context.Context, id string, forPlayers bool) (*gmc.PlotThread, error) {
	p, err := scanPlot(db.q.QueryRow(ctx, `SELECT `+plotColumns+` FROM plot_threads WHERE id = $1`, id))
	if err != nil {
		return nil, err
	}
	if err := loadPlotExtras(ctx, db.q, []*gmc.PlotThread{p}, forPlayers); err != nil {
		return nil, err
	}
	return p, nil
}

// Plots lists threads in creation order.
func (db *DB) Plots(ctx context.Context, f store.PlotFilter) ([]*gmc.PlotThread, string, error) {
	f.Page = f.Page.Normalize()
	if err := checkCursor(f.Page.Cursor); err != nil {
		return nil, "", err
	}
	if !isUUID(f.CampaignID) || (f.CharacterID != "" && !isUUID(f.CharacterID)) || (f.LocationID != "" && !isUUID(f.LocationID)) {
		return nil, "", nil
	}
	forPlayers := func(cond string) string { return cond }
	if !f.ForPlayers {
		forPlayers = nil
	}
	where, args := plotQuery(f, pgx.NamedArgs{"campaign": f.CampaignID}, forPlayers)
	rows, err := db.reader(ctx).Query(ctx, `SELECT `+qualify("p.", plotColumns)+` FROM plot_threads p WHERE `+where, args)
	if err != nil {
		return nil, "", interpretError(err)
	}
	out, err := collect(rows, scanPlot)
	if err != nil {
		return nil, "", err
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(p *gmc.PlotThread) string { return p.ID })
	if err := loadPlotExtras(ctx, db.q, out, f.ForPlayers); err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// MemberPlots lists the threads userID may see with userID's role, read
// by the list's statement.
func (db *DB) MemberPlots(ctx context.Context, userID string, f store.PlotFilter) ([]*gmc.PlotThread, string, gmc.Role, error) {
	f.Page = f.Page.Normalize()
	if !isUUID(f.CampaignID) || !isUUID(userID) {
		return nil, "", "", gmc.ErrNotFound
	}
	of := campaignMember(f.CampaignID, userID)
	if err := checkCursor(f.Page.Cursor); err != nil {
		return nil, "", "", db.memberFails(ctx, of, err)
	}
	if (f.CharacterID != "" && !isUUID(f.CharacterID)) || (f.LocationID != "" && !isUUID(f.LocationID)) {
		// No thread links it.
		role, err := db.readRole(ctx, of)
		return nil, "", role, err
	}
	m, err := db.memberScope(ctx, of, true)
	if err != nil {
		return nil, "", "", err
	}
	where, _ := plotQuery(f, m.of.args, func(cond string) string { return `((SELECT role FROM me) = 'gm' OR ` + cond + `)` })
	out, role, err := memberList(ctx, db, m, `SELECT `+qualify("p.", plotColumns)+`, (SELECT role FROM me) FROM plot_threads p
		WHERE EXISTS (SELECT 1 FROM me) AND `+where, scanPlot)
	if err != nil {
		return nil, "", "", err
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(p *gmc.PlotThread) string { return p.ID })
	if err := loadPlotExtras(ctx, db.q, out, role != gmc.RoleGM); err != nil {
		return nil, "", "", err
	}
	return out, next, role, nil
}

// plotQuery is the condition, order and limit of a list of f; it adds its
// named arguments to args (which holds "campaign"). forPlayers, when
// set, wraps each condition that hides something from players.
func plotQuery(f store.PlotFilter, args pgx.NamedArgs, forPlayers func(cond string) string) (string, pgx.NamedArgs) {
	where := []string{"p.campaign_id = @campaign"}
	args["limit"] = f.Page.Limit + 1
	if f.Status != "" {
		where, args["status"] = append(where, "p.status = @status"), string(f.Status)
	}
	if forPlayers != nil {
		where = append(where, forPlayers("p.visibility = 'players'"))
	}
	if f.CharacterID != "" {
		q := `p.id IN (SELECT pc.plot_id FROM plot_characters pc JOIN characters c ON c.id = pc.character_id WHERE pc.character_id = @character`
		if forPlayers != nil {
			q += ` AND ` + forPlayers(`c.visibility = 'players'`)
		}
		where, args["character"] = append(where, q+`)`), f.CharacterID
	}
	if f.LocationID != "" {
		q := `p.id IN (SELECT pl.plot_id FROM plot_locations pl JOIN locations l ON l.id = pl.location_id WHERE pl.location_id = @location`
		if forPlayers != nil {
			q += ` AND ` + forPlayers(`NOT `+hiddenAbove)
		}
		where, args["location"] = append(where, q+`)`), f.LocationID
	}
	if f.Page.Cursor != "" {
		where, args["cursor"] = append(where, "p.id > @cursor"), f.Page.Cursor
	}
	return strings.Join(where, " AND ") + ` ORDER BY p.id LIMIT @limit`, args
}

// UpdatePlot writes p when its version is current.
func (db *DB) UpdatePlot(ctx context.Context, p *gmc.PlotThread, ev *gmc.Event) error {
	milestones, err := json.Marshal(p.Milestones)
	if err != nil {
		return err
	}
	err = db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockCampaign(ctx, tx, p.CampaignID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE plot_threads SET title = $1, summary = $2, status = $3, progress = $4, milestones = $5, visibility = $6,
			last_touched_session_id = $7, last_touched_session_number = $8, version = version + 1, updated_at = $9 WHERE id = $10 AND version = $11`,
			p.Title, p.Summary, string(p.Status), p.Progress, string(milestones), string(p.Visibility),
			p.LastTouchedSessionID, p.LastTouchedSessionNumber, p.UpdatedAt, p.ID, p.Version)
		if err != nil {
			return interpretError(err)
		}
		if err := checkVersioned(ctx, tx, tag, "plot_threads", p.ID); err != nil {
			return err
		}
		if err := writePlotLinks(ctx, tx, p); err != nil {
			return err
		}
		if err := indexDoc(ctx, tx, search.PlotDoc(p)); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	if err == nil {
		p.Version++
	}
	return err
}

// DeletePlot removes p when its version is current; foreign keys remove
// its links, dependencies and foreshadowing.
func (db *DB) DeletePlot(ctx context.Context, p *gmc.PlotThread, ev *gmc.Event) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockCampaign(ctx, tx, p.CampaignID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM plot_threads WHERE id = $1 AND version = $2`, p.ID, p.Version)
		if err != nil {
			return interpretError(err)
		}
		if err := checkVersioned(ctx, tx, tag, "plot_threads", p.ID); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// loadPlotExtras fills the links and blockers of plots with three queries.
func loadPlotExtras(ctx context.Context, q querier, plots []*gmc.PlotThread, forPlayers bool) error {
	if len(plots) == 0 {
		return nil
	}
	byID := make(map[string]*gmc.PlotThread, len(plots))
	ids := make([]string, len(plots))
	for i, p := range plots {
		byID[p.ID], ids[i] = p, p.ID
	}
	characters := `SELECT pc.plot_id, pc.character_id FROM plot_characters pc JOIN characters c ON c.id = pc.character_id WHERE pc.plot_id = ANY($1::uuid[])`
	locations := `SELECT pl.plot_id, pl.location_id FROM plot_locations pl JOIN locations l ON l.id = pl.location_id WHERE pl.plot_id = ANY($1::uuid[])`
	blockers := `SELECT d.plot_id, u.id, u.title, u.status FROM plot_dependencies d JOIN plot_threads u ON u.id = d.depends_on_id
		WHERE d.plot_id = ANY($1::uuid[]) AND u.status NOT IN ('resolved', 'abandoned')`
	if forPlayers {
		characters += ` AND c.visibility = 'players'`
		locations += ` AND NOT ` + hiddenAbove
		blockers += ` AND u.visibility = 'players'`
	}
	for _, links := range []struct {
		query string
		add   func(p *gmc.PlotThread, id string)
	}{
		{characters, func(p *gmc.PlotThread, id string) { p.CharacterIDs = append(p.CharacterIDs, id) }},
		{locations, func(p *gmc.PlotThread, id string) { p.LocationIDs = append(p.LocationIDs, id) }},
	} {
		var plotID, id string
		rows, err := q.Query(ctx, links.query+` ORDER BY 1, 2`, ids)
		if err != nil {
			return interpretError(err)
		}
		if _, err := pgx.ForEachRow(rows, []any{&plotID, &id}, func() error { links.add(byID[plotID], id); return nil }); err != nil {
			return interpretError(err)
		}
	}
	var plotID string
	var r gmc.PlotRef
	rows, err := q.Query(ctx, blockers+` ORDER BY 1, 2`, ids)
	if err != nil {
		return interpretError(err)
	}
	_, err = pgx.ForEachRow(rows, []any{&plotID, &r.ID, &r.Title, &r.Status}, func() error {
		byID[plotID].BlockedBy = append(byID[plotID].BlockedBy, r)
		return nil
	})
	return interpretError(err)
}

// PlayedSessionNumber returns the number of the latest live or ended session.
func (db *DB) PlayedSessionNumber(ctx context.Context, campaignID string) (int, error) {
	if !isUUID(campaignID) {
		return 0, nil
	}
	return playedSessionNumber(ctx, db.q, campaignID)
}

func playedSessionNumber(ctx context.Context, q querier, campaignID string) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT coalesce(max(number), 0) FROM game_sessions WHERE campaign_id = $1 AND status IN ('live', 'ended')`, campaignID).Scan(&n)
	return n, interpretError(err)
}

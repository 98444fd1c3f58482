package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/store"
)

const plotColumns = `id, campaign_id, title, summary, status, progress, milestones, visibility, last_touched_session_id, last_touched_session_number, version, created_at, updated_at`

func scanPlot(row interface{ Scan(...any) error }) (*gmc.PlotThread, error) {
	var p gmc.PlotThread
	var status, milestones, visibility string
	var touched sql.NullString
	var created, updated int64
	if err := row.Scan(&p.ID, &p.CampaignID, &p.Title, &p.Summary, &status, &p.Progress, &milestones, &visibility,
		&touched, &p.LastTouchedSessionNumber, &p.Version, &created, &updated); err != nil {
		return nil, interpretError(err)
	}
	if err := json.Unmarshal([]byte(milestones), &p.Milestones); err != nil {
		return nil, err
	}
	if touched.Valid {
		p.LastTouchedSessionID = &touched.String
	}
	p.Status, p.Visibility = gmc.PlotStatus(status), gmc.Visibility(visibility)
	p.CreatedAt, p.UpdatedAt = fromMicros(created), fromMicros(updated)
	p.CharacterIDs, p.LocationIDs, p.BlockedBy = []string{}, []string{}, []gmc.PlotRef{}
	return &p, nil
}

// plotValues are the columns of p in plotColumns order.
func plotValues(p *gmc.PlotThread) ([]any, error) {
	milestones, err := json.Marshal(p.Milestones)
	if err != nil {
		return nil, err
	}
	return []any{p.ID, p.CampaignID, p.Title, p.Summary, string(p.Status), p.Progress, string(milestones), string(p.Visibility),
		p.LastTouchedSessionID, p.LastTouchedSessionNumber, p.Version, micros(p.CreatedAt), micros(p.UpdatedAt)}, nil
}

// writePlotLinks replaces the thread's links. The composite foreign keys
// turn a character or location of another campaign into ErrNotFound.
func writePlotLinks(ctx context.Context, tx *sql.Tx, p *gmc.PlotThread) error {
	for _, l := range []struct {
		table, column string
		ids           []string
	}{{"plot_characters", "character_id", p.CharacterIDs}, {"plot_locations", "location_id", p.LocationIDs}} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+l.table+` WHERE plot_id = ?`, p.ID); err != nil {
			return interpretError(err)
		}
		for _, id := range l.ids {
			if _, err := tx.ExecContext(ctx, `INSERT INTO `+l.table+` (campaign_id, plot_id, `+l.column+`) VALUES (?, ?, ?)`, p.CampaignID, p.ID, id); err != nil {
				return interpretError(err)
			}
		}
	}
	return nil
}

// CreatePlot inserts p with its links.
func (db *DB) CreatePlot(ctx context.Context, p *gmc.PlotThread, ev *gmc.Event) error {
	row := *p
	row.Version = 1
	values, err := plotValues(&row)
	if err != nil {
		return err
	}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO plot_threads (`+plotColumns+`) VALUES (`+inList(len(values))+`)`, values...); err != nil {
			return interpretError(err)
		}
		if err := writePlotLinks(ctx, tx, &row); err != nil {
			return err
		}
		if err := indexDoc(ctx, tx, search.PlotDoc(&row)); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	if err == nil {
		p.Version = row.Version
	}
	return err
}

// Plot returns one thread with its links and blockers.
func (db *DB) Plot(ctx context.Context, id string, forPlayers bool) (*gmc.PlotThread, error) {
	p, err := scanPlot(db.read.QueryRowContext(ctx, `SELECT `+plotColumns+` FROM plot_threads WHERE id = ?`, id))
	if err != nil {
		return nil, err
	}
	if err := loadPlotExtras(ctx, db.read, []*gmc.PlotThread{p}, forPlayers); err != nil {
		return nil, err
	}
	return p, nil
}

// Plots lists threads in creation order.
func (db *DB) Plots(ctx context.Context, f store.PlotFilter) ([]*gmc.PlotThread, string, error) {
	f.Page = f.Page.Normalize()
	forPlayers := func(cond string) string { return cond }
	if !f.ForPlayers {
		forPlayers = nil
	}
	where, args := plotQuery(f, forPlayers)
	rows, err := db.read.QueryContext(ctx, `SELECT `+qualify("p.", plotColumns)+` FROM plot_threads p WHERE `+where, args...)
	if err != nil {
		return nil, "", interpretError(err)
	}
	out, err := scanPlots(rows)
	if err != nil {
		return nil, "", err
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(p *gmc.PlotThread) string { return p.ID })
	if err := loadPlotExtras(ctx, db.read, out, f.ForPlayers); err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// MemberPlots lists the threads userID may see with userID's role, read
// by the list's statement.
func (db *DB) MemberPlots(ctx context.Context, userID string, f store.PlotFilter) ([]*gmc.PlotThread, string, gmc.Role, error) {
	f.Page = f.Page.Normalize()
	where, args := plotQuery(f, func(cond string) string { return `((SELECT role FROM me) = 'gm' OR ` + cond + `)` })
	out, role, err := memberList(ctx, db, campaignMember(f.CampaignID, userID), `SELECT `+qualify("p.", plotColumns)+`, (SELECT role FROM me)
		FROM plot_threads p WHERE EXISTS (SELECT 1 FROM me) AND `+where, args, scanPlot)
	if err != nil {
		return nil, "", "", err
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(p *gmc.PlotThread) string { return p.ID })
	if err := loadPlotExtras(ctx, db.read, out, role != gmc.RoleGM); err != nil {
		return nil, "", "", err
	}
	return out, next, role, nil
}

// plotQuery is the condition, order and limit of a list of f with its
// arguments. forPlayers, when set, wraps each condition that hides
// something from players.
func plotQuery(f store.PlotFilter, forPlayers func(cond string) string) (string, []any) {
	where, args := []string{"p.campaign_id = ?"}, []any{f.CampaignID}
	if f.Status != "" {
		where, args = append(where, "p.status = ?"), append(args, string(f.Status))
	}
	if forPlayers != nil {
		where = append(where, forPlayers("p.visibility = 'players'"))
	}
	if f.CharacterID != "" {
		q := `p.id IN (SELECT pc.plot_id FROM plot_characters pc JOIN characters c ON c.id = pc.character_id WHERE pc.character_id = ?`
		if forPlayers != nil {
			q += ` AND ` + forPlayers(`c.visibility = 'players'`)
		}
		where, args = append(where, q+`)`), append(args, f.CharacterID)
	}
	if f.LocationID != "" {
		q := `p.id IN (SELECT pl.plot_id FROM plot_locations pl JOIN locations l ON l.id = pl.location_id WHERE pl.location_id = ?`
		if forPlayers != nil {
			q += ` AND ` + forPlayers(`NOT `+hiddenAbove)
		}
		where, args = append(where, q+`)`), append(args, f.LocationID)
	}
	if f.Page.Cursor != "" {
		where, args = append(where, "p.id > ?"), append(args, f.Page.Cursor)
	}
	return strings.Join(where, " AND ") + ` ORDER BY p.id LIMIT ?`, append(args, f.Page.Limit+1)
}

func scanPlots(rows *sql.Rows) ([]*gmc.PlotThread, error) {
	defer rows.Close()
	var out []*gmc.PlotThread
	for rows.Next() {
		p, err := scanPlot(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, interpretError(rows.Err())
}

// UpdatePlot writes p when its version is current.
func (db *DB) UpdatePlot(ctx context.Context, p *gmc.PlotThread, ev *gmc.Event) error {
	milestones, err := json.Marshal(p.Milestones)
	if err != nil {
		return err
	}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE plot_threads SET title = ?, summary = ?, status = ?, progress = ?, milestones = ?, visibility = ?,
			last_touched_session_id = ?, last_touched_session_number = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			p.Title, p.Summary, string(p.Status), p.Progress, string(milestones), string(p.Visibility),
			p.LastTouchedSessionID, p.LastTouchedSessionNumber, micros(p.UpdatedAt), p.ID, p.Version)
		if err != nil {
			return interpretError(err)
		}
		if err := checkVersioned(ctx, tx, res, "plot_threads", p.ID); err != nil {
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
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM plot_threads WHERE id = ? AND version = ?`, p.ID, p.Version)
		if err != nil {
			return interpretError(err)
		}
		if err := checkVersioned(ctx, tx, res, "plot_threads", p.ID); err != nil {
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
	args := make([]any, len(plots))
	for i, p := range plots {
		byID[p.ID], args[i] = p, p.ID
	}
	in := `(` + inList(len(plots)) + `)`
	characters := `SELECT pc.plot_id, pc.character_id FROM plot_characters pc JOIN characters c ON c.id = pc.character_id WHERE pc.plot_id IN ` + in
	locations := `SELECT pl.plot_id, pl.location_id FROM plot_locations pl JOIN locations l ON l.id = pl.location_id WHERE pl.plot_id IN ` + in
	blockers := `SELECT d.plot_id, u.id, u.title, u.status FROM plot_dependencies d JOIN plot_threads u ON u.id = d.depends_on_id
		WHERE d.plot_id IN ` + in + ` AND u.status NOT IN ('resolved', 'abandoned')`
	if forPlayers {
		characters += ` AND c.visibility = 'players'`
		locations += ` AND NOT ` + hiddenAbove
		blockers += ` AND u.visibility = 'players'`
	}
	if err := eachPair(ctx, q, characters+` ORDER BY 1, 2`, args, func(plotID, id string) {
		byID[plotID].CharacterIDs = append(byID[plotID].CharacterIDs, id)
	}); err != nil {
		return err
	}
	if err := eachPair(ctx, q, locations+` ORDER BY 1, 2`, args, func(plotID, id string) {
		byID[plotID].LocationIDs = append(byID[plotID].LocationIDs, id)
	}); err != nil {
		return err
	}
	rows, err := q.QueryContext(ctx, blockers+` ORDER BY 1, 2`, args...)
	if err != nil {
		return interpretError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var plotID, status string
		var r gmc.PlotRef
		if err := rows.Scan(&plotID, &r.ID, &r.Title, &status); err != nil {
			return interpretError(err)
		}
		r.Status = gmc.PlotStatus(status)
		byID[plotID].BlockedBy = append(byID[plotID].BlockedBy, r)
	}
	return interpretError(rows.Err())
}

// eachPair calls fn with the two text columns of every row.
func eachPair(ctx context.Context, q querier, query string, args []any, fn func(a, b string)) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return interpretError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			return interpretError(err)
		}
		fn(a, b)
	}
	return interpretError(rows.Err())
}

// PlayedSessionNumber returns the number of the latest live or ended session.
func (db *DB) PlayedSessionNumber(ctx context.Context, campaignID string) (int, error) {
	return playedSessionNumber(ctx, db.read, campaignID)
}

func playedSessionNumber(ctx context.Context, q querier, campaignID string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT coalesce(max(number), 0) FROM game_sessions WHERE campaign_id = ? AND status IN ('live', 'ended')`, campaignID).Scan(&n)
	return n, interpretError(err)
}

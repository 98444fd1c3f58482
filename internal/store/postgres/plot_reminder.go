package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
)

// PlotReminders finds the threads and foreshadowing left alone for at
// least sessions played sessions.
func (db *DB) PlotReminders(ctx context.Context, campaignID string, sessions int) (*gmc.PlotReminders, error) {
	out := &gmc.PlotReminders{ReminderSessions: sessions, Plots: []gmc.PlotReminder{}, Foreshadowing: []gmc.ForeshadowingReminder{}}
	if !isUUID(campaignID) {
		return out, nil
	}
	latest, err := playedSessionNumber(ctx, db.q, campaignID)
	if err != nil {
		return nil, err
	}
	out.LatestSessionNumber = latest
	due := latest - sessions
	rows, err := db.q.Query(ctx, `SELECT id, title, status, last_touched_session_number FROM plot_threads
		WHERE campaign_id = $1 AND status IN ('hook', 'active') AND last_touched_session_number <= $2
		ORDER BY last_touched_session_number, id`, campaignID, due)
	if err != nil {
		return nil, interpretError(err)
	}
	var r gmc.PlotReminder
	if _, err := pgx.ForEachRow(rows, []any{&r.Plot.ID, &r.Plot.Title, &r.Plot.Status, &r.LastTouchedSessionNumber}, func() error {
		r.SessionsUntouched = latest - r.LastTouchedSessionNumber
		out.Plots = append(out.Plots, r)
		return nil
	}); err != nil {
		return nil, interpretError(err)
	}
	return out, db.foreshadowingReminders(ctx, out, campaignID, due)
}

func (db *DB) foreshadowingReminders(ctx context.Context, out *gmc.PlotReminders, campaignID string, due int) error {
	rows, err := db.q.Query(ctx, `SELECT `+qualify("f.", foreshadowingColumns)+`, p.title, p.status FROM foreshadowing f
		JOIN plot_threads p ON p.id = f.plot_id
		WHERE f.campaign_id = $1 AND NOT f.revealed AND f.planted_session_number <= $2 AND p.status NOT IN ('resolved', 'abandoned')
		ORDER BY f.planted_session_number, f.id`, campaignID, due)
	if err != nil {
		return interpretError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r gmc.ForeshadowingReminder
		f, err := scanForeshadowing(scanTail{rows, []any{&r.Plot.Title, &r.Plot.Status}})
		if err != nil {
			return err
		}
		r.Foreshadowing, r.Plot.ID = f, f.PlotID
		r.SessionsSincePlanted = out.LatestSessionNumber - f.PlantedSessionNumber
		out.Foreshadowing = append(out.Foreshadowing, r)
	}
	return interpretError(rows.Err())
}

// scanTail scans a row whose leading columns a scan function reads and
// whose trailing columns go to tail.
type scanTail struct {
	row  pgx.Row
	tail []any
}

func (s scanTail) Scan(dest ...any) error { return s.row.Scan(append(dest, s.tail...)...) }

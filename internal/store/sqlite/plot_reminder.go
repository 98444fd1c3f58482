package sqlite

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
)

// PlotReminders finds the threads and foreshadowing left alone for at
// least sessions played sessions.
func (db *DB) PlotReminders(ctx context.Context, campaignID string, sessions int) (*gmc.PlotReminders, error) {
	latest, err := playedSessionNumber(ctx, db.read, campaignID)
	if err != nil {
		return nil, err
	}
	out := &gmc.PlotReminders{ReminderSessions: sessions, LatestSessionNumber: latest, Plots: []gmc.PlotReminder{}, Foreshadowing: []gmc.ForeshadowingReminder{}}
	due := latest - sessions
	rows, err := db.read.QueryContext(ctx, `SELECT id, title, status, last_touched_session_number FROM plot_threads
		WHERE campaign_id = ? AND status IN ('hook', 'active') AND last_touched_session_number <= ?
		ORDER BY last_touched_session_number, id`, campaignID, due)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r gmc.PlotReminder
		var status string
		if err := rows.Scan(&r.Plot.ID, &r.Plot.Title, &status, &r.LastTouchedSessionNumber); err != nil {
			return nil, interpretError(err)
		}
		r.Plot.Status, r.SessionsUntouched = gmc.PlotStatus(status), latest-r.LastTouchedSessionNumber
		out.Plots = append(out.Plots, r)
	}
	if err := rows.Err(); err != nil {
		return nil, interpretError(err)
	}
	return out, db.foreshadowingReminders(ctx, out, campaignID, due)
}

func (db *DB) foreshadowingReminders(ctx context.Context, out *gmc.PlotReminders, campaignID string, due int) error {
	rows, err := db.read.QueryContext(ctx, `SELECT `+qualify("f.", foreshadowingColumns)+`, p.title, p.status FROM foreshadowing f
		JOIN plot_threads p ON p.id = f.plot_id
		WHERE f.campaign_id = ? AND f.revealed = 0 AND f.planted_session_number <= ? AND p.status NOT IN ('resolved', 'abandoned')
		ORDER BY f.planted_session_number, f.id`, campaignID, due)
	if err != nil {
		return interpretError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r gmc.ForeshadowingReminder
		var status string
		f, err := scanForeshadowing(scanTail{rows, []any{&r.Plot.Title, &status}})
		if err != nil {
			return err
		}
		r.Foreshadowing, r.Plot.ID, r.Plot.Status = f, f.PlotID, gmc.PlotStatus(status)
		r.SessionsSincePlanted = out.LatestSessionNumber - f.PlantedSessionNumber
		out.Foreshadowing = append(out.Foreshadowing, r)
	}
	return interpretError(rows.Err())
}

// scanTail scans a row whose leading columns a scan function reads and
// whose trailing columns go to tail.
type scanTail struct {
	row  interface{ Scan(...any) error }
	tail []any
}

func (s scanTail) Scan(dest ...any) error { return s.row.Scan(append(dest, s.tail...)...) }

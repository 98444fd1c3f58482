package live

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/realtime"
	"github.com/gmc-project/gmc/internal/store"
)

// JobProgress is the data of a job.progress message: where a background
// job of the session stands, as GET /jobs/{job_id} would answer.
type JobProgress struct {
	JobID    string       `json:"job_id" doc:"The job, as GET /jobs/{job_id} names it"`
	Kind     string       `json:"kind"`
	State    gmc.JobState `json:"state" enum:"queued,running,succeeded,failed,cancelled"`
	Progress float64      `json:"progress" minimum:"0" maximum:"1" doc:"Fraction done, 0 to 1"`
	Message  string       `json:"message"`
	Error    string       `json:"error,omitempty" doc:"Why the last attempt failed"`
	Attempt  int          `json:"attempt"`
}

func (JobProgress) messageType() string { return realtime.TypeJobProgress }

// JobProgress shows a job's progress at the table of its session while
// that session is live (to its GMs only for a GM-only job). A job of no
// session, or of one that is not live, is not shown: nobody is at that
// table, and publishing would only revive its channel.
func (t *Table) JobProgress(ctx context.Context, j *gmc.Job) {
	if t.hub == nil || j.SessionID == "" {
		return
	}
	live, _, err := t.store.Sessions(ctx, store.SessionFilter{CampaignID: j.CampaignID, Status: gmc.SessionLive, Page: gmc.Page{Limit: 1}})
	if err != nil {
		t.log.WarnContext(ctx, "find live session", "campaign_id", j.CampaignID, "error", err.Error())
		return
	}
	for _, gs := range live {
		if gs.ID == j.SessionID {
			t.publish(ctx, gs.ID, JobProgress{JobID: j.ID, Kind: j.Kind, State: j.State, Progress: j.Progress, Message: j.Message, Error: j.Error, Attempt: j.Attempt}, j.GMOnly)
		}
	}
}

package gmc

import (
	"encoding/json"
	"time"
)

// JobState is where a background job is in its life.
type JobState string

// Job states. A job that failed an attempt and will be tried again is
// queued, with the attempt's error; one that failed its last attempt is
// failed.
const (
	JobQueued    JobState = "queued"
	JobRunning   JobState = "running"
	JobSucceeded JobState = "succeeded"
	JobFailed    JobState = "failed"
	JobCancelled JobState = "cancelled"
)

// JobArgs is the payload of one kind of background job. Kind names the
// kind; it is stored with every job, so it never changes once shipped.
type JobArgs interface {
	Kind() string
}

// JobOpts says whose a new job is. CampaignID is required; permission to
// see the job follows from it.
type JobOpts struct {
	CampaignID string
	// SessionID, when set, is the game session the job works for: its
	// progress is shown at that session's live table.
	SessionID string
	// UserID is who started the job.
	UserID string
	// GMOnly keeps the job, and its progress, from players and observers.
	GMOnly bool
	// MaxAttempts bounds the tries; 0 takes the queue's default.
	MaxAttempts int
	// Unique stores no second job of the same kind and args while one is
	// unfinished (queued or running): the existing job's id is returned.
	// For jobs whose repeat would do the same work twice.
	Unique bool
	// RunAt, when set, holds the job back until then: clean-up that is
	// due later (an export file that expires) is queued when it is known.
	RunAt time.Time
}

// Job is a background job as members see it.
type Job struct {
	ID         string   `json:"id" doc:"Job id"`
	Kind       string   `json:"kind" doc:"What the job does, e.g. speech.transcribe"`
	State      JobState `json:"state" enum:"queued,running,succeeded,failed,cancelled"`
	Progress   float64  `json:"progress" minimum:"0" maximum:"1" doc:"Fraction done, 0 to 1"`
	Message    string   `json:"message" doc:"What the job is doing now, as the job last said"`
	Error      string   `json:"error,omitempty" doc:"Why the last attempt failed (also while the job waits for its next attempt)"`
	Attempt    int      `json:"attempt" doc:"Attempts started so far"`
	CampaignID string   `json:"campaign_id"`
	SessionID  string   `json:"session_id,omitempty"`
	// UserID and GMOnly serve permission checks and are not shown.
	UserID     string          `json:"-"`
	GMOnly     bool            `json:"-"`
	CreatedAt  time.Time       `json:"created_at"`
	StartedAt  *time.Time      `json:"started_at,omitempty" doc:"When the latest attempt started"`
	FinishedAt *time.Time      `json:"finished_at,omitempty"`
	Result     json.RawMessage `json:"result,omitempty" doc:"What the job produced, by kind"`
}

// Finished reports whether the job will not change any more.
func (j *Job) Finished() bool {
	return j.State == JobSucceeded || j.State == JobFailed || j.State == JobCancelled
}

package gmc

import (
	"errors"
	"fmt"
	"time"
)

// A campaign's spending is counted per calendar month (UTC) against two
// budgets: language model tokens (prompt and completion, embeddings
// included) and seconds of audio transcribed. Each has a server-wide
// default for every campaign, which a campaign's settings can lower but
// never raise: the host pays for both.

// Budget names one of a campaign's monthly budgets.
type Budget string

// The budgets.
const (
	BudgetAITokens     Budget = "ai_tokens"
	BudgetAudioSeconds Budget = "audio_seconds"
)

// Bounds of the budget settings (CampaignSettings, and the server's).
const (
	MaxAITokensPerMonth     = 1_000_000_000_000
	MaxAudioMinutesPerMonth = 1_000_000
)

// Usage is what a campaign spent in one month.
type Usage struct {
	AITokens int64
	// AudioMS is milliseconds of audio transcribed: seconds are too coarse
	// to add up utterance by utterance.
	AudioMS int64
}

// MonthOf is the calendar month (UTC) t falls in, as "2006-01", with the
// start of the next one, when its counts reset.
func MonthOf(t time.Time) (month string, resets time.Time) {
	t = t.UTC()
	start := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	return start.Format("2006-01"), start.AddDate(0, 1, 0)
}

// EffectiveBudget is the budget that applies to a campaign: the server's,
// or the campaign's own when it is lower; 0 is unlimited.
func EffectiveBudget(server, campaign int64) int64 {
	switch {
	case campaign <= 0:
		return max(server, 0)
	case server <= 0:
		return campaign
	}
	return min(server, campaign)
}

// BudgetUsage is one budget of a campaign this month.
type BudgetUsage struct {
	Used          int64 `json:"used" doc:"Spent this month"`
	Limit         int64 `json:"limit" doc:"The budget that applies: the server's, or the campaign's own when lower; 0 is unlimited"`
	ServerLimit   int64 `json:"server_limit" doc:"The server's budget for every campaign; 0 is unlimited"`
	CampaignLimit int64 `json:"campaign_limit" doc:"The campaign's own budget from its settings; 0 leaves the server's"`
	UsedUp        bool  `json:"used_up" doc:"The budget is spent: requests that need it are refused (429 quota_exceeded) until resets_at"`
}

// CampaignUsage is what a campaign spent this month against its budgets.
type CampaignUsage struct {
	CampaignID   string      `json:"campaign_id"`
	Month        string      `json:"month" doc:"The calendar month counted, UTC (YYYY-MM)" example:"2026-12"`
	ResetsAt     time.Time   `json:"resets_at" doc:"When the counts start again from zero: the start of the next month, UTC"`
	AITokens     BudgetUsage `json:"ai_tokens" doc:"Language model tokens: prompt and completion of every call, embeddings included"`
	AudioSeconds BudgetUsage `json:"audio_seconds" doc:"Seconds of speech transcribed, live and from uploaded recordings (limits in seconds; the settings give minutes)"`
}

// ErrQuotaExceeded: the campaign has spent a monthly budget; requests
// that need it are refused until the month ends.
var ErrQuotaExceeded = errors.New("quota exceeded")

// QuotaError names the budget a campaign has spent and when it resets.
type QuotaError struct {
	Budget      Budget
	Month       string
	Used, Limit int64
	ResetsAt    time.Time
	// RetryAfterSeconds is the time left until ResetsAt.
	RetryAfterSeconds int
}

func (e *QuotaError) Error() string {
	what, unit := "AI", "tokens"
	if e.Budget == BudgetAudioSeconds {
		what, unit = "audio", "seconds"
	}
	return fmt.Sprintf("the campaign has used its %s budget (%s) for %s: %d of %d %s; it resets at %s",
		what, e.Budget, e.Month, e.Used, e.Limit, unit, e.ResetsAt.UTC().Format(time.RFC3339))
}

// Unwrap makes errors.Is(err, ErrQuotaExceeded) true.
func (e *QuotaError) Unwrap() error { return ErrQuotaExceeded }

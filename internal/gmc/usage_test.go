package gmc

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestMonthOf(t *testing.T) {
	t.Parallel()
	plus2 := time.FixedZone("UTC+2", 2*3600)
	tests := []struct {
		at     time.Time
		month  string
		resets time.Time
	}{
		{time.Date(2026, 12, 7, 13, 0, 0, 0, time.UTC), "2026-12", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
		{time.Date(2026, 12, 31, 23, 59, 59, 999, time.UTC), "2026-12", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), "2027-01", time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)},
		{time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC), "2028-02", time.Date(2028, 3, 1, 0, 0, 0, 0, time.UTC)},
		// Months are UTC's, whatever zone the clock reads in.
		{time.Date(2027, 1, 1, 1, 0, 0, 0, plus2), "2026-12", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		month, resets := MonthOf(tt.at)
		if month != tt.month || !resets.Equal(tt.resets) || resets.Location() != time.UTC {
			t.Errorf("MonthOf(%v) = %s, %v; want %s, %v", tt.at, month, resets, tt.month, tt.resets)
		}
	}
}

func TestEffectiveBudget(t *testing.T) {
	t.Parallel()
	tests := []struct{ server, campaign, want int64 }{
		{0, 0, 0},          // no limit anywhere
		{1000, 0, 1000},    // the server's
		{1000, 300, 300},   // the campaign lowered it
		{1000, 5000, 1000}, // a higher one (stored before the server lowered its own) does not raise it
		{0, 300, 300},      // a campaign may limit itself on an unlimited server
		{-1, -1, 0},
	}
	for _, tt := range tests {
		if got := EffectiveBudget(tt.server, tt.campaign); got != tt.want {
			t.Errorf("EffectiveBudget(%d, %d) = %d, want %d", tt.server, tt.campaign, got, tt.want)
		}
	}
}

func TestQuotaError(t *testing.T) {
	t.Parallel()
	err := error(&QuotaError{Budget: BudgetAudioSeconds, Month: "2026-12", Used: 3601, Limit: 3600, ResetsAt: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)})
	if !errors.Is(err, ErrQuotaExceeded) {
		t.Error("a QuotaError is not ErrQuotaExceeded")
	}
	for _, want := range []string{"audio budget", "audio_seconds", "2026-12", "3601 of 3600 seconds", "2027-01-01T00:00:00Z"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
}

func TestCampaignBudgetSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		set   CampaignSettings
		field string
	}{
		{"negative tokens", CampaignSettings{AITokensPerMonth: -1}, "body.settings.ai_tokens_per_month"},
		{"too many tokens", CampaignSettings{AITokensPerMonth: MaxAITokensPerMonth + 1}, "body.settings.ai_tokens_per_month"},
		{"negative minutes", CampaignSettings{AudioMinutesPerMonth: -1}, "body.settings.audio_minutes_per_month"},
		{"too many minutes", CampaignSettings{AudioMinutesPerMonth: MaxAudioMinutesPerMonth + 1}, "body.settings.audio_minutes_per_month"},
		{"fine", CampaignSettings{AITokensPerMonth: 5000, AudioMinutesPerMonth: 600}, ""},
	}
	for _, tt := range tests {
		s := DefaultCampaignSettings()
		s.AITokensPerMonth, s.AudioMinutesPerMonth = tt.set.AITokensPerMonth, tt.set.AudioMinutesPerMonth
		var v Validator
		s.Validate(&v, "body.settings")
		err := v.Err()
		var ve *ValidationError
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.field != "" && (!errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Location != tt.field):
			t.Errorf("%s: %v, want one error at %s", tt.name, err, tt.field)
		}
	}
	var zero int64
	p := CampaignSettingsPatch{AITokensPerMonth: &zero}
	if got := p.Apply(CampaignSettings{AITokensPerMonth: 10, AudioMinutesPerMonth: 5}); got.AITokensPerMonth != 0 || got.AudioMinutesPerMonth != 5 {
		t.Errorf("patch of the AI budget = %+v, want it back to the server's and the audio budget kept", got)
	}
}

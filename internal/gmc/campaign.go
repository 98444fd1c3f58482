package gmc

import (
	"fmt"
	"slices"
	"time"
)

// Role is a member's role inside one campaign.
type Role string

// Roles, from most to least powerful.
const (
	RoleGM       Role = "gm"
	RolePlayer   Role = "player"
	RoleObserver Role = "observer"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return r == RoleGM || r == RolePlayer || r == RoleObserver
}

// AtLeast reports whether r grants at least what min grants.
func (r Role) AtLeast(min Role) bool {
	return r.rank() >= min.rank()
}

func (r Role) rank() int {
	switch r {
	case RoleGM:
		return 3
	case RolePlayer:
		return 2
	case RoleObserver:
		return 1
	}
	return 0
}

// Campaign is one game world run by its GMs.
type Campaign struct {
	ID          string           `json:"id"`
	Name        string           `json:"name"`
	Description string           `json:"description"`
	GameSystem  string           `json:"game_system"`
	Settings    CampaignSettings `json:"settings"`
	CreatedBy   string           `json:"created_by"`
	Version     int64            `json:"version"`
	CreatedAt   time.Time        `json:"created_at"`
	UpdatedAt   time.Time        `json:"updated_at"`
}

// CampaignSettings are the campaign-wide knobs later features read.
type CampaignSettings struct {
	// ReminderSessions is how many sessions a hook or foreshadowing may sit
	// untouched before the GM is reminded.
	ReminderSessions int `json:"reminder_sessions" minimum:"1" maximum:"100"`
	// KeywordThreshold is the confidence below which live keyword alerts are dropped.
	KeywordThreshold float64 `json:"keyword_threshold" minimum:"0" maximum:"1"`
	// KeepRecordings keeps a session's recordings in the file store once
	// they are transcribed; false deletes them then.
	KeepRecordings bool `json:"keep_recordings" required:"false" doc:"Keep recordings after transcription (default false: delete once transcribed)"`
	// RecordingRetentionDays is how long kept recordings stay before they
	// are deleted; 0 keeps them until deleted by hand. It applies only
	// with KeepRecordings.
	RecordingRetentionDays int `json:"recording_retention_days" required:"false" minimum:"0" maximum:"3650" doc:"Days a kept recording stays before it is deleted; 0 keeps it until deleted by hand"`
	// AutoApplyProposals are the kinds of summary proposals applied
	// without asking the GM; only low-risk kinds may be (AutoApplicable).
	AutoApplyProposals []ProposalKind `json:"auto_apply_proposals,omitempty" required:"false" doc:"Kinds of summary proposals applied without asking: achievement, location_visited"`
	// DiscordAutoPostWebhookID is the campaign's Discord webhook a
	// session's player recap is posted to when the GM approves its
	// summary; empty posts nothing.
	DiscordAutoPostWebhookID string `json:"discord_auto_post_webhook_id,omitempty" required:"false" doc:"A Discord webhook of this campaign the player recap is posted to when a GM approves a session's summary; empty: no automatic post"`
	// DisabledFeatures are the optional features the GM switched off for
	// this campaign (see Feature); empty leaves the server's choice.
	DisabledFeatures []Feature `json:"disabled_features,omitempty" required:"false" doc:"Optional features switched off in this campaign: audio, ai, discord, dndbeyond_sync"`
	// AITokensPerMonth and AudioMinutesPerMonth are the campaign's own
	// monthly budgets; 0 leaves the server's. They can only lower the
	// server's budgets, never raise them: the host pays.
	AITokensPerMonth     int64 `json:"ai_tokens_per_month,omitempty" required:"false" minimum:"0" maximum:"1000000000000" doc:"The campaign's own monthly budget of language model tokens; 0 leaves the server's (GMC_CAMPAIGN_AI_TOKENS_PER_MONTH). It may only be lower than the server's"`
	AudioMinutesPerMonth int64 `json:"audio_minutes_per_month,omitempty" required:"false" minimum:"0" maximum:"1000000" doc:"The campaign's own monthly budget of minutes of audio transcribed; 0 leaves the server's (GMC_CAMPAIGN_AUDIO_MINUTES_PER_MONTH). It may only be lower than the server's"`
}

// CampaignSettingsPatch changes some settings (a JSON merge patch of
// CampaignSettings): a field left out keeps its value.
type CampaignSettingsPatch struct {
	ReminderSessions       *int     `json:"reminder_sessions,omitempty" minimum:"1" maximum:"100"`
	KeywordThreshold       *float64 `json:"keyword_threshold,omitempty" minimum:"0" maximum:"1"`
	KeepRecordings         *bool    `json:"keep_recordings,omitempty"`
	RecordingRetentionDays *int     `json:"recording_retention_days,omitempty" minimum:"0" maximum:"3650"`
	// AutoApplyProposals replaces the list when present ([] empties it).
	AutoApplyProposals *[]ProposalKind `json:"auto_apply_proposals,omitempty" doc:"Kinds of summary proposals applied without asking: achievement, location_visited"`
	// DiscordAutoPostWebhookID: "" stops the automatic post.
	DiscordAutoPostWebhookID *string `json:"discord_auto_post_webhook_id,omitempty" doc:"A Discord webhook of this campaign the player recap is posted to when a GM approves a session's summary; \"\" stops the automatic post"`
	// DisabledFeatures replaces the list when present ([] switches every
	// feature back on).
	DisabledFeatures *[]Feature `json:"disabled_features,omitempty" doc:"Optional features switched off in this campaign: audio, ai, discord, dndbeyond_sync ([] switches them all on)"`
	// AITokensPerMonth, AudioMinutesPerMonth: 0 goes back to the server's budget.
	AITokensPerMonth     *int64 `json:"ai_tokens_per_month,omitempty" minimum:"0" maximum:"1000000000000" doc:"The campaign's own monthly budget of language model tokens, below the server's; 0 goes back to the server's"`
	AudioMinutesPerMonth *int64 `json:"audio_minutes_per_month,omitempty" minimum:"0" maximum:"1000000" doc:"The campaign's own monthly budget of minutes of audio transcribed, below the server's; 0 goes back to the server's"`
}

// Apply returns s with the patch's fields set.
func (p CampaignSettingsPatch) Apply(s CampaignSettings) CampaignSettings {
	set(&s.ReminderSessions, p.ReminderSessions)
	set(&s.KeywordThreshold, p.KeywordThreshold)
	set(&s.KeepRecordings, p.KeepRecordings)
	set(&s.RecordingRetentionDays, p.RecordingRetentionDays)
	set(&s.AutoApplyProposals, p.AutoApplyProposals)
	set(&s.DiscordAutoPostWebhookID, p.DiscordAutoPostWebhookID)
	set(&s.DisabledFeatures, p.DisabledFeatures)
	set(&s.AITokensPerMonth, p.AITokensPerMonth)
	set(&s.AudioMinutesPerMonth, p.AudioMinutesPerMonth)
	return s
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// AutoApplicable are the proposal kinds a campaign may apply
// automatically: they add a record and change nothing the GM wrote.
var AutoApplicable = []ProposalKind{ProposeAchievement, ProposeLocationVisited}

// DefaultCampaignSettings are used when a campaign is created without settings.
func DefaultCampaignSettings() CampaignSettings {
	return CampaignSettings{ReminderSessions: 3, KeywordThreshold: 0.6}
}

// MaxRetentionDays bounds CampaignSettings.RecordingRetentionDays (ten years).
const MaxRetentionDays = 3650

// RecordingDeleteAfter is when a recording made at t is due for deletion
// under these settings; nil keeps it until deleted by hand. A recording
// the campaign does not keep is deleted once transcribed, by whatever
// transcribes it, so it gets no date here.
func (s CampaignSettings) RecordingDeleteAfter(t time.Time) *time.Time {
	if !s.KeepRecordings || s.RecordingRetentionDays <= 0 {
		return nil
	}
	at := t.AddDate(0, 0, s.RecordingRetentionDays)
	return &at
}

// Validate checks the settings' ranges.
func (s CampaignSettings) Validate(v *Validator, location string) {
	v.Check(s.ReminderSessions >= 1 && s.ReminderSessions <= 100, location+".reminder_sessions", "must be between 1 and 100")
	v.Check(s.KeywordThreshold >= 0 && s.KeywordThreshold <= 1, location+".keyword_threshold", "must be between 0 and 1")
	for i, k := range s.AutoApplyProposals {
		v.Check(slices.Contains(AutoApplicable, k), fmt.Sprintf("%s.auto_apply_proposals[%d]", location, i), "must be one of achievement, location_visited")
	}
	for i, f := range s.DisabledFeatures {
		v.Check(slices.Contains(CampaignFeatures, f), fmt.Sprintf("%s.disabled_features[%d]", location, i), "must be one of "+featureNames(CampaignFeatures))
	}
	v.Check(s.RecordingRetentionDays >= 0 && s.RecordingRetentionDays <= MaxRetentionDays, location+".recording_retention_days",
		"must be between 1 and 3650 days, or 0 to keep recordings until deleted by hand")
	v.Check(s.AITokensPerMonth >= 0 && s.AITokensPerMonth <= MaxAITokensPerMonth, location+".ai_tokens_per_month",
		"must be a whole number of tokens from 0 (the server's budget) to 1000000000000")
	v.Check(s.AudioMinutesPerMonth >= 0 && s.AudioMinutesPerMonth <= MaxAudioMinutesPerMonth, location+".audio_minutes_per_month",
		"must be a whole number of minutes from 0 (the server's budget) to 1000000")
	// Whether the budgets are below the server's, and the webhook the
	// campaign's, is the service's to check.
	v.Check(s.DiscordAutoPostWebhookID == "" || IsID(s.DiscordAutoPostWebhookID), location+".discord_auto_post_webhook_id",
		"must be the id of a Discord webhook of this campaign, or empty")
}

// Validate checks a campaign's editable fields.
func (c *Campaign) Validate() error {
	var v Validator
	ValidateName(&v, "body.name", c.Name)
	ValidateText(&v, "body.description", c.Description, MaxTextLen)
	v.Check(len(c.GameSystem) <= MaxNameLen, "body.game_system", "must be at most 255 characters")
	c.Settings.Validate(&v, "body.settings")
	return v.Err()
}

// Member is a user's membership in a campaign.
type Member struct {
	CampaignID  string    `json:"campaign_id"`
	UserID      string    `json:"user_id"`
	Role        Role      `json:"role"`
	Email       string    `json:"email,omitempty"`
	DisplayName string    `json:"display_name,omitempty"`
	JoinedAt    time.Time `json:"joined_at"`
	// VoiceConsent is whether the member lets the campaign process their
	// voice: nil until they have answered. Audio of a member without a
	// true here is dropped, never stored or transcribed.
	VoiceConsent *bool `json:"voice_consent" doc:"Whether the member lets the campaign process their voice; null until asked and answered"`
	// VoiceConsentAt is when they last answered.
	VoiceConsentAt *time.Time `json:"voice_consent_at,omitempty"`
}

// Consented reports whether the member has agreed to have their voice
// processed in the campaign.
func (m *Member) Consented() bool { return m.VoiceConsent != nil && *m.VoiceConsent }

// ConsentReport is the voice consent of a campaign's members, as the GM
// of one of its sessions sees it.
type ConsentReport struct {
	CampaignID string    `json:"campaign_id"`
	SessionID  string    `json:"session_id"`
	Members    []*Member `json:"members"`
	// Missing lists the members whose voice may not be processed: those
	// who have not answered and those who said no.
	Missing []string `json:"missing"`
}

// NewConsentReport reports the consent of members.
func NewConsentReport(campaignID, sessionID string, members []*Member) *ConsentReport {
	r := &ConsentReport{CampaignID: campaignID, SessionID: sessionID, Members: members, Missing: []string{}}
	if r.Members == nil {
		r.Members = []*Member{}
	}
	for _, m := range members {
		if !m.Consented() {
			r.Missing = append(r.Missing, m.UserID)
		}
	}
	return r
}

// Invite lets whoever holds its code join a campaign with a role.
type Invite struct {
	ID         string    `json:"id"`
	CampaignID string    `json:"campaign_id"`
	Code       string    `json:"code"`
	Role       Role      `json:"role"`
	MaxUses    int       `json:"max_uses"`
	Uses       int       `json:"uses"`
	CreatedBy  string    `json:"created_by"`
	ExpiresAt  time.Time `json:"expires_at"`
	CreatedAt  time.Time `json:"created_at"`
}

// FeatureOn says whether the campaign leaves f on.
func (s CampaignSettings) FeatureOn(f Feature) bool { return !slices.Contains(s.DisabledFeatures, f) }

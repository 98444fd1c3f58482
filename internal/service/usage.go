package service

import (
	"context"
	"math"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
)

// Cost limits: every campaign has a monthly budget of language model
// tokens and one of audio transcribed. A request that needs a budget the
// campaign has spent this month is refused (gmc.QuotaError) until the
// month ends; one that starts within the budget runs to its end and all
// it spent is counted, so the last request of a month may overshoot its
// budget by what that request costs. A live audio stream is the exception:
// it is counted utterance by utterance and stopped as soon as it crosses
// the budget.
//
// Only what really costs counts: the tokens the language model server
// reports for each answered call (estimated where it reports none), and
// the audio each utterance sent to speech recognition holds. The built-in
// generators and summaries cost nothing, so a campaign's spent AI budget
// does not refuse them.

// Budgets are every campaign's monthly budgets on this server
// (GMC_CAMPAIGN_AI_TOKENS_PER_MONTH, GMC_CAMPAIGN_AUDIO_MINUTES_PER_MONTH);
// 0 is unlimited. A campaign's settings may lower them, never raise them.
type Budgets struct {
	AITokensPerMonth     int64
	AudioMinutesPerMonth int64
}

// modelBacked is a generator or summarizer whose work calls a language
// model (llmgen.Generator, summary.LLM): only its requests spend, and are
// refused by, a campaign's AI budget.
type modelBacked interface{ Model() string }

func usesModel(v any) bool {
	_, ok := v.(modelBacked)
	return ok
}

// aiMetered says the AI requests made through the service call a language
// model: the generator does (package app makes the session summaries with
// the same model exactly then, GMC_LLM_*).
func (s *Service) aiMetered() bool { return usesModel(s.gen) }

// CampaignUsage is what the campaign spent this month against its
// budgets. GM only.
func (s *Service) CampaignUsage(ctx context.Context, userID, campaignID string) (*gmc.CampaignUsage, error) {
	if _, err := s.access(ctx, campaignID, userID, gmc.RoleGM); err != nil {
		return nil, err
	}
	c, err := s.store.Campaign(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	month, resets := gmc.MonthOf(s.now())
	u, err := s.store.CampaignUsage(ctx, campaignID, month)
	if err != nil {
		return nil, err
	}
	out := &gmc.CampaignUsage{CampaignID: c.ID, Month: month, ResetsAt: resets}
	for _, b := range []gmc.Budget{gmc.BudgetAITokens, gmc.BudgetAudioSeconds} {
		server, own := s.serverBudget(b), campaignBudget(c.Settings, b)
		limit := gmc.EffectiveBudget(server, own)
		bu := gmc.BudgetUsage{Used: reported(b, spent(u, b)), Limit: limit, ServerLimit: server, CampaignLimit: own,
			UsedUp: limit > 0 && spent(u, b) >= counted(b, limit)}
		if b == gmc.BudgetAITokens {
			out.AITokens = bu
		} else {
			out.AudioSeconds = bu
		}
	}
	return out, nil
}

// serverBudget is the server's budget b for every campaign, in the unit
// the API shows (tokens, seconds); 0 is unlimited.
func (s *Service) serverBudget(b gmc.Budget) int64 {
	if b == gmc.BudgetAITokens {
		return max(s.budgets.AITokensPerMonth, 0)
	}
	return max(s.budgets.AudioMinutesPerMonth, 0) * 60
}

// campaignBudget is the campaign's own budget b, in the unit the API
// shows; 0 leaves the server's.
func campaignBudget(set gmc.CampaignSettings, b gmc.Budget) int64 {
	if b == gmc.BudgetAITokens {
		return max(set.AITokensPerMonth, 0)
	}
	return max(set.AudioMinutesPerMonth, 0) * 60
}

// spent is what a month's counts hold of budget b, in the unit they are
// counted in (tokens, milliseconds).
func spent(u gmc.Usage, b gmc.Budget) int64 {
	if b == gmc.BudgetAITokens {
		return u.AITokens
	}
	return u.AudioMS
}

// counted turns an amount of budget b as the API shows it into the unit it
// is counted in; reported does the reverse (whole seconds, rounded down).
func counted(b gmc.Budget, n int64) int64 {
	if b == gmc.BudgetAITokens {
		return n
	}
	return n * 1000
}

func reported(b gmc.Budget, n int64) int64 {
	if b == gmc.BudgetAITokens {
		return n
	}
	return n / 1000
}

// requireSpending is requireFeature for a feature that costs the host:
// it also refuses a campaign that has spent its budget b this month. The
// campaign and its counts are read afresh, so a GM's new budget and the
// month's end take effect at the next request.
func (s *Service) requireSpending(ctx context.Context, campaignID string, f gmc.Feature, b gmc.Budget) error {
	if !s.instanceFeatureOn(f) {
		return gmc.FeatureOff(f, "on this server")
	}
	c, err := s.store.Campaign(ctx, campaignID)
	if err != nil {
		return err
	}
	if !c.Settings.FeatureOn(f) {
		return gmc.FeatureOff(f, "in this campaign")
	}
	return s.checkBudget(ctx, c, b)
}

// CheckAIBudget returns a *gmc.QuotaError when the campaign has spent its
// AI budget this month: work that spends it in the background (the
// embedding job) asks before it spends more.
func (s *Service) CheckAIBudget(ctx context.Context, campaignID string) error {
	return s.requireBudget(ctx, campaignID, gmc.BudgetAITokens)
}

// requireBudget refuses a campaign that has spent its budget b this month.
func (s *Service) requireBudget(ctx context.Context, campaignID string, b gmc.Budget) error {
	c, err := s.store.Campaign(ctx, campaignID)
	if err != nil {
		return err
	}
	return s.checkBudget(ctx, c, b)
}

// checkBudget refuses, with a *gmc.QuotaError, a campaign that has spent
// its budget b this month. An unlimited budget costs no read.
func (s *Service) checkBudget(ctx context.Context, c *gmc.Campaign, b gmc.Budget) error {
	if gmc.EffectiveBudget(s.serverBudget(b), campaignBudget(c.Settings, b)) == 0 {
		return nil
	}
	month, _ := gmc.MonthOf(s.now())
	u, err := s.store.CampaignUsage(ctx, c.ID, month)
	if err != nil {
		return err
	}
	return s.overBudget(c, b, u)
}

// overBudget is the refusal of a campaign whose counts this month, u,
// have reached its budget b; nil while they have not.
func (s *Service) overBudget(c *gmc.Campaign, b gmc.Budget, u gmc.Usage) error {
	limit := gmc.EffectiveBudget(s.serverBudget(b), campaignBudget(c.Settings, b))
	if limit == 0 || spent(u, b) < counted(b, limit) {
		return nil
	}
	now := s.now()
	month, resets := gmc.MonthOf(now)
	wait := math.Ceil(resets.Sub(now).Seconds())
	return &gmc.QuotaError{Budget: b, Month: month, Used: reported(b, spent(u, b)), Limit: limit, ResetsAt: resets,
		RetryAfterSeconds: int(max(wait, 1))}
}

// ChargeAI counts tokens a language model call spent for the campaign
// (the language model client's report of every answered call). A failure
// to count is logged, not returned: the call has been made.
func (s *Service) ChargeAI(ctx context.Context, campaignID string, tokens int64) {
	s.addUsage(ctx, campaignID, gmc.Usage{AITokens: tokens})
}

// ChargeAudio counts audio transcribed for the campaign and returns a
// *gmc.QuotaError once the campaign has spent its audio budget with it:
// a live stream stops there. A failure to count is logged, not returned,
// so that an accounting hiccup does not cut the table's microphone.
func (s *Service) ChargeAudio(ctx context.Context, campaignID string, d time.Duration) error {
	total, ok := s.addUsage(ctx, campaignID, gmc.Usage{AudioMS: d.Milliseconds()})
	if !ok {
		return nil
	}
	c, err := s.store.Campaign(ctx, campaignID)
	if err != nil {
		// Counted, but unreadable (or deleted meanwhile): the next
		// request's check refuses it if it is over.
		return nil
	}
	return s.overBudget(c, gmc.BudgetAudioSeconds, total)
}

// addUsage adds to the campaign's counts of this month and returns the
// totals; ok is false when nothing was counted. The write outlives the
// caller's context: what was spent counts even if the request that spent
// it has just been cancelled.
func (s *Service) addUsage(ctx context.Context, campaignID string, add gmc.Usage) (total gmc.Usage, ok bool) {
	if campaignID == "" || add.AITokens < 0 || add.AudioMS < 0 || add == (gmc.Usage{}) {
		return total, false
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	month, _ := gmc.MonthOf(s.now())
	total, err := s.store.AddCampaignUsage(ctx, campaignID, month, add)
	if err != nil {
		s.log.WarnContext(ctx, "campaign usage not counted", "campaign_id", campaignID, "ai_tokens", add.AITokens, "audio_ms", add.AudioMS, "error", err.Error())
		return total, false
	}
	return total, true
}

// checkBudgetSettings refuses campaign budgets above the server's: the
// host pays, so a campaign can lower a budget, not raise it. Only a
// budget that changes is checked, so that a server budget lowered later
// does not block unrelated edits (the lower one applies anyway).
func (s *Service) checkBudgetSettings(next, before gmc.CampaignSettings, location string) error {
	var v gmc.Validator
	for _, b := range []struct {
		field      string
		next, prev int64
		server     int64
		unit       string
	}{
		{"ai_tokens_per_month", next.AITokensPerMonth, before.AITokensPerMonth, s.budgets.AITokensPerMonth, "tokens"},
		{"audio_minutes_per_month", next.AudioMinutesPerMonth, before.AudioMinutesPerMonth, s.budgets.AudioMinutesPerMonth, "minutes"},
	} {
		if b.next != b.prev && b.server > 0 && b.next > b.server {
			v.Add(location+"."+b.field, "must be at most the server's budget of %d %s a month, or 0 for the server's: a campaign can lower its budget, not raise it", b.server, b.unit)
		}
	}
	return v.Err()
}

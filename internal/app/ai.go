package app

import (
	"context"
	"fmt"

	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/llm"
	"github.com/gmc-project/gmc/internal/metrics"
	"github.com/gmc-project/gmc/internal/outbound"
	"github.com/gmc-project/gmc/internal/summary"
)

// OpenLLM makes the language model client of the GMC_LLM_* settings.
// m counts its requests and tokens (nil: not counted); spent is told the
// tokens of each call made for a campaign (nil: no one is).
func OpenLLM(cfg config.Config, m *metrics.Metrics, spent func(context.Context, string, llm.Usage)) (*llm.Client, error) {
	// The model's host only: a redirect or an address in an answer
	// leads nowhere else.
	guard, err := outbound.Service(cfg.LLMBaseURL)
	if err != nil {
		return nil, fmt.Errorf("GMC_LLM_BASE_URL: %w", err)
	}
	c, err := llm.New(llm.Config{BaseURL: cfg.LLMBaseURL, Model: cfg.LLMModel, APIKey: cfg.LLMAPIKey,
		RequestTimeout: cfg.LLMTimeout, TotalTimeout: cfg.LLMTotalTimeout, Concurrency: cfg.LLMConcurrency, Metrics: m, DialContext: guard.DialContext,
		Spent: spent})
	if err != nil {
		return nil, fmt.Errorf("GMC_LLM_BASE_URL: %w", err)
	}
	return c, nil
}

// chargeAI counts a language model call's tokens in its campaign's AI
// budget. The clients are made before the service, which counts them;
// no call is made before it exists.
func (a *App) chargeAI(ctx context.Context, campaign string, u llm.Usage) {
	if a.svc != nil {
		a.svc.ChargeAI(ctx, campaign, u.Total())
	}
}

// AIUsage is the language model tokens spent per campaign id since the
// start, for metrics; nil in built-in mode, which spends none.
func (a *App) AIUsage() map[string]llm.Usage {
	if a.llm == nil {
		return nil
	}
	return a.llm.UsageByCampaign()
}

// summarizer makes the session summaries: with a language model when one
// is configured (its summary keeps the built-in recaps, and says so, when
// the model fails), else built in.
func (a *App) summarizer() summary.Summarizer {
	if a.llm == nil {
		return summary.Builtin{}
	}
	return summary.LLM{Client: a.llm, Log: a.log}
}

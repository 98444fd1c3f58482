package app

import (
	"fmt"

	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/llm"
	"github.com/gmc-project/gmc/internal/metrics"
	"github.com/gmc-project/gmc/internal/outbound"
	"github.com/gmc-project/gmc/internal/summary"
)

// OpenLLM makes the language model client of the GMC_LLM_* settings.
// m counts its requests and tokens (nil: not counted).
func OpenLLM(cfg config.Config, m *metrics.Metrics) (*llm.Client, error) {
	// The model's host only: a redirect or an address in an answer
	// leads nowhere else.
	guard, err := outbound.Service(cfg.LLMBaseURL)
	if err != nil {
		return nil, fmt.Errorf("GMC_LLM_BASE_URL: %w", err)
	}
	c, err := llm.New(llm.Config{BaseURL: cfg.LLMBaseURL, Model: cfg.LLMModel, APIKey: cfg.LLMAPIKey,
		RequestTimeout: cfg.LLMTimeout, TotalTimeout: cfg.LLMTotalTimeout, Concurrency: cfg.LLMConcurrency, Metrics: m, DialContext: guard.DialContext})
	if err != nil {
		return nil, fmt.Errorf("GMC_LLM_BASE_URL: %w", err)
	}
	return c, nil
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

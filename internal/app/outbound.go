package app

import (
	"cmp"

	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/discord"
	"github.com/gmc-project/gmc/internal/dndbeyond"
	"github.com/gmc-project/gmc/internal/outbound"
)

// outboundGuard is where the server may connect: the internet services
// users' input reaches (Discord, D&D Beyond) only at public addresses,
// unless configured at a local address or GMC_OUTBOUND_ALLOW_PRIVATE is
// set; the operator's own services (language model, speech) wherever
// they are; nothing else.
func outboundGuard(cfg config.Config) (*outbound.Guard, error) {
	// An empty URL is the client's default (a Config made in code).
	oc := outbound.Config{Internet: []string{cmp.Or(cfg.DiscordAPIURL, discord.DefaultBaseURL)}, Operator: []string{cfg.LLMBaseURL, cfg.WhisperURL, cfg.DiartURL},
		AllowPrivate: cfg.OutboundAllowPrivate}
	if cfg.DndBeyondURL != "off" {
		oc.Internet = append(oc.Internet, cmp.Or(cfg.DndBeyondURL, dndbeyond.DefaultBaseURL))
	}
	return outbound.New(oc)
}

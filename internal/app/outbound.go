package app

import (
	"cmp"

	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/discord"
	"github.com/gmc-project/gmc/internal/dndbeyond"
	"github.com/gmc-project/gmc/internal/outbound"
)

// outboundGuard is where the internet integrations (Discord, D&D Beyond),
// which users' input reaches, may connect: their configured hosts, at
// public addresses only unless configured at a local address or
// GMC_OUTBOUND_ALLOW_PRIVATE is set, and nothing else. The operator's own
// services (language model, embeddings, speech, Diart) each have a guard
// of their own host (outbound.Service), so none of these clients reaches
// another's server either.
func outboundGuard(cfg config.Config) (*outbound.Guard, error) {
	// An empty URL is the client's default (a Config made in code).
	oc := outbound.Config{Internet: []string{cmp.Or(cfg.DiscordAPIURL, discord.DefaultBaseURL)}, AllowPrivate: cfg.OutboundAllowPrivate}
	if cfg.DndBeyondURL != "off" {
		oc.Internet = append(oc.Internet, cmp.Or(cfg.DndBeyondURL, dndbeyond.DefaultBaseURL))
	}
	return outbound.New(oc)
}

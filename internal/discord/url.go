package discord

import (
	"errors"
	"net/url"
	"strings"
)

// WebhookRef is a webhook's id and token, from the URL Discord shows in a
// channel's integration settings.
type WebhookRef struct {
	ID    string
	Token string
}

// webhookHosts are the hosts Discord hands out webhook URLs on (the
// stable, public-test and canary clients, on both domains).
var webhookHosts = map[string]bool{
	"discord.com": true, "ptb.discord.com": true, "canary.discord.com": true,
	"discordapp.com": true, "ptb.discordapp.com": true, "canary.discordapp.com": true,
}

// Limits of the parts of a webhook URL: a snowflake has at most 20 digits;
// tokens are 68 characters today, the bound leaves room for a change.
const (
	maxSnowflakeLen = 20
	maxTokenLen     = 200
)

// ParseWebhookURL checks that raw has the shape of a Discord webhook URL,
// https://discord.com/api/webhooks/{id}/{token} (or a versioned path
// /api/v10/webhooks/…, or one of the other hosts Discord uses), and
// returns its id and token. The error says what is wrong without
// repeating the URL, which holds the token.
func ParseWebhookURL(raw string) (WebhookRef, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return WebhookRef{}, errors.New("is not a URL")
	}
	switch {
	case u.Scheme != "https":
		return WebhookRef{}, errors.New("must be an https:// URL")
	case u.User != nil:
		return WebhookRef{}, errors.New("must not carry a user name or password")
	case !webhookHosts[strings.ToLower(u.Hostname())]:
		return WebhookRef{}, errors.New("must be on discord.com or discordapp.com (including ptb. and canary.)")
	case u.Port() != "" && u.Port() != "443":
		return WebhookRef{}, errors.New("must not name a port")
	case u.RawQuery != "" || u.Fragment != "":
		return WebhookRef{}, errors.New("must have no query or fragment")
	}
	parts := strings.Split(strings.TrimSuffix(u.EscapedPath(), "/"), "/")
	// "", "api", ["v10",] "webhooks", id, token
	if len(parts) == 6 && isVersion(parts[2]) {
		parts = append(parts[:2], parts[3:]...)
	}
	if len(parts) != 5 || parts[0] != "" || parts[1] != "api" || parts[2] != "webhooks" {
		return WebhookRef{}, errors.New("must have the path /api/webhooks/{id}/{token}")
	}
	id, token := parts[3], parts[4]
	if !isSnowflake(id) {
		return WebhookRef{}, errors.New("must have a numeric webhook id after /api/webhooks/")
	}
	if !isToken(token) {
		return WebhookRef{}, errors.New("must end with the webhook's token (letters, digits, - and _)")
	}
	return WebhookRef{ID: id, Token: token}, nil
}

func isVersion(s string) bool {
	v, ok := strings.CutPrefix(s, "v")
	return ok && v != "" && len(v) <= 3 && strings.Trim(v, "0123456789") == ""
}

func isSnowflake(s string) bool {
	return s != "" && len(s) <= maxSnowflakeLen && strings.Trim(s, "0123456789") == "" && strings.Trim(s, "0") != ""
}

func isToken(s string) bool {
	if s == "" || len(s) > maxTokenLen {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// TokenHint is what may be shown of a token: its last four characters,
// enough to tell two webhooks apart and nowhere near enough to use one.
func TokenHint(token string) string {
	if len(token) <= 8 {
		return "…"
	}
	return "…" + token[len(token)-4:]
}

package service

import (
	"context"
	"math"
	"net/netip"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/ratelimit"
)

// Limits are the attempt limits of the unauthenticated and costly entry
// points, per client address ("address": one IPv4 address or one IPv6
// /64, the block a single host usually has).
//
// Login counts three ways, so that no stranger can lock an owner out:
//
//   - LoginAddress: every attempt from an address, refused or not; it
//     bounds what one address costs (argon2id) whatever it guesses.
//   - LoginPair: failed logins for one account from one address. An
//     address that guesses is stopped here; the owner elsewhere is not.
//   - LoginAccount: failed logins for one account across addresses, the
//     slower limit against guessing spread over many addresses. It only
//     ever stops an address that is itself guessing: one with at least
//     SuspectAfter failures for that account in the LoginPair window.
//     An address with fewer (the owner's, after a typo or two) skips it,
//     so a correct password from an address that has not been guessing
//     always gets in. A spread-out guesser gets SuspectAfter free guesses
//     per address and window and then shares LoginAccount with the rest.
//
// Suspect addresses take their LoginAccount place before the password is
// checked, so parallel guesses cannot overrun it; an address that is not
// yet suspect can at most race LoginAddress-many guesses past it once.
// A success from an address forgets that address's failures for the
// account. Addresses behind one NAT share their counts: a guesser there
// limits its neighbours' logins to that account, but no one else's.
type Limits struct {
	LoginAddress ratelimit.Rule
	LoginPair    ratelimit.Rule
	LoginAccount ratelimit.Rule
	SuspectAfter int
	// Register and AcceptInvite count every attempt per address, against
	// account spam (each registration is an argon2id hash) and code guessing.
	Register     []ratelimit.Rule
	AcceptInvite []ratelimit.Rule
	// DndBeyondFetch counts the characters each account has fetched from
	// D&D Beyond, whose unofficial service rate limits the server's
	// address: one member's script must not cost everyone their imports.
	DndBeyondFetch []ratelimit.Rule
	// Routes limits API requests by class (RouteClasses, AllowRequest);
	// nil limits none.
	Routes map[string]ratelimit.Rule
}

// DefaultLimits are generous for a gaming group, including one whose
// players share a venue's network, and tight for a script.
var DefaultLimits = Limits{
	LoginAddress: ratelimit.Rule{Name: "login-addr", Limit: 30, Window: time.Minute},
	LoginPair:    ratelimit.Rule{Name: "login-fail", Limit: 10, Window: time.Hour},
	LoginAccount: ratelimit.Rule{Name: "login-account", Limit: 20, Window: time.Hour},
	SuspectAfter: 3,
	Register: []ratelimit.Rule{
		{Name: "register-min", Limit: 10, Window: time.Minute},
		{Name: "register-hour", Limit: 30, Window: time.Hour},
	},
	AcceptInvite: []ratelimit.Rule{
		{Name: "invite-min", Limit: 10, Window: time.Minute},
		{Name: "invite-hour", Limit: 60, Window: time.Hour},
	},
	DndBeyondFetch: []ratelimit.Rule{
		{Name: "dndbeyond-min", Limit: 20, Window: time.Minute},
		{Name: "dndbeyond-hour", Limit: 120, Window: time.Hour},
	},
}

// addressKey groups an address with the others its owner likely holds.
// An empty address is an in-process caller (a command, a tool), not limited.
func addressKey(clientIP string) string {
	a, err := netip.ParseAddr(clientIP)
	if err != nil {
		return clientIP
	}
	if a = a.Unmap(); a.Is6() {
		return netip.PrefixFrom(a.WithZone(""), 64).Masked().String()
	}
	return a.String()
}

func limited(d ratelimit.Decision) error {
	return &gmc.RateLimitError{RetryAfterSeconds: max(int(math.Ceil(d.RetryAfter.Seconds())), 1)}
}

// allowAll records an attempt under every rule and refuses when one is full.
func (s *Service) allowAll(ctx context.Context, rules []ratelimit.Rule, clientIP string) error {
	if clientIP == "" {
		return nil
	}
	key := addressKey(clientIP)
	for _, r := range rules {
		d, err := s.limiter.Allow(ctx, r, key)
		if err != nil {
			return err
		}
		if !d.Allowed {
			return limited(d)
		}
	}
	return nil
}

// loginAttempt is one login under way; its outcome updates the counts.
type loginAttempt struct {
	s             *Service
	account, pair string
	suspect       bool
}

// startLogin applies the login limits before the password is checked.
// A nil attempt (in-process callers) counts nothing.
func (s *Service) startLogin(ctx context.Context, email, clientIP string) (*loginAttempt, error) {
	if clientIP == "" {
		return nil, nil
	}
	addr := addressKey(clientIP)
	if err := s.allowAll(ctx, []ratelimit.Rule{s.limits.LoginAddress}, clientIP); err != nil {
		return nil, err
	}
	a := &loginAttempt{s: s, account: email, pair: email + "|" + addr}
	failures, err := s.limiter.Peek(ctx, s.limits.LoginPair, a.pair)
	if err != nil {
		return nil, err
	}
	if !failures.Allowed {
		return nil, limited(failures)
	}
	if a.suspect = failures.Count >= s.limits.SuspectAfter; a.suspect {
		d, err := s.limiter.Allow(ctx, s.limits.LoginAccount, a.account)
		if err != nil {
			return nil, err
		}
		if !d.Allowed {
			return nil, limited(d)
		}
	}
	return a, nil
}

// failed counts a wrong password (or unknown account) against the address
// and the account. A suspect address has already taken its account place.
func (a *loginAttempt) failed(ctx context.Context) {
	if a == nil {
		return
	}
	if _, err := a.s.limiter.Allow(ctx, a.s.limits.LoginPair, a.pair); err != nil {
		a.s.log.WarnContext(ctx, "login limits: count a failure", "error", err)
	}
	if !a.suspect {
		if _, err := a.s.limiter.Allow(ctx, a.s.limits.LoginAccount, a.account); err != nil {
			a.s.log.WarnContext(ctx, "login limits: count a failure", "error", err)
		}
	}
}

// succeeded forgets the address's failures for the account.
func (a *loginAttempt) succeeded(ctx context.Context) {
	if a == nil {
		return
	}
	if err := a.s.limiter.Reset(ctx, a.s.limits.LoginPair, a.pair); err != nil {
		a.s.log.WarnContext(ctx, "login limits: forget failures", "error", err)
	}
}

package service

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gmc-project/gmc/internal/ratelimit"
)

// RouteClasses are the classes of API operation a request limit applies
// to: signing in and up (per client address), and, per account, reads,
// writes, searches, AI drafts and audio.
var RouteClasses = []string{"auth", "read", "write", "search", "ai", "audio"}

// ParseRouteLimits reads "class=limit/window,…" (e.g. "read=600/1m"), or
// "off" for none. Classes left out are not limited.
func ParseRouteLimits(s string) (map[string]ratelimit.Rule, error) {
	out := map[string]ratelimit.Rule{}
	if s = strings.TrimSpace(s); s == "off" || s == "" {
		return out, nil
	}
	for _, f := range strings.Split(s, ",") {
		class, spec, ok := strings.Cut(strings.TrimSpace(f), "=")
		if !ok || !isRouteClass(class) {
			return nil, fmt.Errorf("%q: want class=limit/window with class one of %s", f, strings.Join(RouteClasses, ", "))
		}
		n, w, ok := strings.Cut(spec, "/")
		limit, err := strconv.Atoi(n)
		if !ok || err != nil || limit < 1 {
			return nil, fmt.Errorf("%q: the limit must be a whole number of at least 1 before a /window such as /1m", f)
		}
		window, err := time.ParseDuration(w)
		if err != nil || window < time.Second {
			return nil, fmt.Errorf("%q: the window must be a duration of at least 1s such as 1m", f)
		}
		if _, dup := out[class]; dup {
			return nil, fmt.Errorf("%q: %s is limited twice", f, class)
		}
		out[class] = ratelimit.Rule{Name: "route-" + class, Limit: limit, Window: window}
	}
	return out, nil
}

func isRouteClass(c string) bool {
	i := sort.SearchStrings(sortedClasses, c)
	return i < len(sortedClasses) && sortedClasses[i] == c
}

var sortedClasses = func() []string {
	s := append([]string(nil), RouteClasses...)
	sort.Strings(s)
	return s
}()

// AllowRequest counts a request of class against key (an account id, or
// for "auth" a client address) and refuses it with a RateLimitError when
// the class's limit is reached. A class with no limit, or an empty key
// (an in-process caller), is always allowed.
func (s *Service) AllowRequest(ctx context.Context, class, key string) error {
	rule, ok := s.limits.Routes[class]
	if !ok || key == "" {
		return nil
	}
	if class == "auth" {
		key = addressKey(key)
	}
	d, err := s.limiter.Allow(ctx, rule, key)
	if err != nil {
		// A limiter that fails must not take the API down with it
		// (Failover already counts in memory while Redis is away).
		s.log.WarnContext(ctx, "request limits: count", "class", class, "error", err)
		return nil
	}
	if !d.Allowed {
		return limited(d)
	}
	return nil
}

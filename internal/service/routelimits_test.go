package service

import (
	"testing"
	"time"
)

func TestParseRouteLimits(t *testing.T) {
	t.Parallel()
	got, err := ParseRouteLimits("auth=60/1m, read=1200/1m,ai=5/24h")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got["read"].Limit != 1200 || got["read"].Window != time.Minute || got["ai"].Window != 24*time.Hour || got["auth"].Name != "route-auth" {
		t.Errorf("ParseRouteLimits = %+v", got)
	}
	for _, s := range []string{"off", ""} {
		if got, err := ParseRouteLimits(s); err != nil || len(got) != 0 {
			t.Errorf("ParseRouteLimits(%q) = %v, %v; want none", s, got, err)
		}
	}
	for _, bad := range []string{"reads=1/1m", "read=0/1m", "read=x/1m", "read=5", "read=5/1ms", "read=5/1m,read=6/1m", "read"} {
		if _, err := ParseRouteLimits(bad); err == nil {
			t.Errorf("ParseRouteLimits(%q) = nil error", bad)
		}
	}
}

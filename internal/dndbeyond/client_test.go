package dndbeyond_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/dndbeyond"
	"github.com/gmc-project/gmc/internal/dndbeyond/ddbtest"
)

func TestClientFetch(t *testing.T) {
	t.Parallel()
	srv := ddbtest.NewServer(t)
	monk := fixture(t, "v5-response_monk8_33721388.json")
	elsewhere := ddbtest.NewServer(t)
	elsewhere.Set(1, monk)
	srv.Set(33721388, monk)
	srv.Answer(2, http.StatusForbidden, []byte(ddbtest.PrivateEnvelope))
	srv.Answer(3, http.StatusOK, []byte(ddbtest.PrivateEnvelope))
	srv.Answer(4, http.StatusOK, []byte(`{"success":true,"data":"nope"}`))
	srv.Answer(5, http.StatusOK, []byte(`<html>maintenance</html>`))
	srv.Hang(6)
	srv.Redirect(7, elsewhere.BaseURL()+"1")
	srv.Redirect(8, srv.BaseURL()+"33721388")
	srv.Answer(9, http.StatusOK, append([]byte(`{"pad":"`+strings.Repeat("x", 4096)), monk...))
	srv.Answer(10, http.StatusTooManyRequests, nil)
	srv.Answer(11, http.StatusInternalServerError, nil)
	srv.Answer(12, http.StatusBadRequest, []byte(ddbtest.PrivateEnvelope))

	c, err := dndbeyond.NewClient(dndbeyond.ClientConfig{BaseURL: srv.BaseURL(), Timeout: 300 * time.Millisecond, MaxBytes: int64(len(monk)) + 100})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		id   int64
		want error
	}{
		{"public", 33721388, nil},
		{"forbidden", 2, dndbeyond.ErrPrivate},
		{"error envelope with 200", 3, dndbeyond.ErrPrivate},
		{"error envelope with 400", 12, dndbeyond.ErrPrivate},
		{"unknown", 404404, dndbeyond.ErrNotFound},
		{"not a character", 4, dndbeyond.ErrMalformed},
		{"not JSON", 5, dndbeyond.ErrMalformed},
		{"no answer", 6, dndbeyond.ErrUnavailable},
		{"redirect elsewhere", 7, dndbeyond.ErrUnavailable},
		{"redirect within", 8, nil},
		{"too large", 9, dndbeyond.ErrMalformed},
		{"rate limited", 10, dndbeyond.ErrUnavailable},
		{"server error", 11, dndbeyond.ErrUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc, err := c.Fetch(context.Background(), tc.id)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Fetch(%d) error = %v, want %v", tc.id, err, tc.want)
			}
			if err == nil {
				if _, err := dndbeyond.Parse(doc); err != nil {
					t.Errorf("Parse(fetched) = %v", err)
				}
			}
		})
	}
	if n := elsewhere.Hits(1); n != 0 {
		t.Errorf("the other host was asked %d times, want 0", n)
	}
}

func TestNewClientRefusesBadBaseURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"ftp://example.com/", "/relative/", "http://"} {
		if _, err := dndbeyond.NewClient(dndbeyond.ClientConfig{BaseURL: u}); err == nil {
			t.Errorf("NewClient(%q) = nil error, want one", u)
		}
	}
}

func TestParseRef(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ref  string
		want int64
	}{
		{"33721388", 33721388},
		{" 33721388 ", 33721388},
		{"https://www.dndbeyond.com/characters/147570397", 147570397},
		{"https://dndbeyond.com/characters/147570397/", 147570397},
		{"https://www.dndbeyond.com/characters/147570397/builder", 147570397},
		{"https://www.dndbeyond.com/profile/someone/characters/99591617", 99591617},
		{"https://evil.example/characters/1", 0},
		{"https://www.dndbeyond.com/monsters/17", 0},
		{"0", 0},
		{"-5", 0},
		{"abc", 0},
	}
	for _, tc := range tests {
		got, err := dndbeyond.ParseRef(tc.ref)
		if got != tc.want || (err == nil) != (tc.want != 0) {
			t.Errorf("ParseRef(%q) = %d, %v; want %d", tc.ref, got, err, tc.want)
		}
	}
}

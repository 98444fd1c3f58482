package outbound

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"testing"
)

func TestPublic(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		addr   string
		public bool
	}{
		{"162.159.135.232", true}, {"2606:4700::6810:84e5", true},
		{"127.0.0.1", false}, {"10.1.2.3", false}, {"172.16.0.1", false}, {"192.168.1.1", false},
		{"169.254.169.254", false}, {"100.64.0.1", false}, {"0.0.0.0", false}, {"255.255.255.255", false},
		{"224.0.0.1", false}, {"198.18.0.1", false}, {"::1", false}, {"::", false}, {"fe80::1", false},
		{"fc00::1", false}, {"fd12::1", false}, {"::ffff:127.0.0.1", false}, {"::ffff:10.0.0.1", false},
		{"64:ff9b::a00:1", false}, {"2002:a00:1::", false}, {"ff02::1", false},
	} {
		if got := Public(netip.MustParseAddr(tc.addr)); got != tc.public {
			t.Errorf("Public(%s) = %v, want %v", tc.addr, got, tc.public)
		}
	}
}

// fakeDNS answers every name with the addresses an attacker chose.
type fakeDNS map[string][]netip.Addr

func (f fakeDNS) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := f[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// TestGuard sends real requests to a loopback server under each policy:
// a configured internet service whose name resolves to it is refused (as a
// rebound name would be), the same explicitly configured, or run by the
// operator, or with AllowPrivate, gets through, and an unconfigured host
// or port never does.
func TestGuard(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	port := u.Port()
	loop := []netip.Addr{netip.MustParseAddr("127.0.0.1")}
	dns := fakeDNS{"discord.test": loop, "ollama.test": loop, "mixed.test": {netip.MustParseAddr("10.0.0.7"), netip.MustParseAddr("127.0.0.1")}}
	for _, tc := range []struct {
		name string
		cfg  Config
		url  string
		ok   bool
	}{
		{"internet name resolving to loopback", Config{Internet: []string{"http://discord.test:" + port}}, "http://discord.test:" + port, false},
		{"internet name, one private address among others", Config{Internet: []string{"http://mixed.test:" + port}}, "http://mixed.test:" + port, false},
		{"internet name with AllowPrivate", Config{Internet: []string{"http://discord.test:" + port}, AllowPrivate: true}, "http://discord.test:" + port, true},
		{"internet service configured at a loopback address", Config{Internet: []string{srv.URL + "/api/v10"}}, srv.URL + "/x", true},
		{"operator's service on a private name", Config{Operator: []string{"http://ollama.test:" + port + "/v1"}}, "http://ollama.test:" + port + "/v1/models", true},
		{"unconfigured host", Config{Internet: []string{"https://discord.com/api/v10"}}, srv.URL, false},
		{"configured host, other port", Config{Operator: []string{"http://127.0.0.1:1/v1"}}, srv.URL, false},
		{"default port of the scheme", Config{Operator: []string{"http://ollama.test/v1"}}, "http://ollama.test:" + port, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g, err := New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			g.resolver = dns
			res, err := (&http.Client{Transport: g.Transport()}).Get(tc.url)
			if err == nil {
				res.Body.Close()
			}
			switch {
			case tc.ok && err != nil:
				t.Fatalf("GET %s: %v", tc.url, err)
			case !tc.ok && err == nil:
				t.Fatalf("GET %s = %d, want refused", tc.url, res.StatusCode)
			case !tc.ok && !errors.Is(err, ErrRefused):
				t.Fatalf("GET %s: %v, want ErrRefused", tc.url, err)
			}
		})
	}
}

func TestNewRefusesBadURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"not a url", "/relative", "ftp://host/x"} {
		if _, err := New(Config{Internet: []string{u}}); err == nil {
			t.Errorf("New(%q) = nil error", u)
		}
	}
}

// TestSameHost: a redirect is followed within the configured host and
// port only; a WebSocket URL and the HTTP request of its handshake are the
// same place.
func TestSameHost(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		base, to string
		ok       bool
	}{
		{"http://127.0.0.1:8000", "http://127.0.0.1:8000/v1/audio/transcriptions", true},
		{"http://Whisper.lan:8000/v1", "http://whisper.lan:8000/elsewhere", true},
		{"ws://127.0.0.1:7007", "http://127.0.0.1:7007/", true},
		{"https://llm.example", "https://llm.example:443/v1/models", true},
		{"http://127.0.0.1:8000", "http://127.0.0.1:8001/", false},
		{"http://127.0.0.1:8000", "http://localhost:8000/", false},
		{"http://127.0.0.1:8000", "http://169.254.169.254/latest/meta-data", false},
		{"https://llm.example", "http://llm.example/v1", false},
	} {
		check, err := SameHost(tc.base)
		if err != nil {
			t.Fatal(err)
		}
		to, _ := url.Parse(tc.to)
		err = check(&http.Request{URL: to}, []*http.Request{{}})
		if (err == nil) != tc.ok {
			t.Errorf("%s → %s: %v, want allowed %v", tc.base, tc.to, err, tc.ok)
		}
		if err != nil && tc.ok == false && !errors.Is(err, ErrForeignRedirect) {
			t.Errorf("%s → %s: %v, want ErrForeignRedirect", tc.base, tc.to, err)
		}
	}
	if _, err := SameHost("not a url"); err == nil {
		t.Error("SameHost took a URL without a host")
	}
}

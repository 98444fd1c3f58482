package httpapi

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientAddr(t *testing.T) {
	t.Parallel()
	trusted := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("192.0.2.1/32"),
		netip.MustParsePrefix("2001:db8:ffff::/48"),
	}
	tests := []struct {
		name    string
		peer    string
		headers [][2]string
		want    string
	}{
		{"no proxy", "198.51.100.7:5000", nil, "198.51.100.7"},
		{"untrusted peer, forged X-Forwarded-For", "198.51.100.7:5000", [][2]string{{"X-Forwarded-For", "203.0.113.9"}}, "198.51.100.7"},
		{"untrusted peer, forged Forwarded", "198.51.100.7:5000", [][2]string{{"Forwarded", "for=203.0.113.9"}}, "198.51.100.7"},
		{"trusted peer without header", "10.1.1.1:5000", nil, "10.1.1.1"},
		{"trusted peer names the client", "10.1.1.1:5000", [][2]string{{"X-Forwarded-For", "203.0.113.9"}}, "203.0.113.9"},
		{"client-forged entries left of the proxy's are ignored", "10.1.1.1:5000", [][2]string{{"X-Forwarded-For", "1.1.1.1, 2.2.2.2, 203.0.113.9"}}, "203.0.113.9"},
		{"several trusted proxies", "10.1.1.1:5000", [][2]string{{"X-Forwarded-For", "203.0.113.9, 192.0.2.1, 10.2.2.2"}}, "203.0.113.9"},
		{"forged trusted address left of the client", "10.1.1.1:5000", [][2]string{{"X-Forwarded-For", "10.9.9.9, 203.0.113.9, 10.2.2.2"}}, "203.0.113.9"},
		{"header lines in order", "10.1.1.1:5000", [][2]string{{"X-Forwarded-For", "1.1.1.1"}, {"X-Forwarded-For", "203.0.113.9, 10.2.2.2"}}, "203.0.113.9"},
		{"every hop trusted", "10.1.1.1:5000", [][2]string{{"X-Forwarded-For", "10.3.3.3, 10.2.2.2"}}, "10.3.3.3"},
		{"hop with a port", "10.1.1.1:5000", [][2]string{{"X-Forwarded-For", "203.0.113.9:4711"}}, "203.0.113.9"},
		{"malformed hop after the proxies", "10.1.1.1:5000", [][2]string{{"X-Forwarded-For", "203.0.113.9, not-an-ip, 10.2.2.2"}}, "10.2.2.2"},
		{"malformed only hop", "10.1.1.1:5000", [][2]string{{"X-Forwarded-For", "<script>"}}, "10.1.1.1"},
		{"empty header", "10.1.1.1:5000", [][2]string{{"X-Forwarded-For", ""}}, "10.1.1.1"},
		{"garbage left of the client is ignored", "10.1.1.1:5000", [][2]string{{"X-Forwarded-For", "garbage, 203.0.113.9"}}, "203.0.113.9"},
		{"IPv6 client", "10.1.1.1:5000", [][2]string{{"X-Forwarded-For", "2001:db8::1"}}, "2001:db8::1"},
		{"IPv6 trusted peer", "[2001:db8:ffff::5]:443", [][2]string{{"X-Forwarded-For", "2001:db8::1"}}, "2001:db8::1"},
		{"IPv6 untrusted peer", "[2001:db8:1::5]:443", [][2]string{{"X-Forwarded-For", "2001:db8::1"}}, "2001:db8:1::5"},
		{"IPv4-mapped IPv6 peer", "[::ffff:10.1.1.1]:5000", [][2]string{{"X-Forwarded-For", "203.0.113.9"}}, "203.0.113.9"},
		{"IPv4-mapped IPv6 client", "10.1.1.1:5000", [][2]string{{"X-Forwarded-For", "::ffff:203.0.113.9"}}, "203.0.113.9"},
		{"Forwarded", "10.1.1.1:5000", [][2]string{{"Forwarded", "for=203.0.113.9;proto=https"}}, "203.0.113.9"},
		{"Forwarded quoted IPv6 with port", "10.1.1.1:5000", [][2]string{{"Forwarded", `for="[2001:db8::1]:4711"`}}, "2001:db8::1"},
		{"Forwarded quoted IPv6 without port", "10.1.1.1:5000", [][2]string{{"Forwarded", `For="[2001:db8::1]"`}}, "2001:db8::1"},
		{"Forwarded chain", "10.1.1.1:5000", [][2]string{{"Forwarded", `for=1.1.1.1, for=203.0.113.9;by=10.2.2.2, for="10.2.2.2:80";proto=http`}}, "203.0.113.9"},
		{"Forwarded obfuscated hop", "10.1.1.1:5000", [][2]string{{"Forwarded", "for=_hidden, for=10.2.2.2"}}, "10.2.2.2"},
		{"Forwarded unknown", "10.1.1.1:5000", [][2]string{{"Forwarded", "for=unknown"}}, "10.1.1.1"},
		{"Forwarded element without for", "10.1.1.1:5000", [][2]string{{"Forwarded", "proto=https;by=10.2.2.2"}}, "10.1.1.1"},
		{"Forwarded with a quoted comma", "10.1.1.1:5000", [][2]string{{"Forwarded", `for=203.0.113.9;ext="a,b"`}}, "203.0.113.9"},
		{"Forwarded unquoted IPv6 is malformed", "10.1.1.1:5000", [][2]string{{"Forwarded", "for=[2001:db8::1"}}, "10.1.1.1"},
		{"X-Forwarded-For wins over Forwarded", "10.1.1.1:5000", [][2]string{{"Forwarded", "for=1.1.1.1"}, {"X-Forwarded-For", "203.0.113.9"}}, "203.0.113.9"},
	}
	for _, tc := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.peer
		for _, h := range tc.headers {
			r.Header.Add(h[0], h[1])
		}
		if got := clientAddr(r, trusted); got != tc.want {
			t.Errorf("%s: clientAddr = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestClientAddrTrustsNobodyByDefault(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "127.0.0.1:5000"
	r.Header.Set("X-Forwarded-For", "203.0.113.9")
	r.Header.Set("Forwarded", "for=203.0.113.9")
	if got := clientAddr(r, nil); got != "127.0.0.1" {
		t.Errorf("clientAddr with no trusted proxies = %q, want the peer", got)
	}
}

// Package outbound decides where the server may connect: only to the
// hosts its configuration names, and, for internet services reached with
// what users supply (a Discord webhook URL, a D&D Beyond character URL),
// never to a private, loopback or link-local address.
//
// The address check runs in the dialer's Control hook, after DNS
// resolution and for the very address connected to, so a name that
// resolves to a public address when checked and a private one when used
// (DNS rebinding) is refused as well.
package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrRefused is the error of a connection the policy refuses.
var ErrRefused = errors.New("outbound connection refused")

// Config lists the services the server calls, as the base URLs it was
// configured with.
type Config struct {
	// Internet are the services on the public internet (Discord's API,
	// D&D Beyond): their names must resolve to public addresses. A URL
	// whose host is itself a loopback or private address literal, or
	// localhost, is the operator's explicit choice (a local stand-in) and
	// may be reached.
	Internet []string
	// Operator are services the operator runs (the language model, the
	// speech recogniser, Diart), often on the same host or network: they
	// may resolve to private addresses.
	Operator []string
	// AllowPrivate lets every configured host reach private addresses
	// (GMC_OUTBOUND_ALLOW_PRIVATE), for test setups whose stand-ins have
	// names.
	AllowPrivate bool
}

// Guard is a dialer that applies a Config.
type Guard struct {
	// hosts maps each configured host:port (host in lower case) to
	// whether it may reach private addresses.
	hosts    map[string]bool
	dialer   net.Dialer
	resolver resolver
}

// resolver is net.Resolver's lookup, replaced in tests to give a name
// the addresses an attacker's DNS would.
type resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

var defaultPorts = map[string]string{"http": "80", "ws": "80", "https": "443", "wss": "443"}

// New builds a Guard; a URL that does not parse is an error naming it.
func New(cfg Config) (*Guard, error) {
	g := &Guard{hosts: map[string]bool{}, dialer: net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}, resolver: net.DefaultResolver}
	add := func(raw string, private bool) error {
		if raw == "" {
			return nil
		}
		k, err := hostPort(raw)
		if err != nil {
			return err
		}
		if !private {
			h, _, _ := net.SplitHostPort(k)
			private = cfg.AllowPrivate || h == "localhost" || literalNonPublic(h)
		}
		g.hosts[k] = g.hosts[k] || private
		return nil
	}
	for _, u := range cfg.Internet {
		if err := add(u, false); err != nil {
			return nil, err
		}
	}
	for _, u := range cfg.Operator {
		if err := add(u, true); err != nil {
			return nil, err
		}
	}
	return g, nil
}

func literalNonPublic(host string) bool {
	a, err := netip.ParseAddr(host)
	return err == nil && !Public(a)
}

// DialContext connects to addr ("host:port") if the policy allows it.
func (g *Guard) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	private, ok := g.hosts[net.JoinHostPort(strings.ToLower(host), port)]
	if !ok {
		return nil, fmt.Errorf("%w: %s is not a configured service", ErrRefused, addr)
	}
	d := g.dialer
	if !private {
		// Checked on the address each attempt connects to, after any
		// resolution.
		d.Control = refusePrivate(host)
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return d.DialContext(ctx, network, addr)
	}
	ips, err := g.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, ip := range ips {
		c, err := d.DialContext(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil, fmt.Errorf("%s: no addresses", host)
	}
	return nil, errors.Join(errs...)
}

func refusePrivate(host string) func(_, address string, _ syscall.RawConn) error {
	return func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: cannot read the address %q", ErrRefused, address)
		}
		if !Public(ap.Addr()) {
			return fmt.Errorf("%w: %s is the non-public address %s", ErrRefused, host, ap.Addr())
		}
		return nil
	}
}

// Service is the Guard of a client of one operator-run service (a speech
// recogniser, Diart, a language model): it reaches that URL's host and
// port, at whatever addresses the host resolves to (a local server on
// 127.0.0.1 is normal), and nothing else, so an answer that points the
// client elsewhere leads nowhere.
func Service(rawURL string) (*Guard, error) {
	return New(Config{Operator: []string{rawURL}})
}

// Client is an HTTP client of the one service at rawURL: it dials through
// Service's guard and follows a redirect only within that host and port
// (SameHost), so the refusal names the redirect rather than a dial.
func Client(rawURL string, timeout time.Duration) (*http.Client, error) {
	g, err := Service(rawURL)
	if err != nil {
		return nil, err
	}
	check, err := SameHost(rawURL)
	if err != nil {
		return nil, err
	}
	return &http.Client{Transport: g.Transport(), CheckRedirect: check, Timeout: timeout}, nil
}

// ErrForeignRedirect is a redirect away from the configured host.
var ErrForeignRedirect = errors.New("outbound: redirect to another host refused")

// SameHost is an http.Client CheckRedirect that follows at most a few
// redirects, each to rawURL's own host and port (ws and http count as one
// scheme, as WebSocket handshakes are HTTP requests).
func SameHost(rawURL string) (func(*http.Request, []*http.Request) error, error) {
	want, err := hostPort(rawURL)
	if err != nil {
		return nil, err
	}
	return func(req *http.Request, via []*http.Request) error {
		if got, err := hostPort(req.URL.String()); err != nil || got != want {
			return fmt.Errorf("%w: %s sent the client to %s", ErrForeignRedirect, want, req.URL.Redacted())
		}
		if len(via) >= 5 {
			return errors.New("outbound: too many redirects")
		}
		return nil
	}, nil
}

// hostPort is rawURL's host (lower case) and port, the scheme's default
// port when it names none.
func hostPort(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Hostname() == "" {
		return "", fmt.Errorf("outbound: %q is not an absolute URL", rawURL)
	}
	port := u.Port()
	if port == "" {
		if port = defaultPorts[u.Scheme]; port == "" {
			return "", fmt.Errorf("outbound: %q names no port", rawURL)
		}
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port), nil
}

// Transport is an HTTP transport that dials through g. It uses no proxy
// from the environment: the proxy would be the host dialed, and the
// policy could no longer see where a request goes.
func (g *Guard) Transport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = g.DialContext
	return t
}

// nonPublic are the special-purpose ranges of RFC 6890 and its successors
// that netip's predicates do not cover.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"), // NAT64: may embed any IPv4 address
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2002::/16"), // 6to4: may embed any IPv4 address
}

// Public reports whether a is a global unicast address outside every
// private, loopback, link-local and special-purpose range.
func Public(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || !a.IsGlobalUnicast() || a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

package httpapi

import (
	"net/http"
	"net/netip"
	"strings"
)

// clientAddr is the address the rate limits count a request under.
//
// The peer (RemoteAddr) is the client unless it is one of the trusted
// proxies. A trusted proxy's forwarding header is read from the right, the
// end the proxies append to: each hop that is a trusted proxy hands over
// to the one before it, and the first untrusted hop is the client.
// Anything left of that hop is the client's own claim and is ignored; a
// malformed hop ends the walk at the last trusted address, so garbage
// counts under a proxy, never under an address of the sender's choosing.
//
// X-Forwarded-For is read when present, else Forwarded (RFC 7239): the
// common proxies append to X-Forwarded-For, so a Forwarded header sent
// alongside it is the client's and must not win. A proxy that writes only
// Forwarded must drop an incoming X-Forwarded-For.
func clientAddr(r *http.Request, trusted []netip.Prefix) string {
	peer, ok := parseHop(r.RemoteAddr)
	if !ok {
		return r.RemoteAddr
	}
	addr := peer
	if !isTrusted(peer, trusted) {
		return addr.String()
	}
	hops := forwardedHops(r.Header)
	for i := len(hops) - 1; i >= 0; i-- {
		hop, ok := parseHop(hops[i])
		if !ok {
			break
		}
		addr = hop
		if !isTrusted(hop, trusted) {
			break
		}
	}
	return addr.String()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedHops lists the forwarded-for nodes, client first, as written.
func forwardedHops(h http.Header) []string {
	var hops []string
	if xff := h.Values("X-Forwarded-For"); len(xff) > 0 {
		for _, v := range xff {
			hops = append(hops, strings.Split(v, ",")...)
		}
		return hops
	}
	for _, v := range h.Values("Forwarded") {
		for _, element := range splitQuoted(v, ',') {
			hops = append(hops, forwardedFor(element))
		}
	}
	return hops
}

// forwardedFor is the for= parameter of one Forwarded element, or "" (a
// malformed hop) when it has none.
func forwardedFor(element string) string {
	for _, pair := range splitQuoted(element, ';') {
		name, value, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if ok && strings.EqualFold(strings.TrimSpace(name), "for") {
			return strings.TrimSpace(value)
		}
	}
	return ""
}

// splitQuoted splits s at sep outside double-quoted strings.
func splitQuoted(s string, sep byte) []string {
	var parts []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && quoted:
			i++
		case s[i] == '"':
			quoted = !quoted
		case s[i] == sep && !quoted:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// parseHop reads one node: an IP address, optionally quoted, with an
// optional port ("192.0.2.1:80", "[2001:db8::1]:4711"). Obfuscated names
// ("unknown", "_proxy1") are not addresses and fail.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return canonical(a)
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return canonical(ap.Addr())
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil && a.Is6() {
			return canonical(a)
		}
	}
	return netip.Addr{}, false
}

// canonical drops zones and IPv4-in-IPv6 mapping, so one client has one key.
func canonical(a netip.Addr) (netip.Addr, bool) {
	return a.WithZone("").Unmap(), true
}

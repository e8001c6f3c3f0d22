package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies. Behind a reverse proxy every request comes from the proxy's
// address, and the client's is in X-Forwarded-For or X-Real-IP. Those
// headers are believed only from the proxies listed in
// Config.TrustedProxies: from anyone else they are the client's own words,
// and a client could name any address (and so escape its login throttle,
// or lock out someone else's).

// peer is the address the connection comes from.
func peer(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientIP is the address of the client: the peer, or, when the peer is a
// trusted proxy, the nearest address in X-Forwarded-For that is not one of
// the trusted proxies (addresses further left were added by the client or
// by proxies we do not know), else X-Real-IP.
func (s *Server) clientIP(r *http.Request) string {
	p := peer(r)
	if !s.trusted(p) {
		return p.String()
	}
	if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
		hops := strings.Split(strings.Join(xff, ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break // a malformed hop: nothing to its left can be believed
			}
			if a = a.Unmap(); !s.trusted(a) {
				return a.String()
			}
		}
	}
	if a, err := netip.ParseAddr(strings.TrimSpace(r.Header.Get("X-Real-IP"))); err == nil {
		return a.Unmap().String()
	}
	return p.String()
}

// overTLS reports whether the request reached us over TLS: directly, or
// through a trusted proxy that says it took it over https.
func (s *Server) overTLS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	return s.trusted(peer(r)) && strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https")
}

package web

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/labstack/echo/v4"
)

// requestLog gives every request an id and, once it is answered, writes
// its access-log line (at info: method, route pattern, path, status,
// duration, bytes, user or API key) and its metrics. Probes (/healthz,
// /livez) are neither logged nor counted: a load balancer asks every few
// seconds. Secrets (passwords, tokens, cookies) and the query string (a
// search may hold a phone number) are never among the attributes.
//
// A request whose client went away before it was answered is logged with
// status 499 (nginx's "client closed request"), at info: it is not the
// server's fault, and handleError does not report it as an error.
func (s *Server) requestLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if id == "" || len(id) > 64 || !printable(id) {
			b := make([]byte, 8)
			rand.Read(b)
			id = hex.EncodeToString(b)
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		route := c.Path()
		if route == "/healthz" || route == "/livez" {
			return nil
		}
		if route == "" {
			route = "unmatched" // bounded: the metrics' route label must not take any path a client sends
		}
		took := time.Since(start)
		r, res := c.Request(), c.Response()
		status := res.Status
		gone := r.Context().Err() != nil
		if gone && !res.Committed {
			status = statusClientClosed
		}
		s.metrics.ObserveRequest(r.Method, route, status, took)
		if !s.log.Enabled(r.Context(), slog.LevelInfo) {
			return nil
		}
		attrs := make([]slog.Attr, 0, 11)
		attrs = append(attrs,
			slog.String("method", r.Method),
			slog.String("route", route),
			slog.String("path", r.URL.Path),
			slog.Int("status", status),
			slog.Duration("took", took),
			slog.Int64("bytes", res.Size),
			slog.String("ip", c.RealIP()), // the client's: through a trusted proxy, the address it forwards (proxy.go)
			slog.String("request_id", id))
		if u := user(c); u != nil {
			attrs = append(attrs, slog.Int64("user", u.ID))
		} else if k, ok := c.Get(keyAPIKey).(anxin.APIKey); ok {
			attrs = append(attrs, slog.Int64("api_key", k.ID))
		}
		if gone {
			attrs = append(attrs, slog.Bool("client_gone", true))
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
		return nil
	}
}

// statusClientClosed is logged for a request whose client went away before
// it was answered; nothing is sent.
const statusClientClosed = 499

// clientGone reports whether the request's client went away: its context
// ends only then while the handler runs.
func clientGone(c echo.Context) bool { return c.Request().Context().Err() != nil }

// printable reports whether a client's request id is safe to echo and log
// as it is: visible ASCII only.
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// contentSecurityPolicy allows only this origin's own scripts and styles:
// no inline script, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// hsts tells browsers to come back over HTTPS only, for a year, once a
// page came to them over TLS (served by Anxin, or by a trusted proxy that
// says so). Subdomains are not named: other services of the company may
// live there without TLS.
const hsts = "max-age=31536000"

func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		if s.overTLS(c.Request()) {
			h.Set("Strict-Transport-Security", hsts)
		}
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		return next(c)
	}
}

// Package web is Anxin's HTTP server: routes, middleware (sessions, CSRF,
// roles, security headers), one file of handlers per area, and the one place
// where domain errors become HTTP statuses.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/static"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Config is what the server needs to know beyond the store.
type Config struct {
	// SessionKeys are the cookie signing key (32 or 64 bytes) and an optional
	// encryption key (16, 24 or 32 bytes).
	SessionKeys [][]byte
	// SecureCookies marks cookies Secure: set it when serving behind TLS.
	SecureCookies bool
	// Zone is where times are shown; default Asia/Shanghai.
	Zone *time.Location
	// IdleTimeout and MaxSessionAge end sessions; defaults 12 h and 7 days.
	IdleTimeout   time.Duration
	MaxSessionAge time.Duration
	Version       string
	Logger        *slog.Logger
	// APIRate limits each intake API key, in requests per second (bursts of
	// twice that); 0 is DefaultAPIRate, a negative rate no limit.
	APIRate float64
}

// Server serves Anxin over HTTP.
type Server struct {
	cfg      Config
	store    *store.Store
	echo     *echo.Echo
	sessions *sessions.CookieStore
	log      *slog.Logger
	handler  http.Handler
	limits   *limiter // per API key (api.go)
}

// New builds the server and its routes.
func New(cfg Config, st *store.Store) *Server {
	if cfg.Zone == nil {
		cfg.Zone, _ = time.LoadLocation("Asia/Shanghai")
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 12 * time.Hour
	}
	if cfg.MaxSessionAge == 0 {
		cfg.MaxSessionAge = 7 * 24 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, store: st, log: cfg.Logger, limits: newLimiter(cfg.APIRate)}
	s.sessions = newSessionStore(cfg)

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.Use(middleware.Recover())
	e.Use(s.requestLog)
	e.Use(securityHeaders)
	s.echo = e
	s.routes()

	// Go's cross-origin protection rejects unsafe requests a browser marks as
	// coming from another origin, before any handler runs.
	s.handler = http.NewCrossOriginProtection().Handler(e)
	return s
}

func (s *Server) routes() {
	e := s.echo
	e.GET("/healthz", s.healthz)
	e.GET("/static/*", staticHandler())

	// Middleware is listed per route rather than on groups: an echo group with
	// middleware adds catch-all routes, which would turn unknown URLs into
	// login redirects and hide them from the route list.
	anon := []echo.MiddlewareFunc{s.session, s.csrf}
	in := append(anon[:len(anon):len(anon)], s.requireLogin)

	e.GET("/login", s.loginForm, anon...)
	e.POST("/login", s.login, anon...)
	e.POST("/lang", s.setLang, anon...)

	e.POST("/logout", s.logout, in...)
	e.GET("/", func(c echo.Context) error { return c.Redirect(http.StatusSeeOther, "/queue") }, in...)
	e.GET("/queue", s.queue, in...)

	s.apiRoutes()   // api.go: bearer keys, no session or CSRF
	s.adminRoutes() // admin_api.go: API keys and webhooks
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Routes lists every route the server answers, for tests that must cover them all.
func (s *Server) Routes() []*echo.Route { return s.echo.Routes() }

func (s *Server) healthz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Error("health check failed", "err", err)
		return c.String(http.StatusServiceUnavailable, "database unavailable\n")
	}
	return c.String(http.StatusOK, "ok\n")
}

func (s *Server) now() time.Time { return s.store.Clock.Now() }

// user is the logged-in user of the request (requireLogin guarantees one).
func user(c echo.Context) *anxin.User { return anxin.UserFromContext(c.Request().Context()) }

func staticHandler() echo.HandlerFunc {
	files := http.StripPrefix("/static/", http.FileServerFS(static.FS))
	return func(c echo.Context) error {
		h := c.Response().Header()
		if c.QueryParam("v") != "" {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		files.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}

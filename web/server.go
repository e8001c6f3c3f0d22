// Package web is Anxin's HTTP server: routes, middleware (sessions, CSRF,
// roles, security headers), one file of handlers per area, and the one place
// where domain errors become HTTP statuses.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/static"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/web/metrics"
	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Config is what the server needs to know beyond the store.
type Config struct {
	// SessionKeys are the cookie signing key (32 or 64 bytes) and an optional
	// encryption key (16, 24 or 32 bytes).
	SessionKeys [][]byte
	// SecureCookies marks cookies Secure on every request. Without it they
	// are Secure on requests that came over TLS (directly, or through a
	// trusted proxy that says https).
	SecureCookies bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For,
	// X-Real-IP and X-Forwarded-Proto are believed (proxy.go); default none.
	TrustedProxies []netip.Prefix
	// AllowPrivateWebhooks lets admins register webhook endpoints on
	// loopback and private addresses (web/webhook/target.go).
	AllowPrivateWebhooks bool
	// Zone is where times are shown; default Asia/Shanghai.
	Zone *time.Location
	// ServiceHours are the daily hours, in Zone, within which the service
	// norms count how fast a person answers the buyer; default 08:00-23:00.
	ServiceHours anxin.ServiceHours
	// IdleTimeout and MaxSessionAge end sessions; defaults 12 h and 7 days.
	IdleTimeout   time.Duration
	MaxSessionAge time.Duration
	// ConfirmRefundAboveFen asks for a second press before paying more than
	// this; default ¥2,000. Negative: never ask.
	ConfirmRefundAboveFen int64
	Version               string
	Logger                *slog.Logger
	// APIRate limits each intake API key, in requests per second (bursts of
	// twice that); 0 is DefaultAPIRate, a negative rate no limit.
	APIRate float64
	// Backups is serve's schedule of backups, shown on the admin page.
	Backups BackupSchedule
	// Metrics, when set, counts every request answered (web/metrics);
	// nil: none.
	Metrics *metrics.Metrics
}

// BackupSchedule is serve's schedule of backups; no Dir is none.
type BackupSchedule struct {
	Dir   string
	Every time.Duration
	Keep  int
}

// Server serves Anxin over HTTP.
type Server struct {
	cfg      Config
	store    *store.Store
	echo     *echo.Echo
	sessions *sessions.CookieStore
	log      *slog.Logger
	handler  http.Handler
	live     *liveHub
	unsub    func()
	memo     *memo
	logins   *throttle // failed logins per account and address
	addrs    *throttle // failed logins per address
	badKeys  *throttle // API requests with a wrong key, per address
	limits   *limiter  // per API key (api.go)
	bulks    bulkOutcomes
	metrics  *metrics.Metrics
}

// New builds the server and its routes.
func New(cfg Config, st *store.Store) *Server {
	if cfg.Zone == nil {
		cfg.Zone, _ = time.LoadLocation("Asia/Shanghai")
	}
	if cfg.ServiceHours.IsZero() {
		cfg.ServiceHours = anxin.DefaultServiceHours()
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
	switch {
	case cfg.ConfirmRefundAboveFen == 0:
		cfg.ConfirmRefundAboveFen = 200000
	case cfg.ConfirmRefundAboveFen < 0:
		cfg.ConfirmRefundAboveFen = 0
	}
	s := &Server{cfg: cfg, store: st, log: cfg.Logger, memo: newMemo(), metrics: cfg.Metrics,
		// Five tries are free; then 30 s, 1 min, 2 min... up to 15 min. An
		// address gets more tries: an office may share one.
		logins: newThrottle(5, 15*time.Minute, 30*time.Second, 15*time.Minute),
		addrs:  newThrottle(30, 15*time.Minute, 30*time.Second, 15*time.Minute),
		// A misconfigured system may send a few wrong keys; a guesser many.
		badKeys: newThrottle(20, 15*time.Minute, 10*time.Second, 15*time.Minute),
		limits:  newLimiter(cfg.APIRate)}
	s.live = newLiveHub(s.memo)
	s.sessions = newSessionStore(cfg)
	notices, unsub := st.Subscribe()
	s.unsub = unsub
	go s.live.run(notices)

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = s.clientIP
	e.Use(middleware.Recover())
	e.Use(s.requestLog)
	e.Use(s.securityHeaders)
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
	// livez answers without touching anything: the process is up. It is also
	// the baseline the queue page's throughput is measured against.
	e.GET("/livez", func(c echo.Context) error { return c.String(http.StatusOK, "ok\n") })
	e.GET("/static/*", staticHandler())

	// Middleware is listed per route rather than on groups: an echo group with
	// middleware adds catch-all routes, which would turn unknown URLs into
	// login redirects and hide them from the route list.
	anon := []echo.MiddlewareFunc{s.session, s.csrf}
	in := chain(anon, s.requireLogin)
	// only is the logged-in chain plus a role check; each call makes its own
	// slice, so that no route's chain shares an array with another's.
	only := func(roles ...anxin.Role) []echo.MiddlewareFunc { return chain(in, requireRole(roles...)) }

	e.GET("/login", s.loginForm, anon...)
	e.POST("/login", s.login, anon...)
	e.POST("/lang", s.setLang, anon...)

	e.POST("/logout", s.logout, in...)
	e.GET("/", s.home, in...)
	e.GET("/home", s.merchantHome, only(anxin.RoleMerchant)...)
	e.GET("/merchants", s.merchants, only(anxin.RoleAgent)...)
	e.GET("/merchants/:code", s.merchantPage, only(anxin.RoleAgent)...)
	e.GET("/queue", s.queue, in...)
	e.GET("/queue/export", s.exportQueue, in...)
	e.GET("/tickets/export", s.exportAll, in...)
	e.POST("/queue/views", s.saveView, in...)
	e.POST("/queue/views/:id/delete", s.deleteView, in...)
	e.GET("/norms", s.norms, in...)
	e.GET("/reports", s.reports, in...)
	e.POST("/queue/bulk", s.bulk, only(anxin.RoleAgent, anxin.RoleMerchant)...)
	e.GET("/events", s.events, in...)
	e.GET("/tickets/:number", s.ticketPage, in...)
	e.POST("/tickets/:number/actions/:action", s.ticketAction, in...)
	e.POST("/tickets/:number/undo-refund", s.undoRefund, in...)
	e.GET("/tickets/new", s.newTicketForm, only(anxin.RoleAgent)...)
	e.POST("/tickets/new", s.newTicket, chain([]echo.MiddlewareFunc{s.photoBodyLimit}, only(anxin.RoleAgent)...)...)
	e.POST("/tickets/:number/assign", s.assignTicket, only(anxin.RoleAgent)...)
	e.POST("/tickets/:number/notes", s.addNote, in...)
	e.POST("/tickets/:number/messages", s.sendMessage, in...)
	e.GET("/tickets/:number/thread", s.ticketThread, in...)
	e.GET("/macros", s.macros, in...)
	e.POST("/macros", s.saveMacro, only(anxin.RoleAdmin, anxin.RoleMerchant)...)
	e.POST("/macros/:id/delete", s.deleteMacro, only(anxin.RoleAdmin, anxin.RoleMerchant)...)
	e.GET("/account", s.account, in...)
	e.GET("/alerts", s.alerts, in...)
	e.POST("/duty", s.setDuty, only(anxin.RoleAgent)...)
	e.POST("/account/password", s.changePassword, in...)

	admin := only(anxin.RoleAdmin)
	e.GET("/admin/users", s.adminUsers, admin...)
	e.POST("/admin/users", s.createUser, admin...)
	e.POST("/admin/users/:id/password", s.resetPassword, admin...)
	e.POST("/admin/users/:id/disable", s.setDisabled(true), admin...)
	e.POST("/admin/users/:id/enable", s.setDisabled(false), admin...)
	e.POST("/admin/users/:id/role", s.setRole, admin...)
	e.GET("/admin/merchants", s.adminMerchants, admin...)
	e.POST("/admin/merchants", s.createMerchant, admin...)
	e.GET("/admin/merchants/:code", s.adminMerchant, admin...)
	e.POST("/admin/merchants/:code", s.updateMerchant, admin...)
	e.POST("/admin/merchants/:code/policies/:service", s.setPolicy, admin...)
	e.GET("/admin/audit", s.adminAudit, admin...)
	e.GET("/admin/assignment", s.adminAssignment, admin...)
	e.POST("/admin/assignment", s.setAutoAssign, admin...)
	e.POST("/admin/assignment/groups/:code", s.setAgentGroup, admin...)
	e.GET("/admin/backups", s.adminBackups, admin...)

	// Photo evidence. The body limit comes first: the CSRF check reads the form.
	e.POST("/tickets/:number/photos", s.addPhotos, chain([]echo.MiddlewareFunc{s.photoBodyLimit}, in...)...)
	e.GET("/photos/:id/thumb", s.servePhoto(store.Thumb), in...)
	e.GET("/photos/:id/display", s.servePhoto(store.Display), in...)

	s.returnRoutes(in, only) // logistics.go: return addresses, postage retries
	s.ruleRoutes(only)       // rules.go: merchants' automatic rules, their limits
	s.apiRoutes()            // api.go: bearer keys, no session or CSRF
	s.adminRoutes(admin)     // admin_api.go: API keys and webhooks
}

// chain is base followed by more, in a slice of its own.
func chain(base []echo.MiddlewareFunc, more ...echo.MiddlewareFunc) []echo.MiddlewareFunc {
	return append(slices.Clip(base), more...)
}

// Close ends the live connections and stops listening for changes; call it
// when shutting down, so that open pages do not hold the shutdown up.
func (s *Server) Close() {
	s.live.close()
	s.unsub()
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

func (s *Server) now() time.Time { return s.store.Clock().Now() }

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

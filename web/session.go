package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
)

const (
	sessionName = "anxin_session"
	keySession  = "session" // echo context key of the *sessions.Session

	// Session values. The cookie holds only these: the user id and session
	// version, the times that end it, the CSRF token and a one-time flash.
	valUserID   = "uid"
	valVersion  = "sv"
	valIssued   = "iat"
	valSeen     = "seen"
	valCSRF     = "csrf"
	valLang     = "lang"
	valFlash    = "flash"
	seenRefresh = 60 // seconds between rewrites of the last-seen time
)

func newSessionStore(cfg Config) *sessions.CookieStore {
	st := sessions.NewCookieStore(cfg.SessionKeys...)
	st.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   int(cfg.MaxSessionAge.Seconds()),
		HttpOnly: true,
		Secure:   cfg.SecureCookies,
		SameSite: http.SameSiteLaxMode,
	}
	return st
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// session loads the cookie session, ends it when its user is gone, disabled,
// has changed password, or it has idled or aged out, and puts the user in the
// request context.
func (s *Server) session(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := s.sessions.Get(c.Request(), sessionName)
		if err != nil { // a cookie from an old key or tampered with: start afresh
			sess, _ = s.sessions.New(c.Request(), sessionName)
		}
		c.Set(keySession, sess)
		dirty := false
		if _, ok := sess.Values[valCSRF].(string); !ok {
			sess.Values[valCSRF] = randomToken()
			dirty = true
		}
		if uid, ok := sess.Values[valUserID].(int64); ok {
			u, ended := s.sessionUser(c, sess, uid)
			if ended {
				s.endSession(sess)
				sess.Values[valFlash] = "info|Your session has ended. Please log in again."
				dirty = true
			} else {
				ctx := anxin.NewContextWithUser(c.Request().Context(), u)
				c.SetRequest(c.Request().WithContext(ctx))
				if now := s.now().Unix(); now-sess.Values[valSeen].(int64) > seenRefresh {
					sess.Values[valSeen] = now
					dirty = true
				}
			}
		}
		if dirty {
			if err := sess.Save(c.Request(), c.Response()); err != nil {
				return err
			}
		}
		return next(c)
	}
}

// sessionUser returns the session's user, or ended = true when the session
// may no longer stand for it.
func (s *Server) sessionUser(c echo.Context, sess *sessions.Session, uid int64) (*anxin.User, bool) {
	issued, _ := sess.Values[valIssued].(int64)
	seen, _ := sess.Values[valSeen].(int64)
	version, _ := sess.Values[valVersion].(int64)
	now := s.now().Unix()
	if now-issued > int64(s.cfg.MaxSessionAge.Seconds()) || now-seen > int64(s.cfg.IdleTimeout.Seconds()) {
		return nil, true
	}
	u, err := s.store.UserByID(c.Request().Context(), uid)
	if err != nil || u.Disabled || u.SessionVersion != version {
		return nil, true
	}
	return &u, false
}

func (s *Server) endSession(sess *sessions.Session) {
	for _, k := range []string{valUserID, valVersion, valIssued, valSeen} {
		delete(sess.Values, k)
	}
	sess.Values[valCSRF] = randomToken()
}

func sessionOf(c echo.Context) *sessions.Session { return c.Get(keySession).(*sessions.Session) }

// startSession logs the user in on a fresh session: new cookie values, new
// CSRF token, so nothing from before the login carries over.
func (s *Server) startSession(c echo.Context, u anxin.User) error {
	sess := sessionOf(c)
	now := s.now().Unix()
	sess.Values = map[any]any{
		valUserID:  u.ID,
		valVersion: u.SessionVersion,
		valIssued:  now,
		valSeen:    now,
		valCSRF:    randomToken(),
	}
	return sess.Save(c.Request(), c.Response())
}

// setFlash keeps a message for the next page the user sees.
func (s *Server) setFlash(c echo.Context, kind, message string) error {
	sess := sessionOf(c)
	sess.Values[valFlash] = kind + "|" + message
	return sess.Save(c.Request(), c.Response())
}

// csrf requires the session's token on every unsafe request, from the form
// field _csrf or the X-CSRF-Token header (htmx sends the header).
func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		want, _ := sessionOf(c).Values[valCSRF].(string)
		got := c.Request().Header.Get("X-CSRF-Token")
		if got == "" {
			got = c.FormValue("_csrf")
		}
		if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
			return echo.NewHTTPError(http.StatusForbidden, "invalid or missing CSRF token; reload the page and try again")
		}
		return next(c)
	}
}

// requireLogin sends anonymous visitors to the login page.
func (s *Server) requireLogin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if user(c) != nil {
			return next(c)
		}
		r := c.Request()
		if r.Method == http.MethodGet && r.Header.Get("HX-Request") == "" {
			return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(r.URL.RequestURI()))
		}
		if r.Header.Get("HX-Request") != "" {
			c.Response().Header().Set("HX-Redirect", "/login")
		}
		return echo.NewHTTPError(http.StatusUnauthorized, "please log in")
	}
}

// requireRole lets only the given roles through (an admin passes as an agent).
func requireRole(roles ...anxin.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := user(c)
			for _, r := range roles {
				if u.Role == r || (u.Role == anxin.RoleAdmin && r == anxin.RoleAgent) {
					return next(c)
				}
			}
			return anxin.Errorf(anxin.EFORBIDDEN, "this page is not for a %s account", u.Role)
		}
	}
}

// page gathers what every rendered page needs, consuming the flash.
func (s *Server) page(c echo.Context) views.Page {
	p := views.Page{
		User: user(c),
		Zone: s.cfg.Zone,
		Now:  s.now(),
		Path: c.Request().URL.Path,
	}
	sess, ok := c.Get(keySession).(*sessions.Session)
	if !ok { // an error before the session middleware ran (an unknown route)
		p.Lang = "zh"
		return p
	}
	p.CSRF, _ = sess.Values[valCSRF].(string)
	p.Lang = s.lang(c)
	if f, ok := sess.Values[valFlash].(string); ok {
		kind, msg, _ := strings.Cut(f, "|")
		p.Flash = views.Flash{Kind: kind, Message: msg}
		delete(sess.Values, valFlash)
		sess.Save(c.Request(), c.Response())
	}
	return p
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/" // where each role starts: the queue, or a merchant's home
	}
	return next
}

package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
)

const (
	sessionName = "anxin_session"
	keySession  = "session" // echo context key of the *sessions.Session

	// Cookie values, all strings. The cookie (signed and encrypted) holds
	// the token of a login kept by the store, the CSRF token, the language
	// chosen before logging in and a one-time flash: nothing that the
	// server would have to believe about the user.
	valToken = "sid"
	valCSRF  = "csrf"
	valLang  = "lang"
	valFlash = "flash"
)

func newSessionStore(cfg Config) *sessions.CookieStore {
	st := sessions.NewCookieStore(cfg.SessionKeys...)
	for _, codec := range st.Codecs {
		if sc, ok := codec.(*securecookie.SecureCookie); ok {
			sc.SetSerializer(stringValues{})
		}
	}
	st.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   int(cfg.MaxSessionAge.Seconds()),
		HttpOnly: true,
		Secure:   cfg.SecureCookies,
		SameSite: http.SameSiteLaxMode,
	}
	return st
}

// stringValues serializes a session's values, every one a string, as a
// JSON object: a few dozen bytes, read in a microsecond (gob, the default,
// compiled its decoder afresh for every request: an eighth of a queue
// page's CPU, measured).
type stringValues struct{}

func (stringValues) Serialize(src any) ([]byte, error) {
	values, ok := src.(map[any]any)
	if !ok {
		return nil, fmt.Errorf("session values are a %T", src)
	}
	out := make(map[string]string, len(values))
	for k, v := range values {
		ks, ok1 := k.(string)
		vs, ok2 := v.(string)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("session value %v is not a string", k)
		}
		out[ks] = vs
	}
	return json.Marshal(out)
}

func (stringValues) Deserialize(src []byte, dst any) error {
	values, ok := dst.(*map[any]any)
	if !ok {
		return fmt.Errorf("session values into a %T", dst)
	}
	var in map[string]string
	if err := json.Unmarshal(src, &in); err != nil {
		return err
	}
	if *values == nil {
		*values = make(map[any]any, len(in))
	}
	for k, v := range in {
		(*values)[k] = v
	}
	return nil
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// session loads the cookie session and, when it carries a login, the user
// the store says it stands for; a login that has ended (logged out, idled,
// aged, or its user disabled or changed) is dropped from the cookie.
func (s *Server) session(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := s.sessions.Get(c.Request(), sessionName)
		if err != nil { // a cookie from an old key or tampered with: start afresh
			sess, _ = s.sessions.New(c.Request(), sessionName)
		}
		sess.Options.Secure = s.cfg.SecureCookies || s.overTLS(c.Request())
		c.Set(keySession, sess)
		dirty := false
		if sess.Values[valCSRF] == nil {
			sess.Values[valCSRF] = randomToken()
			dirty = true
		}
		if token, _ := sess.Values[valToken].(string); token != "" {
			u, err := s.store.SessionUser(c.Request().Context(), token, s.cfg.IdleTimeout)
			switch {
			case errors.Is(err, store.ErrNoSession):
				delete(sess.Values, valToken)
				sess.Values[valCSRF] = randomToken()
				sess.Values[valFlash] = "info|Your session has ended. Please log in again."
				dirty = true
			case err != nil:
				return err
			default:
				c.SetRequest(c.Request().WithContext(anxin.NewContextWithUser(c.Request().Context(), &u)))
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

func sessionOf(c echo.Context) *sessions.Session { return c.Get(keySession).(*sessions.Session) }

// startSession logs the user in on a fresh session: a new login in the
// store, new cookie values and a new CSRF token, so nothing from before
// the login carries over. A login the cookie held before is ended.
func (s *Server) startSession(c echo.Context, u anxin.User) error {
	ctx := c.Request().Context()
	sess := sessionOf(c)
	if old, _ := sess.Values[valToken].(string); old != "" {
		if err := s.store.EndSession(ctx, old); err != nil {
			return err
		}
	}
	token, err := s.store.StartSession(ctx, u, s.cfg.MaxSessionAge)
	if err != nil {
		return err
	}
	sess.Values = map[any]any{valToken: token, valCSRF: randomToken()}
	return sess.Save(c.Request(), c.Response())
}

// endSession ends the cookie's login in the store, and forgets it.
func (s *Server) endSession(c echo.Context) error {
	sess := sessionOf(c)
	if token, _ := sess.Values[valToken].(string); token != "" {
		if err := s.store.EndSession(c.Request().Context(), token); err != nil {
			return err
		}
	}
	delete(sess.Values, valToken)
	sess.Values[valCSRF] = randomToken()
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
		// From the header (htmx) or the form body: never from the URL,
		// where a token leaks into logs, history and Referer headers.
		want, _ := sessionOf(c).Values[valCSRF].(string)
		got := c.Request().Header.Get("X-CSRF-Token")
		if got == "" {
			got = c.Request().PostFormValue("_csrf")
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
			return anxin.Fail(anxin.MsgPageNotForRole, u.Role)
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
	if p.User != nil {
		n, err := s.store.UnreadAlerts(c.Request().Context(), p.User.ID)
		if err != nil {
			s.log.Warn("counting unread alerts failed", "err", err)
		}
		p.Unread = n
	}
	if f, ok := sess.Values[valFlash].(string); ok {
		kind, msg, _ := strings.Cut(f, "|")
		p.Flash = views.Flash{Kind: kind, Message: msg}
		delete(sess.Values, valFlash)
		if err := sess.Save(c.Request(), c.Response()); err != nil {
			s.log.Warn("forgetting a shown flash failed: it may show again", "err", err)
		}
	}
	return p
}

// safeNext keeps a redirect after login on this site: a path of ours, or
// the home page. A browser reads //host, /\host and /<TAB>/host (it drops
// tabs and newlines, and takes a backslash for a slash) as another origin,
// and a scheme as itself; encoded slashes and control characters have no
// business in a path of ours either.
func safeNext(next string) string {
	const home = "/" // where each role starts: the queue, or a merchant's home
	if !strings.HasPrefix(next, "/") || len(next) > 2048 {
		return home
	}
	decoded, err := url.PathUnescape(next)
	if err != nil {
		return home
	}
	for _, p := range []string{next, decoded} {
		if strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
			return home
		}
		if strings.HasPrefix(p, "//") {
			return home
		}
	}
	if lower := strings.ToLower(next); strings.Contains(lower, "%2f") || strings.Contains(lower, "%5c") {
		return home
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return home
	}
	return next
}

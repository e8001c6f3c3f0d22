package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/labstack/echo/v4"
)

func (s *Server) loginForm(c echo.Context) error {
	if user(c) != nil {
		return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next")))
	}
	return s.render(c, http.StatusOK, views.Login(views.LoginForm{Next: c.QueryParam("next")}))
}

func (s *Server) login(c echo.Context) error {
	form := views.LoginForm{Email: strings.TrimSpace(c.FormValue("email")), Next: c.FormValue("next")}
	now := s.now()
	// Failures are counted per account at an address and per address,
	// never per account alone: guesses from one place must not lock the
	// owner out from another.
	account, addr := "account:"+strings.ToLower(form.Email)+"@"+c.RealIP(), "ip:"+c.RealIP()
	// A throttled attempt is refused before the password is looked at.
	if wait := max(s.logins.wait(account, now), s.addrs.wait(addr, now)); wait > 0 {
		s.log.Warn("login throttled", "ip", c.RealIP())
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		form.Error = views.Tf(s.langCtx(c), "Too many attempts. Try again in %s.", s.waitWords(c, wait))
		return s.render(c, http.StatusTooManyRequests, views.Login(form))
	}
	u, err := s.store.Authenticate(c.Request().Context(), form.Email, c.FormValue("password"))
	if err != nil {
		if anxin.ErrorCode(err) != anxin.EFORBIDDEN {
			return err
		}
		s.logins.fail(account, now)
		s.addrs.fail(addr, now)
		s.log.Info("login failed", "ip", c.RealIP())
		form.Error = "Wrong email or password"
		return s.render(c, http.StatusUnauthorized, views.Login(form))
	}
	s.logins.succeed(account)
	s.addrs.succeed(addr)
	if err := s.startSession(c, u); err != nil {
		return err
	}
	s.log.Info("login", "user", u.ID, "role", u.Role)
	return redirect(c, safeNext(form.Next))
}

// logout ends the login on the server: the cookie, or a copy of it, opens
// nothing afterwards.
func (s *Server) logout(c echo.Context) error {
	if err := s.endSession(c); err != nil {
		return err
	}
	return redirect(c, "/login")
}

// setLang switches the UI language: remembered on the user when logged in,
// in the session otherwise.
func (s *Server) setLang(c echo.Context) error {
	lang := views.NormalizeLang(c.FormValue("lang"))
	if u := user(c); u != nil {
		if err := s.store.SetLang(c.Request().Context(), u.ID, lang); err != nil {
			return err
		}
	} else {
		sess := sessionOf(c)
		sess.Values[valLang] = lang
		if err := sess.Save(c.Request(), c.Response()); err != nil {
			return err
		}
	}
	back := "/"
	if ref, err := url.Parse(c.Request().Referer()); err == nil && ref.Host == c.Request().Host {
		back = ref.RequestURI()
	}
	return redirect(c, safeNext(back))
}

// waitWords says how long to wait, in the user's language.
func (s *Server) waitWords(c echo.Context, d time.Duration) string {
	ctx := s.langCtx(c)
	if d < time.Minute {
		return views.Tf(ctx, "%d seconds", int(d.Seconds())+1)
	}
	return views.HumanDur(ctx, d+time.Minute)
}

package web

import (
	"net/http"
	"net/url"
	"strings"

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
	u, err := s.store.Authenticate(c.Request().Context(), form.Email, c.FormValue("password"))
	if err != nil {
		if anxin.ErrorCode(err) != anxin.EFORBIDDEN {
			return err
		}
		s.log.Info("login failed", "ip", c.RealIP())
		form.Error = "Wrong email or password"
		return s.render(c, http.StatusUnauthorized, views.Login(form))
	}
	if err := s.startSession(c, u); err != nil {
		return err
	}
	s.log.Info("login", "user", u.ID, "role", u.Role)
	return redirect(c, safeNext(form.Next))
}

func (s *Server) logout(c echo.Context) error {
	sess := sessionOf(c)
	s.endSession(sess)
	if err := sess.Save(c.Request(), c.Response()); err != nil {
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

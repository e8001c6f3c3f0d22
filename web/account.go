package web

import (
	"net/http"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/labstack/echo/v4"
)

func (s *Server) account(c echo.Context) error {
	return s.render(c, http.StatusOK, views.AccountView(views.AccountPage{}))
}

// changePassword sets the user's password and ends every session of theirs,
// then starts a fresh one for this browser so that they stay in here.
func (s *Server) changePassword(c echo.Context) error {
	next, again := c.FormValue("new"), c.FormValue("confirm")
	if next != again {
		return s.render(c, http.StatusUnprocessableEntity, views.AccountView(views.AccountPage{Error: anxin.Fail(anxin.MsgPasswordsDiffer)}))
	}
	u, err := s.store.ChangePassword(c.Request().Context(), user(c).ID, c.FormValue("current"), next)
	if err != nil {
		if anxin.ErrorCode(err) != anxin.EINVALID {
			return err
		}
		return s.render(c, http.StatusUnprocessableEntity, views.AccountView(views.AccountPage{Error: err}))
	}
	s.log.Info("password changed", "user", u.ID)
	if err := s.startSession(c, u); err != nil {
		return err
	}
	if err := s.setFlash(c, "ok", "Password changed. Your other sessions have ended."); err != nil {
		return err
	}
	return redirect(c, "/account")
}

package web

import (
	"net/http"
	"strconv"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/labstack/echo/v4"
)

// macros lists the canned replies the viewer may use (the team's, and a
// merchant's own), with the form its keeper writes them in.
func (s *Server) macros(c echo.Context) error {
	p, err := s.macrosPage(c)
	if err != nil {
		return err
	}
	if id := c.QueryParam("edit"); id != "" {
		for _, m := range p.Macros {
			if strconv.FormatInt(m.ID, 10) == id && m.MayEdit(user(c).Actor()) {
				p.Edit = m
			}
		}
	}
	return s.render(c, http.StatusOK, views.MacrosView(p))
}

func (s *Server) macrosPage(c echo.Context) (views.MacrosPage, error) {
	u := user(c)
	list, err := s.store.Macros(c.Request().Context(), u.MerchantID)
	return views.MacrosPage{Macros: list, CanEdit: u.Role == anxin.RoleAdmin || u.Role == anxin.RoleMerchant}, err
}

// saveMacro creates or changes a canned reply; a refused one is shown again
// in its form, as it was typed.
func (s *Server) saveMacro(c echo.Context) error {
	u := user(c)
	m := anxin.Macro{Title: c.FormValue("title"), TitleEN: c.FormValue("title_en"), Body: c.FormValue("body"),
		Action: anxin.Action(c.FormValue("action")), Reason: c.FormValue("reason")}
	if id := c.FormValue("id"); id != "" {
		m.ID = parseID(id)
	}
	_, err := s.store.SaveMacro(c.Request().Context(), u.Actor(), m)
	if err == nil {
		return redirect(c, "/macros")
	}
	if code := anxin.ErrorCode(err); code != anxin.EINVALID && code != anxin.ENOTALLOWED {
		return err
	}
	p, perr := s.macrosPage(c)
	if perr != nil {
		return perr
	}
	p.Edit, p.Error = m, err
	return s.render(c, http.StatusUnprocessableEntity, views.MacrosView(p))
}

func (s *Server) deleteMacro(c echo.Context) error {
	if err := s.store.DeleteMacro(c.Request().Context(), user(c).Actor(), parseID(c.Param("id"))); err != nil {
		return err
	}
	return redirect(c, "/macros")
}

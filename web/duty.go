package web

import (
	"net/http"
	"strconv"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/labstack/echo/v4"
)

// On and off duty, the alert centre, and the admin page of auto-assignment.

// setDuty puts the agent on duty (on=1) or off it; going off, tickets=hand_back
// gives the agent's open tickets back, anything else keeps them.
func (s *Server) setDuty(c echo.Context) error {
	on := c.FormValue("on") == "1"
	handBack := c.FormValue("tickets") == "hand_back"
	if err := s.store.SetDuty(c.Request().Context(), user(c).Actor(), on, handBack); err != nil {
		return err
	}
	msg := "You are off duty."
	if on {
		msg = "You are on duty."
	}
	if err := s.setFlash(c, "ok", msg); err != nil {
		return err
	}
	return redirect(c, backTo(c))
}

// backTo is the page a top-bar form was sent from, when it is ours.
func backTo(c echo.Context) string {
	if ref := c.Request().Referer(); ref != "" {
		if u, err := c.Request().URL.Parse(ref); err == nil && u.Host == c.Request().Host {
			return safeNext(u.RequestURI())
		}
	}
	return "/"
}

// alerts lists the user's alerts, newest first: about its own store's
// tickets only for a merchant user.
func (s *Server) alerts(c echo.Context) error {
	u := user(c)
	list, err := s.store.Alerts(c.Request().Context(), u.ID, u.Actor().Scope(), 200)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.AlertsView(views.AlertsPage{Alerts: list}))
}

func (s *Server) adminAssignment(c echo.Context) error {
	ctx := c.Request().Context()
	var p views.AdminAssignment
	var err error
	if p.On, err = s.store.AutoAssignOn(ctx); err != nil {
		return err
	}
	if p.Merchants, err = s.store.Merchants(ctx, anxin.AllMerchants()); err != nil {
		return err
	}
	if p.Agents, err = s.store.Agents(ctx); err != nil {
		return err
	}
	if p.Groups, err = s.store.AgentGroups(ctx); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.AdminAssignmentView(p))
}

func (s *Server) setAutoAssign(c echo.Context) error {
	if err := s.store.SetAutoAssign(c.Request().Context(), user(c).Actor(), c.FormValue("on") == "1"); err != nil {
		return err
	}
	return s.savedRedirect(c, "/admin/assignment")
}

func (s *Server) setAgentGroup(c echo.Context) error {
	ctx := c.Request().Context()
	m, err := s.store.MerchantByCode(ctx, c.Param("code"))
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	var ids []int64
	for _, v := range form["agent"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return anxin.Fail(anxin.MsgAssignToAgents)
		}
		ids = append(ids, id)
	}
	if len(ids) > 1000 {
		return anxin.Fail(anxin.MsgAssignToAgents)
	}
	if err := s.store.SetAgentGroup(ctx, user(c).Actor(), m.ID, ids); err != nil {
		return err
	}
	return s.savedRedirect(c, "/admin/assignment")
}

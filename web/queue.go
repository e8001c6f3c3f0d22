package web

import (
	"net/http"
	"net/url"

	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/labstack/echo/v4"
)

// queue shows open tickets by nearest deadline, a page at a time.
func (s *Server) queue(c echo.Context) error {
	u := user(c)
	after := store.ParseCursor(c.QueryParam("after"))
	tickets, next, err := s.store.Queue(c.Request().Context(), store.QueueFilter{
		Scope: u.Actor().Scope(),
		After: after,
	})
	if err != nil {
		return err
	}
	q := views.Queue{Tickets: tickets, First: after.IsZero()}
	if !next.IsZero() {
		q.Next = "?" + url.Values{"after": {next.String()}}.Encode()
	}
	return s.render(c, http.StatusOK, views.QueuePage(q))
}

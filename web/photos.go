package web

import (
	"net/http"
	"strconv"

	"github.com/anxin-helpdesk/anxin"
	"github.com/labstack/echo/v4"
)

// photo serves a piece of evidence to a user who may see its ticket.
// (The photo pipeline of issue 5 replaces this with re-encoded sizes.)
func (s *Server) photo(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return anxin.Errorf(anxin.ENOTFOUND, "photo not found")
	}
	e, f, err := s.store.Photo(c.Request().Context(), user(c).Actor().Scope(), id)
	if err != nil {
		return err
	}
	defer f.Close()
	h := c.Response().Header()
	h.Set("Content-Type", "image/jpeg")
	h.Set("Cache-Control", "private, max-age=86400")
	h.Set("ETag", `"`+e.SHA256+`"`)
	if c.Request().Header.Get("If-None-Match") == `"`+e.SHA256+`"` {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Stream(http.StatusOK, "image/jpeg", f)
}

package web

import (
	"bytes"
	"net/http"
	"sync"

	"github.com/a-h/templ"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/labstack/echo/v4"
)

// render writes a templ component as the response, with the page context.
// It renders into a buffer first so that a failure mid-page becomes a clean
// error response rather than half a page.
func (s *Server) render(c echo.Context, status int, comp templ.Component) error {
	ctx := views.WithPage(c.Request().Context(), s.page(c))
	buf := buffers.Get().(*bytes.Buffer)
	defer putBuffer(buf)
	if err := comp.Render(ctx, buf); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(status, echo.MIMETextHTMLCharsetUTF8, buf.Bytes())
}

// buffers are the pages' render buffers, reused: a queue page is some
// 60 KB, and growing a new buffer to that for every request was a tenth of
// the page's CPU.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= 1<<20 { // an odd huge page does not stay in the pool
		b.Reset()
		buffers.Put(b)
	}
}

// redirect answers a form post: a 303 for a plain form, HX-Redirect for htmx.
func redirect(c echo.Context, to string) error {
	if c.Request().Header.Get("HX-Request") != "" {
		c.Response().Header().Set("HX-Redirect", to)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, to)
}

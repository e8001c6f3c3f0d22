package web

import (
	"errors"
	"net/http"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/labstack/echo/v4"
)

// statusOf maps a domain error code to its HTTP status: the one place it is done.
func statusOf(code string) int {
	switch code {
	case anxin.ENOTFOUND:
		return http.StatusNotFound
	case anxin.EFORBIDDEN:
		return http.StatusForbidden
	case anxin.ECONFLICT, anxin.ENOTALLOWED, anxin.EIDEMPOTENCYREUSED:
		return http.StatusConflict
	case anxin.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case anxin.EINVALID, anxin.EOVERREFUND, anxin.EOUTSIDEWINDOW, anxin.ENOTRECEIVED, anxin.EALREADYSHIPPED,
		anxin.ENOTOPTEDIN, anxin.EUNKNOWNSERVICE, anxin.EUNKNOWNMERCHANT, anxin.EAMOUNTRANGE:
		return http.StatusUnprocessableEntity
	}
	return http.StatusInternalServerError
}

// handleError answers every error a handler returns. Users see the domain
// message; internal errors are logged with the request and shown generically.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if clientGone(c) {
		// Nobody is there to read an answer, and the error is most likely
		// the cancellation itself: the access log tells of it (499), at info.
		s.log.Debug("request ended: the client went away", "err", err,
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		return
	}
	if isAPI(c) { // JSON errors for API clients (api.go)
		s.apiError(err, c)
		return
	}
	status, message := http.StatusInternalServerError, ""
	ctx := s.langCtx(c)
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		status = he.Code
		// The router's own messages ("Not Found", "Method Not Allowed")
		// have no words in the catalogue: the page's title says it.
		if m, ok := he.Message.(string); ok && views.Translated(ctx, m) {
			message = views.T(ctx, m)
		}
	case anxin.ErrorCode(err) != anxin.EINTERNAL:
		status = statusOf(anxin.ErrorCode(err))
		message = views.ErrorText(ctx, err)
	}
	if status >= 500 {
		s.log.Error("request failed", "err", err, "method", c.Request().Method, "path", c.Request().URL.Path,
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		message = ""
	}
	if c.Request().Method == http.MethodHead {
		if err := c.NoContent(status); err != nil {
			s.log.Debug("answering an error failed", "err", err)
		}
		return
	}
	title := map[int]string{http.StatusNotFound: "Not found", http.StatusForbidden: "Forbidden"}[status]
	switch {
	case status >= 500:
		title = "Something went wrong"
	case title == "":
		title = http.StatusText(status)
	}
	if err := s.render(c, status, views.ErrorPage(title, message)); err != nil {
		s.log.Error("rendering the error page failed", "err", err)
		if err := c.String(status, title); err != nil {
			s.log.Debug("answering an error failed", "err", err)
		}
	}
}

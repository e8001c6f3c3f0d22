package web

import (
	"context"
	"errors"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
)

// lang is the user's language: remembered on the user, or in the session.
func (s *Server) lang(c echo.Context) string {
	if u := user(c); u != nil {
		return views.NormalizeLang(u.Lang)
	}
	if sess, ok := c.Get(keySession).(*sessions.Session); ok {
		l, _ := sess.Values[valLang].(string)
		return views.NormalizeLang(l)
	}
	return "zh"
}

// langCtx is a context in which views.T speaks the user's language, for
// messages made outside a template.
func (s *Server) langCtx(c echo.Context) context.Context {
	return views.WithPage(c.Request().Context(), views.Page{Lang: s.lang(c), Zone: s.cfg.Zone, Now: s.now()})
}

func asHandled(err error, h **anxin.AlreadyHandled) bool { return errors.As(err, h) }
func asError(err error, e **anxin.Error) bool            { return errors.As(err, e) }

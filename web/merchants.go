package web

import (
	"net/http"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/labstack/echo/v4"
)

// home is where "/" leads: a merchant's own figures, the queue for staff.
func (s *Server) home(c echo.Context) error {
	if user(c).Role == anxin.RoleMerchant {
		return c.Redirect(http.StatusSeeOther, "/home")
	}
	return c.Redirect(http.StatusSeeOther, "/queue")
}

// merchantHome shows a merchant user its store's figures.
func (s *Server) merchantHome(c echo.Context) error {
	u := user(c)
	m, err := s.store.MerchantByID(c.Request().Context(), u.Actor().Scope(), u.MerchantID)
	if err != nil {
		return err
	}
	return s.merchantFigures(c, m, true)
}

// merchantPage shows staff one merchant's figures.
func (s *Server) merchantPage(c echo.Context) error {
	m, err := s.store.MerchantByCode(c.Request().Context(), c.Param("code"))
	if err != nil {
		return anxin.Fail(anxin.MsgMerchantNotFound)
	}
	return s.merchantFigures(c, m, false)
}

func (s *Server) merchantFigures(c echo.Context, m anxin.Merchant, own bool) error {
	f, err := s.store.Figures(c.Request().Context(), user(c).Actor().Scope(), m.ID, s.now(), anxin.FigureDays)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.MerchantHome(views.MerchantFigures{Merchant: m, Figures: f, Own: own}))
}

// merchants lists every merchant with its yardsticks, for staff.
func (s *Server) merchants(c echo.Context) error {
	ctx := c.Request().Context()
	ms, err := s.store.Merchants(ctx, anxin.AllMerchants())
	if err != nil {
		return err
	}
	figures, err := s.store.FiguresByMerchant(ctx, anxin.AllMerchants(), 0, "", s.now(), anxin.FigureDays)
	if err != nil {
		return err
	}
	rows := make([]views.MerchantRow, 0, len(ms))
	for _, m := range ms {
		f, ok := figures[m.ID]
		if !ok {
			f = anxin.NewFigures(anxin.DaysEnding(s.now(), s.cfg.Zone, anxin.FigureDays))
		}
		rows = append(rows, views.MerchantRow{Merchant: m, Figures: f})
	}
	return s.render(c, http.StatusOK, views.MerchantsPage(rows))
}

package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/labstack/echo/v4"
)

// normDays are the periods the service norms can cover, in days; the first
// is the default.
var normDays = []int{7, 30}

// norms shows how fast people answer the buyers (服务指标) over the last 7
// or 30 days, within the service hours: staff see every merchant and every
// person; a merchant user its own store, its people and the support team.
func (s *Server) norms(c echo.Context) error {
	ctx := c.Request().Context()
	days := normDays[0]
	for _, d := range normDays {
		if c.QueryParam("days") == strconv.Itoa(d) {
			days = d
		}
	}
	scope := user(c).Actor().Scope()
	now := s.now()
	y, m, d := now.In(s.cfg.Zone).Date()
	from := time.Date(y, m, d-days+1, 0, 0, 0, 0, s.cfg.Zone)
	asked, err := s.store.Asked(ctx, scope, from, now)
	if err != nil {
		return err
	}
	merchants, err := s.store.Merchants(ctx, scope)
	if err != nil {
		return err
	}
	policy := anxin.NormPolicy{Hours: s.cfg.ServiceHours, Zone: s.cfg.Zone}
	return s.render(c, http.StatusOK, views.NormsView(views.Norms{
		Report: policy.ReportFor(scope, asked, now), Merchants: merchants, Days: days, Choices: normDays,
		From: from, To: now, Own: scope.MerchantID != 0}))
}

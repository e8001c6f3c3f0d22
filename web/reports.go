package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/labstack/echo/v4"
)

// reportDays are the periods the reports offer, in days, the default
// reportDefaultDays. A from-to period may cover up to reportMaxDays.
var reportDays = []int{7, 30, 90}

const reportDefaultDays, reportMaxDays = 30, 366

// reports shows the after-sales figures over a period (报表): staff every
// merchant or one, a merchant user its own store only; optionally one
// service's tickets.
func (s *Server) reports(c echo.Context) error {
	ctx := c.Request().Context()
	scope := user(c).Actor().Scope()
	now := s.now()
	days, to, custom := reportPeriod(c, now, s.cfg.Zone)

	merchants, err := s.store.Merchants(ctx, scope)
	if err != nil {
		return err
	}
	shown := merchants
	code := ""
	if scope.MerchantID == 0 && c.QueryParam("merchant") != "" {
		code = c.QueryParam("merchant")
		shown = nil
		for _, m := range merchants {
			if m.Code == code {
				shown = append(shown, m)
			}
		}
		if len(shown) == 0 {
			return anxin.Fail(anxin.MsgMerchantNotFound)
		}
	}
	var service anxin.ServiceKey
	if svc, err := anxin.LookupService(anxin.ServiceKey(c.QueryParam("service"))); err == nil {
		service = svc.Key
	}

	page := views.Reports{Days: days, Choices: reportDays, Custom: custom, Merchants: merchants, Merchant: code,
		Service: service, Own: scope.MerchantID != 0, ServiceSet: anxin.Services(),
		Total: anxin.NewFigures(anxin.DaysEnding(to, s.cfg.Zone, days))}
	page.From, page.To = page.Total.Days[0], page.Total.Days[len(page.Total.Days)-1]
	var merchantID int64
	if code != "" {
		merchantID = shown[0].ID
	}
	figures, err := s.store.FiguresByMerchant(ctx, scope, merchantID, service, to, days)
	if err != nil {
		return err
	}
	for _, m := range shown {
		f, ok := figures[m.ID]
		if !ok {
			f = anxin.NewFigures(page.Total.Days)
		}
		page.Rows = append(page.Rows, views.MerchantRow{Merchant: m, Figures: f})
		page.Total.Add(f)
	}
	if page.People, err = s.store.DecisionsByPerson(ctx, scope, merchantID, service, page.From, page.To); err != nil {
		return err
	}
	if len(page.Rows) == 1 {
		page.Selected = page.Rows[0].Merchant.Name
	}
	if c.QueryParam("format") == "csv" {
		return s.reportCSV(c, views.MerchantsCSV(s.langCtx(c), page), page)
	}
	return s.render(c, http.StatusOK, views.ReportsView(page))
}

// reportCSV downloads a report table: UTF-8 with a BOM for Excel, RFC 4180
// quoting with CRLF. The tables are figures, not buyers: no audit record.
func (s *Server) reportCSV(c echo.Context, rows [][]string, page views.Reports) error {
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	w.Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="anxin-report-%s-%s.csv"`, page.From, page.To))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write([]byte("\uFEFF")); err != nil {
		return nil // the client went away
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.WriteAll(rows); err != nil && c.Request().Context().Err() == nil {
		s.log.Error("report download failed", "err", err)
	}
	return nil
}

// reportPeriod reads the period: from-to dates in the display zone when both
// are given and sound (not after today, at most reportMaxDays), or else the
// last `days` days ending today.
func reportPeriod(c echo.Context, now time.Time, zone *time.Location) (days int, to time.Time, custom bool) {
	days = reportDefaultDays
	for _, d := range reportDays {
		if c.QueryParam("days") == strconv.Itoa(d) {
			days = d
		}
	}
	from, errFrom := time.ParseInLocation(time.DateOnly, c.QueryParam("from"), zone)
	until, errTo := time.ParseInLocation(time.DateOnly, c.QueryParam("to"), zone)
	if errFrom != nil || errTo != nil || from.After(until) {
		return days, now, false
	}
	y, m, d := now.In(zone).Date()
	if today := time.Date(y, m, d, 0, 0, 0, 0, zone); until.After(today) {
		until = today
	}
	n := 0
	for day := from; !day.After(until) && n <= reportMaxDays; day = day.AddDate(0, 0, 1) {
		n++
	}
	if n == 0 || n > reportMaxDays {
		return days, now, false
	}
	// Noon of the last day: the day itself whatever the zone's offsets.
	return n, until.Add(12 * time.Hour), true
}

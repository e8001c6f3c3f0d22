package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/labstack/echo/v4"
)

// exportQueue downloads a queue view (or a search) as CSV: every row of the
// view, not only the page, in the user's language, UTF-8 with a byte-order
// mark so that Excel reads Chinese, RFC 4180 quoting with CRLF line ends,
// amounts in yuan, times in the display zone. It streams: rows are read and
// written a page at a time. Each export is written to the audit log, because
// it carries buyers' personal data; phones are masked unless the role may
// read them in full.
func (s *Server) exportQueue(c echo.Context) error {
	u := user(c)
	qq := parseQueueQuery(c.QueryParams(), u)
	f, _ := tabFilter(qq.filter.Tab, qq.base, u, s.now())
	return s.exportTickets(c, "queue "+qq.filter.URL(), func(each func(anxin.Ticket) error) (int, error) {
		return s.store.EachInView(c.Request().Context(), f, each)
	})
}

// exportAll downloads every ticket in every state the user may see, newest
// first, optionally of one merchant (staff), state and service: the
// export of record, as exportQueue writes it.
func (s *Server) exportAll(c echo.Context) error {
	u := user(c)
	q := c.QueryParams()
	f := store.TicketFilter{MerchantID: u.Actor().Scope().MerchantID, State: anxin.State(q.Get("state")),
		Service: anxin.ServiceKey(q.Get("service"))}
	if m := q.Get("merchant"); m != "" && f.MerchantID == 0 {
		f.MerchantID = parseID(m)
	}
	if f.State != "" && !f.State.Valid() {
		f.State = "-" // an unknown state selects nothing
	}
	return s.exportTickets(c, "all tickets "+q.Encode(), func(each func(anxin.Ticket) error) (int, error) {
		return s.store.EachTicket(c.Request().Context(), f, each)
	})
}

// exportTickets writes tickets as CSV while rows come, and records the
// export in the audit log (who, what, how many rows).
func (s *Server) exportTickets(c echo.Context, view string, rows func(each func(anxin.Ticket) error) (int, error)) error {
	ctx := c.Request().Context()
	u := user(c)
	now := s.now()
	lang := s.langCtx(c)
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	w.Header().Set(echo.HeaderContentDisposition,
		fmt.Sprintf(`attachment; filename="anxin-%s.csv"`, now.In(s.cfg.Zone).Format("20060102-150405")))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write([]byte("\uFEFF")); err != nil {
		return nil // the client went away
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	header := []string{"Ticket", "State", "Service", "Merchant", "Product", "Order number", "Buyer", "Phone",
		"Claimed (yuan)", "Refunded (yuan)", "Created", "Deadline", "Assignee"}
	for i, h := range header {
		header[i] = views.T(lang, h)
	}
	if err := cw.Write(header); err != nil {
		return nil
	}
	at := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(s.cfg.Zone).Format("2006-01-02 15:04:05")
	}
	written := 0
	n, err := rows(func(t anxin.Ticket) error {
		phone := t.BuyerPhone
		if !u.Role.SeesFullPhones() {
			phone = views.MaskPhone(phone)
		}
		if err := cw.Write([]string{t.Number, views.StateName(lang, t.State), views.ServiceName(lang, t.Service),
			t.MerchantName, t.Order.Product, t.Order.ID, t.BuyerName, phone, yuanText(t.RequestedFen),
			yuanText(t.RefundedFen), at(t.CreatedAt), at(t.Deadline), t.AssigneeName}); err != nil {
			return err
		}
		if written++; written%exportFlushRows == 0 {
			cw.Flush()
			w.Flush()
		}
		return cw.Error()
	})
	cw.Flush()
	if err != nil && ctx.Err() == nil {
		s.log.Error("export failed part-way", "user", u.ID, "rows", n, "err", err)
	}
	if err := s.store.RecordExport(context.WithoutCancel(ctx), u.Actor(), view, n); err != nil {
		s.log.Error("recording an export in the audit log failed", "user", u.ID, "rows", n, "err", err)
	}
	return nil
}

// exportFlushRows is how many rows go out to the client at a time.
const exportFlushRows = 200

// yuanText writes fen as yuan with two decimals: 8990 -> 89.90.
func yuanText(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

package web

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/labstack/echo/v4"
)

// ticketPage shows a ticket. After a plain (no-JavaScript) action the
// redirect lands here with ?done=ACTION; the outcome is shown only if the
// ticket's last event is that action by this user, so a link cannot fake it.
func (s *Server) ticketPage(c echo.Context) error {
	u := user(c)
	t, err := s.store.TicketByNumber(c.Request().Context(), u.Actor().Scope(), c.Param("number"))
	if err != nil {
		return err
	}
	// Opening the ticket reads the user's alerts about it.
	if err := s.store.ReadTicketAlerts(c.Request().Context(), u.ID, t.ID); err != nil {
		return err
	}
	p, err := s.ticketView(c, t)
	if err != nil {
		return err
	}
	if done := anxin.Action(c.QueryParam("done")); done != "" && len(p.Events) > 0 {
		if last := p.Events[len(p.Events)-1]; last.Action == done && last.Actor.UserID == u.ID {
			if err := s.offerNext(c, &p, done); err != nil {
				return err
			}
		}
	}
	return s.render(c, http.StatusOK, views.TicketView(p))
}

// ticketView gathers what the ticket page shows.
func (s *Server) ticketView(c echo.Context, t anxin.Ticket) (views.TicketPage, error) {
	ctx := c.Request().Context()
	u := user(c)
	scope := u.Actor().Scope()
	svc, pol, err := s.store.Policy(ctx, t.MerchantID, t.Service)
	if err != nil {
		return views.TicketPage{}, err
	}
	p := views.TicketPage{Ticket: t, Service: svc, Policy: pol, Staff: u.Role != anxin.RoleMerchant,
		Actions: anxin.ActionsFor(t.State, u.Role, pol), Viewers: s.live.viewers(t.ID, u.ID)}
	if p.Events, err = s.store.Timeline(ctx, scope, t.ID); err != nil {
		return p, err
	}
	if p.Notes, err = s.store.Notes(ctx, scope, t.ID); err != nil {
		return p, err
	}
	if p.Photos, err = s.photosView(ctx, u, t); err != nil {
		return p, err
	}
	p.Evidence = p.Photos.Evidence
	switch r, err := s.store.Refund(ctx, scope, t.ID); {
	case err == nil:
		p.Refund = &r
	case anxin.ErrorCode(err) != anxin.ENOTFOUND:
		return p, err
	}
	if p.Staff {
		if p.Agents, err = s.store.Agents(ctx); err != nil {
			return p, err
		}
	}
	return p, nil
}

// offerNext marks the action done and finds the next ticket of the queue.
func (s *Server) offerNext(c echo.Context, p *views.TicketPage, a anxin.Action) error {
	p.Outcome = views.Outcome{Kind: "done", Action: a}
	next, ok, err := s.store.Next(c.Request().Context(), store.QueueFilter{Scope: user(c).Actor().Scope()}, p.Ticket.ID)
	if err != nil {
		return err
	}
	if ok {
		p.Next = &next
	}
	return nil
}

// ticketAction takes one action on a ticket: one press, compare-and-set on
// the version the page showed. The one who loses a race sees who won and the
// ticket as it is now, never an error page.
func (s *Server) ticketAction(c echo.Context) error {
	ctx := c.Request().Context()
	u := user(c)
	t, err := s.store.TicketByNumber(ctx, u.Actor().Scope(), c.Param("number"))
	if err != nil {
		return err
	}
	action := anxin.Action(c.Param("action"))
	form := views.ActionForm{Action: action, Amount: strings.TrimSpace(c.FormValue("amount")),
		ReasonCode: c.FormValue("reason_code"), Reason: strings.TrimSpace(c.FormValue("reason")),
		Tracking: c.FormValue("tracking"), Slot: c.FormValue("slot")}
	version, _ := strconv.ParseInt(c.FormValue("version"), 10, 64)
	if version <= 0 {
		// A decision is taken on the ticket as the page showed it: without
		// the version it showed, a stale page could act on a newer ticket.
		return anxin.Fail(anxin.MsgVersionMissing)
	}
	d := anxin.Decision{Action: action, Actor: u.Actor(), Version: version, Tracking: form.Tracking,
		ConfirmAboveFen: s.cfg.ConfirmRefundAboveFen, Confirmed: c.FormValue("confirm") == "1"}
	d.Reason = s.reasonText(c, form)

	var outcome views.Outcome
	if d.AmountFen, err = parseYuan(form.Amount); err != nil {
		outcome = views.Outcome{Kind: "refused", Action: action, Err: anxin.Fail(anxin.MsgAmountNotYuan)}
	} else if d.Slot, err = s.parseSlot(form.Slot); err != nil {
		outcome = views.Outcome{Kind: "refused", Action: action, Err: anxin.Fail(anxin.MsgSlotNotTime)}
	} else {
		updated, err := s.store.Decide(ctx, t.ID, d)
		var handled *anxin.AlreadyHandled
		var derr *anxin.Error
		switch {
		case err == nil:
			t = updated
			if back := c.FormValue("back"); back != "" && !isHTMX(c) {
				if err := s.setFlash(c, "ok", t.Number+" · "+views.T(s.langCtx(c), string(action))+" ✓"); err != nil {
					return err
				}
				return redirect(c, safeNext(back))
			}
			if !isHTMX(c) {
				return redirect(c, "/tickets/"+t.Number+"?done="+url.QueryEscape(string(action)))
			}
			outcome = views.Outcome{Kind: "done", Action: action}
		case errors.As(err, &handled):
			t = handled.Ticket
			outcome = views.Outcome{Kind: "handled", Action: handled.Action, By: handled.By, At: handled.At}
		case errors.As(err, &derr) && derr.Code == anxin.ECONFIRM:
			outcome = views.Outcome{Kind: "confirm", Action: action, AmountFen: derr.AmountFen}
		case errors.As(err, &derr) && derr.Code != anxin.ENOTFOUND:
			outcome = views.Outcome{Kind: "refused", Action: action, Err: derr}
		default:
			return err
		}
	}
	p, err := s.ticketView(c, t)
	if err != nil {
		return err
	}
	p.Form = form
	if outcome.Kind == "done" {
		if err := s.offerNext(c, &p, action); err != nil {
			return err
		}
	} else {
		p.Outcome = outcome
	}
	return s.renderTicket(c, outcomeStatus(outcome.Kind), p)
}

// renderTicket answers with the ticket: only its body for htmx.
func (s *Server) renderTicket(c echo.Context, status int, p views.TicketPage) error {
	if isHTMX(c) {
		return s.render(c, status, views.TicketBody(p))
	}
	return s.render(c, status, views.TicketView(p))
}

func outcomeStatus(kind string) int {
	switch kind {
	case "handled":
		return http.StatusConflict
	case "refused":
		return http.StatusUnprocessableEntity
	}
	return http.StatusOK
}

// reasonText joins a chosen reason (in the actor's language) and free text.
func (s *Server) reasonText(c echo.Context, f views.ActionForm) string {
	code := ""
	for _, r := range views.RejectReasons() {
		if f.ReasonCode == r {
			code = views.T(s.langCtx(c), r)
		}
	}
	switch {
	case code != "" && f.Reason != "":
		return code + ": " + f.Reason
	case code != "":
		return code
	}
	return f.Reason
}

// parseYuan reads an amount in yuan, like "12" or "12.50", as fen; "" is 0.
func parseYuan(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	m := yuanPattern.FindStringSubmatch(s)
	if m == nil {
		return 0, errors.New("bad amount")
	}
	y, _ := strconv.ParseInt(m[1], 10, 64) // at most 8 digits: no overflow
	f, _ := strconv.ParseInt((m[2] + "00")[:2], 10, 64)
	return y*100 + f, nil
}

// yuanPattern is an amount as people type it: 12, 12.5 or 12.50. Nothing
// else is guessed at: no sign, no thousands separators, no third decimal.
var yuanPattern = regexp.MustCompile(`^([0-9]{1,8})(?:\.([0-9]{1,2}))?$`)

// parseSlot reads a datetime-local value in the configured zone; "" is zero.
func (s *Server) parseSlot(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	return time.ParseInLocation("2006-01-02T15:04", v, s.cfg.Zone)
}

func (s *Server) assignTicket(c echo.Context) error {
	ctx := c.Request().Context()
	u := user(c)
	t, err := s.store.TicketByNumber(ctx, u.Actor().Scope(), c.Param("number"))
	if err != nil {
		return err
	}
	assignee, err := strconv.ParseInt(c.FormValue("assignee"), 10, 64)
	if err != nil {
		return anxin.Fail(anxin.MsgChooseAssignee)
	}
	if t, err = s.store.Assign(ctx, t.ID, assignee, u.Actor()); err != nil {
		return err
	}
	if !isHTMX(c) {
		return redirect(c, "/tickets/"+t.Number)
	}
	p, err := s.ticketView(c, t)
	if err != nil {
		return err
	}
	return s.renderTicket(c, http.StatusOK, p)
}

func (s *Server) addNote(c echo.Context) error {
	ctx := c.Request().Context()
	u := user(c)
	t, err := s.store.TicketByNumber(ctx, u.Actor().Scope(), c.Param("number"))
	if err != nil {
		return err
	}
	if _, err := s.store.AddNote(ctx, t.ID, u.Actor(), c.FormValue("body"), c.FormValue("visibility") == "shared"); err != nil {
		return err
	}
	if !isHTMX(c) {
		return redirect(c, "/tickets/"+t.Number+"#notes")
	}
	p, err := s.ticketView(c, t)
	if err != nil {
		return err
	}
	return s.renderTicket(c, http.StatusOK, p)
}

func isHTMX(c echo.Context) bool { return c.Request().Header.Get("HX-Request") == "true" }

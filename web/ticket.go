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
	if err := s.store.MarkRead(c.Request().Context(), u.ID, t); err != nil {
		return err
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
		Actions: t.Actions(u.Role, pol), Viewers: s.live.viewers(t.ID, u.ID)}
	if p.Events, err = s.store.Timeline(ctx, scope, t.ID); err != nil {
		return p, err
	}
	if p.Notes, err = s.store.Notes(ctx, scope, t.ID); err != nil {
		return p, err
	}
	limit := views.ThreadLatest
	if p.ThreadAll = c.QueryParam("thread") == "all"; p.ThreadAll {
		limit = 0
	}
	var total int
	if p.Messages, total, err = s.store.LatestMessages(ctx, scope, t.ID, limit); err != nil {
		return p, err
	}
	p.EarlierMessages = total - len(p.Messages)
	if p.Offers, err = s.store.Offers(ctx, scope, t.ID); err != nil {
		return p, err
	}
	macros, err := s.store.Macros(ctx, t.MerchantID)
	if err != nil {
		return p, err
	}
	if p.Photos, err = s.photosViewWith(ctx, u, t, svc, pol); err != nil {
		return p, err
	}
	p.Evidence = p.Photos.Evidence
	if p.History, err = s.store.BuyerHistory(ctx, scope, t, p.Evidence); err != nil {
		return p, err
	}
	// The refund, the return's address and postage in one read.
	v, err := s.store.TicketView(ctx, scope, t.ID)
	if err != nil {
		return p, err
	}
	if v.Refund.ID != 0 {
		p.Refund = &v.Refund
	}
	if p.Returns, err = s.returnsFrom(ctx, u, t, pol, v); err != nil {
		return p, err
	}
	lctx := s.langCtx(c)
	for _, m := range macros {
		p.Macros = append(p.Macros, views.RenderMacro(lctx, m, t, p.Refund, macroAddress(p.Returns)))
	}
	if p.Staff {
		if p.Agents, err = s.store.Agents(ctx); err != nil {
			return p, err
		}
	}
	return p, nil
}

// ticketAction takes one action on a ticket: one press, compare-and-set on
// the version the page showed. The one who loses a race sees who won and the
// ticket as it is now, never an error page.
func (s *Server) ticketAction(c echo.Context) error {
	u := user(c)
	// The decision reads the ticket in its transaction, within the user's
	// scope; reading it here too would cost every press a query.
	id, ok := anxin.ParseTicketNumber(c.Param("number"))
	if !ok {
		return anxin.Fail(anxin.MsgTicketNotFound)
	}
	action := anxin.Action(c.Param("action"))
	form := views.ActionForm{Action: action, Amount: strings.TrimSpace(c.FormValue("amount")),
		ReasonCode: c.FormValue("reason_code"), Reason: strings.TrimSpace(c.FormValue("reason")),
		Tracking: c.FormValue("tracking"), Carrier: c.FormValue("carrier"), Slot: c.FormValue("slot"), Message: c.FormValue("message")}
	version, _ := strconv.ParseInt(c.FormValue("version"), 10, 64)
	if version <= 0 {
		// A decision is taken on the ticket as the page showed it: without
		// the version it showed, a stale page could act on a newer ticket.
		return anxin.Fail(anxin.MsgVersionMissing)
	}
	d := anxin.Decision{Action: action, Actor: u.Actor(), Version: version, Tracking: form.Tracking, Carrier: form.Carrier,
		Message: form.Message, ConfirmAboveFen: s.cfg.ConfirmRefundAboveFen, Confirmed: c.FormValue("confirm") == "1"}
	d.Reason = s.reasonText(c, form)

	var refused error
	var err error
	if d.AmountFen, err = parseYuan(form.Amount); err != nil {
		refused = anxin.Fail(anxin.MsgAmountNotYuan)
	} else if d.Slot, err = s.parseSlot(form.Slot); err != nil {
		refused = anxin.Fail(anxin.MsgSlotNotTime)
	}
	return s.decideOnPage(c, id, d, form, refused)
}

// decideOnPage takes a decision from the ticket page (an action's form, or a
// canned reply that carries an action) and answers with the ticket and what
// became of it: done (with the next ticket), handled by someone first,
// refused, or a payout to confirm. refused is a refusal of the form's input,
// found before the decision was tried. The ticket shown is the one the
// decision returns, or else the ticket as it is now.
func (s *Server) decideOnPage(c echo.Context, id int64, d anxin.Decision, form views.ActionForm, refused error) error {
	ctx := c.Request().Context()
	action := d.Action
	var outcome views.Outcome
	var t anxin.Ticket
	if refused != nil {
		outcome = views.Outcome{Kind: "refused", Action: action, Err: refused}
	} else {
		updated, err := s.store.Decide(ctx, id, d)
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
			outcome = views.Outcome{Kind: "handled", Action: handled.Action, By: anxin.Actor{Name: handled.By, Role: handled.ByRole}, At: handled.At}
		case errors.As(err, &derr) && derr.Code == anxin.ECONFIRM:
			outcome = views.Outcome{Kind: "confirm", Action: action, AmountFen: derr.AmountFen}
		case errors.As(err, &derr) && derr.Code != anxin.ENOTFOUND:
			outcome = views.Outcome{Kind: "refused", Action: action, Err: derr}
		default:
			return err
		}
	}
	if t.ID == 0 {
		var err error
		if t, err = s.store.Ticket(ctx, d.Actor.Scope(), id); err != nil {
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

// sendMessage sends the viewer's reply to the buyer: the text of the reply
// box, which a canned reply may have filled (macro), or a canned reply sent
// as it is (send_macro). A canned reply that carries an action takes it with
// the message in one decision, on the version the page showed. A refused
// reply is shown with the ticket, its text kept.
func (s *Server) sendMessage(c echo.Context) error {
	ctx := c.Request().Context()
	u := user(c)
	t, err := s.store.TicketByNumber(ctx, u.Actor().Scope(), c.Param("number"))
	if err != nil {
		return err
	}
	body, macroID := c.FormValue("body"), parseID(c.FormValue("macro"))
	if id := c.FormValue("send_macro"); id != "" {
		macroID, body = parseID(id), ""
	}
	var m anxin.Macro
	if c.FormValue("macro") != "" || c.FormValue("send_macro") != "" {
		if m, err = s.store.Macro(ctx, u.Actor().Scope(), t.MerchantID, macroID); err != nil {
			return err
		}
		if body == "" {
			refund, err := s.store.Refund(ctx, u.Actor().Scope(), t.ID)
			if err != nil && anxin.ErrorCode(err) != anxin.ENOTFOUND {
				return err
			}
			_, pol, err := s.store.Policy(ctx, t.MerchantID, t.Service)
			if err != nil {
				return err
			}
			returns, err := s.returnsView(ctx, u, t, pol)
			if err != nil {
				return err
			}
			body = views.RenderMacro(s.langCtx(c), m, t, &refund, macroAddress(returns)).Text
		}
	}
	if m.Action != "" {
		version, _ := strconv.ParseInt(c.FormValue("version"), 10, 64)
		var refused error
		if version <= 0 {
			refused = anxin.Fail(anxin.MsgVersionMissing)
		}
		d := anxin.Decision{Action: m.Action, Actor: u.Actor(), Version: version, Reason: m.Reason, Message: body,
			ConfirmAboveFen: s.cfg.ConfirmRefundAboveFen}
		return s.decideOnPage(c, t.ID, d, views.ActionForm{Action: m.Action, Reason: m.Reason, Message: body, Macro: m.ID}, refused)
	}
	_, err = s.store.SendMessage(ctx, t.ID, u.Actor(), body)
	var derr *anxin.Error
	switch {
	case err == nil && !isHTMX(c):
		return redirect(c, "/tickets/"+t.Number+"#timeline")
	case err != nil && (!errors.As(err, &derr) || derr.Code == anxin.ENOTFOUND):
		return err
	}
	if t, err = s.store.Ticket(ctx, u.Actor().Scope(), t.ID); err != nil {
		return err
	}
	p, err := s.ticketView(c, t)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if derr != nil {
		p.Reply, p.Macro, status = body, m.ID, http.StatusUnprocessableEntity
		p.Outcome = views.Outcome{Kind: "refused", Action: views.SendMessage, Err: derr}
	}
	return s.renderTicket(c, status, p)
}

// ticketThread is the ticket's conversation and timeline, which an open
// page swaps in when a message arrives; seeing it reads the messages.
func (s *Server) ticketThread(c echo.Context) error {
	ctx := c.Request().Context()
	u := user(c)
	t, err := s.store.TicketByNumber(ctx, u.Actor().Scope(), c.Param("number"))
	if err != nil {
		return err
	}
	p, err := s.ticketView(c, t)
	if err != nil {
		return err
	}
	if err := s.store.MarkRead(ctx, u.ID, t); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.Thread(p))
}

func isHTMX(c echo.Context) bool { return c.Request().Header.Get("HX-Request") == "true" }

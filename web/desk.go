package web

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/labstack/echo/v4"
)

// undoRefund takes back the ticket's refund while it waits to be handed to
// the payment system, on the version the page showed. Too late, or someone
// first: the ticket as it is now, with why.
func (s *Server) undoRefund(c echo.Context) error {
	ctx := c.Request().Context()
	u := user(c)
	t, err := s.store.TicketByNumber(ctx, u.Actor().Scope(), c.Param("number"))
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(c.FormValue("version"), 10, 64)
	if version <= 0 {
		return anxin.Fail(anxin.MsgVersionMissing)
	}
	var outcome views.Outcome
	updated, err := s.store.UndoRefund(ctx, t.ID, u.Actor(), version)
	var handled *anxin.AlreadyHandled
	var derr *anxin.Error
	switch {
	case err == nil:
		t = updated
		if !isHTMX(c) {
			if err := s.setFlash(c, "ok", t.Number+" · "+views.T(s.langCtx(c), string(anxin.UndoRefund))+" ✓"); err != nil {
				return err
			}
			return redirect(c, "/tickets/"+t.Number)
		}
		outcome = views.Outcome{Kind: "done", Action: anxin.UndoRefund}
	case errors.As(err, &handled):
		t = handled.Ticket
		outcome = views.Outcome{Kind: "handled", Action: handled.Action, By: anxin.Actor{Name: handled.By, Role: handled.ByRole}, At: handled.At}
	case errors.As(err, &derr) && derr.Code != anxin.ENOTFOUND:
		if t, err = s.store.Ticket(ctx, u.Actor().Scope(), t.ID); err != nil {
			return err
		}
		outcome = views.Outcome{Kind: "refused", Action: anxin.UndoRefund, Err: derr}
	default:
		return err
	}
	p, err := s.ticketView(c, t)
	if err != nil {
		return err
	}
	p.Outcome = outcome
	return s.renderTicket(c, outcomeStatus(outcome.Kind), p)
}

// newTicketForm shows the agent's form for a claim taken on the phone.
func (s *Server) newTicketForm(c echo.Context) error {
	p, err := s.newTicketPage(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.NewTicketView(p))
}

func (s *Server) newTicketPage(c echo.Context) (views.NewTicketPage, error) {
	ms, err := s.store.Merchants(c.Request().Context(), anxin.AllMerchants())
	if err != nil {
		return views.NewTicketPage{}, err
	}
	return views.NewTicketPage{Merchants: ms, Services: anxin.Services(), MaxPhotos: s.store.Photos().MaxPerParty}, nil
}

// newTicket opens a ticket from the agent's form through the intake API's
// use case (store.EnterClaim): the same eligibility, an override of the
// window only with its reason. The photos are checked (photo.Process) before
// anything is written, so a refused file leaves no ticket behind; a refused
// form comes back with what was typed and the message by its field. The same
// claim submitted twice lands on the ticket the first opened.
func (s *Server) newTicket(c echo.Context) error {
	ctx := c.Request().Context()
	u := user(c)
	p, err := s.newTicketPage(c)
	if err != nil {
		return err
	}
	mf, err := c.MultipartForm()
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "The upload is too large.")
	}
	f := views.NewTicketForm{Merchant: c.FormValue("merchant"), Service: c.FormValue("service"),
		OrderID: strings.TrimSpace(c.FormValue("order_id")), Product: strings.TrimSpace(c.FormValue("product")),
		Paid: strings.TrimSpace(c.FormValue("paid")), OrderedAt: c.FormValue("ordered_at"),
		ShippedAt: c.FormValue("shipped_at"), ReceivedAt: c.FormValue("received_at"),
		BuyerName: c.FormValue("buyer_name"), BuyerPhone: c.FormValue("buyer_phone"), Reason: c.FormValue("reason"),
		Amount: strings.TrimSpace(c.FormValue("amount")), Override: c.FormValue("override") == "1",
		OverrideReason: c.FormValue("override_reason")}
	p.Form = f
	refuse := func(err error, field anxin.Field) error {
		p.Error, p.ErrorField = err, field
		return s.render(c, http.StatusUnprocessableEntity, views.NewTicketView(p))
	}
	claim := anxin.Claim{Service: anxin.ServiceKey(f.Service), BuyerName: f.BuyerName, BuyerPhone: f.BuyerPhone,
		Reason: f.Reason, Actor: u.Actor(), Order: anxin.Order{ID: f.OrderID, Product: f.Product}}
	if f.Merchant == "" {
		return refuse(anxin.Fail(anxin.MsgFieldRequired, anxin.FieldMerchant), "")
	}
	if f.Service == "" {
		return refuse(anxin.Fail(anxin.MsgFieldRequired, anxin.FieldService), "")
	}
	if claim.Order.PaidFen, err = parseYuan(f.Paid); err != nil {
		return refuse(anxin.Fail(anxin.MsgAmountNotYuan), anxin.FieldPaid)
	}
	if claim.RequestedFen, err = parseYuan(f.Amount); err != nil {
		return refuse(anxin.Fail(anxin.MsgAmountNotYuan), anxin.FieldRequested)
	}
	for _, t := range []struct {
		field anxin.Field
		value string
		to    *time.Time
	}{
		{anxin.FieldOrderedAt, f.OrderedAt, &claim.Order.OrderedAt},
		{anxin.FieldShippedAt, f.ShippedAt, &claim.Order.ShippedAt},
		{anxin.FieldReceivedAt, f.ReceivedAt, &claim.Order.ReceivedAt},
	} {
		if *t.to, err = s.parseLocalTime(t.value); err != nil {
			return refuse(anxin.Fail(anxin.MsgTimeNotValid, t.field), "")
		}
	}
	if f.Override {
		if strings.TrimSpace(f.OverrideReason) == "" {
			return refuse(anxin.Fail(anxin.MsgOverrideReason), "")
		}
		claim.Override = f.OverrideReason
	}
	var files []*multipart.FileHeader
	if mf != nil {
		files = mf.File["photos"]
	}
	if n := s.store.Photos().MaxPerParty; len(files) > n {
		return refuse(anxin.Fail(anxin.MsgPhotoLimit), "photos")
	}
	processed := make([]photo.Processed, 0, len(files))
	for _, fh := range files {
		pr, err := s.processUpload(fh)
		if anxin.ErrorCode(err) == anxin.EINTERNAL {
			return err
		}
		if err != nil {
			return refuse(err, "photos")
		}
		processed = append(processed, pr)
	}
	v, replayed, err := s.store.EnterClaim(ctx, f.Merchant, claim)
	if err != nil {
		var derr *anxin.Error
		if errors.As(err, &derr) && derr.Code != anxin.EINTERNAL {
			return refuse(derr, "")
		}
		return err
	}
	msg := s.tr(c, "Ticket %s created.", v.Number)
	if replayed {
		msg = s.tr(c, "This claim was already entered as %s.", v.Number)
	} else {
		added := 0
		for _, pr := range processed {
			if _, err := s.store.RecordPhoto(ctx, u.Actor(), store.Upload{TicketID: v.ID}, pr); err != nil {
				if anxin.ErrorCode(err) == anxin.EINTERNAL {
					return err
				}
				continue
			}
			added++
		}
		if len(processed) > 0 {
			msg += " " + s.tr(c, "%d of %d photos added.", added, len(processed))
		}
	}
	s.log.Info("claim entered by an agent", "ticket", v.ID, "user", u.ID, "replayed", replayed,
		"override", claim.Override != "", "request_id", c.Response().Header().Get(echo.HeaderXRequestID))
	if err := s.setFlash(c, "ok", msg); err != nil {
		return err
	}
	return redirect(c, "/tickets/"+v.Number)
}

// processUpload reads one uploaded photo (never more than the size limit
// and a byte) and checks it by its content, as every upload is.
func (s *Server) processUpload(fh *multipart.FileHeader) (photo.Processed, error) {
	f, err := fh.Open()
	if err != nil {
		return photo.Processed{}, fmt.Errorf("open upload: %w", err)
	}
	defer func() { _ = f.Close() }() // read only
	data, err := io.ReadAll(io.LimitReader(f, s.store.Photos().MaxBytes+1))
	if err != nil {
		return photo.Processed{}, fmt.Errorf("read upload: %w", err)
	}
	return photo.Process(data, s.store.Photos())
}

// parseLocalTime reads a datetime-local value in the display zone; "" is zero.
func (s *Server) parseLocalTime(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, v, s.cfg.Zone); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errors.New("not a time")
}

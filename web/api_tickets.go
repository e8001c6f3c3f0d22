package web

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/web/api"
	"github.com/labstack/echo/v4"
)

func ticketOf(v store.TicketView) api.Ticket {
	return api.TicketOf(v.Ticket, v.MerchantCode, &v.Refund, &v.Offer).
		WithReturns(api.Returns{Address: v.Address, Postage: v.Postage, Shipments: v.Shipments})
}

// apiCreateTicket opens a ticket from a buyer's claim: 201 with the ticket
// (refunding already when the merchant's instant refund covers it), 422 with
// the rule that refused it.
func (s *Server) apiCreateTicket(c echo.Context) error {
	var req api.CreateTicket
	raw, err := readJSON(c, &req)
	if err != nil {
		return err
	}
	key, err := idempotencyKey(c, raw)
	if err != nil {
		return err
	}
	v, replayed, err := s.store.Intake(c.Request().Context(), apiKeyOf(c).Scope(), strings.TrimSpace(req.Merchant), req.Claim(), key)
	return answerTicket(c, http.StatusCreated, v, replayed, err)
}

// ticketID reads a ticket's id, or its number (AX-000123), from the path.
func ticketID(c echo.Context) (int64, error) {
	id, ok := anxin.ParseTicketNumber(c.Param("id"))
	if !ok {
		return 0, anxin.Errorf(anxin.ENOTFOUND, "ticket not found")
	}
	return id, nil
}

func (s *Server) apiGetTicket(c echo.Context) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	v, err := s.store.TicketView(c.Request().Context(), apiKeyOf(c).Scope(), id)
	if err != nil {
		return err
	}
	return writeAPI(c, http.StatusOK, ticketOf(v))
}

// apiListTickets lists tickets in every state, newest first, a page at a time.
func (s *Server) apiListTickets(c echo.Context) error {
	ctx := c.Request().Context()
	q := c.QueryParams()
	key := apiKeyOf(c)
	f := store.TicketFilter{State: anxin.State(q.Get("state")), Service: anxin.ServiceKey(q.Get("service")),
		MerchantID: key.MerchantID}
	if code := q.Get("merchant"); code != "" {
		m, err := s.apiMerchant(c, code)
		if err != nil {
			return err
		}
		f.MerchantID = m.ID
	}
	if f.State != "" && !f.State.Valid() {
		return anxin.Errorf(anxin.EINVALID, "unknown state %q", f.State)
	}
	if f.Service != "" {
		if _, err := anxin.LookupService(f.Service); err != nil {
			return err
		}
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 200 {
			return anxin.Errorf(anxin.EINVALID, "limit must be from 1 to 200")
		}
		f.Limit = n
	}
	if cur := q.Get("cursor"); cur != "" {
		var ok bool
		if f.After, ok = store.ParseListCursor(cur); !ok {
			return anxin.Errorf(anxin.EINVALID, "malformed cursor %q", cur)
		}
	}
	views, next, err := s.store.ListTickets(ctx, f)
	if err != nil {
		return err
	}
	out := api.TicketList{Tickets: make([]api.Ticket, len(views))}
	for i, v := range views {
		out.Tickets[i] = ticketOf(v)
	}
	if !next.IsZero() {
		n := next.String()
		out.NextCursor = &n
	}
	return writeAPI(c, http.StatusOK, out)
}

// apiTicketEvent records something the buyer did: the matching decision,
// taken by the buyer, compare-and-set on the version given (if any).
func (s *Server) apiTicketEvent(c echo.Context) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	var req api.TicketEvent
	raw, err := readJSON(c, &req)
	if err != nil {
		return err
	}
	action, ok := api.EventAction(req.Type)
	if !ok {
		return anxin.Errorf(anxin.EINVALID, "unknown event type %q: return_shipped, pickup_booked, cancelled, appeal, evidence_added, offer_accepted or offer_declined", req.Type)
	}
	d := anxin.Decision{Action: action, Actor: apiKeyOf(c).Actor(), Version: req.Version, Tracking: req.Tracking,
		Carrier: req.Carrier, Reason: req.Reason}
	if req.Slot != nil {
		d.Slot = req.Slot.UTC()
	}
	key, err := idempotencyKey(c, raw)
	if err != nil {
		return err
	}
	v, replayed, err := s.store.BuyerEvent(c.Request().Context(), id, d, key)
	return answerTicket(c, http.StatusOK, v, replayed, err)
}

// apiLogistics records a carrier's report on one of the ticket's parcels,
// relayed by the platform: 200 with the ticket as it is after it (a report
// heard before, by parcel, status and time, changes nothing), 422 naming the
// field of a report that cannot be.
func (s *Server) apiLogistics(c echo.Context) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	var req api.LogisticsEvent
	raw, err := readJSON(c, &req)
	if err != nil {
		return err
	}
	r, err := req.Report()
	if err != nil {
		return err
	}
	key, err := idempotencyKey(c, raw)
	if err != nil {
		return err
	}
	v, replayed, err := s.store.ReportLogistics(c.Request().Context(), apiKeyOf(c).Scope(), id, r, key)
	return answerTicket(c, http.StatusOK, v, replayed, err)
}

// apiPostMessage records a message from the buyer: 201 with the message.
// Its photos are evidence already uploaded to the ticket, named by id.
func (s *Server) apiPostMessage(c echo.Context) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	var req api.NewMessage
	raw, err := readJSON(c, &req)
	if err != nil {
		return err
	}
	key, err := idempotencyKey(c, raw)
	if err != nil {
		return err
	}
	m, replayed, err := s.store.BuyerMessage(c.Request().Context(), apiKeyOf(c).Actor(), id, req.Body, req.Photos, key)
	if replayed {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	if err != nil {
		return err
	}
	return writeAPI(c, http.StatusCreated, api.MessageOf(m))
}

// apiMessages lists a ticket's conversation, oldest first.
func (s *Server) apiMessages(c echo.Context) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	msgs, err := s.store.Messages(c.Request().Context(), apiKeyOf(c).Scope(), id)
	if err != nil {
		return err
	}
	out := api.MessageList{Messages: make([]api.Message, 0, len(msgs))}
	for _, m := range msgs {
		out.Messages = append(out.Messages, api.MessageOf(m))
	}
	return writeAPI(c, http.StatusOK, out)
}

// Evidence uploads: at most maxPhotos photos of at most maxPhotoBytes each.
const (
	maxPhotos     = 9
	maxPhotoBytes = 10 << 20
)

// apiEvidence adds the buyer's photos to a ticket: multipart/form-data with
// one or more "photos" parts (JPEG or PNG) and an optional "label".
func (s *Server) apiEvidence(c echo.Context) error {
	id, err := ticketID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.store.Ticket(ctx, apiKeyOf(c).Scope(), id); err != nil {
		return err
	}
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxPhotos*maxPhotoBytes+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "send the photos as multipart/form-data")
	}
	label := ""
	var photos [][]byte
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return uploadError(err)
		}
		switch part.FormName() {
		case "label":
			b, _ := io.ReadAll(io.LimitReader(part, 200))
			label = strings.TrimSpace(string(b))
		case "photos", "photo":
			if len(photos) == maxPhotos {
				return anxin.Errorf(anxin.EINVALID, "at most %d photos at a time", maxPhotos)
			}
			data, err := readPart(part)
			if err != nil {
				return err
			}
			photos = append(photos, data)
		}
	}
	if len(photos) == 0 {
		return anxin.Errorf(anxin.EINVALID, "no photos: send them as parts named photos")
	}
	// Every photo is checked before any is added, so a bad one refuses the
	// whole request and adds nothing; each is then processed and recorded by
	// the photo pipeline (re-encoded, its facts kept, duplicates flagged).
	for i, data := range photos {
		if _, err := photo.Validate(data, s.store.Photos().Limits); err != nil {
			return anxin.Errorf(anxin.EINVALID, "photo %d: %s", i+1, anxin.ErrorMessage(err))
		}
	}
	out := api.EvidenceList{}
	for i, data := range photos {
		e, err := s.store.AddPhoto(ctx, apiKeyOf(c).Actor(), store.Upload{TicketID: id, Label: label, Data: data})
		if err != nil {
			if code := anxin.ErrorCode(err); code == anxin.EINVALID || code == anxin.ENOTALLOWED {
				return anxin.Errorf(code, "photo %d: %s", i+1, anxin.ErrorMessage(err))
			}
			return err
		}
		out.Evidence = append(out.Evidence, api.EvidenceOf(e))
	}
	return writeAPI(c, http.StatusCreated, out)
}

func readPart(part *multipart.Part) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(part, maxPhotoBytes+1))
	if err != nil {
		return nil, uploadError(err)
	}
	if len(data) > maxPhotoBytes {
		return nil, echo.NewHTTPError(http.StatusRequestEntityTooLarge, "a photo is at most 10 MiB")
	}
	return data, nil
}

func uploadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "the upload is too large")
	}
	return echo.NewHTTPError(http.StatusBadRequest, "malformed multipart body")
}

// apiDailyOrders records a merchant's order counts per day.
func (s *Server) apiDailyOrders(c echo.Context) error {
	ctx := c.Request().Context()
	m, err := s.apiMerchant(c, c.Param("code"))
	if err != nil {
		return err
	}
	var req api.DailyOrders
	if _, err := readJSON(c, &req); err != nil {
		return err
	}
	days := make([]store.DayOrders, len(req.Days))
	for i, d := range req.Days {
		days[i] = store.DayOrders{Day: d.Day, Orders: d.Orders}
	}
	if err := s.store.SetDailyOrders(ctx, m.ID, days); err != nil {
		return err
	}
	return writeAPI(c, http.StatusOK, api.DailyOrdersSaved{Merchant: m.Code, Days: len(days)})
}

// apiRefundResult is the payment system's answer on a refund it was asked
// to pay (refund.requested). The same answer twice is harmless.
func (s *Server) apiRefundResult(c echo.Context) error {
	var req api.RefundResult
	if _, err := readJSON(c, &req); err != nil {
		return err
	}
	if req.Result != "succeeded" && req.Result != "failed" {
		return anxin.Errorf(anxin.EINVALID, `result must be "succeeded" or "failed"`)
	}
	number := c.Param("number")
	v, err := s.store.SettleRefund(c.Request().Context(), apiKeyOf(c).Scope(), number, req.Result == "succeeded", req.Message)
	if err != nil {
		return err
	}
	refund := api.RefundOf(v.Refund)
	if v.Postage.ID != 0 && v.Postage.Number == number { // a 运费险 payout: a refund line of its own
		refund = api.PostageRefundOf(v.Postage)
	}
	return writeAPI(c, http.StatusOK, api.RefundState{Refund: refund, Ticket: ticketOf(v)})
}

// apiMerchant is the merchant of the code, if the request's key acts for
// it: another merchant's code answers as a code that does not exist.
func (s *Server) apiMerchant(c echo.Context, code string) (anxin.Merchant, error) {
	m, err := s.store.MerchantByCode(c.Request().Context(), code)
	if err == nil && !apiKeyOf(c).Scope().Sees(m.ID) {
		return anxin.Merchant{}, anxin.Fail(anxin.MsgUnknownMerchantKey, code)
	}
	return m, err
}

// Package api holds the JSON shapes of the intake API v1 and of the webhook
// events, and their conversions from domain values: the one definition both
// the HTTP handlers (web) and the webhook sender (web/webhook) write, so
// that a ticket reads the same in a response and in an event.
// web/openapi.json documents them; a test holds the two together.
package api

import (
	"strings"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// Ticket is a ticket as the API shows it. Times are RFC 3339 in UTC; money
// is integer fen; a state without a clock has a null deadline.
type Ticket struct {
	ID           int64      `json:"id"`
	Number       string     `json:"number"`
	Merchant     string     `json:"merchant"`
	MerchantName string     `json:"merchant_name"`
	Service      string     `json:"service"`
	State        string     `json:"state"`
	Version      int64      `json:"version"`
	StateSince   time.Time  `json:"state_since"`
	Deadline     *time.Time `json:"deadline"`
	Order        Order      `json:"order"`
	Buyer        Buyer      `json:"buyer"`
	Reason       string     `json:"reason"`
	RequestedFen int64      `json:"requested_fen"`
	PayableFen   int64      `json:"payable_fen"`
	RefundedFen  int64      `json:"refunded_fen"`
	Refund       *Refund    `json:"refund"`
	// The negotiation, only on tickets that have one, so that every other
	// ticket reads as it did before offers existed: the offer the buyer is
	// to answer (absent when none is) and how many the ticket has seen.
	Offer      *Offer `json:"offer,omitempty"`
	OffersMade int    `json:"offers_made,omitempty"`
	// The return: the address the buyer was sent (null until one was),
	// how the ticket settles with its refund lines, and (on a single
	// ticket, its events and webhooks; not in lists) its parcels.
	ReturnAddress *ReturnAddress `json:"return_address"`
	Settlement    Settlement     `json:"settlement"`
	Shipments     []Shipment     `json:"shipments,omitempty"`
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedAt     time.Time      `json:"updated_at"`
}

// ReturnAddress is where the buyer sends the goods back: the merchant's
// address as it was when it was sent (a later edit of the merchant's book
// does not change it).
type ReturnAddress struct {
	Name   string    `json:"name"`
	Phone  string    `json:"phone"`
	Region string    `json:"region"`
	Street string    `json:"street"`
	SentAt time.Time `json:"sent_at"`
}

// Settlement is how a ticket settles: its kind (refund, exchange: the goods
// come back and a replacement ships, or reship: the goods ship again) and
// its refund lines, each under its own number: the goods'
// refund (RF-…) and the 运费险 postage of a received return (YF-…).
// return_owed: the refund was paid ahead of the goods (极速退款), which the
// buyer still owes back.
type Settlement struct {
	Kind       string       `json:"kind"`
	ReturnOwed bool         `json:"return_owed"`
	Lines      []RefundLine `json:"lines"`
}

// RefundLine is one payment of a settlement.
type RefundLine struct {
	Kind      string    `json:"kind"` // goods or postage
	Number    string    `json:"number"`
	AmountFen int64     `json:"amount_fen"`
	Status    string    `json:"status"`
	Method    string    `json:"method,omitempty"`  // postage: pickup or self
	CapFen    int64     `json:"cap_fen,omitempty"` // postage: the cap it was held to
	UpdatedAt time.Time `json:"updated_at"`
}

// Shipment is a parcel of the ticket: the buyer's return, or the merchant's
// replacement or reship, with the carrier's reports, oldest first. status
// is the latest report (null before any); a pickup booked and not collected
// has no tracking number yet.
type Shipment struct {
	ID         int64           `json:"id"`
	Direction  string          `json:"direction"`
	Kind       string          `json:"kind"`
	Carrier    string          `json:"carrier"`
	Tracking   string          `json:"tracking"`
	Method     string          `json:"method"`
	PickupSlot *time.Time      `json:"pickup_slot"`
	Status     *string         `json:"status"`
	Events     []ShipmentEvent `json:"events"`
}

// ShipmentEvent is one carrier report.
type ShipmentEvent struct {
	Status string    `json:"status"`
	At     time.Time `json:"at"`
}

// LogisticsEvent is the body of POST /tickets/{id}/logistics: a carrier's
// report on a parcel of the ticket. at is RFC 3339.
type LogisticsEvent struct {
	Direction string `json:"direction"`
	Carrier   string `json:"carrier"`
	Tracking  string `json:"tracking"`
	Status    string `json:"status"`
	At        string `json:"at"`
}

// Report is the event as the domain's report; a time that is not RFC 3339
// is refused, naming the field.
func (e LogisticsEvent) Report() (anxin.LogisticsReport, error) {
	r := anxin.LogisticsReport{Direction: anxin.Direction(e.Direction), Carrier: e.Carrier, Tracking: e.Tracking,
		Status: anxin.ShipStatus(e.Status)}
	if strings.TrimSpace(e.At) != "" {
		at, err := time.Parse(time.RFC3339, strings.TrimSpace(e.At))
		if err != nil {
			return r, anxin.Fail(anxin.MsgFieldChoice, anxin.FieldAt, e.At, "an RFC 3339 time")
		}
		r.At = at.UTC()
	}
	return r, nil
}

// Returns is what a ticket carries of its return beside the ticket itself:
// the address it sent, its 运费险 payout (zero IDs for none) and its parcels.
type Returns struct {
	Address   anxin.TicketAddress
	Postage   anxin.PostageLine
	Shipments []anxin.Shipment
}

// WithReturns shows the ticket's return address, settlement lines and parcels.
func (t Ticket) WithReturns(r Returns) Ticket {
	if a := r.Address; a.TicketID != 0 {
		t.ReturnAddress = &ReturnAddress{Name: a.Name, Phone: a.Phone, Region: a.Region, Street: a.Street, SentAt: ms(a.AttachedAt)}
	}
	if l := r.Postage; l.ID != 0 {
		t.Settlement.Lines = append(t.Settlement.Lines, RefundLine{Kind: string(anxin.LinePostage), Number: l.Number,
			AmountFen: l.AmountFen, Status: string(l.Status), Method: string(l.Method), CapFen: l.CapFen, UpdatedAt: ms(l.UpdatedAt)})
	}
	for _, sh := range r.Shipments {
		out := Shipment{ID: sh.ID, Direction: string(sh.Direction), Kind: string(sh.Kind), Carrier: sh.Carrier,
			Tracking: sh.Tracking, Method: string(sh.Method), PickupSlot: timePtr(sh.PickupSlot), Events: []ShipmentEvent{}}
		if sh.Status != "" {
			st := string(sh.Status)
			out.Status = &st
		}
		for _, e := range sh.Events {
			out.Events = append(out.Events, ShipmentEvent{Status: string(e.Status), At: ms(e.At)})
		}
		t.Shipments = append(t.Shipments, out)
	}
	return t
}

// Offer is a partial amount (协商) the merchant or an agent offers the
// buyer, with their message: the platform relays it, and answers with the
// event offer_accepted or offer_declined before expires_at (after it the
// offer lapses and the ticket goes back to the merchant).
type Offer struct {
	AmountFen int64     `json:"amount_fen"`
	Message   string    `json:"message"`
	By        string    `json:"by"` // the role of who made it: merchant or agent
	MadeAt    time.Time `json:"made_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Order is the order snapshot of a claim; shipped_at and received_at are
// null while the order is not shipped or received.
type Order struct {
	ID         string     `json:"id"`
	Product    string     `json:"product"`
	PaidFen    int64      `json:"paid_fen"`
	OrderedAt  time.Time  `json:"ordered_at"`
	ShippedAt  *time.Time `json:"shipped_at"`
	ReceivedAt *time.Time `json:"received_at"`
}

// Buyer is who makes the claim.
type Buyer struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// Refund is a ticket's refund: its number is what the payment system pays
// under, the same on every retry.
type Refund struct {
	Number    string    `json:"number"`
	TicketID  int64     `json:"ticket_id"`
	AmountFen int64     `json:"amount_fen"`
	Status    string    `json:"status"`
	Attempts  int       `json:"attempts"`
	UpdatedAt time.Time `json:"updated_at"`
}

// TicketOf shows a ticket with its merchant's code, its refund and its
// pending offer (nil or a zero ID for none). Times are shown to the
// millisecond, as they are stored, so a ticket reads the same however it
// was obtained.
func TicketOf(t anxin.Ticket, merchantCode string, r *anxin.RefundRecord, o *anxin.OfferRecord) Ticket {
	out := Ticket{
		ID: t.ID, Number: t.Number, Merchant: merchantCode, MerchantName: t.MerchantName,
		Service: string(t.Service), State: string(t.State), Version: t.Version,
		StateSince: ms(t.StateSince), Deadline: timePtr(t.Deadline),
		Order: Order{ID: t.Order.ID, Product: t.Order.Product, PaidFen: t.Order.PaidFen,
			OrderedAt: ms(t.Order.OrderedAt), ShippedAt: timePtr(t.Order.ShippedAt), ReceivedAt: timePtr(t.Order.ReceivedAt)},
		Buyer:        Buyer{Name: t.BuyerName, Phone: t.BuyerPhone},
		Reason:       t.Reason,
		RequestedFen: t.RequestedFen, PayableFen: t.PayableFen, RefundedFen: t.RefundedFen,
		OffersMade: t.OffersMade,
		Settlement: Settlement{Kind: string(t.Settlement.Or()), ReturnOwed: t.ReturnOwed, Lines: []RefundLine{}},
		CreatedAt:  ms(t.CreatedAt), UpdatedAt: ms(t.UpdatedAt),
	}
	if r != nil && r.ID != 0 {
		rf := RefundOf(*r)
		out.Refund = &rf
		out.Settlement.Lines = append(out.Settlement.Lines, RefundLine{Kind: string(anxin.LineGoods), Number: r.Number,
			AmountFen: r.AmountFen, Status: string(r.Status), UpdatedAt: ms(r.UpdatedAt)})
	}
	if o != nil && o.ID != 0 && t.State == anxin.OfferPending {
		out.Offer = &Offer{AmountFen: o.AmountFen, Message: o.Message, By: string(o.By.Role),
			MadeAt: ms(o.CreatedAt), ExpiresAt: ms(o.ExpiresAt)}
	}
	return out
}

// RefundOf shows a refund.
func RefundOf(r anxin.RefundRecord) Refund {
	return Refund{Number: r.Number, TicketID: r.TicketID, AmountFen: r.AmountFen, Status: string(r.Status),
		Attempts: r.Attempts, UpdatedAt: ms(r.UpdatedAt)}
}

// PostageRefundOf shows a 运费险 payout as the refund it is to the payment
// system: its number, amount and status.
func PostageRefundOf(l anxin.PostageLine) Refund {
	return Refund{Number: l.Number, TicketID: l.TicketID, AmountFen: l.AmountFen, Status: string(l.Status),
		Attempts: 1, UpdatedAt: ms(l.UpdatedAt)}
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := ms(t)
	return &u
}

// ms is a moment as the store keeps it: UTC, to the millisecond.
func ms(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// CreateTicket is the body of POST /tickets.
type CreateTicket struct {
	Merchant     string `json:"merchant"`
	Service      string `json:"service"`
	Order        Order  `json:"order"`
	Buyer        Buyer  `json:"buyer"`
	Reason       string `json:"reason"`
	RequestedFen int64  `json:"requested_fen"` // 0 or absent: the service's full compensation
	// Settlement is how the buyer wants it settled: refund (absent or
	// empty), exchange or reship, as the service allows.
	Settlement string `json:"settlement,omitempty"`
}

// Claim is the request as a domain claim by the buyer.
func (c CreateTicket) Claim() anxin.Claim {
	return anxin.Claim{
		Service: anxin.ServiceKey(c.Service),
		Order: anxin.Order{ID: c.Order.ID, Product: c.Order.Product, PaidFen: c.Order.PaidFen,
			OrderedAt: c.Order.OrderedAt.UTC(), ShippedAt: deref(c.Order.ShippedAt), ReceivedAt: deref(c.Order.ReceivedAt)},
		BuyerName:    c.Buyer.Name,
		BuyerPhone:   c.Buyer.Phone,
		Reason:       c.Reason,
		RequestedFen: c.RequestedFen,
		Settlement:   anxin.Settlement(c.Settlement),
		Actor:        anxin.Buyer(),
	}
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// TicketEvent is the body of POST /tickets/{id}/events: something the buyer did.
type TicketEvent struct {
	Type     string     `json:"type"`
	Tracking string     `json:"tracking,omitempty"` // return_shipped
	Carrier  string     `json:"carrier,omitempty"`  // return_shipped, optional
	Slot     *time.Time `json:"slot,omitempty"`     // pickup_booked
	Reason   string     `json:"reason,omitempty"`   // appeal, offer_declined: the buyer's words
	Version  int64      `json:"version,omitempty"`  // the version the buyer saw; 0: the current one
}

// eventTypes maps the buyer's event types to domain actions.
var eventTypes = map[string]anxin.Action{
	"return_shipped": anxin.ShipReturn,
	"pickup_booked":  anxin.BookPickup,
	"cancelled":      anxin.Cancel,
	"appeal":         anxin.Appeal,
	"evidence_added": anxin.AddEvidence,
	"offer_accepted": anxin.OfferAccepted,
	"offer_declined": anxin.OfferDeclined,
}

// EventAction is the domain action of one of the buyer's event types.
func EventAction(eventType string) (anxin.Action, bool) {
	a, ok := eventTypes[eventType]
	return a, ok
}

// TicketList is a page of tickets; next_cursor is null on the last page.
type TicketList struct {
	Tickets    []Ticket `json:"tickets"`
	NextCursor *string  `json:"next_cursor"`
}

// Evidence is one photo on a ticket.
type Evidence struct {
	ID        int64     `json:"id"`
	TicketID  int64     `json:"ticket_id"`
	Party     string    `json:"party"`
	SHA256    string    `json:"sha256"`
	Width     int       `json:"width"`
	Height    int       `json:"height"`
	Bytes     int64     `json:"bytes"`
	Label     string    `json:"label"`
	CreatedAt time.Time `json:"created_at"`
}

// EvidenceOf shows a photo.
func EvidenceOf(e anxin.Evidence) Evidence {
	return Evidence{ID: e.ID, TicketID: e.TicketID, Party: string(e.Party), SHA256: e.SHA256, Width: e.Width,
		Height: e.Height, Bytes: e.Bytes, Label: e.Label, CreatedAt: ms(e.CreatedAt)}
}

// EvidenceList answers an upload.
type EvidenceList struct {
	Evidence []Evidence `json:"evidence"`
}

// DailyOrders is the body of POST /merchants/{code}/orders.
type DailyOrders struct {
	Days []DayOrders `json:"days"`
}

// DayOrders is one day's order count (the day in YYYY-MM-DD).
type DayOrders struct {
	Day    string `json:"day"`
	Orders int    `json:"orders"`
}

// DailyOrdersSaved answers POST /merchants/{code}/orders.
type DailyOrdersSaved struct {
	Merchant string `json:"merchant"`
	Days     int    `json:"days"`
}

// RefundResult is the payment system's answer: POST /refunds/{number}/result.
type RefundResult struct {
	Result  string `json:"result"` // succeeded or failed
	Message string `json:"message,omitempty"`
}

// RefundState answers a refund result: the refund and its ticket as they are now.
type RefundState struct {
	Refund Refund `json:"refund"`
	Ticket Ticket `json:"ticket"`
}

// Error is every error answer.
type Error struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody names the rule that refused the request (code) in words
// (message) and, when the refusal is about one field of the request, the
// field (its name in the request, e.g. status or address.phone).
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// Event is the body of a webhook delivery. Its id is the same on every
// retry, so a receiver can drop duplicates.
type Event struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	Data      EventData `json:"data"`
}

// EventOf shows a webhook event about a ticket (as TicketOf shows it), with
// the change for ticket.state_changed and the refund for refund.* events.
func EventOf(id string, typ anxin.WebhookEvent, at time.Time, t Ticket, change *anxin.Event, msg *anxin.Message) Event {
	ev := Event{ID: id, Type: string(typ), CreatedAt: at.UTC(), Data: EventData{Ticket: t}}
	if (typ == anxin.EventStateChanged || typ == anxin.EventShipped) && change != nil {
		c := ChangeOf(*change)
		ev.Data.Change = &c
	}
	if strings.HasPrefix(string(typ), "refund.") && t.Refund != nil {
		r := *t.Refund
		ev.Data.Refund = &r
	}
	if strings.HasPrefix(string(typ), "postage.") {
		for _, l := range t.Settlement.Lines {
			if l.Kind == string(anxin.LinePostage) {
				ev.Data.Refund = &Refund{Number: l.Number, TicketID: t.ID, AmountFen: l.AmountFen, Status: l.Status,
					Attempts: 1, UpdatedAt: l.UpdatedAt}
			}
		}
	}
	if typ == anxin.EventMessage && msg != nil {
		m := MessageOf(*msg)
		ev.Data.Message = &m
	}
	return ev
}

// EventData is what an event is about: always the ticket as the change left
// it; the change for ticket.state_changed and ticket.shipped (whose ticket's
// shipments carry the merchant's parcel); the refund for refund.* events
// (for postage.* events the 运费险 payout, as the refund it is to the payment
// system); the message for ticket.message.
type EventData struct {
	Ticket  Ticket   `json:"ticket"`
	Change  *Change  `json:"change,omitempty"`
	Refund  *Refund  `json:"refund,omitempty"`
	Message *Message `json:"message,omitempty"`
}

// Message is one message of a ticket's conversation with the buyer.
type Message struct {
	ID        int64     `json:"id"`
	TicketID  int64     `json:"ticket_id"`
	From      string    `json:"from"` // buyer, merchant, agent or system
	Body      string    `json:"body"`
	Photos    []int64   `json:"photos"` // the ids of the ticket's evidence it shows
	CreatedAt time.Time `json:"created_at"`
}

// MessageOf shows a message.
func MessageOf(m anxin.Message) Message {
	photos := m.Photos
	if photos == nil {
		photos = []int64{}
	}
	return Message{ID: m.ID, TicketID: m.TicketID, From: string(m.From), Body: m.Body, Photos: photos,
		CreatedAt: ms(m.CreatedAt)}
}

// NewMessage is the body of POST /tickets/{id}/messages: the buyer's message.
type NewMessage struct {
	Body   string  `json:"body"`
	Photos []int64 `json:"photos,omitempty"`
}

// MessageList is a ticket's conversation, oldest first.
type MessageList struct {
	Messages []Message `json:"messages"`
}

// Change is one state change of a ticket.
type Change struct {
	Action    string    `json:"action"`
	Actor     string    `json:"actor"` // the actor's role: buyer, agent, merchant, admin or system
	From      string    `json:"from"`
	To        string    `json:"to"`
	At        time.Time `json:"at"`
	AmountFen int64     `json:"amount_fen"`
	Detail    string    `json:"detail"`
	// Rule is the merchant's automatic rule that made the decision, absent
	// when none did.
	Rule string `json:"rule,omitempty"`
}

// ChangeOf shows a timeline event that changed the state.
func ChangeOf(e anxin.Event) Change {
	c := Change{Action: string(e.Action), Actor: string(e.Actor.Role), From: string(e.From), To: string(e.To),
		At: ms(e.At), AmountFen: e.AmountFen, Detail: e.Detail}
	if k, ok := anxin.RuleOf(e.Detail); ok {
		c.Rule = string(k)
	}
	return c
}

package anxin

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// WebhookEvent names a change that other systems hear of through webhooks.
type WebhookEvent string

const (
	EventTicketCreated   WebhookEvent = "ticket.created"
	EventStateChanged    WebhookEvent = "ticket.state_changed"
	EventDeadlineSoon    WebhookEvent = "ticket.deadline_soon"
	EventRefundRequested WebhookEvent = "refund.requested"
	EventRefundSucceeded WebhookEvent = "refund.succeeded"
	EventRefundFailed    WebhookEvent = "refund.failed"
	// EventMessage carries a message to the buyer (from the merchant, the
	// support team or the system) for the platform to relay.
	EventMessage WebhookEvent = "ticket.message"
	// EventOfferMade tells the platform of an offer (协商) it is to relay to
	// the buyer: the ticket shows the offer, with its amount, message and
	// deadline. The buyer's answer comes back as offer_accepted or
	// offer_declined.
	EventOfferMade WebhookEvent = "ticket.offer_made"
	// The 运费险 postage of a received return, a refund line of its own
	// (YF-…): requested of the payment system, which answers on
	// /refunds/{number}/result as for any refund; then paid or failed.
	EventPostageRequested WebhookEvent = "postage.requested"
	EventPostageSucceeded WebhookEvent = "postage.succeeded"
	EventPostageFailed    WebhookEvent = "postage.failed"
	// EventShipped tells of the merchant's replacement (换货) or reship
	// (补发) shipped: the ticket's shipments carry its carrier and
	// tracking number, for the platform to show the buyer.
	EventShipped WebhookEvent = "ticket.shipped"
)

// webhookEvents lists every event an endpoint may ask for.
var webhookEvents = []WebhookEvent{EventTicketCreated, EventStateChanged, EventDeadlineSoon,
	EventRefundRequested, EventRefundSucceeded, EventRefundFailed, EventMessage, EventOfferMade,
	EventPostageRequested, EventPostageSucceeded, EventPostageFailed, EventShipped}

// WebhookEvents lists every event an endpoint may ask for.
func WebhookEvents() []WebhookEvent { return slices.Clone(webhookEvents) }

// DeadlineSoonBefore is how long before a deadline ticket.deadline_soon is
// sent: once per ticket and state (version), for every state that runs a
// clock, and only while the deadline is still ahead.
const DeadlineSoonBefore = time.Hour

// WebhookEvents lists the events a state change sends, in order:
// ticket.state_changed always, then the refund event the transition makes
// or ticket.offer_made for an offer.
// A refund is "requested" when it is recorded or retried (the payment system
// is to pay it), and succeeds or fails by the provider's answer or an agent's
// manual refund.
func (c Change) WebhookEvents() []WebhookEvent {
	out := []WebhookEvent{EventStateChanged}
	switch a := c.Event.Action; {
	case c.PayFen > 0 || a == RetryRefund:
		out = append(out, EventRefundRequested)
	case a == RefundSucceeded || a == ManualRefund:
		out = append(out, EventRefundSucceeded)
	case a == RefundFailure:
		out = append(out, EventRefundFailed)
	case a == Offer:
		out = append(out, EventOfferMade)
	case a == ShipOut:
		out = append(out, EventShipped)
	}
	return out
}

// Webhook is an endpoint that hears of the events it asks for, signed with
// its secret.
type Webhook struct {
	ID           int64
	URL          string
	Secret       string
	Events       []WebhookEvent
	MerchantID   int64 // 0: every merchant's tickets
	MerchantName string
	Active       bool
	CreatedAt    time.Time
}

// MinWebhookSecret is the shortest secret an endpoint may sign with.
const MinWebhookSecret = 16

// Validate checks an endpoint before it is stored.
func (w Webhook) Validate() error {
	u, err := url.Parse(strings.TrimSpace(w.URL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return Fail(MsgWebhookURL)
	}
	if len(w.Secret) < MinWebhookSecret {
		return Fail(MsgWebhookSecret, MinWebhookSecret)
	}
	if len(w.Events) == 0 {
		return Fail(MsgNoEvents)
	}
	for _, e := range w.Events {
		if !slices.Contains(webhookEvents, e) {
			return Fail(MsgUnknownEvent, string(e))
		}
	}
	return nil
}

// Wants reports whether the endpoint is to hear of event on a ticket of the merchant.
func (w Webhook) Wants(e WebhookEvent, merchantID int64) bool {
	return w.Active && (w.MerchantID == 0 || w.MerchantID == merchantID) && slices.Contains(w.Events, e)
}

// WebhookRetryFor is how long a delivery is retried after the change it tells of.
const WebhookRetryFor = 24 * time.Hour

// WebhookBackoff is the wait after the given failed attempt (1 for the
// first): 10 s, doubling each time, at most an hour. Within 24 h an
// endpoint that stays down is tried about 30 times.
func WebhookBackoff(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	if attempt > 10 {
		return time.Hour
	}
	return min(10*time.Second<<(attempt-1), time.Hour)
}

// APIKey is a key of the intake API. Only a hash of the key is kept; the
// prefix identifies it in lists.
//
// Every key acts for one merchant (its own order or payment system) or for
// every merchant (the platform's integration), chosen when it is made.
type APIKey struct {
	ID           int64
	Name         string
	Prefix       string
	MerchantID   int64  // the one merchant it acts for; 0: every merchant
	MerchantCode string // that merchant's code
	// Unscoped is a key made before keys had scopes: it was kept as a key
	// of every merchant, and the admin page says so.
	Unscoped   bool
	CreatedAt  time.Time
	LastUsedAt time.Time
	RevokedAt  time.Time
}

// Scope is what the key may see and act on.
func (k APIKey) Scope() Scope { return Scope{MerchantID: k.MerchantID} }

// Actor is the buyer, acting through this key: only on the key's
// merchant's tickets when the key has one.
func (k APIKey) Actor() Actor {
	a := Buyer()
	a.MerchantID = k.MerchantID
	return a
}

// KeyScope is the choice made when a key is made: one merchant, or
// explicitly every merchant. The zero value is no choice, which is refused.
type KeyScope struct {
	MerchantID   int64
	AllMerchants bool
}

// Validate checks that exactly one of the two was chosen.
func (s KeyScope) Validate() error {
	if (s.MerchantID != 0) == s.AllMerchants {
		return Fail(MsgKeyScope)
	}
	return nil
}

// Validate checks a key before it is stored.
func (k APIKey) Validate() error {
	if n := len([]rune(strings.TrimSpace(k.Name))); n == 0 || n > 64 {
		return Fail(MsgAPIKeyName)
	}
	return nil
}

// DeliveryStatus is where a delivery stands.
type DeliveryStatus string

const (
	DeliveryPending   DeliveryStatus = "pending"   // waiting for its next attempt
	DeliveryDelivered DeliveryStatus = "delivered" // an attempt got a 2xx
	DeliveryFailed    DeliveryStatus = "failed"    // given up after WebhookRetryFor
)

// Delivery is one event on its way to one endpoint: a row of the outbox,
// written in the transaction of the change it tells of.
type Delivery struct {
	ID          int64
	WebhookID   int64
	URL         string // the endpoint's, for the sender
	Secret      string
	EventID     string // shared by the event's deliveries to every endpoint
	Event       WebhookEvent
	TicketID    int64
	Body        []byte // what its first attempt sent, sent again by every attempt after; empty until then
	Status      DeliveryStatus
	Attempts    int
	NextAt      time.Time // zero once delivered or given up
	CreatedAt   time.Time
	DeliveredAt time.Time
	Tries       []DeliveryAttempt // when listed with its attempts
}

// DeliveryAttempt is one try at a delivery.
type DeliveryAttempt struct {
	At     time.Time
	Status int // the HTTP status; 0 when none came back
	Error  string
	Took   time.Duration
}

// OK reports whether the endpoint took the delivery.
func (a DeliveryAttempt) OK() bool { return a.Status >= 200 && a.Status < 300 }

// Next is what becomes of a pending delivery after an attempt: delivered on
// a 2xx; else retried after WebhookBackoff, unless that would come later
// than WebhookRetryFor after the event, when it is given up.
func (d Delivery) Next(a DeliveryAttempt) Delivery {
	d.Attempts++
	switch next := a.At.Add(WebhookBackoff(d.Attempts)); {
	case a.OK():
		d.Status, d.NextAt, d.DeliveredAt = DeliveryDelivered, time.Time{}, a.At
	case next.After(d.CreatedAt.Add(WebhookRetryFor)):
		d.Status, d.NextAt = DeliveryFailed, time.Time{}
	default:
		d.NextAt = next
	}
	d.Tries = append(d.Tries, a)
	return d
}

// Retry is a delivery that was given up on, due again now: an admin's one
// more attempt, after the endpoint was mended. It sends what its first
// attempt sent (the same event id: a receiver that had it after all drops
// the copy). Its 24 hours are long past, so if this attempt fails too it is
// given up again at once rather than retried for another day.
func (d Delivery) Retry(now time.Time) (Delivery, error) {
	if d.Status != DeliveryFailed {
		return d, Fail(MsgDeliveryNotGivenUp)
	}
	d.Status, d.NextAt = DeliveryPending, now
	return d, nil
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// TicketView is a ticket with what the API shows beside it: its merchant's
// code, its refund (Refund.ID is 0 when it has none), the offer the buyer
// is to answer (Offer.ID is 0 when none is), the return address it sent the
// buyer (Address.TicketID is 0 when none), its 运费险 payout (Postage.ID is 0
// when none) and, on a single ticket (not in lists), its parcels.
type TicketView struct {
	anxin.Ticket
	MerchantCode string
	Refund       anxin.RefundRecord
	Offer        anxin.OfferRecord
	Address      anxin.TicketAddress
	Postage      anxin.PostageLine
	Shipments    []anxin.Shipment
}

const viewColumns = ticketColumns + `, m.code, coalesce(r.id, 0), coalesce(r.number, ''), coalesce(r.amount_fen, 0),
	coalesce(r.status, ''), coalesce(r.proof, '') != '', coalesce(r.attempts, 0), r.created_at, r.updated_at,
	r.hand_over_at,
	` + offerColumns + `,
	coalesce(ta.ticket_id, 0), coalesce(ta.address_id, 0), coalesce(ta.name, ''), coalesce(ta.phone, ''),
	coalesce(ta.region, ''), coalesce(ta.street, ''), ta.attached_at, coalesce(ta.actor_role, ''),
	coalesce(ta.actor_id, 0), coalesce(ta.actor_name, ''),
	coalesce(pp.id, 0), coalesce(pp.number, ''), coalesce(pp.ticket_id, 0), coalesce(pp.order_id, ''),
	coalesce(pp.method, ''), coalesce(pp.claimed_fen, 0), coalesce(pp.cap_fen, 0), coalesce(pp.amount_fen, 0),
	coalesce(pp.status, ''), pp.created_at, pp.updated_at`

const viewFrom = ticketFrom + `LEFT JOIN refunds r ON r.ticket_id = t.id
	LEFT JOIN offers o ON o.ticket_id = t.id AND o.answer = ''
	LEFT JOIN ticket_addresses ta ON ta.ticket_id = t.id
	LEFT JOIN postage_payouts pp ON pp.ticket_id = t.id `

func scanView(row interface{ Scan(...any) error }) (TicketView, error) {
	var v TicketView
	var created, updated, handOver, attached, pcreated, pupdated sql.NullInt64
	var o offerScan
	a, l := &v.Address, &v.Postage
	dest := append([]any{&v.MerchantCode, &v.Refund.ID, &v.Refund.Number, &v.Refund.AmountFen,
		&v.Refund.Status, &v.Refund.Manual, &v.Refund.Attempts, &created, &updated, &handOver}, o.dest()...)
	dest = append(dest, &a.TicketID, &a.ID, &a.Name, &a.Phone, &a.Region, &a.Street, &attached,
		&a.AttachedBy.Role, &a.AttachedBy.UserID, &a.AttachedBy.Name,
		&l.ID, &l.Number, &l.TicketID, &l.OrderID, &l.Method, &l.ClaimedFen, &l.CapFen, &l.AmountFen,
		&l.Status, &pcreated, &pupdated)
	t, err := scanTicket(scanWith(row, dest...))
	v.Ticket = t
	v.Refund.TicketID = t.ID
	v.Refund.CreatedAt, v.Refund.UpdatedAt, v.Refund.HandOverAt = fromMS(created), fromMS(updated), fromMS(handOver)
	v.Offer = o.record()
	a.AttachedAt = fromMS(attached)
	if a.TicketID != 0 {
		a.MerchantID = t.MerchantID
	}
	l.CreatedAt, l.UpdatedAt = fromMS(pcreated), fromMS(pupdated)
	return v, err
}

// TicketView returns the ticket with its merchant code and refund.
func (s *Store) TicketView(ctx context.Context, scope anxin.Scope, id int64) (TicketView, error) {
	return viewIn(ctx, s.read(), scope, id)
}

func viewIn(ctx context.Context, q queryer, scope anxin.Scope, id int64) (TicketView, error) {
	v, err := scanView(q.QueryRowContext(ctx, `SELECT `+viewColumns+viewFrom+
		`WHERE t.id = ? AND (?2 = 0 OR t.merchant_id = ?2)`, id, scope.MerchantID))
	if errors.Is(err, sql.ErrNoRows) {
		return v, anxin.Fail(anxin.MsgTicketNotFound)
	}
	if err != nil {
		return v, fmt.Errorf("ticket %d: %w", id, err)
	}
	v.Shipments, err = shipmentsIn(ctx, q, id)
	return v, err
}

// TicketFilter selects tickets for the API's list: every state, closed and
// refunded ones too, newest first.
type TicketFilter struct {
	MerchantID int64
	State      anxin.State
	Service    anxin.ServiceKey
	After      ListCursor // keyset: the last ticket of the previous page
	Limit      int        // default 50, at most 200
}

// ListCursor is a position in ListTickets' (created_at, id) order, newest
// first: the creation time of the last ticket of a page and its id.
type ListCursor struct {
	CreatedAt time.Time
	ID        int64
}

// IsZero reports whether c is the start of the list.
func (c ListCursor) IsZero() bool { return c.ID == 0 }

// String encodes the cursor for the API's next_cursor: the creation time in
// unix milliseconds, as it is stored.
func (c ListCursor) String() string {
	if c.IsZero() {
		return ""
	}
	return encodeKeyset(c.CreatedAt.UnixMilli(), c.ID)
}

// ParseListCursor decodes a next_cursor the API gave out; ok is false for a
// malformed one.
func ParseListCursor(s string) (c ListCursor, ok bool) {
	created, id, ok := parseKeyset(s)
	if !ok {
		return ListCursor{}, false
	}
	return ListCursor{CreatedAt: time.UnixMilli(created).UTC(), ID: id}, true
}

// ListTickets returns a page of tickets, newest first by creation, and the
// cursor of the next page (zero on the last). The order is served by an
// index with or without a merchant (tickets_created, tickets_merchant_created),
// so a page costs the same however deep it is.
func (s *Store) ListTickets(ctx context.Context, f TicketFilter) ([]TicketView, ListCursor, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 200)
	conds, args := []string{"1 = 1"}, []any{}
	add := func(cond string, v ...any) { conds, args = append(conds, cond), append(args, v...) }
	if f.MerchantID != 0 {
		add("t.merchant_id = ?", f.MerchantID)
	}
	if f.State != "" {
		add("t.state = ?", string(f.State))
	}
	if f.Service != "" {
		add("t.service = ?", string(f.Service))
	}
	if !f.After.IsZero() {
		// Written out so that the first term bounds the index's range: the
		// row-value form made SQLite walk the index from its start, every
		// page a little further (2 s a page 10,000 rows deep at 1M tickets).
		at := f.After.CreatedAt.UnixMilli()
		add("t.created_at <= ? AND (t.created_at < ? OR t.id < ?)", at, at, f.After.ID)
	}
	rows, err := s.read().QueryContext(ctx, `SELECT `+viewColumns+viewFrom+`WHERE `+strings.Join(conds, " AND ")+
		` ORDER BY t.created_at DESC, t.id DESC LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, ListCursor{}, fmt.Errorf("list tickets: %w", err)
	}
	defer rows.Close()
	var out []TicketView
	for rows.Next() {
		v, err := scanView(rows)
		if err != nil {
			return nil, ListCursor{}, fmt.Errorf("list tickets: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, ListCursor{}, err
	}
	var next ListCursor
	if len(out) == f.Limit {
		last := out[len(out)-1]
		next = ListCursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	return out, next, nil
}

// Intake opens a ticket from a buyer's claim through the API and, when the
// merchant's instant refund (极速退款) covers it, refunds it at once with the
// system as actor: both in one transaction, so a client never sees the
// ticket without the refund it qualified for. The claim names its merchant
// by code; a merchant the scope does not see is as unknown as one that does
// not exist.
func (s *Store) Intake(ctx context.Context, scope anxin.Scope, merchantCode string, c anxin.Claim, key IdempotencyKey) (TicketView, bool, error) {
	return s.idempotent(ctx, key, func(ctx context.Context, tx *wtx) (TicketView, error) {
		return intake(ctx, tx, scope, merchantCode, c)
	})
}

func intake(ctx context.Context, tx *wtx, scope anxin.Scope, merchantCode string, c anxin.Claim) (TicketView, error) {
	m, err := merchantByCode(ctx, tx, merchantCode)
	if err != nil {
		return TicketView{}, err
	}
	if !scope.Sees(m.ID) {
		return TicketView{}, anxin.Fail(anxin.MsgUnknownMerchantKey, merchantCode)
	}
	c.MerchantID = m.ID
	t, err := createTicket(ctx, tx, c)
	if err != nil {
		return TicketView{}, err
	}
	// The merchant's own rules first: each names itself on the timeline.
	t, ruled, err := applyRules(ctx, tx, anxin.AtIntake, t)
	if err != nil {
		return TicketView{}, err
	}
	d, ok := anxin.Decision{}, false
	if !ruled {
		if d, ok, err = instantRefund(ctx, tx, t, m.InstantRefund); err != nil {
			return TicketView{}, err
		}
	}
	switch {
	case ruled:
		// A rule may have sent the return address too: the whole view.
		return viewIn(ctx, tx, anxin.AllMerchants(), t.ID)
	case ok:
		if t, err = decide(ctx, tx, t.ID, d); err != nil {
			return TicketView{}, fmt.Errorf("instant refund of %s: %w", t.Number, err)
		}
	default:
		if t, err = autoAssign(ctx, tx, t); err != nil { // a refunded ticket needs nobody
			return TicketView{}, err
		}
	}
	// The transaction holds the ticket as it is now: no need to read it back.
	v := TicketView{Ticket: t, MerchantCode: m.Code}
	if t.RefundedFen > 0 {
		v.Refund, err = refundIn(ctx, tx, t.ID)
	}
	return v, err
}

// instantRefund is the system's refund of a new ticket, if the merchant's
// setting covers it. An open dispute is another ticket of the same buyer
// (by phone) in arbitration. The policy and the disputes are looked at only
// for a claim the amount or order qualifies.
func instantRefund(ctx context.Context, tx *wtx, t anxin.Ticket, r anxin.InstantRefund) (anxin.Decision, bool, error) {
	if !r.Qualifies(t.Order, t.RequestedFen, false) {
		return anxin.Decision{}, false, nil
	}
	_, p, err := policyFor(ctx, tx, t.MerchantID, t.Service)
	if err != nil {
		return anxin.Decision{}, false, err
	}
	if _, ok := r.Decision(t, p, false); !ok {
		return anxin.Decision{}, false, nil
	}
	var dispute bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM tickets
		WHERE buyer_phone = ? AND state = 'arbitration' AND id != ?)`, t.BuyerPhone, t.ID).Scan(&dispute); err != nil {
		return anxin.Decision{}, false, fmt.Errorf("open disputes: %w", err)
	}
	d, ok := r.Decision(t, p, dispute)
	return d, ok, nil
}

// refundColumns are a refund's columns, for scanRefund.
const refundColumns = `r.id, r.number, r.ticket_id, r.amount_fen, r.status, coalesce(r.proof, '') != '', r.attempts,
	r.created_at, r.updated_at, r.hand_over_at`

func scanRefund(row interface{ Scan(...any) error }) (anxin.RefundRecord, error) {
	var r anxin.RefundRecord
	var created, updated, handOver sql.NullInt64
	err := row.Scan(&r.ID, &r.Number, &r.TicketID, &r.AmountFen, &r.Status, &r.Manual, &r.Attempts, &created, &updated, &handOver)
	r.CreatedAt, r.UpdatedAt, r.HandOverAt = fromMS(created), fromMS(updated), fromMS(handOver)
	return r, err
}

// refundIn reads a ticket's refund in a transaction.
func refundIn(ctx context.Context, q queryer, ticketID int64) (anxin.RefundRecord, error) {
	r, err := scanRefund(q.QueryRowContext(ctx, `SELECT `+refundColumns+` FROM refunds r WHERE r.ticket_id = ?`, ticketID))
	if err != nil {
		return r, fmt.Errorf("refund of ticket %d: %w", ticketID, err)
	}
	return r, nil
}

// IdempotencyKey is a client's Idempotency-Key on an API request: the API
// key it came with, the key, and a hash of the request. The zero value is a
// request without one, which runs every time.
type IdempotencyKey struct {
	APIKeyID    int64
	Key         string
	RequestHash string
}

// IdempotencyTTL is how long an Idempotency-Key's first answer is kept.
const IdempotencyTTL = 24 * time.Hour

// KeptResponse is the answer to a request first made before answers were
// kept as use-case outcomes (migration 0005): an HTTP status and body, to be
// sent as they are. Such records are at most IdempotencyTTL old.
type KeptResponse struct {
	Status int
	Body   []byte
}

func (r *KeptResponse) Error() string { return fmt.Sprintf("kept response %d", r.Status) }

// answer is a use case's outcome as an idempotency record keeps it: the
// ticket, or the message sent, or the refusal.
type answer struct {
	View    *TicketView    `json:"view,omitempty"`
	Sent    *anxin.Message `json:"sent,omitempty"`
	Code    string         `json:"code,omitempty"`
	Message string         `json:"message,omitempty"`
	Field   anxin.Field    `json:"field,omitempty"` // the refusal's, which the API names
}

// idempotent runs a use case that answers with a ticket once per
// Idempotency-Key (see remember).
func (s *Store) idempotent(ctx context.Context, key IdempotencyKey,
	run func(ctx context.Context, tx *wtx) (TicketView, error)) (TicketView, bool, error) {
	a, replayed, err := s.remember(ctx, key, func(ctx context.Context, tx *wtx) (answer, error) {
		v, err := run(ctx, tx)
		return answer{View: &v}, err
	})
	return a.view(), replayed, err
}

// remember runs a use case once per Idempotency-Key, in one transaction
// with the record of its outcome: what it returned, or the domain error
// that refused it (both are kept and given again to a retry of the same
// request, with replayed set). A different request under the key is
// refused with EIDEMPOTENCYREUSED. Internal failures are not kept: nothing
// of the request is. Two requests racing with one key queue for the
// writer, so the second sees the first's record.
func (s *Store) remember(ctx context.Context, key IdempotencyKey,
	run func(ctx context.Context, tx *wtx) (answer, error)) (a answer, replayed bool, err error) {
	var refused error // the use case's refusal, kept with the record
	err = s.write(ctx, func(ctx context.Context, tx *wtx) error {
		if key.Key == "" {
			var err error
			a, err = run(ctx, tx)
			return err
		}
		kept, found, err := findAnswer(ctx, tx, key)
		if err != nil || found {
			replayed = found
			a = kept.answer
			if err == nil {
				err = kept.err()
			}
			return err
		}
		refused = tx.savepoint(ctx, func() (err error) {
			a, err = run(ctx, tx)
			return err
		})
		record := a
		if refused != nil {
			if code := anxin.ErrorCode(refused); code == anxin.EINTERNAL || errors.Is(refused, errBroken) {
				return refused
			}
			record = answer{Code: anxin.ErrorCode(refused), Message: anxin.ErrorMessage(refused), Field: anxin.ErrorField(refused)}
		}
		body, err := json.Marshal(record)
		if err != nil {
			return fmt.Errorf("idempotency key: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO idempotency_keys (api_key_id, key, request_hash, status,
			body, answer, created_at) VALUES (?, ?, ?, 0, ?, ?, ?)
			ON CONFLICT (api_key_id, key) DO UPDATE SET request_hash = excluded.request_hash, status = excluded.status,
				body = excluded.body, answer = excluded.answer, created_at = excluded.created_at`,
			key.APIKeyID, key.Key, key.RequestHash, []byte{}, body, ms(tx.now))
		if err != nil {
			return fmt.Errorf("idempotency key: %w", err)
		}
		return nil
	})
	if err == nil {
		err = refused
	}
	return a, replayed, err
}

// kept is an idempotency record's answer: the use case's (answer) or, from
// before migration 0005, an HTTP response.
type kept struct {
	answer
	response *KeptResponse
}

func (a answer) view() TicketView {
	if a.View == nil {
		return TicketView{}
	}
	return *a.View
}

func (k kept) err() error {
	switch {
	case k.response != nil:
		return k.response
	case k.Code != "":
		e := anxin.Errorf(k.Code, "%s", k.Message)
		if k.Field != "" { // ErrorField finds it among the values
			e.Args = []any{k.Field}
		}
		return e
	}
	return nil
}

// findAnswer reads the live record of an idempotency key, if there is one.
func findAnswer(ctx context.Context, tx *wtx, key IdempotencyKey) (kept, bool, error) {
	var k kept
	var hash string
	var status int
	var body, raw []byte
	err := tx.QueryRowContext(ctx, `SELECT request_hash, status, body, answer FROM idempotency_keys
		WHERE api_key_id = ? AND key = ? AND created_at > ?`, key.APIKeyID, key.Key, ms(tx.now.Add(-IdempotencyTTL))).
		Scan(&hash, &status, &body, &raw)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return k, false, nil
	case err != nil:
		return k, false, fmt.Errorf("idempotency key: %w", err)
	case hash != key.RequestHash:
		return k, false, anxin.Errorf(anxin.EIDEMPOTENCYREUSED,
			"the Idempotency-Key %q was used for a different request; use a new key for a new request", key.Key)
	case raw == nil:
		k.response = &KeptResponse{Status: status, Body: body}
		return k, true, nil
	}
	if err := json.Unmarshal(raw, &k.answer); err != nil {
		return k, false, fmt.Errorf("idempotency key: %w", err)
	}
	return k, true, nil
}

// RefundByNumber finds a refund by the number the payment system knows it by.
func (s *Store) RefundByNumber(ctx context.Context, number string) (anxin.RefundRecord, error) {
	return refundByNumber(ctx, s.read(), number)
}

func refundByNumber(ctx context.Context, q queryer, number string) (anxin.RefundRecord, error) {
	r, err := scanRefund(q.QueryRowContext(ctx, `SELECT `+refundColumns+` FROM refunds r WHERE r.number = ?`, number))
	if errors.Is(err, sql.ErrNoRows) {
		return r, anxin.Fail(anxin.MsgRefundNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("refund %s: %w", number, err)
	}
	return r, nil
}

// SettleRefund records the payment system's answer on a refund of a
// merchant the scope sees: succeeded or failed, decided by the system on the
// ticket. The same answer again changes nothing (providers retry their
// callbacks); an answer that contradicts a settled refund is a conflict.
// A "succeeded" for a refund an agent already paid by hand is refused too,
// and first written on the ticket's timeline as an alert: the money may have
// gone out twice, and someone must look.
func (s *Store) SettleRefund(ctx context.Context, scope anxin.Scope, number string, succeeded bool, message string) (TicketView, error) {
	var v TicketView
	var refused error // kept with the alert it wrote
	err := s.write(ctx, func(ctx context.Context, tx *wtx) (err error) {
		v, refused, err = settleRefund(ctx, tx, scope, number, succeeded, message)
		return err
	})
	if err == nil {
		err = refused
	}
	return v, err
}

func settleRefund(ctx context.Context, tx *wtx, scope anxin.Scope, number string, succeeded bool, message string) (v TicketView, refused, err error) {
	if strings.HasPrefix(number, "YF-") { // a 运费险 payout: a refund line of its own
		v, err := settlePostage(ctx, tx, scope, number, succeeded, message)
		return v, nil, err
	}
	want, action := anxin.RefundStatusSucceeded, anxin.RefundSucceeded
	if !succeeded {
		want, action = anxin.RefundStatusFailed, anxin.RefundFailure
	}
	r, err := refundByNumber(ctx, tx, number)
	if err != nil {
		return v, nil, err
	}
	if v, err = viewIn(ctx, tx, anxin.AllMerchants(), r.TicketID); err != nil {
		return v, nil, err
	}
	switch {
	case !scope.Sees(v.MerchantID):
		return TicketView{}, nil, anxin.Fail(anxin.MsgRefundNotFound)
	case r.Status == want && succeeded && r.Manual:
		ev := anxin.Event{TicketID: v.ID, At: tx.now, Actor: anxin.System(), Action: anxin.PaidTwice,
			AmountFen: r.AmountFen, Detail: strings.TrimSpace(message)}
		if _, err := insertEvent(ctx, tx, ev); err != nil {
			return v, nil, err
		}
		tx.notify(v.Ticket, NoticeAlert)
		return v, anxin.Errorf(anxin.ECONFLICT, "refund %s was already paid by hand (ticket %s): "+
			"a second payment may have gone out; the ticket carries an alert", number, v.Number), nil
	case r.Status == want:
		return v, nil, nil
	case !r.HandOverAt.IsZero():
		// Still within its undo time: the payment system was not given it.
		return v, nil, anxin.Errorf(anxin.ECONFLICT, "refund %s has not been handed to the payment system yet", number)
	case r.Status != anxin.RefundStatusPending || v.State != anxin.Refunding:
		return v, nil, anxin.Errorf(anxin.ECONFLICT, "refund %s is %s (ticket %s is %s), not awaiting a result",
			number, r.Status, v.Number, v.State)
	}
	d := anxin.Decision{Action: action, Actor: anxin.System(), Version: v.Version, Reason: strings.TrimSpace(message)}
	if _, err := decide(ctx, tx, r.TicketID, d); err != nil {
		return v, nil, err
	}
	v, err = viewIn(ctx, tx, anxin.AllMerchants(), r.TicketID)
	return v, nil, err
}

// DayOrders is a merchant's order count for a day (YYYY-MM-DD).
type DayOrders struct {
	Day    string
	Orders int
}

// SetDailyOrders records a merchant's order counts for several days at
// once: all of them or, if one is refused, none.
func (s *Store) SetDailyOrders(ctx context.Context, merchantID int64, days []DayOrders) error {
	if len(days) == 0 || len(days) > 366 {
		return anxin.Errorf(anxin.EINVALID, "give from 1 to 366 days of order counts")
	}
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		for _, d := range days {
			if err := setDailyOrders(ctx, tx, merchantID, d); err != nil {
				return err
			}
		}
		return nil
	})
}

// BuyerEvent takes a decision the buyer made (reported by the platform) and
// returns the ticket as the API shows it, read in the same transaction, once
// per Idempotency-Key.
func (s *Store) BuyerEvent(ctx context.Context, id int64, d anxin.Decision, key IdempotencyKey) (TicketView, bool, error) {
	return s.idempotent(ctx, key, func(ctx context.Context, tx *wtx) (TicketView, error) {
		if _, err := decide(ctx, tx, id, d); err != nil {
			return TicketView{}, err
		}
		return viewIn(ctx, tx, d.Actor.Scope(), id)
	})
}

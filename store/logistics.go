package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// Returns and their logistics: what a state change does besides the
// ticket's row (the address it sends, the parcel it records, the 运费险 it
// pays, the risk it raises), the carriers' reports through the API, and the
// ticket's parcels, address and postage as pages and the API show them.

// afterChange does what a decision's change asks of the rest of the store,
// in its transaction.
func afterChange(ctx context.Context, tx *wtx, t anxin.Ticket, d anxin.Decision, c anxin.Change) error {
	if t.Service == anxin.ShippingInsurance && c.PayFen > 0 {
		if line, ok, err := postageOfOrder(ctx, tx, t.MerchantID, t.Order.ID); err != nil || ok {
			if err == nil {
				err = anxin.Fail(anxin.MsgPostagePaid, t.Order.ID, line.Number)
			}
			return err
		}
	}
	switch c.Transition.Action {
	case anxin.ShipReturn, anxin.BookPickup:
		if err := noteReturnShipment(ctx, tx, t, d); err != nil {
			return err
		}
	}
	if sh, ok := c.Shipment(t, d); ok {
		if err := noteOutboundShipment(ctx, tx, t, sh); err != nil {
			return err
		}
	}
	if c.SendsAddress() {
		if err := sendAddress(ctx, tx, t, d.Actor, 0, false); err != nil {
			return err
		}
	}
	if c.ReturnReceived() {
		if err := payPostage(ctx, tx, t); err != nil {
			return err
		}
	}
	if c.Timeout == anxin.RaiseReturn {
		return alertTicketPeople(ctx, tx, t, anxin.AlertReturnOverdue, t.Order.Product)
	}
	return nil
}

// ---- Return addresses on tickets.

// sendAddress copies a return address of the ticket's merchant onto the
// ticket (the default when id is 0) and tells the buyer where to send the
// goods: a system message on the conversation, which the ticket.message
// webhook carries, and the ticket's return_address in every payload after.
// A person approving a return without an address to send is refused; the
// system's automatic approval goes on, and the merchant is alerted.
// Sent with a decision, the decision's event is the ticket's last (the page
// tells its actor it was done by it): the address goes on the timeline only
// when it is sent by itself (onTimeline).
func sendAddress(ctx context.Context, tx *wtx, t anxin.Ticket, by anxin.Actor, id int64, onTimeline bool) error {
	var a anxin.ReturnAddress
	var ok bool
	var err error
	if id == 0 {
		if _, kept, err := ticketAddress(ctx, tx, t.ID); err != nil || kept {
			return err // sent once; a change is SetTicketAddress's
		}
		a, ok, err = defaultAddress(ctx, tx, t.MerchantID)
	} else {
		a, err = addressIn(ctx, tx, t.MerchantID, id)
		ok = err == nil
	}
	switch {
	case err != nil:
		return err
	case !ok && by.Role == anxin.RoleSystem:
		return alertTicketPeople(ctx, tx, t, anxin.AlertNoAddress, t.Number)
	case !ok:
		return anxin.Fail(anxin.MsgNoReturnAddress)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_addresses (ticket_id, address_id, name, phone, region, street,
		attached_at, actor_role, actor_id, actor_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (ticket_id) DO UPDATE SET address_id = excluded.address_id, name = excluded.name,
		phone = excluded.phone, region = excluded.region, street = excluded.street, attached_at = excluded.attached_at,
		actor_role = excluded.actor_role, actor_id = excluded.actor_id, actor_name = excluded.actor_name`,
		t.ID, a.ID, a.Name, a.Phone, a.Region, a.Street, ms(tx.now), string(by.Role), nullID(by.UserID), by.Name); err != nil {
		return fmt.Errorf("ticket's return address: %w", err)
	}
	// The timeline names the address without its phone; the message to the
	// buyer carries it whole, as the buyer needs it.
	if onTimeline {
		ev := anxin.Event{TicketID: t.ID, At: tx.now, Actor: by, Action: anxin.AddressSent,
			Detail: strings.Join([]string{a.Name, a.Region, a.Street}, " ")}
		if _, err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
	}
	m, err := anxin.NewMessage(t.ID, anxin.System(), anxin.AddressMessage(a), nil)
	if err != nil {
		return err
	}
	_, err = addMessage(ctx, tx, t, m)
	return err
}

// SetTicketAddress sends the buyer another of the merchant's return
// addresses (or the default, id 0, when none was sent), until the buyer
// ships the goods back. The buyer is told as on approval.
func (s *Store) SetTicketAddress(ctx context.Context, by anxin.Actor, ticketID, addressID int64) (anxin.Ticket, error) {
	var t anxin.Ticket
	err := s.write(ctx, func(ctx context.Context, tx *wtx) (err error) {
		if t, err = findTicket(ctx, tx, by.Scope(), ticketID); err != nil {
			return err
		}
		if by.Role != anxin.RoleAgent && by.Role != anxin.RoleAdmin && by.Role != anxin.RoleMerchant {
			return anxin.Fail(anxin.MsgRoleMayNot, by.Role, anxin.AddressSent)
		}
		if !t.MayChangeAddress() {
			return anxin.Fail(anxin.MsgAddressAfterShipped, t.State)
		}
		if addressID == 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM ticket_addresses WHERE ticket_id = ?`, t.ID); err != nil {
				return err
			}
		}
		if err := sendAddress(ctx, tx, t, by, addressID, true); err != nil {
			return err
		}
		tx.notify(t, NoticeState)
		return emit(ctx, tx, t.ID, t.MerchantID, []anxin.WebhookEvent{anxin.EventStateChanged}, nil)
	})
	return t, err
}

const ticketAddressColumns = `ta.ticket_id, ta.address_id, ta.name, ta.phone, ta.region, ta.street, ta.attached_at,
	ta.actor_role, coalesce(ta.actor_id, 0), ta.actor_name`

func scanTicketAddress(row interface{ Scan(...any) error }) (anxin.TicketAddress, error) {
	var a anxin.TicketAddress
	var at sql.NullInt64
	err := row.Scan(&a.TicketID, &a.ID, &a.Name, &a.Phone, &a.Region, &a.Street, &at,
		&a.AttachedBy.Role, &a.AttachedBy.UserID, &a.AttachedBy.Name)
	a.AttachedAt = fromMS(at)
	return a, err
}

// ticketAddress is the return address the ticket sent the buyer, if any.
func ticketAddress(ctx context.Context, q queryer, ticketID int64) (anxin.TicketAddress, bool, error) {
	a, err := scanTicketAddress(q.QueryRowContext(ctx, `SELECT `+ticketAddressColumns+` FROM ticket_addresses ta
		WHERE ta.ticket_id = ?`, ticketID))
	if errors.Is(err, sql.ErrNoRows) {
		return a, false, nil
	}
	if err != nil {
		return a, false, fmt.Errorf("ticket's return address: %w", err)
	}
	return a, true, nil
}

// ---- Parcels.

const shipmentColumns = `s.id, s.ticket_id, s.direction, s.kind, s.carrier, s.tracking, s.method, s.pickup_slot,
	s.status, s.created_at, s.updated_at`

func scanShipment(row interface{ Scan(...any) error }) (anxin.Shipment, error) {
	var sh anxin.Shipment
	var slot, created, updated sql.NullInt64
	err := row.Scan(&sh.ID, &sh.TicketID, &sh.Direction, &sh.Kind, &sh.Carrier, &sh.Tracking, &sh.Method, &slot,
		&sh.Status, &created, &updated)
	sh.PickupSlot, sh.CreatedAt, sh.UpdatedAt = fromMS(slot), fromMS(created), fromMS(updated)
	return sh, err
}

// Shipments lists a ticket's parcels the scope may see, each with the
// carrier's reports, oldest parcel first.
func (s *Store) Shipments(ctx context.Context, scope anxin.Scope, ticketID int64) ([]anxin.Shipment, error) {
	if _, err := findTicket(ctx, s.read(), scope, ticketID); err != nil {
		return nil, err
	}
	return shipmentsIn(ctx, s.read(), ticketID)
}

func shipmentsIn(ctx context.Context, q queryer, ticketID int64) ([]anxin.Shipment, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+shipmentColumns+` FROM shipments s WHERE s.ticket_id = ? ORDER BY s.id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("shipments: %w", err)
	}
	var out []anxin.Shipment
	for rows.Next() {
		sh, err := scanShipment(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, sh)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	erows, err := q.QueryContext(ctx, `SELECT e.shipment_id, e.status, e.at, e.recorded_at FROM shipment_events e
		JOIN shipments s ON s.id = e.shipment_id WHERE s.ticket_id = ? ORDER BY e.at, e.id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("shipment events: %w", err)
	}
	defer erows.Close()
	for erows.Next() {
		var id int64
		var e anxin.ShipmentEvent
		var at, recorded sql.NullInt64
		if err := erows.Scan(&id, &e.Status, &at, &recorded); err != nil {
			return nil, err
		}
		e.At, e.RecordedAt = fromMS(at), fromMS(recorded)
		for i := range out {
			if out[i].ID == id {
				out[i].Events = append(out[i].Events, e)
			}
		}
	}
	return out, erows.Err()
}

// returnShipment finds the ticket's return parcel with the tracking number
// or, for a number not seen yet, the pickup booked and not collected.
func returnShipment(ctx context.Context, tx *wtx, ticketID int64, dir anxin.Direction, tracking string) (anxin.Shipment, bool, error) {
	sh, err := scanShipment(tx.QueryRowContext(ctx, `SELECT `+shipmentColumns+` FROM shipments s
		WHERE s.ticket_id = ? AND s.direction = ? AND (s.tracking = ? OR (s.tracking = '' AND s.method = 'pickup'))
		ORDER BY s.tracking = ? DESC, s.id DESC LIMIT 1`, ticketID, string(dir), tracking, tracking))
	if errors.Is(err, sql.ErrNoRows) {
		return sh, false, nil
	}
	if err != nil {
		return sh, false, fmt.Errorf("shipment: %w", err)
	}
	return sh, true, nil
}

// noteReturnShipment records the parcel a return shipped or a pickup booked
// names: the buyer's tracking number (filling in a pickup's once collected)
// or a new booking (moving a booking not collected yet).
func noteReturnShipment(ctx context.Context, tx *wtx, t anxin.Ticket, d anxin.Decision) error {
	tracking, carrier := strings.TrimSpace(d.Tracking), strings.TrimSpace(d.Carrier)
	method, slot := anxin.MethodSelf, time.Time{}
	if d.Action == anxin.BookPickup {
		method, slot, tracking = anxin.MethodPickup, d.Slot, ""
	}
	sh, found, err := returnShipment(ctx, tx, t.ID, anxin.DirReturn, tracking)
	if err != nil {
		return err
	}
	if found && (tracking != "" || sh.Tracking == "") {
		_, err = tx.ExecContext(ctx, `UPDATE shipments SET tracking = ?, carrier = CASE WHEN ? = '' THEN carrier ELSE ? END,
			pickup_slot = coalesce(?, pickup_slot), updated_at = ? WHERE id = ?`,
			coalesceText(tracking, sh.Tracking), carrier, carrier, ms(slot), ms(tx.now), sh.ID)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO shipments (ticket_id, direction, kind, carrier, tracking, method,
			pickup_slot, created_at, updated_at) VALUES (?, 'return', 'return', ?, ?, ?, ?, ?, ?)`,
			t.ID, carrier, tracking, string(method), ms(slot), ms(tx.now), ms(tx.now))
	}
	if err != nil {
		return fmt.Errorf("return shipment: %w", err)
	}
	return nil
}

func coalesceText(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// ReportLogistics records a carrier's report on a parcel of a ticket the
// scope sees, relayed by the platform, once per Idempotency-Key; the same
// report again (parcel, status, time) changes nothing either way. A report
// on the buyer's return moves the ticket as the domain says: picked up or on
// its way is the tracking entry, delivered is receipt for inspection. An
// exception alerts the ticket's people. Returns the ticket as the API shows it.
func (s *Store) ReportLogistics(ctx context.Context, scope anxin.Scope, ticketID int64, r anxin.LogisticsReport,
	key IdempotencyKey) (TicketView, bool, error) {
	return s.idempotent(ctx, key, func(ctx context.Context, tx *wtx) (TicketView, error) {
		if err := r.Validate(tx.now); err != nil {
			return TicketView{}, err
		}
		t, err := findTicket(ctx, tx, scope, ticketID)
		if err != nil {
			return TicketView{}, err
		}
		if err := reportLogistics(ctx, tx, t, r); err != nil {
			return TicketView{}, err
		}
		return viewIn(ctx, tx, scope, ticketID)
	})
}

func reportLogistics(ctx context.Context, tx *wtx, t anxin.Ticket, r anxin.LogisticsReport) error {
	sh, found, err := returnShipment(ctx, tx, t.ID, r.Direction, r.Tracking)
	if err != nil {
		return err
	}
	if !found {
		id, err := tx.insertID(ctx, `INSERT INTO shipments (ticket_id, direction, kind, carrier, tracking,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			t.ID, string(r.Direction), string(r.KindOn(t)), r.Carrier, r.Tracking, ms(tx.now), ms(tx.now))
		if err != nil {
			return fmt.Errorf("shipment: %w", err)
		}
		sh.ID = id
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO shipment_events (shipment_id, status, at, carrier, recorded_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, sh.ID, string(r.Status), ms(r.At), r.Carrier, ms(tx.now))
	if err != nil {
		return fmt.Errorf("shipment event: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // heard already: nothing changes
	}
	var events []anxin.ShipmentEvent
	rows, err := tx.QueryContext(ctx, `SELECT status, at FROM shipment_events WHERE shipment_id = ?`, sh.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var e anxin.ShipmentEvent
		var at sql.NullInt64
		if err := rows.Scan(&e.Status, &at); err != nil {
			rows.Close()
			return err
		}
		e.At = fromMS(at)
		events = append(events, e)
	}
	rows.Close()
	if _, err := tx.ExecContext(ctx, `UPDATE shipments SET status = ?, carrier = ?, tracking = ?, updated_at = ? WHERE id = ?`,
		string(anxin.LatestStatus(events)), r.Carrier, r.Tracking, ms(tx.now), sh.ID); err != nil {
		return fmt.Errorf("shipment: %w", err)
	}
	tx.notify(t, NoticeState)
	if r.Status == anxin.ShipException {
		if err := alertTicketPeople(ctx, tx, t, anxin.AlertShipmentException, r.Carrier+" "+r.Tracking); err != nil {
			return err
		}
	}
	_, p, err := policyFor(ctx, tx, t.MerchantID, t.Service)
	if err != nil {
		return err
	}
	a, ok := t.ReturnAction(r, p)
	if !ok {
		a, ok = t.OutboundAction(r, p)
	}
	if !ok {
		return nil
	}
	_, err = decide(ctx, tx, t.ID, anxin.Decision{Action: a, Actor: anxin.System(), Version: t.Version,
		Tracking: r.Tracking, Carrier: r.Carrier})
	return err
}

// followReturn takes a ticket now awaiting its return on to what the
// carrier reported of its return before it waited for it (see decide).
func followReturn(ctx context.Context, tx *wtx, t anxin.Ticket) (anxin.Ticket, error) {
	return followReports(ctx, tx, t, func(sh anxin.Shipment) bool {
		return sh.Direction == anxin.DirReturn && sh.Tracking != "" && sh.Status != ""
	}, anxin.Ticket.ReturnAction)
}

// followReports takes the ticket on by the first report already stored of
// the parcels chosen that moves it (the carrier may report a parcel before
// the ticket waits for it), as the system, in the caller's transaction.
func followReports(ctx context.Context, tx *wtx, t anxin.Ticket, chosen func(anxin.Shipment) bool,
	action func(anxin.Ticket, anxin.LogisticsReport, anxin.Policy) (anxin.Action, bool)) (anxin.Ticket, error) {
	list, err := shipmentsIn(ctx, tx, t.ID)
	if err != nil {
		return t, err
	}
	for _, sh := range list {
		if !chosen(sh) {
			continue
		}
		_, p, err := policyFor(ctx, tx, t.MerchantID, t.Service)
		if err != nil {
			return t, err
		}
		r := anxin.LogisticsReport{Direction: sh.Direction, Carrier: sh.Carrier, Tracking: sh.Tracking, Status: sh.Status}
		if a, ok := action(t, r, p); ok {
			return decide(ctx, tx, t.ID, anxin.Decision{Action: a, Actor: anxin.System(), Version: t.Version,
				Tracking: sh.Tracking, Carrier: sh.Carrier})
		}
	}
	return t, nil
}

// ---- 运费险.

const postageColumns = `pp.id, pp.number, pp.ticket_id, pp.order_id, pp.method, pp.claimed_fen, pp.cap_fen,
	pp.amount_fen, pp.status, pp.created_at, pp.updated_at`

func scanPostage(row interface{ Scan(...any) error }) (anxin.PostageLine, error) {
	var l anxin.PostageLine
	var created, updated sql.NullInt64
	err := row.Scan(&l.ID, &l.Number, &l.TicketID, &l.OrderID, &l.Method, &l.ClaimedFen, &l.CapFen, &l.AmountFen,
		&l.Status, &created, &updated)
	l.CreatedAt, l.UpdatedAt = fromMS(created), fromMS(updated)
	return l, err
}

// postageOfOrder is the 运费险 payout of the merchant's order, if it has one.
func postageOfOrder(ctx context.Context, q queryer, merchantID int64, orderID string) (anxin.PostageLine, bool, error) {
	l, err := scanPostage(q.QueryRowContext(ctx, `SELECT `+postageColumns+` FROM postage_payouts pp
		WHERE pp.merchant_id = ? AND pp.order_id = ?`, merchantID, orderID))
	if errors.Is(err, sql.ErrNoRows) {
		return l, false, nil
	}
	if err != nil {
		return l, false, fmt.Errorf("postage: %w", err)
	}
	return l, true, nil
}

// payPostage records the 运费险 payout of a return just received, once per
// order, when the merchant's orders carry 运费险 (the service is on): the
// postage the buyer claimed on the order (a 运费险 claim), or the cap of how
// the parcel travelled, capped. An order whose 运费险 claim was paid by the
// merchant instead gets nothing more. The order's claims still open close,
// paid with the return.
func payPostage(ctx context.Context, tx *wtx, t anxin.Ticket) error {
	_, p, err := policyFor(ctx, tx, t.MerchantID, anxin.ShippingInsurance)
	if err != nil || !p.Enabled {
		return err
	}
	method := anxin.MethodSelf
	var pickups int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM shipments WHERE ticket_id = ? AND direction = 'return'
		AND method = 'pickup'`, t.ID).Scan(&pickups); err != nil {
		return fmt.Errorf("postage: %w", err)
	}
	if pickups > 0 {
		method = anxin.MethodPickup
	}
	var claimed, paidByClaim int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(requested_fen), 0), coalesce(sum(refunded_fen), 0)
		FROM tickets WHERE merchant_id = ? AND order_id = ? AND service = ?`,
		t.MerchantID, t.Order.ID, string(anxin.ShippingInsurance)).Scan(&claimed, &paidByClaim); err != nil {
		return fmt.Errorf("postage claims: %w", err)
	}
	amount := p.Postage.PostagePayout(method, claimed)
	if paidByClaim > 0 || amount <= 0 {
		return nil
	}
	number := anxin.PostageNumber(t.ID)
	res, err := tx.ExecContext(ctx, `INSERT INTO postage_payouts (number, ticket_id, merchant_id, order_id, method,
		claimed_fen, cap_fen, amount_fen, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT DO NOTHING`,
		number, t.ID, t.MerchantID, t.Order.ID, string(method), claimed, p.Postage.Cap(method), amount, ms(tx.now), ms(tx.now))
	if err != nil {
		return fmt.Errorf("postage: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // once per order
	}
	// No event of its own: the receipt's is the ticket's last (see
	// sendAddress); the line shows in the ticket's settlement.
	tx.wake |= wakeRefunds
	if err := emit(ctx, tx, t.ID, t.MerchantID, []anxin.WebhookEvent{anxin.EventPostageRequested}, nil); err != nil {
		return err
	}
	return closePostageClaims(ctx, tx, t, number)
}

// closePostageClaims closes the order's 运费险 claims still open: their
// postage is paid with the return's line.
func closePostageClaims(ctx context.Context, tx *wtx, ret anxin.Ticket, number string) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, version FROM tickets WHERE merchant_id = ? AND order_id = ?
		AND service = ? AND state = ?`, ret.MerchantID, ret.Order.ID, string(anxin.ShippingInsurance), string(anxin.PendingMerchant))
	if err != nil {
		return err
	}
	var claims [][2]int64
	for rows.Next() {
		var c [2]int64
		if err := rows.Scan(&c[0], &c[1]); err != nil {
			rows.Close()
			return err
		}
		claims = append(claims, c)
	}
	rows.Close()
	for _, c := range claims {
		d := anxin.Decision{Action: anxin.PostageMerged, Actor: anxin.System(), Version: c[1],
			Reason: fmt.Sprintf("%s %s", ret.Number, number)}
		if _, err := decide(ctx, tx, c[0], d); err != nil {
			return err
		}
	}
	return nil
}

// mergePostageClaim settles a 运费险 claim just opened against its order:
// paid already is refused (once per order); an order whose return Anxin
// tracks has the claim closed at once, its postage to be paid with the
// return when it is received (or paid already, when it was). Other claims
// wait for the merchant, who knows whether the return came back.
func mergePostageClaim(ctx context.Context, tx *wtx, t anxin.Ticket) (anxin.Ticket, error) {
	if line, ok, err := postageOfOrder(ctx, tx, t.MerchantID, t.Order.ID); err != nil || ok {
		if err == nil {
			err = anxin.Fail(anxin.MsgPostagePaid, t.Order.ID, line.Number)
		}
		return t, err
	}
	var ret int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM tickets WHERE merchant_id = ? AND order_id = ? AND id <> ?
		AND service IN (`+returnServices()+`) ORDER BY id DESC LIMIT 1`, t.MerchantID, t.Order.ID, t.ID).Scan(&ret)
	if errors.Is(err, sql.ErrNoRows) {
		return t, nil
	}
	if err != nil {
		return t, fmt.Errorf("the order's return: %w", err)
	}
	return decide(ctx, tx, t.ID, anxin.Decision{Action: anxin.PostageMerged, Actor: anxin.System(), Version: t.Version,
		Reason: anxin.TicketNumber(ret)})
}

// returnServices lists, quoted for SQL, the services whose goods come back.
func returnServices() string {
	var keys []string
	for _, s := range anxin.Services() {
		if s.Default.NeedsReturn {
			keys = append(keys, "'"+string(s.Key)+"'")
		}
	}
	return strings.Join(keys, ", ")
}

// PostageLine is the ticket's 运费险 payout, if it has one.
func (s *Store) PostageLine(ctx context.Context, scope anxin.Scope, ticketID int64) (anxin.PostageLine, bool, error) {
	l, err := scanPostage(s.read().QueryRowContext(ctx, `SELECT `+postageColumns+` FROM postage_payouts pp
		JOIN tickets t ON t.id = pp.ticket_id WHERE pp.ticket_id = ? AND (?2 = 0 OR t.merchant_id = ?2)`, ticketID, scope.MerchantID))
	if errors.Is(err, sql.ErrNoRows) {
		return l, false, nil
	}
	return l, err == nil, err
}

// postageByNumber finds a 运费险 payout by the number the payment system
// knows it by.
func postageByNumber(ctx context.Context, q queryer, number string) (anxin.PostageLine, error) {
	l, err := scanPostage(q.QueryRowContext(ctx, `SELECT `+postageColumns+` FROM postage_payouts pp WHERE pp.number = ?`, number))
	if errors.Is(err, sql.ErrNoRows) {
		return l, anxin.Fail(anxin.MsgRefundNotFound)
	}
	if err != nil {
		return l, fmt.Errorf("postage %s: %w", number, err)
	}
	return l, nil
}

// settlePostage records the payment system's answer on a 运费险 payout, as
// settleRefund does on a refund: the same answer again changes nothing, a
// contradicting one is a conflict. It changes no state: the line is the
// return's, beside its refund.
func settlePostage(ctx context.Context, tx *wtx, scope anxin.Scope, number string, succeeded bool, message string) (TicketView, error) {
	l, err := postageByNumber(ctx, tx, number)
	if err != nil {
		return TicketView{}, err
	}
	v, err := viewIn(ctx, tx, anxin.AllMerchants(), l.TicketID)
	if err != nil {
		return v, err
	}
	want, action, event := anxin.RefundStatusSucceeded, anxin.PostagePaid, anxin.EventPostageSucceeded
	if !succeeded {
		want, action, event = anxin.RefundStatusFailed, anxin.PostageFailed, anxin.EventPostageFailed
	}
	switch {
	case !scope.Sees(v.MerchantID):
		return TicketView{}, anxin.Fail(anxin.MsgRefundNotFound)
	case l.Status == want:
		return v, nil
	case l.Status != anxin.RefundStatusPending:
		return v, anxin.Errorf(anxin.ECONFLICT, "postage %s is %s, not awaiting a result", number, l.Status)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE postage_payouts SET status = ?, updated_at = ? WHERE id = ?`,
		string(want), ms(tx.now), l.ID); err != nil {
		return v, fmt.Errorf("postage %s: %w", number, err)
	}
	ev := anxin.Event{TicketID: l.TicketID, At: tx.now, Actor: anxin.System(), Action: action, AmountFen: l.AmountFen,
		Detail: strings.TrimSpace(number + " " + message)}
	if _, err := insertEvent(ctx, tx, ev); err != nil {
		return v, err
	}
	tx.notify(v.Ticket, NoticeState)
	if !succeeded {
		if err := alertRefundFailed(ctx, tx, v.Ticket, ev.Detail); err != nil {
			return v, err
		}
	}
	if err := emit(ctx, tx, l.TicketID, v.MerchantID, []anxin.WebhookEvent{event}, nil); err != nil {
		return v, err
	}
	return viewIn(ctx, tx, anxin.AllMerchants(), l.TicketID)
}

// RetryPostage asks the payment system again for a 运费险 payout it
// refused, under the same number: an agent's decision.
func (s *Store) RetryPostage(ctx context.Context, by anxin.Actor, ticketID int64) error {
	if by.Role != anxin.RoleAgent && by.Role != anxin.RoleAdmin {
		return anxin.Fail(anxin.MsgRoleMayNot, by.Role, anxin.PostageRetried)
	}
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		t, err := findTicket(ctx, tx, by.Scope(), ticketID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE postage_payouts SET status = 'pending', attempts = attempts + 1,
			updated_at = ? WHERE ticket_id = ? AND status = 'failed'`, ms(tx.now), t.ID)
		if err != nil {
			return fmt.Errorf("postage: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return anxin.Fail(anxin.MsgNotPossibleNow, anxin.PostageRetried, t.State)
		}
		ev := anxin.Event{TicketID: t.ID, At: tx.now, Actor: by, Action: anxin.PostageRetried, Detail: anxin.PostageNumber(t.ID)}
		if _, err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		tx.notify(t, NoticeState)
		tx.wake |= wakeRefunds
		return emit(ctx, tx, t.ID, t.MerchantID, []anxin.WebhookEvent{anxin.EventPostageRequested}, nil)
	})
}

// payPendingPostage is the built-in payment system's pass over the 运费险
// payouts: every pending one is paid at once.
func (s *Store) payPendingPostage(ctx context.Context, sw *Sweep) error {
	var after int64
	for {
		rows, err := s.read().QueryContext(ctx, `SELECT id, number, ticket_id FROM postage_payouts
			WHERE status = 'pending' AND id > ? ORDER BY id LIMIT ?`, after, timeoutBatch)
		if err != nil {
			return fmt.Errorf("pending postage: %w", err)
		}
		type line struct {
			id, ticket int64
			number     string
		}
		var lines []line
		for rows.Next() {
			var l line
			if err := rows.Scan(&l.id, &l.number, &l.ticket); err != nil {
				rows.Close()
				return err
			}
			lines = append(lines, l)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(lines) == 0 {
			return err
		}
		errs := make([]error, len(lines))
		err = s.writeBackground(ctx, func(ctx context.Context, tx *wtx) error {
			for i, l := range lines {
				errs[i] = tx.savepoint(ctx, func() error {
					_, err := settlePostage(ctx, tx, anxin.AllMerchants(), l.number, true, "")
					return err
				})
				if errors.Is(errs[i], errBroken) {
					return errs[i]
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for i, err := range errs {
			if err != nil {
				sw.Failed = append(sw.Failed, SweepError{lines[i].ticket, err})
			} else {
				sw.Done++
			}
		}
		after = lines[len(lines)-1].id
	}
}

package store

import (
	"context"
	"fmt"

	"github.com/anxin-helpdesk/anxin"
)

// Exchanges and reships: the merchant's parcel a ship-out records, the cap
// on an order's reships, and the carrier's delivery that closes the ticket.

// orderReships counts the reship parcels of the merchant's order, on any of
// its tickets, but the ticket's parcel with the tracking number (the one
// being shipped, if the carrier reported it first).
func orderReships(ctx context.Context, q queryer, merchantID int64, orderID string, ticketID int64, tracking string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM shipments s JOIN tickets t ON t.id = s.ticket_id
		WHERE t.merchant_id = ? AND t.order_id = ? AND s.direction = 'outbound' AND s.kind = 'reship'
		AND NOT (s.ticket_id = ? AND s.tracking = ?)`,
		merchantID, orderID, ticketID, tracking).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("reships of order %s: %w", orderID, err)
	}
	return n, nil
}

// checkReships refuses a reship claim or parcel on an order that has had
// its policy's reships.
func checkReships(ctx context.Context, tx *wtx, t anxin.Ticket, tracking string) error {
	if t.Settlement != anxin.SettleReship {
		return nil
	}
	_, p, err := policyFor(ctx, tx, t.MerchantID, t.Service)
	if err != nil {
		return err
	}
	n, err := orderReships(ctx, tx, t.MerchantID, t.Order.ID, t.ID, tracking)
	if err != nil {
		return err
	}
	return p.CheckReships(t.Order.ID, n)
}

// noteOutboundShipment records the merchant's parcel a ship-out names,
// once: a parcel the carrier reported on before (by its tracking number)
// becomes the ship-out's. A reship beyond the order's cap is refused.
func noteOutboundShipment(ctx context.Context, tx *wtx, t anxin.Ticket, sh anxin.Shipment) error {
	if err := checkReships(ctx, tx, t, sh.Tracking); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO shipments (ticket_id, direction, kind, carrier, tracking, method,
		created_at, updated_at) VALUES (?, 'outbound', ?, ?, ?, 'self', ?, ?)
		ON CONFLICT (ticket_id, direction, tracking) WHERE tracking <> '' DO UPDATE SET kind = excluded.kind,
		carrier = excluded.carrier, updated_at = excluded.updated_at`,
		t.ID, string(sh.Kind), sh.Carrier, sh.Tracking, ms(tx.now), ms(tx.now))
	if err != nil {
		return fmt.Errorf("outbound shipment: %w", err)
	}
	return nil
}

// followOutbound takes a ticket just shipped on to its parcel's delivery
// when the carrier reported it before the merchant entered the ship-out.
func followOutbound(ctx context.Context, tx *wtx, t anxin.Ticket, tracking string) (anxin.Ticket, error) {
	return followReports(ctx, tx, t, func(sh anxin.Shipment) bool {
		return sh.Direction == anxin.DirOutbound && sh.Tracking == tracking && sh.Status == anxin.ShipDelivered
	}, anxin.Ticket.OutboundAction)
}

package webhook

import (
	"encoding/json"
	"fmt"

	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/web/api"
)

// bodyOf is what an attempt at the delivery sends: the body it sent before,
// or, at its first attempt, its event rendered. The store keeps the first
// body sent, so every attempt after sends the same bytes.
func bodyOf(d store.DueDelivery) ([]byte, error) {
	if len(d.Body) > 0 {
		return d.Body, nil
	}
	ev, err := d.Snapshot()
	if err != nil {
		return nil, err
	}
	return Render(ev)
}

// Render is the body of a webhook event: api.Event in JSON, the shape
// web/openapi.json documents. It depends on nothing but the event, so an
// attempt that could not be recorded renders the same bytes again.
func Render(ev store.OutboxEvent) ([]byte, error) {
	v := ev.View
	b, err := json.Marshal(api.EventOf(ev.ID, ev.Type, ev.At, api.TicketOf(v.Ticket, v.MerchantCode, &v.Refund, &v.Offer).
		WithReturns(api.Returns{Address: v.Address, Postage: v.Postage, Shipments: v.Shipments}), ev.Change, ev.Message))
	if err != nil {
		return nil, fmt.Errorf("webhook event %s: %w", ev.ID, err)
	}
	return b, nil
}

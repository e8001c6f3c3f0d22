-- The outbox keeps each event as the store saw it in the change's
-- transaction (the ticket with its refund, and the state change), in the
-- store's own encoding, instead of an HTTP body: the web layer renders the
-- body from it when the delivery is first tried, and that body is kept for
-- every attempt after (and the snapshot dropped), so a delivery sends the
-- same bytes every time. Until its first attempt a delivery's body is empty.
-- Deliveries written before this migration have their body and no
-- snapshot, and are sent as they are.
ALTER TABLE webhook_deliveries ADD COLUMN snapshot BLOB;

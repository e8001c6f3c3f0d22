-- A refund a person pressed waits before it is handed to the payment
-- system, and may be undone meanwhile (store/desk.go). hand_over_at is when
-- it is handed over (NULL: it was); undo_from is the ticket as it was
-- before the refund (JSON), where an undo takes it back to.
ALTER TABLE refunds ADD COLUMN hand_over_at INTEGER;
ALTER TABLE refunds ADD COLUMN undo_from TEXT NOT NULL DEFAULT '';
CREATE INDEX refunds_hand_over ON refunds (hand_over_at) WHERE hand_over_at IS NOT NULL;
-- Refunds undone before they were handed over: cancelled, with who undid
-- them. The row leaves refunds, which holds a ticket's one live refund: a
-- new refund of the ticket reuses the number, which the payment system
-- never saw.
CREATE TABLE refunds_cancelled (
	id                INTEGER PRIMARY KEY,
	number            TEXT NOT NULL,
	ticket_id         INTEGER NOT NULL REFERENCES tickets (id),
	amount_fen        INTEGER NOT NULL,
	created_at        INTEGER NOT NULL,
	cancelled_at      INTEGER NOT NULL,
	cancelled_by_id   INTEGER,
	cancelled_by_name TEXT NOT NULL
);
CREATE INDEX refunds_cancelled_ticket ON refunds_cancelled (ticket_id);

-- Admin actions are recorded, in the same transaction as the change.
CREATE TABLE audit_log (
	id         INTEGER PRIMARY KEY,
	at         INTEGER NOT NULL,
	actor_id   INTEGER REFERENCES users (id),
	actor_name TEXT NOT NULL,
	action     TEXT NOT NULL,
	target     TEXT NOT NULL,
	detail     TEXT NOT NULL DEFAULT ''
);

-- Merchant figures count events and paid refunds by time.
CREATE INDEX ticket_events_action_at ON ticket_events (action, at);
CREATE INDEX refunds_status_updated ON refunds (status, updated_at);

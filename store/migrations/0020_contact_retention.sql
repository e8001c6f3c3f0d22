-- Buyers' names and phones are erased from tickets that ended long enough
-- ago (anxin.Ticket.ContactErasable); the masked forms stay.
ALTER TABLE tickets ADD COLUMN contact_erased_at INTEGER;
CREATE INDEX tickets_contact_kept ON tickets (state_since)
	WHERE contact_erased_at IS NULL AND state IN ('refunded', 'closed');

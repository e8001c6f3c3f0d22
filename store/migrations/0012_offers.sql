-- Negotiation (协商). A ticket's pending offer is kept on the ticket, as
-- its decisions read it (the amount the buyer is answering and the state a
-- decline returns to), with the count the policy caps. The offers table is
-- the 协商记录: every offer, its message, who made it and how it ended.
ALTER TABLE tickets ADD COLUMN offer_fen INTEGER NOT NULL DEFAULT 0 CHECK (offer_fen >= 0);
ALTER TABLE tickets ADD COLUMN offer_from TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN offers_made INTEGER NOT NULL DEFAULT 0 CHECK (offers_made >= 0);

CREATE TABLE offers (
	id          INTEGER PRIMARY KEY,
	ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
	amount_fen  INTEGER NOT NULL CHECK (amount_fen > 0),
	message     TEXT NOT NULL,
	from_state  TEXT NOT NULL,
	by_id       INTEGER REFERENCES users (id),
	by_name     TEXT NOT NULL,
	by_role     TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL,
	answer      TEXT NOT NULL DEFAULT '' CHECK (answer IN ('', 'accepted', 'declined', 'lapsed', 'cancelled')),
	answered_at INTEGER
);
CREATE INDEX offers_ticket ON offers (ticket_id, id);
-- At most one offer waits for the buyer on a ticket.
CREATE UNIQUE INDEX offers_open ON offers (ticket_id) WHERE answer = '';

-- A merchant may give its buyers another time to answer an offer, and
-- allow another number of offers, per service (NULL: the catalog's default).
ALTER TABLE merchant_policies ADD COLUMN offer_clock_ms INTEGER;
ALTER TABLE merchant_policies ADD COLUMN max_offers INTEGER;

-- Merchant auto-rules (自动化售后): the rules a merchant sets, the limits
-- the admin sets per merchant (merchant_id 0: the platform's default), and
-- each ticket a rule acted on, for the rules' per-buyer caps.

CREATE TABLE merchant_rules (
	merchant_id INTEGER NOT NULL REFERENCES merchants (id),
	rule        TEXT NOT NULL,
	enabled     INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
	max_fen     INTEGER NOT NULL DEFAULT 0,
	per_buyer   INTEGER NOT NULL DEFAULT 3,
	after_ms    INTEGER NOT NULL DEFAULT 0,
	services    TEXT NOT NULL DEFAULT '', -- service keys, comma-separated
	reasons     TEXT NOT NULL DEFAULT '', -- words of reasons, one a line
	PRIMARY KEY (merchant_id, rule)
);

CREATE TABLE rule_limits (
	merchant_id        INTEGER PRIMARY KEY, -- 0: the platform's default
	unshipped_max_fen  INTEGER NOT NULL,
	returnless_max_fen INTEGER NOT NULL,
	instant_max_fen    INTEGER NOT NULL,
	per_buyer_max      INTEGER NOT NULL
);
INSERT INTO rule_limits (merchant_id, unshipped_max_fen, returnless_max_fen, instant_max_fen, per_buyer_max)
	VALUES (0, 50000, 10000, 20000, 5);

-- A rule acts on a ticket at most once. The buyer is the ticket's: the
-- caps count by joining tickets (tickets_phone), so that no copy of the
-- phone outlives the ticket's own erasure.
CREATE TABLE rule_uses (
	ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
	rule        TEXT NOT NULL,
	merchant_id INTEGER NOT NULL,
	at          INTEGER NOT NULL,
	PRIMARY KEY (ticket_id, rule)
);
CREATE INDEX rule_uses_merchant ON rule_uses (merchant_id, rule, at);

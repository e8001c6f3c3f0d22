-- Returns and their logistics: merchants' return addresses, the address a
-- ticket sent the buyer, the parcels of a ticket with the carriers' reports,
-- 运费险 postage payouts, and refunds paid ahead of the return (极速退款).

-- A merchant's address book for returns; at most one default each.
CREATE TABLE merchant_addresses (
	id          INTEGER PRIMARY KEY,
	merchant_id INTEGER NOT NULL REFERENCES merchants (id),
	name        TEXT NOT NULL,
	phone       TEXT NOT NULL,
	region      TEXT NOT NULL,
	street      TEXT NOT NULL,
	is_default  INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);
CREATE INDEX merchant_addresses_merchant ON merchant_addresses (merchant_id, id);
CREATE UNIQUE INDEX merchant_addresses_default ON merchant_addresses (merchant_id) WHERE is_default = 1;

-- The return address a ticket sent the buyer: a copy of the book's entry as
-- it was, so that a later edit does not rewrite what the buyer was told.
-- address_id is the entry it was copied from, kept as a plain number: the
-- entry may be deleted since.
CREATE TABLE ticket_addresses (
	ticket_id   INTEGER PRIMARY KEY REFERENCES tickets (id),
	address_id  INTEGER NOT NULL,
	name        TEXT NOT NULL,
	phone       TEXT NOT NULL,
	region      TEXT NOT NULL,
	street      TEXT NOT NULL,
	attached_at INTEGER NOT NULL,
	actor_role  TEXT NOT NULL,
	actor_id    INTEGER REFERENCES users (id),
	actor_name  TEXT NOT NULL
);

-- A ticket's parcels: the buyer's return, and later the merchant's
-- replacement (exchange) or reship. A pickup booked and not yet collected
-- has no tracking number. status is the latest report by the carrier's time.
CREATE TABLE shipments (
	id          INTEGER PRIMARY KEY,
	ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
	direction   TEXT NOT NULL CHECK (direction IN ('return', 'outbound')),
	kind        TEXT NOT NULL CHECK (kind IN ('return', 'replacement', 'reship')),
	carrier     TEXT NOT NULL DEFAULT '',
	tracking    TEXT NOT NULL DEFAULT '',
	method      TEXT NOT NULL DEFAULT 'self' CHECK (method IN ('self', 'pickup')),
	pickup_slot INTEGER,
	status      TEXT NOT NULL DEFAULT '' CHECK (status IN ('', 'picked_up', 'in_transit', 'delivered', 'exception')),
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);
CREATE INDEX shipments_ticket ON shipments (ticket_id, id);
CREATE UNIQUE INDEX shipments_tracking ON shipments (ticket_id, direction, tracking) WHERE tracking <> '';

-- The carriers' reports. The same report again (same parcel, status and
-- time) is the same row: a replayed report changes nothing.
CREATE TABLE shipment_events (
	id          INTEGER PRIMARY KEY,
	shipment_id INTEGER NOT NULL REFERENCES shipments (id),
	status      TEXT NOT NULL CHECK (status IN ('picked_up', 'in_transit', 'delivered', 'exception')),
	at          INTEGER NOT NULL,
	carrier     TEXT NOT NULL,
	recorded_at INTEGER NOT NULL,
	UNIQUE (shipment_id, status, at)
);

-- 运费险: the postage of an order's return, paid once per order when the
-- return is received, as a refund line of its own (YF-…) beside the goods'
-- refund (RF-…), and paid by the same payment system.
CREATE TABLE postage_payouts (
	id          INTEGER PRIMARY KEY,
	number      TEXT NOT NULL UNIQUE,
	ticket_id   INTEGER NOT NULL UNIQUE REFERENCES tickets (id),
	merchant_id INTEGER NOT NULL REFERENCES merchants (id),
	order_id    TEXT NOT NULL,
	method      TEXT NOT NULL CHECK (method IN ('self', 'pickup')),
	claimed_fen INTEGER NOT NULL DEFAULT 0 CHECK (claimed_fen >= 0),
	cap_fen     INTEGER NOT NULL CHECK (cap_fen >= 0),
	amount_fen  INTEGER NOT NULL CHECK (amount_fen > 0 AND amount_fen <= cap_fen),
	status      TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
	attempts    INTEGER NOT NULL DEFAULT 1,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	UNIQUE (merchant_id, order_id)
);
CREATE INDEX postage_payouts_status ON postage_payouts (status, id);

-- A ticket refunded ahead of its goods (极速退款 of a return): the return is owed.
ALTER TABLE tickets ADD COLUMN return_owed INTEGER NOT NULL DEFAULT 0 CHECK (return_owed IN (0, 1));

-- The system's refund ahead of the return ends the merchant's clock as its
-- instant refund does: a decision in the daily figures (0019's views, with
-- refund_ahead beside refund).
DROP VIEW figures_event_facts;
CREATE VIEW figures_event_facts AS
SELECT e.id, date(e.at / 1000, 'unixepoch', (SELECT modifier FROM figures_zone)) AS day, t.merchant_id, t.service,
	e.to_state IS 'arbitration' AS arbitrations_open,
	e.action = 'rule_buyer' AS arbitrations_lost,
	e.action = 'rule_merchant' AS arbitrations_won,
	e.from_state IS 'pending_merchant' AS decided,
	e.from_state IS 'pending_merchant' AND e.action = 'timeout' AS missed
FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
WHERE e.action IN ('appeal', 'escalate', 'timeout', 'rule_buyer', 'rule_merchant', 'approve', 'refund', 'reject',
	'request_evidence', 'offer', 'refund_ahead');

DROP VIEW figures_people_facts;
CREATE VIEW figures_people_facts AS
SELECT e.id, t.merchant_id, date(e.at / 1000, 'unixepoch', (SELECT modifier FROM figures_zone)) AS day,
	e.actor_id AS person_id, t.service, e.actor_role AS role, e.actor_name AS name,
	1 AS decisions, 0 AS clocks_ended, 0 AS clocks_missed
FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
WHERE e.action IN ('approve', 'refund', 'reject', 'request_evidence', 'escalate', 'offer', 'rule_buyer',
		'rule_merchant', 'manual_refund')
	AND e.actor_id IS NOT NULL AND e.actor_role IN ('agent', 'admin', 'merchant')
UNION ALL
SELECT e.id, t.merchant_id, date(e.at / 1000, 'unixepoch', (SELECT modifier FROM figures_zone)),
	u.id, t.service, u.role, u.name, 0, 1, e.action = 'timeout'
FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id JOIN users u ON u.id = t.assignee_id
WHERE e.from_state = 'pending_merchant' AND e.action IN ('approve', 'refund', 'reject', 'request_evidence',
		'escalate', 'offer', 'rule_buyer', 'rule_merchant', 'manual_refund', 'timeout', 'refund_ahead');

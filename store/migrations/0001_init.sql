-- Anxin's first schema. Times are UTC unix milliseconds; money is integer fen.

CREATE TABLE merchants (
	id                       INTEGER PRIMARY KEY,
	code                     TEXT NOT NULL UNIQUE,
	name                     TEXT NOT NULL,
	instant_refund_enabled   INTEGER NOT NULL DEFAULT 1,
	instant_refund_unshipped INTEGER NOT NULL DEFAULT 1,
	instant_refund_max_fen   INTEGER NOT NULL DEFAULT 20000,
	created_at               INTEGER NOT NULL
);

-- A merchant's changes to a service's defaults; NULL keeps the default.
CREATE TABLE merchant_policies (
	merchant_id       INTEGER NOT NULL REFERENCES merchants (id),
	service           TEXT NOT NULL,
	enabled           INTEGER,
	window_ms         INTEGER,
	evidence_min      INTEGER,
	merchant_clock_ms INTEGER,
	PRIMARY KEY (merchant_id, service)
) WITHOUT ROWID;

-- Orders per day: the denominator of the return rate.
CREATE TABLE merchant_daily_orders (
	merchant_id INTEGER NOT NULL REFERENCES merchants (id),
	day         TEXT NOT NULL, -- YYYY-MM-DD in the configured zone
	orders      INTEGER NOT NULL CHECK (orders >= 0),
	PRIMARY KEY (merchant_id, day)
) WITHOUT ROWID;

CREATE TABLE users (
	id              INTEGER PRIMARY KEY,
	email           TEXT NOT NULL UNIQUE COLLATE NOCASE,
	name            TEXT NOT NULL,
	role            TEXT NOT NULL CHECK (role IN ('admin', 'agent', 'merchant')),
	merchant_id     INTEGER REFERENCES merchants (id),
	password_hash   TEXT NOT NULL,
	session_version INTEGER NOT NULL DEFAULT 1,
	lang            TEXT NOT NULL DEFAULT 'zh',
	disabled_at     INTEGER,
	created_at      INTEGER NOT NULL,
	CHECK ((role = 'merchant') = (merchant_id IS NOT NULL))
);

CREATE TABLE tickets (
	id              INTEGER PRIMARY KEY,
	merchant_id     INTEGER NOT NULL REFERENCES merchants (id),
	service         TEXT NOT NULL,
	state           TEXT NOT NULL,
	version         INTEGER NOT NULL DEFAULT 1,
	state_since     INTEGER NOT NULL,
	deadline        INTEGER,          -- the current state's clock; NULL when it runs none
	due_at          INTEGER,          -- queue order: the deadline, or the far future for an open ticket
	                                  -- without a clock; NULL once terminal (out of every queue)
	auto_at         INTEGER,          -- when the scheduler acts: the deadline if the state times out by itself
	paused_left_ms  INTEGER NOT NULL DEFAULT 0,
	assignee_id     INTEGER REFERENCES users (id),
	order_id        TEXT NOT NULL,
	product         TEXT NOT NULL,
	paid_fen        INTEGER NOT NULL CHECK (paid_fen > 0),
	ordered_at      INTEGER NOT NULL,
	shipped_at      INTEGER,
	received_at     INTEGER,
	buyer_name      TEXT NOT NULL DEFAULT '',
	buyer_phone     TEXT NOT NULL,
	reason          TEXT NOT NULL DEFAULT '',
	requested_fen   INTEGER NOT NULL,
	payable_fen     INTEGER NOT NULL,
	refunded_fen    INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	first_action_at INTEGER,
	CHECK (refunded_fen BETWEEN 0 AND payable_fen)
);

-- The queue reads these in due order, keyset-paginated on (due_at, id). Every
-- index here is rewritten by each state change, so there are few of them: the
-- two wide ones carry the filter columns, so a filter on state, service or
-- assignee is checked on index entries without visiting the rows; the two
-- narrow ones serve the tabs whose matches are rare (arbitration, mine).
CREATE INDEX tickets_queue ON tickets (due_at, id, state, service, merchant_id, assignee_id) WHERE due_at IS NOT NULL;
CREATE INDEX tickets_queue_merchant ON tickets (merchant_id, due_at, id, state, service, assignee_id) WHERE due_at IS NOT NULL;
CREATE INDEX tickets_queue_state ON tickets (state, due_at, id) WHERE due_at IS NOT NULL;
CREATE INDEX tickets_queue_assignee ON tickets (assignee_id, due_at, id) WHERE due_at IS NOT NULL;
-- The scheduler's work list.
CREATE INDEX tickets_auto ON tickets (auto_at, id) WHERE auto_at IS NOT NULL;
-- Search and figures.
CREATE INDEX tickets_order ON tickets (order_id);
CREATE INDEX tickets_phone ON tickets (buyer_phone);
CREATE INDEX tickets_merchant_created ON tickets (merchant_id, created_at);

-- The timeline: append-only. The actor may be a user, the buyer or the system.
CREATE TABLE ticket_events (
	id         INTEGER PRIMARY KEY,
	ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
	at         INTEGER NOT NULL,
	actor_role TEXT NOT NULL,
	actor_id   INTEGER REFERENCES users (id),
	actor_name TEXT NOT NULL,
	action     TEXT NOT NULL,
	from_state TEXT,
	to_state   TEXT,
	amount_fen INTEGER NOT NULL DEFAULT 0,
	detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

CREATE TRIGGER ticket_events_no_update BEFORE UPDATE ON ticket_events
BEGIN SELECT RAISE(ABORT, 'ticket events are append-only'); END;
CREATE TRIGGER ticket_events_no_delete BEFORE DELETE ON ticket_events
BEGIN SELECT RAISE(ABORT, 'ticket events are append-only'); END;

-- One refund per ticket, recorded before the provider is called; its number
-- is reused on every retry, so the provider can never pay it twice.
CREATE TABLE refunds (
	id         INTEGER PRIMARY KEY,
	number     TEXT NOT NULL UNIQUE,
	ticket_id  INTEGER NOT NULL UNIQUE REFERENCES tickets (id),
	amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
	status     TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
	attempts   INTEGER NOT NULL DEFAULT 1,
	proof      TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX refunds_status ON refunds (status, id);

CREATE TABLE notes (
	id          INTEGER PRIMARY KEY,
	ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
	author_id   INTEGER NOT NULL REFERENCES users (id),
	author_name TEXT NOT NULL,
	body        TEXT NOT NULL,
	created_at  INTEGER NOT NULL
);
CREATE INDEX notes_ticket ON notes (ticket_id, id);

-- Photo evidence; the image itself is a content-addressed file beside the database.
CREATE TABLE evidence (
	id          INTEGER PRIMARY KEY,
	ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
	party       TEXT NOT NULL CHECK (party IN ('buyer', 'merchant')),
	sha256      TEXT NOT NULL,
	width       INTEGER NOT NULL,
	height      INTEGER NOT NULL,
	bytes       INTEGER NOT NULL,
	label       TEXT NOT NULL DEFAULT '',
	uploaded_by TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	UNIQUE (ticket_id, sha256)
);
CREATE INDEX evidence_sha256 ON evidence (sha256);

-- The intake API, webhooks and the scheduler's notices.

-- The API's ticket list, newest first. created_at never changes, so this
-- index costs only at insert.
CREATE INDEX tickets_created ON tickets (created_at);

-- Intake API keys: only the sha256 of a key is kept (keys are 160 random
-- bits, so a fast hash is enough); the prefix names it in lists.
CREATE TABLE api_keys (
	id           INTEGER PRIMARY KEY,
	name         TEXT NOT NULL,
	prefix       TEXT NOT NULL,
	hash         TEXT NOT NULL UNIQUE,
	created_at   INTEGER NOT NULL,
	last_used_at INTEGER,
	revoked_at   INTEGER
);

-- The first answer to each Idempotency-Key of a key, replayed to a retry of
-- the same request. Kept at least 24 h, then purged by the scheduler.
CREATE TABLE idempotency_keys (
	api_key_id   INTEGER NOT NULL REFERENCES api_keys (id),
	key          TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	status       INTEGER NOT NULL,
	body         BLOB NOT NULL,
	created_at   INTEGER NOT NULL,
	PRIMARY KEY (api_key_id, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

CREATE TABLE webhooks (
	id          INTEGER PRIMARY KEY,
	url         TEXT NOT NULL,
	secret      TEXT NOT NULL,
	events      TEXT NOT NULL, -- space-separated event names
	merchant_id INTEGER REFERENCES merchants (id), -- NULL: every merchant
	active      INTEGER NOT NULL DEFAULT 1,
	created_at  INTEGER NOT NULL
);

-- The outbox: one row per event and endpoint, written in the transaction of
-- the change it tells of, with its body fixed then. next_at is when it is
-- next tried; NULL once delivered or given up.
CREATE TABLE webhook_deliveries (
	id           INTEGER PRIMARY KEY,
	webhook_id   INTEGER NOT NULL REFERENCES webhooks (id),
	event_id     TEXT NOT NULL,
	event        TEXT NOT NULL,
	ticket_id    INTEGER REFERENCES tickets (id),
	body         BLOB NOT NULL,
	status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
	attempts     INTEGER NOT NULL DEFAULT 0,
	next_at      INTEGER,
	created_at   INTEGER NOT NULL,
	delivered_at INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_at, id) WHERE next_at IS NOT NULL;
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);

CREATE TABLE webhook_attempts (
	id          INTEGER PRIMARY KEY,
	delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries (id),
	at          INTEGER NOT NULL,
	status      INTEGER NOT NULL DEFAULT 0, -- the HTTP status; 0 when none came back
	error       TEXT NOT NULL DEFAULT '',
	took_ms     INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

-- ticket.deadline_soon is sent once per ticket and version (state entered).
CREATE TABLE deadline_notices (
	ticket_id INTEGER NOT NULL REFERENCES tickets (id),
	version   INTEGER NOT NULL,
	sent_at   INTEGER NOT NULL,
	PRIMARY KEY (ticket_id, version)
) WITHOUT ROWID;

-- Agents on and off duty, auto-assignment, and the alert centre.

-- Who takes new tickets, and when each was last given one automatically
-- (round robin between agents with as many open tickets).
ALTER TABLE users ADD COLUMN on_duty INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_auto_assigned_at INTEGER;

-- Admin settings that are not a merchant's: one row per setting.
CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

-- A merchant's agent group: when it has one, its tickets are auto-assigned
-- within it only.
CREATE TABLE agent_groups (
	merchant_id INTEGER NOT NULL REFERENCES merchants (id),
	user_id     INTEGER NOT NULL REFERENCES users (id),
	PRIMARY KEY (merchant_id, user_id)
) WITHOUT ROWID;

-- A user's alerts. The bell counts the unread ones (alerts_unread); opening a
-- ticket reads the user's alerts on it (the same index); the alert page lists
-- the newest first (alerts_user).
CREATE TABLE alerts (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
	kind       TEXT NOT NULL,
	detail     TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	read_at    INTEGER
);
CREATE INDEX alerts_user ON alerts (user_id, id);
CREATE INDEX alerts_unread ON alerts (user_id, ticket_id) WHERE read_at IS NULL;

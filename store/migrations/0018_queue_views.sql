-- The queue sorted by amount (largest first) or by creation (newest
-- first), as it is by deadline: each order walks an index of open tickets.
CREATE INDEX tickets_queue_amount ON tickets (requested_fen, id) WHERE due_at IS NOT NULL;
CREATE INDEX tickets_queue_created ON tickets (created_at, id) WHERE due_at IS NOT NULL;

-- An agent's saved views of the queue: a name and the queue URL's query.
CREATE TABLE saved_views (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	name       TEXT NOT NULL,
	query      TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	UNIQUE (user_id, name)
);

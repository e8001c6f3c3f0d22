-- Logins are kept here, not only in the browser's cookie: logging out ends
-- the session on the server, so a copy of the cookie taken before opens
-- nothing afterwards, also across a restart. The cookie holds a random
-- token; the table holds its SHA-256.
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	version    INTEGER NOT NULL, -- the user's session_version at login
	created_at INTEGER NOT NULL,
	seen_at    INTEGER NOT NULL,
	expires_at INTEGER NOT NULL  -- created_at + the longest a session lasts
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- The backups taken of this database (`anxin backup`, serve's schedule, the
-- one before a migration) and how each ended: what the admin page shows.
-- The backups themselves are directories elsewhere; a row only tells of one.
CREATE TABLE backups (
	id          INTEGER PRIMARY KEY,
	kind        TEXT NOT NULL CHECK (kind IN ('manual', 'scheduled', 'pre_migrate')),
	started_at  INTEGER NOT NULL,
	finished_at INTEGER NOT NULL,
	path        TEXT NOT NULL DEFAULT '', -- the directory written; '' when it failed
	bytes       INTEGER NOT NULL DEFAULT 0,
	tickets     INTEGER NOT NULL DEFAULT 0,
	photos      INTEGER NOT NULL DEFAULT 0,
	error       TEXT NOT NULL DEFAULT ''  -- '' when it succeeded
);
CREATE INDEX backups_kind ON backups (kind, id);

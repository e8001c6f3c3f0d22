-- Canned replies: the team's (merchant_id NULL, kept by the admins) and each
-- merchant's own.
CREATE TABLE macros (
	id          INTEGER PRIMARY KEY,
	merchant_id INTEGER REFERENCES merchants (id),
	title       TEXT NOT NULL,
	title_en    TEXT NOT NULL DEFAULT '',
	body        TEXT NOT NULL,
	action      TEXT NOT NULL DEFAULT '',
	reason      TEXT NOT NULL DEFAULT '',
	updated_by  INTEGER REFERENCES users (id),
	updated_at  INTEGER NOT NULL
);
CREATE INDEX macros_merchant ON macros (merchant_id, title);

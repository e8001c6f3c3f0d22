-- Photos as evidence. Each row's sha256 names the display-size JPEG made at
-- upload; the thumbnail is a file of its own. The facts come from the
-- original before its metadata was removed (the original is not kept).

ALTER TABLE evidence ADD COLUMN thumb_sha256  TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence ADD COLUMN thumb_width   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE evidence ADD COLUMN thumb_height  INTEGER NOT NULL DEFAULT 0;
ALTER TABLE evidence ADD COLUMN uploader_role TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence ADD COLUMN format        TEXT NOT NULL DEFAULT ''; -- of the original: jpeg, png, webp
ALTER TABLE evidence ADD COLUMN orig_width    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE evidence ADD COLUMN orig_height   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE evidence ADD COLUMN orig_bytes    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE evidence ADD COLUMN taken_at      INTEGER;                  -- EXIF capture time; NULL when unknown
ALTER TABLE evidence ADD COLUMN camera        TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence ADD COLUMN had_gps       INTEGER NOT NULL DEFAULT 0;
-- The 64-bit perceptual hash (stored as a signed integer) and its four
-- 16-bit quarters, high first. Two hashes within 7 bits of each other agree
-- to within one bit on at least one quarter, so a near-duplicate lookup
-- probes each quarter's index with 17 values instead of scanning every photo.
ALTER TABLE evidence ADD COLUMN phash         INTEGER;
ALTER TABLE evidence ADD COLUMN ph0           INTEGER;
ALTER TABLE evidence ADD COLUMN ph1           INTEGER;
ALTER TABLE evidence ADD COLUMN ph2           INTEGER;
ALTER TABLE evidence ADD COLUMN ph3           INTEGER;

-- Photos stored before this migration have one size: serve it as both.
UPDATE evidence SET thumb_sha256 = sha256, thumb_width = width, thumb_height = height;

-- Each index carries the hash and the ticket, so candidates are checked
-- without reading the rows.
CREATE INDEX evidence_ph0 ON evidence (ph0, phash, ticket_id) WHERE phash IS NOT NULL;
CREATE INDEX evidence_ph1 ON evidence (ph1, phash, ticket_id) WHERE phash IS NOT NULL;
CREATE INDEX evidence_ph2 ON evidence (ph2, phash, ticket_id) WHERE phash IS NOT NULL;
CREATE INDEX evidence_ph3 ON evidence (ph3, phash, ticket_id) WHERE phash IS NOT NULL;

-- The same picture on two tickets, recorded both ways when the second is
-- uploaded, so that each ticket lists its links with one indexed read.
CREATE TABLE evidence_duplicates (
	evidence_id INTEGER NOT NULL REFERENCES evidence (id),
	other_id    INTEGER NOT NULL REFERENCES evidence (id),
	exact       INTEGER NOT NULL,          -- the same image, not only a similar one
	distance    INTEGER NOT NULL,          -- between the perceptual hashes
	PRIMARY KEY (evidence_id, other_id)
) WITHOUT ROWID;

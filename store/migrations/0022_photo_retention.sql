-- Evidence photos are deleted from tickets that ended long enough ago
-- (anxin.Ticket.PhotosErasable); each photo's row and facts stay, marked.
ALTER TABLE tickets ADD COLUMN photos_erased_at INTEGER;
CREATE INDEX tickets_photos_kept ON tickets (state_since)
	WHERE photos_erased_at IS NULL AND state IN ('refunded', 'closed');
ALTER TABLE evidence ADD COLUMN erased_at INTEGER;
-- Whether a file is still shown by a photo that is kept is asked by either
-- of its names.
CREATE INDEX evidence_thumb_sha256 ON evidence (thumb_sha256);
-- Files of deleted photos, written in the deletion's transaction and
-- removed from disk after it (unless a kept photo shows the same picture):
-- a crash in between leaves the list, and the next run finishes it.
CREATE TABLE photo_files_unlinked (
	sha256 TEXT PRIMARY KEY
) WITHOUT ROWID;

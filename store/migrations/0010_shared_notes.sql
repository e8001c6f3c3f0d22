-- A note is internal to the staff, or a comment the merchant shares. Notes
-- written before were all called internal, and merchants read them anyway:
-- the staff's stay internal (merchants no longer see them); a merchant's
-- own were written to the staff, and are comments.
ALTER TABLE notes ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;
UPDATE notes SET shared = 1 WHERE author_id IN (SELECT id FROM users WHERE role = 'merchant');

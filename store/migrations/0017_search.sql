-- Full-text search over tickets and the conversation. Chinese is matched by
-- substring: each run of letters is indexed as its overlapping pairs (bi, in
-- order, so a phrase of pairs is a substring) and as single characters
-- (uni, for one-character terms); words of Latin letters and digits (order
-- numbers, phones and their last four digits) are whole tokens in uni, and
-- so is the ticket's merchant (m<id>), which scopes a merchant's search
-- inside the index. The tables hold no text of their own (content='').
CREATE VIRTUAL TABLE ticket_search USING fts5(bi, uni, content = '', contentless_delete = 1,
	tokenize = 'unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE message_search USING fts5(bi, uni, content = '', contentless_delete = 1,
	tokenize = 'unicode61 remove_diacritics 0');

-- Tickets made before the index are indexed after the migration, newest
-- first, down from backfill_below (exclusive) to 0.
CREATE TABLE search_backfill (
	tickets_below  INTEGER NOT NULL,
	messages_below INTEGER NOT NULL
);
INSERT INTO search_backfill SELECT coalesce(max(id), 0) + 1, (SELECT coalesce(max(id), 0) + 1 FROM messages) FROM tickets;

-- Full-text search over tickets and the conversation. Chinese is matched by
-- substring: each run of letters is indexed as its overlapping pairs, in
-- order, so that a phrase of pairs is a substring, and its last character
-- alone, so that a one-character term is a prefix of some token; words of
-- Latin letters and digits (order numbers, phones and their first three
-- and last four digits) are whole tokens, and so is the ticket's merchant
-- (m<id>), which scopes a merchant's search inside the index. The tables
-- hold no text of their own (content='') and no sizes (no ranking).
CREATE VIRTUAL TABLE ticket_search USING fts5(terms, content = '', columnsize = 0,
	tokenize = 'unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE message_search USING fts5(terms, content = '', columnsize = 0,
	tokenize = 'unicode61 remove_diacritics 0');

-- Tickets and messages made before the index are indexed after the
-- migration, newest first, down from *_below (exclusive).
CREATE TABLE search_backfill (
	tickets_below  INTEGER NOT NULL,
	messages_below INTEGER NOT NULL
);
INSERT INTO search_backfill SELECT coalesce(max(id), 0) + 1, (SELECT coalesce(max(id), 0) + 1 FROM messages) FROM tickets;

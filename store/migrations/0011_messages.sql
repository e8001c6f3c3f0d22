-- The conversation with the buyer: the buyer's messages (relayed by the
-- platform through the API) and the replies sent back through webhooks.
CREATE TABLE messages (
	id          INTEGER PRIMARY KEY,
	ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
	sender      TEXT NOT NULL CHECK (sender IN ('buyer', 'merchant', 'agent', 'system')),
	author_id   INTEGER REFERENCES users (id),
	author_name TEXT NOT NULL,
	body        TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	-- A buyer's message: the first message a person sent after it.
	reply_id    INTEGER REFERENCES messages (id),
	replied_at  INTEGER
);
CREATE INDEX messages_ticket ON messages (ticket_id, id);
-- The buyer's messages still waiting for a person's reply.
CREATE INDEX messages_unanswered ON messages (ticket_id, id) WHERE sender = 'buyer' AND reply_id IS NULL;
-- Replies by time, for the service-norm figures.
CREATE INDEX messages_replied ON messages (replied_at) WHERE replied_at IS NOT NULL;

-- The photos a buyer's message shows: evidence of its own ticket.
CREATE TABLE message_photos (
	message_id  INTEGER NOT NULL REFERENCES messages (id),
	evidence_id INTEGER NOT NULL REFERENCES evidence (id),
	PRIMARY KEY (message_id, evidence_id)
) WITHOUT ROWID;

-- The buyer's latest message, and since when the oldest one waits for a
-- reply: what the queue's unread marks and reply timers read.
ALTER TABLE tickets ADD COLUMN buyer_message_id INTEGER;
ALTER TABLE tickets ADD COLUMN awaiting_reply_since INTEGER;

-- How far each user has read each ticket's conversation.
CREATE TABLE message_reads (
	user_id    INTEGER NOT NULL REFERENCES users (id),
	ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
	message_id INTEGER NOT NULL,
	PRIMARY KEY (user_id, ticket_id)
) WITHOUT ROWID;

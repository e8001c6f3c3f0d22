-- The buyer's messages by the time they were asked, for the service-norm
-- figures of a period (the 3-minute reply rate and the mean response time).
CREATE INDEX messages_asked ON messages (created_at) WHERE sender = 'buyer';

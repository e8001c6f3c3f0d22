-- An idempotent API request now keeps the answer of its use case (the
-- ticket as it was, or the refusal's code and message) instead of an HTTP
-- body: the web layer renders it each time it is given. Records kept from
-- before (at most a day old) keep their status and body and are replayed
-- as they are.
ALTER TABLE idempotency_keys ADD COLUMN answer BLOB;

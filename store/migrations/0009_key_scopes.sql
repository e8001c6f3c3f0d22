-- Every intake API key acts for one merchant or for every merchant. Keys
-- made before had no scope and could act for every merchant: they stay
-- so (merchant_id NULL), marked unscoped for the admin page to say.
ALTER TABLE api_keys ADD COLUMN merchant_id INTEGER REFERENCES merchants (id);
ALTER TABLE api_keys ADD COLUMN unscoped INTEGER NOT NULL DEFAULT 0;
UPDATE api_keys SET unscoped = 1;

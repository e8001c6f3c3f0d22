-- Settlement kinds: a ticket settles by refund (every ticket so far), by
-- exchange (换货: the goods come back, a replacement ships) or by reship
-- (补发: the goods ship again, no return). The merchant's parcel is a
-- shipments row (direction 'outbound', kind 'replacement' or 'reship').
ALTER TABLE tickets ADD COLUMN settlement TEXT NOT NULL DEFAULT 'refund'
	CHECK (settlement IN ('refund', 'exchange', 'reship'));

-- A merchant's own time to ship a replacement or reship (NULL: the
-- service's default, 48 h).
ALTER TABLE merchant_policies ADD COLUMN ship_clock_ms INTEGER;

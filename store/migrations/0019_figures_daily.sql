-- Daily figures kept as they happen: the reports over months read a row per
-- merchant, service and day instead of every ticket and event (a 90-day
-- report of 50 merchants at 1M tickets read every one of them).
-- Triggers keep them in the same transaction as the write that makes them;
-- the *_facts views say once what each row contributes, for the triggers and
-- for the rebuild the store runs when the tables are new or the display zone
-- changed (days are the zone's calendar days).

CREATE TABLE figures_zone (
	id       INTEGER PRIMARY KEY CHECK (id = 1),
	modifier TEXT NOT NULL,    -- date()'s modifier for the zone's offset, e.g. '+28800 seconds'
	built    INTEGER NOT NULL  -- 0 until the store has filled the tables for this modifier
);
INSERT INTO figures_zone VALUES (1, '+28800 seconds', 0);

CREATE TABLE figures_daily (
	day               TEXT NOT NULL, -- YYYY-MM-DD in the zone
	merchant_id       INTEGER NOT NULL,
	service           TEXT NOT NULL,
	refunded          INTEGER NOT NULL DEFAULT 0, -- refunds paid that day
	refund_fen        INTEGER NOT NULL DEFAULT 0,
	arbitrations_open INTEGER NOT NULL DEFAULT 0,
	arbitrations_lost INTEGER NOT NULL DEFAULT 0,
	arbitrations_won  INTEGER NOT NULL DEFAULT 0,
	decided           INTEGER NOT NULL DEFAULT 0, -- merchant clocks ended by a decision or a timeout
	missed            INTEGER NOT NULL DEFAULT 0, -- ... by a timeout
	-- tickets created that day by how long they waited for a first
	-- decision: the buckets of anxin.FirstActionBounds
	fa0 INTEGER NOT NULL DEFAULT 0,
	fa1 INTEGER NOT NULL DEFAULT 0,
	fa2 INTEGER NOT NULL DEFAULT 0,
	fa3 INTEGER NOT NULL DEFAULT 0,
	fa4 INTEGER NOT NULL DEFAULT 0,
	fa5 INTEGER NOT NULL DEFAULT 0,
	fa6 INTEGER NOT NULL DEFAULT 0,
	fa7 INTEGER NOT NULL DEFAULT 0,
	fa8 INTEGER NOT NULL DEFAULT 0,
	fa9 INTEGER NOT NULL DEFAULT 0,
	fa10 INTEGER NOT NULL DEFAULT 0,
	fa11 INTEGER NOT NULL DEFAULT 0,
	fa12 INTEGER NOT NULL DEFAULT 0,
	fa13 INTEGER NOT NULL DEFAULT 0,
	fa14 INTEGER NOT NULL DEFAULT 0,
	fa15 INTEGER NOT NULL DEFAULT 0,
	fa16 INTEGER NOT NULL DEFAULT 0,
	fa17 INTEGER NOT NULL DEFAULT 0,
	fa18 INTEGER NOT NULL DEFAULT 0,
	fa19 INTEGER NOT NULL DEFAULT 0,
	fa20 INTEGER NOT NULL DEFAULT 0,
	fa21 INTEGER NOT NULL DEFAULT 0,
	fa22 INTEGER NOT NULL DEFAULT 0,
	-- ... and the sum of their times in each bucket, in milliseconds
	fs0 INTEGER NOT NULL DEFAULT 0,
	fs1 INTEGER NOT NULL DEFAULT 0,
	fs2 INTEGER NOT NULL DEFAULT 0,
	fs3 INTEGER NOT NULL DEFAULT 0,
	fs4 INTEGER NOT NULL DEFAULT 0,
	fs5 INTEGER NOT NULL DEFAULT 0,
	fs6 INTEGER NOT NULL DEFAULT 0,
	fs7 INTEGER NOT NULL DEFAULT 0,
	fs8 INTEGER NOT NULL DEFAULT 0,
	fs9 INTEGER NOT NULL DEFAULT 0,
	fs10 INTEGER NOT NULL DEFAULT 0,
	fs11 INTEGER NOT NULL DEFAULT 0,
	fs12 INTEGER NOT NULL DEFAULT 0,
	fs13 INTEGER NOT NULL DEFAULT 0,
	fs14 INTEGER NOT NULL DEFAULT 0,
	fs15 INTEGER NOT NULL DEFAULT 0,
	fs16 INTEGER NOT NULL DEFAULT 0,
	fs17 INTEGER NOT NULL DEFAULT 0,
	fs18 INTEGER NOT NULL DEFAULT 0,
	fs19 INTEGER NOT NULL DEFAULT 0,
	fs20 INTEGER NOT NULL DEFAULT 0,
	fs21 INTEGER NOT NULL DEFAULT 0,
	fs22 INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (merchant_id, day, service)
) WITHOUT ROWID;

-- Per person and day: the decisions they made (anxin.DecisionActions by
-- agents, admins and merchant staff), and the merchant clocks of the tickets
-- assigned to them that ended (decided or run out) and ran out. Once by
-- merchant and service for a merchant's report, and once across merchants.
CREATE TABLE figures_people (
	merchant_id   INTEGER NOT NULL,
	day           TEXT NOT NULL,
	person_id     INTEGER NOT NULL,
	service       TEXT NOT NULL,
	role          TEXT NOT NULL,
	name          TEXT NOT NULL,
	decisions     INTEGER NOT NULL,
	clocks_ended  INTEGER NOT NULL,
	clocks_missed INTEGER NOT NULL,
	PRIMARY KEY (merchant_id, day, person_id, service)
) WITHOUT ROWID;

CREATE TABLE figures_people_all (
	day           TEXT NOT NULL,
	person_id     INTEGER NOT NULL,
	service       TEXT NOT NULL,
	role          TEXT NOT NULL,
	name          TEXT NOT NULL,
	decisions     INTEGER NOT NULL,
	clocks_ended  INTEGER NOT NULL,
	clocks_missed INTEGER NOT NULL,
	PRIMARY KEY (day, person_id, service)
) WITHOUT ROWID;

CREATE VIEW figures_refund_facts AS
SELECT r.id, date(r.updated_at / 1000, 'unixepoch', (SELECT modifier FROM figures_zone)) AS day,
	t.merchant_id, t.service, r.amount_fen
FROM refunds r JOIN tickets t ON t.id = r.ticket_id
WHERE r.status = 'succeeded';

CREATE VIEW figures_event_facts AS
SELECT e.id, date(e.at / 1000, 'unixepoch', (SELECT modifier FROM figures_zone)) AS day, t.merchant_id, t.service,
	e.to_state IS 'arbitration' AS arbitrations_open,
	e.action = 'rule_buyer' AS arbitrations_lost,
	e.action = 'rule_merchant' AS arbitrations_won,
	e.from_state IS 'pending_merchant' AS decided,
	e.from_state IS 'pending_merchant' AND e.action = 'timeout' AS missed
FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
WHERE e.action IN ('appeal', 'escalate', 'timeout', 'rule_buyer', 'rule_merchant', 'approve', 'refund', 'reject', 'request_evidence', 'offer');

-- A person's decision, and the end of a merchant clock on a ticket
-- assigned to someone, each as a row of figures_people.
CREATE VIEW figures_people_facts AS
SELECT e.id, t.merchant_id, date(e.at / 1000, 'unixepoch', (SELECT modifier FROM figures_zone)) AS day,
	e.actor_id AS person_id, t.service, e.actor_role AS role, e.actor_name AS name,
	1 AS decisions, 0 AS clocks_ended, 0 AS clocks_missed
FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
WHERE e.action IN ('approve', 'refund', 'reject', 'request_evidence', 'escalate', 'offer', 'rule_buyer',
		'rule_merchant', 'manual_refund')
	AND e.actor_id IS NOT NULL AND e.actor_role IN ('agent', 'admin', 'merchant')
UNION ALL
SELECT e.id, t.merchant_id, date(e.at / 1000, 'unixepoch', (SELECT modifier FROM figures_zone)),
	u.id, t.service, u.role, u.name, 0, 1, e.action = 'timeout'
FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id JOIN users u ON u.id = t.assignee_id
WHERE e.from_state = 'pending_merchant' AND e.action IN ('approve', 'refund', 'reject', 'request_evidence',
		'escalate', 'offer', 'rule_buyer', 'rule_merchant', 'manual_refund', 'timeout');

CREATE VIEW figures_first_action_facts AS
SELECT id, date(created_at / 1000, 'unixepoch', (SELECT modifier FROM figures_zone)) AS day, merchant_id, service,
	CASE
		WHEN d < 60000 THEN 0
		WHEN d < 120000 THEN 1
		WHEN d < 180000 THEN 2
		WHEN d < 300000 THEN 3
		WHEN d < 600000 THEN 4
		WHEN d < 900000 THEN 5
		WHEN d < 1200000 THEN 6
		WHEN d < 1800000 THEN 7
		WHEN d < 2700000 THEN 8
		WHEN d < 3600000 THEN 9
		WHEN d < 5400000 THEN 10
		WHEN d < 7200000 THEN 11
		WHEN d < 10800000 THEN 12
		WHEN d < 14400000 THEN 13
		WHEN d < 21600000 THEN 14
		WHEN d < 28800000 THEN 15
		WHEN d < 43200000 THEN 16
		WHEN d < 64800000 THEN 17
		WHEN d < 86400000 THEN 18
		WHEN d < 129600000 THEN 19
		WHEN d < 172800000 THEN 20
		WHEN d < 259200000 THEN 21
		ELSE 22 END AS bucket, d
FROM (SELECT id, created_at, merchant_id, service, first_action_at - created_at AS d
	FROM tickets WHERE first_action_at IS NOT NULL);

CREATE TRIGGER figures_refund_paid AFTER INSERT ON refunds WHEN NEW.status = 'succeeded'
BEGIN
	INSERT INTO figures_daily (day, merchant_id, service, refunded, refund_fen)
	SELECT day, merchant_id, service, 1, amount_fen FROM figures_refund_facts WHERE id = NEW.id
	ON CONFLICT DO UPDATE SET refunded = refunded + excluded.refunded, refund_fen = refund_fen + excluded.refund_fen;
END;

CREATE TRIGGER figures_refund_changed AFTER UPDATE OF status, amount_fen, updated_at ON refunds
WHEN OLD.status = 'succeeded' OR NEW.status = 'succeeded'
BEGIN
	INSERT INTO figures_daily (day, merchant_id, service, refunded, refund_fen)
	SELECT date(OLD.updated_at / 1000, 'unixepoch', (SELECT modifier FROM figures_zone)), t.merchant_id, t.service,
		-1, -OLD.amount_fen
	FROM tickets t WHERE t.id = OLD.ticket_id AND OLD.status = 'succeeded'
	ON CONFLICT DO UPDATE SET refunded = refunded + excluded.refunded, refund_fen = refund_fen + excluded.refund_fen;
	INSERT INTO figures_daily (day, merchant_id, service, refunded, refund_fen)
	SELECT day, merchant_id, service, 1, amount_fen FROM figures_refund_facts WHERE id = NEW.id
	ON CONFLICT DO UPDATE SET refunded = refunded + excluded.refunded, refund_fen = refund_fen + excluded.refund_fen;
END;

CREATE TRIGGER figures_event AFTER INSERT ON ticket_events
BEGIN
	INSERT INTO figures_daily (day, merchant_id, service, arbitrations_open, arbitrations_lost, arbitrations_won,
		decided, missed)
	SELECT day, merchant_id, service, arbitrations_open, arbitrations_lost, arbitrations_won, decided, missed
	FROM figures_event_facts WHERE id = NEW.id
	ON CONFLICT DO UPDATE SET arbitrations_open = arbitrations_open + excluded.arbitrations_open,
		arbitrations_lost = arbitrations_lost + excluded.arbitrations_lost,
		arbitrations_won = arbitrations_won + excluded.arbitrations_won,
		decided = decided + excluded.decided, missed = missed + excluded.missed;
	INSERT INTO figures_people (merchant_id, day, person_id, service, role, name, decisions, clocks_ended,
		clocks_missed)
	SELECT merchant_id, day, person_id, service, role, name, decisions, clocks_ended, clocks_missed
	FROM figures_people_facts WHERE id = NEW.id
	ON CONFLICT DO UPDATE SET name = max(name, excluded.name), decisions = decisions + excluded.decisions,
		clocks_ended = clocks_ended + excluded.clocks_ended, clocks_missed = clocks_missed + excluded.clocks_missed;
	INSERT INTO figures_people_all (day, person_id, service, role, name, decisions, clocks_ended, clocks_missed)
	SELECT day, person_id, service, role, name, decisions, clocks_ended, clocks_missed
	FROM figures_people_facts WHERE id = NEW.id
	ON CONFLICT DO UPDATE SET name = max(name, excluded.name), decisions = decisions + excluded.decisions,
		clocks_ended = clocks_ended + excluded.clocks_ended, clocks_missed = clocks_missed + excluded.clocks_missed;
END;

CREATE TRIGGER figures_first_action_new AFTER INSERT ON tickets WHEN NEW.first_action_at IS NOT NULL
BEGIN
	INSERT INTO figures_daily (day, merchant_id, service, fa0, fa1, fa2, fa3, fa4, fa5, fa6, fa7, fa8, fa9, fa10, fa11, fa12, fa13, fa14, fa15, fa16, fa17, fa18, fa19, fa20, fa21, fa22,
		fs0, fs1, fs2, fs3, fs4, fs5, fs6, fs7, fs8, fs9, fs10, fs11, fs12, fs13, fs14, fs15, fs16, fs17, fs18, fs19, fs20, fs21, fs22)
	SELECT day, merchant_id, service, bucket = 0 AS fa0, bucket = 1 AS fa1, bucket = 2 AS fa2, bucket = 3 AS fa3, bucket = 4 AS fa4, bucket = 5 AS fa5, bucket = 6 AS fa6, bucket = 7 AS fa7, bucket = 8 AS fa8, bucket = 9 AS fa9, bucket = 10 AS fa10, bucket = 11 AS fa11, bucket = 12 AS fa12, bucket = 13 AS fa13, bucket = 14 AS fa14, bucket = 15 AS fa15, bucket = 16 AS fa16, bucket = 17 AS fa17, bucket = 18 AS fa18, bucket = 19 AS fa19, bucket = 20 AS fa20, bucket = 21 AS fa21, bucket = 22 AS fa22,
		(bucket = 0) * d AS fs0, (bucket = 1) * d AS fs1, (bucket = 2) * d AS fs2, (bucket = 3) * d AS fs3, (bucket = 4) * d AS fs4, (bucket = 5) * d AS fs5, (bucket = 6) * d AS fs6, (bucket = 7) * d AS fs7, (bucket = 8) * d AS fs8, (bucket = 9) * d AS fs9, (bucket = 10) * d AS fs10, (bucket = 11) * d AS fs11, (bucket = 12) * d AS fs12, (bucket = 13) * d AS fs13, (bucket = 14) * d AS fs14, (bucket = 15) * d AS fs15, (bucket = 16) * d AS fs16, (bucket = 17) * d AS fs17, (bucket = 18) * d AS fs18, (bucket = 19) * d AS fs19, (bucket = 20) * d AS fs20, (bucket = 21) * d AS fs21, (bucket = 22) * d AS fs22 FROM figures_first_action_facts WHERE id = NEW.id
	ON CONFLICT DO UPDATE SET fa0 = fa0 + excluded.fa0,
		fa1 = fa1 + excluded.fa1,
		fa2 = fa2 + excluded.fa2,
		fa3 = fa3 + excluded.fa3,
		fa4 = fa4 + excluded.fa4,
		fa5 = fa5 + excluded.fa5,
		fa6 = fa6 + excluded.fa6,
		fa7 = fa7 + excluded.fa7,
		fa8 = fa8 + excluded.fa8,
		fa9 = fa9 + excluded.fa9,
		fa10 = fa10 + excluded.fa10,
		fa11 = fa11 + excluded.fa11,
		fa12 = fa12 + excluded.fa12,
		fa13 = fa13 + excluded.fa13,
		fa14 = fa14 + excluded.fa14,
		fa15 = fa15 + excluded.fa15,
		fa16 = fa16 + excluded.fa16,
		fa17 = fa17 + excluded.fa17,
		fa18 = fa18 + excluded.fa18,
		fa19 = fa19 + excluded.fa19,
		fa20 = fa20 + excluded.fa20,
		fa21 = fa21 + excluded.fa21,
		fa22 = fa22 + excluded.fa22,
		fs0 = fs0 + excluded.fs0,
		fs1 = fs1 + excluded.fs1,
		fs2 = fs2 + excluded.fs2,
		fs3 = fs3 + excluded.fs3,
		fs4 = fs4 + excluded.fs4,
		fs5 = fs5 + excluded.fs5,
		fs6 = fs6 + excluded.fs6,
		fs7 = fs7 + excluded.fs7,
		fs8 = fs8 + excluded.fs8,
		fs9 = fs9 + excluded.fs9,
		fs10 = fs10 + excluded.fs10,
		fs11 = fs11 + excluded.fs11,
		fs12 = fs12 + excluded.fs12,
		fs13 = fs13 + excluded.fs13,
		fs14 = fs14 + excluded.fs14,
		fs15 = fs15 + excluded.fs15,
		fs16 = fs16 + excluded.fs16,
		fs17 = fs17 + excluded.fs17,
		fs18 = fs18 + excluded.fs18,
		fs19 = fs19 + excluded.fs19,
		fs20 = fs20 + excluded.fs20,
		fs21 = fs21 + excluded.fs21,
		fs22 = fs22 + excluded.fs22;
END;

CREATE TRIGGER figures_first_action AFTER UPDATE OF first_action_at ON tickets
WHEN OLD.first_action_at IS NULL AND NEW.first_action_at IS NOT NULL
BEGIN
	INSERT INTO figures_daily (day, merchant_id, service, fa0, fa1, fa2, fa3, fa4, fa5, fa6, fa7, fa8, fa9, fa10, fa11, fa12, fa13, fa14, fa15, fa16, fa17, fa18, fa19, fa20, fa21, fa22,
		fs0, fs1, fs2, fs3, fs4, fs5, fs6, fs7, fs8, fs9, fs10, fs11, fs12, fs13, fs14, fs15, fs16, fs17, fs18, fs19, fs20, fs21, fs22)
	SELECT day, merchant_id, service, bucket = 0 AS fa0, bucket = 1 AS fa1, bucket = 2 AS fa2, bucket = 3 AS fa3, bucket = 4 AS fa4, bucket = 5 AS fa5, bucket = 6 AS fa6, bucket = 7 AS fa7, bucket = 8 AS fa8, bucket = 9 AS fa9, bucket = 10 AS fa10, bucket = 11 AS fa11, bucket = 12 AS fa12, bucket = 13 AS fa13, bucket = 14 AS fa14, bucket = 15 AS fa15, bucket = 16 AS fa16, bucket = 17 AS fa17, bucket = 18 AS fa18, bucket = 19 AS fa19, bucket = 20 AS fa20, bucket = 21 AS fa21, bucket = 22 AS fa22,
		(bucket = 0) * d AS fs0, (bucket = 1) * d AS fs1, (bucket = 2) * d AS fs2, (bucket = 3) * d AS fs3, (bucket = 4) * d AS fs4, (bucket = 5) * d AS fs5, (bucket = 6) * d AS fs6, (bucket = 7) * d AS fs7, (bucket = 8) * d AS fs8, (bucket = 9) * d AS fs9, (bucket = 10) * d AS fs10, (bucket = 11) * d AS fs11, (bucket = 12) * d AS fs12, (bucket = 13) * d AS fs13, (bucket = 14) * d AS fs14, (bucket = 15) * d AS fs15, (bucket = 16) * d AS fs16, (bucket = 17) * d AS fs17, (bucket = 18) * d AS fs18, (bucket = 19) * d AS fs19, (bucket = 20) * d AS fs20, (bucket = 21) * d AS fs21, (bucket = 22) * d AS fs22 FROM figures_first_action_facts WHERE id = NEW.id
	ON CONFLICT DO UPDATE SET fa0 = fa0 + excluded.fa0,
		fa1 = fa1 + excluded.fa1,
		fa2 = fa2 + excluded.fa2,
		fa3 = fa3 + excluded.fa3,
		fa4 = fa4 + excluded.fa4,
		fa5 = fa5 + excluded.fa5,
		fa6 = fa6 + excluded.fa6,
		fa7 = fa7 + excluded.fa7,
		fa8 = fa8 + excluded.fa8,
		fa9 = fa9 + excluded.fa9,
		fa10 = fa10 + excluded.fa10,
		fa11 = fa11 + excluded.fa11,
		fa12 = fa12 + excluded.fa12,
		fa13 = fa13 + excluded.fa13,
		fa14 = fa14 + excluded.fa14,
		fa15 = fa15 + excluded.fa15,
		fa16 = fa16 + excluded.fa16,
		fa17 = fa17 + excluded.fa17,
		fa18 = fa18 + excluded.fa18,
		fa19 = fa19 + excluded.fa19,
		fa20 = fa20 + excluded.fa20,
		fa21 = fa21 + excluded.fa21,
		fa22 = fa22 + excluded.fa22,
		fs0 = fs0 + excluded.fs0,
		fs1 = fs1 + excluded.fs1,
		fs2 = fs2 + excluded.fs2,
		fs3 = fs3 + excluded.fs3,
		fs4 = fs4 + excluded.fs4,
		fs5 = fs5 + excluded.fs5,
		fs6 = fs6 + excluded.fs6,
		fs7 = fs7 + excluded.fs7,
		fs8 = fs8 + excluded.fs8,
		fs9 = fs9 + excluded.fs9,
		fs10 = fs10 + excluded.fs10,
		fs11 = fs11 + excluded.fs11,
		fs12 = fs12 + excluded.fs12,
		fs13 = fs13 + excluded.fs13,
		fs14 = fs14 + excluded.fs14,
		fs15 = fs15 + excluded.fs15,
		fs16 = fs16 + excluded.fs16,
		fs17 = fs17 + excluded.fs17,
		fs18 = fs18 + excluded.fs18,
		fs19 = fs19 + excluded.fs19,
		fs20 = fs20 + excluded.fs20,
		fs21 = fs21 + excluded.fs21,
		fs22 = fs22 + excluded.fs22;
END;

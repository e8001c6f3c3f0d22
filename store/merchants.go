package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// CreateMerchant stores a new merchant and returns it with its id.
func (s *Store) CreateMerchant(ctx context.Context, m anxin.Merchant) (anxin.Merchant, error) {
	return s.CreateMerchantBy(ctx, anxin.Actor{}, m)
}

// CreateMerchantBy is an admin's creation of a merchant, recorded in the audit
// log (a zero actor records nothing: seeding and the command line).
func (s *Store) CreateMerchantBy(ctx context.Context, by anxin.Actor, m anxin.Merchant) (anxin.Merchant, error) {
	if err := m.Validate(); err != nil {
		return m, err
	}
	err := s.write(ctx, func(ctx context.Context, tx *wtx) error {
		m.CreatedAt = tx.now
		id, err := tx.insertID(ctx, `INSERT INTO merchants (code, name, instant_refund_enabled,
			instant_refund_unshipped, instant_refund_max_fen, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			m.Code, m.Name, m.InstantRefund.Enabled, m.InstantRefund.Unshipped, m.InstantRefund.MaxFen, ms(m.CreatedAt))
		if isUnique(err) {
			return anxin.Fail(anxin.MsgMerchantCodeTaken, m.Code)
		}
		if err != nil {
			return fmt.Errorf("create merchant: %w", err)
		}
		m.ID = id
		if by.UserID == 0 {
			return nil
		}
		return audit(ctx, tx, by, m.CreatedAt, "create_merchant", "merchant "+m.Code, m.Name)
	})
	return m, err
}

// UpdateMerchant is an admin's change of a merchant's name and instant-refund
// settings (the code is its stable identity and does not change).
func (s *Store) UpdateMerchant(ctx context.Context, by anxin.Actor, m anxin.Merchant) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		tx.wake |= staleSessions // merchant users' sessions show the name
		res, err := tx.ExecContext(ctx, `UPDATE merchants SET name = ?, instant_refund_enabled = ?,
			instant_refund_unshipped = ?, instant_refund_max_fen = ? WHERE id = ?`,
			m.Name, m.InstantRefund.Enabled, m.InstantRefund.Unshipped, m.InstantRefund.MaxFen, m.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return anxin.Fail(anxin.MsgMerchantNotFound)
		}
		return audit(ctx, tx, by, tx.now, "update_merchant", "merchant "+m.Code,
			fmt.Sprintf("%s; instant refund %v (unshipped %v, up to %d fen)", m.Name, m.InstantRefund.Enabled,
				m.InstantRefund.Unshipped, m.InstantRefund.MaxFen))
	})
}

// MerchantByID finds a merchant the scope may see.
func (s *Store) MerchantByID(ctx context.Context, scope anxin.Scope, id int64) (anxin.Merchant, error) {
	m, err := scanMerchant(s.read().QueryRowContext(ctx, `SELECT `+merchantColumns+` FROM merchants
		WHERE id = ?1 AND (?2 = 0 OR id = ?2)`, id, scope.MerchantID))
	if errors.Is(err, sql.ErrNoRows) {
		return m, anxin.Fail(anxin.MsgMerchantNotFound)
	}
	return m, err
}

const merchantColumns = `id, code, name, instant_refund_enabled, instant_refund_unshipped, instant_refund_max_fen, created_at`

func scanMerchant(row interface{ Scan(...any) error }) (anxin.Merchant, error) {
	var m anxin.Merchant
	var created sql.NullInt64
	err := row.Scan(&m.ID, &m.Code, &m.Name, &m.InstantRefund.Enabled, &m.InstantRefund.Unshipped,
		&m.InstantRefund.MaxFen, &created)
	m.CreatedAt = fromMS(created)
	return m, err
}

// MerchantByCode finds a merchant by its code.
func (s *Store) MerchantByCode(ctx context.Context, code string) (anxin.Merchant, error) {
	return merchantByCode(ctx, s.read(), code)
}

func merchantByCode(ctx context.Context, q queryer, code string) (anxin.Merchant, error) {
	m, err := scanMerchant(q.QueryRowContext(ctx, `SELECT `+merchantColumns+` FROM merchants WHERE code = ?`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return m, anxin.Fail(anxin.MsgUnknownMerchantKey, code)
	}
	return m, err
}

// Merchants lists the merchants the scope may see, by name.
func (s *Store) Merchants(ctx context.Context, scope anxin.Scope) ([]anxin.Merchant, error) {
	rows, err := s.read().QueryContext(ctx, `SELECT `+merchantColumns+` FROM merchants
		WHERE (?1 = 0 OR id = ?1) ORDER BY name`, scope.MerchantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []anxin.Merchant
	for rows.Next() {
		m, err := scanMerchant(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// SetPolicy stores a merchant's override of one service's defaults.
func (s *Store) SetPolicy(ctx context.Context, merchantID int64, o anxin.PolicyOverride) error {
	return s.SetPolicyBy(ctx, anxin.Actor{}, merchantID, o)
}

// SetPolicyBy is an admin's override, recorded in the audit log.
func (s *Store) SetPolicyBy(ctx context.Context, by anxin.Actor, merchantID int64, o anxin.PolicyOverride) error {
	if err := o.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		if err := setPolicy(ctx, tx, merchantID, o); err != nil {
			return err
		}
		if by.UserID == 0 {
			return nil
		}
		var code string
		if err := tx.QueryRowContext(ctx, `SELECT code FROM merchants WHERE id = ?`, merchantID).Scan(&code); err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		return audit(ctx, tx, by, tx.now, "set_policy", "merchant "+code, describeOverride(o))
	})
}

func setPolicy(ctx context.Context, tx *wtx, merchantID int64, o anxin.PolicyOverride) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO merchant_policies
		(merchant_id, service, enabled, window_ms, evidence_min, merchant_clock_ms, offer_clock_ms, max_offers, ship_clock_ms)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (merchant_id, service) DO UPDATE SET enabled = excluded.enabled, window_ms = excluded.window_ms,
		evidence_min = excluded.evidence_min, merchant_clock_ms = excluded.merchant_clock_ms,
		offer_clock_ms = excluded.offer_clock_ms, max_offers = excluded.max_offers, ship_clock_ms = excluded.ship_clock_ms`,
		merchantID, string(o.Service), o.Enabled, durMS(o.Window), o.EvidenceMin, durMS(o.MerchantClock),
		durMS(o.OfferClock), o.MaxOffers, durMS(o.ShipClock))
	if isForeignKey(err) {
		return anxin.Fail(anxin.MsgMerchantNotFound)
	}
	return err
}

func describeOverride(o anxin.PolicyOverride) string {
	parts := []string{string(o.Service)}
	if o.Enabled != nil {
		parts = append(parts, fmt.Sprintf("enabled=%v", *o.Enabled))
	}
	if o.Window != nil {
		parts = append(parts, "window="+o.Window.String())
	}
	if o.EvidenceMin != nil {
		parts = append(parts, fmt.Sprintf("evidence=%d", *o.EvidenceMin))
	}
	if o.MerchantClock != nil {
		parts = append(parts, "clock="+o.MerchantClock.String())
	}
	if o.OfferClock != nil {
		parts = append(parts, "offer_clock="+o.OfferClock.String())
	}
	if o.MaxOffers != nil {
		parts = append(parts, fmt.Sprintf("max_offers=%d", *o.MaxOffers))
	}
	if o.ShipClock != nil {
		parts = append(parts, "ship_clock="+o.ShipClock.String())
	}
	return strings.Join(parts, " ")
}

// Overrides returns a merchant's policy overrides by service.
func (s *Store) Overrides(ctx context.Context, merchantID int64) (map[anxin.ServiceKey]anxin.PolicyOverride, error) {
	out := map[anxin.ServiceKey]anxin.PolicyOverride{}
	for _, svc := range anxin.Services() {
		o, ok, err := overrideFor(ctx, s.read(), merchantID, svc.Key)
		if err != nil {
			return nil, err
		}
		if ok {
			out[svc.Key] = o
		}
	}
	return out, nil
}

func durMS(d *time.Duration) any {
	if d == nil {
		return nil
	}
	return d.Milliseconds()
}

// queryer is what both *sql.DB and *sql.Tx offer.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Policy is the service's policy as it applies to the merchant.
func (s *Store) Policy(ctx context.Context, merchantID int64, key anxin.ServiceKey) (anxin.Service, anxin.Policy, error) {
	svc, p, err := policyFor(ctx, s.read(), merchantID, key)
	p.Pickup.Zone = s.cfg.Zone // pickup slots are the display zone's hours
	return svc, p, err
}

func policyFor(ctx context.Context, q queryer, merchantID int64, key anxin.ServiceKey) (anxin.Service, anxin.Policy, error) {
	svc, err := anxin.LookupService(key)
	if err != nil {
		return svc, anxin.Policy{}, err
	}
	o, ok, err := overrideFor(ctx, q, merchantID, key)
	if err != nil || !ok {
		return svc, svc.PolicyFor(nil), err
	}
	return svc, svc.PolicyFor(&o), nil
}

func overrideFor(ctx context.Context, q queryer, merchantID int64, key anxin.ServiceKey) (anxin.PolicyOverride, bool, error) {
	var enabled, windowMS, evidenceMin, clockMS, offerClockMS, maxOffers, shipClockMS sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT enabled, window_ms, evidence_min, merchant_clock_ms, offer_clock_ms, max_offers,
		ship_clock_ms FROM merchant_policies WHERE merchant_id = ? AND service = ?`, merchantID, string(key)).
		Scan(&enabled, &windowMS, &evidenceMin, &clockMS, &offerClockMS, &maxOffers, &shipClockMS)
	if errors.Is(err, sql.ErrNoRows) {
		return anxin.PolicyOverride{}, false, nil
	}
	if err != nil {
		return anxin.PolicyOverride{}, false, fmt.Errorf("policy: %w", err)
	}
	o := anxin.PolicyOverride{Service: key}
	if enabled.Valid {
		b := enabled.Int64 != 0
		o.Enabled = &b
	}
	if windowMS.Valid {
		d := time.Duration(windowMS.Int64) * time.Millisecond
		o.Window = &d
	}
	if evidenceMin.Valid {
		n := int(evidenceMin.Int64)
		o.EvidenceMin = &n
	}
	if clockMS.Valid {
		d := time.Duration(clockMS.Int64) * time.Millisecond
		o.MerchantClock = &d
	}
	if offerClockMS.Valid {
		d := time.Duration(offerClockMS.Int64) * time.Millisecond
		o.OfferClock = &d
	}
	if maxOffers.Valid {
		n := int(maxOffers.Int64)
		o.MaxOffers = &n
	}
	if shipClockMS.Valid {
		d := time.Duration(shipClockMS.Int64) * time.Millisecond
		o.ShipClock = &d
	}
	return o, true, nil
}

// AddDailyOrders records a merchant's order count for a day (YYYY-MM-DD),
// replacing what was recorded for that day before.
func (s *Store) AddDailyOrders(ctx context.Context, merchantID int64, day string, orders int) error {
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		return setDailyOrders(ctx, tx, merchantID, DayOrders{Day: day, Orders: orders})
	})
}

func setDailyOrders(ctx context.Context, tx *wtx, merchantID int64, d DayOrders) error {
	if _, err := time.Parse(time.DateOnly, d.Day); err != nil {
		return anxin.Errorf(anxin.EINVALID, "%q is not a day (YYYY-MM-DD)", d.Day)
	}
	if d.Orders < 0 {
		return anxin.Errorf(anxin.EINVALID, "an order count cannot be negative")
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO merchant_daily_orders (merchant_id, day, orders) VALUES (?, ?, ?)
		ON CONFLICT (merchant_id, day) DO UPDATE SET orders = excluded.orders`, merchantID, d.Day, d.Orders)
	if err != nil {
		return fmt.Errorf("daily orders: %w", err)
	}
	return nil
}

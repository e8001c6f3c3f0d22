package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// Merchant auto-rules (自动化售后): the rules a merchant sets within the
// limits the admin sets, and their running in the transaction of the event
// that triggers them (a claim's intake, a return's delivery).

// RuleSettings is a merchant's rule set with the limits that bound it.
type RuleSettings struct {
	Merchant anxin.Merchant
	Rules    anxin.RuleSet
	Limits   anxin.RuleLimits
	// OwnLimits: the admin set this merchant's limits; false: the
	// platform's default applies.
	OwnLimits bool
}

// RuleSettings reads a merchant's rules and limits, for a merchant's own
// people or the staff.
func (s *Store) RuleSettings(ctx context.Context, scope anxin.Scope, merchantID int64) (RuleSettings, error) {
	var out RuleSettings
	m, err := scanMerchant(s.read().QueryRowContext(ctx, `SELECT `+merchantColumns+` FROM merchants
		WHERE id = ?1 AND (?2 = 0 OR id = ?2)`, merchantID, scope.MerchantID))
	if errors.Is(err, sql.ErrNoRows) {
		return out, anxin.Fail(anxin.MsgMerchantNotFound)
	}
	if err != nil {
		return out, err
	}
	out.Merchant = m
	if out.Rules, err = ruleSetIn(ctx, s.read(), m); err != nil {
		return out, err
	}
	out.Limits, out.OwnLimits, err = limitsIn(ctx, s.read(), m.ID)
	return out, err
}

func ruleSetIn(ctx context.Context, q queryer, m anxin.Merchant) (anxin.RuleSet, error) {
	rs := anxin.NewRuleSet(m.ID, m.InstantRefund)
	rows, err := q.QueryContext(ctx, `SELECT rule, enabled, max_fen, per_buyer, after_ms, services, reasons
		FROM merchant_rules WHERE merchant_id = ?`, m.ID)
	if err != nil {
		return rs, fmt.Errorf("rules: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r anxin.Rule
		var afterMS int64
		var services, reasons string
		if err := rows.Scan(&r.Key, &r.On, &r.MaxFen, &r.PerBuyer, &afterMS, &services, &reasons); err != nil {
			return rs, fmt.Errorf("rules: %w", err)
		}
		if !r.Key.Valid() {
			continue
		}
		r.After = time.Duration(afterMS) * time.Millisecond
		for _, k := range strings.Split(services, ",") {
			if k != "" {
				r.Services = append(r.Services, anxin.ServiceKey(k))
			}
		}
		for _, w := range strings.Split(reasons, "\n") {
			if w != "" {
				r.Reasons = append(r.Reasons, w)
			}
		}
		rs.Set(r)
	}
	return rs, rows.Err()
}

// limitsIn is the merchant's limits, or the platform's default (own false).
func limitsIn(ctx context.Context, q queryer, merchantID int64) (l anxin.RuleLimits, own bool, err error) {
	var id int64
	err = q.QueryRowContext(ctx, `SELECT merchant_id, unshipped_max_fen, returnless_max_fen, instant_max_fen, per_buyer_max
		FROM rule_limits WHERE merchant_id IN (?, 0) ORDER BY merchant_id DESC LIMIT 1`, merchantID).
		Scan(&id, &l.UnshippedMaxFen, &l.ReturnlessMaxFen, &l.InstantMaxFen, &l.PerBuyerMax)
	if errors.Is(err, sql.ErrNoRows) {
		return anxin.DefaultRuleLimits(), false, nil
	}
	if err != nil {
		return l, false, fmt.Errorf("rule limits: %w", err)
	}
	return l, id != 0, nil
}

// SetRules stores a merchant's rule set and 极速退款 thresholds, as one of
// its own people set them: refused whole, naming the field, when a value is
// above the admin's limit. Audited as set_rules.
func (s *Store) SetRules(ctx context.Context, by anxin.Actor, rs anxin.RuleSet) error {
	if by.Role != anxin.RoleMerchant || by.MerchantID != rs.MerchantID || rs.MerchantID == 0 {
		return anxin.Fail(anxin.MsgMerchantNotFound)
	}
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		m, err := scanMerchant(tx.QueryRowContext(ctx, `SELECT `+merchantColumns+` FROM merchants WHERE id = ?`, rs.MerchantID))
		if errors.Is(err, sql.ErrNoRows) {
			return anxin.Fail(anxin.MsgMerchantNotFound)
		}
		if err != nil {
			return err
		}
		l, _, err := limitsIn(ctx, tx, m.ID)
		if err != nil {
			return err
		}
		if err := rs.Validate(l); err != nil {
			return err
		}
		for _, r := range rs.Rules {
			if _, err := tx.ExecContext(ctx, `INSERT INTO merchant_rules (merchant_id, rule, enabled, max_fen, per_buyer,
				after_ms, services, reasons) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (merchant_id, rule) DO UPDATE SET enabled = excluded.enabled, max_fen = excluded.max_fen,
				per_buyer = excluded.per_buyer, after_ms = excluded.after_ms, services = excluded.services,
				reasons = excluded.reasons`, m.ID, string(r.Key), r.On, r.MaxFen, r.PerBuyer, r.After.Milliseconds(),
				joinKeys(r.Services), strings.Join(r.Reasons, "\n")); err != nil {
				return fmt.Errorf("rules: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE merchants SET instant_refund_enabled = ?, instant_refund_unshipped = ?,
			instant_refund_max_fen = ? WHERE id = ?`, rs.Instant.Enabled, rs.Instant.Unshipped, rs.Instant.MaxFen, m.ID); err != nil {
			return fmt.Errorf("rules: %w", err)
		}
		detail, err := json.Marshal(rs)
		if err != nil {
			return err
		}
		return audit(ctx, tx, by, tx.now, "set_rules", "merchant "+m.Code, string(detail))
	})
}

func joinKeys(ks []anxin.ServiceKey) string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return strings.Join(out, ",")
}

// DefaultRuleLimits is the platform's default limits, which apply to every
// merchant the admin set none for.
func (s *Store) DefaultRuleLimits(ctx context.Context) (anxin.RuleLimits, error) {
	l, _, err := limitsIn(ctx, s.read(), 0)
	return l, err
}

// SetRuleLimits is an admin's limits for one merchant's rules (merchant 0:
// the platform's default). Audited as
// set_rule_limits. Rules the merchant set above them stay as they are
// stored but act only within them (RuleSet.Bound).
func (s *Store) SetRuleLimits(ctx context.Context, by anxin.Actor, merchantID int64, l anxin.RuleLimits) error {
	if by.Role != anxin.RoleAdmin {
		return anxin.Fail(anxin.MsgRoleMayNot, by.Role, anxin.Action("set_rule_limits"))
	}
	if err := l.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		target := "settings rule_limits"
		if merchantID != 0 {
			var code string
			err := tx.QueryRowContext(ctx, `SELECT code FROM merchants WHERE id = ?`, merchantID).Scan(&code)
			if errors.Is(err, sql.ErrNoRows) {
				return anxin.Fail(anxin.MsgMerchantNotFound)
			}
			if err != nil {
				return err
			}
			target = "merchant " + code
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO rule_limits (merchant_id, unshipped_max_fen, returnless_max_fen,
			instant_max_fen, per_buyer_max) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (merchant_id) DO UPDATE SET unshipped_max_fen = excluded.unshipped_max_fen,
			returnless_max_fen = excluded.returnless_max_fen, instant_max_fen = excluded.instant_max_fen,
			per_buyer_max = excluded.per_buyer_max`, merchantID, l.UnshippedMaxFen, l.ReturnlessMaxFen,
			l.InstantMaxFen, l.PerBuyerMax); err != nil {
			return fmt.Errorf("rule limits: %w", err)
		}
		detail, err := json.Marshal(l)
		if err != nil {
			return err
		}
		return audit(ctx, tx, by, tx.now, "set_rule_limits", target, string(detail))
	})
}

// applyRules runs the merchant's rules on the ticket at the trigger, in the
// transaction of the event that triggered them: the first rule that
// applies takes its transition as the system, naming itself, and counts
// against the buyer's cap. A receipt left some hours of inspection moves
// the ticket's deadline instead, whose timeout takes it (and names the
// rule). Returns the ticket as it is now, and whether a rule acted.
func applyRules(ctx context.Context, tx *wtx, trig anxin.RuleTrigger, t anxin.Ticket) (anxin.Ticket, bool, error) {
	m, err := scanMerchant(tx.QueryRowContext(ctx, `SELECT `+merchantColumns+` FROM merchants WHERE id = ?`, t.MerchantID))
	if err != nil {
		return t, false, fmt.Errorf("rules: %w", err)
	}
	rs, err := ruleSetIn(ctx, tx, m)
	if err != nil || !rs.AnyOn(trig) {
		return t, false, err
	}
	l, _, err := limitsIn(ctx, tx, m.ID)
	if err != nil {
		return t, false, err
	}
	rs = rs.Bound(l)
	_, p, err := policyFor(ctx, tx, t.MerchantID, t.Service)
	if err != nil {
		return t, false, err
	}
	f, err := ruleFacts(ctx, tx, t)
	if err != nil {
		return t, false, err
	}
	rd, ok := rs.Pick(trig, t, p, f)
	if !ok {
		return t, false, nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO rule_uses (ticket_id, rule, merchant_id, at) VALUES (?, ?, ?, ?)`,
		t.ID, string(rd.Rule), t.MerchantID, ms(tx.now)); err != nil {
		if isUnique(err) {
			return t, false, nil // acted on this ticket once already
		}
		return t, false, fmt.Errorf("rule use: %w", err)
	}
	if rd.After == 0 {
		t, err = decide(ctx, tx, t.ID, rd.Decision)
		if err != nil {
			return t, false, fmt.Errorf("rule %s on %s: %w", rd.Rule, t.Number, err)
		}
		return t, true, nil
	}
	t.Deadline = tx.now.Add(rd.After)
	if _, err := tx.ExecContext(ctx, `UPDATE tickets SET deadline = ?, due_at = ?, auto_at = ? WHERE id = ? AND version = ?`,
		ms(t.Deadline), dueAt(t), ms(t.AutoAt(p)), t.ID, t.Version); err != nil {
		return t, false, fmt.Errorf("rule %s on %s: %w", rd.Rule, t.Number, err)
	}
	ev := anxin.Event{TicketID: t.ID, At: tx.now, Actor: anxin.System(), Action: anxin.RuleScheduled,
		Detail: anxin.RuleReason(rd.Rule)}
	if _, err := insertEvent(ctx, tx, ev); err != nil {
		return t, false, err
	}
	tx.notify(t, NoticeState)
	return t, true, nil
}

// ruleFacts is what the rules know of the ticket's buyer with its merchant:
// the uses of each rule in the last 30 days, and any open dispute.
func ruleFacts(ctx context.Context, tx *wtx, t anxin.Ticket) (anxin.RuleFacts, error) {
	f := anxin.RuleFacts{Uses: map[anxin.RuleKey]int{}}
	rows, err := tx.QueryContext(ctx, `SELECT u.rule, count(*) FROM rule_uses u JOIN tickets t ON t.id = u.ticket_id
		WHERE u.merchant_id = ? AND u.at > ? AND t.buyer_phone = ? AND t.id != ? GROUP BY u.rule`,
		t.MerchantID, ms(tx.now.Add(-anxin.RuleWindow)), t.BuyerPhone, t.ID)
	if err != nil {
		return f, fmt.Errorf("rule uses: %w", err)
	}
	for rows.Next() {
		var k anxin.RuleKey
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			rows.Close()
			return f, err
		}
		f.Uses[k] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return f, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM tickets WHERE merchant_id = ? AND buyer_phone = ?
		AND state = 'arbitration' AND id != ?)`, t.MerchantID, t.BuyerPhone, t.ID).Scan(&f.OpenDispute); err != nil {
		return f, fmt.Errorf("open disputes: %w", err)
	}
	_, f.DefaultAddress, err = defaultAddress(ctx, tx, t.MerchantID)
	return f, err
}

// ruleOfTimeout is the rule a timeout on the ticket carries out: a receipt
// a rule left some hours of inspection ("" for none).
func ruleOfTimeout(ctx context.Context, tx *wtx, t anxin.Ticket) (string, error) {
	if t.State != anxin.Received {
		return "", nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM rule_uses WHERE ticket_id = ? AND rule = ?`,
		t.ID, string(anxin.RuleReceiveOnSigned)).Scan(&n); err != nil {
		return "", fmt.Errorf("rule uses: %w", err)
	}
	if n == 0 {
		return "", nil
	}
	return anxin.RuleReason(anxin.RuleReceiveOnSigned), nil
}

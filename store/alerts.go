package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/anxin-helpdesk/anxin"
)

// The alert centre: each alert is written in the transaction of what it is
// about, and its user's open pages hear the new unread count once it commits.

// addAlert tells one user about a ticket.
func addAlert(ctx context.Context, tx *wtx, userID int64, t anxin.Ticket, kind anxin.AlertKind, detail string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO alerts (user_id, ticket_id, kind, detail, created_at)
		VALUES (?, ?, ?, ?, ?)`, userID, t.ID, string(kind), detail, ms(tx.now)); err != nil {
		return fmt.Errorf("add alert: %w", err)
	}
	return tx.notifyUnread(ctx, userID)
}

// notifyUnread tells the user's open pages how many alerts they have unread.
func (tx *wtx) notifyUnread(ctx context.Context, userID int64) error {
	n, err := unreadAlerts(ctx, tx, userID)
	if err != nil {
		return err
	}
	tx.notices = append(tx.notices, Notice{UserID: userID, Kind: NoticeUnread, Unread: n})
	return nil
}

// alertTicketPeople tells the people of a ticket about it: its assignee and,
// for the kinds the merchant hears of (anxin.AlertKind.ForMerchant), the
// enabled users of the ticket's own merchant. For the message path (a buyer
// replied) and the scheduler (due soon).
func alertTicketPeople(ctx context.Context, tx *wtx, t anxin.Ticket, kind anxin.AlertKind, detail string) error {
	var to []int64
	if t.AssigneeID != 0 {
		to = append(to, t.AssigneeID)
	}
	if kind.ForMerchant() {
		ids, err := userIDs(ctx, tx, `SELECT id FROM users WHERE role = 'merchant' AND merchant_id = ? AND disabled_at IS NULL`, t.MerchantID)
		if err != nil {
			return err
		}
		to = append(to, ids...)
	}
	return alertEach(ctx, tx, to, t, kind, detail)
}

// alertRefundFailed tells the assignee of a ticket whose refund failed or,
// when it has none, every agent on duty.
func alertRefundFailed(ctx context.Context, tx *wtx, t anxin.Ticket, detail string) error {
	to := []int64{t.AssigneeID}
	if t.AssigneeID == 0 {
		var err error
		to, err = userIDs(ctx, tx, `SELECT id FROM users WHERE role IN ('agent', 'admin') AND on_duty = 1 AND disabled_at IS NULL`)
		if err != nil {
			return err
		}
	}
	return alertEach(ctx, tx, to, t, anxin.AlertRefundFailed, detail)
}

// alertMentions tells the people a note @mentions, among those who may read
// it: the staff, and the ticket's merchant's users for a shared comment only.
func alertMentions(ctx context.Context, tx *wtx, t anxin.Ticket, n anxin.Note) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, name, email FROM users WHERE disabled_at IS NULL AND id != ?
		AND (role IN ('agent', 'admin') OR (?2 = 1 AND role = 'merchant' AND merchant_id = ?3)) ORDER BY id`,
		n.AuthorID, n.Shared, t.MerchantID)
	var people []anxin.Mentionable
	err = eachRow(rows, err, func(rows *sql.Rows) error {
		var p anxin.Mentionable
		var email string
		err := rows.Scan(&p.UserID, &p.Name, &email)
		if at := strings.IndexByte(email, '@'); at > 0 {
			p.Handle = email[:at]
		}
		people = append(people, p)
		return err
	})
	if err != nil {
		return fmt.Errorf("mentions: %w", err)
	}
	return alertEach(ctx, tx, anxin.Mentions(n.Body, people), t, anxin.AlertMentioned, n.AuthorName)
}

func alertEach(ctx context.Context, tx *wtx, to []int64, t anxin.Ticket, kind anxin.AlertKind, detail string) error {
	slices.Sort(to)
	for _, id := range slices.Compact(to) {
		if id == 0 {
			continue
		}
		if err := addAlert(ctx, tx, id, t, kind, detail); err != nil {
			return err
		}
	}
	return nil
}

func userIDs(ctx context.Context, q queryer, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	var out []int64
	err = eachRow(rows, err, func(rows *sql.Rows) error {
		var id int64
		err := rows.Scan(&id)
		out = append(out, id)
		return err
	})
	return out, err
}

func unreadAlerts(ctx context.Context, q queryer, userID int64) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM alerts WHERE user_id = ? AND read_at IS NULL`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("unread alerts: %w", err)
	}
	return n, nil
}

// UnreadAlerts counts the user's unread alerts: the bell's number.
func (s *Store) UnreadAlerts(ctx context.Context, userID int64) (int, error) {
	return unreadAlerts(ctx, s.read(), userID)
}

// Alerts lists the user's newest alerts, newest first, on tickets the scope
// sees (a merchant user's alerts are about its own store's tickets only).
func (s *Store) Alerts(ctx context.Context, userID int64, scope anxin.Scope, limit int) ([]anxin.Alert, error) {
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	rows, err := s.read().QueryContext(ctx, `SELECT a.id, a.user_id, a.ticket_id, a.kind, a.detail, a.created_at, a.read_at
		FROM alerts a CROSS JOIN tickets t ON t.id = a.ticket_id
		WHERE a.user_id = ? AND (?2 = 0 OR t.merchant_id = ?2) ORDER BY a.id DESC LIMIT ?3`, userID, scope.MerchantID, limit)
	var out []anxin.Alert
	err = eachRow(rows, err, func(rows *sql.Rows) error {
		var a anxin.Alert
		var created, read sql.NullInt64
		err := rows.Scan(&a.ID, &a.UserID, &a.TicketID, &a.Kind, &a.Detail, &created, &read)
		a.TicketNumber = anxin.TicketNumber(a.TicketID)
		a.CreatedAt, a.ReadAt = fromMS(created), fromMS(read)
		out = append(out, a)
		return err
	})
	return out, err
}

// ReadTicketAlerts marks the user's alerts on a ticket read (the ticket was
// opened). It writes only when there is something to mark.
func (s *Store) ReadTicketAlerts(ctx context.Context, userID, ticketID int64) error {
	var any bool
	if err := s.read().QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM alerts WHERE user_id = ? AND ticket_id = ?
		AND read_at IS NULL)`, userID, ticketID).Scan(&any); err != nil || !any {
		return err
	}
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE alerts SET read_at = ? WHERE user_id = ? AND ticket_id = ? AND read_at IS NULL`,
			ms(tx.now), userID, ticketID); err != nil {
			return fmt.Errorf("read alerts: %w", err)
		}
		return tx.notifyUnread(ctx, userID)
	})
}

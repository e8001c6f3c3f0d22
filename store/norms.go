package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// askedSQL reads the buyer's messages asked in a period, through the index
// messages_asked, with the person whose message answered each (the reply's
// author, its sender and the ticket's merchant), on the tickets of a scope.
const askedSQL = `SELECT t.merchant_id, m.created_at, m.replied_at, coalesce(r.author_id, 0), coalesce(r.sender, ''),
	coalesce(u.name, r.author_name, '')
	FROM messages m
	JOIN tickets t ON t.id = m.ticket_id
	LEFT JOIN messages r ON r.id = m.reply_id
	LEFT JOIN users u ON u.id = r.author_id
	WHERE m.sender = 'buyer' AND m.created_at >= ?1 AND m.created_at < ?2 AND (?3 = 0 OR t.merchant_id = ?3)
	ORDER BY m.created_at, m.id`

// Asked returns the buyer's messages asked from `from` until `to` on the
// tickets the scope may see, with when a person answered each and who: what
// the service norms judge (anxin.NormPolicy.Report).
func (s *Store) Asked(ctx context.Context, scope anxin.Scope, from, to time.Time) ([]anxin.Asked, error) {
	rows, err := s.read().QueryContext(ctx, askedSQL, from.UnixMilli(), to.UnixMilli(), scope.MerchantID)
	var out []anxin.Asked
	err = eachRow(rows, err, func(rows *sql.Rows) error {
		var a anxin.Asked
		var at, replied sql.NullInt64
		if err := rows.Scan(&a.MerchantID, &at, &replied, &a.ReplyBy.UserID, &a.ReplyBy.From, &a.ReplyBy.Name); err != nil {
			return err
		}
		a.At, a.RepliedAt = fromMS(at), fromMS(replied)
		if a.ReplyBy.From == anxin.SenderMerchant {
			a.ReplyBy.MerchantID = a.MerchantID // a merchant's people answer on its own tickets only
		}
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("asked: %w", err)
	}
	return out, nil
}

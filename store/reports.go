package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// DecisionsByPerson counts the decisions people (agents, admins, merchant
// staff) made on tickets per day of the zone, in [from, until): of one
// merchant (0 for all; a merchant user's scope forces its own) and one
// service ("" for all). One grouped query over ticket_events on its
// (action, at) index; a second one counts the merchant clocks of each
// person's assigned tickets that ended in the period, decided or run out.
// Sorted by total, most first. A merchant user sees
// its own people by name and the support team as one (anxin.TeamAsOne).
func (s *Store) DecisionsByPerson(ctx context.Context, scope anxin.Scope, merchantID int64, service anxin.ServiceKey,
	from, until time.Time, zone *time.Location) ([]anxin.PersonDays, error) {
	if scope.MerchantID != 0 {
		if merchantID != 0 && merchantID != scope.MerchantID {
			return nil, anxin.Fail(anxin.MsgMerchantNotFound)
		}
		merchantID = scope.MerchantID
	}
	_, offset := until.In(zone).Zone()
	marks := make([]string, len(anxin.DecisionActions))
	actions := make([]any, len(anxin.DecisionActions))
	for i, a := range anxin.DecisionActions {
		marks[i], actions[i] = "?", string(a)
	}
	filter := []any{from.UnixMilli(), until.UnixMilli(), merchantID, merchantID, service, service}
	args := append(append([]any{fmt.Sprintf("%+d seconds", offset)}, actions...), filter...)
	rows, err := s.read().QueryContext(ctx, decisionsByPersonSQL(strings.Join(marks, ", ")), args...)
	byID := map[int64]*anxin.PersonDays{}
	if err := eachRow(rows, err, func(rows *sql.Rows) error {
		var id int64
		var name, day string
		var role anxin.Role
		var n int
		if err := rows.Scan(&id, &role, &name, &day, &n); err != nil {
			return err
		}
		p := byID[id]
		if p == nil {
			p = &anxin.PersonDays{ActorID: id, Name: name, Role: role, Days: map[string]int{}}
			byID[id] = p
		}
		p.Days[day] += n
		return nil
	}); err != nil {
		return nil, fmt.Errorf("decisions by person: %w", err)
	}

	clockArgs := append(append(append([]any{string(anxin.PendingMerchant)}, actions...), string(anxin.Timeout)), filter...)
	rows, err = s.read().QueryContext(ctx, clocksByAssigneeSQL(strings.Join(marks, ", ")), clockArgs...)
	if err := eachRow(rows, err, func(rows *sql.Rows) error {
		var id int64
		var name string
		var role anxin.Role
		var ended, missed int
		if err := rows.Scan(&id, &role, &name, &ended, &missed); err != nil {
			return err
		}
		p := byID[id]
		if p == nil {
			p = &anxin.PersonDays{ActorID: id, Name: name, Role: role, Days: map[string]int{}}
			byID[id] = p
		}
		p.ClocksEnded, p.ClocksMissed = ended, missed
		return nil
	}); err != nil {
		return nil, fmt.Errorf("clocks by assignee: %w", err)
	}
	out := make([]anxin.PersonDays, 0, len(byID))
	for _, p := range byID {
		out = append(out, *p)
	}
	if scope.MerchantID != 0 {
		out = anxin.TeamAsOne(out)
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := out[i].Total(), out[j].Total(); a != b {
			return a > b
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

func decisionsByPersonSQL(actions string) string {
	return `SELECT e.actor_id, e.actor_role, max(e.actor_name), date(e.at / 1000, 'unixepoch', ?), count(*)
		FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
		WHERE e.action IN (` + actions + `) AND e.at >= ? AND e.at < ?
		AND e.actor_id IS NOT NULL AND e.actor_role IN ('agent', 'admin', 'merchant')
		AND (? = 0 OR t.merchant_id = ?) AND (? = '' OR t.service = ?)
		GROUP BY e.actor_id, 4`
}

// clocksByAssigneeSQL counts, per assignee, the merchant clocks that ended
// in the period (left pending_merchant by a decision or a timeout) and how
// many of them ran out.
func clocksByAssigneeSQL(actions string) string {
	return `SELECT u.id, u.role, u.name, count(*), sum(e.action = 'timeout')
		FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id JOIN users u ON u.id = t.assignee_id
		WHERE e.from_state = ? AND e.action IN (` + actions + `, ?) AND e.at >= ? AND e.at < ?
		AND (? = 0 OR t.merchant_id = ?) AND (? = '' OR t.service = ?)
		GROUP BY u.id`
}

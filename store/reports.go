package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"github.com/anxin-helpdesk/anxin"
)

// DecisionsByPerson counts the decisions people (agents, admins, merchant
// staff) made on tickets per day of the store's zone, over the days from
// first to last (YYYY-MM-DD): of one merchant (0 for all; a merchant user's
// scope forces its own) and one service ("" for all); with the merchant
// clocks of each person's assigned tickets that ended in the period,
// decided or run out. Read from the figures kept per person and day
// (migration 0019). Sorted by total, most first. A merchant user sees its
// own people by name and the support team as one (anxin.TeamAsOne).
func (s *Store) DecisionsByPerson(ctx context.Context, scope anxin.Scope, merchantID int64, service anxin.ServiceKey,
	first, last string) ([]anxin.PersonDays, error) {
	if scope.MerchantID != 0 {
		if merchantID != 0 && merchantID != scope.MerchantID {
			return nil, anxin.Fail(anxin.MsgMerchantNotFound)
		}
		merchantID = scope.MerchantID
	}
	q := `SELECT person_id, max(role), max(name), day, sum(decisions), sum(clocks_ended), sum(clocks_missed)
		FROM figures_people_all WHERE day >= ?1 AND day <= ?2 AND (?3 = '' OR service = ?3)
		GROUP BY person_id, day`
	args := []any{first, last, string(service)}
	if merchantID != 0 {
		q = `SELECT person_id, max(role), max(name), day, sum(decisions), sum(clocks_ended), sum(clocks_missed)
		FROM figures_people WHERE day >= ?1 AND day <= ?2 AND (?3 = '' OR service = ?3) AND merchant_id = ?4
		GROUP BY person_id, day`
		args = append(args, merchantID)
	}
	rows, err := s.read().QueryContext(ctx, q, args...)
	byID := map[int64]*anxin.PersonDays{}
	if err := eachRow(rows, err, func(rows *sql.Rows) error {
		var id int64
		var name, day string
		var role anxin.Role
		var n, ended, missed int
		if err := rows.Scan(&id, &role, &name, &day, &n, &ended, &missed); err != nil {
			return err
		}
		p := byID[id]
		if p == nil {
			p = &anxin.PersonDays{ActorID: id, Name: name, Role: role, Days: map[string]int{}}
			byID[id] = p
		}
		if n > 0 {
			p.Days[day] += n
		}
		p.ClocksEnded += ended
		p.ClocksMissed += missed
		return nil
	}); err != nil {
		return nil, fmt.Errorf("decisions by person: %w", err)
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

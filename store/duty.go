package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/anxin-helpdesk/anxin"
)

// Agents on duty and auto-assignment. The choice of agent is the domain's
// (anxin.ChooseAgent); here the candidates are gathered, and the choice is
// written in the transaction of the change that asked for it: a ticket's
// creation, or its coming back from the buyer.

// settingAutoAssign is the settings row that turns auto-assignment on ("1").
const settingAutoAssign = "auto_assign"

// AutoAssignOn reports whether auto-assignment is on.
func (s *Store) AutoAssignOn(ctx context.Context) (bool, error) {
	return autoAssignOn(ctx, s.read())
}

func autoAssignOn(ctx context.Context, q queryer) (bool, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, settingAutoAssign).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil // off until an admin turns it on
	}
	if err != nil {
		return false, fmt.Errorf("auto-assign setting: %w", err)
	}
	return v == "1", nil
}

// SetAutoAssign turns auto-assignment on or off, as an admin.
func (s *Store) SetAutoAssign(ctx context.Context, by anxin.Actor, on bool) error {
	if by.Role != anxin.RoleAdmin {
		return anxin.Fail(anxin.MsgPageNotForRole, by.Role)
	}
	v := "0"
	if on {
		v = "1"
	}
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, settingAutoAssign, v); err != nil {
			return fmt.Errorf("set auto-assign: %w", err)
		}
		return audit(ctx, tx, by, tx.now, "set_auto_assign", "settings", v)
	})
}

// AgentGroups maps each merchant that has an agent group to its members' ids.
func (s *Store) AgentGroups(ctx context.Context) (map[int64][]int64, error) {
	rows, err := s.read().QueryContext(ctx, `SELECT merchant_id, user_id FROM agent_groups ORDER BY merchant_id, user_id`)
	out := map[int64][]int64{}
	err = eachRow(rows, err, func(rows *sql.Rows) error {
		var m, u int64
		if err := rows.Scan(&m, &u); err != nil {
			return err
		}
		out[m] = append(out[m], u)
		return nil
	})
	return out, err
}

// SetAgentGroup makes the merchant's agent group these agents (none: no
// group, every agent on duty takes its tickets), as an admin.
func (s *Store) SetAgentGroup(ctx context.Context, by anxin.Actor, merchantID int64, userIDs []int64) error {
	if by.Role != anxin.RoleAdmin {
		return anxin.Fail(anxin.MsgPageNotForRole, by.Role)
	}
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		var code string
		if err := tx.QueryRowContext(ctx, `SELECT code FROM merchants WHERE id = ?`, merchantID).Scan(&code); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return anxin.Fail(anxin.MsgUnknownMerchant)
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM agent_groups WHERE merchant_id = ?`, merchantID); err != nil {
			return fmt.Errorf("agent group: %w", err)
		}
		var ids []string
		for _, id := range userIDs {
			var role string
			err := tx.QueryRowContext(ctx, `SELECT role FROM users WHERE id = ?`, id).Scan(&role)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && role == string(anxin.RoleMerchant)) {
				return anxin.Fail(anxin.MsgAssignToAgents)
			}
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO agent_groups (merchant_id, user_id) VALUES (?, ?)
				ON CONFLICT DO NOTHING`, merchantID, id); err != nil {
				return fmt.Errorf("agent group: %w", err)
			}
			ids = append(ids, strconv.FormatInt(id, 10))
		}
		return audit(ctx, tx, by, tx.now, "set_agent_group", "merchant "+code, strings.Join(ids, ","))
	})
}

const candidatesQuery = `SELECT u.id, u.last_auto_assigned_at,
	(SELECT count(*) FROM tickets t WHERE t.assignee_id = u.id AND t.due_at IS NOT NULL)
	FROM users u WHERE u.on_duty = 1 AND u.disabled_at IS NULL AND u.role IN ('agent', 'admin')`

// candidates are the enabled agents and admins on duty, with their open
// tickets: each count walks the tickets_queue_assignee index.
func candidates(ctx context.Context, tx *wtx) ([]anxin.Candidate, error) {
	rows, err := tx.QueryContext(ctx, candidatesQuery)
	var out []anxin.Candidate
	err = eachRow(rows, err, func(rows *sql.Rows) error {
		c := anxin.Candidate{OnDuty: true}
		var last sql.NullInt64
		if err := rows.Scan(&c.UserID, &last, &c.Open); err != nil {
			return err
		}
		c.LastAuto = fromMS(last)
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("auto-assign candidates: %w", err)
	}
	return out, nil
}

func groupOf(ctx context.Context, tx *wtx, merchantID int64) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT user_id FROM agent_groups WHERE merchant_id = ?`, merchantID)
	var out []int64
	err = eachRow(rows, err, func(rows *sql.Rows) error {
		var id int64
		err := rows.Scan(&id)
		out = append(out, id)
		return err
	})
	return out, err
}

// autoAssign gives the ticket to the chosen agent on duty, when
// auto-assignment is on. A person's choice wins: a ticket that has an
// assignee keeps it when the assignee is on duty, or when a person (not the
// system) made the assignment. It returns the ticket as it is now.
func autoAssign(ctx context.Context, tx *wtx, t anxin.Ticket) (anxin.Ticket, error) {
	if t.State.Terminal() {
		return t, nil
	}
	on, err := autoAssignOn(ctx, tx)
	if err != nil || !on {
		return t, err
	}
	if t.AssigneeID != 0 {
		keep, err := keepAssignee(ctx, tx, t)
		if err != nil || keep {
			return t, err
		}
	}
	cands, err := candidates(ctx, tx)
	if err != nil {
		return t, err
	}
	group, err := groupOf(ctx, tx, t.MerchantID)
	if err != nil {
		return t, err
	}
	id, ok := anxin.ChooseAgent(cands, group)
	if !ok || id == t.AssigneeID {
		return t, nil // nobody on duty: the ticket waits in the queue as it is
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET last_auto_assigned_at = ? WHERE id = ?`, ms(tx.now), id); err != nil {
		return t, fmt.Errorf("auto-assign: %w", err)
	}
	return assignIn(ctx, tx, t, id, anxin.System())
}

// keepAssignee: the assignee is on duty, or a person chose the assignee.
func keepAssignee(ctx context.Context, tx *wtx, t anxin.Ticket) (bool, error) {
	var onDuty bool
	if err := tx.QueryRowContext(ctx, `SELECT CASE WHEN on_duty = 1 AND disabled_at IS NULL THEN 1 ELSE 0 END FROM users WHERE id = ?`,
		t.AssigneeID).Scan(&onDuty); err != nil {
		return false, fmt.Errorf("assignee on duty: %w", err)
	}
	if onDuty {
		return true, nil
	}
	var role string
	err := tx.QueryRowContext(ctx, `SELECT actor_role FROM ticket_events WHERE ticket_id = ? AND action = ?
		ORDER BY id DESC LIMIT 1`, t.ID, string(anxin.Assign)).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("last assignment: %w", err)
	}
	return role != string(anxin.RoleSystem), nil
}

// SetDuty puts an agent on or off duty. Going off duty, handBack gives the
// agent's open tickets back: each is unassigned and, when auto-assignment is
// on, assigned to a colleague on duty; otherwise the agent keeps them.
func (s *Store) SetDuty(ctx context.Context, by anxin.Actor, on, handBack bool) error {
	if by.Role != anxin.RoleAgent && by.Role != anxin.RoleAdmin {
		return anxin.Fail(anxin.MsgOnlyAgentsAssign)
	}
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET on_duty = ? WHERE id = ?`, on, by.UserID); err != nil {
			return fmt.Errorf("set duty: %w", err)
		}
		tx.wake |= staleSessions // the user is cached with its sessions
		if on || !handBack {
			return nil
		}
		rows, err := tx.QueryContext(ctx, `SELECT id FROM tickets WHERE assignee_id = ? AND due_at IS NOT NULL ORDER BY due_at, id`, by.UserID)
		var ids []int64
		if err = eachRow(rows, err, func(rows *sql.Rows) error {
			var id int64
			err := rows.Scan(&id)
			ids = append(ids, id)
			return err
		}); err != nil {
			return fmt.Errorf("hand back: %w", err)
		}
		for _, id := range ids {
			t, err := findTicket(ctx, tx, anxin.AllMerchants(), id)
			if err != nil {
				return err
			}
			if t, err = assignIn(ctx, tx, t, 0, by); err != nil {
				return err
			}
			if _, err := autoAssign(ctx, tx, t); err != nil {
				return err
			}
		}
		return nil
	})
}

// OpenAssigned counts the open tickets assigned to the user.
func (s *Store) OpenAssigned(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.read().QueryRowContext(ctx, `SELECT count(*) FROM tickets WHERE assignee_id = ? AND due_at IS NOT NULL`, userID).Scan(&n)
	return n, err
}

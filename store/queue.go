package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// QueueFilter selects open tickets for a queue view. The zero value is every
// open ticket every merchant has.
type QueueFilter struct {
	Scope      anxin.Scope // the viewer's: a merchant user sees only its own
	MerchantID int64
	State      anxin.State
	Owes       anxin.Role // in a state whose clock waits for this role's move (anxin.StatesOwedBy)
	Service    anxin.ServiceKey
	AssigneeID int64
	Unassigned bool
	DueFrom    time.Time   // due at or after (zero: no bound)
	DueBefore  time.Time   // due before (zero: no bound)
	Search     string      // what to search for (Search); exact numbers in Queue
	Sort       QueueSort   // the order: by deadline (the default), amount or creation
	After      QueueCursor // keyset: the last row of the previous page
	Limit      int         // default 50, at most 200
}

// QueueSort is an order of the queue.
type QueueSort string

const (
	SortDeadline QueueSort = ""        // nearest deadline first, overdue first
	SortAmount   QueueSort = "amount"  // largest claim first
	SortCreated  QueueSort = "created" // newest first
)

// orderBy is the sort's key column and whether it runs downwards.
func (o QueueSort) orderBy() (col string, desc bool) {
	switch o {
	case SortAmount:
		return "t.requested_fen", true
	case SortCreated:
		return "t.created_at", true
	}
	return "t.due_at", false
}

// QueueCursor is a position in the queue's (key, id) order: the sort key of
// the last row of a page (its due_at in unix ms, or noDeadline; its amount;
// its creation time) and its id.
type QueueCursor struct {
	Due int64
	ID  int64
}

// IsZero reports whether c is the start of the queue.
func (c QueueCursor) IsZero() bool { return c.ID == 0 }

// String encodes the cursor for a URL.
func (c QueueCursor) String() string {
	if c.IsZero() {
		return ""
	}
	return encodeKeyset(c.Due, c.ID)
}

// ParseQueueCursor decodes a cursor from a URL; a malformed one is the start.
func ParseQueueCursor(s string) QueueCursor {
	due, id, ok := parseKeyset(s)
	if !ok {
		return QueueCursor{}
	}
	return QueueCursor{Due: due, ID: id}
}

// encodeKeyset writes a keyset position (an ordering value and the row's
// id) as it goes into URLs: both in base 36, joined by a dot. Clients keep
// what they were given (the API's next_cursor, bookmarked queue pages), so
// parseKeyset must go on reading every cursor ever written.
func encodeKeyset(key, id int64) string {
	return strconv.FormatInt(key, 36) + "." + strconv.FormatInt(id, 36)
}

func parseKeyset(s string) (key, id int64, ok bool) {
	k, i, ok := strings.Cut(s, ".")
	if !ok {
		return 0, 0, false
	}
	key, err1 := strconv.ParseInt(k, 36, 64)
	id, err2 := strconv.ParseInt(i, 36, 64)
	if err1 != nil || err2 != nil || id <= 0 {
		return 0, 0, false
	}
	return key, id, true
}

// where builds the filter's conditions over tickets t. Every condition is on
// an indexed column, and the order (due_at, id) matches every queue index.
func (f QueueFilter) where() (string, []any) {
	conds := []string{"t.due_at IS NOT NULL"}
	var args []any
	add := func(cond string, v ...any) {
		conds = append(conds, cond)
		args = append(args, v...)
	}
	if f.Scope.MerchantID != 0 {
		add("t.merchant_id = ?", f.Scope.MerchantID)
	}
	if f.MerchantID != 0 {
		add("t.merchant_id = ?", f.MerchantID)
	}
	if f.State != "" {
		add("t.state = ?", string(f.State))
	}
	if f.Owes != "" {
		states := anxin.StatesOwedBy(f.Owes)
		in := make([]any, len(states))
		for i, st := range states {
			in[i] = string(st)
		}
		add("t.state IN (?"+strings.Repeat(", ?", len(in)-1)+")", in...)
	}
	if f.Service != "" {
		add("t.service = ?", string(f.Service))
	}
	if f.AssigneeID != 0 {
		add("t.assignee_id = ?", f.AssigneeID)
	}
	if f.Unassigned {
		add("t.assignee_id IS NULL")
	}
	if !f.DueFrom.IsZero() {
		add("t.due_at >= ?", f.DueFrom.UnixMilli())
	}
	if !f.DueBefore.IsZero() {
		add("t.due_at < ?", f.DueBefore.UnixMilli())
	}
	if q := strings.TrimSpace(f.Search); q != "" {
		id, _ := anxin.ParseTicketNumber(q)
		add("(t.id = ? OR t.order_id = ? OR t.buyer_phone = ?)", id, q, q)
	}
	return strings.Join(conds, " AND "), args
}

// paged is the filter with its page size: 50 when none is given, at most 200.
func (f QueueFilter) paged() QueueFilter {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 200)
	return f
}

// query is the filter's page of the queue (of the paged filter): its
// tickets, each with the value it is sorted by, from the cursor on.
func (f QueueFilter) query() (string, []any) {
	where, args := f.where()
	col, desc := f.Sort.orderBy()
	cmp, order := ">", col+", t.id"
	if desc {
		cmp, order = "<", col+" DESC, t.id DESC"
	}
	if !f.After.IsZero() {
		where += " AND (" + col + ", t.id) " + cmp + " (?, ?)"
		args = append(args, f.After.Due, f.After.ID)
	}
	return `SELECT ` + ticketColumns + `, ` + col + ticketFrom + `WHERE ` + where + ` ORDER BY ` + order + ` LIMIT ?`,
		append(args, f.Limit)
}

// Queue returns a page of open tickets by nearest deadline (overdue first),
// and the cursor of the next page (zero when this is the last).
func (s *Store) Queue(ctx context.Context, f QueueFilter) ([]anxin.Ticket, QueueCursor, error) {
	f = f.paged()
	query, args := f.query()
	rows, err := s.read().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, QueueCursor{}, fmt.Errorf("queue: %w", err)
	}
	defer rows.Close()
	out := make([]anxin.Ticket, 0, f.Limit)
	var last QueueCursor
	for rows.Next() {
		var due int64
		t, err := scanTicket(scanWith(rows, &due))
		if err != nil {
			return nil, QueueCursor{}, fmt.Errorf("queue: %w", err)
		}
		out = append(out, t)
		last = QueueCursor{Due: due, ID: t.ID}
	}
	if err := rows.Err(); err != nil {
		return nil, QueueCursor{}, err
	}
	if len(out) < f.Limit {
		last = QueueCursor{}
	}
	return out, last, nil
}

// QueueCount counts the filter's tickets, stopping at limit: a queue tab
// shows "999+" rather than paying for a count over every match.
func (s *Store) QueueCount(ctx context.Context, f QueueFilter, limit int) (int, error) {
	where, args := f.where()
	var n int
	err := s.read().QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM tickets t WHERE `+where+` LIMIT ?) page`,
		append(args, limit)...).Scan(&n)
	return n, err
}

// scanWith appends destinations to a scanner's Scan.
func scanWith(row interface{ Scan(...any) error }, extra ...any) scanFunc {
	return func(dest ...any) error { return row.Scan(append(dest, extra...)...) }
}

type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// Next returns the first ticket of the view that runs a clock (someone owes
// it a move: a refund on its way to the payment system does not) and is not
// among skip (the one just handled, and those offered a moment ago that the
// user left), to offer after an action; ok is false when there is none.
func (s *Store) Next(ctx context.Context, f QueueFilter, skip []int64) (anxin.Ticket, bool, error) {
	f.Limit, f.After, f.Search = len(skip)+10, QueueCursor{}, ""
	page, _, err := s.Queue(ctx, f)
	if err != nil {
		return anxin.Ticket{}, false, err
	}
	for _, t := range page {
		if !t.Deadline.IsZero() && !slices.Contains(skip, t.ID) {
			return t, true, nil
		}
	}
	return anxin.Ticket{}, false, nil
}

// exportPage is how many rows an export reads at a time.
const exportPage = 200

// EachInView calls each for every ticket of a queue view, in its order, a
// page at a time (a search: its one page of matches), so that an export
// streams without holding the view; it stops at the first error each
// returns and says how many tickets it gave.
func (s *Store) EachInView(ctx context.Context, f QueueFilter, each func(anxin.Ticket) error) (int, error) {
	if f.Search != "" {
		f.Limit = 200
		ts, err := s.Search(ctx, f)
		if err != nil {
			return 0, err
		}
		for i, t := range ts {
			if err := each(t); err != nil {
				return i, err
			}
		}
		return len(ts), nil
	}
	n := 0
	f.Limit = exportPage
	for {
		page, next, err := s.Queue(ctx, f)
		if err != nil {
			return n, err
		}
		for _, t := range page {
			if err := each(t); err != nil {
				return n, err
			}
			n++
		}
		if next.IsZero() {
			return n, nil
		}
		f.After = next
	}
}

// RecordExport writes an export of tickets to the audit log: who, of what
// view, how many rows. Exports carry buyers' personal data.
func (s *Store) RecordExport(ctx context.Context, by anxin.Actor, view string, rows int) error {
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		return audit(ctx, tx, by, tx.now, "export_tickets", view, fmt.Sprintf("%d rows", rows))
	})
}

// EachTicket calls each for every ticket of every state the filter selects,
// newest first, a page at a time (ListTickets' order): an export of all
// tickets streams without holding them.
func (s *Store) EachTicket(ctx context.Context, f TicketFilter, each func(anxin.Ticket) error) (int, error) {
	n := 0
	f.Limit = exportPage
	for {
		page, next, err := s.ListTickets(ctx, f)
		if err != nil {
			return n, err
		}
		for _, v := range page {
			if err := each(v.Ticket); err != nil {
				return n, err
			}
			n++
		}
		if next.IsZero() {
			return n, nil
		}
		f.After = next
	}
}

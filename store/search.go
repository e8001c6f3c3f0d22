package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/anxin-helpdesk/anxin"
)

// The search index (migration 0017): see the migration for its tokens.

// terms writes text as the index's tokens: the overlapping pairs of each
// run of non-Latin letters (Chinese) and its last character, and the whole
// words of Latin letters and digits, lower-cased.
func terms(texts ...string) string {
	var b strings.Builder
	add := func(tok string) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(tok)
	}
	for _, text := range texts {
		for _, run := range runs(text) {
			if run.latin {
				add(strings.ToLower(string(run.r)))
				continue
			}
			for i := 0; i+1 < len(run.r); i++ {
				add(string(run.r[i : i+2]))
			}
			add(string(run.r[len(run.r)-1]))
		}
	}
	return b.String()
}

type run struct {
	r     []rune
	latin bool // Latin letters and digits: a word, not characters
}

// runs splits text at everything that is not a letter or a digit, and
// between Latin words and other letters.
func runs(text string) []run {
	var out []run
	var cur run
	flush := func() {
		if len(cur.r) > 0 {
			out = append(out, cur)
		}
		cur = run{}
	}
	for _, r := range text {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		latin := r < 0x250 // Latin letters (with accents) and ASCII digits
		if len(cur.r) > 0 && cur.latin != latin {
			flush()
		}
		cur.latin = latin
		cur.r = append(cur.r, r)
	}
	flush()
	return out
}

// indexTicket puts a ticket's searchable facts into the index: the order
// number, the buyer's name and phone (and its last four digits), the
// product and the reason, and its merchant.
func indexTicket(ctx context.Context, tx *wtx, t anxin.Ticket) error {
	err := insertTerms(ctx, tx, "ticket_search", t.ID,
		ticketTerms(t.Order.ID, t.BuyerName, t.BuyerPhone, t.Order.Product, t.Reason, t.MerchantID))
	if err != nil {
		return fmt.Errorf("index ticket %d: %w", t.ID, err)
	}
	return nil
}

// insertTerms indexes a ticket's or a message's terms (index is
// ticket_search or message_search). SQLite keeps them in an FTS5 table;
// PostgreSQL as a tsvector of the same tokens, each a lexeme ('simple'
// changes none), in their order.
func insertTerms(ctx context.Context, tx *wtx, index string, id int64, terms string) error {
	var err error
	switch {
	case index == "ticket_search" && !tx.s.pg:
		_, err = tx.ExecContext(ctx, `INSERT INTO ticket_search (rowid, terms) VALUES (?, ?)`, id, terms)
	case index == "ticket_search":
		_, err = tx.ExecContext(ctx, `INSERT INTO ticket_search (id, terms) VALUES (?, to_tsvector('simple', ?))`, id, terms)
	case !tx.s.pg:
		_, err = tx.ExecContext(ctx, `INSERT INTO message_search (rowid, terms) VALUES (?, ?)`, id, terms)
	default:
		_, err = tx.ExecContext(ctx, `INSERT INTO message_search (id, terms) VALUES (?, to_tsvector('simple', ?))`, id, terms)
	}
	return err
}

// unindexTicket takes a ticket out of the index; terms are those it was
// indexed with, which SQLite's index, holding no text (content=”), needs
// to delete it.
func unindexTicket(ctx context.Context, tx *wtx, id int64, terms string) error {
	var err error
	if tx.s.pg {
		_, err = tx.ExecContext(ctx, `DELETE FROM ticket_search WHERE id = ?`, id)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO ticket_search (ticket_search, rowid, terms) VALUES ('delete', ?, ?)`, id, terms)
	}
	return err
}

func ticketTerms(order, name, phone, product, reason string, merchantID int64) string {
	// The phone's first three and last four digits are words of their own:
	// what a buyer reads out, and what the pages show (138****8000).
	first3, last4 := "", ""
	if len(phone) > 7 {
		first3, last4 = phone[:3], phone[len(phone)-4:]
	}
	return terms(order, name, phone, first3, last4, product, reason) + fmt.Sprintf(" m%d", merchantID)
}

// indexMessage puts a message's text into the index, with its ticket's merchant.
func indexMessage(ctx context.Context, tx *wtx, m anxin.Message, merchantID int64) error {
	err := insertTerms(ctx, tx, "message_search", m.ID, messageTerms(m.Body, merchantID))
	if err != nil {
		return fmt.Errorf("index message %d: %w", m.ID, err)
	}
	return nil
}

func messageTerms(body string, merchantID int64) string {
	return terms(body) + fmt.Sprintf(" m%d", merchantID)
}

// matchTerm is one thing every match must have: a phrase of tokens in this
// order, the last one a prefix of a token when prefix is set.
type matchTerm struct {
	tokens []string
	prefix bool
}

// matches turns what a person typed into what the index is asked for:
// every term must match; a Chinese term of two or more characters is the
// phrase of its pairs (a substring), one character is a prefix of a token
// (a pair it starts, or a run's last character), a Latin word or number is
// that word. None when nothing searchable was typed.
func matches(q string) []matchTerm {
	var out []matchTerm
	for _, term := range strings.Fields(q) {
		for _, run := range runs(term) {
			switch {
			case run.latin:
				out = append(out, matchTerm{tokens: []string{strings.ToLower(string(run.r))}})
			case len(run.r) == 1:
				out = append(out, matchTerm{tokens: []string{string(run.r)}, prefix: true})
			default:
				pairs := make([]string, 0, len(run.r)-1)
				for i := 0; i+1 < len(run.r); i++ {
					pairs = append(pairs, string(run.r[i:i+2]))
				}
				out = append(out, matchTerm{tokens: pairs})
			}
		}
	}
	return out
}

// ftsQuery is the matches as an FTS5 query (SQLite): "ab bc" AND "c"*.
func ftsQuery(ms []matchTerm) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = `"` + strings.Join(m.tokens, " ") + `"`
		if m.prefix {
			parts[i] += "*"
		}
	}
	return strings.Join(parts, " AND ")
}

// tsQuery is the matches as a tsquery (PostgreSQL): 'ab' <-> 'bc' & 'c':*.
// The tokens are letters and digits only (runs splits at the rest), so
// quoting them is all they need.
func tsQuery(ms []matchTerm) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		quoted := make([]string, len(m.tokens))
		for j, t := range m.tokens {
			quoted[j] = "'" + t + "'"
		}
		parts[i] = strings.Join(quoted, " <-> ")
		if m.prefix {
			parts[i] += ":*"
		}
		if len(m.tokens) > 1 {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " & ")
}

// backfillBatch is how many tickets (or messages) one write of the backfill
// indexes: small enough that people's writes wait little behind it.
const backfillBatch = 2000

// BackfillSearch indexes, newest first, what was made before the search
// index existed, a batch per write, until none is left; it says how many
// tickets and messages it indexed. It runs when the store opens a database
// that needs it (and may be run again: it goes on where it stopped).
func (s *Store) BackfillSearch(ctx context.Context) (tickets, messages int, err error) {
	return s.backfillSearch(ctx, backfillBatch)
}

func (s *Store) backfillSearch(ctx context.Context, batch int) (tickets, messages int, err error) {
	for {
		var n, m int
		err := s.writeBackground(ctx, func(ctx context.Context, tx *wtx) (err error) {
			n, m, err = backfillOnce(ctx, tx, batch)
			return err
		})
		if err != nil {
			return tickets, messages, err
		}
		tickets, messages = tickets+n, messages+m
		if n == 0 && m == 0 {
			return tickets, messages, nil
		}
	}
}

func backfillOnce(ctx context.Context, tx *wtx, batch int) (tickets, messages int, err error) {
	var tBelow, mBelow int64
	err = tx.QueryRowContext(ctx, `SELECT tickets_below, messages_below FROM search_backfill`).Scan(&tBelow, &mBelow)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("search backfill: %w", err)
	}
	if tBelow > 1 {
		rows, err := tx.QueryContext(ctx, `SELECT id, order_id, buyer_name, buyer_phone, product, reason, merchant_id
			FROM tickets WHERE id < ? ORDER BY id DESC LIMIT ?`, tBelow, batch)
		if err != nil {
			return 0, 0, fmt.Errorf("search backfill: %w", err)
		}
		type row struct {
			id, merchant                        int64
			order, name, phone, product, reason string
		}
		var found []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.order, &r.name, &r.phone, &r.product, &r.reason, &r.merchant); err != nil {
				rows.Close()
				return 0, 0, err
			}
			found = append(found, r)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return 0, 0, err
		}
		// Newest batch first, but each batch in rowid order: FTS5 flushes
		// its pending terms whenever a rowid is not above the last one.
		slices.Reverse(found)
		next := int64(0)
		if len(found) > 0 {
			next = found[0].id
		}
		for _, r := range found {
			if err := insertTerms(ctx, tx, "ticket_search", r.id,
				ticketTerms(r.order, r.name, r.phone, r.product, r.reason, r.merchant)); err != nil {
				return 0, 0, fmt.Errorf("search backfill: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE search_backfill SET tickets_below = ?`, next); err != nil {
			return 0, 0, err
		}
		tickets = len(found)
	}
	if mBelow > 1 && tickets < batch {
		rows, err := tx.QueryContext(ctx, `SELECT m.id, m.body, t.merchant_id FROM messages m JOIN tickets t ON t.id = m.ticket_id
			WHERE m.id < ? ORDER BY m.id DESC LIMIT ?`, mBelow, batch)
		if err != nil {
			return 0, 0, fmt.Errorf("search backfill: %w", err)
		}
		var ms []anxin.Message
		var merchants []int64
		for rows.Next() {
			var m anxin.Message
			var merchant int64
			if err := rows.Scan(&m.ID, &m.Body, &merchant); err != nil {
				rows.Close()
				return 0, 0, err
			}
			ms, merchants = append(ms, m), append(merchants, merchant)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return 0, 0, err
		}
		next := int64(0)
		for i := len(ms) - 1; i >= 0; i-- { // in rowid order, as above
			if err := indexMessage(ctx, tx, ms[i], merchants[i]); err != nil {
				return 0, 0, err
			}
		}
		if len(ms) > 0 {
			next = ms[len(ms)-1].ID // the oldest of the batch
		}
		if _, err := tx.ExecContext(ctx, `UPDATE search_backfill SET messages_below = ?`, next); err != nil {
			return 0, 0, err
		}
		messages = len(ms)
	}
	if tickets == 0 && messages == 0 {
		_, err = tx.ExecContext(ctx, `DELETE FROM search_backfill`)
	}
	return tickets, messages, err
}

// searchLimit bounds the matches a search considers, newest first: a term
// that matches a hundred thousand tickets shows the newest, and the page
// asks for a narrower search.
const searchLimit = 1000

// Search finds tickets in every state by what a person types: a ticket's
// number (or its digits), the order number, the buyer's phone (whole, its
// last four digits, or masked as the pages show it), the buyer's name, the
// product, the reason and the conversation's text, Chinese by substring.
// The filter's other conditions apply as in the queue, without its
// open-only rule; open tickets come first by deadline, then the rest, most
// recently changed first. It returns at most f.Limit (default 50, at most
// 200) tickets.
func (s *Store) Search(ctx context.Context, f QueueFilter) ([]anxin.Ticket, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 200)
	query := strings.TrimSpace(f.Search)
	ms := matches(query)
	id, _ := anxin.ParseTicketNumber(query)
	if len(ms) == 0 && id == 0 {
		return nil, nil
	}
	hits := `SELECT CAST(?3 AS BIGINT) WHERE CAST(?3 AS BIGINT) > 0` // a number alone: that ticket
	var match string
	if len(ms) > 0 {
		for _, m := range []int64{f.Scope.MerchantID, f.MerchantID} {
			if m != 0 {
				ms = append(ms, matchTerm{tokens: []string{fmt.Sprintf("m%d", m)}})
			}
		}
		if s.pg {
			match = tsQuery(ms)
			hits = `SELECT id FROM (SELECT id FROM ticket_search WHERE terms @@ to_tsquery('simple', ?1) ORDER BY id DESC LIMIT ?2) ts
			UNION SELECT ticket_id FROM (SELECT m.ticket_id FROM message_search s CROSS JOIN messages m ON m.id = s.id
				WHERE s.terms @@ to_tsquery('simple', ?1) ORDER BY s.id DESC LIMIT ?2) ms
			UNION ` + hits
		} else {
			match = ftsQuery(ms)
			hits = `SELECT id FROM (SELECT rowid AS id FROM ticket_search WHERE ticket_search MATCH ?1 ORDER BY rowid DESC LIMIT ?2)
			UNION SELECT ticket_id FROM (SELECT m.ticket_id FROM message_search s CROSS JOIN messages m ON m.id = s.rowid
				WHERE message_search MATCH ?1 ORDER BY s.rowid DESC LIMIT ?2)
			UNION ` + hits
		}
	}
	f.Search = ""
	where, args := f.where()
	where = strings.TrimPrefix(where, "t.due_at IS NOT NULL")
	where = strings.TrimPrefix(where, " AND ")
	if where == "" {
		where = "1 = 1"
	}
	// The filter's conditions take the parameters after ?3 (LIMIT is written
	// out: a ?4 after them would be numbered before it).
	rows, err := s.read().QueryContext(ctx, `WITH hits(id) AS (`+hits+`)
		SELECT `+ticketColumns+` FROM hits h CROSS JOIN tickets t ON t.id = h.id
		CROSS JOIN merchants m ON m.id = t.merchant_id LEFT JOIN users a ON a.id = t.assignee_id
		WHERE `+where+` ORDER BY t.due_at IS NULL, t.due_at, t.updated_at DESC, t.id DESC LIMIT `+strconv.Itoa(f.Limit),
		append([]any{match, searchLimit, id}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer rows.Close()
	var out []anxin.Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

package store

import "testing"

// TestNumbered: SQLite's placeholders become PostgreSQL's as SQLite numbers
// them, its join-order hint an inner join, and nothing inside literals,
// quoted names, comments or dollar-quoted bodies changes.
func TestNumbered(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT ? + ?`, `SELECT $1 + $2`},
		{`WHERE id = ? AND (?2 = 0 OR m = ?2)`, `WHERE id = $1 AND ($2 = 0 OR m = $2)`},
		{`VALUES (?3, ?, ?1, ?)`, `VALUES ($3, $4, $1, $5)`}, // a bare ? is one more than the largest before it
		{`WHERE a = '?' AND b = ?`, `WHERE a = '?' AND b = $1`},
		{`WHERE a = 'it''s ?' AND b = ?`, `WHERE a = 'it''s ?' AND b = $1`},
		{`SELECT "we?ird" FROM t WHERE x = ?`, `SELECT "we?ird" FROM t WHERE x = $1`},
		{"SELECT ? -- what? \n, ?", "SELECT $1 -- what? \n, $2"},
		{`SELECT ? /* and ? */ , ?`, `SELECT $1 /* and ? */ , $2`},
		{`DO $$ BEGIN PERFORM '?'; END $$; SELECT ?`, `DO $$ BEGIN PERFORM '?'; END $$; SELECT $1`},
		{`FROM tickets t CROSS JOIN merchants m ON m.id = t.merchant_id WHERE t.id = ?`,
			`FROM tickets t JOIN merchants m ON m.id = t.merchant_id WHERE t.id = $1`},
		{`SELECT 'CROSS JOIN x' FROM t`, `SELECT 'CROSS JOIN x' FROM t`},
		{`SELECT 'unterminated ?`, `SELECT 'unterminated ?`},
	} {
		if got := numbered(c.in); got != c.want {
			t.Errorf("numbered(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

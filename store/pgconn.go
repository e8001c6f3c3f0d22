package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// The PostgreSQL connections. The store's queries are written once, with
// SQLite's placeholders (? and ?NNN), and run on both engines: on
// PostgreSQL, every connection the store opens goes through pgConn, which
// changes two things in a query's text, and nothing else:
//
//   - the placeholders, numbered as PostgreSQL does ($1, $2...);
//   - SQLite's join-order hint, "CROSS JOIN t x ON ...", which SQLite reads
//     as an inner join it must not reorder, and PostgreSQL refuses (it
//     plans the order itself): there it is the inner JOIN it means.
//
// It also passes Go's bools as the 0 and 1 the schema keeps flags as. What
// else must differ is written twice, side by side (engine.go).

// pgConnector opens pgx's database/sql connections, wrapped.
type pgConnector struct{ driver.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{conn.(*stdlib.Conn)}, nil
}

// pgConn is pgx's connection, with SQLite's placeholders numbered.
type pgConn struct{ *stdlib.Conn }

func (c *pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.Conn.Prepare(numbered(query))
}

func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, numbered(query))
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, numbered(query), args)
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, numbered(query), args)
}

// CheckNamedValue passes a bool (or a *bool) as the integer the schema
// keeps it as, and a nil *bool as NULL.
func (c *pgConn) CheckNamedValue(v *driver.NamedValue) error {
	if p, ok := v.Value.(*bool); ok {
		if p == nil {
			v.Value = nil
			return nil
		}
		v.Value = *p
	}
	if b, ok := v.Value.(bool); ok {
		v.Value = int64(0)
		if b {
			v.Value = int64(1)
		}
		return nil
	}
	return c.Conn.CheckNamedValue(v)
}

// numberedQueries caches numbered's answers: the store's queries are a
// fixed set of constants.
var numberedQueries sync.Map

// numbered rewrites SQLite's placeholders and join hints (above) into PostgreSQL's: ?NNN becomes
// $NNN, and a bare ? the next number, one more than the largest before it
// (as SQLite numbers them). A ? inside a string literal, a quoted
// name, a comment or a dollar-quoted body is left as it is.
func numbered(query string) string {
	if !strings.Contains(query, "?") && !strings.Contains(query, "CROSS JOIN ") {
		return query
	}
	if q, ok := numberedQueries.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			end := strings.IndexByte(query[i+1:], c)
			if end < 0 {
				b.WriteString(query[i:])
				i = len(query)
				continue
			}
			b.WriteString(query[i : i+end+2])
			i += end + 2
		case c == '-' && strings.HasPrefix(query[i:], "--"):
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				end = len(query) - i
			}
			b.WriteString(query[i : i+end])
			i += end
		case c == '/' && strings.HasPrefix(query[i:], "/*"):
			end := strings.Index(query[i+2:], "*/")
			if end < 0 {
				end = len(query) - i - 4
			}
			b.WriteString(query[i : i+end+4])
			i += end + 4
		case c == '$' && strings.HasPrefix(query[i:], "$$"):
			end := strings.Index(query[i+2:], "$$")
			if end < 0 {
				end = len(query) - i - 4
			}
			b.WriteString(query[i : i+end+4])
			i += end + 4
		case c == 'C' && strings.HasPrefix(query[i:], "CROSS JOIN "):
			b.WriteString("JOIN ")
			i += len("CROSS JOIN ")
		case c == '?':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			if j > i+1 {
				k, _ := strconv.Atoi(query[i+1 : j])
				n = max(n, k)
				b.WriteString("$" + query[i+1:j])
			} else {
				n++ // as SQLite numbers it: one more than the largest so far
				b.WriteString("$" + strconv.Itoa(n))
			}
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	q := b.String()
	numberedQueries.Store(query, q)
	return q
}

// isPostgres tells a PostgreSQL URL from a SQLite file's path.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// redactDSN is a PostgreSQL URL without its password, to be named in
// messages and logs.
func redactDSN(dsn string) string {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return "postgres://(unreadable URL)"
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}

package store

import "database/sql"

// DB exposes the write pool to tests that check what no method reveals.
func DB(s *Store) *sql.DB { return s.db }

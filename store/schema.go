package store

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// The schema's version is the set of migrations a database has applied,
// recorded by name in schema_migrations ("migrations/0016_backups.sql").
// A name this binary does not embed was applied by a newer binary.

// knownMigrations are the migrations this binary embeds for SQLite, in the
// order they apply.
func knownMigrations() []string { return embedded("migrations/*.sql") }

// knownPGMigrations are those for PostgreSQL ("migrations/postgres/0025_schema.sql"):
// its first stands for SQLite's 0001 to 0025; those after it are numbered
// as SQLite's are, one for each.
func knownPGMigrations() []string { return embedded("migrations/postgres/*.sql") }

func embedded(pattern string) []string {
	names, err := fs.Glob(migrations, pattern)
	if err != nil {
		panic(err) // the pattern is constant and valid
	}
	slices.Sort(names)
	return names
}

// schema is where a database stands against this binary's migrations.
type schema struct {
	known   []string // this binary's, for the database's engine
	applied []string // every migration the database has, in name order
	pending []string // known here, not applied yet
	unknown []string // applied, not known here: a newer binary's
}

func readSchema(ctx context.Context, q queryer, known []string) (schema, error) {
	sch := schema{known: known}
	rows, err := q.QueryContext(ctx, `SELECT name FROM schema_migrations ORDER BY name`)
	if err != nil {
		return sch, fmt.Errorf("read the applied migrations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return sch, err
		}
		sch.applied = append(sch.applied, name)
	}
	if err := rows.Err(); err != nil {
		return sch, err
	}
	for _, n := range known {
		if _, found := slices.BinarySearch(sch.applied, n); !found {
			sch.pending = append(sch.pending, n)
		}
	}
	for _, n := range sch.applied {
		if _, found := slices.BinarySearch(known, n); !found {
			sch.unknown = append(sch.unknown, n)
		}
	}
	return sch, nil
}

// refuseNewer is the one-line refusal of a database a newer binary has
// migrated: this one would not know what its tables mean.
func (sch schema) refuseNewer(path, version string) error {
	if len(sch.unknown) == 0 {
		return nil
	}
	return fmt.Errorf("store: %s is from a newer version of Anxin (its schema has %s; this binary, version %s, knows up to %s): "+
		"run that version or a later one, or restore a backup taken before the upgrade",
		path, migrationName(sch.unknown[len(sch.unknown)-1]), version, migrationName(sch.known[len(sch.known)-1]))
}

// migrationName is a migration as people name it: 0016_backups.
func migrationName(n string) string {
	n = strings.TrimPrefix(strings.TrimPrefix(n, "migrations/"), "postgres/")
	return strings.TrimSuffix(n, ".sql")
}

func migrationNames(list []string) []string {
	out := make([]string, len(list))
	for i, n := range list {
		out[i] = migrationName(n)
	}
	return out
}

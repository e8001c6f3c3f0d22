package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/demo"
	"github.com/anxin-helpdesk/anxin/store"
)

func migrate(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("migrate")
	dbPath := f.str("db", "./data/anxin.db", "database file")
	if err := f.parse(args); err != nil {
		return err
	}
	return withStore(ctx, *dbPath, func(st *store.Store) error { // Open applies the migrations
		fmt.Fprintf(stdout, "database %s is up to date\n", st.Path())
		return nil
	})
}

// withStore opens the database for a command, runs fn on it and closes it:
// an error closing it (its last checkpoint) is the command's too.
func withStore(ctx context.Context, path string, fn func(*store.Store) error) error {
	st, err := store.Open(ctx, path, storeConfig(path))
	if err != nil {
		return err
	}
	return errors.Join(fn(st), st.Close())
}

func seed(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("seed")
	dbPath := f.str("db", "./data/anxin.db", "database file")
	withDemo := f.boolean("demo", false, "the demo data set (the only one there is)")
	if err := f.parse(args); err != nil {
		return err
	}
	if !*withDemo {
		return usageError{"seed: say --demo to seed the demo data"}
	}
	return seedDemo(ctx, *dbPath, storeConfig(*dbPath), stdout)
}

// seedDemo fills an empty database with the demo data and prints the logins;
// on a database that has data already it only prints them.
func seedDemo(ctx context.Context, path string, cfg store.Config, stdout io.Writer) error {
	n, err := demo.Seed(ctx, path, cfg)
	if err != nil {
		return fmt.Errorf("seeding demo data: %w", err)
	}
	if n > 0 {
		fmt.Fprintf(stdout, "seeded %d demo tickets\n", n)
	}
	fmt.Fprintln(stdout, "demo logins (password "+demo.Password+"):")
	for _, l := range demo.Logins() {
		fmt.Fprintf(stdout, "  %-9s %-26s %s\n", l.Role, l.Email, l.Name)
	}
	return nil
}

func userAdd(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	f := newFlags("user add")
	dbPath := f.str("db", "./data/anxin.db", "database file")
	email := f.String("email", "", "login email (required)")
	role := f.String("role", "", "agent, merchant or admin (required)")
	merchant := f.String("merchant", "", "merchant code, for a merchant user")
	name := f.String("name", "", "display name (default: the part of the email before @)")
	if err := f.parse(args); err != nil {
		return err
	}
	if *email == "" || *role == "" {
		return usageError{"user add: --email and --role are required"}
	}
	u := anxin.User{Email: *email, Name: *name, Role: anxin.Role(*role)}
	if u.Name == "" {
		u.Name, _, _ = strings.Cut(*email, "@")
	}
	if !u.Role.Valid() {
		return usageError{fmt.Sprintf("user add: --role must be agent, merchant or admin, not %q", *role)}
	}
	if (u.Role == anxin.RoleMerchant) != (*merchant != "") {
		return usageError{"user add: --merchant is required for a merchant user, and only for one"}
	}
	password, generated, err := readPassword(stdin)
	if err != nil {
		return err
	}
	return withStore(ctx, *dbPath, func(st *store.Store) error {
		if *merchant != "" {
			m, err := st.MerchantByCode(ctx, *merchant)
			if err != nil {
				return err
			}
			u.MerchantID = m.ID
		}
		u, err := st.CreateUser(ctx, u, password)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created %s %s (id %d)\n", u.Role, u.Email, u.ID)
		if generated {
			fmt.Fprintf(stdout, "password: %s\n", password)
		}
		return nil
	})
}

// readPassword reads a password from stdin when it is piped; from a terminal
// or an empty stdin it generates one.
func readPassword(stdin io.Reader) (password string, generated bool, err error) {
	if f, ok := stdin.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			return generatePassword(), true, nil
		}
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", false, fmt.Errorf("reading the password: %w", err)
	}
	if p := strings.TrimRight(line, "\r\n"); p != "" {
		return p, false, nil
	}
	return generatePassword(), true, nil
}

// generatePassword returns 26 random base32 characters (130 bits).
func generatePassword() string { return rand.Text() }

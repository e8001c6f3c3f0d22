package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
)

// apikey manages the intake API's keys: create (the key is printed once;
// only its hash is kept), list, revoke.
func apikey(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError{"the apikey command takes create, list or revoke"}
	}
	switch sub, rest := args[0], args[1:]; sub {
	case "create":
		return apikeyCreate(ctx, rest, stdout)
	case "list":
		return apikeyList(ctx, rest, stdout)
	case "revoke":
		return apikeyRevoke(ctx, rest, stdout)
	default:
		return usageError{fmt.Sprintf("apikey: unknown subcommand %q (create, list or revoke)", sub)}
	}
}

func apikeyCreate(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("apikey create")
	dbPath := f.str("db", "./data/anxin.db", "database file")
	name := f.String("name", "", "who uses the key, e.g. the shop system (required)")
	if err := f.parse(args); err != nil {
		return err
	}
	if *name == "" {
		return usageError{"apikey create: --name is required"}
	}
	return withStore(ctx, *dbPath, func(st *store.Store) error {
		k, secret, err := st.CreateAPIKey(ctx, *name)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created API key %d %q\n%s\nshown once: store it now (only its hash is kept)\n", k.ID, k.Name, secret)
		return nil
	})
}

func apikeyList(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("apikey list")
	dbPath := f.str("db", "./data/anxin.db", "database file")
	if err := f.parse(args); err != nil {
		return err
	}
	var keys []anxin.APIKey
	if err := withStore(ctx, *dbPath, func(st *store.Store) (err error) {
		keys, err = st.APIKeys(ctx)
		return err
	}); err != nil {
		return err
	}
	when := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.UTC().Format("2006-01-02 15:04Z")
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tKEY\tCREATED\tLAST USED\tREVOKED")
	for _, k := range keys {
		fmt.Fprintf(w, "%d\t%s\t%s…\t%s\t%s\t%s\n", k.ID, k.Name, k.Prefix, when(k.CreatedAt), when(k.LastUsedAt), when(k.RevokedAt))
	}
	return w.Flush()
}

func apikeyRevoke(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("apikey revoke")
	dbPath := f.str("db", "./data/anxin.db", "database file")
	idFlag := f.String("id", "", "the key's id, from apikey list (required)")
	if err := f.parse(args); err != nil {
		return err
	}
	id, err := strconv.ParseInt(*idFlag, 10, 64)
	if err != nil || id <= 0 {
		return usageError{"apikey revoke: --id must be a key's id (see apikey list)"}
	}
	return withStore(ctx, *dbPath, func(st *store.Store) error {
		k, err := st.RevokeAPIKey(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked API key %d %q\n", k.ID, k.Name)
		return nil
	})
}

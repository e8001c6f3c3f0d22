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
	merchant := f.String("merchant", "", "the one merchant the key acts for (its code): for that merchant's own systems")
	all := f.Bool("all-merchants", false, "the key acts for every merchant: for the platform's integration")
	if err := f.parse(args); err != nil {
		return err
	}
	switch {
	case *name == "":
		return usageError{"apikey create: --name is required"}
	case (*merchant == "") == !*all:
		return usageError{"apikey create: say whom the key acts for: --merchant CODE or --all-merchants"}
	}
	return withStore(ctx, *dbPath, func(st *store.Store) error {
		scope := anxin.KeyScope{AllMerchants: *all}
		if *merchant != "" {
			m, err := st.MerchantByCode(ctx, *merchant)
			if err != nil {
				return err
			}
			scope.MerchantID = m.ID
		}
		k, secret, err := st.CreateAPIKey(ctx, *name, scope)
		if err != nil {
			return err
		}
		who := "every merchant"
		if k.MerchantID != 0 {
			who = "merchant " + k.MerchantCode
		}
		fmt.Fprintf(stdout, "created API key %d %q for %s\n%s\nshown once: store it now (only its hash is kept)\n",
			k.ID, k.Name, who, secret)
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
	fmt.Fprintln(w, "ID\tNAME\tKEY\tACTS FOR\tCREATED\tLAST USED\tREVOKED")
	for _, k := range keys {
		scope := "all merchants"
		switch {
		case k.MerchantID != 0:
			scope = k.MerchantCode
		case k.Unscoped:
			scope = "all merchants (made before scopes)"
		}
		fmt.Fprintf(w, "%d\t%s\t%s…\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Prefix, scope, when(k.CreatedAt),
			when(k.LastUsedAt), when(k.RevokedAt))
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

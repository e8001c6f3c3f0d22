package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/anxin-helpdesk/anxin/store"
)

// copyCmd moves a SQLite deployment into a new PostgreSQL database, and
// checks the two sides against each other.
func copyCmd(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("copy")
	from := f.str("from", "./data/anxin.db", "the SQLite database to copy, of a stopped deployment")
	to := f.str("to", "", "the PostgreSQL database to copy into, new and empty: postgres://user:password@host/database (required)")
	photos := f.str("photos", "", "the photos' directory (default: photos beside --from)")
	skip := f.boolean("skip-missing-photos", false, "copy on past a missing or damaged photo file, listing it")
	tz := f.str("tz", "Asia/Shanghai", "time zone whose days the figures are counted by, as serve's --tz")
	if err := f.parse(args); err != nil {
		return err
	}
	switch {
	case *to == "":
		return usageError{"copy: --to postgres://... is required"}
	case !store.IsPostgres(*to):
		return usageError{"copy: --to must be a PostgreSQL URL (postgres://user:password@host/database)"}
	case store.IsPostgres(*from):
		return usageError{"copy: --from must be a SQLite file; --to is the PostgreSQL database"}
	}
	zone, err := time.LoadLocation(*tz)
	if err != nil {
		return usageError{fmt.Sprintf("copy: unknown time zone %q", *tz)}
	}
	cfg := storeConfig(*from)
	cfg.PhotoDir, cfg.Zone = *photos, zone

	fmt.Fprintf(stdout, "copying %s into %s\n", *from, store.RedactURL(*to))
	rep, err := store.Copy(ctx, *from, *to, cfg, store.CopyOptions{SkipMissingPhotos: *skip,
		Progress: func(t store.CopiedTable) {
			if strings.HasPrefix(t.Name, "(") { // a step after the rows: the indexes, the statistics
				fmt.Fprintf(stdout, "  %-22s %12s       %s\n", t.Name, "", t.Took.Round(time.Millisecond))
				return
			}
			fmt.Fprintf(stdout, "  %-22s %12s rows  %s\n", t.Name, thousands(t.Dest), t.Took.Round(time.Millisecond))
		}})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "committed in %s; figures counted in %s\n",
		rep.CopyTook.Round(time.Millisecond), rep.FiguresTook.Round(time.Millisecond))
	printCopyReport(stdout, rep)
	if p := rep.Problems(); len(p) > 0 {
		return fmt.Errorf("copy: %s and %s differ in %d way(s): see above", rep.From, rep.To, len(p))
	}
	fmt.Fprintf(stdout, "copied and checked in %s: point serve's --db at the PostgreSQL URL\n", rep.Took.Round(time.Millisecond))
	return nil
}

// printCopyReport prints both sides' counts, the sums of money, the
// photos, the search index and the figures, and every difference.
func printCopyReport(w io.Writer, rep store.CopyReport) {
	fmt.Fprintf(w, "\n  %-22s %12s %12s\n", "table", "source", "destination")
	var rows int64
	for _, t := range rep.Tables {
		mark := ""
		if t.Source != t.Dest {
			mark = "  DIFFERS"
		}
		fmt.Fprintf(w, "  %-22s %12s %12s%s\n", t.Name, thousands(t.Source), thousands(t.Dest), mark)
		rows += t.Dest
	}
	fmt.Fprintf(w, "  %-22s %12s\n\n", fmt.Sprintf("%d tables", len(rep.Tables)), thousands(rows))
	fmt.Fprintln(w, "source:")
	printCounts(w, rep.Source)
	printMoney(w, rep.Source)
	fmt.Fprintln(w, "destination:")
	printCounts(w, rep.Dest)
	printMoney(w, rep.Dest)
	fmt.Fprintf(w, "  photos    %s files, %s copied from %s; %s files, %s in photo_files\n",
		thousands(int64(rep.PhotoFiles)), size(rep.PhotoBytes), rep.PhotoDir, thousands(int64(rep.DestPhotos)), size(rep.DestPhotoSize))
	for _, m := range rep.MissingPhotos {
		fmt.Fprintf(w, "  SKIPPED   %s\n", m)
	}
	fmt.Fprintf(w, "  search    %s tickets and %s messages indexed\n", thousands(rep.IndexedTickets), thousands(rep.IndexedMessages))
	d := rep.DestFigures
	fmt.Fprintf(w, "  figures   %s refunds paid (%s), %s merchant clocks ended, %s decisions by people",
		thousands(d.Refunded), yuan(d.RefundFen), thousands(d.Decided), thousands(d.Decisions))
	if rep.FiguresCompared {
		fmt.Fprintln(w, ", counted afresh: as the source's")
	} else {
		fmt.Fprintln(w, ", counted afresh (the source's were kept for another zone: not compared)")
	}
	if len(rep.Cleared) > 0 {
		fmt.Fprintf(w, "  replaced  rows the new database's schema put there, by the source's: %s\n", strings.Join(rep.Cleared, ", "))
	}
	for _, p := range rep.Problems() {
		fmt.Fprintf(w, "  PROBLEM   %s\n", p)
	}
}

func printMoney(w io.Writer, c store.Counts) {
	fmt.Fprintf(w, "  money     paid %s, refunded %s; refunds %s, succeeded %s\n",
		yuan(c.PaidFen), yuan(c.RefundedFen), yuan(c.RefundsFen), yuan(c.RefundsSucceededFen))
}

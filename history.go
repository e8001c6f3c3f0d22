package anxin

import (
	"slices"
	"time"
)

// BuyerHistory is what a ticket's buyer (matched by phone) has claimed
// before and since, as far as the viewer may see: every merchant's tickets
// for the staff, its own for a merchant.
type BuyerHistory struct {
	Others []Ticket // the buyer's other tickets, newest first (at most HistoryShown)
	// In the HistoryWindow before the ticket's claim (and since), counting it.
	Claims   int
	Refunded int // of those, how many paid a refund
	Flags    []Flag
}

// History limits: how many other tickets are shown, and the window the
// counts are over.
const (
	HistoryShown  = 20
	HistoryWindow = 90 * 24 * time.Hour
)

// FlagKind names a fact about a claim that helps an agent spot abuse. A
// flag is a fact with its links, never a decision: people decide.
type FlagKind string

const (
	FlagManyClaims     FlagKind = "many_claims"     // several claims in a short time
	FlagSamePhoto      FlagKind = "same_photo"      // a photo also on another ticket
	FlagSoonAfterValue FlagKind = "soon_after_high" // claimed soon after receipt, on costly goods
)

// Flag is one fact, with the tickets it is about.
type Flag struct {
	Kind    FlagKind
	Count   int      // the claims, photos or tickets the fact counts
	Tickets []string // ticket numbers to look at
}

// The thresholds of the flags.
const (
	ManyClaimsCount  = 3                   // claims by one buyer…
	ManyClaimsWithin = 30 * 24 * time.Hour // …within this long
	SoonAfterReceipt = 24 * time.Hour      // a claim this soon after receipt…
	HighValueFen     = 50000               // …on an order that paid at least ¥500
)

// FlagsOf finds the flags of a ticket from the buyer's other tickets (all
// of them in the window, not only those shown) and the ticket's evidence.
func FlagsOf(t Ticket, others []Ticket, evidence []Evidence) []Flag {
	var flags []Flag
	all := append([]Ticket{t}, others...)
	recent := []string{}
	for _, o := range all {
		if d := t.CreatedAt.Sub(o.CreatedAt); d < ManyClaimsWithin && d > -ManyClaimsWithin {
			recent = append(recent, o.Number)
		}
	}
	if len(recent) >= ManyClaimsCount {
		flags = append(flags, Flag{Kind: FlagManyClaims, Count: len(recent), Tickets: withoutNumber(recent, t.Number)})
	}
	var dup []string
	photos := 0
	for _, e := range evidence {
		if len(e.Duplicates) > 0 {
			photos++
		}
		for _, d := range e.Duplicates {
			if n := TicketNumber(d.TicketID); !slices.Contains(dup, n) {
				dup = append(dup, n)
			}
		}
	}
	if photos > 0 {
		flags = append(flags, Flag{Kind: FlagSamePhoto, Count: photos, Tickets: dup})
	}
	var soon []string
	for _, o := range all {
		if o.Order.PaidFen >= HighValueFen && !o.Order.ReceivedAt.IsZero() && o.CreatedAt.Sub(o.Order.ReceivedAt) < SoonAfterReceipt {
			soon = append(soon, o.Number)
		}
	}
	if len(soon) > 0 {
		flags = append(flags, Flag{Kind: FlagSoonAfterValue, Count: len(soon), Tickets: soon})
	}
	return flags
}

func withoutNumber(ns []string, n string) []string {
	return slices.DeleteFunc(slices.Clone(ns), func(x string) bool { return x == n })
}

package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo/phototest"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/jobs"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

var ctx = context.Background()

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestWebhookProviderWaitsForTheResult(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "m")
	tk := storetest.MustTicket(t, s, m.ID, anxin.UnshippedRefund, 12900)
	clock.Advance(48 * time.Hour)
	sch, err := jobs.NewScheduler(s, jobs.Config{Logger: quiet, RefundProvider: jobs.ProviderWebhook})
	if err != nil {
		t.Fatal(err)
	}
	r, err := sch.Tick(ctx)
	if err != nil || r.Timeouts.Done != 1 || r.Refunds.Done != 0 {
		t.Fatalf("round %+v, %v", r, err)
	}
	if got, _ := s.Ticket(ctx, anxin.AllMerchants(), tk.ID); got.State != anxin.Refunding {
		t.Fatalf("with the webhook provider the refund waits for the payment system: %s", got.State)
	}
	if _, err := jobs.NewScheduler(s, jobs.Config{RefundProvider: "paypal"}); err == nil {
		t.Fatal("an unknown provider was accepted")
	}
}

// TestSchedulerKeepsPersonalDataAsLongAsSet: the scheduler's hourly purge
// erases the buyer's contact of a ticket ended longer ago than its
// setting, and deletes its photos once their own, longer setting passes.
func TestSchedulerKeepsPersonalDataAsLongAsSet(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "m")
	tk := storetest.MustTicketIn(t, s, m.ID, anxin.Refunded, 12900)
	ev, err := s.AddPhoto(ctx, anxin.Buyer(), store.Upload{TicketID: tk.ID, Data: phototest.JPEG(phototest.Scene(21, 640, 480), 90), Backdated: true})
	if err != nil {
		t.Fatal(err)
	}
	sch, err := jobs.NewScheduler(s, jobs.Config{Logger: quiet, RetainContact: 90 * 24 * time.Hour, RetainPhotos: 365 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	tick := func() anxin.Ticket {
		t.Helper()
		if _, err := sch.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := s.Ticket(ctx, anxin.AllMerchants(), tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := tick(); !got.ContactErased.IsZero() || !got.PhotosErased.IsZero() {
		t.Fatalf("erased at once: %+v", got)
	}
	clock.Advance(90 * 24 * time.Hour)
	if got := tick(); got.ContactErased.IsZero() || !got.PhotosErased.IsZero() {
		t.Fatalf("after 90 days: contact erased %v, photos %v", got.ContactErased, got.PhotosErased)
	}
	clock.Advance(275 * 24 * time.Hour)
	if got := tick(); got.PhotosErased.IsZero() {
		t.Fatal("the photos outlived their year")
	}
	if _, _, err := s.Photo(ctx, anxin.AllMerchants(), ev.ID, store.Display); err == nil {
		t.Fatal("the deleted photo still opens")
	}
}

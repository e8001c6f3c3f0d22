package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
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

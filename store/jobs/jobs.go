// Package jobs is the scheduler, run inside the binary by `anxin serve`: it
// acts on passed deadlines, pays refunds with the built-in provider, sends
// deadline notices and purges what is kept only for a while.
//
// Its every step is a store use case (it reads and writes nothing but the
// database), so it sits with the store. A test drives it one round at a time
// (Scheduler.Tick) on a settable clock, and `serve` runs it in a loop
// (Scheduler.Run) that stops when asked, after the round at hand.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Refund providers: who pays a refund once it is recorded.
const (
	// ProviderBuiltin marks every refund succeeded at once: for demos and
	// small deploys that pay by hand elsewhere.
	ProviderBuiltin = "builtin"
	// ProviderWebhook hands refunds to the merchant's payment system by the
	// refund.requested webhook; it answers on POST /api/v1/refunds/{number}/result.
	ProviderWebhook = "webhook"
)

// Config is how the scheduler runs.
type Config struct {
	RefundProvider string        // ProviderBuiltin (default) or ProviderWebhook
	Interval       time.Duration // between rounds when nothing wakes it; default 1 s
	Logger         *slog.Logger
	// RetainContact is how long after a ticket ended its buyer's name and
	// phone are kept (anxin.Ticket.ContactErasable); 0 keeps them for ever.
	RetainContact time.Duration
	// RetainPhotos is how long after a ticket ended its evidence photos
	// are kept (anxin.Ticket.PhotosErasable); 0 keeps them for ever.
	RetainPhotos time.Duration
}

func (c Config) withDefaults() (Config, error) {
	switch c.RefundProvider {
	case "":
		c.RefundProvider = ProviderBuiltin
	case ProviderBuiltin, ProviderWebhook:
	default:
		return c, fmt.Errorf("unknown refund provider %q (builtin or webhook)", c.RefundProvider)
	}
	if c.Interval <= 0 {
		c.Interval = time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c, nil
}

// Loop runs round at once, then every interval or when wake receives, until
// ctx ends: how the scheduler and the webhook sender (web/webhook) run.
func Loop(ctx context.Context, interval time.Duration, wake <-chan struct{}, round func(context.Context)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		round(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
	}
}

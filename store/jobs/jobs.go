// Package jobs is Anxin's background work, run inside the binary by
// `anxin serve`: the scheduler, which acts on passed deadlines, pays refunds
// with the built-in provider, sends deadline notices and purges what is kept
// only for a while; and the sender, which delivers the webhook outbox.
//
// Both do their work through the store, so a test drives them one round at
// a time (Scheduler.Tick, Sender.Flush) on a settable clock, and `serve`
// runs them in loops (Start) that stop when asked, after the round at hand.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/anxin-helpdesk/anxin/store"
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

// Config is how the workers run.
type Config struct {
	RefundProvider string        // ProviderBuiltin (default) or ProviderWebhook
	Interval       time.Duration // between rounds when nothing wakes them; default 1 s
	Logger         *slog.Logger
	// Client sends webhooks; default: 10 s timeout, redirects not followed.
	Client *http.Client
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
	if c.Client == nil {
		c.Client = &http.Client{
			Timeout:       10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return c, nil
}

// Workers are the scheduler and the sender running in the background.
type Workers struct {
	Scheduler *Scheduler
	Sender    *Sender
	cancel    context.CancelFunc
	wg        sync.WaitGroup
}

// Start runs the scheduler and the sender until Stop. The scheduler's first
// round catches up every deadline that passed while Anxin was down.
func Start(ctx context.Context, st *store.Store, cfg Config) (*Workers, error) {
	sch, err := NewScheduler(st, cfg)
	if err != nil {
		return nil, err
	}
	snd, err := NewSender(st, cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &Workers{Scheduler: sch, Sender: snd, cancel: cancel}
	w.wg.Go(func() { sch.Run(ctx) })
	w.wg.Go(func() { snd.Run(ctx) })
	return w, nil
}

// Stop ends both loops and waits for the rounds at hand to finish.
func (w *Workers) Stop() {
	w.cancel()
	w.wg.Wait()
}

// loop runs round at once, then every interval or when wake receives, until
// ctx ends.
func loop(ctx context.Context, interval time.Duration, wake <-chan struct{}, round func(context.Context)) {
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

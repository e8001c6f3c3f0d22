// Package views renders Anxin's HTML with templ. It formats money, times and
// countdowns, and speaks Simplified Chinese by default with English as a choice.
package views

import (
	"context"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// Page is what every page knows about the request it answers.
type Page struct {
	User  *anxin.User // nil when logged out
	Lang  string      // "zh" or "en"
	CSRF  string
	Zone  *time.Location
	Now   time.Time
	Path  string // the request path, for the current nav item
	Flash Flash
	// Unread is the user's unread alerts: the bell's count.
	Unread int
}

// Flash is a one-time message carried across a redirect.
type Flash struct {
	Kind    string // ok, bad or info
	Message string
}

type pageKey struct{}

// WithPage returns a context carrying p, for the components rendered with it.
func WithPage(ctx context.Context, p Page) context.Context {
	return context.WithValue(ctx, pageKey{}, &p)
}

func page(ctx context.Context) *Page {
	if p, ok := ctx.Value(pageKey{}).(*Page); ok {
		return p
	}
	return &Page{Lang: "zh", Zone: time.UTC, Now: time.Now()}
}

func currentUser(ctx context.Context) *anxin.User { return page(ctx).User }

// serverNow is the server's "now" as the page is made: countdowns run from
// it (app.js), so that they agree with the deadlines the server acts on
// whatever the clock of the agent's computer says.
func serverNow(ctx context.Context) string { return page(ctx).Now.UTC().Format(time.RFC3339Nano) }

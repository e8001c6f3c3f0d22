// Package webhook sends the webhook outbox: each delivery the store wrote
// with the change it tells of is POSTed to its endpoint, signed, and its
// attempt recorded back in the store, which schedules the retries.
//
// The sender does HTTP, so it lives with the HTTP layer; the store only
// keeps the outbox. A test drives it one round at a time (Sender.Flush) on a
// settable clock, and `serve` runs it in a loop (Sender.Run) that stops when
// asked, after the round at hand.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// Webhook request headers. The signature is HMAC-SHA256, keyed with the
// endpoint's secret, over the timestamp, a dot and the body:
//
//	X-Anxin-Signature: sha256=hex(HMAC(secret, X-Anxin-Timestamp + "." + body))
//
// A receiver recomputes it, compares in constant time, and refuses a
// timestamp far from its clock (replays).
const (
	HeaderEvent     = "X-Anxin-Event"
	HeaderEventID   = "X-Anxin-Event-Id"
	HeaderDelivery  = "X-Anxin-Delivery"
	HeaderTimestamp = "X-Anxin-Timestamp"
	HeaderSignature = "X-Anxin-Signature"
)

// Sign is the X-Anxin-Signature of a body sent at the unix time ts.
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Config is how the sender runs.
type Config struct {
	Interval time.Duration // between flushes when no commit wakes it; default 1 s
	Logger   *slog.Logger
	// AllowPrivate lets deliveries reach loopback and private addresses
	// (target.go); by default they may not.
	AllowPrivate bool
	// Client sends the requests; default: 10 s timeout, redirects not
	// followed, private addresses refused unless AllowPrivate.
	Client *http.Client
}

func (c Config) withDefaults() Config {
	if c.Interval <= 0 {
		c.Interval = time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Client == nil {
		c.Client = newClient(c.AllowPrivate)
	}
	return c
}

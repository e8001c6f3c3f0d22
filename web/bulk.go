package web

import (
	"sync"
	"time"

	"github.com/anxin-helpdesk/anxin/views"
	"github.com/labstack/echo/v4"
)

// A bulk action answers with a redirect to the queue (so that a reload does
// not act again), and the queue shows what it did, once. The outcomes stay
// here, in memory, for the user who acted, under a token the session cookie
// carries: fifty outcomes in the user's words would not fit in a cookie.
const valBulk = "bulk"

// bulkKept is how long outcomes wait for the page that shows them.
const bulkKept = 10 * time.Minute

type bulkOutcomes struct {
	mu sync.Mutex
	m  map[string]bulkOutcome
}

type bulkOutcome struct {
	user    int64
	at      time.Time
	results []views.BulkResult
}

// put keeps a user's outcomes and returns their token; outcomes nobody came
// for are dropped.
func (b *bulkOutcomes) put(user int64, now time.Time, results []views.BulkResult) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = map[string]bulkOutcome{}
	}
	for k, o := range b.m {
		if now.Sub(o.at) > bulkKept {
			delete(b.m, k)
		}
	}
	token := randomToken()
	b.m[token] = bulkOutcome{user: user, at: now, results: results}
	return token
}

// take hands the outcomes to their user, once.
func (b *bulkOutcomes) take(token string, user int64) []views.BulkResult {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.m[token]
	if !ok || o.user != user {
		return nil
	}
	delete(b.m, token)
	return o.results
}

// takeBulk is what the user's last bulk action did, if the queue page has
// not shown it yet.
func (s *Server) takeBulk(c echo.Context) []views.BulkResult {
	sess := sessionOf(c)
	token, _ := sess.Values[valBulk].(string)
	if token == "" {
		return nil
	}
	delete(sess.Values, valBulk)
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		s.log.Warn("forgetting shown bulk results failed", "err", err)
	}
	return s.bulks.take(token, user(c).ID)
}

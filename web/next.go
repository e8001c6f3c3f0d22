package web

import (
	"strconv"
	"strings"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/labstack/echo/v4"
)

// "Next ticket", offered after an action, comes from the view of the queue
// the user last looked at (its tab, filters and order), which the session
// cookie keeps, and leaves out the tickets it offered a moment ago that the
// user did not take: a ticket the user passed over (an overdue refund that
// failed, which someone else is on) is not offered again and again.
const (
	valQueueView = "queue"   // the query of the last queue view (tab, filters, order)
	valOffered   = "offered" // ids of the tickets offered lately, newest first
	offeredKept  = 5
)

// rememberView keeps the queue view the user is looking at, for the next
// ticket; a new view forgets what the old one offered.
func (s *Server) rememberView(c echo.Context, f views.QueueFilter) {
	sess := sessionOf(c)
	q := f.Query()
	if old, ok := sess.Values[valQueueView].(string); ok && old == q {
		return
	}
	sess.Values[valQueueView] = q
	delete(sess.Values, valOffered)
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		s.log.Warn("remembering the queue view failed", "err", err)
	}
}

// offerNext marks the action done and finds the next ticket of the user's
// queue view: not the one just handled, nor one offered lately (unless
// nothing else is left).
func (s *Server) offerNext(c echo.Context, p *views.TicketPage, a anxin.Action) error {
	p.Outcome = views.Outcome{Kind: "done", Action: a}
	u, sess := user(c), sessionOf(c)
	view, _ := sess.Values[valQueueView].(string)
	qq := parseQueueQuery(queueURLQuery("/queue?"+view), u)
	f, _ := tabFilter(qq.filter.Tab, qq.base, u, s.now())
	offered := parseIDs(sess.Values[valOffered])
	ctx := c.Request().Context()
	next, ok, err := s.store.Next(ctx, f, append([]int64{p.Ticket.ID}, offered...))
	if err == nil && !ok && len(offered) > 0 {
		next, ok, err = s.store.Next(ctx, f, []int64{p.Ticket.ID})
	}
	if err != nil || !ok {
		return err
	}
	p.Next = &next
	offered = append([]int64{next.ID}, offered...)
	sess.Values[valOffered] = joinIDs(offered[:min(len(offered), offeredKept)])
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		s.log.Warn("remembering the offered ticket failed", "err", err)
	}
	return nil
}

func parseIDs(v any) []int64 {
	s, _ := v.(string)
	var out []int64
	for _, f := range strings.Split(s, ",") {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil && id > 0 {
			out = append(out, id)
		}
	}
	return out
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

package web

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/labstack/echo/v4"
)

// The live workbench: pages hold a server-sent-events connection. A queue
// page is told when any ticket it may see changes, and refreshes its rows; a
// ticket page is told when its ticket changes and who else has it open.
// Every page of a user is told the user's count of unread alerts when it
// changes (event "alerts"), and no other user's page is.

type sseEvent struct {
	name string
	data string
}

// maxStreamsPerUser bounds the live connections one user holds: a user
// with more open pages than that (or a script opening streams) has its
// oldest closed; a page whose stream closed reconnects when it is looked at.
const maxStreamsPerUser = 8

// liveClient is one open page.
type liveClient struct {
	userID   int64
	name     string
	scope    anxin.Scope
	ticket   int64 // 0 for a queue page
	merchant int64 // the ticket's merchant, for a ticket page
	seq      uint64
	events   chan sseEvent
	kicked   chan struct{} // closed when the user opened too many others
}

// send delivers an event without ever blocking the hub: a page that is
// behind has a refresh pending already, so dropping is safe.
func (c *liveClient) send(e sseEvent) {
	select {
	case c.events <- e:
	default:
	}
}

type liveHub struct {
	mu      sync.Mutex
	seq     uint64
	clients map[*liveClient]struct{}
	closed  bool
	done    chan struct{}
	memo    *memo // dropped on every change the pages hear of
}

func newLiveHub(m *memo) *liveHub {
	return &liveHub{clients: map[*liveClient]struct{}{}, done: make(chan struct{}), memo: m}
}

// run forwards the store's notices of committed changes to the pages that
// may see them, after dropping what the queue memo holds.
func (h *liveHub) run(notices <-chan []store.Notice) {
	for batch := range notices {
		h.memo.forget()
		h.mu.Lock()
		for c := range h.clients {
			// A page hears once per batch that its ticket (or one of its
			// queue's) changed; a ticket page also hears of a new message,
			// which it shows without a reload; every page of a user hears
			// the user's unread alerts.
			var changed, message bool
			var first int64 // the first changed ticket a queue page hears of
			unread := -1
			for _, n := range batch {
				switch {
				case n.Kind == store.NoticeUnread:
					if n.UserID == c.userID {
						unread = n.Unread // the last of the batch is the count now
					}
				case !c.scope.Sees(n.MerchantID) || n.Kind == store.NoticeInternalNote && c.scope.MerchantID != 0:
					// another merchant's, or the staff's own
				case c.ticket != 0 && c.ticket != n.TicketID:
				case n.Kind == store.NoticeMessage && c.ticket != 0:
					message = true
				case !changed:
					changed, first = true, n.TicketID
				}
			}
			if message {
				c.send(sseEvent{name: "message", data: anxin.TicketNumber(c.ticket)})
			}
			if changed {
				c.send(sseEvent{name: "changed", data: anxin.TicketNumber(first)})
			}
			if unread >= 0 {
				c.send(sseEvent{name: "alerts", data: strconv.Itoa(unread)})
			}
		}
		h.mu.Unlock()
	}
}

// add registers an open page, closing the user's oldest stream when the
// user holds maxStreamsPerUser already.
func (h *liveHub) add(c *liveClient) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	var mine []*liveClient
	for o := range h.clients {
		if o.userID == c.userID {
			mine = append(mine, o)
		}
	}
	if len(mine) >= maxStreamsPerUser {
		oldest := slices.MinFunc(mine, func(a, b *liveClient) int { return cmp.Compare(a.seq, b.seq) })
		h.removeLocked(oldest)
		close(oldest.kicked)
	}
	h.seq++
	c.seq = h.seq
	h.clients[c] = struct{}{}
	if c.ticket != 0 {
		h.presenceChanged(c)
	}
	return true
}

func (h *liveHub) remove(c *liveClient) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.removeLocked(c)
}

func (h *liveHub) removeLocked(c *liveClient) {
	if _, ok := h.clients[c]; !ok {
		return // closed for too many streams already
	}
	delete(h.clients, c)
	if c.ticket != 0 {
		h.presenceChanged(c)
	}
}

// presenceChanged tells the viewers of c's ticket who else is there, and
// the queue pages that may see the ticket to refresh their "being handled
// by" markers: another merchant's queue hears nothing. h.mu is held.
func (h *liveHub) presenceChanged(c *liveClient) {
	h.memo.forget() // the shared queue rows show who is where
	for o := range h.clients {
		switch {
		case o.ticket == c.ticket:
			names, _ := json.Marshal(h.viewersLocked(c.ticket, o.userID))
			o.send(sseEvent{name: "presence", data: string(names)})
		case o.ticket == 0 && o.scope.Sees(c.merchant):
			o.send(sseEvent{name: "changed", data: anxin.TicketNumber(c.ticket)})
		}
	}
}

// viewers names the others who have the ticket open.
func (h *liveHub) viewers(ticket, except int64) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.viewersLocked(ticket, except)
}

func (h *liveHub) viewersLocked(ticket, except int64) []string {
	seen := map[string]bool{}
	names := []string{}
	for c := range h.clients {
		if c.ticket == ticket && c.userID != except && !seen[c.name] {
			seen[c.name] = true
			names = append(names, c.name)
		}
	}
	sort.Strings(names)
	return names
}

// viewersOf maps each ticket to who has it open (everyone: the live region is
// shared, and each page hides its own user).
func (h *liveHub) viewersOf(tickets []anxin.Ticket) map[int64][]views.Viewer {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[int64][]views.Viewer{}
	for _, t := range tickets {
		seen := map[int64]bool{}
		for c := range h.clients {
			if c.ticket == t.ID && !seen[c.userID] {
				seen[c.userID] = true
				out[t.ID] = append(out[t.ID], views.Viewer{UserID: c.userID, Name: c.name})
			}
		}
		slices.SortFunc(out[t.ID], func(a, b views.Viewer) int { return cmp.Compare(a.Name, b.Name) })
	}
	return out
}

// close ends every live connection (on shutdown).
func (h *liveHub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}

// events streams a page's live events: GET /events for a queue page (or
// any other page, for its alerts), GET /events?ticket=AX-000123 for a
// ticket page.
func (s *Server) events(c echo.Context) error {
	u := user(c)
	lc := &liveClient{userID: u.ID, name: u.Name, scope: u.Actor().Scope(), events: make(chan sseEvent, 16),
		kicked: make(chan struct{})}
	if number := c.QueryParam("ticket"); number != "" {
		t, err := s.store.TicketByNumber(c.Request().Context(), lc.scope, number)
		if err != nil {
			return err
		}
		lc.ticket, lc.merchant = t.ID, t.MerchantID
	}
	if !s.live.add(lc) {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "shutting down")
	}
	defer s.live.remove(lc)

	w := c.Response()
	w.Header().Set(echo.HeaderContentType, "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 3000\n\n")
	w.Flush()
	ping := time.NewTicker(25 * time.Second)
	defer ping.Stop()
	for {
		select {
		case e := <-lc.events:
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.name, e.data)
		case <-ping.C:
			fmt.Fprint(w, ": ping\n\n")
		case <-c.Request().Context().Done():
			return nil
		case <-s.live.done:
			return nil
		case <-lc.kicked:
			return nil
		}
		w.Flush()
	}
}

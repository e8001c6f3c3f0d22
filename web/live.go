package web

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
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

type sseEvent struct {
	name string
	data string
}

// liveClient is one open page.
type liveClient struct {
	userID int64
	name   string
	scope  anxin.Scope
	ticket int64 // 0 for a queue page
	events chan sseEvent
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
	clients map[*liveClient]struct{}
	closed  bool
	done    chan struct{}
	memo    *memo // dropped on every change the pages hear of
}

func newLiveHub(m *memo) *liveHub {
	return &liveHub{clients: map[*liveClient]struct{}{}, done: make(chan struct{}), memo: m}
}

// run forwards committed store changes to the pages that may see them,
// after dropping what the queue memo holds.
func (h *liveHub) run(changes <-chan []store.Change) {
	for batch := range changes {
		h.memo.forget()
		h.mu.Lock()
		for c := range h.clients {
			for _, ch := range batch {
				if c.scope.MerchantID != 0 && c.scope.MerchantID != ch.MerchantID {
					continue
				}
				if c.ticket == 0 || c.ticket == ch.TicketID {
					c.send(sseEvent{name: "changed", data: anxin.TicketNumber(ch.TicketID)})
					break
				}
			}
		}
		h.mu.Unlock()
	}
}

func (h *liveHub) add(c *liveClient) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.clients[c] = struct{}{}
	if c.ticket != 0 {
		h.presenceChanged(c.ticket)
	}
	return true
}

func (h *liveHub) remove(c *liveClient) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.clients, c)
	if c.ticket != 0 {
		h.presenceChanged(c.ticket)
	}
}

// presenceChanged tells a ticket's viewers who else is there, and queue
// pages to refresh their "being handled by" markers. h.mu is held.
func (h *liveHub) presenceChanged(ticket int64) {
	h.memo.forget() // the shared queue rows show who is where
	for c := range h.clients {
		switch {
		case c.ticket == ticket:
			names, _ := json.Marshal(h.viewersLocked(ticket, c.userID))
			c.send(sseEvent{name: "presence", data: string(names)})
		case c.ticket == 0:
			c.send(sseEvent{name: "changed", data: anxin.TicketNumber(ticket)})
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

// events streams a page's live events: GET /events for a queue page,
// GET /events?ticket=AX-000123 for a ticket page.
func (s *Server) events(c echo.Context) error {
	u := user(c)
	lc := &liveClient{userID: u.ID, name: u.Name, scope: u.Actor().Scope(), events: make(chan sseEvent, 16)}
	if number := c.QueryParam("ticket"); number != "" {
		t, err := s.store.TicketByNumber(c.Request().Context(), lc.scope, number)
		if err != nil {
			return err
		}
		lc.ticket = t.ID
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
		}
		w.Flush()
	}
}

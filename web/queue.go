package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/labstack/echo/v4"
)

// tabCap is where tab counts stop counting: "999+".
const tabCap = 999

// queueTabs are the queue's tabs: what each selects, for whom, in the
// order they are shown. A merchant's first tab is its own work: the tickets
// on its clock; then those waiting for the buyer.
var queueTabs = []struct {
	key, label string
	roles      []anxin.Role // who sees the tab (none: everyone)
	apply      func(f *store.QueueFilter, u *anxin.User, now time.Time)
}{
	{"todo", "To do", merchantOnly, func(f *store.QueueFilter, _ *anxin.User, _ time.Time) {
		f.Owes = anxin.RoleMerchant
	}},
	{"buyer", "Waiting for the buyer", merchantOnly, func(f *store.QueueFilter, _ *anxin.User, _ time.Time) {
		f.Owes = anxin.RoleBuyer
	}},
	{"all", "All open", nil, func(*store.QueueFilter, *anxin.User, time.Time) {}},
	{"overdue", "Overdue", nil, func(f *store.QueueFilter, _ *anxin.User, now time.Time) { f.DueBefore = now }},
	{"soon", "Due within 1 h", nil, func(f *store.QueueFilter, _ *anxin.User, now time.Time) {
		f.DueFrom, f.DueBefore = now, now.Add(time.Hour)
	}},
	{"mine", "Mine", staffOnly, func(f *store.QueueFilter, u *anxin.User, _ time.Time) { f.AssigneeID = u.ID }},
	{"unassigned", "Unassigned", staffOnly, func(f *store.QueueFilter, _ *anxin.User, _ time.Time) { f.Unassigned = true }},
	{"arbitration", "In arbitration", nil, func(f *store.QueueFilter, _ *anxin.User, _ time.Time) { f.State = anxin.Arbitration }},
}

var (
	staffOnly    = []anxin.Role{anxin.RoleAgent, anxin.RoleAdmin}
	merchantOnly = []anxin.Role{anxin.RoleMerchant}
)

// homeTab is the tab a queue URL without one shows the user.
func homeTab(u *anxin.User) string {
	if u.Role == anxin.RoleMerchant {
		return "todo"
	}
	return "all"
}

// tabFilter is what the view's tab selects for the user: the base filter
// and the tab's own conditions; ok is false for a tab the user does not have.
func tabFilter(tab string, base store.QueueFilter, u *anxin.User, now time.Time) (store.QueueFilter, bool) {
	for _, t := range queueTabs {
		if t.key == tab && (len(t.roles) == 0 || slices.Contains(t.roles, u.Role)) {
			t.apply(&base, u, now)
			return base, true
		}
	}
	return base, false
}

// queueQuery is a view of the queue as its URL asks for it.
type queueQuery struct {
	filter views.QueueFilter // as the URL has it, for the page's links
	base   store.QueueFilter // what it selects in the user's scope, before the tab's own conditions
	after  store.QueueCursor // where the page starts
}

// parseQueueQuery reads a view of the queue from a queue URL's query: the
// tab, the filters and the page's cursor. It is the one reader of queue
// URLs, for the queue page and for the page a bulk action goes back to.
// Values that do not parse select nothing rather than everything.
func parseQueueQuery(v url.Values, u *anxin.User) queueQuery {
	f := views.QueueFilter{Tab: v.Get("tab"), Merchant: v.Get("merchant"), Service: v.Get("service"),
		State: v.Get("state"), Assignee: v.Get("assignee"), Q: strings.TrimSpace(v.Get("q")), Sort: v.Get("sort"),
		Home: homeTab(u)}
	if f.Tab == "" {
		f.Tab = f.Home
	}
	switch store.QueueSort(f.Sort) {
	case store.SortDeadline, store.SortAmount, store.SortCreated:
	default:
		f.Sort = "" // an order the queue does not know: by deadline
	}
	base := store.QueueFilter{Scope: u.Actor().Scope(), Service: anxin.ServiceKey(f.Service), State: anxin.State(f.State),
		Search: f.Q, Sort: store.QueueSort(f.Sort)}
	if f.Merchant != "" {
		base.MerchantID = parseID(f.Merchant)
	}
	if f.Assignee != "" {
		base.AssigneeID = parseID(f.Assignee)
	}
	return queueQuery{filter: f, base: base, after: store.ParseQueueCursor(v.Get("after"))}
}

// queueURLQuery is the query of a queue URL ("/queue?tab=…"); nothing for
// one that does not parse, which is the whole queue.
func queueURLQuery(u string) url.Values {
	parsed, err := url.Parse(u)
	if err != nil {
		return url.Values{}
	}
	return parsed.Query()
}

func parseID(s string) int64 {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return -1 // no row has this id
	}
	return id
}

// queue shows open tickets by nearest deadline, a page at a time, with tabs
// and filters in the URL. An htmx request for the live region gets just that.
func (s *Server) queue(c echo.Context) error {
	q, err := s.queueView(c, parseQueueQuery(c.QueryParams(), user(c)))
	if err != nil {
		return err
	}
	c.Response().Header().Add("Vary", "HX-Request")
	if isHTMX(c) && c.Request().Header.Get("HX-Target") == "queue-live" {
		c.Response().Header().Set("Cache-Control", "no-store")
		var buf bytes.Buffer
		buf.WriteString(q.LiveHTML)
		if err := views.UnreadMarks(q.Unread, true).Render(s.langCtx(c), &buf); err != nil {
			return err
		}
		return c.HTML(http.StatusOK, buf.String())
	}
	s.rememberView(c, q.Filter)
	q.Bulk = s.takeBulk(c)
	return s.render(c, http.StatusOK, views.QueuePage(q))
}

func (s *Server) queueView(c echo.Context, qq queueQuery) (views.Queue, error) {
	ctx := c.Request().Context()
	u := user(c)
	now := s.now()
	staff := u.Role != anxin.RoleMerchant
	f, base, after := qq.filter, qq.base, qq.after
	q := views.Queue{Filter: f, Staff: staff, Services: anxin.Services(), Policies: map[anxin.ServiceKey]anxin.Policy{}}
	for _, svc := range q.Services {
		q.Policies[svc.Key] = svc.Default
	}
	sf, key := base, queueKeyOf(f.Home, base, u)
	found := false
	for _, tab := range queueTabs {
		tf, ok := tabFilter(tab.key, base, u, now)
		if !ok {
			continue
		}
		count, err := s.memo.counts.get(queueKeyOf(tab.key, base, u), now, func() (int, error) {
			return s.store.QueueCount(ctx, tf, tabCap+1)
		})
		if err != nil {
			return q, err
		}
		active := f.Tab == tab.key
		if active {
			sf, found, key = tf, true, queueKeyOf(tab.key, base, u)
		}
		q.Tabs = append(q.Tabs, views.Tab{Key: tab.key, Label: tab.label, Count: min(count, tabCap), Capped: count > tabCap,
			Active: active, URL: f.WithTab(tab.key).URL()})
	}
	if !found {
		q.Filter.Tab = f.Home
		sf, _ = tabFilter(f.Home, base, u, now)
		for i := range q.Tabs {
			q.Tabs[i].Active = q.Tabs[i].Key == f.Home
		}
	}
	sf.After = after
	page := pageKey{key, after}
	v, err := s.memo.pages.get(page, now, func() (queuePage, error) {
		var p queuePage
		var err error
		if sf.Search != "" {
			// A search finds tickets in every state: one page of the
			// best matches, open ones first.
			p.tickets, err = s.store.Search(ctx, sf)
		} else {
			p.tickets, p.next, err = s.store.Queue(ctx, sf)
		}
		if err != nil {
			return p, err
		}
		p.warnings, err = s.store.Warnings(ctx, p.tickets)
		return p, err
	})
	if err != nil {
		return q, err
	}
	q.Tickets, q.First, q.Warnings = v.tickets, after.IsZero(), v.warnings
	q.Page = q.Filter.URL()
	if !after.IsZero() {
		q.Page = withParam(q.Page, "after", after.String())
	}
	if !v.next.IsZero() {
		q.Next = withParam(q.Filter.URL(), "after", v.next.String())
	}
	q.Viewers, q.Role = s.live.viewersOf(v.tickets), u.Role
	saved, err := s.store.SavedViews(ctx, u.ID)
	if err != nil {
		return q, err
	}
	for _, sv := range saved {
		q.Saved = append(q.Saved, views.SavedTab{ID: sv.ID, Name: sv.Name, URL: "/queue?" + sv.Query,
			Active: sameQuery(sv.Query, q.Filter.Query())})
	}
	unread, err := s.store.Unread(ctx, u.ID, v.tickets)
	if err != nil {
		return q, err
	}
	for _, t := range v.tickets {
		if unread[t.ID] {
			q.Unread = append(q.Unread, t.Number)
		}
	}
	// The rows are the same for everyone who sees this view in this language
	// (no session token, no "you" in them): rendered once for all of them,
	// until a ticket or a viewer changes or the second moves on.
	lang := s.lang(c)
	q.LiveHTML, err = s.memo.rows.get(rowsKey{page, q.Filter, lang, u.Role}, now, func() (string, error) {
		var buf bytes.Buffer
		err := views.QueueLive(q).Render(views.WithPage(ctx, views.Page{Lang: lang, Zone: s.cfg.Zone, Now: now}), &buf)
		return buf.String(), err
	})
	if err != nil {
		return q, err
	}
	if staff {
		if q.Merchants, err = s.memo.merchants.get(struct{}{}, now, func() ([]anxin.Merchant, error) {
			return s.store.Merchants(ctx, anxin.AllMerchants())
		}); err != nil {
			return q, err
		}
		if q.Agents, err = s.memo.agents.get(struct{}{}, now, func() ([]anxin.User, error) { return s.store.Agents(ctx) }); err != nil {
			return q, err
		}
	}
	return q, nil
}

// queuePage is a page of the queue and the cursor of the next.
type queuePage struct {
	tickets  []anxin.Ticket
	next     store.QueueCursor
	warnings map[int64][]anxin.EvidenceWarning // what the rows' photos say against them
}

func withParam(u, k, v string) string {
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + url.Values{k: {v}}.Encode()
}

// bulkActions are the bulk actions each role may take from the queue: the
// support team approves and assigns; a merchant approves returns (which pay
// nothing yet) and confirms the receipt of returned goods.
var bulkActions = map[anxin.Role][]string{
	anxin.RoleAgent:    {"approve", "assign"},
	anxin.RoleAdmin:    {"approve", "assign"},
	anxin.RoleMerchant: {"approve_return", "receive"},
}

// bulk takes an action on each selected ticket, one decision each, and sends
// the user back to the queue view (303): what happened to each ticket is
// shown there once, and a reload of that page does not act again.
func (s *Server) bulk(c echo.Context) error {
	ctx := c.Request().Context()
	u := user(c)
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	action := form.Get("action")
	lang := s.langCtx(c)
	var results []views.BulkResult
	for _, sel := range form["tickets"] {
		number, v, _ := strings.Cut(sel, ":")
		version, _ := strconv.ParseInt(v, 10, 64)
		r := views.BulkResult{Number: number}
		t, err := s.store.TicketByNumber(ctx, u.Actor().Scope(), number)
		if anxin.ErrorCode(err) == anxin.ENOTFOUND {
			r.Number = "" // not one of the user's: the page does not repeat it
		}
		if err == nil && version <= 0 {
			err = anxin.Fail(anxin.MsgVersionMissing)
		}
		if err == nil {
			err = s.bulkOne(c, t, action, version, form.Get("assignee"))
		}
		r.OK, r.Message = err == nil, bulkMessage(lang, action, err)
		results = append(results, r)
	}
	qq := parseQueueQuery(queueURLQuery(form.Get("back")), u)
	back := qq.filter.URL()
	if !qq.after.IsZero() {
		back = withParam(back, "after", qq.after.String())
	}
	if len(results) > 0 {
		sessionOf(c).Values[valBulk] = s.bulks.put(u.ID, s.now(), results)
		if err := sessionOf(c).Save(c.Request(), c.Response()); err != nil {
			return err
		}
	}
	return redirect(c, back)
}

// bulkOne takes the bulk action on one ticket, on the version the page showed.
func (s *Server) bulkOne(c echo.Context, t anxin.Ticket, action string, version int64, assignee string) error {
	ctx := c.Request().Context()
	u := user(c)
	if !slices.Contains(bulkActions[u.Role], action) {
		return anxin.Fail(anxin.MsgUnknownBulkAction)
	}
	decide := func(a anxin.Action) error {
		_, err := s.store.Decide(ctx, t.ID, anxin.Decision{Action: a, Actor: u.Actor(), Version: version,
			ConfirmAboveFen: s.cfg.ConfirmRefundAboveFen})
		return err
	}
	switch action {
	case "approve", "approve_return":
		if t.Version != version {
			return decide(anxin.Approve) // changed since the page: the conflict says by whom
		}
		ws, err := s.store.Warnings(ctx, []anxin.Ticket{t})
		if err != nil {
			return err
		}
		if len(ws[t.ID]) > 0 {
			return flaggedError(ws[t.ID]) // its photos need a look first
		}
		if action == "approve_return" {
			_, p, err := s.store.Policy(ctx, t.MerchantID, t.Service)
			if err != nil {
				return err
			}
			if !p.NeedsReturn {
				return errPaysNow // approving it refunds at once: one by one, on the ticket
			}
		}
		return decide(anxin.Approve)
	case "receive":
		return decide(anxin.Receive)
	}
	id, err := strconv.ParseInt(assignee, 10, 64)
	if err != nil {
		return anxin.Fail(anxin.MsgChooseAssignees)
	}
	_, err = s.store.Assign(ctx, t.ID, id, u.Actor())
	return err
}

// errPaysNow refuses a merchant's bulk approval of a claim that approving
// refunds at once (no goods come back): that is decided on the ticket.
var errPaysNow = errors.New("approving pays at once")

// flaggedError refuses a bulk approval of a ticket whose photos need a
// look first, and says why.
type flaggedError []anxin.EvidenceWarning

func (e flaggedError) Error() string {
	return fmt.Sprintf("flagged evidence: %v", []anxin.EvidenceWarning(e))
}

// bulkMessage says what a bulk action did to one ticket, in the user's language.
func bulkMessage(ctx context.Context, action string, err error) string {
	var h *anxin.AlreadyHandled
	var e *anxin.Error
	var flagged flaggedError
	switch {
	case err == nil && action == "assign":
		return views.T(ctx, "assigned")
	case err == nil && action == "receive":
		return views.T(ctx, "receipt confirmed")
	case err == nil:
		return views.T(ctx, "approved")
	case errors.As(err, &flagged):
		var why []string
		for _, w := range flagged {
			why = append(why, views.WarningText(ctx, w))
		}
		return views.Tf(ctx, "%s: open the ticket first", strings.Join(why, "; "))
	case errors.Is(err, errPaysNow):
		return views.T(ctx, "approving it refunds at once: open the ticket")
	case asHandled(err, &h):
		return views.Tf(ctx, "already handled by %s at %s", views.ActorName(ctx, anxin.Actor{Name: h.By, Role: h.ByRole}), views.When(ctx, h.At))
	case asError(err, &e) && e.Code == anxin.ECONFIRM:
		return views.Tf(ctx, "pays %s: open the ticket to confirm", views.Money(e.AmountFen))
	case asError(err, &e) && e.Code == anxin.ENOTALLOWED:
		return views.T(ctx, "this action is not possible in the ticket's current state")
	case asError(err, &e) && e.Code != anxin.EINTERNAL:
		return views.ErrorText(ctx, err)
	}
	return views.T(ctx, "failed; try again")
}

// sameQuery reports whether two queue queries ask for the same view,
// whatever the order of their parameters.
func sameQuery(a, b string) bool {
	va, err1 := url.ParseQuery(a)
	vb, err2 := url.ParseQuery(b)
	return err1 == nil && err2 == nil && va.Encode() == vb.Encode()
}

// saveView saves the queue view under a name and shows it.
func (s *Server) saveView(c echo.Context) error {
	v, err := s.store.SaveView(c.Request().Context(), user(c).ID, c.FormValue("name"), c.FormValue("query"))
	if err != nil {
		if anxin.ErrorCode(err) != anxin.EINVALID {
			return err
		}
		if err := s.setFlash(c, "bad", views.ErrorText(s.langCtx(c), err)); err != nil {
			return err
		}
		return redirect(c, "/queue?"+queueURLQuery("/queue?"+c.FormValue("query")).Encode())
	}
	return redirect(c, "/queue?"+v.Query)
}

func (s *Server) deleteView(c echo.Context) error {
	if err := s.store.DeleteView(c.Request().Context(), user(c).ID, parseID(c.Param("id"))); err != nil {
		return err
	}
	return redirect(c, "/queue")
}

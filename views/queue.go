package views

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/anxin-helpdesk/anxin"
)

// Queue is a page of open tickets in deadline order, with its tabs and filters.
type Queue struct {
	Tickets   []anxin.Ticket
	Filter    QueueFilter
	Tabs      []Tab
	Page      string // this page's URL (filter and cursor), which the live queue refreshes
	Next      string // the next page's URL, "" on the last page
	First     bool   // this is the first page
	Merchants []anxin.Merchant
	Services  []anxin.Service
	Agents    []anxin.User
	Staff     bool               // an agent or admin: bulk actions, assignee filter
	Role      anxin.Role         // the viewer's role, for the rows' one-click actions
	Viewers   map[int64][]Viewer // ticket id -> who has it open (the page hides its own user)
	LiveHTML  string             // the live region, rendered already (shared by every viewer of the view)
	Bulk      []BulkResult       // what a bulk action did, per ticket
	Policies  map[anxin.ServiceKey]anxin.Policy
	Unread    []string   // numbers of the page's tickets with a buyer's message the viewer has not read
	Saved     []SavedTab // the viewer's saved views, as tabs after the queue's own
	// Warnings of the rows' evidence: a row with one is opened, not decided.
	Warnings map[int64][]anxin.EvidenceWarning
}

// SavedTab is one of the viewer's saved views.
type SavedTab struct {
	ID     int64
	Name   string
	URL    string
	Active bool
}

// Query is the view's query, as a saved view keeps it.
func (f QueueFilter) Query() string { return f.Values().Encode() }

// Viewer is someone who has a ticket open.
type Viewer struct {
	UserID int64
	Name   string
}

// QueueFilter is the queue's filter as it stands in the URL, so a view can be
// bookmarked and shared.
type QueueFilter struct {
	Tab      string // all, overdue, soon, mine, unassigned, arbitration
	Merchant string // merchant id
	Service  string
	State    string
	Assignee string // user id
	Q        string // what to search for
	Sort     string // "", amount or created
	Home     string // the tab a URL without one shows (the merchant's own work, or all)
}

// Values encodes the filter for a URL, leaving out what is empty.
func (f QueueFilter) Values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"tab": f.Tab, "merchant": f.Merchant, "service": f.Service,
		"state": f.State, "assignee": f.Assignee, "q": f.Q, "sort": f.Sort} {
		if s != "" && !(k == "tab" && s == f.home()) {
			v.Set(k, s)
		}
	}
	return v
}

func (f QueueFilter) home() string {
	if f.Home == "" {
		return "all"
	}
	return f.Home
}

// URL is the queue's URL for the filter.
func (f QueueFilter) URL() string {
	if q := f.Values().Encode(); q != "" {
		return "/queue?" + q
	}
	return "/queue"
}

// WithTab is the filter on another tab.
func (f QueueFilter) WithTab(tab string) QueueFilter {
	f.Tab = tab
	return f
}

// Active reports whether any filter beyond the tab is set.
func (f QueueFilter) Active() bool {
	return f.Merchant != "" || f.Service != "" || f.State != "" || f.Assignee != "" || f.Q != ""
}

// Tab is one of the queue's tabs, with its count (capped: "999+").
type Tab struct {
	Key    string
	Label  string
	Count  int
	Capped bool
	Active bool
	URL    string
}

// CountText shows a tab's count.
func (t Tab) CountText() string {
	if t.Capped {
		return strconv.Itoa(t.Count) + "+"
	}
	return strconv.Itoa(t.Count)
}

// BulkResult is what a bulk action did to one ticket.
type BulkResult struct {
	Number  string
	OK      bool
	Message string
}

func deadlineAttr(t anxin.Ticket) string {
	if t.Deadline.IsZero() {
		return ""
	}
	return RFC3339(t.Deadline)
}

func idStr(id int64) string { return strconv.FormatInt(id, 10) }

// rowActions are the decisions a queue row may take in one press, the
// first the viewer may take being the row's one main action.
var rowActions = []anxin.Action{anxin.Approve, anxin.Receive, anxin.RetryRefund}

// mainAction is the one decision the queue row offers the viewer: approve,
// confirm the receipt of the goods, or retry a refund that failed; "" when
// the ticket is to be opened (the row then offers that).
func (q Queue) mainAction(t anxin.Ticket) anxin.Action {
	for _, a := range rowActions {
		if anxin.Allowed(t.State, a, q.Role, q.Policies[t.Service]) {
			return a
		}
	}
	return ""
}

// RowActionName is a row's action in the page's language, in lower case in
// English, as a button in a list.
func RowActionName(ctx context.Context, a anxin.Action) string { return T(ctx, "row:"+string(a)) }

// warningTitle says why a row must be opened before it is decided.
func (q Queue) warningTitle(ctx context.Context, t anxin.Ticket) string {
	var parts []string
	for _, w := range q.Warnings[t.ID] {
		parts = append(parts, WarningText(ctx, w))
	}
	return strings.Join(parts, "; ")
}

// exportURL downloads the view (its tab, filters and search) as CSV.
func (q Queue) exportURL() string {
	return "/queue/export?" + q.Filter.WithTab(q.Filter.Tab).Values().Encode()
}

// WithSort is the filter in another order.
func (f QueueFilter) WithSort(sort string) QueueFilter {
	f.Sort = sort
	return f
}

// sortLink is a column header's link: the view in the column's order.
func (q Queue) sortURL(sort string) string { return q.Filter.WithSort(sort).URL() }

// ariaSort says whether the view is in the column's order.
func (q Queue) ariaSort(sort string) string {
	if q.Filter.Sort != sort {
		return "none"
	}
	if sort == "" {
		return "ascending"
	}
	return "descending"
}

func (q Queue) savedActive() bool {
	for _, v := range q.Saved {
		if v.Active {
			return true
		}
	}
	return false
}

// exportAllURL downloads every ticket in every state of the view's merchant,
// service and state filters, newest first.
func (q Queue) exportAllURL() string {
	v := url.Values{}
	for k, val := range map[string]string{"merchant": q.Filter.Merchant, "service": q.Filter.Service, "state": q.Filter.State} {
		if val != "" {
			v.Set(k, val)
		}
	}
	if len(v) == 0 {
		return "/tickets/export"
	}
	return "/tickets/export?" + v.Encode()
}

package web

import (
	"net/url"
	"testing"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/views"
)

// TestParseQueueQuery: a queue URL reads the same whether it is the page's
// own or the one a bulk action goes back to.
func TestParseQueueQuery(t *testing.T) {
	agent := &anxin.User{ID: 4, Role: anxin.RoleAgent}
	merchant := &anxin.User{ID: 5, Role: anxin.RoleMerchant, MerchantID: 9}
	cur := store.QueueCursor{Due: 1795000000000, ID: 42}
	tests := []struct {
		url    string
		user   *anxin.User
		filter views.QueueFilter
		base   store.QueueFilter
		after  store.QueueCursor
	}{
		{"/queue", agent, views.QueueFilter{Home: "all", Tab: "all"}, store.QueueFilter{}, store.QueueCursor{}},
		{"/queue?tab=mine&state=arbitration&service=damaged", agent,
			views.QueueFilter{Home: "all", Tab: "mine", State: "arbitration", Service: "damaged"},
			store.QueueFilter{State: anxin.Arbitration, Service: anxin.Damaged}, store.QueueCursor{}},
		{"/queue?merchant=3&assignee=4&q=+AX-000012+", agent,
			views.QueueFilter{Home: "all", Tab: "all", Merchant: "3", Assignee: "4", Q: "AX-000012"},
			store.QueueFilter{MerchantID: 3, AssigneeID: 4, Search: "AX-000012"}, store.QueueCursor{}},
		// Values that do not parse select nothing, not everything.
		{"/queue?merchant=x&assignee=-2", agent, views.QueueFilter{Home: "all", Tab: "all", Merchant: "x", Assignee: "-2"},
			store.QueueFilter{MerchantID: -1, AssigneeID: -1}, store.QueueCursor{}},
		{"/queue?tab=overdue&after=" + url.QueryEscape(cur.String()), merchant, views.QueueFilter{Home: "todo", Tab: "overdue"},
			store.QueueFilter{Scope: anxin.Scope{MerchantID: 9}}, cur},
		{"/queue?after=nonsense", agent, views.QueueFilter{Home: "all", Tab: "all"}, store.QueueFilter{}, store.QueueCursor{}},
		{"%zz", agent, views.QueueFilter{Home: "all", Tab: "all"}, store.QueueFilter{}, store.QueueCursor{}},
	}
	for _, tt := range tests {
		q := parseQueueQuery(queueURLQuery(tt.url), tt.user)
		if q.filter != tt.filter || q.base != tt.base || q.after != tt.after {
			t.Errorf("%s: %+v %+v %+v\nwant %+v %+v %+v", tt.url, q.filter, q.base, q.after, tt.filter, tt.base, tt.after)
		}
	}
}

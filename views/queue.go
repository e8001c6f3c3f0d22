package views

import "github.com/anxin-helpdesk/anxin"

func deadlineAttr(t anxin.Ticket) string {
	if t.Deadline.IsZero() {
		return ""
	}
	return RFC3339(t.Deadline)
}

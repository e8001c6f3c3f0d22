package views

import (
	"context"
	"strconv"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// AccountPage is the user's own account page.
type AccountPage struct {
	Error error // why the password was not changed
}

// AdminUsers is the users page.
type AdminUsers struct {
	Users     []anxin.User
	Merchants []anxin.Merchant
	Form      UserForm
	Error     error       // why the form was refused
	Created   *anxin.User // a user just created or reset, with Password shown once
	Password  string
}

// UserForm is the new-user form's input.
type UserForm struct {
	Email, Name, Role, Merchant string
}

// AdminMerchants is the merchants page.
type AdminMerchants struct {
	Merchants []anxin.Merchant
	Form      anxin.Merchant
	Error     error // why the form was refused
}

// AdminMerchant is one merchant's settings page.
type AdminMerchant struct {
	Merchant  anxin.Merchant
	Overrides map[anxin.ServiceKey]anxin.PolicyOverride
	Error     error // why a form was refused
}

// AdminAudit is the audit log page.
type AdminAudit struct {
	Entries []anxin.AuditEntry
	Next    string
}

func hoursOf(d *time.Duration) string {
	if d == nil {
		return ""
	}
	return strconv.FormatFloat(d.Hours(), 'f', -1, 64)
}

func intOf(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

func (p AdminMerchant) enabled(s anxin.Service) bool {
	if o, ok := p.Overrides[s.Key]; ok && o.Enabled != nil {
		return *o.Enabled
	}
	return s.Default.Enabled
}

func (p AdminMerchant) override(k anxin.ServiceKey) anxin.PolicyOverride { return p.Overrides[k] }

func yuanOf(fen int64) string { return yuan(fen) }

func yesNo(ctx context.Context, b bool) string {
	if b {
		return T(ctx, "yes")
	}
	return T(ctx, "no")
}

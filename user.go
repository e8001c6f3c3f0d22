package anxin

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// User is a login account: an agent, an admin, or a merchant's staff member.
type User struct {
	ID             int64
	Email          string
	Name           string
	Role           Role
	MerchantID     int64 // set exactly for merchant users
	MerchantName   string
	SessionVersion int64 // bumped to end every session of the user
	Lang           string
	Disabled       bool
	OnDuty         bool // an agent taking auto-assigned tickets
	CreatedAt      time.Time
}

// Actor is the user as the one who acts.
func (u User) Actor() Actor {
	return Actor{Role: u.Role, UserID: u.ID, Name: u.Name, MerchantID: u.MerchantID}
}

// Validate checks a user before it is stored.
func (u User) Validate() error {
	if _, err := mail.ParseAddress(u.Email); err != nil || strings.ContainsAny(u.Email, "<> ") {
		return Fail(MsgBadEmail, u.Email)
	}
	if strings.TrimSpace(u.Name) == "" {
		return Fail(MsgNameRequired)
	}
	if err := CheckText(FieldName, u.Name, MaxNameLen, false); err != nil {
		return err
	}
	if !u.Role.Valid() {
		return Fail(MsgBadRole, string(u.Role))
	}
	if (u.Role == RoleMerchant) != (u.MerchantID != 0) {
		return Fail(MsgMerchantUser)
	}
	return nil
}

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

// MaxPasswordBytes is the longest password accepted: bcrypt reads only the
// first 72 bytes, and a longer password would be cut without a word (24
// Chinese characters are 72 bytes).
const MaxPasswordBytes = 72

// ValidatePassword checks a new password for the account with this email.
func ValidatePassword(password, email string) error {
	switch {
	case utf8.RuneCountInString(password) < MinPasswordLen:
		return Fail(MsgPasswordTooShort, MinPasswordLen)
	case len(password) > MaxPasswordBytes:
		return Fail(MsgPasswordTooLong, MaxPasswordBytes, MaxPasswordBytes, MaxPasswordBytes/3)
	case email != "" && strings.EqualFold(strings.TrimSpace(password), strings.TrimSpace(email)):
		return Fail(MsgPasswordIsEmail)
	case strings.Count(password, string([]rune(password)[0])) == utf8.RuneCountInString(password):
		return Fail(MsgPasswordRepeated)
	}
	return nil
}

// Scope limits what a query may see: one merchant's data, or every
// merchant's. Every store query a merchant user can reach takes one.
type Scope struct {
	MerchantID int64 // 0: every merchant
}

// Sees reports whether the scope may see the merchant's data.
func (s Scope) Sees(merchantID int64) bool { return s.MerchantID == 0 || s.MerchantID == merchantID }

// AllMerchants is the scope of agents, admins and the system.
func AllMerchants() Scope { return Scope{} }

// Scope is what the actor may see.
func (a Actor) Scope() Scope {
	if a.Role == RoleMerchant || a.Role == RoleBuyer {
		return Scope{MerchantID: a.MerchantID} // a buyer through one merchant's API key
	}
	return AllMerchants()
}

// Merchant is a store whose after-sales tickets Anxin handles.
type Merchant struct {
	ID            int64
	Code          string // short, stable, used by the intake API
	Name          string
	InstantRefund InstantRefund
	CreatedAt     time.Time
}

// Validate checks a merchant before it is stored.
func (m Merchant) Validate() error {
	if len(m.Code) < 2 || len(m.Code) > 32 || strings.Trim(m.Code, "abcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		return Fail(MsgMerchantCode)
	}
	if strings.TrimSpace(m.Name) == "" {
		return Fail(MsgMerchantNameRequired)
	}
	if err := CheckText(FieldMerchantName, m.Name, MaxNameLen, false); err != nil {
		return err
	}
	if m.InstantRefund.MaxFen < 0 {
		return Fail(MsgInstantNegative)
	}
	if err := CheckAmount(FieldRequested, m.InstantRefund.MaxFen); err != nil {
		return err
	}
	return nil
}

// AuditEntry is one admin action, as the audit log keeps it.
type AuditEntry struct {
	ID     int64
	At     time.Time
	Actor  string
	Action string // create_user, disable_user, reset_password, set_policy...
	Target string // "user a@b.c", "merchant yiwu-home"
	Detail string
}

// SeesFullPhones reports whether the role may read buyers' phones in full
// where Anxin writes them out (exports): the admins. Everyone else reads
// them masked, as the pages show them.
func (r Role) SeesFullPhones() bool { return r == RoleAdmin }

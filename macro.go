package anxin

import (
	"regexp"
	"slices"
	"strings"
	"time"
)

// Macro is a canned reply: a title to find it by and a body with variables
// filled in from the ticket it is used on. A team macro (MerchantID 0) is
// the support team's, kept by the admins; a merchant's is its own. A macro
// may also carry an action, which one press applies with the message, as
// the same compare-and-set decision as the action's own button.
type Macro struct {
	ID         int64
	MerchantID int64  // 0: the team's
	Title      string // in Chinese, as the team writes it
	TitleEN    string // its name in English, for English pages (optional)
	Body       string
	Action     Action // "" for none; one of MacroActions
	Reason     string // the reason the action needs (a rejection's)
	UpdatedAt  time.Time
}

// MacroVar is a variable of a macro's body, written {name}.
type MacroVar string

const (
	VarBuyer         MacroVar = "buyer"
	VarProduct       MacroVar = "product"
	VarAmount        MacroVar = "amount"
	VarDeadline      MacroVar = "deadline"
	VarReturnAddress MacroVar = "return_address"
	VarTicket        MacroVar = "ticket"
)

var macroVars = []MacroVar{VarBuyer, VarProduct, VarAmount, VarDeadline, VarReturnAddress, VarTicket}

// MacroVars lists the variables a macro may use.
func MacroVars() []MacroVar { return slices.Clone(macroVars) }

// Placeholder is the variable as a macro writes it.
func (v MacroVar) Placeholder() string { return "{" + string(v) + "}" }

// macroActions are the actions a macro may carry: those whose input a
// macro can hold (a reason at most). Payouts of a chosen amount are not.
var macroActions = []Action{Approve, Reject, RequestEvidence}

// MacroActions lists the actions a macro may carry.
func MacroActions() []Action { return slices.Clone(macroActions) }

// Limits of a macro.
const (
	MaxMacroTitle = 60
)

var placeholderRE = regexp.MustCompile(`\{([a-z_]+)\}`)

// Validate checks a macro as it is saved: a title, a body whose variables
// are all known, and an action a macro may carry with what it needs.
func (m *Macro) Validate() error {
	m.Title, m.TitleEN = strings.TrimSpace(m.Title), strings.TrimSpace(m.TitleEN)
	m.Body, m.Reason = strings.TrimSpace(m.Body), strings.TrimSpace(m.Reason)
	if m.Title == "" {
		return Fail(MsgMacroTitleRequired)
	}
	if m.Body == "" {
		return Fail(MsgMessageEmpty)
	}
	for _, c := range []struct {
		f     Field
		s     string
		max   int
		lines bool
	}{
		{FieldMacroTitle, m.Title, MaxMacroTitle, false},
		{FieldMacroTitle, m.TitleEN, MaxMacroTitle, false},
		{FieldMessage, m.Body, MaxLongText, true},
		{FieldReason, m.Reason, MaxLongText, true},
	} {
		if err := CheckText(c.f, c.s, c.max, c.lines); err != nil {
			return err
		}
	}
	for _, match := range placeholderRE.FindAllStringSubmatch(m.Body, -1) {
		if !slices.Contains(macroVars, MacroVar(match[1])) {
			return Fail(MsgMacroUnknownVar, match[0])
		}
	}
	if m.Action != "" && !slices.Contains(macroActions, m.Action) {
		return Fail(MsgMacroAction, m.Action)
	}
	if m.Action == Reject && m.Reason == "" {
		return Fail(MsgReasonRequired)
	}
	if m.Action != Reject {
		m.Reason = ""
	}
	return nil
}

// Usable reports whether a viewer of the scope may use the macro on a
// ticket of the merchant: the team's macros everywhere, a merchant's own on
// its own tickets.
func (m Macro) Usable(s Scope, ticketMerchant int64) bool {
	if !s.Sees(ticketMerchant) {
		return false
	}
	return m.MerchantID == 0 || m.MerchantID == ticketMerchant
}

// Part is a piece of a rendered macro: text, or a variable the ticket has
// no value for, which stays as its placeholder and must be filled in by hand.
type Part struct {
	Text    string
	Missing MacroVar // set when the ticket has no value for the variable
}

// Render fills the macro's variables in from values; a variable with no
// value (absent or empty) stays a placeholder, marked missing.
func (m Macro) Render(values map[MacroVar]string) []Part {
	var out []Part
	rest, last := m.Body, 0
	for _, loc := range placeholderRE.FindAllStringSubmatchIndex(rest, -1) {
		v := MacroVar(rest[loc[2]:loc[3]])
		if !slices.Contains(macroVars, v) {
			continue
		}
		out = append(out, Part{Text: rest[last:loc[0]]})
		if val := values[v]; val != "" {
			out = append(out, Part{Text: val})
		} else {
			out = append(out, Part{Text: v.Placeholder(), Missing: v})
		}
		last = loc[1]
	}
	return append(out, Part{Text: rest[last:]})
}

// Text joins rendered parts: what goes into the reply box.
func Text(parts []Part) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Text)
	}
	return b.String()
}

// Unfilled lists the variables a message still holds as placeholders: a
// macro's value nobody filled in, which must never reach the buyer.
func Unfilled(body string) []MacroVar {
	var out []MacroVar
	for _, match := range placeholderRE.FindAllStringSubmatch(body, -1) {
		if v := MacroVar(match[1]); slices.Contains(macroVars, v) && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// MayEdit reports whether the actor keeps the macro: the admins keep the
// team's, a merchant's people its own.
func (m Macro) MayEdit(a Actor) bool {
	switch a.Role {
	case RoleAdmin:
		return m.MerchantID == 0
	case RoleMerchant:
		return a.MerchantID != 0 && m.MerchantID == a.MerchantID
	}
	return false
}

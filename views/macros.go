package views

import (
	"context"

	"github.com/anxin-helpdesk/anxin"
)

// MacroView is a canned reply as the reply box offers it on one ticket:
// rendered with the ticket's values in the viewer's language.
type MacroView struct {
	anxin.Macro
	Parts []anxin.Part // missing values stay placeholders, marked
	Text  string       // what goes into the reply box
}

// Missing reports whether the ticket lacks a value the macro uses.
func (m MacroView) Missing() bool {
	for _, p := range m.Parts {
		if p.Missing != "" {
			return true
		}
	}
	return false
}

// MacroName is the macro's title in the page's language.
func MacroName(ctx context.Context, m anxin.Macro) string {
	if page(ctx).Lang == "en" && m.TitleEN != "" {
		return m.TitleEN
	}
	return m.Title
}

// MacroValues are the ticket's values of the macros' variables, written in
// the page's language and time zone; a value the ticket does not have is
// absent. {return_address} is the address the ticket sent the buyer, or the
// merchant's default before one was sent (address: nil for none), written
// whole: the reply goes to the buyer, who needs the phone.
func MacroValues(ctx context.Context, t anxin.Ticket, refund *anxin.RefundRecord, address *anxin.ReturnAddress) map[anxin.MacroVar]string {
	v := map[anxin.MacroVar]string{
		anxin.VarBuyer:   t.BuyerName,
		anxin.VarProduct: t.Order.Product,
		anxin.VarTicket:  t.Number,
		anxin.VarAmount:  Money(t.RequestedFen),
	}
	if refund != nil && refund.ID != 0 {
		v[anxin.VarAmount] = Money(refund.AmountFen)
	}
	if !t.Deadline.IsZero() {
		v[anxin.VarDeadline] = When(ctx, t.Deadline)
	}
	if address != nil {
		v[anxin.VarReturnAddress] = address.Line()
	}
	return v
}

// RenderMacro renders a macro for the ticket.
func RenderMacro(ctx context.Context, m anxin.Macro, t anxin.Ticket, refund *anxin.RefundRecord, address *anxin.ReturnAddress) MacroView {
	parts := m.Render(MacroValues(ctx, t, refund, address))
	return MacroView{Macro: m, Parts: parts, Text: anxin.Text(parts)}
}

// VarName is a variable in the page's words, for the preview's marks.
func VarName(ctx context.Context, v anxin.MacroVar) string { return T(ctx, "var:"+string(v)) }

func (p TicketPage) macroValue() string {
	if id, _ := p.keptMacro(); id != 0 {
		return int64Str(id)
	}
	return ""
}

// macroActionText says what a macro does besides sending its text.
func macroActionText(ctx context.Context, m anxin.Macro) string {
	if m.Action == "" {
		return ""
	}
	return Tf(ctx, "also: %s", ActionName(ctx, m.Action))
}

// keptMacro is the canned reply (and its text) the viewer's refused reply
// came from, so the reply box shows them again.
func (p TicketPage) keptMacro() (int64, string) {
	if p.Reply != "" || p.Macro != 0 {
		return p.Macro, p.Reply
	}
	if p.Form.Macro != 0 && p.Outcome.Kind != "" && p.Outcome.Kind != "done" {
		return p.Form.Macro, p.Form.Message
	}
	return 0, ""
}

// ReplyText is the reply box's text: what the viewer wrote, when it was refused.
func (p TicketPage) ReplyText() string {
	_, text := p.keptMacro()
	return text
}

func (p TicketPage) chosenMacro() (MacroView, bool) {
	id, _ := p.keptMacro()
	for _, m := range p.Macros {
		if m.ID == id && id != 0 {
			return m, true
		}
	}
	return MacroView{}, false
}

func (p TicketPage) hasMacroAction() bool {
	m, ok := p.chosenMacro()
	return ok && m.Action != ""
}

func (p TicketPage) macroActionLabel(ctx context.Context) string {
	m, _ := p.chosenMacro()
	return macroActionText(ctx, m.Macro)
}

func (p MacrosPage) mayEdit(ctx context.Context, m anxin.Macro) bool {
	u := currentUser(ctx)
	return u != nil && m.MayEdit(u.Actor())
}

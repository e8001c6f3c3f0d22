package views

import (
	"context"

	"github.com/anxin-helpdesk/anxin"
)

// NewTicketPage is the agent's form for a claim taken on the phone.
type NewTicketPage struct {
	Merchants []anxin.Merchant
	Services  []anxin.Service
	Form      NewTicketForm // what the agent typed, kept on a refusal
	Error     error         // the refusal of the form
	// ErrorField names the field Error is about when the error does not
	// say it itself (a file, a time that is not one).
	ErrorField anxin.Field
	MaxPhotos  int
}

// NewTicketForm is the new-ticket form's input, as typed.
type NewTicketForm struct {
	Merchant, Service, Settlement         string
	OrderID, Product, Paid                string
	OrderedAt, ShippedAt, ReceivedAt      string // datetime-local, in the display zone
	BuyerName, BuyerPhone, Reason, Amount string
	Override                              bool
	OverrideReason                        string
}

// fieldOfClaim is the field of the form a claim's refusal is about, when
// the refusal does not name one.
var fieldOfClaim = map[anxin.Msg]anxin.Field{
	anxin.MsgOrderIDRequired:       anxin.FieldOrderID,
	anxin.MsgProductRequired:       anxin.FieldProduct,
	anxin.MsgPaidNotPositive:       anxin.FieldPaid,
	anxin.MsgOrderTimeRequired:     anxin.FieldOrderedAt,
	anxin.MsgShippedBeforeOrdered:  anxin.FieldShippedAt,
	anxin.MsgReceivedBeforeShipped: anxin.FieldReceivedAt,
	anxin.MsgUnknownService:        anxin.FieldService,
	anxin.MsgUnknownMerchantKey:    anxin.FieldMerchant,
	anxin.MsgUnknownMerchant:       anxin.FieldMerchant,
	anxin.MsgClaimExceeds:          anxin.FieldRequested,
	anxin.MsgPriceDifference:       anxin.FieldRequested,
}

// field is the form's field the refusal is about ("" for none).
func (p NewTicketPage) field() anxin.Field {
	if p.Error == nil {
		return ""
	}
	if p.ErrorField != "" {
		return p.ErrorField
	}
	switch anxin.ErrorCode(p.Error) {
	case anxin.EOUTSIDEWINDOW, anxin.ENOTOPTEDIN, anxin.EALREADYSHIPPED, anxin.ENOTRECEIVED:
		// The claim window's refusal (the API names the order time it
		// runs from): said above the form, beside the override.
		return ""
	}
	if f := anxin.ErrorField(p.Error); f != "" {
		return f
	}
	if e, ok := p.Error.(*anxin.Error); ok {
		return fieldOfClaim[e.Msg]
	}
	return ""
}

// FieldError is the refusal's message when it is about the field.
func (p NewTicketPage) FieldError(ctx context.Context, f anxin.Field) string {
	if p.Error == nil || p.field() != f {
		return ""
	}
	return ErrorText(ctx, p.Error)
}

// OtherError is the refusal's message when it is about no field of the
// form (the claim window's refusal among them).
func (p NewTicketPage) OtherError(ctx context.Context) string {
	if p.Error == nil || p.field() != "" {
		return ""
	}
	return ErrorText(ctx, p.Error)
}

// OutsideWindow reports whether the refusal is the claim window's: the
// form then offers the override.
func (p NewTicketPage) OutsideWindow() bool {
	switch anxin.ErrorCode(p.Error) {
	case anxin.EOUTSIDEWINDOW, anxin.ENOTRECEIVED, anxin.EALREADYSHIPPED:
		return true
	}
	return false
}

package anxin

import "unicode/utf8"

// Limits on what people type, in characters.
const (
	MaxNameLen    = 100  // a buyer's, a user's, a merchant's name
	MaxProductLen = 200  // an order's product
	MaxLongText   = 4000 // reasons, notes and comments
	MaxCodeLen    = 64   // order numbers, tracking numbers, phone numbers
)

// Field names a field of input in the refusals about it: the API's name for
// it (buyer.name), which the pages put in their own words.
type Field string

// The fields whose text is checked.
const (
	FieldOrderID      Field = "order.id"
	FieldProduct      Field = "order.product"
	FieldPaid         Field = "order.paid_fen"
	FieldRequested    Field = "requested_fen"
	FieldBuyerName    Field = "buyer.name"
	FieldBuyerPhone   Field = "buyer.phone"
	FieldReason       Field = "reason"
	FieldTracking     Field = "tracking"
	FieldNote         Field = "note"
	FieldMessage      Field = "body"
	FieldMacroTitle   Field = "title"
	FieldName         Field = "name"
	FieldMerchantName Field = "merchant.name"
	FieldOverride     Field = "override"
)

// CheckText refuses text that is longer than max characters, or that holds
// what has no business in what people type: NUL and the other control
// characters (line breaks and tabs are allowed in text that runs over
// lines) and the bidirectional overrides and isolates (U+202A-U+202E,
// U+2066-U+2069), which make text show in another order than it is stored
// in: a refund reason or a file name that reads differently than it is.
func CheckText(f Field, s string, max int, multiline bool) error {
	if utf8.RuneCountInString(s) > max {
		return Fail(MsgTextTooLong, f, max)
	}
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !isRuneError(s[i:]):
			return Fail(MsgTextInvalid, f)
		case r == '\n' || r == '\r' || r == '\t':
			if !multiline {
				return Fail(MsgTextControl, f)
			}
		case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0:
			return Fail(MsgTextControl, f)
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return Fail(MsgTextBidi, f)
		}
	}
	return nil
}

// isRuneError reports whether s starts with an encoded U+FFFD (which is
// text), not with a byte that is not UTF-8 at all.
func isRuneError(s string) bool {
	r, n := utf8.DecodeRuneInString(s)
	return r == utf8.RuneError && n == 3
}

package anxin

import (
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"time"
)

// Msg names one thing Anxin can tell a person who is refused: the domain's
// rules, the store's and the pages' own checks. Each language's words come
// from the name and the message's values, never from the English text, so
// rewording a message cannot lose its translation: the views translate by
// Msg, and a test there fails when one has no Chinese.
type Msg string

// Fen is an amount of money as a value of a message, so that each language
// can show it as money.
type Fen int64

// The messages. Their values are in the order of the English text's verbs.
const (
	// Tickets, their transitions and what is not there. Not found is also
	// the answer to a merchant asking for another merchant's data.
	MsgTicketNotFound     Msg = "ticket_not_found"
	MsgTicketFinished     Msg = "ticket_finished"  // number, State
	MsgNotPossibleNow     Msg = "not_possible_now" // Action, State
	MsgRoleMayNot         Msg = "role_may_not"     // Role, Action
	MsgNotDueYet          Msg = "not_due_yet"      // number, deadline
	MsgReasonRequired     Msg = "reason_required"
	MsgTrackingRequired   Msg = "tracking_required"
	MsgSlotRequired       Msg = "slot_required"
	MsgSlotInPast         Msg = "slot_in_past"
	MsgConfirmRefund      Msg = "confirm_refund" // Fen
	MsgNothingLeft        Msg = "nothing_left"   // number
	MsgNegativeRefund     Msg = "negative_refund"
	MsgRefundExceeds      Msg = "refund_exceeds"   // Fen asked, Fen left
	MsgAlreadyRefunded    Msg = "already_refunded" // number
	MsgOnlyAgentsAssign   Msg = "only_agents_assign"
	MsgAssignToAgents     Msg = "assign_to_agents"
	MsgChooseAssignee     Msg = "choose_assignee"
	MsgChooseAssignees    Msg = "choose_assignees"
	MsgUnknownBulkAction  Msg = "unknown_bulk_action"
	MsgVersionMissing     Msg = "version_missing"
	MsgAmountNotYuan      Msg = "amount_not_yuan"
	MsgSlotNotTime        Msg = "slot_not_time"
	MsgNoteEmpty          Msg = "note_empty"
	MsgRefundNotFound     Msg = "refund_not_found"
	MsgPageNotForRole     Msg = "page_not_for_role" // Role
	MsgNotFound           Msg = "not_found"
	MsgServiceNotFound    Msg = "service_not_found"
	MsgDeliveryNotFound   Msg = "delivery_not_found"
	MsgDeliveryNotGivenUp Msg = "delivery_not_given_up"
	MsgWebhookNotFound    Msg = "webhook_not_found"
	MsgAPIKeyNotFound     Msg = "api_key_not_found"
	MsgUnknownService     Msg = "unknown_service" // key
	MsgUnknownMerchant    Msg = "unknown_merchant"
	MsgUnknownMerchantKey Msg = "unknown_merchant_key" // code

	// Orders and claims.
	MsgOrderIDRequired       Msg = "order_id_required"
	MsgProductRequired       Msg = "product_required"
	MsgPaidNotPositive       Msg = "paid_not_positive"
	MsgOrderTimeRequired     Msg = "order_time_required"
	MsgShippedBeforeOrdered  Msg = "shipped_before_ordered"
	MsgReceivedBeforeShipped Msg = "received_before_shipped"
	MsgNotOptedIn            Msg = "not_opted_in"    // ServiceKey, key
	MsgAlreadyShipped        Msg = "already_shipped" // ServiceKey, shipped at
	MsgNotReceived           Msg = "not_received"    // ServiceKey
	MsgBeforeWindow          Msg = "before_window"
	MsgOutsideWindow         Msg = "outside_window" // ServiceKey, window, WindowStart, used
	MsgPhoneRequired         Msg = "phone_required"
	MsgPriceDifference       Msg = "price_difference"
	MsgClaimExceeds          Msg = "claim_exceeds" // Fen claimed, Fen payable

	// Policies, merchants, users and integrations.
	MsgWindowRange          Msg = "window_range"
	MsgClockRange           Msg = "clock_range"
	MsgEvidenceMinRange     Msg = "evidence_min_range"
	MsgNumberNeeded         Msg = "number_needed"
	MsgMerchantCode         Msg = "merchant_code"
	MsgMerchantNameRequired Msg = "merchant_name_required"
	MsgMerchantCodeTaken    Msg = "merchant_code_taken" // code
	MsgMerchantNotFound     Msg = "merchant_not_found"
	MsgInstantNegative      Msg = "instant_negative"
	MsgBadEmail             Msg = "bad_email" // email
	MsgNameRequired         Msg = "name_required"
	MsgBadRole              Msg = "bad_role" // role
	MsgMerchantUser         Msg = "merchant_user"
	MsgEmailTaken           Msg = "email_taken" // email
	MsgUserNotFound         Msg = "user_not_found"
	MsgPasswordTooShort     Msg = "password_too_short" // characters
	MsgPasswordTooLong      Msg = "password_too_long"  // bytes, letters, Chinese characters
	MsgPasswordIsEmail      Msg = "password_is_email"
	MsgPasswordRepeated     Msg = "password_repeated"
	MsgPasswordsDiffer      Msg = "passwords_differ"
	MsgWrongPassword        Msg = "wrong_password"
	MsgBadLogin             Msg = "bad_login"
	MsgDisableSelf          Msg = "disable_self"
	MsgOwnAdminRole         Msg = "own_admin_role"
	MsgWebhookURL           Msg = "webhook_url"
	MsgWebhookPrivate       Msg = "webhook_private" // host
	MsgWebhookSecret        Msg = "webhook_secret"  // characters
	MsgNoEvents             Msg = "no_events"
	MsgUnknownEvent         Msg = "unknown_event" // event
	MsgAPIKeyName           Msg = "api_key_name"
	MsgKeyScope             Msg = "key_scope"

	// What people type, and amounts of money.
	MsgTextTooLong Msg = "text_too_long" // Field, characters
	MsgTextControl Msg = "text_control"  // Field
	MsgTextBidi    Msg = "text_bidi"     // Field
	MsgTextInvalid Msg = "text_invalid"  // Field
	MsgAmountRange Msg = "amount_range"  // Field, Fen given, Fen most

	// Photo evidence.
	MsgPhotoNotFound       Msg = "photo_not_found"
	MsgPhotoErased         Msg = "photo_erased"
	MsgPhotoSizeNotFound   Msg = "photo_size_not_found"
	MsgPhotoParty          Msg = "photo_party"
	MsgNotOnChecklist      Msg = "not_on_checklist"
	MsgPhotoTicketFinished Msg = "photo_ticket_finished"
	MsgPhotoLimit          Msg = "photo_limit"
	MsgPhotoDuplicate      Msg = "photo_duplicate"
	MsgPhotoEmpty          Msg = "photo_empty"
	MsgPhotoTooLarge       Msg = "photo_too_large"
	MsgPhotoTooManyPixels  Msg = "photo_too_many_pixels"
	MsgPhotoHEIC           Msg = "photo_heic"
	MsgPhotoGIF            Msg = "photo_gif"
	MsgPhotoMarkup         Msg = "photo_markup"
	MsgPhotoNotPhoto       Msg = "photo_not_photo"
	MsgPhotoTruncated      Msg = "photo_truncated"
	MsgPhotoTrailing       Msg = "photo_trailing"
	MsgPhotoMotion         Msg = "photo_motion"
	MsgPhotoAnimated       Msg = "photo_animated"
	MsgPhotoDamaged        Msg = "photo_damaged"

	// The conversation with the buyer.
	MsgMessageEmpty        Msg = "message_empty"
	MsgMessagePhotos       Msg = "message_photos" // most
	MsgMessagePhotosBuyer  Msg = "message_photos_buyer"
	MsgMessagePhotoUnknown Msg = "message_photo_unknown"
	MsgMacroUnfilled       Msg = "macro_unfilled" // placeholder
	MsgMacroTitleRequired  Msg = "macro_title_required"
	MsgMacroUnknownVar     Msg = "macro_unknown_var" // placeholder
	MsgMacroAction         Msg = "macro_action"      // Action
	MsgMacroNotFound       Msg = "macro_not_found"

	// Saved views of the queue.
	MsgViewQuery    Msg = "view_query"
	MsgTooManyViews Msg = "too_many_views" // most
	// Negotiation (协商): offers and their policy settings.
	MsgOfferLimit       Msg = "offer_limit" // count
	MsgOfferNotPositive Msg = "offer_not_positive"
	MsgOfferNotLower    Msg = "offer_not_lower" // Fen offered, Fen asked
	MsgOfferNeedsText   Msg = "offer_message_required"
	MsgOfferClockRange  Msg = "offer_clock_range"
	MsgMaxOffersRange   Msg = "max_offers_range"

	// Input named by its field, logistics, pickups and return addresses.
	MsgFieldRequired       Msg = "field_required"        // Field
	MsgFieldChoice         Msg = "field_choice"          // Field, value given, the choices
	MsgReportInFuture      Msg = "report_in_future"      // Field
	MsgSlotShape           Msg = "slot_shape"            // Field, slot length, first start, last end
	MsgSlotTooSoon         Msg = "slot_too_soon"         // Field, lead
	MsgSlotTooFar          Msg = "slot_too_far"          // Field, days ahead
	MsgSlotOutsideWindow   Msg = "slot_outside_window"   // Field, window's end
	MsgPhoneFormat         Msg = "phone_format"          // Field
	MsgNoReturnAddress     Msg = "no_return_address"     // (the merchant has none to send)
	MsgAddressNotFound     Msg = "address_not_found"     //
	MsgAddressDefaultLast  Msg = "address_default_last"  // (deleting the default while others remain)
	MsgAddressTooMany      Msg = "address_too_many"      // most
	MsgAddressAfterShipped Msg = "address_after_shipped" // State
	MsgPostagePaid         Msg = "postage_paid"          // order, number

	// Settlement kinds: exchange (换货) and reship (补发).
	MsgSettlementUnknown    Msg = "settlement_unknown"     // Field, value given
	MsgSettlementNotAllowed Msg = "settlement_not_allowed" // Field, service, Settlement
	MsgReshipLimit          Msg = "reship_limit"           // Field, order, most
	MsgShipClockRange       Msg = "ship_clock_range"
)

// message is a Msg's code and English: a format whose verbs take the
// message's values as english renders them.
type message struct {
	code    string
	english string
}

var messages = map[Msg]message{
	MsgTicketNotFound:     {ENOTFOUND, "ticket not found"},
	MsgTicketFinished:     {ENOTALLOWED, "ticket %s is %s: nothing more can happen to it"},
	MsgNotPossibleNow:     {ENOTALLOWED, "%s is not possible while the ticket is %s"},
	MsgRoleMayNot:         {ENOTALLOWED, "a %s may not %s"},
	MsgNotDueYet:          {ENOTALLOWED, "ticket %s is not due until %s"},
	MsgReasonRequired:     {EINVALID, "a reason is required"},
	MsgTrackingRequired:   {EINVALID, "a tracking number is required"},
	MsgSlotRequired:       {EINVALID, "a pickup slot is required"},
	MsgSlotInPast:         {EINVALID, "the pickup slot is in the past"},
	MsgConfirmRefund:      {ECONFIRM, "confirm the refund of %s"},
	MsgNothingLeft:        {EOVERREFUND, "ticket %s has nothing left to refund"},
	MsgNegativeRefund:     {EINVALID, "a refund amount cannot be negative"},
	MsgRefundExceeds:      {EOVERREFUND, "the refund of %s exceeds the %s that remain refundable"},
	MsgAlreadyRefunded:    {ECONFLICT, "ticket %s already has a refund"},
	MsgOnlyAgentsAssign:   {EFORBIDDEN, "only agents assign tickets"},
	MsgAssignToAgents:     {EINVALID, "tickets are assigned to agents"},
	MsgChooseAssignee:     {EINVALID, "choose whom to assign the ticket to"},
	MsgChooseAssignees:    {EINVALID, "choose whom to assign the tickets to"},
	MsgUnknownBulkAction:  {EINVALID, "unknown bulk action"},
	MsgVersionMissing:     {EINVALID, "the page did not say which version of the ticket it showed; reload it"},
	MsgAmountNotYuan:      {EINVALID, "the amount must be a number of yuan, like 12.50"},
	MsgSlotNotTime:        {EINVALID, "the pickup slot is not a date and time"},
	MsgNoteEmpty:          {EINVALID, "a note cannot be empty"},
	MsgRefundNotFound:     {ENOTFOUND, "refund not found"},
	MsgPageNotForRole:     {EFORBIDDEN, "this page is not for a %s account"},
	MsgNotFound:           {ENOTFOUND, "not found"},
	MsgServiceNotFound:    {ENOTFOUND, "service not found"},
	MsgDeliveryNotFound:   {ENOTFOUND, "delivery not found"},
	MsgDeliveryNotGivenUp: {ECONFLICT, "only a delivery that was given up on can be retried"},
	MsgWebhookNotFound:    {ENOTFOUND, "webhook not found"},
	MsgAPIKeyNotFound:     {ENOTFOUND, "API key not found"},
	MsgUnknownService:     {EUNKNOWNSERVICE, "unknown service %q"},
	MsgUnknownMerchant:    {EUNKNOWNMERCHANT, "unknown merchant"},
	MsgUnknownMerchantKey: {EUNKNOWNMERCHANT, "unknown merchant %q"},

	MsgOrderIDRequired:       {EINVALID, "the order id is required"},
	MsgProductRequired:       {EINVALID, "the product is required"},
	MsgPaidNotPositive:       {EINVALID, "the amount paid must be positive"},
	MsgOrderTimeRequired:     {EINVALID, "the order time is required"},
	MsgShippedBeforeOrdered:  {EINVALID, "the order cannot ship before it was placed"},
	MsgReceivedBeforeShipped: {EINVALID, "the order cannot be received before it ships"},
	MsgNotOptedIn:            {ENOTOPTEDIN, "the merchant has not opted into %s (%s)"},
	MsgAlreadyShipped:        {EALREADYSHIPPED, "%s is open only until the order ships; it shipped at %s"},
	MsgNotReceived:           {ENOTRECEIVED, "the %s window runs from receipt and the order has not been received"},
	MsgBeforeWindow:          {EOUTSIDEWINDOW, "the claim predates the start of its window"},
	MsgOutsideWindow:         {EOUTSIDEWINDOW, "%s must be claimed within %s of %s; this claim comes %s after"},
	MsgPhoneRequired:         {EINVALID, "the buyer's phone is required"},
	MsgPriceDifference:       {EINVALID, "a price protection claim names the price difference"},
	MsgClaimExceeds:          {EINVALID, "the claim of %s exceeds the %s this service may pay"},

	MsgWindowRange:          {EINVALID, "the claim window must be between 1 minute and 365 days"},
	MsgClockRange:           {EINVALID, "the merchant clock must be between 1 hour and 30 days"},
	MsgEvidenceMinRange:     {EINVALID, "the evidence minimum must be between 0 and 9 photos"},
	MsgNumberNeeded:         {EINVALID, "a number is needed"},
	MsgMerchantCode:         {EINVALID, "a merchant code is 2 to 32 lowercase letters, digits, - or _"},
	MsgMerchantNameRequired: {EINVALID, "a merchant name is required"},
	MsgMerchantCodeTaken:    {ECONFLICT, "a merchant with code %q already exists"},
	MsgMerchantNotFound:     {ENOTFOUND, "merchant not found"},
	MsgInstantNegative:      {EINVALID, "the instant refund threshold cannot be negative"},
	MsgBadEmail:             {EINVALID, "%q is not an email address"},
	MsgNameRequired:         {EINVALID, "a name is required"},
	MsgBadRole:              {EINVALID, "the role must be admin, agent or merchant, not %q"},
	MsgMerchantUser:         {EINVALID, "a merchant user belongs to exactly one merchant, and only merchant users do"},
	MsgEmailTaken:           {ECONFLICT, "a user with email %s already exists"},
	MsgUserNotFound:         {ENOTFOUND, "user not found"},
	MsgPasswordTooShort:     {EINVALID, "the password must be at least %d characters"},
	MsgPasswordTooLong:      {EINVALID, "the password must be at most %d bytes (%d letters or digits, %d Chinese characters)"},
	MsgPasswordIsEmail:      {EINVALID, "the password must not be the email address"},
	MsgPasswordRepeated:     {EINVALID, "the password must not be one character repeated"},
	MsgPasswordsDiffer:      {EINVALID, "the two new passwords differ"},
	MsgWrongPassword:        {EINVALID, "the current password is wrong"},
	MsgBadLogin:             {EFORBIDDEN, "wrong email or password"},
	MsgDisableSelf:          {EINVALID, "you cannot disable yourself"},
	MsgOwnAdminRole:         {EINVALID, "you cannot take away your own admin role"},
	MsgWebhookURL:           {EINVALID, "the webhook URL must be an http or https URL without credentials"},
	MsgWebhookPrivate:       {EINVALID, "the webhook URL's host %s is on this machine or a private network: such endpoints need serve --allow-private-webhooks"},
	MsgWebhookSecret:        {EINVALID, "the webhook secret must be at least %d characters"},
	MsgNoEvents:             {EINVALID, "choose at least one event"},
	MsgUnknownEvent:         {EINVALID, "unknown webhook event %q"},
	MsgAPIKeyName:           {EINVALID, "an API key needs a name of 1 to 64 characters"},
	MsgKeyScope:             {EINVALID, "choose whom the key acts for: one merchant, or every merchant"},

	MsgTextTooLong: {EINVALID, "%s: at most %d characters"},
	MsgTextControl: {EINVALID, "%s: control characters are not allowed"},
	MsgTextBidi:    {EINVALID, "%s: characters that reorder text (bidirectional overrides) are not allowed"},
	MsgTextInvalid: {EINVALID, "%s: not valid UTF-8 text"},
	MsgAmountRange: {EAMOUNTRANGE, "%s: %s is out of range: an amount is from 0 to %s"},

	MsgPhotoNotFound:       {ENOTFOUND, "photo not found"},
	MsgPhotoErased:         {ENOTFOUND, "the photo was deleted: photos are kept for a set time after a ticket ends"},
	MsgPhotoSizeNotFound:   {ENOTFOUND, "photo size not found"},
	MsgPhotoParty:          {EFORBIDDEN, "Only the buyer's side and the merchant add photos."},
	MsgNotOnChecklist:      {EINVALID, "This checklist item is not one of the service's."},
	MsgPhotoTicketFinished: {ENOTALLOWED, "The ticket is finished: no more photos can be added."},
	MsgPhotoLimit:          {EINVALID, "This side has already added as many photos to the ticket as are allowed."},
	MsgPhotoDuplicate:      {ECONFLICT, "This photo is already on the ticket."},
	MsgPhotoEmpty:          {EINVALID, "The file is empty."},
	MsgPhotoTooLarge:       {EINVALID, "The file is larger than the size limit for one photo."},
	MsgPhotoTooManyPixels:  {EINVALID, "The image has more pixels than the limit allows."},
	MsgPhotoHEIC:           {EINVALID, "HEIC and AVIF photos are not accepted: set the camera to JPEG (Most Compatible) or convert the photo first."},
	MsgPhotoGIF:            {EINVALID, "GIF images are not accepted: upload a JPEG, PNG or WebP photo."},
	MsgPhotoMarkup:         {EINVALID, "This file is a web page or a drawing (HTML or SVG), not a photo."},
	MsgPhotoNotPhoto:       {EINVALID, "This file is not a photo: only JPEG, PNG and WebP are accepted."},
	MsgPhotoTruncated:      {EINVALID, "The photo is incomplete: the file was cut off."},
	MsgPhotoTrailing:       {EINVALID, "The file carries other data after the image (such as a web page or a script): only the photo itself is accepted."},
	MsgPhotoMotion:         {EINVALID, "This is a motion photo with a video attached: share it as a still photo."},
	MsgPhotoAnimated:       {EINVALID, "Animated images are not accepted: upload a still photo."},
	MsgPhotoDamaged:        {EINVALID, "The photo is damaged and cannot be read."},

	MsgMessageEmpty:        {EINVALID, "a message cannot be empty"},
	MsgMessagePhotos:       {EINVALID, "a message shows at most %d photos"},
	MsgMessagePhotosBuyer:  {EINVALID, "only the buyer's messages carry photos"},
	MsgMessagePhotoUnknown: {EINVALID, "photos must be the buyer's evidence on this ticket, named by their ids"},
	MsgMacroUnfilled:       {EINVALID, "fill in %s before sending: the ticket has no value for it"},
	MsgMacroTitleRequired:  {EINVALID, "a canned reply needs a title"},
	MsgMacroUnknownVar:     {EINVALID, "%s is not a variable; use {buyer}, {product}, {amount}, {deadline}, {return_address} or {ticket}"},
	MsgMacroAction:         {EINVALID, "a canned reply cannot %s; it may approve, reject or request evidence"},
	MsgMacroNotFound:       {ENOTFOUND, "canned reply not found"},
	MsgViewQuery:           {EINVALID, "that is not a view of the queue"},
	MsgTooManyViews:        {EINVALID, "you keep at most %d saved views: delete one first"},
	MsgOfferLimit:          {EINVALID, "this ticket has had its %d offers"},
	MsgOfferNotPositive:    {EINVALID, "an offer must be more than ¥0"},
	MsgOfferNotLower:       {EINVALID, "an offer of %s must be lower than the %s asked"},
	MsgOfferNeedsText:      {EINVALID, "an offer needs a message for the buyer"},
	MsgOfferClockRange:     {EINVALID, "the buyer's time to answer an offer must be between 1 hour and 7 days"},
	MsgMaxOffersRange:      {EINVALID, "the offers per ticket must be between 0 and 9"},

	MsgFieldRequired:       {EINVALID, "%s is required"},
	MsgFieldChoice:         {EINVALID, "%s: %q is not one of %s"},
	MsgReportInFuture:      {EINVALID, "%s: the carrier's report cannot be timed in the future"},
	MsgSlotShape:           {EINVALID, "%s: pickup slots are %s long, from %s to %s"},
	MsgSlotTooSoon:         {EINVALID, "%s: a pickup is booked at least %s before its slot ends"},
	MsgSlotTooFar:          {EINVALID, "%s: a pickup is booked at most %d days ahead"},
	MsgSlotOutsideWindow:   {EINVALID, "%s: the pickup slot must end by %s, when the buyer's return window closes"},
	MsgPhoneFormat:         {EINVALID, "%s: a mobile number of 11 digits, or a landline with its area code like 0571-88886666"},
	MsgNoReturnAddress:     {EINVALID, "the merchant has no return address to send the buyer: add one in the return address settings first"},
	MsgAddressNotFound:     {ENOTFOUND, "return address not found"},
	MsgAddressDefaultLast:  {EINVALID, "make another address the default before deleting this one"},
	MsgAddressTooMany:      {EINVALID, "a merchant keeps at most %d return addresses"},
	MsgAddressAfterShipped: {ENOTALLOWED, "the return address can no longer change: the ticket is %s"},
	MsgPostagePaid:         {ECONFLICT, "the return postage of order %s was already paid under %s: 运费险 pays once per order"},

	MsgSettlementUnknown:    {EINVALID, "%s: %q is not a settlement kind (refund, exchange or reship)"},
	MsgSettlementNotAllowed: {EINVALID, "%s: %s does not settle by %s"},
	MsgReshipLimit:          {EINVALID, "%s: order %s has had its %d reships"},
	MsgShipClockRange:       {EINVALID, "the merchant's time to ship a replacement or reship must be between 1 hour and 30 days"},
}

// fieldOf names the field of refusals whose values do not: the API says
// which field a refusal is about.
var fieldOf = map[Msg]Field{
	MsgSlotRequired:     FieldSlot,
	MsgSlotInPast:       FieldSlot,
	MsgTrackingRequired: FieldTracking,
	MsgPhoneRequired:    FieldBuyerPhone,
	MsgReasonRequired:   FieldReason,
	// A claim's refusals at intake.
	MsgUnknownService:        FieldService,
	MsgNotOptedIn:            FieldService,
	MsgUnknownMerchantKey:    FieldMerchant,
	MsgOrderIDRequired:       FieldOrderID,
	MsgProductRequired:       FieldProduct,
	MsgPaidNotPositive:       FieldPaid,
	MsgOrderTimeRequired:     FieldOrderedAt,
	MsgShippedBeforeOrdered:  FieldShippedAt,
	MsgReceivedBeforeShipped: FieldReceivedAt,
	MsgAlreadyShipped:        FieldShippedAt,
	MsgNotReceived:           FieldReceivedAt,
	MsgPriceDifference:       FieldRequested,
	MsgClaimExceeds:          FieldRequested,
}

// ErrorField is the field of input a refusal is about, or "" when it is
// about none: the first Field among its values, or the one its message
// implies.
func ErrorField(err error) Field {
	var e *Error
	if !errors.As(err, &e) {
		return ""
	}
	for _, a := range e.Args {
		if f, ok := a.(Field); ok {
			return f
		}
	}
	if e.Msg == MsgOutsideWindow { // the order's time the window runs from
		for _, a := range e.Args {
			if w, ok := a.(WindowStart); ok {
				return w.field()
			}
		}
	}
	return fieldOf[e.Msg]
}

// Fail returns the error that says m with its values. A Msg the catalog
// does not hold is an internal error: a program's mistake, not the user's.
func Fail(m Msg, args ...any) *Error {
	msg, ok := messages[m]
	if !ok {
		return &Error{Code: EINTERNAL, Msg: m, Args: args, Message: "internal error"}
	}
	return &Error{Code: msg.code, Msg: m, Args: args, Message: fmt.Sprintf(msg.english, english(args)...)}
}

// Messages yields every message the catalog holds, in no particular order.
func Messages() iter.Seq[Msg] { return maps.Keys(messages) }

// English is the English text of m: a format whose verbs take the message's
// values in order, as its English rendering (the API's) or a page's.
func (m Msg) English() string { return messages[m].english }

// english renders a message's values as the English text (and the API) says
// them: durations as "29d 23h", moments in UTC, services by their Chinese
// names, amounts as fen.
func english(args []any) []any {
	out := slices.Clone(args)
	for i, a := range out {
		switch v := a.(type) {
		case time.Duration:
			out[i] = HumanDuration(v)
		case time.Time:
			out[i] = v.UTC().Format(time.RFC3339)
		case WindowStart:
			out[i] = windowStartWords[v]
		case ServiceKey:
			if s, ok := catalogIndex[v]; ok {
				out[i] = s.NameZH
			}
		case Fen:
			out[i] = fmt.Sprintf("%d fen", int64(v))
		}
	}
	return out
}

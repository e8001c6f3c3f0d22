package anxin

import (
	"iter"
	"slices"
	"time"
)

// State is where a ticket stands. Each state runs at most one deadline clock.
type State string

const (
	PendingMerchant State = "pending_merchant"
	NeedsEvidence   State = "needs_evidence"
	Rejected        State = "rejected"
	AwaitingReturn  State = "awaiting_return"
	AwaitingReceipt State = "awaiting_receipt"
	// Received: the carrier delivered the return to the merchant, who is
	// to inspect it (已签收，待验货) under its own clock.
	Received     State = "received"
	OfferPending State = "offer_pending" // 待买家确认: a partial amount offered, the buyer to answer
	// ReturnOverdue: the goods were refunded ahead of their return (极速退款)
	// and the return was not received by its deadline: a known risk of
	// instant refunds, raised to the merchant, who decides what to do.
	ReturnOverdue State = "return_overdue"
	// AwaitingShipment: an exchange's return was received, or a reship
	// approved; the merchant is to ship the goods under its own clock
	// (待商家发货), else the ticket turns into a refund.
	AwaitingShipment State = "awaiting_shipment"
	// Shipped: the merchant's replacement or reship is on its way to the
	// buyer (商家已发货待用户收货); delivered, or its clock run out, the
	// ticket closes.
	Shipped      State = "shipped"
	Arbitration  State = "arbitration"
	Refunding    State = "refunding"
	RefundFailed State = "refund_failed"
	Refunded     State = "refunded"
	Closed       State = "closed"
)

// states lists every state, in the order a ticket usually meets them.
var states = []State{PendingMerchant, NeedsEvidence, Rejected, AwaitingReturn, AwaitingReceipt, Received,
	OfferPending, ReturnOverdue, AwaitingShipment, Shipped, Arbitration, Refunding, RefundFailed, Refunded, Closed}

// States lists every state, in the order a ticket usually meets them.
func States() []State { return slices.Clone(states) }

// Terminal reports whether nothing more happens to a ticket in this state.
func (s State) Terminal() bool { return s == Refunded || s == Closed }

// Valid reports whether s is one of the states.
func (s State) Valid() bool { return slices.Contains(states, s) }

// Action is something that happens to a ticket. Most actions are transitions
// of the table below; a few (assign, note, evidence outside needs_evidence)
// are recorded on the timeline without changing the state.
type Action string

const (
	Approve         Action = "approve"
	Refund          Action = "refund" // grant now, full or partial, without (further) return
	Reject          Action = "reject"
	RequestEvidence Action = "request_evidence"
	AddEvidence     Action = "evidence_added"
	Cancel          Action = "cancel"
	Appeal          Action = "appeal"
	EscalateToArb   Action = "escalate"
	ShipReturn      Action = "return_shipped"
	BookPickup      Action = "pickup_booked"
	Receive         Action = "receive"
	RefuseReturn    Action = "refuse_return"
	RuleForBuyer    Action = "rule_buyer"
	RuleForMerchant Action = "rule_merchant"
	RefundSucceeded Action = "refund_succeeded"
	RefundFailure   Action = "refund_failed"
	RetryRefund     Action = "retry_refund"
	ManualRefund    Action = "manual_refund"
	Timeout         Action = "timeout"
	// Offer is a partial amount (协商) the staff propose; the buyer accepts
	// or declines it through the platform.
	Offer         Action = "offer"
	OfferAccepted Action = "offer_accepted"
	OfferDeclined Action = "offer_declined"
	// ReturnDelivered is the carrier reporting the buyer's return delivered
	// to the merchant (a logistics event).
	ReturnDelivered Action = "return_delivered"
	// RefundAhead is the system's 极速退款 of a claim that needs the goods
	// back: paid at intake, the return still owed and tracked.
	RefundAhead Action = "refund_ahead"
	// WriteOff is the merchant (or an agent) accepting that goods refunded
	// ahead of their return will not come back.
	WriteOff Action = "write_off"
	// PostageMerged closes a 运费险 claim whose postage is paid with the
	// order's return (once per order, when the return is received).
	PostageMerged Action = "postage_merged"
	// ShipOut is the merchant shipping an exchange's replacement or a
	// reship, with its carrier and tracking number (发货).
	ShipOut Action = "ship_out"
	// OutOfStock is the merchant having nothing to ship: the ticket is
	// refunded instead (缺货转退款).
	OutOfStock Action = "out_of_stock"
	// OutboundDelivered is the carrier reporting the merchant's parcel
	// delivered to the buyer (a logistics event).
	OutboundDelivered Action = "outbound_delivered"

	// Timeline-only actions.
	Create     Action = "create"
	Assign     Action = "assign"
	PhotoAdded Action = "photo_added"
	// PaidTwice is the payment system reporting a refund paid that an agent
	// had already paid by hand: money may have gone out twice.
	PaidTwice Action = "paid_twice"
	// AddressSent: the merchant's return address went to the buyer.
	AddressSent Action = "address_sent"
	// PostagePaid, PostageFailed and PostageRetried: the payment system's
	// answer on the 运费险 payout of a received return, and an agent asking
	// again after a failure.
	PostagePaid    Action = "postage_paid"
	PostageFailed  Action = "postage_failed"
	PostageRetried Action = "postage_retried"
)

// Timer names the deadline a state runs: who owes the next move and how long
// they have.
type Timer string

const (
	NoTimer          Timer = ""
	MerchantReply    Timer = "merchant_reply"    // the service's merchant clock
	MerchantResume   Timer = "merchant_resume"   // what was left of it when evidence was requested or an offer made
	BuyerOffer       Timer = "buyer_offer"       // the policy's offer clock (24 h by default)
	BuyerEvidence    Timer = "buyer_evidence"    // 72 h (assumed)
	BuyerAppeal      Timer = "buyer_appeal"      // 7 days
	BuyerReturn      Timer = "buyer_return"      // 7 days to ship or book a pickup
	MerchantReceipt  Timer = "merchant_receipt"  // 10 days to confirm receipt
	MerchantInspect  Timer = "merchant_inspect"  // the policy's inspection clock, from delivery (48 h by default)
	AgentArbitration Timer = "agent_arbitration" // 72 h (assumed)
	AgentRefundRetry Timer = "agent_refund"      // 24 h (assumed)
	MerchantShip     Timer = "merchant_ship"     // the policy's ship clock (48 h by default)
	BuyerDelivery    Timer = "buyer_delivery"    // the policy's delivery clock (10 days by default)
)

// timerLength is how long each fixed clock runs. The merchant's clocks come
// from the policy and from what was left of it instead.
var timerLength = map[Timer]time.Duration{
	BuyerEvidence:    72 * time.Hour,
	BuyerAppeal:      7 * day,
	BuyerReturn:      7 * day,
	MerchantReceipt:  10 * day,
	AgentArbitration: 72 * time.Hour,
	AgentRefundRetry: 24 * time.Hour,
}

// Length is how long the clock runs when it is fixed; 0 for the merchant's
// clocks (MerchantReply, MerchantResume, MerchantInspect, MerchantShip), the
// buyer's offer clock (BuyerOffer) and the delivery clock (BuyerDelivery),
// which the policy and the ticket set.
func (t Timer) Length() time.Duration { return timerLength[t] }

// stateTimer is the clock each state runs; states absent here run none.
var stateTimer = map[State]Timer{
	PendingMerchant:  MerchantReply,
	NeedsEvidence:    BuyerEvidence,
	Rejected:         BuyerAppeal,
	AwaitingReturn:   BuyerReturn,
	AwaitingReceipt:  MerchantReceipt,
	Received:         MerchantInspect,
	OfferPending:     BuyerOffer,
	Arbitration:      AgentArbitration,
	RefundFailed:     AgentRefundRetry,
	AwaitingShipment: MerchantShip,
	Shipped:          BuyerDelivery,
}

// Timer is the clock the state runs, NoTimer for none.
func (s State) Timer() Timer { return stateTimer[s] }

// timerOwner is whose move each clock waits for.
var timerOwner = map[Timer]Role{
	MerchantReply:    RoleMerchant,
	MerchantResume:   RoleMerchant,
	MerchantReceipt:  RoleMerchant,
	MerchantShip:     RoleMerchant,
	BuyerOffer:       RoleBuyer,
	BuyerEvidence:    RoleBuyer,
	BuyerAppeal:      RoleBuyer,
	BuyerReturn:      RoleBuyer,
	AgentArbitration: RoleAgent,
	AgentRefundRetry: RoleAgent,
}

// Owner is whose move the clock waits for: the merchant, the buyer or the
// support team ("" for no clock).
func (t Timer) Owner() Role { return timerOwner[t] }

// StatesOwedBy lists the states whose clock waits for the role's move, in
// the table's order: a merchant's own work is the states on its clock.
func StatesOwedBy(r Role) []State {
	var out []State
	for _, s := range states {
		if s.Timer().Owner() == r {
			out = append(out, s)
		}
	}
	return out
}

// refundRule says whether a transition pays and how much.
type refundRule uint8

const (
	noRefund      refundRule = iota
	payRequested             // the amount claimed, capped by what remains refundable
	payChosen                // the amount the actor names (0: as payRequested)
	payRetry                 // the existing refund again, under the same number
	payManualDone            // the existing refund, paid outside the provider
	payOffered               // the amount offered and accepted, capped by what remains refundable
)

// need names the input a transition requires.
type need uint8

const (
	needNothing need = iota
	needReason
	needTracking
	needSlot
	needOffer    // an amount and a message
	needShipment // a carrier and a tracking number
)

// guard decides between transitions that share a state and an action.
type guard func(Policy) bool

func needsReturn(p Policy) bool { return p.NeedsReturn }
func refundOnly(p Policy) bool  { return !p.NeedsReturn }
func postage(p Policy) bool     { return p.Compensation == CompPostage }
func onTimeout(a TimeoutAction, g guard) guard {
	return func(p Policy) bool { return p.OnTimeout == a && (g == nil || g(p)) }
}

// owing says which tickets a row applies to by whether their goods were
// refunded ahead of the return (极速退款): the return is owed.
type owing uint8

const (
	anyTicket owing = iota
	notOwed         // only tickets whose refund waits for the goods
	owed            // only tickets refunded ahead of their return
)

// Transition is one row of the state machine.
type Transition struct {
	From   State
	Action Action
	When   guard // nil: always
	To     State
	Roles  roleSet
	Sets   Timer // the deadline entering To sets
	Refund refundRule
	Needs  need
	// Origin, for a way out of OfferPending, is the state the offer was
	// made in: the row applies to such tickets only ("" for every ticket).
	Origin State
	// Owing limits the row to tickets whose return is owed after an
	// instant refund, or to the others.
	Owing owing
	// Owes marks the refund it pays as paid ahead of the return.
	Owes bool
	// Kind limits the row to tickets that settle so ("" for every ticket).
	Kind Settlement
	// ByRule: the system takes it too, on a merchant's automatic rule
	// (autorules.go) that the decision names, never otherwise.
	ByRule bool
}

// Who may take a transition. Constants, so that nothing can change them.
const (
	staff     = agentBit | merchantBit
	agents    = agentBit
	buyerSide = buyerBit | agentBit // the buyer, or an agent on the buyer's behalf
	system    = systemBit
	// instant: staff, or the system issuing an instant refund (极速退款) at intake.
	instant = agentBit | merchantBit | systemBit
)

// transitions is the state machine of the spec, as one table. Where rows
// share a state and an action, the first that applies wins: rows for
// tickets refunded ahead of their return (Owing: owed) come first.
var transitions = []Transition{
	// An exchange takes the goods back first; a reship ships at once.
	{From: PendingMerchant, Action: Approve, Kind: SettleExchange, To: AwaitingReturn, Roles: staff, Sets: BuyerReturn},
	{From: PendingMerchant, Action: Approve, Kind: SettleReship, To: AwaitingShipment, Roles: staff, Sets: MerchantShip},
	{From: PendingMerchant, Action: Timeout, When: onTimeout(AutoApprove, nil), Kind: SettleExchange, To: AwaitingReturn, Roles: system, Sets: BuyerReturn},
	{From: PendingMerchant, Action: Timeout, When: onTimeout(AutoApprove, nil), Kind: SettleReship, To: AwaitingShipment, Roles: system, Sets: MerchantShip},
	{From: PendingMerchant, Action: Approve, When: needsReturn, To: AwaitingReturn, Roles: staff, ByRule: true, Sets: BuyerReturn},
	{From: PendingMerchant, Action: Approve, When: refundOnly, To: Refunding, Roles: staff, Refund: payRequested},
	{From: PendingMerchant, Action: Refund, To: Refunding, Roles: instant, Refund: payChosen},
	// 极速退款 of a claim that needs the goods back: paid now, the return
	// owed; once the refund is paid the buyer sends the goods back.
	{From: PendingMerchant, Action: RefundAhead, When: needsReturn, To: Refunding, Roles: system, Refund: payRequested, Owes: true},
	{From: PendingMerchant, Action: Reject, To: Rejected, Roles: staff, Sets: BuyerAppeal, Needs: needReason},
	{From: PendingMerchant, Action: RequestEvidence, To: NeedsEvidence, Roles: staff, Sets: BuyerEvidence},
	{From: PendingMerchant, Action: Cancel, To: Closed, Roles: buyerSide},
	{From: PendingMerchant, Action: EscalateToArb, To: Arbitration, Roles: agents, Sets: AgentArbitration},
	{From: PendingMerchant, Action: Offer, To: OfferPending, Roles: staff, Sets: BuyerOffer, Needs: needOffer},
	{From: PendingMerchant, Action: PostageMerged, When: postage, To: Closed, Roles: system},
	{From: PendingMerchant, Action: Timeout, When: onTimeout(AutoApprove, needsReturn), To: AwaitingReturn, Roles: system, Sets: BuyerReturn},
	{From: PendingMerchant, Action: Timeout, When: onTimeout(AutoApprove, refundOnly), To: Refunding, Roles: system, Refund: payRequested},
	{From: PendingMerchant, Action: Timeout, When: onTimeout(AutoRefund, nil), To: Refunding, Roles: system, Refund: payRequested},
	{From: PendingMerchant, Action: Timeout, When: onTimeout(Escalate, nil), To: Arbitration, Roles: system, Sets: AgentArbitration},

	{From: NeedsEvidence, Action: AddEvidence, To: PendingMerchant, Roles: buyerSide, Sets: MerchantResume},
	{From: NeedsEvidence, Action: Cancel, To: Closed, Roles: buyerSide},
	{From: NeedsEvidence, Action: Timeout, To: Closed, Roles: system},

	{From: Rejected, Action: Appeal, To: Arbitration, Roles: buyerSide, Sets: AgentArbitration},
	{From: Rejected, Action: Timeout, To: Closed, Roles: system},

	// The carrier's report of the parcel picked up or on its way is the
	// buyer's tracking entry (system); its report of delivery is receipt
	// at the merchant's door, for the merchant to inspect.
	{From: AwaitingReturn, Action: ShipReturn, To: AwaitingReceipt, Roles: buyerSide | system, Sets: MerchantReceipt, Needs: needTracking},
	{From: AwaitingReturn, Action: BookPickup, To: AwaitingReceipt, Roles: buyerSide, Sets: MerchantReceipt, Needs: needSlot},
	{From: AwaitingReturn, Action: ReturnDelivered, To: Received, Roles: system, Sets: MerchantInspect},
	{From: AwaitingReturn, Action: Refund, To: Refunding, Roles: staff, Refund: payChosen},
	{From: AwaitingReturn, Action: Cancel, Owing: notOwed, To: Closed, Roles: buyerSide},
	{From: AwaitingReturn, Action: Timeout, Owing: owed, To: ReturnOverdue, Roles: system},
	{From: AwaitingReturn, Action: Timeout, To: Closed, Roles: system},

	{From: AwaitingReceipt, Action: ReturnDelivered, To: Received, Roles: system, Sets: MerchantInspect},
	// An exchange's return received: the replacement is to ship.
	{From: AwaitingReceipt, Action: Receive, Kind: SettleExchange, To: AwaitingShipment, Roles: staff, Sets: MerchantShip},
	{From: AwaitingReceipt, Action: Timeout, Kind: SettleExchange, To: AwaitingShipment, Roles: system, Sets: MerchantShip},
	{From: AwaitingReceipt, Action: Receive, Owing: owed, To: Refunded, Roles: staff},
	{From: AwaitingReceipt, Action: Receive, To: Refunding, Roles: staff, Refund: payRequested},
	{From: AwaitingReceipt, Action: Refund, To: Refunding, Roles: staff, Refund: payChosen},
	{From: AwaitingReceipt, Action: RefuseReturn, To: Rejected, Roles: staff, Sets: BuyerAppeal, Needs: needReason},
	{From: AwaitingReceipt, Action: EscalateToArb, To: Arbitration, Roles: agents, Sets: AgentArbitration},
	{From: AwaitingReceipt, Action: Offer, To: OfferPending, Roles: staff, Sets: BuyerOffer, Needs: needOffer},
	{From: AwaitingReceipt, Action: Timeout, Owing: owed, To: ReturnOverdue, Roles: system},
	{From: AwaitingReceipt, Action: Timeout, To: Refunding, Roles: system, Refund: payRequested},

	// Delivered: the merchant inspects the goods under its own clock; left
	// alone, they are taken as received.
	{From: Received, Action: Receive, Kind: SettleExchange, To: AwaitingShipment, Roles: staff, Sets: MerchantShip},
	{From: Received, Action: Timeout, Kind: SettleExchange, To: AwaitingShipment, Roles: system, Sets: MerchantShip},
	{From: Received, Action: Receive, Owing: owed, To: Refunded, Roles: staff, ByRule: true},
	{From: Received, Action: Receive, To: Refunding, Roles: staff, ByRule: true, Refund: payRequested},
	{From: Received, Action: Refund, To: Refunding, Roles: staff, ByRule: true, Refund: payChosen},
	{From: Received, Action: RefuseReturn, To: Rejected, Roles: staff, Sets: BuyerAppeal, Needs: needReason},
	{From: Received, Action: EscalateToArb, To: Arbitration, Roles: agents, Sets: AgentArbitration},
	{From: Received, Action: Offer, To: OfferPending, Roles: staff, Sets: BuyerOffer, Needs: needOffer},
	{From: Received, Action: Timeout, Owing: owed, To: Refunded, Roles: system},
	{From: Received, Action: Timeout, To: Refunding, Roles: system, Refund: payRequested},

	// An offer pauses the merchant's clock; declined or lapsed, the ticket
	// goes back to where it was with what was left of it.
	{From: OfferPending, Action: OfferAccepted, To: Refunding, Roles: buyerSide, Refund: payOffered},
	{From: OfferPending, Action: OfferDeclined, Origin: PendingMerchant, To: PendingMerchant, Roles: buyerSide, Sets: MerchantResume},
	{From: OfferPending, Action: OfferDeclined, Origin: AwaitingReceipt, To: AwaitingReceipt, Roles: buyerSide, Sets: MerchantResume},
	{From: OfferPending, Action: OfferDeclined, Origin: Received, To: Received, Roles: buyerSide, Sets: MerchantResume},
	{From: OfferPending, Action: Cancel, To: Closed, Roles: buyerSide},
	{From: OfferPending, Action: Timeout, Origin: PendingMerchant, To: PendingMerchant, Roles: system, Sets: MerchantResume},
	{From: OfferPending, Action: Timeout, Origin: AwaitingReceipt, To: AwaitingReceipt, Roles: system, Sets: MerchantResume},
	{From: OfferPending, Action: Timeout, Origin: Received, To: Received, Roles: system, Sets: MerchantResume},

	// Refunded ahead of the return and not received in time: the merchant
	// decides. A late return is still taken; the loss may be written off.
	{From: ReturnOverdue, Action: ShipReturn, To: AwaitingReceipt, Roles: buyerSide | system, Sets: MerchantReceipt, Needs: needTracking},
	{From: ReturnOverdue, Action: BookPickup, To: AwaitingReceipt, Roles: buyerSide, Sets: MerchantReceipt, Needs: needSlot},
	{From: ReturnOverdue, Action: ReturnDelivered, To: Received, Roles: system, Sets: MerchantInspect},
	{From: ReturnOverdue, Action: Receive, To: Refunded, Roles: staff},
	{From: ReturnOverdue, Action: WriteOff, To: Closed, Roles: staff, Needs: needReason},
	{From: ReturnOverdue, Action: EscalateToArb, To: Arbitration, Roles: agents, Sets: AgentArbitration},

	// The merchant ships the replacement or reship, or has none to ship and
	// refunds; left alone, the ticket turns into a refund. Shipped, it
	// closes when the buyer receives it, or when its clock runs out; a
	// parcel lost on the way may still be refunded.
	{From: AwaitingShipment, Action: ShipOut, To: Shipped, Roles: staff, Sets: BuyerDelivery, Needs: needShipment},
	{From: AwaitingShipment, Action: OutOfStock, To: Refunding, Roles: staff, Refund: payRequested},
	{From: AwaitingShipment, Action: EscalateToArb, To: Arbitration, Roles: agents, Sets: AgentArbitration},
	{From: AwaitingShipment, Action: Timeout, To: Refunding, Roles: system, Refund: payRequested},
	{From: Shipped, Action: OutboundDelivered, To: Closed, Roles: system},
	{From: Shipped, Action: Refund, To: Refunding, Roles: staff, Refund: payChosen},
	{From: Shipped, Action: Timeout, To: Closed, Roles: system},

	{From: Arbitration, Action: RuleForBuyer, To: Refunding, Roles: agents, Refund: payChosen},
	{From: Arbitration, Action: RuleForMerchant, To: Closed, Roles: agents, Needs: needReason},

	// Paid ahead of the return, the ticket goes on to wait for the goods.
	{From: Refunding, Action: RefundSucceeded, Owing: owed, To: AwaitingReturn, Roles: system, Sets: BuyerReturn},
	{From: Refunding, Action: RefundSucceeded, To: Refunded, Roles: system},
	{From: Refunding, Action: RefundFailure, To: RefundFailed, Roles: system, Sets: AgentRefundRetry},

	{From: RefundFailed, Action: RetryRefund, To: Refunding, Roles: agents, Refund: payRetry},
	{From: RefundFailed, Action: ManualRefund, Owing: owed, To: AwaitingReturn, Roles: agents, Refund: payManualDone, Needs: needReason, Sets: BuyerReturn},
	{From: RefundFailed, Action: ManualRefund, To: Refunded, Roles: agents, Refund: payManualDone, Needs: needReason},
}

// Transitions yields every row of the state machine, in table order.
func Transitions() iter.Seq[Transition] { return slices.Values(transitions) }

// Lookup finds the transition for an action in a state under a policy, for
// a ticket whose refund waits for its goods (as most do). Out of
// OfferPending it finds the first row whatever the offer's origin: the
// ticket's own is found by LookupFor.
func Lookup(from State, a Action, p Policy) (Transition, bool) {
	return lookup(from, "", false, SettleRefund, a, p)
}

// LookupKind finds the transition as Lookup does, for a ticket that
// settles by the kind.
func LookupKind(from State, k Settlement, a Action, p Policy) (Transition, bool) {
	return lookup(from, "", false, k, a, p)
}

// LookupFor finds the transition for an action on the ticket under a policy.
func LookupFor(t Ticket, a Action, p Policy) (Transition, bool) {
	return lookup(t.State, t.OfferFrom, t.ReturnOwed, t.Settlement, a, p)
}

func lookup(from, origin State, returnOwed bool, kind Settlement, a Action, p Policy) (Transition, bool) {
	for _, t := range transitions {
		if t.From == from && t.Action == a && (t.When == nil || t.When(p)) &&
			(origin == "" || t.Origin == "" || t.Origin == origin) && t.Owing.fits(returnOwed) && t.fitsKind(kind) {
			return t, true
		}
	}
	return Transition{}, false
}

// fitsKind reports whether the row applies to a ticket that settles by k.
func (t Transition) fitsKind(k Settlement) bool { return t.Kind == "" || t.Kind == k.Or() }

func (o owing) fits(returnOwed bool) bool {
	switch o {
	case notOwed:
		return !returnOwed
	case owed:
		return returnOwed
	}
	return true
}

// Allows reports whether role may take the transition.
func (t Transition) Allows(r Role) bool { return t.Roles.has(r) }

// AllowsRule reports whether the system may take the transition on a
// merchant's automatic rule: where it may anyway, and on the rows marked
// ByRule.
func (t Transition) AllowsRule() bool { return t.ByRule || t.Roles.has(RoleSystem) }

// TimeoutOf returns what the system does when the state's clock runs out
// under the policy, or NoAction when a person must act on the overdue ticket.
func TimeoutOf(s State, p Policy) TimeoutAction {
	t, ok := Lookup(s, Timeout, p)
	if !ok {
		return NoAction
	}
	return t.timeoutAction(p)
}

// TimeoutAction is what the system does when the ticket's clock runs out
// under the policy (NoAction: a person must act on the overdue ticket).
func (t Ticket) TimeoutAction(p Policy) TimeoutAction {
	tr, ok := LookupFor(t, Timeout, p)
	if !ok {
		return NoAction
	}
	return tr.timeoutAction(p)
}

// timeoutAction names what a Timeout row does.
func (t Transition) timeoutAction(p Policy) TimeoutAction {
	switch {
	case t.From == PendingMerchant:
		return p.OnTimeout
	case t.From == AwaitingShipment:
		return RefundUnshipped
	case t.To == ReturnOverdue:
		return RaiseReturn
	case t.From == AwaitingReceipt || t.From == Received:
		return AutoReceive
	case t.From == OfferPending:
		return OfferLapse
	case t.To == Closed:
		return AutoClose
	}
	return NoAction
}

// Allowed reports whether a role may take the action in state s under the policy.
func Allowed(s State, a Action, r Role, p Policy) bool {
	t, ok := Lookup(s, a, p)
	return ok && a != Timeout && t.Allows(r)
}

// ActionsFor lists the actions a role may take on a ticket in state s under
// the policy, in table order, without the system's own.
func ActionsFor(s State, r Role, p Policy) []Action {
	return actionsFor(s, false, SettleRefund, r, p)
}

// Actions lists the actions a role may take on the ticket under the policy,
// in table order, without the system's own.
func (t Ticket) Actions(r Role, p Policy) []Action {
	return actionsFor(t.State, t.ReturnOwed, t.Settlement, r, p)
}

func actionsFor(s State, returnOwed bool, kind Settlement, r Role, p Policy) []Action {
	var out []Action
	seen := map[Action]bool{}
	for _, t := range transitions {
		if t.From != s || t.Action == Timeout || seen[t.Action] {
			continue
		}
		if (t.When != nil && !t.When(p)) || !t.Owing.fits(returnOwed) || !t.fitsKind(kind) {
			continue
		}
		// The first row that applies is the one taken: a later one for
		// the same action never is, whoever it allows.
		seen[t.Action] = true
		if t.Allows(r) {
			out = append(out, t.Action)
		}
	}
	return out
}

// BuyerSide reports whether an action is the buyer's to take (an agent may
// record it on the buyer's behalf), as the transition table says.
func BuyerSide(a Action) bool {
	for _, t := range transitions {
		if t.Action == a && t.Roles.has(RoleBuyer) {
			return true
		}
	}
	return false
}

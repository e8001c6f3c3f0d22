package anxin

import (
	"slices"
	"strings"
	"time"
)

// Merchant auto-rules (自动化售后, after-sales-rules.md section 7): what a
// merchant lets the system decide on its behalf, within limits the platform
// sets per merchant. Each automatic decision is a transition of the state
// table taken by the system, and names the rule that made it.

// RuleKey names one of the automatic rules.
type RuleKey string

const (
	// RuleRefundUnshipped refunds a claim on an order not yet shipped, up
	// to an amount.
	RuleRefundUnshipped RuleKey = "auto_refund_unshipped"
	// RuleApproveReturn approves a 7-day no-reason return and sends the
	// buyer the merchant's default return address.
	RuleApproveReturn RuleKey = "auto_approve_return"
	// RuleReturnless refunds without asking the goods back, up to an
	// amount, for the services (and reasons) the merchant chose.
	RuleReturnless RuleKey = "returnless_refund"
	// RuleReceiveOnSigned confirms receipt of a return the carrier reports
	// delivered, at once or after some hours of inspection; receipt pays
	// the refund, as every receipt does.
	RuleReceiveOnSigned RuleKey = "auto_receive_on_signed"
	// RuleRefundOnReceipt refunds a return as soon as it is delivered,
	// without inspection.
	RuleRefundOnReceipt RuleKey = "auto_refund_on_receipt"
)

// ruleKeys is every rule, in the order they are tried and shown.
var ruleKeys = []RuleKey{RuleRefundUnshipped, RuleReturnless, RuleApproveReturn, RuleRefundOnReceipt, RuleReceiveOnSigned}

// RuleKeys lists every rule, in the order they are tried and shown.
func RuleKeys() []RuleKey { return slices.Clone(ruleKeys) }

// Valid reports whether k is one of the rules.
func (k RuleKey) Valid() bool { return slices.Contains(ruleKeys, k) }

// RuleWindow is the period a rule's per-buyer cap counts uses over.
const RuleWindow = 30 * day

// MaxReceiveAfter is the longest a merchant may wait before the system
// confirms a delivered return's receipt.
const MaxReceiveAfter = 7 * day

// Rule is one automatic rule as a merchant set it. Which fields count
// depends on the rule: MaxFen for the refunds of unshipped orders and
// without return, Services and Reasons for refunds without return, After
// for confirming receipt.
type Rule struct {
	Key      RuleKey
	On       bool
	MaxFen   int64         // the most a claim may ask for the rule to take it
	PerBuyer int           // how often the rule may act for one buyer in RuleWindow
	After    time.Duration // RuleReceiveOnSigned: hours left for inspection (0: at once)
	Services []ServiceKey  // RuleReturnless: the services it covers
	Reasons  []string      // RuleReturnless: words of the buyer's reason it covers (none: any reason)
}

// DefaultPerBuyer is a new rule's cap: uses per buyer per 30 days.
const DefaultPerBuyer = 3

// RuleSet is a merchant's automatic rules and its own 极速退款 thresholds.
type RuleSet struct {
	MerchantID int64
	Rules      []Rule // one per key, in RuleKeys order
	Instant    InstantRefund
}

// NewRuleSet is a merchant's rule set with every rule off.
func NewRuleSet(merchantID int64, instant InstantRefund) RuleSet {
	rs := RuleSet{MerchantID: merchantID, Instant: instant}
	for _, k := range ruleKeys {
		rs.Rules = append(rs.Rules, Rule{Key: k, PerBuyer: DefaultPerBuyer})
	}
	return rs
}

// Rule returns the set's rule of that key (off when the set has none).
func (rs RuleSet) Rule(k RuleKey) Rule {
	for _, r := range rs.Rules {
		if r.Key == k {
			return r
		}
	}
	return Rule{Key: k, PerBuyer: DefaultPerBuyer}
}

// Set replaces (or adds) the rule of its key.
func (rs *RuleSet) Set(r Rule) {
	for i := range rs.Rules {
		if rs.Rules[i].Key == r.Key {
			rs.Rules[i] = r
			return
		}
	}
	rs.Rules = append(rs.Rules, r)
}

// RuleLimits bound what a merchant may set: the admin sets them per
// merchant, or the platform's default applies.
type RuleLimits struct {
	UnshippedMaxFen  int64 // RuleRefundUnshipped's MaxFen
	ReturnlessMaxFen int64 // RuleReturnless's MaxFen
	InstantMaxFen    int64 // the merchant's 极速退款 threshold
	PerBuyerMax      int   // every rule's PerBuyer
}

// DefaultRuleLimits is the platform's default: ¥500 for unshipped orders,
// ¥100 without return (TikTok recommends small amounts for returnless
// refunds), the spec's ¥200 of 极速退款, 5 uses per buyer per 30 days
// (assumed).
func DefaultRuleLimits() RuleLimits {
	return RuleLimits{UnshippedMaxFen: 50000, ReturnlessMaxFen: 10000, InstantMaxFen: 20000, PerBuyerMax: 5}
}

// The fields of a rule set and its limits, as the forms name them.
const (
	FieldRuleUnshippedMax  Field = "rules.unshipped_max"
	FieldRuleReturnlessMax Field = "rules.returnless_max"
	FieldRuleServices      Field = "rules.returnless_services"
	FieldRuleReasons       Field = "rules.returnless_reasons"
	FieldRuleReceiveAfter  Field = "rules.receive_after"
	FieldRuleInstantMax    Field = "rules.instant_max"
	FieldRulePerBuyer      Field = "rules.per_buyer"
)

// The refusals of rule settings.
const (
	MsgRuleAboveLimit    Msg = "rule_above_limit"      // Field, Fen given, Fen limit
	MsgRulePerBuyerRange Msg = "rule_per_buyer"        // Field, rule, most
	MsgRuleAfterRange    Msg = "rule_after_range"      // Field, most
	MsgRuleNoService     Msg = "rule_no_service"       // Field
	MsgRuleService       Msg = "rule_service"          // Field, ServiceKey
	MsgRuleLimitRange    Msg = "rule_limit_range"      // Field
	MsgRuleTooManyWords  Msg = "rule_reasons_too_many" // Field, most
	MsgFieldNotYuan      Msg = "field_not_yuan"        // Field
	MsgFieldNotWhole     Msg = "field_not_whole"       // Field
)

// MaxRuleReasons is how many reason words a returnless rule may list.
const MaxRuleReasons = 10

func init() {
	// Kept beside the rules they refuse rather than in messages.go.
	for m, text := range map[Msg]message{
		MsgRuleAboveLimit:    {EINVALID, "%s: %s is above %s, the most the platform allows this merchant"},
		MsgRulePerBuyerRange: {EINVALID, "%s of %s: from 1 to %d uses per buyer in 30 days"},
		MsgRuleAfterRange:    {EINVALID, "%s: from 0 to %d hours"},
		MsgRuleNoService:     {EINVALID, "%s: choose at least one service"},
		MsgRuleService:       {EINVALID, "%s: %s is a service whose goods come back or whose payout is not a refund"},
		MsgRuleLimitRange:    {EINVALID, "%s: a limit cannot be negative, nor a cap below 1"},
		MsgRuleTooManyWords:  {EINVALID, "%s: at most %d words"},
		MsgFieldNotYuan:      {EINVALID, "%s: the amount must be a number of yuan, like 12.50"},
		MsgFieldNotWhole:     {EINVALID, "%s: a whole number is needed"},
	} {
		messages[m] = text
	}
}

// Validate checks the limits an admin sets.
func (l RuleLimits) Validate() error {
	for _, f := range []struct {
		field Field
		fen   int64
	}{{FieldRuleUnshippedMax, l.UnshippedMaxFen}, {FieldRuleReturnlessMax, l.ReturnlessMaxFen}, {FieldRuleInstantMax, l.InstantMaxFen}} {
		if f.fen < 0 {
			return Fail(MsgRuleLimitRange, f.field)
		}
		if err := CheckAmount(f.field, f.fen); err != nil {
			return err
		}
	}
	if l.PerBuyerMax < 1 || l.PerBuyerMax > 1000 {
		return Fail(MsgRuleLimitRange, FieldRulePerBuyer)
	}
	return nil
}

// ReturnlessServices lists the services a returnless rule may cover: those
// that pay a refund (not 运费险's postage nor 正品保证's triple).
func ReturnlessServices() []ServiceKey {
	var out []ServiceKey
	for _, s := range catalog {
		if s.Default.Compensation == CompPostage || s.Default.Compensation == CompTriple {
			continue
		}
		out = append(out, s.Key)
	}
	return out
}

// Validate tidies the rule set and checks it against the limits: each
// refusal names the field, and the limit it went over.
func (rs *RuleSet) Validate(l RuleLimits) error {
	if rs.Instant.MaxFen < 0 {
		return Fail(MsgInstantNegative)
	}
	if rs.Instant.Enabled && rs.Instant.MaxFen > l.InstantMaxFen {
		return Fail(MsgRuleAboveLimit, FieldRuleInstantMax, Fen(rs.Instant.MaxFen), Fen(l.InstantMaxFen))
	}
	for i := range rs.Rules {
		r := &rs.Rules[i]
		if !r.Key.Valid() {
			return Fail(MsgFieldChoice, FieldRulePerBuyer, string(r.Key), "rules")
		}
		if r.PerBuyer < 1 || r.PerBuyer > l.PerBuyerMax {
			return Fail(MsgRulePerBuyerRange, FieldRulePerBuyer, r.Key, l.PerBuyerMax)
		}
		if r.MaxFen < 0 {
			return Fail(MsgRuleLimitRange, r.maxField())
		}
		if err := CheckAmount(r.maxField(), r.MaxFen); err != nil {
			return err
		}
		switch r.Key {
		case RuleRefundUnshipped:
			if r.On && r.MaxFen > l.UnshippedMaxFen {
				return Fail(MsgRuleAboveLimit, FieldRuleUnshippedMax, Fen(r.MaxFen), Fen(l.UnshippedMaxFen))
			}
		case RuleReturnless:
			if r.On && r.MaxFen > l.ReturnlessMaxFen {
				return Fail(MsgRuleAboveLimit, FieldRuleReturnlessMax, Fen(r.MaxFen), Fen(l.ReturnlessMaxFen))
			}
			if r.On && len(r.Services) == 0 {
				return Fail(MsgRuleNoService, FieldRuleServices)
			}
			for _, s := range r.Services {
				if _, err := LookupService(s); err != nil {
					return err
				}
				if !slices.Contains(ReturnlessServices(), s) {
					return Fail(MsgRuleService, FieldRuleServices, s)
				}
			}
			r.Reasons = tidyWords(r.Reasons)
			if len(r.Reasons) > MaxRuleReasons {
				return Fail(MsgRuleTooManyWords, FieldRuleReasons, MaxRuleReasons)
			}
			for _, w := range r.Reasons {
				if err := CheckText(FieldRuleReasons, w, MaxNameLen, false); err != nil {
					return err
				}
			}
		case RuleReceiveOnSigned:
			if r.After < 0 || r.After > MaxReceiveAfter || r.After%time.Hour != 0 {
				return Fail(MsgRuleAfterRange, FieldRuleReceiveAfter, int(MaxReceiveAfter/time.Hour))
			}
		}
	}
	return nil
}

func (r Rule) maxField() Field {
	if r.Key == RuleReturnless {
		return FieldRuleReturnlessMax
	}
	return FieldRuleUnshippedMax
}

// tidyWords trims the words, dropping empty ones and repeats.
func tidyWords(ws []string) []string {
	var out []string
	for _, w := range ws {
		if w = strings.TrimSpace(w); w != "" && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// RuleTrigger is the moment rules are tried at.
type RuleTrigger uint8

const (
	// AtIntake: a claim was just opened, pending the merchant.
	AtIntake RuleTrigger = iota + 1
	// OnDelivered: the carrier just reported the return delivered.
	OnDelivered
)

// RuleFacts is what the store knows of the buyer and the merchant that
// rules depend on.
type RuleFacts struct {
	// Uses counts, by rule, the tickets the rule acted on for this buyer
	// with this merchant in the last RuleWindow.
	Uses map[RuleKey]int
	// OpenDispute: the buyer has another ticket of this merchant in
	// arbitration (escalated, or appealed after a refusal).
	OpenDispute bool
	// DefaultAddress: the merchant has a default return address.
	DefaultAddress bool
}

// ruleReason is the prefix of the reason a rule's decision carries.
const ruleReason = "rule:"

// RuleReason is the reason (and the timeline's detail) of a decision the
// rule made.
func RuleReason(k RuleKey) string { return ruleReason + string(k) }

// RuleOf reads the rule from a decision's reason or an event's detail.
func RuleOf(detail string) (RuleKey, bool) {
	k, ok := strings.CutPrefix(detail, ruleReason)
	if !ok || !RuleKey(k).Valid() {
		return "", false
	}
	return RuleKey(k), true
}

func isRuleReason(reason string) bool { _, ok := RuleOf(reason); return ok }

// action is the transition the rule takes, and the state it takes it from.
func (k RuleKey) action() (State, Action, RuleTrigger) {
	switch k {
	case RuleRefundUnshipped, RuleReturnless:
		return PendingMerchant, Refund, AtIntake
	case RuleApproveReturn:
		return PendingMerchant, Approve, AtIntake
	case RuleRefundOnReceipt:
		return Received, Refund, OnDelivered
	case RuleReceiveOnSigned:
		return Received, Receive, OnDelivered
	}
	return "", "", 0
}

// Applies reports whether the rule acts on the ticket now, under its
// policy, given the facts: the rule is on, the buyer has no open dispute
// and has not used up the rule's cap, the ticket is where the rule acts,
// the claim is one the rule covers, and the state table lets the system
// take the rule's transition.
func (r Rule) Applies(t Ticket, p Policy, f RuleFacts) bool {
	from, a, _ := r.Key.action()
	if !r.On || f.OpenDispute || f.Uses[r.Key] >= r.PerBuyer || t.State != from {
		return false
	}
	if p.Compensation == CompPostage {
		return false // 运费险 is paid with the order's return, never by a rule
	}
	if t.Settlement != "" && t.Settlement != SettleRefund {
		return false // the buyer asked for an exchange or a reship, which no rule grants
	}
	switch r.Key {
	case RuleRefundUnshipped:
		if !t.Order.ShippedAt.IsZero() || t.RequestedFen <= 0 || t.RequestedFen > r.MaxFen {
			return false
		}
	case RuleReturnless:
		if !slices.Contains(r.Services, t.Service) || t.RequestedFen <= 0 || t.RequestedFen > r.MaxFen {
			return false
		}
		if len(r.Reasons) > 0 && !slices.ContainsFunc(r.Reasons, func(w string) bool { return strings.Contains(t.Reason, w) }) {
			return false
		}
	case RuleApproveReturn:
		if t.Service != NoReason7d || !p.NeedsReturn || !f.DefaultAddress {
			return false
		}
	case RuleRefundOnReceipt:
		if t.ReturnOwed { // paid already, ahead of the goods
			return false
		}
	}
	tr, ok := LookupFor(t, a, p)
	if !ok || !tr.AllowsRule() {
		return false
	}
	if _, err := t.pays(tr, 0); err != nil {
		return false
	}
	return true
}

// RuleDecision is what a rule decided: the decision the system takes, at
// once or, for a receipt left some hours of inspection, at Deadline.
type RuleDecision struct {
	Rule     RuleKey
	Decision Decision
	// After: the decision is to be taken this long from now (the store
	// moves the ticket's deadline, whose timeout takes it); 0: now.
	After time.Duration
}

// Pick is the first of the merchant's rules that acts on the ticket at the
// trigger, and its decision.
func (rs RuleSet) Pick(trig RuleTrigger, t Ticket, p Policy, f RuleFacts) (RuleDecision, bool) {
	for _, k := range ruleKeys {
		r := rs.Rule(k)
		_, a, when := k.action()
		if when != trig || !r.Applies(t, p, f) {
			continue
		}
		d := Decision{Action: a, Actor: System(), Version: t.Version, Reason: RuleReason(k)}
		if k == RuleReceiveOnSigned && r.After > 0 {
			// Left to the inspection clock's timeout, which takes the
			// ticket as received: only ever sooner than the policy's.
			if r.After >= p.InspectClock {
				return RuleDecision{}, false
			}
			return RuleDecision{Rule: k, Decision: d, After: r.After}, true
		}
		return RuleDecision{Rule: k, Decision: d}, true
	}
	return RuleDecision{}, false
}

// RuleScheduled is a timeline-only action: a rule set the moment the system
// will act (a receipt left some hours of inspection).
const RuleScheduled Action = "rule_scheduled"

// AnyOn reports whether any rule of the trigger is on: when none is, the
// store looks no further.
func (rs RuleSet) AnyOn(trig RuleTrigger) bool {
	for _, r := range rs.Rules {
		if _, _, when := r.Key.action(); when == trig && r.On {
			return true
		}
	}
	return false
}

// Bound is the rule set as it may act under the limits: amounts and caps
// set before the admin lowered a limit act only up to it.
func (rs RuleSet) Bound(l RuleLimits) RuleSet {
	out := rs
	out.Rules = slices.Clone(rs.Rules)
	for i := range out.Rules {
		r := &out.Rules[i]
		r.PerBuyer = min(r.PerBuyer, l.PerBuyerMax)
		switch r.Key {
		case RuleRefundUnshipped:
			r.MaxFen = min(r.MaxFen, l.UnshippedMaxFen)
		case RuleReturnless:
			r.MaxFen = min(r.MaxFen, l.ReturnlessMaxFen)
		}
	}
	return out
}

package views

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// The audit log keeps what an admin did as the store wrote it: a target
// such as "merchant humen-apparel" and details such as "no_reason_7d
// clock=24h0m0s". The page says them in the reader's language; codes
// (a merchant's code, an email, an event id) stay as they are, marked as code.

// AuditTarget says what an audit entry acted on: a kind in words and the
// code that names it.
func AuditTarget(ctx context.Context, target string) (kind, code string) {
	k, rest, _ := strings.Cut(target, " ")
	switch k {
	case "merchant":
		return T(ctx, "Merchant"), rest
	case "user":
		return T(ctx, "User"), rest
	case "webhook":
		return T(ctx, "Webhook"), rest
	case "settings":
		return T(ctx, "Settings"), rest
	case "queue":
		return T(ctx, "Queue view"), rest
	case "all":
		return T(ctx, "All tickets"), strings.TrimPrefix(rest, "tickets ")
	case "tickets":
		return T(ctx, "Tickets"), rest
	case "ticket":
		return T(ctx, "Ticket"), rest
	}
	return "", target
}

var (
	eraseContactsDetail = regexp.MustCompile(`^(\d+) tickets ended before (\d{4}-\d\d-\d\d)$`)
	erasePhotosDetail   = regexp.MustCompile(`^(\d+) photos of (\d+) tickets ended before (\d{4}-\d\d-\d\d)$`)
)

var updateMerchantDetail = regexp.MustCompile(`^(.*); instant refund (true|false) \(unshipped (true|false), up to (\d+) fen\)$`)

// AuditDetail says an audit entry's details in the page's language; code is
// the part that is an identifier, shown as it is.
func AuditDetail(ctx context.Context, e anxin.AuditEntry) (text, code string) {
	d := e.Detail
	switch e.Action {
	case "create_user", "change_role":
		return RoleName(ctx, anxin.Role(d)), ""
	case "set_auto_assign":
		return yesNo(ctx, d == "1"), ""
	case "set_agent_group":
		if d == "" {
			return T(ctx, "nobody"), ""
		}
		return Tf(ctx, "agents %s", d), ""
	case "export_tickets":
		if n, ok := strings.CutSuffix(d, " rows"); ok {
			return Tf(ctx, "%s rows", n), ""
		}
	case "retry_delivery":
		return T(ctx, "event"), d
	case "update_merchant":
		if m := updateMerchantDetail.FindStringSubmatch(d); m != nil {
			fen, _ := strconv.ParseInt(m[4], 10, 64)
			return Tf(ctx, "%s; instant refund: %s (unshipped orders: %s; up to %s)", m[1], yesNo(ctx, m[2] == "true"),
				yesNo(ctx, m[3] == "true"), Money(fen)), ""
		}
	case "set_policy":
		return policyDetail(ctx, d), ""
	case "override_claim":
		// "REASON (the rule's refusal, in English)": the agent's reason is
		// what was typed; the rule is on the ticket's policy check.
		if i := strings.LastIndex(d, " ("); i >= 0 && strings.HasSuffix(d, ")") {
			d = d[:i]
		}
		return d, ""
	case "set_rules":
		if text, ok := rulesDetail(ctx, d); ok {
			return text, ""
		}
	case "set_rule_limits":
		if text, ok := limitsDetail(ctx, d); ok {
			return text, ""
		}
	case "add_address", "update_address", "default_address", "delete_address":
		// "#ID name region street", and " (default)" for the default.
		if a, ok := strings.CutSuffix(d, " (default)"); ok {
			return Tf(ctx, "%s (default)", a), ""
		}
	case "erase_contacts":
		if m := eraseContactsDetail.FindStringSubmatch(d); m != nil {
			return Tf(ctx, "%s tickets ended before %s", m[1], m[2]), ""
		}
	case "erase_photos":
		if m := erasePhotosDetail.FindStringSubmatch(d); m != nil {
			return Tf(ctx, "%s photos of %s tickets ended before %s", m[1], m[2], m[3]), ""
		}
	}
	return d, ""
}

// policyDetail says an override of a service's policy: the service, then
// each setting changed.
func policyDetail(ctx context.Context, d string) string {
	fields := strings.Fields(d)
	if len(fields) == 0 {
		return d
	}
	out := []string{ServiceName(ctx, anxin.ServiceKey(fields[0]))}
	for _, f := range fields[1:] {
		k, v, _ := strings.Cut(f, "=")
		dur, durErr := time.ParseDuration(v)
		switch {
		case k == "enabled":
			out = append(out, Tf(ctx, "on: %s", yesNo(ctx, v == "true")))
		case k == "window" && durErr == nil:
			out = append(out, Tf(ctx, "claim window: %s", HumanDur(ctx, dur)))
		case k == "clock" && durErr == nil:
			out = append(out, Tf(ctx, "merchant clock: %s", HumanDur(ctx, dur)))
		case k == "ship_clock" && durErr == nil:
			out = append(out, Tf(ctx, "time to ship a replacement or reship: %s", HumanDur(ctx, dur)))
		case k == "offer_clock" && durErr == nil:
			out = append(out, Tf(ctx, "buyer's time to answer an offer: %s", HumanDur(ctx, dur)))
		case k == "evidence":
			out = append(out, Tf(ctx, "photos required: %s", v))
		case k == "max_offers":
			out = append(out, Tf(ctx, "offers per ticket: %s", v))
		default:
			out = append(out, f)
		}
	}
	return strings.Join(out, T(ctx, "; "))
}

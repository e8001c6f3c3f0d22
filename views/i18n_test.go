package views

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/anxin-helpdesk/anxin"
)

// TestEveryStringHasChinese finds every literal UI string in the templates
// and the code that go through T or Tf, and every key made from the domain
// (states, actions, roles, parties...), and wants a translation for each:
// Simplified Chinese is the default language, so an untranslated string is a bug.
func TestEveryStringHasChinese(t *testing.T) {
	keys := map[string]string{}
	lit := regexp.MustCompile(`\bTf?\(ctx, "((?:[^"\\]|\\.)*)"`)
	for _, dir := range []string{".", "../web"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range files {
			if !(strings.HasSuffix(f, ".templ") || strings.HasSuffix(f, ".go")) || strings.HasSuffix(f, "_templ.go") || strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range lit.FindAllStringSubmatch(string(b), -1) {
				if !strings.HasSuffix(m[1], ":") { // a prefix joined to a domain value, enumerated below
					keys[m[1]] = f
				}
			}
		}
	}
	for _, s := range anxin.States() {
		keys[string(s)] = "state"
	}
	for tr := range anxin.Transitions() {
		keys[string(tr.Action)] = "action"
	}
	for _, a := range []anxin.Action{anxin.Create, anxin.Assign, anxin.PhotoAdded, anxin.PaidTwice} {
		keys[string(a)] = "action"
	}
	for _, r := range []anxin.Role{anxin.RoleAdmin, anxin.RoleAgent, anxin.RoleMerchant, anxin.RoleBuyer, anxin.RoleSystem} {
		keys["role:"+string(r)] = "role"
	}
	for _, svc := range anxin.Services() {
		keys["compensation:"+string(svc.Default.Compensation)] = "compensation"
	}
	for _, a := range []anxin.TimeoutAction{anxin.AutoRefund, anxin.AutoApprove, anxin.Escalate, anxin.AutoReceive, anxin.AutoClose, anxin.OfferLapse} {
		keys["timeout:"+string(a)] = "timeout"
	}
	for _, w := range []anxin.WindowStart{anxin.FromReceipt, anxin.FromOrder} { // in MsgOutsideWindow
		keys["window:"+string(w)] = "window"
	}
	for _, f := range []anxin.Field{anxin.FieldOrderID, anxin.FieldProduct, anxin.FieldPaid, anxin.FieldRequested,
		anxin.FieldBuyerName, anxin.FieldBuyerPhone, anxin.FieldReason, anxin.FieldTracking, anxin.FieldNote,
		anxin.FieldName, anxin.FieldMerchantName, anxin.FieldOverride} { // in the text and amount refusals
		keys["field:"+string(f)] = "field"
	}
	for _, p := range []anxin.Party{anxin.PartyBuyer, anxin.PartyMerchant} {
		keys["party:"+string(p)] = "party"
	}
	for _, a := range []anxin.OfferAnswer{anxin.OfferTaken, anxin.OfferRefused, anxin.OfferLapsed, anxin.OfferCancelled} {
		keys["offer:"+string(a)] = "offer"
	}
	for _, r := range []anxin.RefundStatus{anxin.RefundStatusPending, anxin.RefundStatusSucceeded, anxin.RefundStatusFailed} {
		keys["refund:"+string(r)] = "refund"
	}
	for _, a := range rowActions {
		keys["row:"+string(a)] = "row"
	}
	for _, k := range RejectReasons() {
		keys[k] = "reason"
	}
	for _, a := range auditActions {
		keys["audit:"+a] = "audit"
	}
	for k, where := range keys {
		if _, ok := zh[k]; !ok && k != "%s" {
			t.Errorf("no Chinese for %q (%s)", k, where)
		}
		// Keys that are identifiers rather than English need English too.
		if _, ok := en[k]; !ok && (!strings.Contains(k, " ") && strings.ContainsAny(k, "_:") || where == "state" || where == "action") {
			t.Errorf("no English for %q (%s)", k, where)
		}
	}
}

package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/web/api"
)

// TestChangeNamesItsRule: a change a merchant's rule made says which, in
// an additive field that other changes leave out.
func TestChangeNamesItsRule(t *testing.T) {
	ruled, _ := json.Marshal(api.ChangeOf(anxin.Event{Action: anxin.Refund, Actor: anxin.System(),
		Detail: anxin.RuleReason(anxin.RuleReturnless)}))
	if !strings.Contains(string(ruled), `"rule":"returnless_refund"`) {
		t.Fatalf("a rule's change: %s", ruled)
	}
	plain, _ := json.Marshal(api.ChangeOf(anxin.Event{Action: anxin.Refund, Actor: anxin.System(), Detail: "instant_refund"}))
	if strings.Contains(string(plain), `"rule"`) {
		t.Fatalf("a change without a rule: %s", plain)
	}
}

package views

import (
	"testing"
	"unicode"

	"github.com/anxin-helpdesk/anxin"
)

// TestIntegrationStringsAreTranslated: every webhook event is described in
// Chinese on a Chinese page, and in English on an English one.
func TestIntegrationStringsAreTranslated(t *testing.T) {
	zhCtx := WithPage(t.Context(), Page{Lang: "zh"})
	enCtx := WithPage(t.Context(), Page{Lang: "en"})
	for _, e := range anxin.WebhookEvents() {
		zh, en := eventDescription(zhCtx, e), eventDescription(enCtx, e)
		if en == "" || zh == en || !hasHan(zh) {
			t.Errorf("%s: zh %q, en %q", e, zh, en)
		}
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

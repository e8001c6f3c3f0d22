package views

import (
	"context"
	"encoding/json"
	"strings"
)

func htmlLang(ctx context.Context) string {
	if page(ctx).Lang == "en" {
		return "en"
	}
	return "zh-CN"
}

// csrfHeader makes htmx send the CSRF token with every request it makes.
func csrfHeader(ctx context.Context) string {
	b, _ := json.Marshal(map[string]string{"X-CSRF-Token": page(ctx).CSRF})
	return string(b)
}

// current marks the nav item of the page being shown.
func current(ctx context.Context, prefix string) string {
	if strings.HasPrefix(page(ctx).Path, prefix) {
		return "page"
	}
	return "false"
}

// htmxConfig: no eval, no script tags, no inline styles (the CSP forbids
// them), and the answers of refused or lost actions (409, 422) are swapped in
// like any other: they carry the ticket as it now is and what happened.
const htmxConfig = `{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,` +
	`"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},` +
	`{"code":"409","swap":true,"error":false},{"code":"422","swap":true,"error":false},` +
	`{"code":"[45]..","swap":false,"error":true}]}`

// userID is the logged-in user's id, for the page's script (it hides the
// user's own presence markers); "" when logged out.
func userID(ctx context.Context) string {
	if u := currentUser(ctx); u != nil {
		return idStr(u.ID)
	}
	return ""
}

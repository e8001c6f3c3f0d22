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

package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/web"
	"github.com/labstack/echo/v4"
)

// openAPI is the served document, decoded.
type openAPI map[string]any

func loadOpenAPI(t testing.TB, e *env) openAPI {
	t.Helper()
	res, err := http.Get(e.srv.URL + "/api/v1/openapi.json")
	if err != nil || res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: %v %v", res.Status, err)
	}
	defer res.Body.Close()
	var doc openAPI
	dec := json.NewDecoder(res.Body)
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// resolve follows a local $ref ("#/components/schemas/Ticket").
func (d openAPI) resolve(node map[string]any) map[string]any {
	for {
		ref, ok := node["$ref"].(string)
		if !ok {
			return node
		}
		var cur any = map[string]any(d)
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			m, _ := cur.(map[string]any)
			cur = m[part]
		}
		next, ok := cur.(map[string]any)
		if !ok {
			panic("unresolvable $ref " + ref)
		}
		node = next
	}
}

// operation is the document's operation for a method and path template
// (with the server's /api/v1 prefix).
func (d openAPI) operation(method, path string) (map[string]any, bool) {
	paths := d["paths"].(map[string]any)
	item, ok := paths[strings.TrimPrefix(path, "/api/v1")].(map[string]any)
	if !ok {
		return nil, false
	}
	op, ok := item[strings.ToLower(method)].(map[string]any)
	return op, ok
}

// checkResponse fails the test unless the operation documents the status
// and the body is valid against its JSON schema.
func (d openAPI) checkResponse(t testing.TB, method, path string, status int, body []byte) {
	t.Helper()
	op, ok := d.operation(method, path)
	if !ok {
		t.Fatalf("%s %s is not documented", method, path)
	}
	resp, ok := op["responses"].(map[string]any)[fmt.Sprint(status)].(map[string]any)
	if !ok {
		t.Fatalf("%s %s answered %d, which it does not document", method, path, status)
	}
	schema := d.resolve(resp)["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
	d.checkBody(t, fmt.Sprintf("%s %s %d", method, path, status), schema, body)
}

func (d openAPI) checkBody(t testing.TB, what string, schema map[string]any, body []byte) {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", what, err, body)
	}
	if errs := d.validate(schema, v, "$"); len(errs) > 0 {
		t.Fatalf("%s: the body does not match the document:\n  %s\n%s", what, strings.Join(errs, "\n  "), body)
	}
}

// validate checks v against the subset of JSON Schema the document uses.
func (d openAPI) validate(schema map[string]any, v any, at string) []string {
	s := d.resolve(schema)
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, at+": "+fmt.Sprintf(format, args...)) }
	if alts, ok := s["oneOf"].([]any); ok {
		matched := 0
		for _, alt := range alts {
			if len(d.validate(alt.(map[string]any), v, at)) == 0 {
				matched++
			}
		}
		if matched != 1 {
			bad("matches %d of oneOf, want 1", matched)
		}
		return errs
	}
	if t, ok := s["type"]; ok {
		var types []string
		switch t := t.(type) {
		case string:
			types = []string{t}
		case []any:
			for _, x := range t {
				types = append(types, x.(string))
			}
		}
		if !slices.Contains(types, jsonType(v)) && !(jsonType(v) == "integer" && slices.Contains(types, "number")) {
			bad("is %s, want %v", jsonType(v), types)
			return errs
		}
	}
	if enum, ok := s["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }) {
		bad("%v is not one of %v", v, enum)
	}
	switch v := v.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		for _, r := range asStrings(s["required"]) {
			if _, ok := v[r]; !ok {
				bad("lacks required %q", r)
			}
		}
		for k, val := range v {
			p, ok := props[k].(map[string]any)
			if !ok {
				if s["additionalProperties"] == false {
					bad("has %q, which the document does not list", k)
				}
				continue
			}
			errs = append(errs, d.validate(p, val, at+"."+k)...)
		}
	case []any:
		if items, ok := s["items"].(map[string]any); ok {
			for i, x := range v {
				errs = append(errs, d.validate(items, x, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
		if n, ok := s["minItems"].(json.Number); ok {
			if min, _ := n.Int64(); int64(len(v)) < min {
				bad("has %d items, want at least %d", len(v), min)
			}
		}
	case string:
		switch s["format"] {
		case "date-time":
			if _, err := time.Parse(time.RFC3339, v); err != nil {
				bad("%q is not an RFC 3339 time", v)
			}
		case "date":
			if _, err := time.Parse(time.DateOnly, v); err != nil {
				bad("%q is not a date", v)
			}
		}
		if p, ok := s["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(v) {
			bad("%q does not match %s", v, p)
		}
	case json.Number:
		if n, ok := s["minimum"].(json.Number); ok {
			if min, _ := n.Float64(); mustFloat(v) < min {
				bad("%v is under the minimum %v", v, min)
			}
		}
	}
	return errs
}

func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case json.Number:
		if _, err := v.Int64(); err == nil {
			return "integer"
		}
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

func asStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func mustFloat(n json.Number) float64 { f, _ := n.Float64(); return f }

// TestOpenAPIMatchesRoutes holds the document and the router together:
// every route under /api/v1 is documented with its method, and every
// documented operation is routed; every reference resolves.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t)
	doc := loadOpenAPI(t, e)
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi %v", doc["openapi"])
	}
	param := regexp.MustCompile(`:([a-z]+)`)
	routed := map[string]bool{}
	for _, r := range e.web.Routes() {
		if !strings.HasPrefix(r.Path, "/api/") || r.Method == echo.RouteNotFound {
			continue
		}
		if !strings.HasPrefix(r.Path, "/api/v1/") {
			t.Errorf("route %s %s is outside /api/v1", r.Method, r.Path)
			continue
		}
		path := param.ReplaceAllString(r.Path, "{$1}")
		routed[r.Method+" "+path] = true
		if _, ok := doc.operation(r.Method, path); !ok {
			t.Errorf("route %s %s is not in the document", r.Method, path)
		}
	}
	methods := []string{"get", "post", "put", "patch", "delete"}
	documented := 0
	for path, item := range doc["paths"].(map[string]any) {
		for m, op := range item.(map[string]any) {
			if !slices.Contains(methods, m) {
				continue
			}
			documented++
			key := strings.ToUpper(m) + " /api/v1" + path
			if !routed[key] {
				t.Errorf("the document has %s, which is not routed", key)
			}
			for status, resp := range op.(map[string]any)["responses"].(map[string]any) {
				r := doc.resolve(resp.(map[string]any))
				if c, ok := r["content"].(map[string]any); ok {
					doc.resolve(c["application/json"].(map[string]any)["schema"].(map[string]any))
				} else if status != "2XX" {
					t.Errorf("%s %s has no content", key, status)
				}
			}
		}
	}
	if documented != len(routed) || documented < 8 {
		t.Errorf("%d operations documented, %d routed", documented, len(routed))
	}
	// Every schema reference resolves (resolve panics otherwise).
	var walk func(any)
	walk = func(n any) {
		switch n := n.(type) {
		case map[string]any:
			if _, ok := n["$ref"]; ok {
				doc.resolve(n)
			}
			for _, v := range n {
				walk(v)
			}
		case []any:
			for _, v := range n {
				walk(v)
			}
		}
	}
	walk(map[string]any(doc))
	// The webhooks are documented with the same event names the domain sends.
	hooks := doc["webhooks"].(map[string]any)
	if len(hooks) != len(anxin.WebhookEvents()) {
		t.Errorf("%d webhooks documented, want %d", len(hooks), len(anxin.WebhookEvents()))
	}
	for _, e := range anxin.WebhookEvents() {
		if _, ok := hooks[string(e)]; !ok {
			t.Errorf("webhook %s is not documented", e)
		}
	}
	_ = web.DefaultAPIRate
}

// TestValidatorCatchesDrift makes sure the validator the API tests rely on
// does refuse what it should: a test that cannot fail proves nothing.
func TestValidatorCatchesDrift(t *testing.T) {
	doc := loadOpenAPI(t, newEnv(t))
	ticket := doc.resolve(map[string]any{"$ref": "#/components/schemas/Error"})
	for name, body := range map[string]string{
		"extra field":   `{"error": {"code": "x", "message": "y", "hint": "z"}}`,
		"missing field": `{"error": {"code": "x"}}`,
		"wrong type":    `{"error": {"code": 1, "message": "y"}}`,
	} {
		var v any
		dec := json.NewDecoder(strings.NewReader(body))
		dec.UseNumber()
		dec.Decode(&v)
		if len(doc.validate(ticket, v, "$")) == 0 {
			t.Errorf("%s: accepted", name)
		}
	}
	tk := doc.resolve(map[string]any{"$ref": "#/components/schemas/Refund"})
	var v any
	dec := json.NewDecoder(strings.NewReader(`{"number": "RF-1", "ticket_id": 1, "amount_fen": 1, "status": "paid", "attempts": 1, "updated_at": "yesterday"}`))
	dec.UseNumber()
	dec.Decode(&v)
	if errs := doc.validate(tk, v, "$"); len(errs) != 2 {
		t.Errorf("a bad enum and a bad time: %v", errs)
	}
}

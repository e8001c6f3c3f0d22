package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web"
	"github.com/anxin-helpdesk/anxin/web/api"
	"github.com/anxin-helpdesk/anxin/web/webhook"
)

// apiEnv is a server with an API key, its merchant, and the document.
type apiEnv struct {
	*env
	key      string
	merchant anxin.Merchant
	doc      openAPI
}

func newAPIEnv(t *testing.T) *apiEnv {
	t.Helper()
	e := newEnv(t)
	_, key, err := e.store.CreateAPIKey(ctx, "shop", anxin.KeyScope{AllMerchants: true})
	if err != nil {
		t.Fatal(err)
	}
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	return &apiEnv{env: e, key: key, merchant: m, doc: loadOpenAPI(t, e)}
}

// apiResponse is an answer of the API.
type apiResponse struct {
	status int
	header http.Header
	body   []byte
}

func (r apiResponse) code() string {
	var e api.Error
	json.Unmarshal(r.body, &e)
	return e.Error.Code
}

func (r apiResponse) ticket(t *testing.T) api.Ticket {
	t.Helper()
	var tk api.Ticket
	if err := json.Unmarshal(r.body, &tk); err != nil {
		t.Fatalf("%d %s: %v", r.status, r.body, err)
	}
	return tk
}

// call makes a request with the key (or the header given as auth).
func (e *apiEnv) call(method, path string, body any, header ...string) apiResponse {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.key)
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
		} else {
			req.Header.Set(header[i], header[i+1])
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return apiResponse{res.StatusCode, res.Header, out}
}

// claim is a valid intake body: a spoiled-fresh claim an hour after receipt.
func (e *apiEnv) claim(paid int64) map[string]any {
	now := e.clock.Now()
	return map[string]any{
		"merchant": e.merchant.Code, "service": "fresh_spoiled",
		"order": map[string]any{"id": fmt.Sprintf("DY%d", now.UnixNano()), "product": "云南鲜切玫瑰 20枝", "paid_fen": paid,
			"ordered_at": now.Add(-72 * time.Hour), "shipped_at": now.Add(-48 * time.Hour), "received_at": now.Add(-time.Hour)},
		"buyer":  map[string]any{"name": "李女士", "phone": "13800138000"},
		"reason": "花瓣发黑",
	}
}

func TestAPICreateTicket(t *testing.T) {
	e := newAPIEnv(t)
	res := e.call("POST", "/api/v1/tickets", e.claim(39900))
	if res.status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	e.doc.checkResponse(t, "POST", "/api/v1/tickets", res.status, res.body)
	tk := res.ticket(t)
	if tk.State != "pending_merchant" || tk.Merchant != e.merchant.Code || tk.Deadline == nil ||
		!tk.Deadline.Equal(e.clock.Now().Add(24*time.Hour)) || tk.Number != anxin.TicketNumber(tk.ID) || tk.Refund != nil {
		t.Fatalf("ticket %+v", tk)
	}
	stored, err := e.store.Ticket(ctx, anxin.AllMerchants(), tk.ID)
	if err != nil || stored.Order.PaidFen != 39900 || stored.BuyerPhone != "13800138000" || stored.Order.ReceivedAt.IsZero() {
		t.Fatalf("stored %+v %v", stored, err)
	}
	// A claim the merchant's instant refund covers comes back refunding.
	res = e.call("POST", "/api/v1/tickets", e.claim(8990))
	e.doc.checkResponse(t, "POST", "/api/v1/tickets", res.status, res.body)
	if tk := res.ticket(t); tk.State != "refunding" || tk.Refund == nil || tk.Refund.AmountFen != 8990 || tk.Deadline != nil {
		t.Fatalf("an instant refund: %s %+v", tk.State, tk.Refund)
	}
	// Not shipped: shipped_at and received_at null.
	unshipped := e.claim(99900)
	unshipped["service"] = "unshipped_refund"
	o := unshipped["order"].(map[string]any)
	o["shipped_at"], o["received_at"] = nil, nil
	res = e.call("POST", "/api/v1/tickets", unshipped)
	if res.status != http.StatusCreated || res.ticket(t).Order.ShippedAt != nil {
		t.Fatalf("an unshipped order: %d %s", res.status, res.body)
	}
}

func TestAPIRefusals(t *testing.T) {
	e := newAPIEnv(t)
	revoked, revokedKey, _ := e.store.CreateAPIKey(ctx, "old", anxin.KeyScope{AllMerchants: true})
	e.store.RevokeAPIKey(ctx, revoked.ID)
	with := func(change func(map[string]any)) map[string]any {
		c := e.claim(8990)
		change(c)
		return c
	}
	order := func(c map[string]any) map[string]any { return c["order"].(map[string]any) }
	tests := []struct {
		name   string
		body   any
		header []string
		status int
		code   string
	}{
		{"outside its window", with(func(c map[string]any) { order(c)["received_at"] = e.clock.Now().Add(-25 * time.Hour) }), nil, 422, "outside_window"},
		{"unknown merchant", with(func(c map[string]any) { c["merchant"] = "nobody" }), nil, 422, "unknown_merchant"},
		{"unknown service", with(func(c map[string]any) { c["service"] = "free_lunch" }), nil, 422, "unknown_service"},
		{"not opted in", with(func(c map[string]any) { c["service"] = "beauty_allergy" }), nil, 422, "not_opted_in"},
		{"already shipped", with(func(c map[string]any) { c["service"] = "unshipped_refund" }), nil, 422, "already_shipped"},
		{"not received", with(func(c map[string]any) { order(c)["received_at"] = nil }), nil, 422, "not_received"},
		{"no phone", with(func(c map[string]any) { c["buyer"] = map[string]any{"name": "x"} }), nil, 422, "invalid"},
		{"malformed JSON", `{"merchant": `, nil, 400, "bad_request"},
		{"a string for a number", with(func(c map[string]any) { order(c)["paid_fen"] = "89.90" }), nil, 400, "bad_request"},
		{"not a time", with(func(c map[string]any) { order(c)["ordered_at"] = "yesterday" }), nil, 400, "bad_request"},
		{"no key", e.claim(8990), []string{"Authorization", ""}, 401, "unauthorized"},
		{"a bad key", e.claim(8990), []string{"Authorization", "Bearer axk_NOTAKEY"}, 401, "unauthorized"},
		{"a revoked key", e.claim(8990), []string{"Authorization", "Bearer " + revokedKey}, 401, "unauthorized"},
		{"another scheme", e.claim(8990), []string{"Authorization", "Basic " + e.key}, 401, "unauthorized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.call("POST", "/api/v1/tickets", tt.body, tt.header...)
			if res.status != tt.status || res.code() != tt.code {
				t.Fatalf("%d %s; want %d %s", res.status, res.body, tt.status, tt.code)
			}
			e.doc.checkResponse(t, "POST", "/api/v1/tickets", res.status, res.body)
			if tt.status == 401 && !strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Bearer") {
				t.Error("401 without WWW-Authenticate: Bearer")
			}
		})
	}
	if page, _, _ := e.store.ListTickets(ctx, storeFilter()); len(page) != 0 {
		t.Fatalf("refused claims left %d tickets", len(page))
	}
	// The outside-window message names the rule.
	res := e.call("POST", "/api/v1/tickets", tests[0].body)
	var body api.Error
	json.Unmarshal(res.body, &body)
	if !strings.Contains(body.Error.Message, "24h") {
		t.Errorf("message %q does not say the window", body.Error.Message)
	}
}

func TestAPIIdempotencyKey(t *testing.T) {
	e := newAPIEnv(t)
	body, _ := json.Marshal(e.claim(39900))
	first := e.call("POST", "/api/v1/tickets", body, "Idempotency-Key", "order-DY1-claim-1")
	if first.status != http.StatusCreated || first.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("first: %d %s", first.status, first.body)
	}
	e.clock.Advance(time.Minute)
	again := e.call("POST", "/api/v1/tickets", body, "Idempotency-Key", "order-DY1-claim-1")
	if again.status != first.status || !bytes.Equal(again.body, first.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("the retry: %d %s\nwant the first answer %s", again.status, again.body, first.body)
	}
	other := e.claim(12900)
	res := e.call("POST", "/api/v1/tickets", other, "Idempotency-Key", "order-DY1-claim-1")
	if res.status != http.StatusConflict || res.code() != "idempotency_key_reused" {
		t.Fatalf("the key with another body: %d %s", res.status, res.body)
	}
	e.doc.checkResponse(t, "POST", "/api/v1/tickets", res.status, res.body)
	if page, _, _ := e.store.ListTickets(ctx, storeFilter()); len(page) != 1 {
		t.Fatalf("%d tickets, want 1", len(page))
	}
	// A refusal is replayed too: the answer to a request does not change on retry.
	late := e.claim(100)
	late["order"].(map[string]any)["received_at"] = e.clock.Now().Add(-30 * time.Hour)
	r1 := e.call("POST", "/api/v1/tickets", late, "Idempotency-Key", "k-late")
	r2 := e.call("POST", "/api/v1/tickets", late, "Idempotency-Key", "k-late")
	if r1.status != 422 || r2.status != 422 || !bytes.Equal(r1.body, r2.body) || r2.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("a refused claim retried: %d %d", r1.status, r2.status)
	}
	// Without a key, the same body makes a second ticket.
	e.call("POST", "/api/v1/tickets", body)
	if page, _, _ := e.store.ListTickets(ctx, storeFilter()); len(page) != 2 {
		t.Fatalf("%d tickets, want 2", len(page))
	}
}

func TestAPIRateLimit(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	w := web.New(web.Config{SessionKeys: [][]byte{[]byte("0123456789abcdef0123456789abcdef")},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), APIRate: 1}, s)
	srv := httptest.NewServer(w)
	defer srv.Close()
	e := &apiEnv{env: &env{t: t, store: s, web: w, srv: srv}}
	e.doc = loadOpenAPI(t, e.env)
	_, e.key, _ = s.CreateAPIKey(ctx, "a", anxin.KeyScope{AllMerchants: true})
	_, other, _ := s.CreateAPIKey(ctx, "b", anxin.KeyScope{AllMerchants: true})
	// A rate of 1/s allows a burst of 2.
	for i := range 2 {
		if res := e.call("GET", "/api/v1/tickets", nil); res.status != http.StatusOK {
			t.Fatalf("request %d: %d", i, res.status)
		}
	}
	res := e.call("GET", "/api/v1/tickets", nil)
	retry, _ := strconv.Atoi(res.header.Get("Retry-After"))
	if res.status != http.StatusTooManyRequests || res.code() != "rate_limited" || retry < 1 {
		t.Fatalf("over the limit: %d %s, Retry-After %q", res.status, res.body, res.header.Get("Retry-After"))
	}
	e.doc.checkResponse(t, "GET", "/api/v1/tickets", res.status, res.body)
	if res := e.call("GET", "/api/v1/tickets", nil, "Authorization", "Bearer "+other); res.status != http.StatusOK {
		t.Fatalf("another key is limited on its own: %d", res.status)
	}
}

func TestAPIGetAndList(t *testing.T) {
	e := newAPIEnv(t)
	other := storetest.MustMerchant(t, e.store, "义乌优品")
	var made []api.Ticket
	for i := range 5 {
		c := e.claim(int64(30000 + i))
		if i%2 == 1 {
			c["merchant"] = other.Code
			c["service"] = "damaged"
		}
		made = append(made, e.call("POST", "/api/v1/tickets", c).ticket(t))
		e.clock.Advance(time.Minute)
	}
	for _, id := range []string{strconv.FormatInt(made[2].ID, 10), made[2].Number, strings.ToLower(made[2].Number)} {
		res := e.call("GET", "/api/v1/tickets/"+id, nil)
		if res.status != 200 || res.ticket(t).ID != made[2].ID {
			t.Fatalf("GET %s: %d %s", id, res.status, res.body)
		}
		e.doc.checkResponse(t, "GET", "/api/v1/tickets/{id}", res.status, res.body)
	}
	for _, id := range []string{"999999", "AX-x", "0"} {
		res := e.call("GET", "/api/v1/tickets/"+id, nil)
		if res.status != 404 || res.code() != "not_found" {
			t.Fatalf("GET %s: %d %s", id, res.status, res.body)
		}
		e.doc.checkResponse(t, "GET", "/api/v1/tickets/{id}", res.status, res.body)
	}

	var seen []int64
	path := "/api/v1/tickets?limit=2"
	for pages := 0; ; pages++ {
		res := e.call("GET", path, nil)
		e.doc.checkResponse(t, "GET", "/api/v1/tickets", res.status, res.body)
		var list api.TicketList
		json.Unmarshal(res.body, &list)
		for _, tk := range list.Tickets {
			seen = append(seen, tk.ID)
		}
		if list.NextCursor == nil {
			break
		}
		if pages > 5 {
			t.Fatal("the pages do not end")
		}
		path = "/api/v1/tickets?limit=2&cursor=" + *list.NextCursor
	}
	if len(seen) != 5 || seen[0] != made[4].ID || seen[4] != made[0].ID {
		t.Fatalf("listed %v, want all five newest first", seen)
	}
	res := e.call("GET", "/api/v1/tickets?merchant="+other.Code+"&service=damaged&state=pending_merchant", nil)
	var list api.TicketList
	json.Unmarshal(res.body, &list)
	if len(list.Tickets) != 2 || list.NextCursor != nil {
		t.Fatalf("filtered: %s", res.body)
	}
	for q, code := range map[string]string{"state=eaten": "invalid", "service=x": "unknown_service",
		"merchant=nobody": "unknown_merchant", "limit=500": "invalid", "cursor=zzz": "invalid"} {
		res := e.call("GET", "/api/v1/tickets?"+q, nil)
		if res.status != 422 || res.code() != code {
			t.Errorf("%s: %d %s, want 422 %s", q, res.status, res.body, code)
		}
		e.doc.checkResponse(t, "GET", "/api/v1/tickets", res.status, res.body)
	}
}

func TestAPIBuyerEvents(t *testing.T) {
	e := newAPIEnv(t)
	staff := storetest.MustUser(t, e.store, anxin.RoleMerchant, "小李", e.merchant.ID).Actor()
	c := e.claim(45900)
	c["service"] = "no_reason_7d"
	tk := e.call("POST", "/api/v1/tickets", c).ticket(t)
	approved, err := e.store.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: staff})
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/tickets/%d/events", tk.ID)
	post := func(body any, status int, code string) apiResponse {
		t.Helper()
		res := e.call("POST", path, body)
		if res.status != status || (code != "" && res.code() != code) {
			t.Fatalf("%v: %d %s; want %d %s", body, res.status, res.body, status, code)
		}
		e.doc.checkResponse(t, "POST", "/api/v1/tickets/{id}/events", res.status, res.body)
		return res
	}
	post(map[string]any{"type": "return_shipped"}, 422, "invalid")                    // a tracking number is required
	post(map[string]any{"type": "eaten"}, 422, "invalid")                             // no such event
	post(map[string]any{"type": "appeal", "reason": "x"}, 409, "not_allowed")         // not while awaiting the return
	post(`{"type": `, 400, "bad_request")                                             // malformed
	post(map[string]any{"type": "cancelled", "version": tk.Version}, 409, "conflict") // stale: approved since
	res := post(map[string]any{"type": "return_shipped", "tracking": "SF1234567890", "version": approved.Version}, 200, "")
	if got := res.ticket(t); got.State != "awaiting_receipt" || got.Version != approved.Version+1 {
		t.Fatalf("after shipping: %s v%d", got.State, got.Version)
	}
	events, _ := e.store.Timeline(ctx, anxin.AllMerchants(), tk.ID)
	if last := events[len(events)-1]; last.Actor.Role != anxin.RoleBuyer || last.Detail != "SF1234567890" {
		t.Fatalf("recorded as %+v", last)
	}
	if res := e.call("POST", "/api/v1/tickets/424242/events", map[string]any{"type": "cancelled"}); res.status != 404 {
		t.Fatalf("an unknown ticket: %d", res.status)
	}

	// A pickup booking, then evidence after a request for it.
	c["order"].(map[string]any)["id"] = "DY-second"
	second := e.call("POST", "/api/v1/tickets", c).ticket(t)
	path = fmt.Sprintf("/api/v1/tickets/%d/events", second.ID)
	if _, err := e.store.Decide(ctx, second.ID, anxin.Decision{Action: anxin.RequestEvidence, Actor: staff}); err != nil {
		t.Fatal(err)
	}
	res = post(map[string]any{"type": "evidence_added"}, 200, "")
	if got := res.ticket(t); got.State != "pending_merchant" {
		t.Fatalf("after evidence: %s", got.State)
	}
	if _, err := e.store.Decide(ctx, second.ID, anxin.Decision{Action: anxin.Approve, Actor: staff}); err != nil {
		t.Fatal(err)
	}
	post(map[string]any{"type": "pickup_booked", "slot": e.clock.Now().Add(-time.Hour)}, 422, "invalid")
	res = post(map[string]any{"type": "pickup_booked", "slot": e.clock.Now().Add(26 * time.Hour)}, 200, "")
	if got := res.ticket(t); got.State != "awaiting_receipt" {
		t.Fatalf("after booking: %s", got.State)
	}
	// With an Idempotency-Key the event is recorded once, the answer replayed.
	c["order"].(map[string]any)["id"] = "DY-third"
	third := e.call("POST", "/api/v1/tickets", c).ticket(t)
	path = fmt.Sprintf("/api/v1/tickets/%d/events", third.ID)
	r1 := e.call("POST", path, map[string]any{"type": "cancelled"}, "Idempotency-Key", "cancel-1")
	r2 := e.call("POST", path, map[string]any{"type": "cancelled"}, "Idempotency-Key", "cancel-1")
	if r1.status != 200 || r1.ticket(t).State != "closed" || r2.status != 200 || !bytes.Equal(r1.body, r2.body) {
		t.Fatalf("cancel twice with one key: %d %s / %d %s", r1.status, r1.body, r2.status, r2.body)
	}
}

func testPNG(t *testing.T, shade uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{shade, uint8(x * 4), uint8(y * 5), 255})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

func multipartBody(t *testing.T, files map[string][]byte, label string) ([]byte, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if label != "" {
		w.WriteField("label", label)
	}
	for name, data := range files {
		part, _ := w.CreateFormFile("photos", name)
		part.Write(data)
	}
	w.Close()
	return b.Bytes(), w.FormDataContentType()
}

func TestAPIEvidence(t *testing.T) {
	e := newAPIEnv(t)
	tk := e.call("POST", "/api/v1/tickets", e.claim(39900)).ticket(t)
	path := fmt.Sprintf("/api/v1/tickets/%d/evidence", tk.ID)
	upload := func(files map[string][]byte, label string) apiResponse {
		body, ctype := multipartBody(t, files, label)
		res := e.call("POST", path, body, "Content-Type", ctype)
		e.doc.checkResponse(t, "POST", "/api/v1/tickets/{id}/evidence", res.status, res.body)
		return res
	}
	res := upload(map[string][]byte{"a.png": testPNG(t, 10), "b.jpg.png": testPNG(t, 200)}, "product")
	var list api.EvidenceList
	json.Unmarshal(res.body, &list)
	if res.status != 201 || len(list.Evidence) != 2 || list.Evidence[0].Width != 64 || list.Evidence[0].Label != "product" {
		t.Fatalf("upload: %d %s", res.status, res.body)
	}
	ev, _ := e.store.Evidence(ctx, anxin.AllMerchants(), tk.ID)
	if len(ev) != 2 || ev[0].Party != anxin.PartyBuyer {
		t.Fatalf("stored %+v", ev)
	}
	_, f, err := e.store.Photo(ctx, anxin.AllMerchants(), ev[0].ID, store.Display)
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 512)
	n, _ := f.Read(head)
	f.Close()
	if http.DetectContentType(head[:n]) != "image/jpeg" {
		t.Fatal("a PNG was not re-encoded as a JPEG")
	}
	if res := upload(map[string][]byte{"a.png": testPNG(t, 10)}, ""); res.status != 409 {
		t.Fatalf("the same photo again: %d %s", res.status, res.body)
	}
	if res := upload(map[string][]byte{"evil.jpg": []byte("<script>alert(1)</script>")}, ""); res.status != 422 || res.code() != "invalid" {
		t.Fatalf("not an image: %d %s", res.status, res.body)
	}
	if res := upload(map[string][]byte{"cut.png": testPNG(t, 30)[:100]}, ""); res.status != 422 {
		t.Fatalf("a truncated image: %d %s", res.status, res.body)
	}
	if res := upload(nil, "label only"); res.status != 422 {
		t.Fatalf("no photos: %d %s", res.status, res.body)
	}
	if res := e.call("POST", path, "not multipart"); res.status != 400 {
		t.Fatalf("not multipart: %d %s", res.status, res.body)
	}
	body, ctype := multipartBody(t, map[string][]byte{"a.png": testPNG(t, 1)}, "")
	if res := e.call("POST", "/api/v1/tickets/999/evidence", body, "Content-Type", ctype); res.status != 404 {
		t.Fatalf("an unknown ticket: %d", res.status)
	}
}

func TestAPIDailyOrders(t *testing.T) {
	e := newAPIEnv(t)
	path := "/api/v1/merchants/" + e.merchant.Code + "/orders"
	res := e.call("POST", path, map[string]any{"days": []map[string]any{{"day": "2026-11-25", "orders": 420}, {"day": "2026-11-24", "orders": 388}}})
	if res.status != 200 {
		t.Fatalf("orders: %d %s", res.status, res.body)
	}
	e.doc.checkResponse(t, "POST", "/api/v1/merchants/{code}/orders", res.status, res.body)
	for name, c := range map[string]struct {
		path string
		body any
		code string
	}{
		"bad day":          {path, map[string]any{"days": []map[string]any{{"day": "25/11/2026", "orders": 1}}}, "invalid"},
		"negative":         {path, map[string]any{"days": []map[string]any{{"day": "2026-11-23", "orders": -1}}}, "invalid"},
		"no days":          {path, map[string]any{"days": []any{}}, "invalid"},
		"unknown merchant": {"/api/v1/merchants/nobody/orders", map[string]any{"days": []map[string]any{{"day": "2026-11-25", "orders": 1}}}, "unknown_merchant"},
	} {
		res := e.call("POST", c.path, c.body)
		if res.status != 422 || res.code() != c.code {
			t.Errorf("%s: %d %s", name, res.status, res.body)
		}
		e.doc.checkResponse(t, "POST", "/api/v1/merchants/{code}/orders", res.status, res.body)
	}
}

func TestAPIRefundResult(t *testing.T) {
	e := newAPIEnv(t)
	tk := e.call("POST", "/api/v1/tickets", e.claim(8990)).ticket(t) // refunded at intake
	number := tk.Refund.Number
	path := "/api/v1/refunds/" + number + "/result"
	res := e.call("POST", path, map[string]any{"result": "succeeded"})
	if res.status != 200 {
		t.Fatalf("result: %d %s", res.status, res.body)
	}
	e.doc.checkResponse(t, "POST", "/api/v1/refunds/{number}/result", res.status, res.body)
	var st api.RefundState
	json.Unmarshal(res.body, &st)
	if st.Ticket.State != "refunded" || st.Refund.Status != "succeeded" || st.Refund.Number != number {
		t.Fatalf("after success: %+v", st)
	}
	if again := e.call("POST", path, map[string]any{"result": "succeeded"}); again.status != 200 {
		t.Fatalf("the same answer again: %d %s", again.status, again.body)
	}
	for _, c := range []struct {
		path   string
		body   any
		status int
		code   string
	}{
		{path, map[string]any{"result": "failed"}, 409, "conflict"},
		{path, map[string]any{"result": "maybe"}, 422, "invalid"},
		{"/api/v1/refunds/RF-99999999/result", map[string]any{"result": "failed"}, 404, "not_found"},
	} {
		res := e.call("POST", c.path, c.body)
		if res.status != c.status || res.code() != c.code {
			t.Errorf("%v: %d %s", c.body, res.status, res.body)
		}
		e.doc.checkResponse(t, "POST", "/api/v1/refunds/{number}/result", res.status, res.body)
	}
}

func TestAPIErrorsAreJSON(t *testing.T) {
	e := newAPIEnv(t)
	for _, c := range []struct{ method, path string }{{"GET", "/api/v1/nothing-here"}, {"DELETE", "/api/v1/tickets"}} {
		res := e.call(c.method, c.path, nil)
		if res.status < 400 || res.code() == "" || !strings.HasPrefix(res.header.Get("Content-Type"), "application/json") {
			t.Errorf("%s %s: %d %s %s", c.method, c.path, res.status, res.header.Get("Content-Type"), res.body)
		}
	}
	// No session or CSRF token is needed (or honoured) on the API.
	if res := e.call("POST", "/api/v1/tickets", e.claim(100), "Cookie", "anxin_session=forged"); res.status != 201 {
		t.Errorf("a POST with a bearer key and no CSRF token: %d %s", res.status, res.body)
	}
}

func storeFilter() store.TicketFilter { return store.TicketFilter{Limit: 200} }

// TestWebhookBodiesMatchDocument sends the events an API intake and a refund
// result make to a real endpoint and checks each against the document.
func TestWebhookBodiesMatchDocument(t *testing.T) {
	e := newAPIEnv(t)
	var mu sync.Mutex
	var got []received
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, received{r.Header.Get("X-Anxin-Event"), body})
		mu.Unlock()
	}))
	defer rcv.Close()
	if _, err := e.store.CreateWebhook(ctx, anxin.Webhook{URL: rcv.URL, Secret: "whsec-0123456789abcdef", Events: anxin.WebhookEvents()}); err != nil {
		t.Fatal(err)
	}
	tk := e.call("POST", "/api/v1/tickets", e.claim(8990)).ticket(t)
	e.call("POST", "/api/v1/refunds/"+tk.Refund.Number+"/result", map[string]any{"result": "succeeded"})
	snd := webhook.NewSender(e.store, webhook.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), AllowPrivate: true})
	if _, err := snd.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	want := []string{"ticket.created", "ticket.state_changed", "refund.requested", "ticket.state_changed", "refund.succeeded"}
	if len(got) != len(want) {
		t.Fatalf("%d events, want %v", len(got), want)
	}
	// Deliveries go out in parallel: their order is not promised.
	var types []string
	for _, r := range got {
		types = append(types, r.event)
	}
	slices.Sort(types)
	slices.Sort(want)
	if !slices.Equal(types, want) {
		t.Fatalf("events %v, want %v", types, want)
	}
	schema := e.doc.resolve(map[string]any{"$ref": "#/components/schemas/Event"})
	hooks := e.doc["webhooks"].(map[string]any)
	for _, r := range got {
		if _, ok := hooks[r.event]; !ok {
			t.Errorf("%s is not among the documented webhooks", r.event)
		}
		e.doc.checkBody(t, r.event, schema, r.body)
	}
	// The last event shows the ticket as the API reads it now, to the byte:
	// rendered from the outbox's snapshot, as a response is from the store.
	for _, r := range got {
		if r.event != "refund.succeeded" {
			continue
		}
		var ev struct {
			Data struct{ Ticket json.RawMessage }
		}
		json.Unmarshal(r.body, &ev)
		if now := e.call("GET", fmt.Sprintf("/api/v1/tickets/%d", tk.ID), nil); !bytes.Equal(ev.Data.Ticket, now.body) {
			t.Fatalf("refund.succeeded shows\n%s\nGET reads\n%s", ev.Data.Ticket, now.body)
		}
	}
}

type received struct {
	event string
	body  []byte
}

// TestAPICreatedTicketReadsBackTheSame: the answer to POST /tickets is built
// inside the intake transaction; a GET afterwards reads the same bytes, with
// a clock that has nanoseconds and with an instant refund.
func TestAPICreatedTicketReadsBackTheSame(t *testing.T) {
	e := newAPIEnv(t)
	e.clock.Advance(123456789 * time.Nanosecond)
	for _, paid := range []int64{39900, 8990} {
		res := e.call("POST", "/api/v1/tickets", e.claim(paid))
		tk := res.ticket(t)
		got := e.call("GET", fmt.Sprintf("/api/v1/tickets/%d", tk.ID), nil)
		if !bytes.Equal(res.body, got.body) {
			t.Fatalf("paid %d: POST answered\n%s\nGET reads\n%s", paid, res.body, got.body)
		}
	}
}

// TestWrongKeysAreThrottledPerAddress: an address sending wrong keys is
// slowed after a few dozen, its right key too while it waits; another
// address is not.
func TestWrongKeysAreThrottledPerAddress(t *testing.T) {
	e := newAPIEnv(t)
	guesser := *e
	for i := range 20 {
		guesser.key = fmt.Sprintf("axk_guess-%02d", i)
		if r := guesser.call("GET", "/api/v1/tickets", nil); r.status != http.StatusUnauthorized {
			t.Fatalf("wrong key %d: %d", i+1, r.status)
		}
	}
	r := e.call("GET", "/api/v1/tickets", nil)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || r.code() != "rate_limited" {
		t.Fatalf("after 20 wrong keys from this address, the right one: %d %s", r.status, r.body)
	}
	e.clock.Advance(11 * time.Second)
	if r := e.call("GET", "/api/v1/tickets", nil); r.status != http.StatusOK {
		t.Fatalf("after the wait: %d", r.status)
	}
	// From another address (through a trusted proxy) the key works at once.
	p := newEnvConfig(t, photo.Options{}, trustLoopback)
	_, key, _ := p.store.CreateAPIKey(ctx, "shop", anxin.KeyScope{AllMerchants: true})
	call := func(from, key string) int {
		req, _ := http.NewRequest("GET", p.srv.URL+"/api/v1/tickets", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("X-Forwarded-For", from)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for i := range 25 {
		call("203.0.113.9", fmt.Sprintf("axk_guess-%02d", i))
	}
	if got := call("203.0.113.9", key); got != http.StatusTooManyRequests {
		t.Fatalf("the guessing address: %d", got)
	}
	if got := call("198.51.100.7", key); got != http.StatusOK {
		t.Fatalf("another address: %d", got)
	}
}

// TestLatePaymentSuccessIsAConflictAndAnAlert: the payment system reports a
// refund paid that an agent had already paid by hand: 409, and the ticket
// page shows the alert.
func TestLatePaymentSuccessIsAConflictAndAnAlert(t *testing.T) {
	e := newAPIEnv(t)
	tk := storetest.MustTicketIn(t, e.store, e.merchant.ID, anxin.RefundFailed, 5900)
	agent := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	if _, err := e.store.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.ManualRefund, Actor: agent.Actor(), Version: tk.Version, Reason: "转账凭证"}); err != nil {
		t.Fatal(err)
	}
	r := e.call("POST", "/api/v1/refunds/"+anxin.RefundNumber(tk.ID)+"/result", map[string]any{"result": "succeeded"})
	if r.status != http.StatusConflict || r.code() != anxin.ECONFLICT || !strings.Contains(string(r.body), "paid by hand") {
		t.Fatalf("a late success: %d %s", r.status, r.body)
	}
	c := e.client()
	c.login(agent)
	_, doc := c.get("/tickets/" + tk.Number)
	if alert := doc.Find("[data-testid=paid-twice]").Text(); !strings.Contains(alert, "可能重复付款") || !strings.Contains(alert, "¥59.00") {
		t.Fatalf("the ticket page's alert: %q", alert)
	}
}

// TestIntakeBoundsMoneyAndText: amounts outside 0 to ¥10,000,000 and text
// too long or carrying control or reordering characters are refused with a
// 422 that names the rule and the field, and nothing is stored.
func TestIntakeBoundsMoneyAndText(t *testing.T) {
	e := newAPIEnv(t)
	set := func(path string, v any) map[string]any {
		c := e.claim(8990)
		switch path {
		case "order.paid_fen":
			c["order"].(map[string]any)["paid_fen"] = v
		case "buyer.name":
			c["buyer"].(map[string]any)["name"] = v
		default:
			c[path] = v
		}
		return c
	}
	for _, tc := range []struct {
		body       map[string]any
		code, says string
	}{
		{set("order.paid_fen", anxin.MaxAmountFen+1), anxin.EAMOUNTRANGE, "order.paid_fen"},
		{set("order.paid_fen", -1), anxin.EAMOUNTRANGE, "order.paid_fen"},
		{set("requested_fen", int64(1)<<62), anxin.EAMOUNTRANGE, "requested_fen"},
		{set("buyer.name", "李\u202e士女"), anxin.EINVALID, "buyer.name"},
		{set("buyer.name", strings.Repeat("李", 101)), anxin.EINVALID, "buyer.name: at most 100 characters"},
		{set("reason", strings.Repeat("坏", 4001)), anxin.EINVALID, "reason: at most 4000 characters"},
		{set("reason", "坏\x00了"), anxin.EINVALID, "reason"},
	} {
		r := e.call("POST", "/api/v1/tickets", tc.body)
		if r.status != http.StatusUnprocessableEntity || r.code() != tc.code || !strings.Contains(string(r.body), tc.says) {
			t.Errorf("%d %s, want 422 %s naming %q", r.status, r.body, tc.code, tc.says)
		}
	}
	var n int
	if err := storetest.DB(t, e.store).QueryRow(`SELECT count(*) FROM tickets`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d tickets stored, %v", n, err)
	}
	// At the bound itself: taken, and 假一赔三 pays four times it without a wrap.
	c := set("order.paid_fen", anxin.MaxAmountFen)
	c["service"] = "authentic"
	c["order"].(map[string]any)["received_at"] = e.clock.Now().Add(-24 * time.Hour)
	if r := e.call("POST", "/api/v1/tickets", c); r.status != http.StatusCreated || r.ticket(t).PayableFen != 4*anxin.MaxAmountFen {
		t.Fatalf("a ¥10,000,000 authenticity claim: %d %s", r.status, r.body)
	}
}

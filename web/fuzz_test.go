package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web"
	"github.com/anxin-helpdesk/anxin/web/api"
)

// FuzzIntakeAPI sends the intake API request bodies, as a platform would
// and as an attacker might, to a real server over a real database: a claim
// (POST /api/v1/tickets) or a buyer's event on an open ticket (POST
// /api/v1/tickets/{id}/events). Whatever arrives, the answer is never a
// server error; it is JSON of the documented kind, a ticket or an error
// with its code; and a ticket it opened keeps the domain's bounds on money
// and text. make test runs the seeds; make fuzz runs it for minutes.
func FuzzIntakeAPI(f *testing.F) {
	const claim = `{"merchant": "fuzz-shop", "service": "fresh_spoiled", "order": {"id": "DY1", "product": "云南鲜切玫瑰 20枝",
		"paid_fen": 8990, "ordered_at": "2026-11-23T01:00:00Z", "shipped_at": "2026-11-24T01:00:00Z",
		"received_at": "2026-11-26T00:00:00Z"}, "buyer": {"name": "李女士", "phone": "13800138000"}, "reason": "花瓣发黑"}`
	for _, seed := range []string{
		claim,
		strings.Replace(claim, `"paid_fen": 8990`, `"paid_fen": 1000000001`, 1),
		strings.Replace(claim, `"paid_fen": 8990`, `"paid_fen": -5`, 1),
		strings.Replace(claim, `"paid_fen": 8990`, `"paid_fen": 9223372036854775807`, 1),
		strings.Replace(claim, `"paid_fen": 8990`, `"paid_fen": 1e30`, 1),
		strings.Replace(claim, `"fresh_spoiled"`, `"authentic"`, 1),
		strings.Replace(claim, `"fresh_spoiled"`, `"price_protect", "requested_fen": 999999999999`, 1),
		strings.Replace(claim, `"fresh_spoiled"`, `"shipping_insurance", "requested_fen": -1`, 1),
		strings.Replace(claim, `"李女士"`, `"李\u202e士女"`, 1),
		strings.Replace(claim, `"李女士"`, `"李\u0000女士"`, 1),
		strings.Replace(claim, `"花瓣发黑"`, `"`+strings.Repeat("坏", 4001)+`"`, 1),
		strings.Replace(claim, `"花瓣发黑"`, `"第一行\n第二行\t完"`, 1),
		strings.Replace(claim, `"fuzz-shop"`, `"other-shop"`, 1),
		strings.Replace(claim, `"2026-11-26T00:00:00Z"`, `"0001-01-01T00:00:00Z"`, 1),
		`{"merchant": 5}`, `[]`, `null`, `{`, `"\xff"`, ``, `{"order": {"ordered_at": "not a time"}}`,
	} {
		f.Add(false, []byte(seed))
	}
	for _, seed := range []string{
		`{"type": "return_shipped", "tracking": "SF1234567890"}`,
		`{"type": "pickup_booked", "slot": "2026-11-27T02:00:00Z"}`,
		`{"type": "appeal", "reason": "照片清楚"}`,
		`{"type": "cancelled", "version": -1}`,
		`{"type": "evidence_added", "reason": "` + strings.Repeat("a", 5000) + `"}`,
		`{"type": "return_shipped", "tracking": "SF\u202e1"}`,
		`{"type": "nonsense"}`, `{"type": ["cancelled"]}`,
	} {
		f.Add(true, []byte(seed))
	}

	e := newEnvConfig(f, photo.Options{}, func(c *web.Config) { c.APIRate = -1 })
	m, err := e.store.CreateMerchant(ctx, anxin.Merchant{Code: "fuzz-shop", Name: "模糊测试店", InstantRefund: anxin.DefaultInstantRefund()})
	if err != nil {
		f.Fatal(err)
	}
	_, key, err := e.store.CreateAPIKey(ctx, "fuzz", anxin.KeyScope{AllMerchants: true})
	if err != nil {
		f.Fatal(err)
	}
	open := storetest.MustTicket(f, e.store, m.ID, anxin.QualityReturn, 12900)
	client := &http.Client{}

	f.Fuzz(func(t *testing.T, event bool, body []byte) {
		path := "/api/v1/tickets"
		if event {
			path = "/api/v1/tickets/" + open.Number + "/events"
		}
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(res.Body)
		res.Body.Close()
		switch {
		case res.StatusCode >= 500:
			t.Fatalf("%s: %d %s", path, res.StatusCode, out)
		case res.StatusCode == http.StatusCreated || res.StatusCode == http.StatusOK:
			var tk api.Ticket
			if err := json.Unmarshal(out, &tk); err != nil || tk.ID == 0 {
				t.Fatalf("%s: %d with a body that is no ticket: %s", path, res.StatusCode, out)
			}
			checkTicketBounds(t, tk)
		default:
			var e api.Error
			if err := json.Unmarshal(out, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Fatalf("%s: %d with a body that is no error: %s", path, res.StatusCode, out)
			}
			if !slices.Contains([]int{400, 404, 409, 413, 422}, res.StatusCode) {
				t.Fatalf("%s: status %d (%s) is none the API documents for a request", path, res.StatusCode, e.Error.Code)
			}
		}
	})
}

// checkTicketBounds checks what the API answered with against the domain's
// bounds: what a claim that got through can hold.
func checkTicketBounds(t *testing.T, tk api.Ticket) {
	t.Helper()
	if tk.Order.PaidFen <= 0 || tk.Order.PaidFen > anxin.MaxAmountFen {
		t.Fatalf("ticket %s paid %d fen", tk.Number, tk.Order.PaidFen)
	}
	if tk.RequestedFen < 0 || tk.PayableFen < 0 || tk.RefundedFen < 0 || tk.RequestedFen > tk.PayableFen ||
		tk.RefundedFen > tk.PayableFen || tk.PayableFen > 4*anxin.MaxAmountFen {
		t.Fatalf("ticket %s: requested %d, payable %d, refunded %d fen", tk.Number, tk.RequestedFen, tk.PayableFen, tk.RefundedFen)
	}
	for f, v := range map[anxin.Field]string{anxin.FieldBuyerName: tk.Buyer.Name, anxin.FieldReason: tk.Reason,
		anxin.FieldProduct: tk.Order.Product, anxin.FieldOrderID: tk.Order.ID} {
		if err := anxin.CheckText(f, v, anxin.MaxLongText, true); err != nil {
			t.Fatalf("ticket %s holds text the domain refuses: %v", tk.Number, err)
		}
	}
	if !anxin.State(tk.State).Valid() {
		t.Fatalf("ticket %s is in state %q", tk.Number, tk.State)
	}
}

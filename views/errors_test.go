package views

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// verb matches a format's verbs (not %%), with their explicit index if any.
var verb = regexp.MustCompile(`%(?:\[(\d+)\])?[-+# 0]*\d*(?:\.\d+)?([a-zA-Z])`)

// TestEveryMessageHasChinese: Chinese is the default language, so a message
// of the domain's catalog without Chinese would show English to Chinese
// users. Each Chinese text takes the message's values as the English does.
func TestEveryMessageHasChinese(t *testing.T) {
	n := 0
	for m := range anxin.Messages() {
		n++
		zh, ok := errorZH[m]
		if !ok {
			t.Errorf("no Chinese for %s (%q)", m, m.English())
			continue
		}
		// Stand-ins for the values, of the kinds the English verbs take.
		var args []any
		for _, v := range verb.FindAllStringSubmatch(strings.ReplaceAll(m.English(), "%%", ""), -1) {
			if v[2] == "d" {
				args = append(args, 7)
			} else {
				args = append(args, "x")
			}
		}
		if out := fmt.Sprintf(zh, args...); strings.Contains(out, "%!") {
			t.Errorf("%s: the Chinese takes other values than the English %q: %s", m, m.English(), out)
		}
		if out := fmt.Sprintf(m.English(), args...); strings.Contains(out, "%!") {
			t.Errorf("%s: %s", m, out)
		}
	}
	if n != len(errorZH) {
		t.Errorf("%d messages have Chinese, the catalog has %d: a message was dropped", len(errorZH), n)
	}
	for _, code := range anxin.ErrorCodes() {
		if _, ok := zh["code:"+code]; !ok {
			t.Errorf("no Chinese for the code %s", code)
		}
	}
}

// TestErrorText says errors in both languages from their Msg and values.
func TestErrorText(t *testing.T) {
	zone := time.FixedZone("CST", 8*3600)
	at := time.Date(2026, 11, 3, 1, 30, 0, 0, time.UTC)
	zh := WithPage(context.Background(), Page{Lang: "zh", Zone: zone})
	en := WithPage(context.Background(), Page{Lang: "en", Zone: zone})
	tests := []struct {
		err    error
		zh, en string
	}{
		{anxin.Fail(anxin.MsgReasonRequired), "请填写原因", "a reason is required"},
		{anxin.Fail(anxin.MsgRefundExceeds, anxin.Fen(12000), anxin.Fen(8050)),
			"退款 ¥120.00 超过剩余可退金额 ¥80.50", "the refund of ¥120.00 exceeds the ¥80.50 that remain refundable"},
		{anxin.Fail(anxin.MsgNotPossibleNow, anxin.Approve, anxin.Rejected), "工单为“已拒绝”时不能同意",
			"Approve is not possible while the ticket is Rejected"},
		{anxin.Fail(anxin.MsgOutsideWindow, anxin.NoReason7d, 7*24*time.Hour, anxin.FromReceipt, 9*24*time.Hour+2*time.Hour),
			"七天无理由退货须在签收后7天内申请，本次申请距签收已过9天2小时",
			"7-day no-reason return must be claimed within 7 d of receipt; this claim comes 9 d 2 h after"},
		{anxin.Fail(anxin.MsgAlreadyShipped, anxin.UnshippedRefund, at), "未发货退款仅限发货前申请；该订单已于 2026-11-03 09:30 发货",
			"Unshipped refund is open only until the order ships; it shipped at 2026-11-03 09:30"},
		{anxin.Fail(anxin.MsgPageNotForRole, anxin.RoleMerchant), "商家账号不能访问此页面", "this page is not for a merchant account"},
		{fmt.Errorf("wrapped: %w", anxin.Fail(anxin.MsgBadRole, "boss")), `角色无效："boss"`,
			`the role must be admin, agent or merchant, not "boss"`},
		// An English-only error of the API is said by its code.
		{anxin.Errorf(anxin.EINVALID, "limit must be from 1 to 200"), "输入无效", "limit must be from 1 to 200"},
		{&anxin.AlreadyHandled{Ticket: anxin.Ticket{State: anxin.Refunding}, By: "王晓", Action: anxin.Refund, At: at},
			"已由 王晓 于 2026-11-03 09:30 处理（退款），工单当前状态：退款中。",
			"Already handled by 王晓 at 2026-11-03 09:30 (Refund). The ticket is now Refunding."},
		{errors.New("disk on fire"), "出错了", "Something went wrong"},
		{anxin.Fail("no_such_message"), "出错了", "Something went wrong"},
	}
	for _, tt := range tests {
		if got := ErrorText(zh, tt.err); got != tt.zh {
			t.Errorf("%v in Chinese: %q, want %q", tt.err, got, tt.zh)
		}
		if got := ErrorText(en, tt.err); got != tt.en {
			t.Errorf("%v in English: %q, want %q", tt.err, got, tt.en)
		}
	}
}

// TestRewordingKeepsTheChinese: the Chinese comes from the message's name,
// so an English text that differs from every key of the UI's strings (as
// a reworded one would) is still said in Chinese.
func TestRewordingKeepsTheChinese(t *testing.T) {
	zh := WithPage(context.Background(), Page{Lang: "zh", Zone: time.UTC})
	e := anxin.Fail(anxin.MsgNoteEmpty)
	e.Message = "notes need some text" // as if the English had been reworded
	if got := ErrorText(zh, e); got != "备注不能为空" {
		t.Fatalf("a reworded message shows %q", got)
	}
}

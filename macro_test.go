package anxin_test

import (
	"strings"
	"testing"

	"github.com/anxin-helpdesk/anxin"
)

func TestMacroValidate(t *testing.T) {
	for _, c := range []struct {
		name string
		m    anxin.Macro
		code string
	}{
		{"fine", anxin.Macro{Title: "退货地址", Body: "{buyer}您好，请寄回：{return_address}"}, ""},
		{"no title", anxin.Macro{Title: " ", Body: "x"}, anxin.EINVALID},
		{"no body", anxin.Macro{Title: "x", Body: " "}, anxin.EINVALID},
		{"unknown variable", anxin.Macro{Title: "x", Body: "{name}您好"}, anxin.EINVALID},
		{"an action no macro carries", anxin.Macro{Title: "x", Body: "y", Action: anxin.Refund}, anxin.EINVALID},
		{"reject without reason", anxin.Macro{Title: "x", Body: "y", Action: anxin.Reject}, anxin.EINVALID},
		{"reject with reason", anxin.Macro{Title: "x", Body: "y", Action: anxin.Reject, Reason: "照片无法证明问题"}, ""},
		{"long title", anxin.Macro{Title: strings.Repeat("长", 61), Body: "y"}, anxin.EINVALID},
		{"control character", anxin.Macro{Title: "x", Body: "y\x00"}, anxin.EINVALID},
	} {
		m := c.m
		if err := m.Validate(); anxin.ErrorCode(err) != c.code && !(c.code == "" && err == nil) {
			t.Errorf("%s: %v, want %q", c.name, err, c.code)
		}
	}
	m := anxin.Macro{Title: "x", Body: "y", Action: anxin.Approve, Reason: "stray"}
	if err := m.Validate(); err != nil || m.Reason != "" {
		t.Fatalf("a reason kept for approve: %v %q", err, m.Reason)
	}
}

func TestMacroRender(t *testing.T) {
	m := anxin.Macro{Body: "{buyer}您好，{product}的退款{amount}已提交；请寄回{return_address}。{ticket} {unknown}"}
	parts := m.Render(map[anxin.MacroVar]string{anxin.VarBuyer: "李女士", anxin.VarProduct: "玫瑰", anxin.VarAmount: "¥30.00",
		anxin.VarTicket: "AX-000001", anxin.VarReturnAddress: ""})
	text := anxin.Text(parts)
	if text != "李女士您好，玫瑰的退款¥30.00已提交；请寄回{return_address}。AX-000001 {unknown}" {
		t.Fatalf("rendered %q", text)
	}
	var missing []anxin.MacroVar
	for _, p := range parts {
		if p.Missing != "" {
			missing = append(missing, p.Missing)
		}
	}
	if len(missing) != 1 || missing[0] != anxin.VarReturnAddress {
		t.Fatalf("missing %v", missing)
	}
	// What is left unfilled never reaches the buyer from the staff.
	agent := anxin.Actor{Role: anxin.RoleAgent, UserID: 1, Name: "王晓"}
	if _, err := anxin.NewMessage(1, agent, text, nil); anxin.ErrorCode(err) != anxin.EINVALID ||
		!strings.Contains(anxin.ErrorMessage(err), "{return_address}") {
		t.Fatalf("an unfilled placeholder was accepted: %v", err)
	}
	if _, err := anxin.NewMessage(1, anxin.Buyer(), "我的地址是{return_address}", nil); err != nil {
		t.Fatalf("the buyer's own braces: %v", err)
	}
	if !(anxin.Macro{MerchantID: 0}).Usable(anxin.Scope{MerchantID: 2}, 2) || (anxin.Macro{MerchantID: 3}).Usable(anxin.AllMerchants(), 2) ||
		(anxin.Macro{MerchantID: 2}).Usable(anxin.Scope{MerchantID: 3}, 2) {
		t.Fatal("usable where it must not be, or not where it must")
	}
}

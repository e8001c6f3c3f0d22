package store_test

import (
	"testing"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

func TestMacrosBelongToTheirKeepers(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	a := storetest.MustMerchant(t, s, "玉颜美妆旗舰店")
	b := storetest.MustMerchant(t, s, "鲜果园")
	admin := storetest.MustUser(t, s, anxin.RoleAdmin, "管理员", 0).Actor()
	agent := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0).Actor()
	shopA := storetest.MustUser(t, s, anxin.RoleMerchant, "林娜", a.ID).Actor()
	shopB := storetest.MustUser(t, s, anxin.RoleMerchant, "周洋", b.ID).Actor()

	team, err := s.SaveMacro(ctx, admin, anxin.Macro{Title: "退款时效", Body: "{buyer}您好，退款{amount}将在1-3个工作日内原路退回。"})
	if err != nil {
		t.Fatal(err)
	}
	// A merchant's macro is its own, whatever merchant the form names.
	own, err := s.SaveMacro(ctx, shopA, anxin.Macro{MerchantID: b.ID, Title: "补拍照片", Body: "请补拍{product}的吊牌",
		Action: anxin.RequestEvidence})
	if err != nil || own.MerchantID != a.ID {
		t.Fatalf("%+v %v", own, err)
	}
	if _, err := s.SaveMacro(ctx, agent, anxin.Macro{Title: "x", Body: "y"}); anxin.ErrorCode(err) != anxin.ENOTALLOWED {
		t.Fatalf("an agent kept a team macro: %v", err)
	}
	if _, err := s.SaveMacro(ctx, shopB, anxin.Macro{ID: own.ID, Title: "改", Body: "改"}); anxin.ErrorCode(err) != anxin.ENOTFOUND {
		t.Fatalf("B changed A's macro: %v", err)
	}
	if err := s.DeleteMacro(ctx, shopA, team.ID); anxin.ErrorCode(err) != anxin.ENOTFOUND {
		t.Fatalf("a merchant deleted the team's macro: %v", err)
	}
	if got, _ := s.Macros(ctx, a.ID); len(got) != 2 || got[0].ID != team.ID || got[1].ID != own.ID {
		t.Fatalf("A's list %+v", got)
	}
	if got, _ := s.Macros(ctx, b.ID); len(got) != 1 || got[0].ID != team.ID {
		t.Fatalf("B's list %+v", got)
	}
	if _, err := s.Macro(ctx, anxin.Scope{MerchantID: b.ID}, b.ID, own.ID); anxin.ErrorCode(err) != anxin.ENOTFOUND {
		t.Fatalf("B used A's macro: %v", err)
	}
	if _, err := s.Macro(ctx, anxin.AllMerchants(), b.ID, own.ID); anxin.ErrorCode(err) != anxin.ENOTFOUND {
		t.Fatalf("A's macro on B's ticket: %v", err)
	}
	if m, err := s.Macro(ctx, anxin.AllMerchants(), a.ID, own.ID); err != nil || m.Action != anxin.RequestEvidence {
		t.Fatalf("an agent on A's ticket: %+v %v", m, err)
	}
	if err := s.DeleteMacro(ctx, shopA, own.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Macros(ctx, a.ID); len(got) != 1 {
		t.Fatalf("after delete %+v", got)
	}
}

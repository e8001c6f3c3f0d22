package views

import (
	"context"

	"github.com/anxin-helpdesk/anxin"
)

func init() {
	addZH(dutyZH)
	addEN(dutyEN)
}

// AlertText says what an alert is about, in the page's language.
func AlertText(ctx context.Context, a anxin.Alert) string {
	switch a.Kind {
	case anxin.AlertAssigned:
		if a.Detail == anxin.System().Name {
			return T(ctx, "was assigned to you automatically")
		}
		return Tf(ctx, "was assigned to you by %s", a.Detail)
	case anxin.AlertMentioned:
		return Tf(ctx, "%s mentioned you in a note", a.Detail)
	case anxin.AlertDueSoon:
		return T(ctx, "is due within an hour")
	case anxin.AlertRefundFailed:
		return T(ctx, "its refund failed")
	case anxin.AlertBuyerReplied:
		return T(ctx, "the buyer replied")
	}
	return T(ctx, "alert:"+string(a.Kind))
}

var dutyEN = map[string]string{
	"audit:set_auto_assign": "turned auto-assignment on or off",
	"audit:set_agent_group": "changed an agent group",
}

var dutyZH = map[string]string{
	"Alerts":                            "提醒",
	"You have new alerts":               "您有新的提醒",
	"On duty":                           "值班中",
	"Go off duty, keep my tickets":      "下班，保留我的工单",
	"Go off duty, hand my tickets back": "下班，交回我的工单",
	"Off duty: go on duty":              "未值班：开始值班",
	"Desktop notifications":             "桌面通知",
	"No alerts.":                        "暂无提醒。",
	"unread":                            "未读",
	"Auto-assignment":                   "自动分配",
	"New tickets, and tickets coming back from the buyer, go to the agent on duty with the fewest open tickets. Assigning by hand always wins.": "新工单及买家补充后回到商家处理的工单，自动分配给值班中未结工单最少的客服。手动指派始终优先。",
	"Assign new tickets automatically": "自动分配新工单",
	"Agent groups":                     "客服分组",
	"A merchant with a group has its tickets assigned within the group only; with none, to every agent on duty.": "设置了分组的商家，其工单只分配给组内客服；未设置的分配给所有值班客服。",
	"was assigned to you by %s":         "由 %s 指派给您",
	"%s mentioned you in a note":        "%s 在备注中提到了您",
	"is due within an hour":             "一小时内到期",
	"was assigned to you automatically": "已自动分配给您",
	"its refund failed":                 "退款失败",
	"the buyer replied":                 "买家已回复",
	"You are on duty.":                  "您已开始值班。",
	"You are off duty.":                 "您已下班。",
	"audit:set_auto_assign":             "设置自动分配",
	"audit:set_agent_group":             "修改客服分组",
}

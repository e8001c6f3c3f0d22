package views

import "github.com/anxin-helpdesk/anxin"

func init() {
	addZH(deskZH)
	addEN(deskEN)
	for m, zh := range deskErrorZH {
		errorZH[m] = zh
	}
}

// deskErrorZH is the Chinese of the desk's refusals (anxin/desk.go).
var deskErrorZH = map[anxin.Msg]string{
	anxin.MsgOverrideReason: "受理超出时限的申请须填写例外理由",
	anxin.MsgTimeNotValid:   "%s不是有效的日期时间",
	anxin.MsgUndoTooLate:    "退款 %s 已交给支付系统，不能再撤销",
	anxin.MsgNothingToUndo:  "工单 %s 没有等待交付的退款可撤销",
}

// deskEN says the desk's identifiers in English: the refund undo's action
// and the audit action of an agent's override.
var deskEN = map[string]string{
	"undo_refund":          "Refund undone",
	"audit:override_claim": "accepted a claim outside its window",
}

// deskZH is the agent's desk: claims entered by agents (with an override of
// the window), partial arbitration awards and the refund's undo.
var deskZH = map[string]string{
	// The new-ticket page
	"New ticket": "新建工单",
	"A claim taken on the phone or in a chat: it is checked against its service's window like a claim through the API.": "电话或在线咨询中受理的售后申请：与接口提交的申请一样，按服务的申请时限审核。",
	"Order":                             "订单",
	"Amount paid (yuan)":                "实付金额（元）",
	"Ordered (paid) at":                 "下单（付款）时间",
	"Shipped at (empty: not shipped)":   "发货时间（未发货则留空）",
	"Received at (empty: not received)": "签收时间（未签收则留空）",
	"Buyer and claim":                   "买家与申请",
	"Buyer's name":                      "买家姓名",
	"Buyer's phone":                     "买家电话",
	"Amount claimed (yuan; empty: the service's full compensation)": "申请金额（元；留空则按服务全额）",
	"Photos (at most %d)":      "照片（最多 %d 张）",
	"Outside the claim window": "超出申请时限",
	"A claim outside its window is refused unless you accept it as an exception, with the reason. The reason is on the ticket's timeline and in the audit log.": "超出时限的申请会被拒绝，除非您填写理由破例受理。理由会记录在工单时间线和操作日志中。",
	"Accept it outside its window":                     "破例受理（超出时限）",
	"Reason for the exception (at most %d characters)": "例外理由（最多 %d 字）",
	"Create the ticket":                                "创建工单",
	"Ticket %s created.":                               "工单 %s 已创建。",
	"This claim was already entered as %s.":            "该申请已录入为工单 %s。",

	// Partial award (部分裁决)
	"Partial award":                    "部分裁决",
	"Reason for the ruling (optional)": "裁决理由（可选）",
	"Award this amount":                "按此金额裁决",
	"partial award: %s":                "部分裁决：%s",
	"partial award":                    "部分裁决",
	"audit:override_claim":             "破例受理超出时限的申请",
	"undo_refund":                      "撤销退款",
	"Undo":                             "撤销",
	"(%d s left)":                      "（剩 %d 秒）",
	"The refund of %s goes to the payment system in a moment.": "%s 的退款即将交给支付系统。",
	"field:" + string(anxin.FieldMerchant):                     "商家",
	"field:" + string(anxin.FieldService):                      "服务",
	"field:" + string(anxin.FieldOrderedAt):                    "下单时间",
	"field:" + string(anxin.FieldShippedAt):                    "发货时间",
	"field:" + string(anxin.FieldReceivedAt):                   "签收时间",
}

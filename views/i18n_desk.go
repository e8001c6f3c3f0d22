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
	// Partial award (部分裁决)
	"Partial award":                          "部分裁决",
	"Reason for the ruling (optional)":       "裁决理由（可选）",
	"Award this amount":                      "按此金额裁决",
	"partial award: %s":                      "部分裁决：%s",
	"partial award":                          "部分裁决",
	"audit:override_claim":                   "破例受理超出时限的申请",
	"undo_refund":                            "撤销退款",
	"field:" + string(anxin.FieldMerchant):   "商家",
	"field:" + string(anxin.FieldService):    "服务",
	"field:" + string(anxin.FieldOrderedAt):  "下单时间",
	"field:" + string(anxin.FieldShippedAt):  "发货时间",
	"field:" + string(anxin.FieldReceivedAt): "签收时间",
}

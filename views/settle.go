package views

import (
	"context"

	"github.com/anxin-helpdesk/anxin"
)

// SettlementName says how a ticket settles, in the page's words.
func SettlementName(ctx context.Context, k anxin.Settlement) string {
	return T(ctx, "settle:"+string(k.Or()))
}

func init() {
	for k, v := range settleErrorZH {
		errorZH[k] = v
	}
	addZH(settleZH)
	addEN(settleEN)
}

var settleErrorZH = map[anxin.Msg]string{
	anxin.MsgSettlementUnknown:    "%s：%q 不是可选的处理方式（退款、换货或补发）",
	anxin.MsgSettlementNotAllowed: "%s：%s 不支持%s",
	anxin.MsgReshipLimit:          "%s：订单 %s 已补发 %d 次，不能再补发",
	anxin.MsgShipClockRange:       "商家发货（换货、补发）的时限须在 1 小时到 30 天之间",
}

var settleEN = map[string]string{
	"settle:refund":   "Refund",
	"settle:exchange": "Exchange",
	"settle:reship":   "Reship",

	"field:" + string(anxin.FieldSettlement): "the settlement",

	"awaiting_shipment":  "Awaiting the merchant's shipment",
	"shipped":            "Shipped, awaiting the buyer's receipt",
	"ship_out":           "Ship",
	"out_of_stock":       "Out of stock: refund instead",
	"outbound_delivered": "Delivered to the buyer",

	"timeout:refund_unshipped": "refund what the merchant did not ship",
}

var settleZH = map[string]string{
	"settle:refund":   "退款",
	"settle:exchange": "换货",
	"settle:reship":   "补发",

	"field:" + string(anxin.FieldSettlement): "处理方式",

	"awaiting_shipment":  "待商家发货",
	"shipped":            "商家已发货，待买家签收",
	"ship_out":           "发货",
	"out_of_stock":       "缺货转退款",
	"outbound_delivered": "买家已签收",

	"timeout:refund_unshipped": "商家未按时发货，转为退款",

	"Settled by": "处理方式",
	"Ship the replacement: the carrier and tracking number go to the buyer.": "发出换货新品：快递公司和运单号会告知买家。",
	"Ship the goods again: the carrier and tracking number go to the buyer.": "重新发出商品（补发）：快递公司和运单号会告知买家。",
	"Reship and logistics": "补发与物流",
	"exchange: the goods come back, the replacement ships within %s of their receipt": "换货：商品寄回，收货后 %s 内发出换货新品",
	"reship: the goods ship again within %s of approval, nothing comes back":          "补发：同意后 %s 内重新发货，无需退货",
	"out of stock or not shipped in time: %s":                                         "缺货或未按时发货：%s",
	"Time to ship a replacement or reship (hours)":                                    "换货、补发发货时限（小时）",
	"time to ship a replacement or reship: %s":                                        "换货、补发发货时限：%s",

	"The merchant shipped a replacement or reship (carrier and tracking number)": "商家已发出换货新品或补发（含快递公司与运单号）",
}

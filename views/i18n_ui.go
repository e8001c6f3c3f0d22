package views

func init() {
	addZH(uiZH)
	addEN(map[string]string{
		"row:approve":      "approve",
		"row:receive":      "confirm receipt",
		"row:retry_refund": "retry refund",
	})
}

// uiZH is the shell on small screens, the refund's standing, the retries
// and the merchant's own queue.
var uiZH = map[string]string{
	// Refund line of the order card
	"Refund in progress":       "退款处理中",
	"Refund failed (not paid)": "退款失败（未到账）",

	// The queue's rows and bulk actions
	"row:approve":                     "同意",
	"row:receive":                     "确认收货",
	"row:retry_refund":                "重试退款",
	"Open":                            "查看",
	"Open %s":                         "查看 %s",
	"Approve the returns selected":    "批量同意退货",
	"Confirm receipt of the selected": "批量确认收货",
	"receipt confirmed":               "已确认收货",
	"approving it refunds at once: open the ticket": "同意即直接退款：请打开工单逐个处理",

	// The merchant's queue
	"To do":                 "待我处理",
	"Waiting for the buyer": "等待买家",
}

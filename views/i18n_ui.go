package views

func init() {
	addZH(uiZH)
	addEN(map[string]string{
		"row:approve":          "approve",
		"row:receive":          "confirm receipt",
		"row:retry_refund":     "retry refund",
		"audit:export_tickets": "exported tickets",
		"audit:retry_delivery": "sent a webhook delivery again",
		"audit:erase_contacts": "erased buyers' names and phones",
		"audit:erase_photos":   "deleted evidence photos",
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

	// Webhook deliveries given up on
	"Send again":                        "重新发送",
	"Delivery queued to be sent again.": "已安排重新发送。",

	// The audit log in words
	"audit:export_tickets":                    "导出工单",
	"audit:retry_delivery":                    "重新发送推送",
	"audit:erase_contacts":                    "清除买家姓名和电话",
	"audit:erase_photos":                      "删除凭证照片",
	"Tickets":                                 "工单",
	"%s tickets ended before %s":              "%s 个工单，结束于 %s 之前",
	"%s photos of %s tickets ended before %s": "%s 张照片，来自 %s 个结束于 %s 之前的工单",
	"%s (default)":                            "%s（默认）",
	"User":                                    "用户",
	"Webhook":                                 "Webhook",
	"Settings":                                "设置",
	"Queue view":                              "队列视图",
	"All tickets":                             "全部工单",
	"nobody":                                  "无",
	"agents %s":                               "客服（编号 %s）",
	"%s rows":                                 "%s 行",
	"event":                                   "事件",
	"%s; instant refund: %s (unshipped orders: %s; up to %s)": "%s；极速退款：%s（未发货订单：%s；上限 %s）",
	"on: %s":                              "开通：%s",
	"claim window: %s":                    "申请时限：%s",
	"merchant clock: %s":                  "商家处理时限：%s",
	"buyer's time to answer an offer: %s": "买家答复协商时限：%s",
	"photos required: %s":                 "所需照片：%s 张",
	"offers per ticket: %s":               "每单协商次数：%s",
	"; ":                                  "；",

	// Words for what the timeline and the admin pages kept as codes
	"Merchant name": "商家名称",
	"instant refund (极速退款) at intake": "受理时极速退款",
	"pickup at %s": "上门取件：%s",
	"accepted outside its window by an agent: %s": "客服特批超时限受理：%s",

	// Error pages: the HTTP statuses' own names, and the messages of the
	// checks that answer before any handler
	"Bad Request":              "请求无效",
	"Unauthorized":             "请先登录",
	"Method Not Allowed":       "不支持此操作",
	"Conflict":                 "操作冲突",
	"Request Entity Too Large": "上传内容过大",
	"Unprocessable Entity":     "无法处理的内容",
	"Too Many Requests":        "请求过于频繁",
	"Service Unavailable":      "服务暂不可用",
	"invalid or missing CSRF token; reload the page and try again": "页面已过期，请刷新后重试",
	"please log in": "请先登录",
	"shutting down": "服务正在关闭",

	"Beijing time": "北京时间",

	"Menu": "菜单",
}

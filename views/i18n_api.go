package views

import (
	"context"

	"github.com/anxin-helpdesk/anxin"
)

// merchantName is an endpoint's merchant, or "Every merchant".
func merchantName(ctx context.Context, h anxin.Webhook) string {
	if h.MerchantID == 0 {
		return T(ctx, "Every merchant")
	}
	return h.MerchantName
}

// eventDescription says in words what an event tells of.
func eventDescription(ctx context.Context, e anxin.WebhookEvent) string {
	return T(ctx, map[anxin.WebhookEvent]string{
		anxin.EventTicketCreated:    "A ticket is created",
		anxin.EventStateChanged:     "A ticket changes state",
		anxin.EventDeadlineSoon:     "An hour before a deadline",
		anxin.EventRefundRequested:  "A refund is to be paid (for the payment system)",
		anxin.EventRefundSucceeded:  "A refund succeeded",
		anxin.EventRefundFailed:     "A refund failed",
		anxin.EventMessage:          "A message to the buyer (for the platform to relay)",
		anxin.EventOfferMade:        "A partial amount is offered (for the buyer to answer)",
		anxin.EventPostageRequested: "A return's postage (运费险) is to be paid (for the payment system)",
		anxin.EventPostageSucceeded: "A return's postage (运费险) was paid",
		anxin.EventPostageFailed:    "A return's postage (运费险) payment failed",
		anxin.EventShipped:          "The merchant shipped a replacement or reship (carrier and tracking number)",
	}[e])
}

func init() {
	addZH(map[string]string{
		"Integrations": "对接",
		"A message to the buyer (for the platform to relay)":    "发给买家的消息（由平台转达）",
		"A partial amount is offered (for the buyer to answer)": "商家或客服提出协商金额（待买家确认）",
		"API keys":                "API 密钥",
		"Webhooks":                "Webhook",
		"Webhook":                 "Webhook",
		"API reference (OpenAPI)": "API 文档 (OpenAPI)",
		"Key %q created. Copy it now: it is not shown again.": "已创建密钥 %q。请立即复制：它不会再次显示。",
		"Key name":      "名称",
		"Acts for":      "代表",
		"merchant %s":   "商家 %s",
		"all merchants": "全部商家",
		"all merchants (made before keys had scopes)": "全部商家（在密钥区分范围之前创建）",
		"all merchants (the platform's integration)":  "全部商家（平台对接）",
		"Choose…": "请选择…",
		"A merchant's key sees and acts on that merchant's tickets only: give one to each merchant's own order or payment system.": "商家密钥只能查看和处理该商家的工单：请为每个商家自己的订单或支付系统各发一个。",
		"Key":              "密钥",
		"Created":          "创建时间",
		"Last used":        "最近使用",
		"Status":           "状态",
		"Actions":          "操作",
		"active":           "启用",
		"revoked %s":       "已于 %s 吊销",
		"Revoke":           "吊销",
		"No API keys yet.": "还没有 API 密钥。",
		"New API key":      "新建 API 密钥",
		"Who uses it, e.g. the shop system. On the server: anxin apikey create --name NAME --merchant CODE": "供谁使用，例如店铺系统。也可在服务器上运行：anxin apikey create --name NAME --merchant CODE",
		"Create key":       "创建密钥",
		"Endpoint":         "地址",
		"Events":           "事件",
		"Every merchant":   "全部商家",
		"No webhooks yet.": "还没有 Webhook。",
		"New webhook":      "新建 Webhook",
		"URL":              "URL",
		"Secret":           "签名密钥",
		"Signs every delivery (HMAC-SHA256). Leave empty to generate one.": "用于为每次推送签名（HMAC-SHA256）。留空则自动生成。",
		"Add webhook":               "添加 Webhook",
		"disabled":                  "已停用",
		"Disable":                   "停用",
		"Enable":                    "启用",
		"Show the secret":           "显示签名密钥",
		"Latest deliveries":         "最近推送",
		"Event":                     "事件",
		"Attempts":                  "尝试",
		"Nothing delivered yet.":    "还没有推送。",
		"delivered":                 "已送达",
		"given up":                  "已放弃",
		"retrying":                  "重试中",
		"next %s":                   "下次 %s",
		"A ticket is created":       "新工单",
		"A ticket changes state":    "工单状态变化",
		"An hour before a deadline": "截止前 1 小时提醒",
		"A refund is to be paid (for the payment system)": "发起退款（交给支付系统）",
		"A refund succeeded":                              "退款成功",
		"A refund failed":                                 "退款失败",
		"API key %q revoked.":                             "已吊销 API 密钥 %q。",
		"Webhook added.":                                  "已添加 Webhook。",
		"Webhook enabled.":                                "已启用 Webhook。",
		"Webhook disabled.":                               "已停用 Webhook。",
	})
}

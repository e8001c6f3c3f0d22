package views

func init() {
	addZH(conversationZH)
	addEN(map[string]string{"send_message": "Sending the message"})
}

// conversationZH is the conversation with the buyer on the ticket page.
var conversationZH = map[string]string{
	"Conversation and timeline":     "沟通与进度",
	"%s (merchant)":                 "%s（商家）",
	"%s (support)":                  "%s（客服）",
	"answered in %s by %s":          "%[2]s 用时 %[1]s 回复",
	"waiting for a reply":           "等待回复",
	"how long the buyer has waited": "买家已等待的时间",
	"Photo from the buyer":          "买家发来的照片",
	"Reply to the buyer":            "回复买家",
	"The buyer reads this through the platform. Type / for a canned reply.":      "买家会通过平台收到这条消息。输入 / 可选择快捷回复。",
	"Sent to the buyer. For words only the staff should read, use a note below.": "消息将发给买家。只给内部人员看的内容请写在下方备注中。",
	"Send to buyer":                          "发送给买家",
	"send_message":                           "发送消息",
	"Message to the buyer (you may edit it)": "发给买家的消息（可修改）",
	"Hello, to handle your request we need more photos:": "您好，为了尽快处理您的申请，还需要您补充以下照片：",
	"a clear photo of the problem":                       "能清楚看到问题的照片",
	"We have %d of the %d photos needed.":                "目前已收到 %d 张，至少需要 %d 张。",
	"Please send them within 72 hours. Thank you!":       "请在 72 小时内上传，谢谢！",
}

func init() {
	addZH(map[string]string{
		"new message":                 "新消息",
		"the buyer waits for a reply": "买家等待回复中",
	})
}

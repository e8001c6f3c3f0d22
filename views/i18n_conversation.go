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
		"to answer":                   "待回复",
		"the buyer waits for a reply": "买家等待回复中",
	})
}

func init() {
	addEN(map[string]string{
		"var:buyer":          "buyer's name",
		"var:product":        "product",
		"var:amount":         "amount",
		"var:deadline":       "deadline",
		"var:return_address": "return address",
		"var:ticket":         "ticket number",
		"edit_macro":         "Edit canned replies",
	})
	addZH(map[string]string{
		"var:buyer":          "买家姓名",
		"var:product":        "商品",
		"var:amount":         "金额",
		"var:deadline":       "截止时间",
		"var:return_address": "退货地址",
		"var:ticket":         "工单号",
		"edit_macro":         "编辑快捷回复",
	})
}

func init() {
	addZH(map[string]string{
		"Canned replies (%d)":   "快捷回复（%d）",
		"Search canned replies": "搜索快捷回复",
		"Search by title":       "按标题搜索",
		"the merchant's":        "商家自建",
		"also: %s":              "同时：%s",
		"Use":                   "填入",
		"Send as is":            "直接发送",
		"[%s missing]":          "[缺少%s]",
		"the ticket has no value for this: fill it in": "该工单没有这一项，请手动填写",
	})
}

func init() {
	addZH(map[string]string{
		"Canned replies": "快捷回复",
		"Use them from a ticket's reply box: type / or open the list. Variables are filled in from the ticket: {buyer}, {product}, {amount}, {deadline}, {return_address}, {ticket}. A value the ticket lacks must be filled in by hand before sending.": "在工单的回复框中使用：输入 / 或展开列表。变量会按工单自动填入：{buyer}（买家姓名）、{product}（商品）、{amount}（金额）、{deadline}（截止时间）、{return_address}（退货地址）、{ticket}（工单号）。工单没有的内容须在发送前手动填写。",
		"Show %d earlier messages":      "显示更早的 %d 条消息",
		"Delete":                        "删除",
		"Edit":                          "编辑",
		"Title":                         "标题",
		"All canned replies":            "全部快捷回复",
		"No canned replies yet.":        "还没有快捷回复。",
		"team":                          "团队",
		"New canned reply":              "新建快捷回复",
		"Edit canned reply":             "编辑快捷回复",
		"English name (optional)":       "英文名称（选填）",
		"Text to the buyer":             "发给买家的内容",
		"Also take an action":           "同时执行操作",
		"No action: send the text only": "不执行操作，只发送内容",
		"Reason (for a rejection)":      "原因（拒绝时必填）",
	})
}

func init() {
	addZH(map[string]string{
		"The buyer's claims":                                             "买家售后记录",
		"%d claims in 90 days, %d of them refunded":                      "90 天内申请 %d 次，其中 %d 次已退款",
		"No other claims from this buyer.":                               "该买家没有其他售后申请。",
		"Claimed":                                                        "申请时间",
		"%d claims within 30 days:":                                      "30 天内申请 %d 次：",
		"%d photos also submitted on another ticket:":                    "%d 张照片也出现在其他工单：",
		"claimed within a day of receipt on goods of ¥500 or more (%d):": "高价商品（¥500 以上）签收后一天内申请（%d 次）：",
	})
}

// Exports.
func init() {
	addZH(map[string]string{
		"Phone":           "手机号",
		"Claimed (yuan)":  "申请金额（元）",
		"Refunded (yuan)": "已退款（元）",
		"Deadline":        "截止时间",
		"Export CSV":      "导出 CSV",
		"Download this view as a spreadsheet (every row, not only this page)": "将当前视图下载为表格（全部行，不只本页）",
	})
}

func init() { addZH(map[string]string{"Newest first": "按创建时间排序（最新在前）"}) }

func init() {
	addZH(map[string]string{
		"Delete the view %s": "删除视图 %s",
		"Name of the view":   "视图名称",
		"Save this view as…": "将当前筛选保存为…",
		"Save view":          "保存视图",
	})
}

// Evidence warnings.
func init() {
	addEN(map[string]string{
		"warning:before_receipt": "⚠ a photo was taken before the order was received",
		"warning:duplicate":      "⚠ a photo is also on another ticket",
		"warning:missing":        "⚠ fewer photos than required",
	})
	addZH(map[string]string{
		"warning:before_receipt":    "⚠ 有照片拍摄于签收之前",
		"warning:duplicate":         "⚠ 有照片也出现在其他工单",
		"warning:missing":           "⚠ 照片少于要求",
		"%s: open the ticket first": "%s：请先打开工单查看",
		"open":                      "查看",
	})
}

// The reports' CSV download.
func init() {
	addZH(map[string]string{
		"Clocks run out":             "超时未处理",
		"First action, median (min)": "首次处理中位数（分钟）",
		"First action, p90 (min)":    "首次处理 90 分位（分钟）",
		"Refunds paid (yuan)":        "已退款金额（元）",
		"Download the table as CSV":  "下载此表（CSV）",
	})
}

func init() {
	addZH(map[string]string{
		"Export all tickets": "导出全部工单",
		"Every ticket in every state (closed ones too), newest first": "所有状态的全部工单（含已关闭），最新在前",
	})
}

package views

func init() { addZH(reportsZH) }

var reportsZH = map[string]string{
	"Reports":                              "报表",
	"Reply times by person: service norms": "按人员的回复时效：服务指标",
	"From":                                 "开始日期",
	"To":                                   "结束日期",
	"Show":                                 "查看",
	"From %s to %s (%d days) · %s":         "%s 至 %s（%d 天）· %s",
	"Return rate per merchant":             "各商家退货率",
	"Return rate per merchant, with the red line and the target": "各商家退货率（含红线与目标线）",
	"Orders":                           "订单数",
	"Deadline compliance":              "时限达成率",
	"First action, median":             "首次处理（中位数）",
	"First action, p90":                "首次处理（90 分位）",
	"Arbitration rate":                 "仲裁率",
	"Ruled for the buyer":              "判买家胜",
	"Ruled for the merchant":           "判商家胜",
	"Return rate per day":              "每日退货率",
	"Refunds paid per day":             "每日退款金额",
	"Refunds":                          "退款笔数",
	"No refunds paid in this period.":  "该期间没有已完成的退款。",
	"%d of %d merchant clocks ran out": "%d / %d 个商家处理时限到期",
	"median; 90%% within %s":           "中位数；90%% 在 %s 内",
	"%d opened · ruled for the buyer %d, for the merchant %d":                                    "发起 %d 起 · 判买家胜 %d，判商家胜 %d",
	"Deadline compliance: the share of merchant clocks ended by a decision before they ran out.": "时限达成率：商家处理时限内作出处理的工单占比（到期由系统自动处理的计为未达成）。",
}

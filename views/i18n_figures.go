package views

func init() { addZH(figuresZH) }

var figuresZH = map[string]string{
	"Red line %s":                     "红线 %s",
	"Target %s":                       "目标 %s",
	"Last %d days":                    "近 %d 天",
	"Open my tickets":                 "处理我的工单",
	"This merchant's tickets":         "该商家的工单",
	"Return rate":                     "退货率",
	"red line %s · target %s or less": "红线 %s · 目标 %s 以内",
	"Return rate per day, with the red line and the target":              "每日退货率（含红线与目标线）",
	"%d refunds over %d orders":                                          "%d 笔退款 / %d 笔订单",
	"Complaint rate":                                                     "投诉率",
	"arbitrations opened; ruled against the merchant: %s":                "平台仲裁发起率；判商家败诉：%s",
	"Complaint rate per day":                                             "每日投诉率",
	"Time to first action":                                               "首次处理时长",
	"median; the mark to beat: an approval within 3 minutes":             "中位数；标杆：3 分钟内同意",
	"Median minutes to the first action, per day":                        "每日首次处理时长中位数（分钟）",
	"Deadlines missed":                                                   "超时未处理",
	"merchant clocks that ran out into an automatic decision; aim for 0": "商家处理时限到期、由系统自动处理的工单；目标为 0",
	"Deadlines missed per day":                                           "每日超时数",
	"Refunds paid":                                                       "已退款金额",
	"%d refunds":                                                         "%d 笔退款",
	"Refunds paid per day, in yuan":                                      "每日退款金额（元）",
	"Refunds paid by service":                                            "按服务统计的退款",
	"Merchants":                                                          "商家",
	"My store":                                                           "我的店铺",
	"Main":                                                               "主导航",
	"Admin":                                                              "管理",
	"Your account":                                                       "我的账号",
}

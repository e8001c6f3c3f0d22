package views

func init() { addZH(normsZH) }

var normsZH = map[string]string{
	"Service norms": "服务指标",
	"Period":        "统计周期",
	"From %s to %s · service hours %s (%s): only the time within them counts": "统计 %s 至 %s · 服务时段 %s（%s）：只计服务时段内的时间",
	"By merchant":              "按商家",
	"All merchants":            "全部商家",
	"By person":                "按客服人员",
	"Who answered":             "回复人",
	"For":                      "所属",
	"Support team":             "平台客服团队",
	"Buyer messages":           "买家消息",
	"Answered":                 "已回复",
	"Within 3 min":             "3分钟内回复",
	"3-minute reply rate":      "3分钟回复率",
	"Mean response time":       "平均响应时长",
	"Unanswered":               "未回复",
	"within the service hours": "只计服务时段内",
	"%d of %d buyer messages answered within 3 minutes": "%d / %d 条买家消息在 3 分钟内得到回复",
	"of %d buyer messages; aim for 0":                   "共 %d 条买家消息；目标为 0",
	"No buyer message was answered in this period.":     "本周期内没有已回复的买家消息。",
	"A buyer message counts from when it came, within the service hours only, until a person (the merchant or the support team) first answers it. One still unanswered counts as not answered within 3 minutes, with its wait so far in the mean, once it has waited 3 minutes; before that it is not judged yet.": "每条买家消息从收到时起计时，只计服务时段内的时间，直到有人（商家或平台客服）首次回复。尚未回复的消息在服务时段内等待满 3 分钟后，计为未在 3 分钟内回复，已等待的时间计入平均响应时长；未满 3 分钟的暂不计入。",
}

package views

func init() { addZH(backupsZH) }

var backupsZH = map[string]string{
	"Backups":                              "备份",
	"Last backup":                          "最近一次备份",
	"Result":                               "结果",
	"Written and verified":                 "已写入并校验",
	"Failed":                               "失败",
	"Size":                                 "大小",
	"%d tickets, %d photo files":           "%d 个工单，%d 个照片文件",
	"Directory":                            "目录",
	"No backup has been taken yet.":        "尚未进行过备份。",
	"Schedule":                             "备份计划",
	"Every %s, keeping the newest %d, in:": "每 %s备份一次，保留最近 %d 份，存放于：",
	"Next:":                                "下次：",
	"No scheduled backups. Start the server with --backup-dir DIR to take them, or run anxin backup --to DIR from cron.":                               "未设置定时备份。启动服务时加上 --backup-dir 目录 即可定时备份，或用 cron 定时运行 anxin backup --to 目录。",
	"Each backup holds the database and every photo it refers to, checked before it is kept. Restore one with anxin restore, with the server stopped.": "每份备份包含数据库及其引用的全部照片，保存前均已校验。恢复时请先停止服务，再运行 anxin restore。",
	"Taken by":               "发起方式",
	"Directory or error":     "目录或错误",
	"Scheduled":              "定时",
	"Before a migration":     "升级前自动",
	"By hand (anxin backup)": "手动（anxin backup）",
	"%d days":                "%d 天",
	"%d hours":               "%d 小时",
	"%d minutes":             "%d 分钟",
}

package views

func init() {
	addZH(adminZH)
	addEN(adminEN)
}

// auditActions are the actions the audit log records.
var auditActions = []string{"create_user", "disable_user", "enable_user", "reset_password", "change_role",
	"create_merchant", "update_merchant", "set_policy", "set_auto_assign", "set_agent_group", "export_tickets",
	"retry_delivery", "add_address", "update_address", "default_address", "delete_address",
	"erase_contacts", "erase_photos", "override_claim"}

var adminEN = map[string]string{
	"audit:create_user":     "created a user",
	"audit:disable_user":    "disabled a user",
	"audit:enable_user":     "enabled a user",
	"audit:reset_password":  "reset a password",
	"audit:change_role":     "changed a role",
	"audit:create_merchant": "created a merchant",
	"audit:update_merchant": "changed a merchant",
	"audit:set_policy":      "changed a service policy",
}

var adminZH = map[string]string{
	"Name":            "姓名",
	"Role":            "角色",
	"Change password": "修改密码",
	"Changing it ends your sessions on every other device.": "修改后，您在其他设备上的登录将全部失效。",
	"Current password":                                  "当前密码",
	"New password (at least 10 characters)":             "新密码（至少 10 位）",
	"New password again":                                "再次输入新密码",
	"Password changed. Your other sessions have ended.": "密码已修改，其他设备上的登录已失效。",
	"Users":                             "用户",
	"Audit log":                         "操作日志",
	"Password for %s, shown once: ":     "%s 的密码（仅显示一次）：",
	"Status":                            "状态",
	"(no merchant)":                     "（无商家）",
	"Save":                              "保存",
	"disabled":                          "已停用",
	"Reset password":                    "重置密码",
	"Enable":                            "启用",
	"Disable":                           "停用",
	"New user":                          "新用户",
	"Create, with a generated password": "创建（自动生成密码）",
	"Code":                              "编码",
	"Instant refund":                    "极速退款",
	"unshipped: %s; up to %s":           "未发货：%s；%s 以内",
	"off":                               "关闭",
	"yes":                               "是",
	"no":                                "否",
	"New merchant":                      "新商家",
	"Create":                            "创建",
	"Instant refund (极速退款)":             "极速退款",
	"every unshipped order":             "所有未发货订单",
	"and claims up to (yuan)":           "以及金额不超过（元）",
	"Services":                          "售后服务",
	"Leave a field empty to keep the catalog's default, shown in grey.": "留空即使用目录默认值（灰色显示）。",
	"On":                     "开通",
	"Claim window (hours)":   "申请时限（小时）",
	"Photos required":        "所需照片",
	"Merchant clock (hours)": "商家处理时限（小时）",
	"opt-in":                 "需开通",
	"%s is on":               "已开通%s",
	"When":                   "时间",
	"Who":                    "操作人",
	"Action":                 "操作",
	"Target":                 "对象",
	"Nothing yet.":           "暂无记录。",
	"Older":                  "更早",
	"Saved.":                 "已保存。",
	"User created.":          "用户已创建。",
	"audit:create_user":      "创建用户",
	"audit:disable_user":     "停用用户",
	"audit:enable_user":      "启用用户",
	"audit:reset_password":   "重置密码",
	"audit:change_role":      "修改角色",
	"audit:create_merchant":  "创建商家",
	"audit:update_merchant":  "修改商家",
	"audit:set_policy":       "修改服务政策",

	// Negotiation settings of a merchant's policy.
	"Buyer's time to answer an offer (hours)": "买家答复协商时限（小时）",
	"Offers per ticket":                       "每单协商次数",
}

package views

import (
	"context"
	"fmt"
)

// NormalizeLang returns a supported language for s, the default for anything else.
func NormalizeLang(s string) string {
	if s == "en" {
		return "en"
	}
	return "zh"
}

// T translates an English UI string to the page's language. English strings
// are the keys; zh holds their Simplified Chinese. Each area of the UI adds
// its own strings from its own file with addZH.
func T(ctx context.Context, s string) string {
	if page(ctx).Lang == "en" {
		if e, ok := en[s]; ok {
			return e
		}
		return s
	}
	if z, ok := zh[s]; ok {
		return z
	}
	return s
}

// Translated reports whether the catalogue says s in the page's language
// (English strings are their own English).
func Translated(ctx context.Context, s string) bool {
	if page(ctx).Lang == "en" {
		return true
	}
	_, ok := zh[s]
	return ok
}

// Tf translates a format string and applies the arguments.
func Tf(ctx context.Context, format string, args ...any) string {
	return fmt.Sprintf(T(ctx, format), args...)
}

var zh = map[string]string{}

// en holds English for the keys that are not English already: the domain's
// identifiers (states, actions, roles...), which the UI uses as keys.
var en = map[string]string{}

// addZH registers Simplified Chinese for English UI strings. It is called
// from init functions, one per area of the UI, and panics on a key given
// twice with different text (which a test of every page would show anyway).
func addZH(m map[string]string) {
	for k, v := range m {
		if old, ok := zh[k]; ok && old != v {
			panic("views: two translations of " + k)
		}
		zh[k] = v
	}
}

// addEN registers English for keys that are identifiers.
func addEN(m map[string]string) {
	for k, v := range m {
		en[k] = v
	}
}

func init() {
	addZH(coreZH)
	addEN(map[string]string{
		"pending_merchant": "Pending merchant",
		"needs_evidence":   "Needs evidence",
		"rejected":         "Rejected",
		"awaiting_return":  "Awaiting return",
		"awaiting_receipt": "Awaiting receipt",
		"offer_pending":    "Offer awaiting the buyer",
		"arbitration":      "In arbitration",
		"refunding":        "Refunding",
		"refund_failed":    "Refund failed",
		"refunded":         "Refunded",
		"closed":           "Closed",
	})
}

var coreZH = map[string]string{
	// Shell
	"After-sales helpdesk": "售后工作台",
	"Anxin":                "安心",
	"Skip to content":      "跳到正文",
	"Queue":                "工单队列",
	"Log out":              "退出",
	"Language":             "语言",
	"中文":                   "中文",
	"English":              "English",

	// Login
	"Log in":                  "登录",
	"Email":                   "邮箱",
	"Password":                "密码",
	"Wrong email or password": "邮箱或密码错误",
	"Your session has ended. Please log in again.": "会话已结束，请重新登录。",
	"Too many attempts. Try again in %s.":          "尝试次数过多，请 %s 后再试。",

	// Queue
	"Open tickets":     "待处理工单",
	"Ticket":           "工单号",
	"Merchant":         "商家",
	"Service":          "服务",
	"State":            "状态",
	"Product":          "商品",
	"Amount":           "金额",
	"Time left":        "剩余时间",
	"No open tickets.": "暂无待处理工单。",
	"Next page":        "下一页",
	"First page":       "第一页",
	"no deadline":      "无时限",
	"overdue":          "逾期",
	"Due %s":           "截止 %s",

	// States
	"pending_merchant": "待商家处理",
	"needs_evidence":   "待补充凭证",
	"rejected":         "已拒绝",
	"awaiting_return":  "待买家退货",
	"awaiting_receipt": "待商家收货",
	"offer_pending":    "协商待买家确认",
	"arbitration":      "平台仲裁中",
	"refunding":        "退款中",
	"refund_failed":    "退款失败",
	"refunded":         "已退款",
	"closed":           "已关闭",

	// Errors
	"Not found":            "未找到",
	"Forbidden":            "无权访问",
	"Something went wrong": "出错了",
	"Back to the queue":    "返回工单队列",
}

package views

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// RulesPage is a merchant's automatic rules (自动化售后) and 极速退款
// thresholds: the merchant's own settings page, where each field shows the
// limit the admin set next to it; or an admin's page of the merchant, which
// shows the rules and sets the limits.
type RulesPage struct {
	Merchant  anxin.Merchant
	Rules     anxin.RuleSet    // as stored, or as typed when refused
	Limits    anxin.RuleLimits // as stored, or as typed when refused (admin)
	OwnLimits bool             // the admin set this merchant's limits
	Admin     bool
	Error     error // the refusal of the form
	// Reasons is the returnless rule's reason words as typed.
	Reasons string
}

// LimitsURL is where the admin's limits form posts: the merchant's rules
// page, or the platform's default.
func (p RulesPage) LimitsURL() string {
	if p.Merchant.ID == 0 {
		return "/admin/rules"
	}
	return "/admin/merchants/" + p.Merchant.Code + "/rules"
}

// RuleName is a rule in the page's language.
func RuleName(ctx context.Context, k anxin.RuleKey) string { return T(ctx, "rule:"+string(k)) }

// RuleEventDetail says the rule behind an automatic decision.
func RuleEventDetail(ctx context.Context, k anxin.RuleKey) string {
	return Tf(ctx, "by the rule “%s”", RuleName(ctx, k))
}

// FieldError is the refusal's message when it is about the field (of the
// rule, for the per-buyer caps every rule has).
func (p RulesPage) FieldError(ctx context.Context, f anxin.Field, k anxin.RuleKey) string {
	if p.Admin || p.Error == nil || anxin.ErrorField(p.Error) != f {
		return ""
	}
	if f == anxin.FieldRulePerBuyer && k != "" {
		var e *anxin.Error
		if errors.As(p.Error, &e) && len(e.Args) > 1 && e.Args[1] != k {
			return ""
		}
	}
	return ErrorText(ctx, p.Error)
}

// LimitError is the refusal's message of the admin's limits form when it
// is about the field.
func (p RulesPage) LimitError(ctx context.Context, f anxin.Field) string {
	if !p.Admin || p.Error == nil || anxin.ErrorField(p.Error) != f {
		return ""
	}
	return ErrorText(ctx, p.Error)
}

// ruleHelp says what a rule does.
func ruleHelp(ctx context.Context, k anxin.RuleKey) string {
	switch k {
	case anxin.RuleRefundUnshipped:
		return T(ctx, "Refunds a claim on an order not yet shipped.")
	case anxin.RuleApproveReturn:
		return T(ctx, "Approves the return and sends the buyer the default return address.")
	case anxin.RuleReturnless:
		return T(ctx, "Refunds without asking the goods back, for the services chosen.")
	case anxin.RuleReceiveOnSigned:
		return T(ctx, "When the carrier reports the return delivered, receipt is confirmed and the refund paid.")
	case anxin.RuleRefundOnReceipt:
		return T(ctx, "When the carrier reports the return delivered, the refund is paid without inspection.")
	}
	return ""
}

// OtherError is the refusal's message when no field shows it.
func (p RulesPage) OtherError(ctx context.Context) string {
	if p.Error == nil || anxin.ErrorField(p.Error) != "" {
		return ""
	}
	return ErrorText(ctx, p.Error)
}

// Chose reports whether the returnless rule covers the service.
func (p RulesPage) Chose(s anxin.ServiceKey) bool {
	for _, k := range p.Rules.Rule(anxin.RuleReturnless).Services {
		if k == s {
			return true
		}
	}
	return false
}

// ReasonWords is the returnless rule's words as the form shows them.
func (p RulesPage) ReasonWords() string {
	if p.Reasons != "" || p.Error != nil {
		return p.Reasons
	}
	return strings.Join(p.Rules.Rule(anxin.RuleReturnless).Reasons, "，")
}

func yuanValue(fen int64) string { return yuan(fen) }

func hoursValue(d time.Duration) string { return strconv.Itoa(int(d / time.Hour)) }

// Limit says a limit next to its field: "上限 ¥100.00".
func Limit(ctx context.Context, fen int64) string { return Tf(ctx, "limit %s", Money(fen)) }

// CapLimit says the caps' limit next to a cap field.
func CapLimit(ctx context.Context, n int) string { return Tf(ctx, "at most %d", n) }

// rulesDetail says a set_rules audit entry (the rule set as JSON) in words.
func rulesDetail(ctx context.Context, d string) (string, bool) {
	var rs anxin.RuleSet
	if json.Unmarshal([]byte(d), &rs) != nil {
		return "", false
	}
	var parts []string
	ir := rs.Instant
	if ir.Enabled {
		parts = append(parts, Tf(ctx, "instant refund up to %s", Money(ir.MaxFen)))
	} else {
		parts = append(parts, Tf(ctx, "instant refund: %s", T(ctx, "off")))
	}
	for _, r := range rs.Rules {
		if !r.On {
			parts = append(parts, Tf(ctx, "%s: %s", RuleName(ctx, r.Key), T(ctx, "off")))
			continue
		}
		var what []string
		switch r.Key {
		case anxin.RuleRefundUnshipped:
			what = append(what, Tf(ctx, "up to %s", Money(r.MaxFen)))
		case anxin.RuleReturnless:
			what = append(what, Tf(ctx, "up to %s", Money(r.MaxFen)))
			var names []string
			for _, s := range r.Services {
				names = append(names, ServiceName(ctx, s))
			}
			what = append(what, strings.Join(names, "、"))
			if len(r.Reasons) > 0 {
				what = append(what, Tf(ctx, "reasons: %s", strings.Join(r.Reasons, "、")))
			}
		case anxin.RuleReceiveOnSigned:
			if r.After > 0 {
				what = append(what, Tf(ctx, "after %s", HumanDur(ctx, r.After)))
			} else {
				what = append(what, T(ctx, "at once"))
			}
		}
		what = append(what, Tf(ctx, "%d per buyer in 30 days", r.PerBuyer))
		parts = append(parts, Tf(ctx, "%s: %s", RuleName(ctx, r.Key), strings.Join(what, "，")))
	}
	return strings.Join(parts, "；"), true
}

// limitsDetail says a set_rule_limits audit entry (the limits as JSON).
func limitsDetail(ctx context.Context, d string) (string, bool) {
	var l anxin.RuleLimits
	if json.Unmarshal([]byte(d), &l) != nil {
		return "", false
	}
	return Tf(ctx, "unshipped refunds up to %s; returnless refunds up to %s; instant refund up to %s; at most %d per buyer in 30 days",
		Money(l.UnshippedMaxFen), Money(l.ReturnlessMaxFen), Money(l.InstantMaxFen), l.PerBuyerMax), true
}

func init() {
	auditActions = append(auditActions, "set_rules", "set_rule_limits")
	for k, v := range rulesErrorZH {
		errorZH[k] = v
	}
	addZH(rulesZH)
	addEN(rulesEN)
}

var rulesErrorZH = map[anxin.Msg]string{
	anxin.MsgRuleAboveLimit:    "%s：%s 超过平台为本店设定的上限 %s",
	anxin.MsgRulePerBuyerRange: "%s（%s）：每位买家 30 天内可用 1 到 %d 次",
	anxin.MsgRuleAfterRange:    "%s：请填写 0 到 %d 小时",
	anxin.MsgRuleNoService:     "%s：请至少选择一项服务",
	anxin.MsgRuleService:       "%s：%s 不能自动仅退款",
	anxin.MsgRuleLimitRange:    "%s：上限不能为负，次数不能少于 1",
	anxin.MsgRuleTooManyWords:  "%s：最多 %d 个关键词",
	anxin.MsgFieldNotYuan:      "%s：金额须为元，例如 12.50",
	anxin.MsgFieldNotWhole:     "%s：请填写整数",
}

var rulesEN = map[string]string{
	"rule:" + string(anxin.RuleRefundUnshipped): "Refund unshipped orders",
	"rule:" + string(anxin.RuleApproveReturn):   "Approve 7-day no-reason returns",
	"rule:" + string(anxin.RuleReturnless):      "Refund without return",
	"rule:" + string(anxin.RuleReceiveOnSigned): "Confirm receipt when delivered",
	"rule:" + string(anxin.RuleRefundOnReceipt): "Refund as soon as the return is delivered",
	string(anxin.RuleScheduled):                 "Rule scheduled",
	"audit:set_rules":                           "changed the automatic rules",
	"audit:set_rule_limits":                     "changed the limits of automatic rules",

	"field:" + string(anxin.FieldRuleUnshippedMax):  "the unshipped refund amount",
	"field:" + string(anxin.FieldRuleReturnlessMax): "the returnless refund amount",
	"field:" + string(anxin.FieldRuleServices):      "the services",
	"field:" + string(anxin.FieldRuleReasons):       "the reason words",
	"field:" + string(anxin.FieldRuleReceiveAfter):  "the hours before receipt",
	"field:" + string(anxin.FieldRuleInstantMax):    "the instant refund amount",
	"field:" + string(anxin.FieldRulePerBuyer):      "the uses per buyer",
}

var rulesZH = map[string]string{
	"rule:" + string(anxin.RuleRefundUnshipped): "未发货自动退款",
	"rule:" + string(anxin.RuleApproveReturn):   "自动同意七天无理由退货",
	"rule:" + string(anxin.RuleReturnless):      "自动仅退款（无需退货）",
	"rule:" + string(anxin.RuleReceiveOnSigned): "签收后自动确认收货",
	"rule:" + string(anxin.RuleRefundOnReceipt): "退货签收即退款",
	string(anxin.RuleScheduled):                 "规则已排定",
	"audit:set_rules":                           "修改了自动化售后规则",
	"audit:set_rule_limits":                     "修改了自动化售后规则的上限",

	"field:" + string(anxin.FieldRuleUnshippedMax):  "未发货退款金额",
	"field:" + string(anxin.FieldRuleReturnlessMax): "仅退款金额",
	"field:" + string(anxin.FieldRuleServices):      "适用服务",
	"field:" + string(anxin.FieldRuleReasons):       "原因关键词",
	"field:" + string(anxin.FieldRuleReceiveAfter):  "确认收货前的小时数",
	"field:" + string(anxin.FieldRuleInstantMax):    "极速退款金额",
	"field:" + string(anxin.FieldRulePerBuyer):      "每位买家次数",

	"by the rule “%s”":                           "按规则「%s」处理",
	"the rule “%s” acts when the clock runs out": "按规则「%s」，到时自动处理",
	"Automatic rules":                            "自动化售后",
	"Your automatic rules":                       "本店自动化售后规则",
	"limit %s":                                   "上限 %s",
	"at most %d":                                 "最多 %d",
	"instant refund up to %s":                    "极速退款 %s 以内",
	"instant refund: %s":                         "极速退款：%s",
	"%s: %s":                                     "%s：%s",
	"up to %s":                                   "%s 以内",
	"reasons: %s":                                "原因：%s",
	"after %s":                                   "%s后",
	"at once":                                    "立即",
	"%d per buyer in 30 days":                    "每位买家 30 天 %d 次",
	"Rule limits":                                "规则上限",
	"Rule on":                                    "开启",
	"Services it covers":                         "适用服务",
	"Up to (yuan)":                               "金额上限（元）",
	"Uses per buyer in 30 days":                  "每位买家 30 天内次数",
	"Reason words (optional; any reason when empty)": "原因关键词（选填；留空则不限原因）",
	"Hours after delivery (0: at once)":              "签收后小时数（0 为立即）",
	"Every request on an unshipped order":            "未发货订单的申请一律极速退款",
	"Save the rules":                                 "保存规则",
	"Save the limits":                                "保存上限",
	"The platform's default applies.":                "当前适用平台默认上限。",
	"Set by the admin for this merchant.":            "管理员已为本店单独设定上限。",
	"unshipped refunds up to %s; returnless refunds up to %s; instant refund up to %s; at most %d per buyer in 30 days":                                                 "未发货退款 %s 以内；仅退款 %s 以内；极速退款 %s 以内；每位买家 30 天最多 %d 次",
	"Rules act for the store: the system decides in their name, and each decision names its rule on the ticket. Never for a buyer with an open dispute with the store.": "规则以本店名义自动处理：每个自动处理的工单都会在时间线上注明所用规则。买家与本店有未结纠纷（仲裁中）时不自动处理。",
	"Refunds a claim on an order not yet shipped.":                                             "订单未发货时，申请金额在上限内自动退款。",
	"Approves the return and sends the buyer the default return address.":                      "自动同意退货，并把默认退货地址发给买家。",
	"Refunds without asking the goods back, for the services chosen.":                          "所选服务的申请在上限内自动退款，无需退货。",
	"When the carrier reports the return delivered, receipt is confirmed and the refund paid.": "物流显示退货已签收后，自动确认收货并退款。",
	"When the carrier reports the return delivered, the refund is paid without inspection.":    "物流显示退货已签收，即自动退款，不再验货。",
	"Unshipped refunds up to (yuan)":                                                           "未发货退款上限（元）",
	"Returnless refunds up to (yuan)":                                                          "仅退款上限（元）",
	"Instant refund up to (yuan)":                                                              "极速退款上限（元）",
	"Uses per buyer in 30 days, at most":                                                       "每位买家 30 天内最多次数",
	"Merchant's rules":                                                                         "商家的规则",
	"Platform default limits of automatic rules":                                               "自动化售后规则的平台默认上限",
	"They bound the rules of every merchant the admin set no limits for.":                      "未单独设定上限的商家，其规则受此上限约束。",
}

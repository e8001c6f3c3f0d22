package views

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// ErrorText says an error in the page's language. A domain error is said
// from its Msg and its values, never from its English text, so rewording
// the English cannot lose the Chinese. An error without a Msg (the HTTP
// API's own, in English) is said by its code; anything else is internal.
func ErrorText(ctx context.Context, err error) string {
	var h *anxin.AlreadyHandled
	var e *anxin.Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &h):
		return Tf(ctx, "Already handled by %s at %s (%s). The ticket is now %s.",
			ActorName(ctx, anxin.Actor{Name: h.By, Role: h.ByRole}), When(ctx, h.At), ActionName(ctx, h.Action), StateName(ctx, h.Ticket.State))
	case !errors.As(err, &e) || e.Code == anxin.EINTERNAL:
		return T(ctx, "Something went wrong")
	case e.Msg == "" && page(ctx).Lang == "en":
		return e.Message
	case e.Msg == "":
		return T(ctx, "code:"+e.Code)
	}
	format := e.Msg.English()
	if page(ctx).Lang != "en" {
		format = errorZH[e.Msg]
	}
	return fmt.Sprintf(format, errorArgs(ctx, e.Args)...)
}

// refusalText says why an action on a ticket was refused. The state
// machine's refusals are said plainly: the page shows what is possible.
func refusalText(ctx context.Context, err error) string {
	switch anxin.ErrorCode(err) {
	case anxin.ENOTALLOWED:
		return T(ctx, "this action is not possible in the ticket's current state")
	case anxin.EOVERREFUND:
		return T(ctx, "the amount exceeds what remains refundable")
	}
	return ErrorText(ctx, err)
}

// errorArgs says a message's values in the page's language.
func errorArgs(ctx context.Context, args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case anxin.State:
			out[i] = StateName(ctx, v)
		case anxin.Action:
			out[i] = ActionName(ctx, v)
		case anxin.Role:
			out[i] = RoleName(ctx, v)
		case anxin.ServiceKey:
			out[i] = ServiceName(ctx, v)
		case anxin.Settlement:
			out[i] = SettlementName(ctx, v)
		case anxin.WindowStart:
			out[i] = T(ctx, "window:"+string(v))
		case anxin.Fen:
			out[i] = Money(int64(v))
		case anxin.Field:
			out[i] = T(ctx, "field:"+string(v))
		case time.Duration:
			out[i] = HumanDur(ctx, v)
		case time.Time:
			out[i] = When(ctx, v)
		default:
			out[i] = v
		}
	}
	return out
}

func init() {
	addZH(map[string]string{
		"code:" + anxin.ECONFLICT:                  "操作冲突，请刷新后重试",
		"code:" + anxin.EFORBIDDEN:                 "无权执行此操作",
		"code:" + anxin.EINTERNAL:                  "出错了",
		"code:" + anxin.EINVALID:                   "输入无效",
		"code:" + anxin.ENOTFOUND:                  "未找到",
		"code:" + anxin.ENOTALLOWED:                "当前不允许此操作",
		"code:" + anxin.EOVERREFUND:                "金额超过剩余可退金额",
		"code:" + anxin.ECONFIRM:                   "请确认退款金额",
		"code:" + anxin.EOUTSIDEWINDOW:             "超出售后申请时限",
		"code:" + anxin.ENOTRECEIVED:               "订单尚未签收",
		"code:" + anxin.EALREADYSHIPPED:            "订单已发货",
		"code:" + anxin.ENOTOPTEDIN:                "商家未开通该服务",
		"code:" + anxin.EUNKNOWNSERVICE:            "未知的服务",
		"code:" + anxin.EUNKNOWNMERCHANT:           "商家不存在",
		"code:" + anxin.EUNAUTHORIZED:              "需要有效的 API 密钥",
		"code:" + anxin.EIDEMPOTENCYREUSED:         "Idempotency-Key 已用于其他请求",
		"code:" + anxin.EAMOUNTRANGE:               "金额超出范围",
		"field:" + string(anxin.FieldOrderID):      "订单号",
		"field:" + string(anxin.FieldProduct):      "商品",
		"field:" + string(anxin.FieldPaid):         "实付金额",
		"field:" + string(anxin.FieldRequested):    "申请金额",
		"field:" + string(anxin.FieldBuyerName):    "买家姓名",
		"field:" + string(anxin.FieldBuyerPhone):   "买家电话",
		"field:" + string(anxin.FieldReason):       "原因",
		"field:" + string(anxin.FieldTracking):     "运单号",
		"field:" + string(anxin.FieldNote):         "备注",
		"field:" + string(anxin.FieldMessage):      "消息",
		"field:" + string(anxin.FieldMacroTitle):   "标题",
		"field:" + string(anxin.FieldName):         "名称",
		"field:" + string(anxin.FieldMerchantName): "商家名称",
		"field:" + string(anxin.FieldOverride):     "例外理由",
		"window:" + string(anxin.FromReceipt):      "签收",
		"window:" + string(anxin.FromOrder):        "下单",
	})
	addEN(map[string]string{
		"window:" + string(anxin.FromReceipt):      "receipt",
		"window:" + string(anxin.FromOrder):        "the order",
		"field:" + string(anxin.FieldOrderID):      "the order number",
		"field:" + string(anxin.FieldProduct):      "the product",
		"field:" + string(anxin.FieldPaid):         "the amount paid",
		"field:" + string(anxin.FieldRequested):    "the amount claimed",
		"field:" + string(anxin.FieldBuyerName):    "the buyer's name",
		"field:" + string(anxin.FieldBuyerPhone):   "the buyer's phone",
		"field:" + string(anxin.FieldReason):       "the reason",
		"field:" + string(anxin.FieldTracking):     "the tracking number",
		"field:" + string(anxin.FieldNote):         "the note",
		"field:" + string(anxin.FieldMessage):      "the message",
		"field:" + string(anxin.FieldMacroTitle):   "the title",
		"field:" + string(anxin.FieldName):         "the name",
		"field:" + string(anxin.FieldMerchantName): "the merchant's name",
		"field:" + string(anxin.FieldOverride):     "the override",
	})
}

// errorZH is the Simplified Chinese of every message of the domain's
// catalog. Each takes the message's values in the English text's order,
// already in the page's words (errorArgs); %[n]s picks them out of order.
var errorZH = map[anxin.Msg]string{
	anxin.MsgTicketNotFound:     "未找到工单",
	anxin.MsgTicketFinished:     "工单 %s 已是“%s”，不能再处理",
	anxin.MsgNotPossibleNow:     "工单为“%[2]s”时不能%[1]s",
	anxin.MsgRoleMayNot:         "%s无权执行“%s”",
	anxin.MsgNotDueYet:          "工单 %s 要到 %s 才到期",
	anxin.MsgReasonRequired:     "请填写原因",
	anxin.MsgTrackingRequired:   "请填写运单号",
	anxin.MsgSlotRequired:       "请选择取件时间",
	anxin.MsgSlotInPast:         "取件时间不能早于现在",
	anxin.MsgConfirmRefund:      "请确认退款 %s",
	anxin.MsgNothingLeft:        "工单 %s 已无可退金额",
	anxin.MsgNegativeRefund:     "退款金额不能为负",
	anxin.MsgRefundExceeds:      "退款 %s 超过剩余可退金额 %s",
	anxin.MsgAlreadyRefunded:    "工单 %s 已有退款",
	anxin.MsgOnlyAgentsAssign:   "只有客服可以指派工单",
	anxin.MsgAssignToAgents:     "工单只能指派给客服",
	anxin.MsgChooseAssignee:     "请选择指派对象",
	anxin.MsgChooseAssignees:    "请选择指派对象",
	anxin.MsgUnknownBulkAction:  "未知的批量操作",
	anxin.MsgVersionMissing:     "页面未注明所显示的工单版本，请刷新页面后重试",
	anxin.MsgAmountNotYuan:      "金额须为元，例如 12.50",
	anxin.MsgSlotNotTime:        "取件时间格式不正确",
	anxin.MsgNoteEmpty:          "备注不能为空",
	anxin.MsgRefundNotFound:     "未找到退款记录",
	anxin.MsgPageNotForRole:     "%s账号不能访问此页面",
	anxin.MsgNotFound:           "未找到",
	anxin.MsgServiceNotFound:    "未找到该服务",
	anxin.MsgDeliveryNotFound:   "未找到该推送记录",
	anxin.MsgDeliveryNotGivenUp: "只有已放弃的推送才能重试",
	anxin.MsgWebhookNotFound:    "未找到该 Webhook",
	anxin.MsgAPIKeyNotFound:     "未找到该 API 密钥",
	anxin.MsgUnknownService:     "未知的服务 %q",
	anxin.MsgUnknownMerchant:    "商家不存在",
	anxin.MsgUnknownMerchantKey: "商家 %q 不存在",

	anxin.MsgOrderIDRequired:       "请填写订单号",
	anxin.MsgProductRequired:       "请填写商品",
	anxin.MsgPaidNotPositive:       "实付金额须大于零",
	anxin.MsgOrderTimeRequired:     "请填写下单时间",
	anxin.MsgShippedBeforeOrdered:  "发货时间不能早于下单时间",
	anxin.MsgReceivedBeforeShipped: "订单须先发货才能签收",
	anxin.MsgNotOptedIn:            "商家未开通%[1]s",
	anxin.MsgAlreadyShipped:        "%s仅限发货前申请；该订单已于 %s 发货",
	anxin.MsgNotReceived:           "%s的申请时限从签收起算，该订单尚未签收",
	anxin.MsgBeforeWindow:          "申请时间早于售后时限的起点",
	anxin.MsgOutsideWindow:         "%[1]s须在%[3]s后%[2]s内申请，本次申请距%[3]s已过%[4]s",
	anxin.MsgPhoneRequired:         "请填写买家手机号",
	anxin.MsgPriceDifference:       "价保申请须填写差价金额",
	anxin.MsgClaimExceeds:          "申请金额 %s 超过该服务最多可赔付的 %s",

	anxin.MsgWindowRange:          "申请时限须在 1 分钟到 365 天之间",
	anxin.MsgClockRange:           "商家处理时限须在 1 小时到 30 天之间",
	anxin.MsgEvidenceMinRange:     "所需照片须在 0 到 9 张之间",
	anxin.MsgNumberNeeded:         "请填写数字",
	anxin.MsgMerchantCode:         "商家编码为 2-32 位小写字母、数字、- 或 _",
	anxin.MsgMerchantNameRequired: "请填写商家名称",
	anxin.MsgMerchantCodeTaken:    "商家编码 %q 已存在",
	anxin.MsgMerchantNotFound:     "未找到该商家",
	anxin.MsgInstantNegative:      "极速退款金额上限不能为负",
	anxin.MsgBadEmail:             "%q 不是有效的邮箱地址",
	anxin.MsgNameRequired:         "请填写姓名",
	anxin.MsgBadRole:              "角色无效：%q",
	anxin.MsgMerchantUser:         "商家用户必须属于一个商家，其他角色不能属于商家",
	anxin.MsgEmailTaken:           "邮箱 %s 已被使用",
	anxin.MsgUserNotFound:         "未找到该用户",
	anxin.MsgPasswordTooShort:     "密码至少 %d 位",
	anxin.MsgPasswordTooLong:      "密码最多 %d 字节（%d 个字母或数字，%d 个汉字）",
	anxin.MsgPasswordIsEmail:      "密码不能与邮箱地址相同",
	anxin.MsgPasswordRepeated:     "密码不能是同一个字符的重复",
	anxin.MsgPasswordsDiffer:      "两次输入的新密码不一致",
	anxin.MsgWrongPassword:        "当前密码不正确",
	anxin.MsgBadLogin:             "邮箱或密码错误",
	anxin.MsgDisableSelf:          "不能停用自己",
	anxin.MsgOwnAdminRole:         "不能取消自己的管理员角色",
	anxin.MsgWebhookURL:           "Webhook 地址须为 http 或 https URL，且不含用户名密码",
	anxin.MsgWebhookPrivate:       "Webhook 地址的主机 %s 位于本机或内网：此类地址需在启动时加 --allow-private-webhooks",
	anxin.MsgWebhookSecret:        "签名密钥至少 %d 个字符",
	anxin.MsgNoEvents:             "请至少选择一个事件",
	anxin.MsgUnknownEvent:         "未知的 Webhook 事件 %q",
	anxin.MsgAPIKeyName:           "API 密钥名称须为 1 到 64 个字符",
	anxin.MsgKeyScope:             "请选择密钥代表谁：某一个商家，或全部商家",
	anxin.MsgTextTooLong:          "%s 最多 %d 个字",
	anxin.MsgTextControl:          "%s 不能包含控制字符",
	anxin.MsgTextBidi:             "%s 不能包含改变文字显示顺序的字符（双向覆盖字符）",
	anxin.MsgTextInvalid:          "%s 不是有效的 UTF-8 文本",
	anxin.MsgAmountRange:          "%s 的金额 %s 超出范围：金额须在 0 到 %s 之间",

	anxin.MsgPhotoNotFound:       "未找到该照片",
	anxin.MsgPhotoErased:         "该照片已按保留期限删除",
	anxin.MsgPhotoSizeNotFound:   "未找到该照片尺寸",
	anxin.MsgPhotoParty:          "只有买家一方和商家可以上传照片。",
	anxin.MsgNotOnChecklist:      "该清单项不属于此服务。",
	anxin.MsgPhotoTicketFinished: "工单已结束，不能再添加照片。",
	anxin.MsgPhotoLimit:          "该方在本工单上传的照片已达上限。",
	anxin.MsgPhotoDuplicate:      "该照片已在本工单中。",
	anxin.MsgPhotoEmpty:          "文件为空。",
	anxin.MsgPhotoTooLarge:       "文件超过单张照片的大小上限。",
	anxin.MsgPhotoTooManyPixels:  "图片像素超过上限。",
	anxin.MsgPhotoHEIC:           "不支持 HEIC 和 AVIF 格式：请将相机格式设为“兼容性最佳”（JPEG），或先转换照片格式。",
	anxin.MsgPhotoGIF:            "不支持 GIF 图片：请上传 JPEG、PNG 或 WebP 照片。",
	anxin.MsgPhotoMarkup:         "该文件是网页或矢量图（HTML 或 SVG），不是照片。",
	anxin.MsgPhotoNotPhoto:       "该文件不是照片：仅支持 JPEG、PNG 和 WebP。",
	anxin.MsgPhotoTruncated:      "照片不完整：文件被截断。",
	anxin.MsgPhotoTrailing:       "图片之后附带了其他数据（如网页或脚本）：只接受照片本身。",
	anxin.MsgPhotoMotion:         "这是附带视频的动态照片：请以静态照片分享。",
	anxin.MsgPhotoAnimated:       "不支持动图：请上传静态照片。",
	anxin.MsgPhotoDamaged:        "照片已损坏，无法读取。",

	anxin.MsgMessageEmpty:        "消息不能为空",
	anxin.MsgMessagePhotos:       "一条消息最多附 %d 张照片",
	anxin.MsgMessagePhotosBuyer:  "只有买家的消息可以附照片",
	anxin.MsgMessagePhotoUnknown: "照片须是该工单上买家的凭证，并以编号指明",
	anxin.MsgMacroUnfilled:       "发送前请填写 %s：该工单没有这一项的内容",
	anxin.MsgMacroTitleRequired:  "请填写快捷回复的标题",
	anxin.MsgMacroUnknownVar:     "%s 不是可用的变量；可用 {buyer}、{product}、{amount}、{deadline}、{return_address} 或 {ticket}",
	anxin.MsgMacroAction:         "快捷回复不能执行“%s”；只能同意、拒绝或要求补充凭证",
	anxin.MsgMacroNotFound:       "未找到该快捷回复",
	anxin.MsgViewQuery:           "这不是工单队列的视图",
	anxin.MsgTooManyViews:        "最多保存 %d 个视图，请先删除一个",
	anxin.MsgOfferLimit:          "本工单已协商 %d 次，不能再提出",
	anxin.MsgOfferNotPositive:    "协商金额须大于 ¥0",
	anxin.MsgOfferNotLower:       "协商金额 %s 须低于买家申请的 %s",
	anxin.MsgOfferNeedsText:      "请填写给买家的协商说明",
	anxin.MsgOfferClockRange:     "买家答复协商的时限须在 1 小时到 7 天之间",
	anxin.MsgMaxOffersRange:      "每单协商次数须在 0 到 9 次之间",
}

package views

import (
	"context"
	"strings"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// ReturnsView is what the ticket page shows of the goods' return: the
// address the buyer was sent, the merchant's book to send another from,
// the parcels with the carrier's reports, the 运费险 payout, and the pickup
// slots the buyer may still book.
type ReturnsView struct {
	Address   anxin.TicketAddress // TicketID 0: none sent
	Book      []anxin.ReturnAddress
	Shipments []anxin.Shipment
	Postage   anxin.PostageLine // ID 0: none
	Slots     []anxin.Slot
	// KeepsBook: the viewer keeps the merchant's address book (the
	// merchant's people, the admins), and is sent there to add one.
	KeepsBook bool
	// BookURL is the page of the merchant's address book for the viewer.
	BookURL string
}

// ShowsReturn reports whether the ticket has anything of a return to show:
// its service takes the goods back, or it has parcels or a payout.
func (p TicketPage) ShowsReturn() bool {
	r := p.Returns
	return p.Policy.NeedsReturn || r.Address.TicketID != 0 || len(r.Shipments) > 0 || r.Postage.ID != 0
}

// AwaitsAddress reports whether the buyer is to send the goods back and no
// address was sent: the page warns of it.
func (p TicketPage) AwaitsAddress() bool {
	return p.Ticket.MayChangeAddress() && p.Returns.Address.TicketID == 0
}

// AddressLine writes an address with its phone masked, as pages show phones.
func AddressLine(a anxin.ReturnAddress) string {
	a.Phone = MaskAddressPhone(a.Phone)
	return a.Line()
}

// MaskAddressPhone masks a mobile as MaskPhone does, and a landline
// (0571-88886666) keeping its area code and last four digits: 0571-****6666.
func MaskAddressPhone(p string) string {
	area, number, ok := strings.Cut(p, "-")
	if !ok || len(number) < 5 {
		return MaskPhone(p)
	}
	if ext := strings.Index(number, "-"); ext >= 0 {
		number = number[:ext] // the extension is no one's business either
	}
	return area + "-" + strings.Repeat("*", max(len(number)-4, 0)) + number[max(len(number)-4, 0):]
}

// SlotValue is a pickup slot as the form posts it: its start in the display
// zone, as a datetime-local value.
func SlotValue(ctx context.Context, s anxin.Slot) string {
	return s.Start.In(page(ctx).Zone).Format("2006-01-02T15:04")
}

// SlotText is a pickup slot in the page's words and zone: 11-27 周五 11:00–13:00.
func SlotText(ctx context.Context, start, end time.Time) string {
	z := page(ctx).Zone
	s, e := start.In(z), end.In(z)
	return s.Format("01-02") + " " + T(ctx, "weekday:"+s.Weekday().String()) + " " + s.Format("15:04") + "–" + e.Format("15:04")
}

// PickupSlotText is a booked slot (its start) with the slot's length.
func (p TicketPage) PickupSlotText(ctx context.Context, start time.Time) string {
	return SlotText(ctx, start, start.Add(p.Policy.Pickup.SlotLength))
}

// ShipmentName says what a parcel is for.
func ShipmentName(ctx context.Context, sh anxin.Shipment) string {
	return T(ctx, "shipment:"+string(sh.Kind))
}

// ShipStatusName is a carrier's report in the page's words.
func ShipStatusName(ctx context.Context, s anxin.ShipStatus) string {
	if s == "" {
		return T(ctx, "no report yet")
	}
	return T(ctx, "ship:"+string(s))
}

// LineKindName names a refund line.
func LineKindName(ctx context.Context, k anxin.RefundLineKind) string {
	return T(ctx, "line:"+string(k))
}

// MethodName says how a return travels.
func MethodName(ctx context.Context, m anxin.ShipMethod) string { return T(ctx, "method:"+string(m)) }

// slotDetail is a pickup booking's timeline detail (its start, stored in
// UTC) in the page's zone.
func slotDetail(ctx context.Context, detail string) string {
	start, err := time.Parse(time.RFC3339, detail)
	if err != nil {
		return detail
	}
	return SlotText(ctx, start, start.Add(anxin.DefaultPickupRules().SlotLength))
}

// AddressesPage is a merchant's return address book: the merchant's own
// settings page, or an admin's page of the merchant.
type AddressesPage struct {
	Merchant  anxin.Merchant
	Addresses []anxin.ReturnAddress
	BaseURL   string              // /settings/addresses or /admin/merchants/CODE/addresses
	Form      anxin.ReturnAddress // the address being added or edited, kept on a refusal
	Error     error               // the refusal of the form
	Admin     bool
}

// FieldError is the refusal's message when it is about the field, for the
// form to show next to it.
func (p AddressesPage) FieldError(ctx context.Context, f anxin.Field) string {
	if p.Error == nil || anxin.ErrorField(p.Error) != f {
		return ""
	}
	return ErrorText(ctx, p.Error)
}

// OtherError is the refusal's message when it is about no field of the form.
func (p AddressesPage) OtherError(ctx context.Context) string {
	switch anxin.ErrorField(p.Error) {
	case anxin.FieldAddressName, anxin.FieldAddressPhone, anxin.FieldAddressRegion, anxin.FieldAddressStreet:
		return ""
	}
	return ErrorText(ctx, p.Error)
}

func init() {
	auditActions = append(auditActions, "add_address", "update_address", "default_address", "delete_address")
	for k, v := range logisticsErrorZH {
		errorZH[k] = v
	}
	addZH(logisticsZH)
	addEN(logisticsEN)
}

var logisticsErrorZH = map[anxin.Msg]string{
	anxin.MsgFieldRequired:       "请填写%s",
	anxin.MsgFieldChoice:         "%s：%q 不是可选值（%s）",
	anxin.MsgReportInFuture:      "%s：物流事件时间不能晚于现在",
	anxin.MsgSlotShape:           "%s：上门取件时段为每段 %s，从 %s 到 %s",
	anxin.MsgSlotTooSoon:         "%s：须在时段结束前至少 %s 预约",
	anxin.MsgSlotTooFar:          "%s：最多可预约 %d 天后的时段",
	anxin.MsgSlotOutsideWindow:   "%s：取件时段须在 %s 之前结束，届时买家的退货期限截止",
	anxin.MsgPhoneFormat:         "%s：请填写 11 位手机号，或带区号的座机号（如 0571-88886666）",
	anxin.MsgNoReturnAddress:     "商家还没有退货地址，无法发给买家：请先在“退货地址”设置中添加",
	anxin.MsgAddressNotFound:     "未找到该退货地址",
	anxin.MsgAddressDefaultLast:  "请先将其他地址设为默认，再删除此地址",
	anxin.MsgAddressTooMany:      "每个商家最多保存 %d 个退货地址",
	anxin.MsgAddressAfterShipped: "退货地址已不能更改：工单为“%s”",
	anxin.MsgPostagePaid:         "订单 %s 的退货运费已在 %s 赔付：运费险每个订单只赔一次",
}

var logisticsEN = map[string]string{
	"received":         "Received, awaiting inspection",
	"return_overdue":   "Return overdue (refunded ahead)",
	"return_delivered": "Return delivered",
	"refund_ahead":     "Refunded ahead of the return",
	"write_off":        "Write the return off",
	"postage_merged":   "Paid with the return",
	"address_sent":     "Return address sent",
	"send_address":     "Sending the return address",
	"postage_paid":     "Postage paid (运费险)",
	"postage_failed":   "Postage payment failed",
	"postage_retried":  "Postage payment retried",

	"timeout:raise_return": "raise the missing return to the merchant",

	"alert:return_overdue":     "the return refunded ahead was not received in time",
	"alert:no_return_address":  "a return was approved and there is no return address to send",
	"alert:shipment_exception": "the carrier reported a problem with a parcel",

	"field:" + string(anxin.FieldDirection):     "direction",
	"field:" + string(anxin.FieldCarrier):       "the carrier",
	"field:" + string(anxin.FieldStatus):        "status",
	"field:" + string(anxin.FieldAt):            "the time",
	"field:" + string(anxin.FieldSlot):          "the pickup slot",
	"field:" + string(anxin.FieldAddressName):   "the recipient",
	"field:" + string(anxin.FieldAddressPhone):  "the phone",
	"field:" + string(anxin.FieldAddressRegion): "the region",
	"field:" + string(anxin.FieldAddressStreet): "the street address",

	"shipment:return":      "Buyer's return",
	"shipment:replacement": "Replacement",
	"shipment:reship":      "Reship",
	"ship:picked_up":       "picked up",
	"ship:in_transit":      "in transit",
	"ship:delivered":       "delivered",
	"ship:exception":       "exception",
	"line:goods":           "Refund",
	"line:postage":         "Return postage (运费险)",
	"method:self":          "self-shipped",
	"method:pickup":        "doorstep pickup",

	"weekday:Monday":    "Mon",
	"weekday:Tuesday":   "Tue",
	"weekday:Wednesday": "Wed",
	"weekday:Thursday":  "Thu",
	"weekday:Friday":    "Fri",
	"weekday:Saturday":  "Sat",
	"weekday:Sunday":    "Sun",

	"audit:add_address":     "added a return address",
	"audit:update_address":  "changed a return address",
	"audit:default_address": "changed the default return address",
	"audit:delete_address":  "deleted a return address",
}

var logisticsZH = map[string]string{
	"received":         "已签收，待验货",
	"return_overdue":   "退货逾期（已先行退款）",
	"return_delivered": "退货已签收",
	"refund_ahead":     "极速退款（先退款后退货）",
	"write_off":        "放弃追回退货",
	"postage_merged":   "随退货赔付",
	"address_sent":     "已发送退货地址",
	"send_address":     "发送退货地址",
	"postage_paid":     "运费险已赔付",
	"postage_failed":   "运费险赔付失败",
	"postage_retried":  "运费险重新赔付",

	"timeout:raise_return": "退货未到，提醒商家处理",

	"alert:return_overdue":     "极速退款的退货未按时收到",
	"alert:no_return_address":  "退货已同意，但没有可发给买家的退货地址",
	"alert:shipment_exception": "快递报告包裹异常",

	"field:" + string(anxin.FieldDirection):     "方向",
	"field:" + string(anxin.FieldCarrier):       "快递公司",
	"field:" + string(anxin.FieldStatus):        "状态",
	"field:" + string(anxin.FieldAt):            "时间",
	"field:" + string(anxin.FieldSlot):          "取件时段",
	"field:" + string(anxin.FieldAddressName):   "收件人",
	"field:" + string(anxin.FieldAddressPhone):  "电话",
	"field:" + string(anxin.FieldAddressRegion): "所在地区",
	"field:" + string(anxin.FieldAddressStreet): "详细地址",

	"shipment:return":      "买家退货",
	"shipment:replacement": "换货新品",
	"shipment:reship":      "补发",
	"ship:picked_up":       "已揽收",
	"ship:in_transit":      "运输中",
	"ship:delivered":       "已签收",
	"ship:exception":       "异常",
	"line:goods":           "退款",
	"line:postage":         "退货运费（运费险）",
	"method:self":          "买家自寄",
	"method:pickup":        "上门取件",

	"weekday:Monday":    "周一",
	"weekday:Tuesday":   "周二",
	"weekday:Wednesday": "周三",
	"weekday:Thursday":  "周四",
	"weekday:Friday":    "周五",
	"weekday:Saturday":  "周六",
	"weekday:Sunday":    "周日",

	"audit:add_address":     "添加了退货地址",
	"audit:update_address":  "修改了退货地址",
	"audit:default_address": "更改了默认退货地址",
	"audit:delete_address":  "删除了退货地址",

	"Return and logistics":            "退货与物流",
	"Return address":                  "退货地址",
	"Return addresses":                "退货地址",
	"No return address was sent yet.": "尚未发送退货地址。",
	"sent %s by %s":                   "%s 由 %s 发送",
	"Send this address to the buyer":  "将此地址发给买家",
	"Send another address":            "改发其他地址",
	"(default)":                       "（默认）",
	"The buyer has no address to send the goods back to.":   "买家还没有可寄回商品的地址。",
	"Add a return address":                                  "添加退货地址",
	"Ask the merchant or an admin to add a return address.": "请商家或管理员添加退货地址。",
	"Parcels":                   "包裹",
	"No parcel yet.":            "暂无包裹。",
	"Carrier":                   "快递公司",
	"Tracking number":           "运单号",
	"Pickup slot":               "取件时段",
	"no report yet":             "暂无物流信息",
	"not collected yet":         "尚未揽收",
	"Settlement":                "结算",
	"Nothing paid yet.":         "尚未支付。",
	"capped at %s":              "上限 %s",
	"Retry the postage payment": "重新发起运费赔付",
	"Refunded ahead of the return (极速退款): the buyer still owes the goods back.":                                                                                        "已极速退款（先退款后退货）：买家仍须寄回商品。",
	"Known risk of instant refunds: the goods refunded ahead were not received by their deadline. Take them if they arrive, or write them off; an agent may escalate.": "极速退款的已知风险：先行退款的商品未在期限内收到。商品到达后可确认收货，或放弃追回；客服可升级仲裁。",
	"Carrier (optional)":                            "快递公司（选填）",
	"No slot left before the return window closes.": "退货期限截止前已无可预约的时段。",
	"logistics":             "物流",
	"Your return addresses": "我的退货地址",
	"Approving a return sends the buyer the default address. A ticket keeps the address it sent: editing here does not change it.": "同意退货时会把默认地址发给买家。工单保留当时发送的地址：在此修改不会改变已发送的地址。",
	"No return address yet: approving a return is refused until there is one.":                                                     "还没有退货地址：添加之前无法同意退货。",
	"Recipient":                          "收件人",
	"Region (province, city, district)":  "所在地区（省、市、区）",
	"Street address":                     "详细地址",
	"Make it the default":                "设为默认",
	"Default":                            "默认",
	"Add the address":                    "添加地址",
	"Save the address":                   "保存地址",
	"Edit the address":                   "编辑地址",
	"Mobile, or landline with area code": "手机号，或带区号的座机号",
	"Contact phone":                      "联系电话",
	"A return's postage (运费险) is to be paid (for the payment system)": "退货运费（运费险）待赔付（供支付系统）",
	"A return's postage (运费险) was paid":                               "退货运费（运费险）已赔付",
	"A return's postage (运费险) payment failed":                         "退货运费（运费险）赔付失败",
}

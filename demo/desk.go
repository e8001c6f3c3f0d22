package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// desk adds what the agents' desk does: a spoiled-fresh claim taken on the
// phone 30 hours after receipt, accepted outside its window with the
// agent's reason (on the timeline and in the audit log), and a dispute ruled
// for the buyer with a partial amount (部分裁决).
func (d *demo) desk(ctx context.Context) (int, error) {
	var fresh anxin.Merchant
	for mi, dm := range demoMerchants {
		for _, svc := range dm.services {
			if svc == anxin.FreshSpoiled && fresh.ID == 0 {
				fresh = d.merchants[mi]
			}
		}
	}
	if fresh.ID == 0 {
		return 0, nil
	}
	agent := d.agents[0]
	d.clock.Set(d.now.Add(-3 * time.Hour))
	now := d.clock.Now()
	received := now.Add(-30 * time.Hour)
	claim := anxin.Claim{Service: anxin.FreshSpoiled, Actor: agent, BuyerName: "周先生", BuyerPhone: "13712345678",
		Reason: "荔枝到货时已经发酸，部分霉变", RequestedFen: 12800,
		Order: anxin.Order{ID: "DY-PHONE-0301", Product: "增城挂绿荔枝 5斤", PaidFen: 12800,
			OrderedAt: received.Add(-50 * time.Hour), ShippedAt: received.Add(-30 * time.Hour), ReceivedAt: received},
		Override: "买家来电：签收当天已拍照，次日才打通客服电话；照片时间可证明"}
	if _, _, err := d.s.EnterClaim(ctx, fresh.Code, claim); err != nil {
		return 0, fmt.Errorf("demo override claim: %w", err)
	}

	// A dispute: rejected, appealed, ruled for the buyer in part.
	claim.Order.ID, claim.Override, claim.Reason = "DY-ARB-0302", "", "部分荔枝霉变，要求全额退款"
	claim.Order.ReceivedAt = now.Add(-2 * time.Hour)
	claim.Order.ShippedAt = claim.Order.ReceivedAt.Add(-30 * time.Hour)
	claim.Order.OrderedAt = claim.Order.ShippedAt.Add(-20 * time.Hour)
	claim.Actor = anxin.Buyer()
	claim.MerchantID = fresh.ID
	t, err := d.s.CreateTicket(ctx, claim)
	if err != nil {
		return 0, fmt.Errorf("demo dispute: %w", err)
	}
	for _, dec := range []anxin.Decision{
		{Action: anxin.Reject, Actor: d.staff[fresh.ID], Reason: "仅少量霉变，不同意全额退款"},
		{Action: anxin.Appeal, Actor: anxin.Buyer(), Reason: "商家拒绝退款"},
		{Action: anxin.RuleForBuyer, Actor: agent, AmountFen: 6400, Reason: "约一半果实霉变，按比例退款"},
	} {
		d.clock.Advance(20 * time.Minute)
		dec.Version = t.Version
		if t, err = d.s.Decide(ctx, t.ID, dec); err != nil {
			return 0, fmt.Errorf("demo dispute %s: %w", dec.Action, err)
		}
	}
	return 2, nil
}

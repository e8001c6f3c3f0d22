// Package demo fills an empty database with demo data: five merchants, their
// logins and agents', and a few hundred tickets in every state, walked through
// real decisions on a moving clock. `anxin seed --demo` and `anxin serve
// --demo` use it; nothing else does.
package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/disintegration/imaging"
)

// Password is the password of every demo login.
const Password = "anxin-demo-2026"

// Login is one of the demo accounts that `make run` prints.
type Login struct {
	Role     anxin.Role
	Email    string
	Name     string
	Merchant string // code, for merchant users
}

// logins are the demo accounts: one admin, two agents, one per merchant.
var logins = []Login{
	{anxin.RoleAdmin, "admin@anxin.demo", "系统管理员", ""},
	{anxin.RoleAgent, "agent1@anxin.demo", "王晓", ""},
	{anxin.RoleAgent, "agent2@anxin.demo", "陈静", ""},
	{anxin.RoleMerchant, "flowers@anxin.demo", "斗南花卉·小李", "dounan-flowers"},
	{anxin.RoleMerchant, "liquor@anxin.demo", "茅乡名酒·周经理", "maoxiang-liquor"},
	{anxin.RoleMerchant, "apparel@anxin.demo", "虎门服装·阿梅", "humen-apparel"},
	{anxin.RoleMerchant, "beauty@anxin.demo", "玉颜美妆·林娜", "yuyan-beauty"},
	{anxin.RoleMerchant, "home@anxin.demo", "义乌优品·老陈", "yiwu-home"},
}

// Logins lists the demo accounts: one admin, two agents, one per merchant.
func Logins() []Login { return slices.Clone(logins) }

type demoProduct struct {
	name string
	fen  int64
	hue  float64 // the colour of its photos
}

type demoMerchant struct {
	code, name string
	optIn      []anxin.ServiceKey
	services   []anxin.ServiceKey
	products   []demoProduct
	dailyBase  int  // orders a day, the return rate's denominator
	fast       bool // decides within minutes
}

var demoMerchants = []demoMerchant{
	{code: "dounan-flowers", name: "昆明斗南鲜花园艺", dailyBase: 6,
		services: []anxin.ServiceKey{anxin.FreshSpoiled, anxin.FreshSpoiled, anxin.Damaged, anxin.UnshippedRefund, anxin.PriceProtect},
		products: []demoProduct{{"云南鲜切玫瑰 卡罗拉 20枝", 8990, 350}, {"向日葵鲜花束 10枝", 6800, 48},
			{"多头康乃馨 30枝 母亲节款", 7590, 330}, {"进口绣球鲜花 5枝", 12900, 220}}},
	{code: "maoxiang-liquor", name: "贵州茅乡名酒行", dailyBase: 4,
		services: []anxin.ServiceKey{anxin.Authentic, anxin.Damaged, anxin.UnshippedRefund, anxin.PriceProtect, anxin.NoReason7d, anxin.ShippingInsurance},
		products: []demoProduct{{"飞天茅台 53度 500ml", 149900, 5}, {"五粮液 第八代 52度 500ml", 109900, 30},
			{"国窖1573 52度 500ml", 99900, 15}, {"汾酒 青花30 53度 500ml", 79900, 200}}},
	{code: "humen-apparel", name: "东莞虎门服装厂", dailyBase: 2,
		services: []anxin.ServiceKey{anxin.NoReason7d, anxin.NoReason7d, anxin.QualityReturn, anxin.ShippingInsurance, anxin.UnshippedRefund, anxin.PriceProtect},
		products: []demoProduct{{"女士双面羊绒大衣 驼色 M", 45900, 30}, {"纯棉圆领T恤 白色 XL", 6900, 210},
			{"高腰直筒牛仔裤 蓝色 27", 15900, 225}, {"男士加厚卫衣 灰色 L", 12900, 0}}},
	{code: "yuyan-beauty", name: "玉颜美妆旗舰店", dailyBase: 5, fast: true,
		optIn:    []anxin.ServiceKey{anxin.BeautyAllergy},
		services: []anxin.ServiceKey{anxin.BeautyAllergy, anxin.BeautyAllergy, anxin.Authentic, anxin.NoReason7d, anxin.QualityReturn},
		products: []demoProduct{{"玻尿酸修护精华液 30ml 礼盒装", 149000, 320}, {"积雪草舒缓修护面霜 50g", 36800, 120},
			{"清透防晒乳 SPF50+ 60ml", 12900, 50}, {"氨基酸洁面乳 120g", 8900, 180}}},
	{code: "yiwu-home", name: "义乌优品家居百货", dailyBase: 7,
		services: []anxin.ServiceKey{anxin.Damaged, anxin.Damaged, anxin.NoReason7d, anxin.QualityReturn, anxin.UnshippedRefund, anxin.ShippingInsurance},
		products: []demoProduct{{"玻璃密封收纳罐 6件套", 3990, 190}, {"316不锈钢保温杯 500ml", 5900, 260},
			{"日式陶瓷餐具套装 16件", 19900, 30}, {"可折叠脏衣篮 大号", 2990, 100}}},
}

// demoAddresses are the merchants' return addresses, their default each.
var demoAddresses = map[string]anxin.ReturnAddress{
	"dounan-flowers":  {Name: "斗南售后·小李", Phone: "0871-67451234", Region: "云南省 昆明市 呈贡区", Street: "斗南花卉市场 B 区 12 号", Default: true},
	"maoxiang-liquor": {Name: "茅乡售后·周经理", Phone: "13985012345", Region: "贵州省 遵义市 仁怀市", Street: "茅台镇 酒都大道 66 号", Default: true},
	"humen-apparel":   {Name: "虎门售后·阿梅", Phone: "0769-85123456", Region: "广东省 东莞市 虎门镇", Street: "连升路 88 号 3 楼退货组", Default: true},
	"yuyan-beauty":    {Name: "玉颜售后·林娜", Phone: "13800571234", Region: "浙江省 杭州市 余杭区", Street: "文一西路 969 号 7 号楼", Default: true},
	"yiwu-home":       {Name: "义乌售后·老陈", Phone: "0579-85201234", Region: "浙江省 金华市 义乌市", Street: "国际商贸城 四区 东门仓库", Default: true},
}

var (
	demoSurnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高")
	demoGiven    = []string{"女士", "先生", "小姐", "同学", "阿姨"}
	demoReasons  = map[anxin.ServiceKey][]string{
		anxin.FreshSpoiled:      {"花瓣发黑，叶子腐烂", "收到时花头已经蔫了", "包装里有霉斑"},
		anxin.Damaged:           {"外箱压坏，瓶身有裂纹", "杯子摔碎了两个", "快递到时盒子已破损"},
		anxin.UnshippedRefund:   {"拍错了，不想要了", "冲动下单，还没发货请退款", "地址填错了"},
		anxin.PriceProtect:      {"下单后第三天降价了", "直播间现在更便宜"},
		anxin.NoReason7d:        {"尺码不合适", "颜色和图片不一样，不喜欢", "家里已经有了"},
		anxin.QualityReturn:     {"开线了", "洗一次就起球", "拉链坏了"},
		anxin.BeautyAllergy:     {"用后脸部红肿发痒", "使用三天后出现过敏红疹"},
		anxin.Authentic:         {"防伪码查询不到，怀疑假货", "瓶盖和正品不一样"},
		anxin.ShippingInsurance: {"退货运费理赔"},
	}
	demoRejectReasons = []string{"照片无法看出质量问题", "商品已使用，影响二次销售", "超出售后期限", "已与买家协商一致"}
)

// Seed fills the database at path, if it has no merchants yet, with the
// demo merchants, logins and a few hundred tickets in every state, walked
// through real decisions so that their timelines, refunds and deadlines are
// genuine. It opens the store itself, on a clock of its own that moves
// through the 60 days before cfg.Clock's now, and closes it before it
// returns: open the store to serve afterwards. It returns the number of
// tickets made, or 0 when the database already had merchants.
func Seed(ctx context.Context, path string, cfg store.Config) (n int, err error) {
	now := anxin.SystemClock{}.Now()
	if cfg.Clock != nil {
		now = cfg.Clock.Now()
	}
	clock := anxin.NewManualClock(now.Add(-60 * 24 * time.Hour))
	cfg.Clock = clock
	s, err := store.Open(ctx, path, cfg)
	if err != nil {
		return 0, err
	}
	defer func() { err = errors.Join(err, s.Close()) }()
	ms, err := s.Merchants(ctx, anxin.AllMerchants())
	if err != nil || len(ms) > 0 {
		return 0, err
	}
	d := &demo{s: s, clock: clock, now: now, rng: rand.New(rand.NewPCG(2026, 1126)), photoRng: rand.New(rand.NewPCG(2026, 5))}
	if err := d.people(ctx); err != nil {
		return 0, err
	}
	d.startDrawing()
	defer d.stopDrawing()
	for i := range 320 {
		if err := d.ticket(ctx); err != nil {
			return i, fmt.Errorf("demo ticket %d: %w", i+1, err)
		}
	}
	settled, err := d.settlements(ctx)
	if err != nil {
		return 0, fmt.Errorf("demo exchange and reship: %w", err)
	}
	if err := d.drawPhotos(ctx); err != nil {
		return 0, err
	}
	if err := d.orders(ctx); err != nil {
		return 0, err
	}
	ruled, err := d.rules(ctx)
	if err != nil {
		return 0, err
	}
	if err := d.duty(ctx); err != nil {
		return 0, err
	}
	entered, err := d.desk(ctx)
	if err != nil {
		return 0, err
	}
	return 320 + settled + entered + ruled, nil
}

// settlements makes the demo's exchange and reship, after the other
// tickets (so that those stay as they were): a cosmetics allergy settled by
// exchange, its return received and the replacement to ship within the
// merchant's clock; spoiled flowers reshipped and on their way to the buyer.
func (d *demo) settlements(ctx context.Context) (int, error) {
	saved := d.clock.Now()
	defer d.clock.Set(saved)
	find := func(code string) (int, anxin.Merchant) {
		for i, dm := range demoMerchants {
			if dm.code == code {
				return i, d.merchants[i]
			}
		}
		panic("no demo merchant " + code)
	}
	open := func(code string, svc anxin.ServiceKey, kind anxin.Settlement, product demoProduct, created time.Time, reason string) (anxin.Ticket, error) {
		_, m := find(code)
		_, p, err := d.s.Policy(ctx, m.ID, svc)
		if err != nil {
			return anxin.Ticket{}, err
		}
		d.clock.Set(created)
		o := d.order(p, product, created)
		o.ReceivedAt = created.Add(-3 * time.Hour)
		o.ShippedAt = o.ReceivedAt.Add(-30 * time.Hour)
		o.OrderedAt = o.ShippedAt.Add(-6 * time.Hour)
		t, err := d.s.CreateTicket(ctx, anxin.Claim{MerchantID: m.ID, Service: svc, Order: o, BuyerName: "沈女士",
			BuyerPhone: "13912345678", Reason: reason, Settlement: kind, Actor: anxin.Buyer()})
		if err == nil {
			d.queuePhotos(t, p, product)
		}
		return t, err
	}
	step := func(t anxin.Ticket, at time.Time, dec anxin.Decision) (anxin.Ticket, error) {
		d.clock.Set(at)
		dec.Version = t.Version
		return d.s.Decide(ctx, t.ID, dec)
	}
	report := func(t anxin.Ticket, at time.Time, dir anxin.Direction, tracking string, st anxin.ShipStatus) (anxin.Ticket, error) {
		d.clock.Set(at)
		r := anxin.LogisticsReport{Direction: dir, Carrier: "顺丰速运", Tracking: tracking, Status: st, At: at}
		v, _, err := d.s.ReportLogistics(ctx, anxin.AllMerchants(), t.ID, r, store.IdempotencyKey{})
		return v.Ticket, err
	}

	// 换货: 玉颜美妆, approved, the return delivered and received.
	bi, beauty := find("yuyan-beauty")
	created := d.now.Add(-5 * 24 * time.Hour)
	t, err := open("yuyan-beauty", anxin.BeautyAllergy, anxin.SettleExchange, demoMerchants[bi].products[1], created,
		"用后脸部红肿发痒，想换一瓶无香精款")
	if err != nil {
		return 0, err
	}
	staff := d.staff[beauty.ID]
	if t, err = step(t, created.Add(8*time.Minute), anxin.Decision{Action: anxin.Approve, Actor: staff}); err != nil {
		return 0, err
	}
	ret := "SF600000000521"
	if t, err = step(t, created.Add(20*time.Hour), anxin.Decision{Action: anxin.ShipReturn, Actor: anxin.Buyer(),
		Tracking: ret, Carrier: "顺丰速运"}); err != nil {
		return 0, err
	}
	if t, err = report(t, created.Add(68*time.Hour), anxin.DirReturn, ret, anxin.ShipDelivered); err != nil {
		return 0, err
	}
	if _, err = step(t, d.now.Add(-6*time.Hour), anxin.Decision{Action: anxin.Receive, Actor: staff}); err != nil {
		return 0, err
	}

	// 补发: 斗南鲜花, approved and shipped, on its way.
	fi, flowers := find("dounan-flowers")
	created = d.now.Add(-20 * time.Hour)
	if t, err = open("dounan-flowers", anxin.FreshSpoiled, anxin.SettleReship, demoMerchants[fi].products[0], created,
		"收到时花头已经蔫了，希望补发一束"); err != nil {
		return 0, err
	}
	if t, err = step(t, created.Add(40*time.Minute), anxin.Decision{Action: anxin.Approve, Actor: d.staff[flowers.ID]}); err != nil {
		return 0, err
	}
	out := "SF600000000733"
	if t, err = step(t, d.now.Add(-10*time.Hour), anxin.Decision{Action: anxin.ShipOut, Actor: d.staff[flowers.ID],
		Carrier: "顺丰速运", Tracking: out}); err != nil {
		return 0, err
	}
	if _, err = report(t, d.now.Add(-4*time.Hour), anxin.DirOutbound, out, anxin.ShipInTransit); err != nil {
		return 0, err
	}
	return 2, nil
}

// rules turns on automatic rules (自动化售后) for two merchants, and makes
// claims through the intake API that the rules decide: the flower shop
// refunds spoiled flowers up to ¥50 without asking them back, the apparel
// maker approves 7-day returns with its default address.
func (d *demo) rules(ctx context.Context) (int, error) {
	set := []struct {
		code string
		rule anxin.Rule
	}{
		{"dounan-flowers", anxin.Rule{Key: anxin.RuleReturnless, On: true, MaxFen: 5000, PerBuyer: 3,
			Services: []anxin.ServiceKey{anxin.FreshSpoiled}}},
		{"humen-apparel", anxin.Rule{Key: anxin.RuleApproveReturn, On: true, PerBuyer: 3}},
	}
	byCode := map[string]anxin.Merchant{}
	for _, m := range d.merchants {
		byCode[m.Code] = m
	}
	d.clock.Set(d.now.Add(-26 * time.Hour))
	for _, r := range set {
		m := byCode[r.code]
		rs := anxin.NewRuleSet(m.ID, m.InstantRefund)
		rs.Set(r.rule)
		if err := d.s.SetRules(ctx, d.staff[m.ID], rs); err != nil {
			return 0, fmt.Errorf("demo rules of %s: %w", m.Code, err)
		}
	}
	claims := []struct {
		code    string
		service anxin.ServiceKey
		product demoProduct
		amount  int64
		buyer   string
		reason  string
	}{
		{"dounan-flowers", anxin.FreshSpoiled, demoMerchants[0].products[0], 3900, "赵敏", "到货时一半花头发黑"},
		{"humen-apparel", anxin.NoReason7d, demoMerchants[2].products[1], 0, "孙悦", "尺码偏大，不想要了"},
	}
	for i, c := range claims {
		m := byCode[c.code]
		d.clock.Set(d.now.Add(-time.Duration(20-i*5) * time.Hour))
		_, p, err := d.s.Policy(ctx, m.ID, c.service)
		if err != nil {
			return i, err
		}
		claim := anxin.Claim{Service: c.service, Order: d.order(p, c.product, d.clock.Now()), BuyerName: c.buyer,
			BuyerPhone: fmt.Sprintf("1370000%04d", i+1), Reason: c.reason, RequestedFen: c.amount, Actor: anxin.Buyer()}
		v, _, err := d.s.Intake(ctx, anxin.AllMerchants(), m.Code, claim, store.IdempotencyKey{})
		if err != nil {
			return i, fmt.Errorf("demo claim under a rule: %w", err)
		}
		if v.State == anxin.Refunding { // the payment system pays it a minute later
			d.clock.Set(d.clock.Now().Add(time.Minute))
			if _, err := d.s.SettleRefund(ctx, anxin.AllMerchants(), v.Refund.Number, true, ""); err != nil {
				return i, err
			}
		}
	}
	return len(claims), nil
}

type demo struct {
	s         *store.Store
	clock     *anxin.ManualClock
	now       time.Time
	rng       *rand.Rand
	merchants []anxin.Merchant
	staff     map[int64]anxin.Actor // merchant id -> its demo user
	agents    []anxin.Actor
	admin     anxin.Actor
	jobs      []*photoJob
	photoRng  *rand.Rand     // plans the photos' EXIF and copies
	drawing   chan *photoJob // photos to draw while the tickets are made
	drawn     sync.WaitGroup
}

func (d *demo) people(ctx context.Context) error {
	d.staff = map[int64]anxin.Actor{}
	byCode := map[string]int64{}
	yes := true
	for _, dm := range demoMerchants {
		m, err := d.s.CreateMerchant(ctx, anxin.Merchant{Code: dm.code, Name: dm.name, InstantRefund: anxin.DefaultInstantRefund()})
		if err != nil {
			return err
		}
		for _, svc := range dm.optIn {
			if err := d.s.SetPolicy(ctx, m.ID, anxin.PolicyOverride{Service: svc, Enabled: &yes}); err != nil {
				return err
			}
		}
		d.merchants = append(d.merchants, m)
		byCode[dm.code] = m.ID
	}
	for _, l := range logins {
		u, err := d.s.CreateUser(ctx, anxin.User{Email: l.Email, Name: l.Name, Role: l.Role, MerchantID: byCode[l.Merchant]}, Password)
		if err != nil {
			return err
		}
		switch l.Role {
		case anxin.RoleAdmin:
			d.admin = u.Actor()
		case anxin.RoleAgent:
			d.agents = append(d.agents, u.Actor())
		case anxin.RoleMerchant:
			d.staff[u.MerchantID] = u.Actor()
		}
	}
	// Each merchant keeps its own return address.
	for i, dm := range demoMerchants {
		addr := demoAddresses[dm.code] // a copy
		addr.MerchantID = d.merchants[i].ID
		if _, err := d.s.SaveReturnAddress(ctx, d.staff[addr.MerchantID], addr); err != nil {
			return err
		}
	}
	return d.macros(ctx)
}

// demoMacros are the team's canned replies: what agents send every day.
var demoMacros = []anxin.Macro{
	{Title: "退货地址", TitleEN: "Return address", Body: "{buyer}您好，您的退货申请已同意。请在7天内将商品寄回：{return_address}，寄出后请填写运单号。工单号：{ticket}。"},
	{Title: "请补拍吊牌照片", TitleEN: "Ask for the label photo", Action: anxin.RequestEvidence,
		Body: "{buyer}您好，为尽快处理您的申请，请补拍{product}的吊牌和包装标签照片（需清晰可见），谢谢！"},
	{Title: "退款时效说明", TitleEN: "Refund timing", Body: "{buyer}您好，您的退款{amount}已提交，将在1-3个工作日内原路退回，请注意查收。"},
	{Title: "3分钟同意致谢", TitleEN: "Approved, with thanks", Action: anxin.Approve,
		Body: "{buyer}您好，您的申请已为您同意，感谢您的耐心！如有其他问题请随时联系我们。"},
	{Title: "照片无法证明问题", TitleEN: "Photos do not show the problem", Action: anxin.Reject, Reason: "照片无法证明问题",
		Body: "{buyer}您好，很抱歉，您提供的照片无法看出{product}存在问题，本次申请暂无法通过。您可以补充清晰照片后再次申请。"},
}

// macros seeds the team's canned replies and one of a merchant's own.
func (d *demo) macros(ctx context.Context) error {
	for _, m := range demoMacros {
		if _, err := d.s.SaveMacro(ctx, d.admin, m); err != nil {
			return fmt.Errorf("demo macro %s: %w", m.Title, err)
		}
	}
	shop := d.staff[d.merchants[0].ID]
	_, err := d.s.SaveMacro(ctx, shop, anxin.Macro{Title: "鲜花保鲜说明", TitleEN: "Keeping flowers fresh",
		Body: "{buyer}您好，鲜花到货后请剪根2厘米并换清水，避免阳光直射。如仍有问题请拍照发给我们。"})
	return err
}

var (
	demoAsks    = []string{"请问什么时候能处理？", "照片已经上传了，麻烦尽快", "我明天不在家，可以改天取件吗？", "已经等了很久了，怎么还没处理", "退款会退到哪里？"}
	demoAnswers = []string{"您好，已收到，正在为您加急处理。", "您好，请放心，我们会在时限内为您处理。", "您好，退款会原路退回到您的支付账户。"}
)

// conversation has the buyer write on about a third of the tickets, after
// the last step, and a person answer most of them minutes later: the rest
// wait, as some always do.
func (d *demo) conversation(ctx context.Context, t anxin.Ticket, after time.Time) error {
	if d.pick(3) != 0 || !after.Before(d.now) {
		return nil
	}
	at := after.Add(min(d.between(time.Minute, 6*time.Hour), d.now.Sub(after)/2))
	d.clock.Set(at)
	buyer := anxin.APIKey{MerchantID: t.MerchantID}.Actor()
	if _, _, err := d.s.BuyerMessage(ctx, buyer, t.ID, demoAsks[d.pick(len(demoAsks))], nil, store.IdempotencyKey{}); err != nil {
		return err
	}
	reply := at.Add(d.between(30*time.Second, 12*time.Minute))
	if d.pick(4) == 0 || !reply.Before(d.now) {
		return nil // still waiting for a reply
	}
	d.clock.Set(reply)
	by := d.staff[t.MerchantID]
	if d.pick(2) == 0 {
		by = d.agents[d.pick(len(d.agents))]
	}
	_, err := d.s.SendMessage(ctx, t.ID, by, demoAnswers[d.pick(len(demoAnswers))])
	return err
}

// duty turns auto-assignment on once the history is made (its tickets were
// assigned by hand), with the first agent on duty and the second off: new
// tickets go to 王晓 until 陈静 comes on.
func (d *demo) duty(ctx context.Context) error {
	if err := d.s.SetAutoAssign(ctx, d.admin, true); err != nil {
		return err
	}
	return d.s.SetDuty(ctx, d.agents[0], true, false)
}

// demoPath is where a demo ticket ends up: the decisions that lead there,
// and whether its service must take the goods back.
type demoPath struct {
	weight  int
	steps   []anxin.Action
	returns bool
}

var demoPaths = []demoPath{
	{30, nil, false},
	{6, []anxin.Action{anxin.RequestEvidence}, false},
	{6, []anxin.Action{anxin.Reject}, false},
	{10, []anxin.Action{anxin.Approve}, true},
	{10, []anxin.Action{anxin.Approve, anxin.ShipReturn}, true},
	{5, []anxin.Action{anxin.Approve, anxin.ShipReturn, anxin.ReturnDelivered}, true},
	// 极速退款 of a return whose goods never came back: raised to the merchant.
	{2, []anxin.Action{anxin.RefundAhead, anxin.RefundSucceeded, anxin.Timeout}, true},
	{5, []anxin.Action{anxin.Reject, anxin.Appeal}, false},
	{4, []anxin.Action{anxin.Refund}, false},
	{3, []anxin.Action{anxin.Refund, anxin.RefundFailure}, false},
	{12, []anxin.Action{anxin.Refund, anxin.RefundSucceeded}, false},
	{4, []anxin.Action{anxin.Timeout, anxin.RefundSucceeded}, false},
	{5, []anxin.Action{anxin.Approve, anxin.ShipReturn, anxin.Receive, anxin.RefundSucceeded}, true},
	{5, []anxin.Action{anxin.Cancel}, false},
	{3, []anxin.Action{anxin.Offer}, false},
	{2, []anxin.Action{anxin.Offer, anxin.OfferAccepted, anxin.RefundSucceeded}, false},
	{1, []anxin.Action{anxin.Offer, anxin.OfferDeclined}, false},
}

func (d *demo) pick(n int) int { return d.rng.IntN(n) }

func (d *demo) between(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(d.rng.Int64N(int64(hi-lo)+1))
}

func (d *demo) ticket(ctx context.Context) error {
	total := 0
	for _, p := range demoPaths {
		total += p.weight
	}
	roll, path := d.pick(total), demoPaths[0]
	for _, p := range demoPaths {
		if roll < p.weight {
			path = p
			break
		}
		roll -= p.weight
	}
	type choice struct {
		merchant int
		service  anxin.ServiceKey
		policy   anxin.Policy
	}
	var choices []choice
	for mi, dm := range demoMerchants {
		for _, svc := range dm.services {
			_, p, err := d.s.Policy(ctx, d.merchants[mi].ID, svc)
			if err != nil {
				return err
			}
			timesOutIntoRefund := p.OnTimeout != anxin.Escalate && !p.NeedsReturn
			if p.NeedsReturn == path.returns && (len(path.steps) == 0 || path.steps[0] != anxin.Timeout || timesOutIntoRefund) {
				choices = append(choices, choice{mi, svc, p})
			}
		}
	}
	c := choices[d.pick(len(choices))]
	dm, m, svc, policy := demoMerchants[c.merchant], d.merchants[c.merchant], c.service, c.policy
	// Open tickets were created recently enough that their clocks spread from
	// a little overdue to days ahead; finished ones any time in the last weeks.
	age := d.between(10*time.Minute, 3*24*time.Hour)
	if len(path.steps) > 0 && path.steps[0] == anxin.Timeout {
		age = policy.MerchantClock + d.between(2*time.Hour, 20*24*time.Hour)
	} else if path.steps == nil {
		age = d.between(5*time.Minute, policy.MerchantClock+6*time.Hour)
	} else if last := path.steps[len(path.steps)-1]; last == anxin.RefundSucceeded || last == anxin.Cancel {
		age = d.between(2*time.Hour, 25*24*time.Hour)
	} else if last == anxin.Timeout {
		age = d.between(8*24*time.Hour, 20*24*time.Hour) // the return's 7 days have run out
	}
	created := d.now.Add(-age)
	d.clock.Set(created)

	product := dm.products[d.pick(len(dm.products))]
	claim := anxin.Claim{MerchantID: m.ID, Service: svc, Order: d.order(policy, product, created),
		BuyerName:  string(demoSurnames[d.pick(len(demoSurnames))]) + demoGiven[d.pick(len(demoGiven))],
		BuyerPhone: fmt.Sprintf("1%d%d%08d", 3+d.pick(7), d.pick(10), d.rng.IntN(100000000)),
		Reason:     demoReasons[svc][d.pick(len(demoReasons[svc]))], Actor: anxin.Buyer()}
	switch svc {
	case anxin.PriceProtect:
		claim.RequestedFen = product.fen * int64(5+d.pick(15)) / 100
	case anxin.ShippingInsurance:
		claim.RequestedFen = int64(800 + d.pick(1135))
	}
	t, err := d.s.CreateTicket(ctx, claim)
	if err != nil {
		return err
	}
	d.queuePhotos(t, policy, product)
	if d.pick(3) == 0 {
		agent := d.agents[d.pick(len(d.agents))]
		if _, err := d.s.Assign(ctx, t.ID, agent.UserID, agent); err != nil {
			return err
		}
		if d.pick(2) == 0 {
			if _, err := d.s.AddNote(ctx, t.ID, agent, "已电话联系买家，确认问题属实。", false); err != nil {
				return err
			}
		}
	}
	// Space the steps over the ticket's age, the first within minutes to hours.
	at := created
	var tracking string // the return's, once shipped
	for i, action := range path.steps {
		if action == anxin.Timeout {
			at = t.Deadline.Add(d.between(0, 5*time.Minute))
		} else {
			gap := d.between(3*time.Minute, 20*time.Hour)
			if i == 0 && dm.fast {
				gap = d.between(time.Minute, 8*time.Minute) // answers in minutes, as the source's brand did
			}
			left := d.now.Sub(at)
			at = at.Add(min(gap, left/time.Duration(len(path.steps)-i+1)))
		}
		d.clock.Set(at)
		dec := d.decision(action, t)
		if action == anxin.ReturnDelivered {
			// Reported by the carrier, as it happens for real.
			r := anxin.LogisticsReport{Direction: anxin.DirReturn, Carrier: "顺丰速运", Tracking: tracking, Status: anxin.ShipDelivered, At: at}
			v, _, err := d.s.ReportLogistics(ctx, anxin.AllMerchants(), t.ID, r, store.IdempotencyKey{})
			if err != nil {
				return err
			}
			t = v.Ticket
			continue
		}
		if t, err = d.s.Decide(ctx, t.ID, dec); err != nil {
			return fmt.Errorf("%s on %s: %w", action, t.State, err)
		}
		if action == anxin.ShipReturn {
			tracking = dec.Tracking
			// The carrier collects the parcel: its report fills the panel.
			r := anxin.LogisticsReport{Direction: anxin.DirReturn, Carrier: dec.Carrier, Tracking: dec.Tracking,
				Status: anxin.ShipPickedUp, At: at}
			if _, _, err := d.s.ReportLogistics(ctx, anxin.AllMerchants(), t.ID, r, store.IdempotencyKey{}); err != nil {
				return err
			}
		}
	}
	return d.conversation(ctx, t, at)
}

func (d *demo) order(p anxin.Policy, product demoProduct, claimAt time.Time) anxin.Order {
	o := anxin.Order{ID: fmt.Sprintf("DY%s%06d", claimAt.Format("060102"), d.rng.IntN(1000000)),
		Product: product.name, PaidFen: product.fen}
	switch p.WindowFrom {
	case anxin.UntilShipped:
		o.OrderedAt = claimAt.Add(-d.between(20*time.Minute, 2*time.Hour)) // impulse buys, 1-2 h after the order
	case anxin.FromOrder:
		o.OrderedAt = claimAt.Add(-d.between(2*24*time.Hour, p.Window*8/10))
		o.ShippedAt = o.OrderedAt.Add(d.between(4*time.Hour, 30*time.Hour))
		if r := o.ShippedAt.Add(d.between(24*time.Hour, 60*time.Hour)); r.Before(claimAt) {
			o.ReceivedAt = r
		}
	default:
		o.ReceivedAt = claimAt.Add(-d.between(5*time.Minute, p.Window*9/10))
		o.ShippedAt = o.ReceivedAt.Add(-d.between(20*time.Hour, 60*time.Hour))
		o.OrderedAt = o.ShippedAt.Add(-d.between(2*time.Hour, 30*time.Hour))
	}
	return o
}

func (d *demo) decision(a anxin.Action, t anxin.Ticket) anxin.Decision {
	dec := anxin.Decision{Action: a, Version: t.Version}
	switch a {
	case anxin.Approve, anxin.Reject, anxin.RequestEvidence, anxin.Receive, anxin.Offer:
		dec.Actor = d.staff[t.MerchantID]
		if d.pick(3) == 0 {
			dec.Actor = d.agents[d.pick(len(d.agents))]
		}
	case anxin.Refund:
		dec.Actor = d.agents[d.pick(len(d.agents))]
	case anxin.ShipReturn, anxin.Appeal, anxin.Cancel, anxin.OfferAccepted, anxin.OfferDeclined:
		dec.Actor = anxin.Buyer()
	default:
		dec.Actor = anxin.System()
	}
	switch a {
	case anxin.Reject:
		dec.Reason = demoRejectReasons[d.pick(len(demoRejectReasons))]
	case anxin.ShipReturn:
		dec.Tracking, dec.Carrier = fmt.Sprintf("SF%012d", d.rng.Int64N(1e12)), "顺丰速运"
	case anxin.Offer:
		dec.AmountFen = max(t.RequestedFen*8/10, 1) // TikTok's suggested level for missing parts
		dec.Reason = "商品有轻微使用痕迹，协商退款 80%，您看可以吗？"
	case anxin.Refund:
		if t.Service == anxin.QualityReturn && d.pick(2) == 0 {
			dec.AmountFen = t.RequestedFen * 7 / 10 // a partial refund
		}
	}
	return dec
}

// photoJob is a demo photo to draw once the tickets exist.
type photoJob struct {
	ticket   int64
	merchant int64
	at       time.Time
	label    string
	hue      float64
	variant  int
	seed     uint64
	meta     photo.Meta
	copyOf   *photoJob // an earlier job whose picture this reuses
	exact    bool      // a byte-for-byte copy rather than a resized, recompressed one
	jpeg     []byte
	done     photo.Processed
	err      error
}

// demoCameras are phones as their EXIF names them.
var demoCameras = [][2]string{{"HUAWEI", "ALN-AL00"}, {"Xiaomi", "23127PN0CC"}, {"Apple", "iPhone 15 Pro"},
	{"OPPO", "PHZ110"}, {"vivo", "V2309A"}, {"HONOR", "PGT-AN10"}}

// queuePhotos plans the buyer's photos for a ticket: what its service requires,
// sometimes one more. Most carry a phone's EXIF (taken between receipt and
// the claim; now and then before receipt, which the gallery flags); some
// reuse a photo from an earlier ticket of the merchant, the fraud pattern
// the duplicate flags catch. Planning draws on its own random source, so the
// tickets are the same whatever it does.
func (d *demo) queuePhotos(t anxin.Ticket, p anxin.Policy, product demoProduct) {
	n := p.EvidenceMin
	if n > 0 && d.pick(3) == 0 {
		n++
	}
	svc, _ := anxin.LookupService(t.Service)
	for i := range n {
		label := ""
		if len(svc.Checklist) > 0 {
			label = svc.Checklist[i%len(svc.Checklist)]
		}
		j := &photoJob{ticket: t.ID, merchant: t.MerchantID, at: t.CreatedAt, label: label, hue: product.hue,
			variant: i, seed: d.rng.Uint64()}
		j.meta = d.photoMeta(t)
		if i == 0 && d.photoRng.IntN(12) == 0 {
			for k := len(d.jobs) - 1; k >= 0; k-- {
				if o := d.jobs[k]; o.merchant == t.MerchantID && o.ticket != t.ID && o.copyOf == nil && d.photoRng.IntN(3) == 0 {
					j.copyOf, j.exact = o, d.photoRng.IntN(2) == 0
					break
				}
			}
		}
		d.jobs = append(d.jobs, j)
		if j.copyOf == nil {
			d.drawing <- j
		}
	}
}

func (d *demo) photoMeta(t anxin.Ticket) photo.Meta {
	r := d.photoRng
	if r.IntN(4) == 0 { // sent through a chat app, which strips EXIF
		return photo.Meta{}
	}
	cam := demoCameras[r.IntN(len(demoCameras))]
	m := photo.Meta{Make: cam[0], Model: cam[1]}
	from, until := t.Order.ReceivedAt, t.CreatedAt
	if from.IsZero() {
		from = t.Order.OrderedAt
	}
	cst := time.FixedZone("", 8*3600)
	if span := until.Sub(from); span > 0 {
		m.TakenAt = from.Add(time.Duration(r.Int64N(int64(span)))).In(cst).Truncate(time.Second)
	}
	if !t.Order.ReceivedAt.IsZero() && r.IntN(15) == 0 {
		m.TakenAt = t.Order.ReceivedAt.Add(-time.Duration(2+r.IntN(60)) * time.Hour).In(cst).Truncate(time.Second)
	}
	if r.IntN(3) == 0 {
		m.GPS = &[2]float64{24.8 + r.Float64(), 102.5 + r.Float64()} // around Kunming
	}
	return m
}

// startDrawing starts the workers that draw, process and store the photos
// planned as tickets are made: on a machine of two cores that work runs
// beside the ticket writes instead of after them.
func (d *demo) startDrawing() {
	d.drawing = make(chan *photoJob, 1024)
	for range runtime.GOMAXPROCS(0) {
		d.drawn.Go(func() {
			for j := range d.drawing {
				if j.copyOf == nil {
					j.jpeg, j.err = demoJPEG(demoPhoto(rand.New(rand.NewPCG(j.seed, 7)), j.hue, j.variant), j.meta)
				} else if j.jpeg = j.copyOf.jpeg; !j.exact {
					j.jpeg, j.err = recompress(j.jpeg)
				}
				if j.err == nil {
					j.done, j.err = photo.Process(j.jpeg, d.s.Photos())
				}
			}
		})
	}
}

// stopDrawing waits for the workers to finish what they were given.
func (d *demo) stopDrawing() {
	if d.drawing != nil {
		close(d.drawing)
		d.drawn.Wait()
		d.drawing = nil
	}
}

// drawPhotos finishes the photos, the planted copies last, then records
// them in order, each at its ticket's creation time, through the same
// pipeline as an upload (validated, re-encoded, hashed, linked).
func (d *demo) drawPhotos(ctx context.Context) error {
	d.stopDrawing()
	d.startDrawing()
	for _, j := range d.jobs {
		if j.copyOf != nil {
			d.drawing <- j
		}
	}
	d.stopDrawing()
	for _, j := range d.jobs {
		if j.err != nil {
			return fmt.Errorf("demo photo: %w", j.err)
		}
		d.clock.Set(j.at)
		up := store.Upload{TicketID: j.ticket, Label: j.label, Backdated: true}
		if _, err := d.s.RecordPhoto(ctx, anxin.Buyer(), up, j.done); err != nil {
			return err
		}
	}
	return nil
}

// demoJPEG encodes a demo photo as a phone would save it, with its EXIF.
func demoJPEG(img image.Image, m photo.Meta) ([]byte, error) {
	b, err := encodeJPEG(img)
	if err != nil {
		return nil, err
	}
	if m == (photo.Meta{}) {
		return b, nil
	}
	return photo.WithEXIF(b, m)
}

// recompress is a copy of a photo as a fraudster makes it: scaled to 80%
// and saved again at quality 60, without its EXIF.
func recompress(b []byte) ([]byte, error) {
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	r := img.Bounds()
	var buf bytes.Buffer
	err = jpeg.Encode(&buf, imaging.Resize(img, r.Dx()*8/10, r.Dy()*8/10, imaging.Linear), &jpeg.Options{Quality: 60})
	return buf.Bytes(), err
}

func (d *demo) orders(ctx context.Context) error {
	for i, m := range d.merchants {
		base := demoMerchants[i].dailyBase
		for day := range 60 {
			date := d.now.AddDate(0, 0, -day).Format(time.DateOnly)
			n := base + d.rng.IntN(base/2+2)
			if err := d.s.AddDailyOrders(ctx, m.ID, date, n); err != nil {
				return err
			}
		}
	}
	return nil
}

const demoPhotoW, demoPhotoH = 400, 300

// demoPhoto draws a snapshot: a table (plain or patterned), sometimes a
// parcel, the product in its colour with a label, uneven light and grain.
// Layout, light and surface vary enough that no two are alike to the
// perceptual hash either: the duplicate flags in the demo come only from
// the copies it plants.
func demoPhoto(rng *rand.Rand, hue float64, variant int) *image.RGBA {
	const w, h = demoPhotoW, demoPhotoH
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	table := hsl(20+rng.Float64()*40, 0.15+rng.Float64()*0.25, 0.35+rng.Float64()*0.45)
	stripes := rng.IntN(2) == 0
	angle := rng.Float64() * math.Pi
	sa, ca := math.Sin(angle), math.Cos(angle)
	period := 30 + rng.Float64()*90
	box := hsl(35, 0.45, 0.55+rng.Float64()*0.2)
	prod := hsl(hue+rng.Float64()*12, 0.6, 0.25+rng.Float64()*0.45)
	cx, cy := w*(0.2+rng.Float64()*0.6), h*(0.25+rng.Float64()*0.5)
	rx, ry := 40+rng.Float64()*110, 40+rng.Float64()*80
	lightX, lightY := rng.Float64()*w, rng.Float64()*h
	bcx, bcy := cx+(rng.Float64()-0.5)*120, cy+(rng.Float64()-0.5)*90
	bx0, by0 := int(bcx-rx-20-rng.Float64()*60), int(bcy-ry-20-rng.Float64()*40)
	bx1, by1 := int(bcx+rx+20+rng.Float64()*60), int(bcy+ry+20+rng.Float64()*40)
	lx0, ly0 := int(cx-rx*0.5), int(cy+ry*0.15)
	lx1, ly1 := int(cx+rx*0.5), int(cy+ry*0.55)
	// Other things on the table: a receipt, a phone, the packing slip.
	type thing struct {
		c              color.RGBA
		x0, y0, x1, y1 int
	}
	var things [2]thing
	for i := range things {
		x0, y0 := int(rng.Float64()*w*0.8), int(rng.Float64()*h*0.8)
		things[i] = thing{hsl(rng.Float64()*360, 0.2, 0.1+rng.Float64()*0.8), x0, y0, x0 + 30 + rng.IntN(120), y0 + 30 + rng.IntN(90)}
	}
	for y := range h {
		for x := range w {
			c := table
			if stripes && int((float64(x)*ca+float64(y)*sa)/period)%2 == 0 {
				c = color.RGBA{clamp(float64(c.R) * 0.8), clamp(float64(c.G) * 0.8), clamp(float64(c.B) * 0.8), 255}
			}
			for _, o := range things {
				if x > o.x0 && x < o.x1 && y > o.y0 && y < o.y1 {
					c = o.c
				}
			}
			if variant%2 == 0 && x > bx0 && x < bx1 && y > by0 && y < by1 {
				c = box
			}
			dx, dy := (float64(x)-cx)/rx, (float64(y)-cy)/ry
			if dx*dx+dy*dy <= 1 {
				c = prod
				if x > lx0 && x < lx1 && y > ly0 && y < ly1 {
					c = color.RGBA{245, 245, 240, 255}
					if y > (ly0+ly1)/2 && (x/3)%3 != 0 && (x*7/5)%4 != 0 {
						c = color.RGBA{30, 30, 30, 255}
					}
				}
			}
			lx, ly := (float64(x)-lightX)/w, (float64(y)-lightY)/w
			shade := 1.2 - 0.8*(lx*lx+ly*ly) + (rng.Float64()-0.5)*0.08
			img.SetRGBA(x, y, color.RGBA{clamp(float64(c.R) * shade), clamp(float64(c.G) * shade), clamp(float64(c.B) * shade), 255})
		}
	}
	return img
}

func encodeJPEG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 82})
	return buf.Bytes(), err
}

func clamp(v float64) uint8 { return uint8(max(0, min(255, v))) }

// hsl converts a hue (degrees), saturation and lightness to RGB.
func hsl(h, s, l float64) color.RGBA {
	h = math.Mod(h, 360) / 360
	f := func(n float64) uint8 {
		k := math.Mod(n+h*12, 12)
		a := s * min(l, 1-l)
		return clamp(255 * (l - a*max(-1, min(k-3, 9-k, 1))))
	}
	return color.RGBA{f(0), f(8), f(4), 255}
}

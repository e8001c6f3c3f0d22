package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/labstack/echo/v4"
)

// Automatic rules (自动化售后): the merchant's own settings page, and the
// admin's page of a merchant's rules where the limits are set.

func (s *Server) ruleRoutes(only func(...anxin.Role) []echo.MiddlewareFunc) {
	e := s.echo
	mine := only(anxin.RoleMerchant)
	e.GET("/settings/rules", s.rules, mine...)
	e.POST("/settings/rules", s.saveRules, mine...)
	admin := only(anxin.RoleAdmin)
	e.GET("/admin/merchants/:code/rules", s.adminRules, admin...)
	e.POST("/admin/merchants/:code/rules", s.saveRuleLimits, admin...)
	e.GET("/admin/rules", s.defaultLimits, admin...)
	e.POST("/admin/rules", s.saveDefaultLimits, admin...)
}

// defaultLimits is the platform's default limits of merchants' rules.
func (s *Server) defaultLimits(c echo.Context) error {
	l, err := s.store.DefaultRuleLimits(c.Request().Context())
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.RulesView(views.RulesPage{Limits: l, Admin: true}))
}

func (s *Server) saveDefaultLimits(c echo.Context) error {
	l, err := parseLimits(c)
	if err == nil {
		err = s.store.SetRuleLimits(c.Request().Context(), user(c).Actor(), 0, l)
	}
	if err != nil {
		if !refusal422(err) {
			return err
		}
		return s.render(c, http.StatusUnprocessableEntity, views.RulesView(views.RulesPage{Limits: l, Admin: true, Error: err}))
	}
	return s.savedRedirect(c, "/admin/rules")
}

func (s *Server) rules(c echo.Context) error {
	u := user(c)
	st, err := s.store.RuleSettings(c.Request().Context(), u.Actor().Scope(), u.MerchantID)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.RulesView(views.RulesPage{Merchant: st.Merchant, Rules: st.Rules,
		Limits: st.Limits, OwnLimits: st.OwnLimits}))
}

// saveRules stores the merchant's rules: a refusal shows the form again as
// it was typed, with the message next to its field, and stores nothing.
func (s *Server) saveRules(c echo.Context) error {
	ctx := c.Request().Context()
	u := user(c)
	st, err := s.store.RuleSettings(ctx, u.Actor().Scope(), u.MerchantID)
	if err != nil {
		return err
	}
	rs, reasons, err := parseRules(c, st.Rules, st.Limits)
	if err == nil {
		err = s.store.SetRules(ctx, u.Actor(), rs)
	}
	if err != nil {
		if !refusal422(err) {
			return err
		}
		return s.render(c, http.StatusUnprocessableEntity, views.RulesView(views.RulesPage{Merchant: st.Merchant,
			Rules: rs, Limits: st.Limits, OwnLimits: st.OwnLimits, Error: err, Reasons: reasons}))
	}
	if err := s.setFlash(c, "ok", views.T(s.langCtx(c), "Automatic rules")+" ✓"); err != nil {
		return err
	}
	return redirect(c, "/settings/rules")
}

// parseRules reads the form over the stored set: every field of every rule,
// so that a refusal shows all of what was typed.
func parseRules(c echo.Context, stored anxin.RuleSet, l anxin.RuleLimits) (anxin.RuleSet, string, error) {
	rs := stored
	rs.Rules = nil
	var first error
	fail := func(err error) {
		if first == nil {
			first = err
		}
	}
	yuanOf := func(name string, f anxin.Field, was int64) int64 {
		fen, err := parseYuan(c.FormValue(name))
		if err != nil {
			fail(anxin.Fail(anxin.MsgFieldNotYuan, f))
			return was
		}
		return fen
	}
	rs.Instant.Enabled = c.FormValue("instant") == "1"
	rs.Instant.Unshipped = c.FormValue("instant_unshipped") == "1"
	rs.Instant.MaxFen = yuanOf("instant_max", anxin.FieldRuleInstantMax, stored.Instant.MaxFen)
	reasons := c.FormValue(string(anxin.RuleReturnless) + ".reasons")
	for _, k := range anxin.RuleKeys() {
		r := stored.Rule(k)
		name := string(k) + "."
		r.On = c.FormValue(name+"on") == "1"
		if n, err := strconv.Atoi(strings.TrimSpace(c.FormValue(name + "cap"))); err == nil {
			r.PerBuyer = n
		} else {
			fail(anxin.Fail(anxin.MsgRulePerBuyerRange, anxin.FieldRulePerBuyer, k, l.PerBuyerMax))
		}
		switch k {
		case anxin.RuleRefundUnshipped:
			r.MaxFen = yuanOf(name+"max", anxin.FieldRuleUnshippedMax, r.MaxFen)
		case anxin.RuleReturnless:
			r.MaxFen = yuanOf(name+"max", anxin.FieldRuleReturnlessMax, r.MaxFen)
			r.Services = nil
			for _, v := range c.Request().Form[name+"services"] {
				r.Services = append(r.Services, anxin.ServiceKey(v))
			}
			r.Reasons = strings.FieldsFunc(reasons, func(r rune) bool {
				return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' || r == ' ' || r == '\u3000'
			})
		case anxin.RuleReceiveOnSigned:
			if h, err := strconv.Atoi(strings.TrimSpace(c.FormValue(name + "after"))); err == nil && h >= 0 {
				r.After = time.Duration(h) * time.Hour
			} else {
				fail(anxin.Fail(anxin.MsgRuleAfterRange, anxin.FieldRuleReceiveAfter, int(anxin.MaxReceiveAfter/time.Hour)))
			}
		}
		rs.Rules = append(rs.Rules, r)
	}
	return rs, reasons, first
}

func (s *Server) adminRules(c echo.Context) error {
	m, err := s.store.MerchantByCode(c.Request().Context(), c.Param("code"))
	if err != nil {
		return anxin.Fail(anxin.MsgMerchantNotFound)
	}
	st, err := s.store.RuleSettings(c.Request().Context(), anxin.AllMerchants(), m.ID)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.RulesView(views.RulesPage{Merchant: st.Merchant, Rules: st.Rules,
		Limits: st.Limits, OwnLimits: st.OwnLimits, Admin: true}))
}

// saveRuleLimits sets the limits of one merchant's rules.
func (s *Server) saveRuleLimits(c echo.Context) error {
	ctx := c.Request().Context()
	m, err := s.store.MerchantByCode(ctx, c.Param("code"))
	if err != nil {
		return anxin.Fail(anxin.MsgMerchantNotFound)
	}
	st, err := s.store.RuleSettings(ctx, anxin.AllMerchants(), m.ID)
	if err != nil {
		return err
	}
	l, err := parseLimits(c)
	if err == nil {
		err = s.store.SetRuleLimits(ctx, user(c).Actor(), m.ID, l)
	}
	if err != nil {
		if !refusal422(err) {
			return err
		}
		return s.render(c, http.StatusUnprocessableEntity, views.RulesView(views.RulesPage{Merchant: st.Merchant,
			Rules: st.Rules, Limits: l, OwnLimits: st.OwnLimits, Admin: true, Error: err}))
	}
	return s.savedRedirect(c, "/admin/merchants/"+m.Code+"/rules")
}

func parseLimits(c echo.Context) (anxin.RuleLimits, error) {
	var l anxin.RuleLimits
	var err error
	for _, f := range []struct {
		name  string
		field anxin.Field
		to    *int64
	}{{"unshipped_max", anxin.FieldRuleUnshippedMax, &l.UnshippedMaxFen},
		{"returnless_max", anxin.FieldRuleReturnlessMax, &l.ReturnlessMaxFen},
		{"instant_max", anxin.FieldRuleInstantMax, &l.InstantMaxFen}} {
		if *f.to, err = parseYuan(c.FormValue(f.name)); err != nil {
			return l, anxin.Fail(anxin.MsgFieldNotYuan, f.field)
		}
	}
	if l.PerBuyerMax, err = strconv.Atoi(strings.TrimSpace(c.FormValue("per_buyer"))); err != nil {
		return l, anxin.Fail(anxin.MsgFieldNotWhole, anxin.FieldRulePerBuyer)
	}
	return l, nil
}

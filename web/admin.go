package web

import (
	"crypto/rand"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/labstack/echo/v4"
)

// The admin pages: users, merchants and their service policies, and the log
// of what admins did. Only admins reach them (the routes check the role).

func (s *Server) adminUsers(c echo.Context) error {
	return s.renderUsers(c, http.StatusOK, views.AdminUsers{})
}

func (s *Server) renderUsers(c echo.Context, status int, p views.AdminUsers) error {
	ctx := c.Request().Context()
	var err error
	if p.Users, err = s.store.Users(ctx); err != nil {
		return err
	}
	if p.Merchants, err = s.store.Merchants(ctx, anxin.AllMerchants()); err != nil {
		return err
	}
	return s.render(c, status, views.AdminUsersView(p))
}

// refusal422 reports whether err is the domain's refusal to show on a
// form, rather than an error that is not the user's to fix.
func refusal422(err error) bool {
	code := anxin.ErrorCode(err)
	return code != anxin.EINTERNAL && code != anxin.ENOTFOUND
}

func (s *Server) createUser(c echo.Context) error {
	form := views.UserForm{Email: strings.TrimSpace(c.FormValue("email")), Name: strings.TrimSpace(c.FormValue("name")),
		Role: c.FormValue("role"), Merchant: c.FormValue("merchant")}
	u := anxin.User{Email: form.Email, Name: form.Name, Role: anxin.Role(form.Role), Lang: user(c).Lang}
	if form.Merchant != "" {
		u.MerchantID = parseID(form.Merchant)
	}
	password := rand.Text()
	created, err := s.store.CreateUserBy(c.Request().Context(), user(c).Actor(), u, password)
	if err != nil {
		if !refusal422(err) {
			return err
		}
		return s.renderUsers(c, http.StatusUnprocessableEntity, views.AdminUsers{Form: form, Error: err})
	}
	return s.renderUsers(c, http.StatusOK, views.AdminUsers{Created: &created, Password: password})
}

func (s *Server) targetUser(c echo.Context) (anxin.User, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return anxin.User{}, anxin.Fail(anxin.MsgUserNotFound)
	}
	return s.store.UserByID(c.Request().Context(), id)
}

func (s *Server) resetPassword(c echo.Context) error {
	u, err := s.targetUser(c)
	if err != nil {
		return err
	}
	password := rand.Text()
	if err := s.store.ResetPassword(c.Request().Context(), user(c).Actor(), u.ID, password); err != nil {
		return err
	}
	return s.renderUsers(c, http.StatusOK, views.AdminUsers{Created: &u, Password: password})
}

func (s *Server) setDisabled(disabled bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, err := s.targetUser(c)
		if err != nil {
			return err
		}
		if err := s.store.SetDisabled(c.Request().Context(), user(c).Actor(), u.ID, disabled); err != nil {
			if !refusal422(err) {
				return err
			}
			return s.renderUsers(c, http.StatusUnprocessableEntity, views.AdminUsers{Error: err})
		}
		return s.savedRedirect(c, "/admin/users")
	}
}

func (s *Server) setRole(c echo.Context) error {
	u, err := s.targetUser(c)
	if err != nil {
		return err
	}
	var merchant int64
	if m := c.FormValue("merchant"); m != "" {
		merchant = parseID(m)
	}
	if err := s.store.SetRole(c.Request().Context(), user(c).Actor(), u.ID, anxin.Role(c.FormValue("role")), merchant); err != nil {
		if !refusal422(err) {
			return err
		}
		return s.renderUsers(c, http.StatusUnprocessableEntity, views.AdminUsers{Error: err})
	}
	return s.savedRedirect(c, "/admin/users")
}

func (s *Server) savedRedirect(c echo.Context, to string) error {
	if err := s.setFlash(c, "ok", "Saved."); err != nil {
		return err
	}
	return redirect(c, to)
}

func (s *Server) adminMerchants(c echo.Context) error {
	return s.renderMerchants(c, http.StatusOK, views.AdminMerchants{})
}

func (s *Server) renderMerchants(c echo.Context, status int, p views.AdminMerchants) error {
	var err error
	if p.Merchants, err = s.store.Merchants(c.Request().Context(), anxin.AllMerchants()); err != nil {
		return err
	}
	return s.render(c, status, views.AdminMerchantsView(p))
}

func (s *Server) createMerchant(c echo.Context) error {
	m := anxin.Merchant{Code: strings.TrimSpace(c.FormValue("code")), Name: strings.TrimSpace(c.FormValue("name")),
		InstantRefund: anxin.DefaultInstantRefund()}
	created, err := s.store.CreateMerchantBy(c.Request().Context(), user(c).Actor(), m)
	if err != nil {
		if !refusal422(err) {
			return err
		}
		return s.renderMerchants(c, http.StatusUnprocessableEntity, views.AdminMerchants{Form: m, Error: err})
	}
	return s.savedRedirect(c, "/admin/merchants/"+created.Code)
}

func (s *Server) adminMerchant(c echo.Context) error {
	m, err := s.store.MerchantByCode(c.Request().Context(), c.Param("code"))
	if err != nil {
		return anxin.Fail(anxin.MsgMerchantNotFound)
	}
	return s.renderMerchant(c, http.StatusOK, views.AdminMerchant{Merchant: m})
}

func (s *Server) renderMerchant(c echo.Context, status int, p views.AdminMerchant) error {
	var err error
	if p.Overrides, err = s.store.Overrides(c.Request().Context(), p.Merchant.ID); err != nil {
		return err
	}
	return s.render(c, status, views.AdminMerchantView(p))
}

func (s *Server) updateMerchant(c echo.Context) error {
	m, err := s.store.MerchantByCode(c.Request().Context(), c.Param("code"))
	if err != nil {
		return anxin.Fail(anxin.MsgMerchantNotFound)
	}
	m.Name = strings.TrimSpace(c.FormValue("name"))
	m.InstantRefund.Enabled = c.FormValue("instant") == "1"
	m.InstantRefund.Unshipped = c.FormValue("instant_unshipped") == "1"
	if m.InstantRefund.MaxFen, err = parseYuan(c.FormValue("instant_max")); err != nil {
		return s.renderMerchant(c, http.StatusUnprocessableEntity, views.AdminMerchant{Merchant: m, Error: anxin.Fail(anxin.MsgNumberNeeded)})
	}
	if err := s.store.UpdateMerchant(c.Request().Context(), user(c).Actor(), m); err != nil {
		if !refusal422(err) {
			return err
		}
		return s.renderMerchant(c, http.StatusUnprocessableEntity, views.AdminMerchant{Merchant: m, Error: err})
	}
	return s.savedRedirect(c, "/admin/merchants/"+m.Code)
}

// setPolicy stores a merchant's override of one service: an empty field keeps
// the catalog's default; the checkbox opts the merchant in or out.
func (s *Server) setPolicy(c echo.Context) error {
	m, err := s.store.MerchantByCode(c.Request().Context(), c.Param("code"))
	if err != nil {
		return anxin.Fail(anxin.MsgMerchantNotFound)
	}
	svc, err := anxin.LookupService(anxin.ServiceKey(c.Param("service")))
	if err != nil {
		return anxin.Fail(anxin.MsgServiceNotFound)
	}
	o := anxin.PolicyOverride{Service: svc.Key}
	enabled := c.FormValue("enabled") == "1"
	if enabled != svc.Default.Enabled {
		o.Enabled = &enabled
	}
	bad := false
	hours := func(field string) *time.Duration {
		v := strings.TrimSpace(c.FormValue(field))
		if v == "" {
			return nil
		}
		h, err := strconv.ParseFloat(v, 64)
		if err != nil {
			bad = true
			return nil
		}
		d := time.Duration(h * float64(time.Hour))
		return &d
	}
	count := func(field string) *int {
		v := strings.TrimSpace(c.FormValue(field))
		if v == "" {
			return nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			bad = true
		}
		return &n
	}
	o.Window, o.MerchantClock, o.OfferClock = hours("window_hours"), hours("clock_hours"), hours("offer_clock_hours")
	o.EvidenceMin, o.MaxOffers = count("evidence_min"), count("max_offers")
	o.ShipClock = hours("ship_clock_hours")
	if bad {
		return s.renderMerchant(c, http.StatusUnprocessableEntity, views.AdminMerchant{Merchant: m, Error: anxin.Fail(anxin.MsgNumberNeeded)})
	}
	if err := s.store.SetPolicyBy(c.Request().Context(), user(c).Actor(), m.ID, o); err != nil {
		if !refusal422(err) {
			return err
		}
		return s.renderMerchant(c, http.StatusUnprocessableEntity, views.AdminMerchant{Merchant: m, Error: err})
	}
	return s.savedRedirect(c, "/admin/merchants/"+m.Code)
}

func (s *Server) adminAudit(c echo.Context) error {
	before, _ := strconv.ParseInt(c.QueryParam("before"), 10, 64)
	entries, err := s.store.AuditLog(c.Request().Context(), before, 100)
	if err != nil {
		return err
	}
	p := views.AdminAudit{Entries: entries}
	if len(entries) == 100 {
		p.Next = "/admin/audit?before=" + strconv.FormatInt(entries[len(entries)-1].ID, 10)
	}
	return s.render(c, http.StatusOK, views.AdminAuditView(p))
}

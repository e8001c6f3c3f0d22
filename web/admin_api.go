package web

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/anxin-helpdesk/anxin/web/webhook"
	"github.com/labstack/echo/v4"
)

// The admin's pages for the integrations: intake API keys (list, create,
// revoke) and webhook endpoints with their deliveries.

func (s *Server) adminRoutes(admin []echo.MiddlewareFunc) {
	e := s.echo
	e.GET("/admin/apikeys", s.adminAPIKeys, admin...)
	e.POST("/admin/apikeys", s.adminCreateAPIKey, admin...)
	e.POST("/admin/apikeys/:id/revoke", s.adminRevokeAPIKey, admin...)
	e.GET("/admin/webhooks", s.adminWebhooks, admin...)
	e.POST("/admin/webhooks", s.adminCreateWebhook, admin...)
	e.GET("/admin/webhooks/:id", s.adminWebhook, admin...)
	e.POST("/admin/webhooks/:id/active", s.adminWebhookActive, admin...)
	e.POST("/admin/deliveries/:id/retry", s.adminRetryDelivery, admin...)
}

func (s *Server) adminAPIKeys(c echo.Context) error {
	return s.renderAPIKeys(c, http.StatusOK, views.APIKeys{})
}

func (s *Server) renderAPIKeys(c echo.Context, status int, page views.APIKeys) error {
	ctx := c.Request().Context()
	keys, err := s.store.APIKeys(ctx)
	if err != nil {
		return err
	}
	if page.Merchants, err = s.store.Merchants(ctx, anxin.AllMerchants()); err != nil {
		return err
	}
	page.Keys = keys
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.render(c, status, views.APIKeysPage(page))
}

// adminCreateAPIKey makes a key and shows its secret, once, on the answer
// itself (not through a redirect and a flash: the secret stays out of the
// session cookie).
func (s *Server) adminCreateAPIKey(c echo.Context) error {
	ctx := c.Request().Context()
	name, scope := strings.TrimSpace(c.FormValue("name")), c.FormValue("scope")
	ks := anxin.KeyScope{AllMerchants: scope == "all"}
	var err error
	if scope != "" && scope != "all" {
		var m anxin.Merchant
		if m, err = s.store.MerchantByCode(ctx, scope); err == nil {
			ks.MerchantID = m.ID
		}
	}
	var k anxin.APIKey
	var secret string
	if err == nil {
		k, secret, err = s.store.CreateAPIKey(ctx, name, ks)
	}
	if code := anxin.ErrorCode(err); code == anxin.EINVALID || code == anxin.EUNKNOWNMERCHANT {
		return s.renderAPIKeys(c, http.StatusUnprocessableEntity, views.APIKeys{Name: name, Scope: scope, Error: err})
	} else if err != nil {
		return err
	}
	s.log.Info("API key created", "key", k.ID, "name", k.Name, "merchant", k.MerchantCode, "by", user(c).ID)
	return s.renderAPIKeys(c, http.StatusOK, views.APIKeys{Created: &k, Secret: secret})
}

func pathID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, anxin.Fail(anxin.MsgNotFound)
	}
	return id, nil
}

func (s *Server) adminRevokeAPIKey(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	k, err := s.store.RevokeAPIKey(c.Request().Context(), id)
	if err != nil {
		return err
	}
	s.log.Info("API key revoked", "key", k.ID, "name", k.Name, "by", user(c).ID)
	if err := s.setFlash(c, "ok", fmt.Sprintf(views.T(s.langCtx(c), "API key %q revoked."), k.Name)); err != nil {
		return err
	}
	return redirect(c, "/admin/apikeys")
}

func (s *Server) adminWebhooks(c echo.Context) error {
	return s.renderWebhooks(c, http.StatusOK, views.WebhookForm{Events: []anxin.WebhookEvent{anxin.EventTicketCreated, anxin.EventStateChanged}})
}

func (s *Server) renderWebhooks(c echo.Context, status int, form views.WebhookForm) error {
	ctx := c.Request().Context()
	hooks, err := s.store.Webhooks(ctx)
	if err != nil {
		return err
	}
	merchants, err := s.store.Merchants(ctx, anxin.AllMerchants())
	if err != nil {
		return err
	}
	return s.render(c, status, views.WebhooksPage(views.Webhooks{Hooks: hooks, Merchants: merchants, Form: form}))
}

func (s *Server) adminCreateWebhook(c echo.Context) error {
	form := views.WebhookForm{URL: strings.TrimSpace(c.FormValue("url")), Secret: strings.TrimSpace(c.FormValue("secret"))}
	form.MerchantID, _ = strconv.ParseInt(c.FormValue("merchant"), 10, 64)
	if params, err := c.FormParams(); err == nil {
		for _, e := range params["events"] {
			form.Events = append(form.Events, anxin.WebhookEvent(e))
		}
	}
	w := anxin.Webhook{URL: form.URL, Secret: form.Secret, Events: form.Events, MerchantID: form.MerchantID}
	if w.Secret == "" {
		w.Secret = "whsec_" + rand.Text()
	}
	err := w.Validate()
	if err == nil {
		err = webhook.CheckURL(c.Request().Context(), w.URL, s.cfg.AllowPrivateWebhooks)
	}
	if err == nil {
		w, err = s.store.CreateWebhook(c.Request().Context(), w)
	}
	switch code := anxin.ErrorCode(err); code {
	case "":
	case anxin.EINVALID, anxin.EUNKNOWNMERCHANT:
		form.Error = err
		return s.renderWebhooks(c, http.StatusUnprocessableEntity, form)
	default:
		return err
	}
	s.log.Info("webhook added", "webhook", w.ID, "url", w.URL, "by", user(c).ID)
	if err := s.setFlash(c, "ok", "Webhook added."); err != nil {
		return err
	}
	return redirect(c, fmt.Sprintf("/admin/webhooks/%d", w.ID))
}

// deliveriesShown is how many of an endpoint's latest deliveries its page lists.
const deliveriesShown = 100

func (s *Server) adminWebhook(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	w, err := s.store.Webhook(ctx, id)
	if err != nil {
		return err
	}
	list, err := s.store.Deliveries(ctx, id, deliveriesShown)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.render(c, http.StatusOK, views.WebhookPage(views.WebhookDetail{Hook: w, Deliveries: list}))
}

func (s *Server) adminWebhookActive(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	active := c.FormValue("active") == "1"
	if err := s.store.SetWebhookActive(c.Request().Context(), id, active); err != nil {
		return err
	}
	msg := "Webhook disabled."
	if active {
		msg = "Webhook enabled."
	}
	if err := s.setFlash(c, "ok", msg); err != nil {
		return err
	}
	return redirect(c, fmt.Sprintf("/admin/webhooks/%d", id))
}

// adminRetryDelivery sends a delivery that was given up on once more, now,
// and goes back to its endpoint's page.
func (s *Server) adminRetryDelivery(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	d, err := s.store.RetryDelivery(c.Request().Context(), user(c).Actor(), id)
	if err != nil {
		return err
	}
	s.log.Info("webhook delivery retried", "delivery", d.ID, "webhook", d.WebhookID, "by", user(c).ID)
	if err := s.setFlash(c, "ok", "Delivery queued to be sent again."); err != nil {
		return err
	}
	return redirect(c, fmt.Sprintf("/admin/webhooks/%d#delivery-%d", d.WebhookID, d.ID))
}

package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/labstack/echo/v4"
)

// Returns on the workbench: the return address a ticket sends, the retry of
// a failed 运费险 payout, and the merchants' return address books (the
// merchant's own settings page; an admin's page of any merchant).

func (s *Server) returnRoutes(in []echo.MiddlewareFunc, only func(...anxin.Role) []echo.MiddlewareFunc) {
	e := s.echo
	e.POST("/tickets/:number/address", s.sendTicketAddress, in...)
	e.POST("/tickets/:number/postage/retry", s.retryPostage, only(anxin.RoleAgent)...)

	mine := only(anxin.RoleMerchant)
	e.GET("/settings/addresses", s.addresses, mine...)
	e.POST("/settings/addresses", s.saveAddress, mine...)
	e.POST("/settings/addresses/:id/default", s.defaultAddress, mine...)
	e.POST("/settings/addresses/:id/delete", s.deleteAddress, mine...)

	admin := only(anxin.RoleAdmin)
	e.GET("/admin/merchants/:code/addresses", s.addresses, admin...)
	e.POST("/admin/merchants/:code/addresses", s.saveAddress, admin...)
	e.POST("/admin/merchants/:code/addresses/:id/default", s.defaultAddress, admin...)
	e.POST("/admin/merchants/:code/addresses/:id/delete", s.deleteAddress, admin...)
}

// returnsView gathers the ticket page's return: the address sent, the
// merchant's book, the parcels, the 运费险 payout and the slots the buyer
// may still book.
func (s *Server) returnsView(ctx context.Context, u *anxin.User, t anxin.Ticket, pol anxin.Policy) (views.ReturnsView, error) {
	v, err := s.store.TicketView(ctx, u.Actor().Scope(), t.ID)
	if err != nil {
		return views.ReturnsView{}, err
	}
	return s.returnsFrom(ctx, u, t, pol, v)
}

// returnsFrom is returnsView for a page that has read the ticket's view.
func (s *Server) returnsFrom(ctx context.Context, u *anxin.User, t anxin.Ticket, pol anxin.Policy, v store.TicketView) (views.ReturnsView, error) {
	scope := u.Actor().Scope()
	var r views.ReturnsView
	var err error
	r.Address, r.Postage, r.Shipments = v.Address, v.Postage, v.Shipments
	if r.Book, err = s.store.ReturnAddresses(ctx, scope, t.MerchantID); err != nil {
		return r, err
	}
	if tr, ok := anxin.LookupFor(t, anxin.BookPickup, pol); ok && tr.Allows(anxin.RoleBuyer) {
		r.Slots = pol.Pickup.Slots(s.now(), t.Deadline)
	}
	r.KeepsBook = u.Actor().MayKeepAddresses(t.MerchantID)
	switch u.Role {
	case anxin.RoleMerchant:
		r.BookURL = "/settings/addresses"
	case anxin.RoleAdmin:
		m, err := s.store.MerchantByID(ctx, anxin.AllMerchants(), t.MerchantID)
		if err != nil {
			return r, err
		}
		r.BookURL = "/admin/merchants/" + m.Code + "/addresses"
	}
	return r, nil
}

// macroAddress is what {return_address} reads on the ticket: the address it
// sent the buyer, or the merchant's default before one was sent.
func macroAddress(r views.ReturnsView) *anxin.ReturnAddress {
	if r.Address.TicketID != 0 {
		a := r.Address.ReturnAddress
		return &a
	}
	for _, a := range r.Book {
		if a.Default {
			return &a
		}
	}
	return nil
}

// sendTicketAddress sends the buyer another of the merchant's return
// addresses (the chosen one), until the goods are shipped back.
func (s *Server) sendTicketAddress(c echo.Context) error {
	ctx := c.Request().Context()
	u := user(c)
	t, err := s.store.TicketByNumber(ctx, u.Actor().Scope(), c.Param("number"))
	if err != nil {
		return err
	}
	id, _ := strconv.ParseInt(c.FormValue("address"), 10, 64)
	_, err = s.store.SetTicketAddress(ctx, u.Actor(), t.ID, id)
	return s.afterTicketChange(c, t, views.SendAddress, err)
}

// retryPostage asks the payment system again for a failed 运费险 payout.
func (s *Server) retryPostage(c echo.Context) error {
	ctx := c.Request().Context()
	u := user(c)
	t, err := s.store.TicketByNumber(ctx, u.Actor().Scope(), c.Param("number"))
	if err != nil {
		return err
	}
	return s.afterTicketChange(c, t, anxin.PostageRetried, s.store.RetryPostage(ctx, u.Actor(), t.ID))
}

// afterTicketChange answers a change of the ticket that is not a decision:
// the ticket again (its body for htmx, a redirect otherwise), with the
// refusal shown on it when the change was refused.
func (s *Server) afterTicketChange(c echo.Context, t anxin.Ticket, what anxin.Action, err error) error {
	ctx := c.Request().Context()
	u := user(c)
	if err != nil && (anxin.ErrorCode(err) == anxin.EINTERNAL || anxin.ErrorCode(err) == anxin.ENOTFOUND) {
		return err
	}
	if err == nil && !isHTMX(c) {
		return redirect(c, "/tickets/"+t.Number+"#logistics")
	}
	t, terr := s.store.Ticket(ctx, u.Actor().Scope(), t.ID)
	if terr != nil {
		return terr
	}
	p, terr := s.ticketView(c, t)
	if terr != nil {
		return terr
	}
	status := http.StatusOK
	if err != nil {
		p.Outcome, status = views.Outcome{Kind: "refused", Action: what, Err: err}, http.StatusUnprocessableEntity
	}
	return s.renderTicket(c, status, p)
}

// addressBook is the merchant whose book the request is about: the
// merchant user's own, or the one an admin names by code.
func (s *Server) addressBook(c echo.Context) (anxin.Merchant, string, error) {
	ctx := c.Request().Context()
	u := user(c)
	if u.Role == anxin.RoleMerchant {
		m, err := s.store.MerchantByID(ctx, u.Actor().Scope(), u.MerchantID)
		return m, "/settings/addresses", err
	}
	m, err := s.store.MerchantByCode(ctx, c.Param("code"))
	if err != nil {
		return m, "", anxin.Fail(anxin.MsgMerchantNotFound)
	}
	return m, "/admin/merchants/" + m.Code + "/addresses", nil
}

func (s *Server) addresses(c echo.Context) error {
	m, base, err := s.addressBook(c)
	if err != nil {
		return err
	}
	p := views.AddressesPage{Merchant: m, BaseURL: base, Admin: user(c).Role == anxin.RoleAdmin}
	if id, err := strconv.ParseInt(c.QueryParam("edit"), 10, 64); err == nil && id > 0 {
		if p.Addresses, err = s.store.ReturnAddresses(c.Request().Context(), user(c).Actor().Scope(), m.ID); err != nil {
			return err
		}
		for _, a := range p.Addresses {
			if a.ID == id {
				p.Form = a
			}
		}
	}
	return s.renderAddresses(c, http.StatusOK, p)
}

func (s *Server) renderAddresses(c echo.Context, status int, p views.AddressesPage) error {
	var err error
	if p.Addresses, err = s.store.ReturnAddresses(c.Request().Context(), user(c).Actor().Scope(), p.Merchant.ID); err != nil {
		return err
	}
	return s.render(c, status, views.AddressesView(p))
}

// saveAddress adds an address to the book, or changes one (id): a refusal
// shows the form again with the message next to its field.
func (s *Server) saveAddress(c echo.Context) error {
	m, base, err := s.addressBook(c)
	if err != nil {
		return err
	}
	id, _ := strconv.ParseInt(c.FormValue("id"), 10, 64)
	a := anxin.ReturnAddress{ID: id, MerchantID: m.ID, Name: c.FormValue("name"), Phone: c.FormValue("phone"),
		Region: c.FormValue("region"), Street: c.FormValue("street"), Default: c.FormValue("default") == "1"}
	if _, err := s.store.SaveReturnAddress(c.Request().Context(), user(c).Actor(), a); err != nil {
		if !refusal422(err) {
			return err
		}
		p := views.AddressesPage{Merchant: m, BaseURL: base, Admin: user(c).Role == anxin.RoleAdmin, Form: a, Error: err}
		p.Form.Name, p.Form.Phone = strings.TrimSpace(a.Name), strings.TrimSpace(a.Phone)
		return s.renderAddresses(c, http.StatusUnprocessableEntity, p)
	}
	if err := s.setFlash(c, "ok", views.T(s.langCtx(c), "Return addresses")+" ✓"); err != nil {
		return err
	}
	return redirect(c, base)
}

func (s *Server) defaultAddress(c echo.Context) error {
	return s.changeAddress(c, func(ctx context.Context, by anxin.Actor, merchantID, id int64) error {
		return s.store.SetDefaultAddress(ctx, by, merchantID, id)
	})
}

func (s *Server) deleteAddress(c echo.Context) error {
	return s.changeAddress(c, func(ctx context.Context, by anxin.Actor, merchantID, id int64) error {
		return s.store.DeleteReturnAddress(ctx, by, merchantID, id)
	})
}

func (s *Server) changeAddress(c echo.Context, change func(ctx context.Context, by anxin.Actor, merchantID, id int64) error) error {
	m, base, err := s.addressBook(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return anxin.Fail(anxin.MsgAddressNotFound)
	}
	if err := change(c.Request().Context(), user(c).Actor(), m.ID, id); err != nil {
		if !refusal422(err) {
			return err
		}
		p := views.AddressesPage{Merchant: m, BaseURL: base, Admin: user(c).Role == anxin.RoleAdmin, Error: err}
		return s.renderAddresses(c, http.StatusUnprocessableEntity, p)
	}
	return redirect(c, base)
}

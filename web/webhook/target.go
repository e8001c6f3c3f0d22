package webhook

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// Where webhooks may go. An endpoint is a URL an admin types; left open,
// it turns Anxin into a way to reach what only this machine can reach: its
// own loopback services, the private network behind it, a cloud's metadata
// address. So by default an endpoint must be on a public address, checked
// twice: when it is registered (CheckURL, for a clear answer) and when each
// delivery connects (the sender's dialer, whatever the name resolves to by
// then). Deploys whose payment systems live on the private network say so
// with --allow-private-webhooks.

// private reports whether the address is one a webhook may not reach
// unless private addresses are allowed.
func private(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsUnspecified() || a.IsMulticast() || a.IsInterfaceLocalMulticast() ||
		netip.MustParsePrefix("100.64.0.0/10").Contains(a) // carrier-grade NAT, used inside clouds
}

// CheckURL refuses an endpoint whose host is, or resolves to, an address
// of this machine or of a private network, unless allowPrivate. A name that
// does not resolve now is let through: the sender's dialer checks again.
func CheckURL(ctx context.Context, raw string, allowPrivate bool) error {
	if allowPrivate {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return anxin.Fail(anxin.MsgWebhookURL)
	}
	host := u.Hostname()
	addrs := []netip.Addr{}
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = append(addrs, a)
	} else {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		addrs, _ = net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	}
	for _, a := range addrs {
		if private(a) {
			return anxin.Fail(anxin.MsgWebhookPrivate, host)
		}
	}
	return nil
}

// errPrivate is a delivery refused at its connection.
var errPrivate = errors.New("the webhook's address is on this machine or a private network (see --allow-private-webhooks)")

// newClient is the sender's HTTP client: 10 s per request, redirects not
// followed, and, unless allowPrivate, no connection to a private address.
func newClient(allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	if !allowPrivate {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || private(ap.Addr()) {
				return errPrivate
			}
			return nil
		}
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = d.DialContext
	t.Proxy = nil // a proxy would connect for us, out of the dialer's sight
	return &http.Client{
		Timeout:       10 * time.Second,
		Transport:     t,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

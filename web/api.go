package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/web/api"
	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"
)

// The intake API v1: JSON under /api/v1, authenticated with a bearer API
// key instead of a session (so no CSRF token: a browser cannot send the key
// on its own), rate limited per key. Errors are {"error": {"code", "message"}}
// with the domain's codes. web/openapi.json documents every route; a test
// holds the two together.

const apiPrefix = "/api/v1"

// Default per-key rate limit: a shop system pushing claims and polling
// tickets stays well under it; a runaway loop is slowed, not the helpdesk.
const (
	DefaultAPIRate  = 50 // requests per second
	maxJSONBody     = 1 << 20
	keyAPIKey       = "api_key" // echo context key of the request's anxin.APIKey
	headerIdemKey   = "Idempotency-Key"
	maxIdemKeyBytes = 255
)

func (s *Server) apiRoutes() {
	e := s.echo
	in := []echo.MiddlewareFunc{s.apiAuth}
	e.GET(apiPrefix+"/openapi.json", s.apiOpenAPI)
	e.POST(apiPrefix+"/tickets", s.apiCreateTicket, in...)
	e.GET(apiPrefix+"/tickets", s.apiListTickets, in...)
	e.GET(apiPrefix+"/tickets/:id", s.apiGetTicket, in...)
	e.POST(apiPrefix+"/tickets/:id/events", s.apiTicketEvent, in...)
	e.POST(apiPrefix+"/tickets/:id/logistics", s.apiLogistics, in...)
	e.POST(apiPrefix+"/tickets/:id/evidence", s.apiEvidence, in...)
	e.POST(apiPrefix+"/tickets/:id/messages", s.apiPostMessage, in...)
	e.GET(apiPrefix+"/tickets/:id/messages", s.apiMessages, in...)
	e.POST(apiPrefix+"/merchants/:code/orders", s.apiDailyOrders, in...)
	e.POST(apiPrefix+"/refunds/:number/result", s.apiRefundResult, in...)
}

func isAPI(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, apiPrefix+"/") }

// apiAuth lets a request through with a live API key and within its rate.
// Wrong keys are counted per address: past a few dozen, the address waits
// before any key it sends is looked at (guessing is slowed; a right key from
// elsewhere is not).
func (s *Server) apiAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		addr, now := "ip:"+c.RealIP(), s.now()
		if wait := s.badKeys.wait(addr, now); wait > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			return echo.NewHTTPError(http.StatusTooManyRequests,
				fmt.Sprintf("too many requests with a wrong API key from this address; retry in %d s", int(wait.Seconds())+1))
		}
		ctx := c.Request().Context()
		k, err := s.apiKey(ctx, c.Request().Header.Get(echo.HeaderAuthorization))
		if errors.Is(err, store.ErrBadAPIKey) {
			// Not forgotten on a right key: a guesser holding one would
			// otherwise start afresh at will.
			s.badKeys.fail(addr, now)
			s.log.Info("API request with a wrong key", "ip", c.RealIP())
		}
		if err != nil {
			return err
		}
		c.Set(keyAPIKey, k)
		if wait, ok := s.limits.allow(k.ID); !ok {
			c.Response().Header().Set("Retry-After", strconv.Itoa(wait))
			return echo.NewHTTPError(http.StatusTooManyRequests,
				fmt.Sprintf("rate limit of %g requests per second for this API key exceeded; retry in %d s", s.limits.rate, wait))
		}
		if err := s.store.TouchAPIKey(ctx, k.ID); err != nil {
			s.log.Warn("recording an API key's use failed", "key", k.ID, "err", err)
		}
		return next(c)
	}
}

// apiKey is the live key an Authorization header carries.
func (s *Server) apiKey(ctx context.Context, authorization string) (anxin.APIKey, error) {
	scheme, secret, _ := strings.Cut(authorization, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return anxin.APIKey{}, store.ErrBadAPIKey
	}
	return s.store.APIKeyBySecret(ctx, strings.TrimSpace(secret))
}

func apiKeyOf(c echo.Context) anxin.APIKey { return c.Get(keyAPIKey).(anxin.APIKey) }

// limiter keeps a token bucket per API key.
type limiter struct {
	rate  float64 // per second; 0: no limit
	burst int
	keys  sync.Map // key id -> *rate.Limiter
}

func newLimiter(perSecond float64) *limiter {
	switch {
	case perSecond == 0:
		perSecond = DefaultAPIRate
	case perSecond < 0:
		return &limiter{}
	}
	return &limiter{rate: perSecond, burst: max(1, int(2*perSecond))}
}

// allow takes a token for the key, or says how many seconds until one is there.
func (l *limiter) allow(id int64) (retryAfter int, ok bool) {
	if l.rate == 0 {
		return 0, true
	}
	v, _ := l.keys.LoadOrStore(id, rate.NewLimiter(rate.Limit(l.rate), l.burst))
	lim := v.(*rate.Limiter)
	r := lim.Reserve()
	if d := r.Delay(); d > 0 {
		r.Cancel()
		return max(1, int(math.Ceil(d.Seconds()))), false
	}
	return 0, true
}

// apiStatus is the HTTP status and code of an error answered by the API.
func apiStatus(err error) (status int, code, message string) {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		msg, _ := he.Message.(string)
		if msg == "" {
			msg = http.StatusText(he.Code)
		}
		codes := map[int]string{
			http.StatusBadRequest:            "bad_request",
			http.StatusUnauthorized:          anxin.EUNAUTHORIZED,
			http.StatusNotFound:              anxin.ENOTFOUND,
			http.StatusMethodNotAllowed:      "method_not_allowed",
			http.StatusRequestEntityTooLarge: "too_large",
			http.StatusTooManyRequests:       "rate_limited",
		}
		code, ok := codes[he.Code]
		if !ok {
			code = strings.ToLower(strings.ReplaceAll(http.StatusText(he.Code), " ", "_"))
		}
		if he.Code >= 500 {
			return he.Code, anxin.EINTERNAL, "internal error"
		}
		return he.Code, code, msg
	}
	code = anxin.ErrorCode(err)
	if code == anxin.EINTERNAL {
		return http.StatusInternalServerError, code, "internal error"
	}
	return statusOf(code), code, anxin.ErrorMessage(err)
}

// apiError answers an error as JSON. Internal errors are logged, not shown.
func (s *Server) apiError(err error, c echo.Context) {
	status, code, msg := apiStatus(err)
	if status >= 500 {
		s.log.Error("API request failed", "err", err, "method", c.Request().Method, "path", c.Request().URL.Path,
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
	}
	if status == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="anxin"`)
	}
	var field string
	if status < 500 {
		field = string(anxin.ErrorField(err))
	}
	body, _ := json.Marshal(api.Error{Error: api.ErrorBody{Code: code, Message: msg, Field: field}})
	if err := writeJSON(c, status, body); err != nil {
		s.log.Debug("answering an API error failed", "err", err) // the client went away
	}
}

func writeJSON(c echo.Context, status int, body []byte) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	if c.Request().Method == http.MethodHead {
		return c.NoContent(status)
	}
	return c.Blob(status, echo.MIMEApplicationJSON, body)
}

// writeAPI answers v as JSON with the status.
func writeAPI(c echo.Context, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return writeJSON(c, status, body)
}

// readJSON reads a JSON body (at most 1 MiB) into v and returns its bytes.
func readJSON(c echo.Context, v any) ([]byte, error) {
	raw, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, maxJSONBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, echo.NewHTTPError(http.StatusRequestEntityTooLarge, "the body is larger than 1 MiB")
	}
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusBadRequest, "the body could not be read")
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, echo.NewHTTPError(http.StatusBadRequest, "malformed JSON: "+err.Error())
	}
	return raw, nil
}

// idempotencyKey is the request's Idempotency-Key (the zero key when it
// has none), bound to the API key and to a hash of the request: a retry with
// the same body gets the first answer (Idempotent-Replayed: true), one with
// another body a 409.
func idempotencyKey(c echo.Context, raw []byte) (store.IdempotencyKey, error) {
	key := c.Request().Header.Get(headerIdemKey)
	switch {
	case key == "":
		return store.IdempotencyKey{}, nil
	case len(key) > maxIdemKeyBytes:
		return store.IdempotencyKey{}, anxin.Errorf(anxin.EINVALID, "an Idempotency-Key is at most %d bytes", maxIdemKeyBytes)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", c.Request().Method, c.Request().URL.Path)
	h.Write(raw)
	return store.IdempotencyKey{APIKeyID: apiKeyOf(c).ID, Key: key, RequestHash: hex.EncodeToString(h.Sum(nil))}, nil
}

// answerTicket answers what an idempotent use case returned: the ticket
// with status, or its refusal, marked as replayed when it is the first
// answer given again.
func answerTicket(c echo.Context, status int, v store.TicketView, replayed bool, err error) error {
	if replayed {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	var kept *store.KeptResponse
	if errors.As(err, &kept) {
		return writeJSON(c, kept.Status, kept.Body)
	}
	if err != nil {
		return err
	}
	return writeAPI(c, status, ticketOf(v))
}

func (s *Server) apiOpenAPI(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPIDocument)
}

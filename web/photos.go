package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/labstack/echo/v4"
)

// photoMaxAge is how long a browser may reuse a photo without asking again.
// Short, because the right to see it can end (a logout, another user at the
// same desk): after it, the browser revalidates with the ETag and gets a 304
// only if it still may see the photo.
const photoMaxAge = 5 * time.Minute

// photosView gathers a ticket's photo section for the logged-in user: the
// ticket page renders views.Photos(v) with it, and an htmx upload answers
// with the same section.
func (s *Server) photosView(ctx context.Context, u *anxin.User, t anxin.Ticket) (views.PhotosView, error) {
	svc, p, err := s.store.Policy(ctx, t.MerchantID, t.Service)
	if err != nil {
		return views.PhotosView{}, err
	}
	return s.photosViewWith(ctx, u, t, svc, p)
}

// photosViewWith is photosView for a page that has read the ticket's
// service and policy already.
func (s *Server) photosViewWith(ctx context.Context, u *anxin.User, t anxin.Ticket, svc anxin.Service, p anxin.Policy) (views.PhotosView, error) {
	evs, err := s.store.Evidence(ctx, u.Actor().Scope(), t.ID)
	if err != nil {
		return views.PhotosView{}, err
	}
	party, err := anxin.EvidenceParty(u.Actor())
	lim := s.store.Photos()
	return views.PhotosView{Ticket: t, Evidence: evs, Check: anxin.CheckEvidence(svc, p, evs),
		Upload: views.UploadForm{Allowed: err == nil && !t.State.Terminal(), Party: party, Labels: svc.Checklist,
			MaxMB: lim.MaxBytes >> 20, MaxMP: lim.MaxPixels / 1_000_000, MaxPerParty: lim.MaxPerParty}}, nil
}

// photoBodyLimit refuses an upload larger than a full set of photos before
// anything reads it (the CSRF check reads the form), and caps what is read
// of one that does not say its length.
func (s *Server) photoBodyLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		lim := s.store.Photos().MaxBytes*int64(s.store.Photos().MaxPerParty) + 1<<20
		r := c.Request()
		if r.ContentLength > lim {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "The upload is too large.")
		}
		r.Body = http.MaxBytesReader(c.Response(), r.Body, lim)
		return next(c)
	}
}

// addPhotos adds the uploaded photos (multipart field "photos", any number
// up to the per-party limit) to the ticket, each on its own: one refused
// file does not stop the others. A plain form comes back to the ticket with
// a flash naming each refused file and why; htmx gets the photo section
// again, with a line per file.
func (s *Server) addPhotos(c echo.Context) error {
	u := user(c)
	ctx := c.Request().Context()
	t, err := s.store.TicketByNumber(ctx, u.Actor().Scope(), c.Param("number"))
	if err != nil {
		return err
	}
	form, err := c.MultipartForm()
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "The upload is too large.")
	}
	var files []*multipart.FileHeader
	if err == nil {
		files = form.File["photos"]
	}
	switch n := s.store.Photos().MaxPerParty; {
	case len(files) == 0:
		return s.photosAnswer(c, u, t, nil, s.tr(c, "Choose at least one photo."))
	case len(files) > n:
		return s.photosAnswer(c, u, t, nil, s.tr(c, "Too many files at once: at most %d.", n))
	}
	label := c.FormValue("label")
	var results []views.UploadResult
	for _, fh := range files {
		r := views.UploadResult{Name: fileName(fh.Filename)}
		e, err := s.addPhoto(ctx, u.Actor(), t.ID, label, fh)
		switch {
		case anxin.ErrorCode(err) == anxin.EINTERNAL:
			return err
		case err != nil:
			r.Message = views.ErrorText(s.langCtx(c), err)
		case len(e.Duplicates) > 0:
			r.OK, r.Message = true, s.tr(c, "Added; the same picture is also on %s.", duplicateNumbers(e.Duplicates))
		default:
			r.OK, r.Message = true, s.tr(c, "Added.")
		}
		results = append(results, r)
	}
	added := 0
	for _, r := range results {
		if r.OK {
			added++
		}
	}
	s.log.Info("photos uploaded", "ticket", t.ID, "user", u.ID, "added", added, "refused", len(files)-added,
		"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
	return s.photosAnswer(c, u, t, results, s.tr(c, "%d of %d photos added.", added, len(files)))
}

// photosAnswer answers an upload: htmx gets the photo section with a line
// per file (or the summary alone when no file was taken); a plain form goes
// back to the ticket with the summary and each refusal in a flash.
func (s *Server) photosAnswer(c echo.Context, u *anxin.User, t anxin.Ticket, results []views.UploadResult, summary string) error {
	failed := len(results) == 0
	parts := []string{summary}
	for _, r := range results {
		if !r.OK {
			failed = true
			parts = append(parts, r.Name+": "+r.Message)
		}
	}
	if c.Request().Header.Get("HX-Request") != "" {
		v, err := s.photosView(c.Request().Context(), u, t)
		if err != nil {
			return err
		}
		v.Upload.Results = results
		if len(results) == 0 {
			v.Upload.Results = []views.UploadResult{{Message: summary}}
		}
		return s.render(c, http.StatusOK, views.Photos(v))
	}
	kind := "ok"
	if failed {
		kind = "bad"
	}
	if err := s.setFlash(c, kind, strings.Join(parts, " ")); err != nil {
		return err
	}
	return redirect(c, "/tickets/"+t.Number)
}

// addPhoto reads one uploaded file, never more than the size limit and a
// byte (the store refuses a file that long as too large), and adds it.
func (s *Server) addPhoto(ctx context.Context, by anxin.Actor, ticketID int64, label string, fh *multipart.FileHeader) (anxin.Evidence, error) {
	f, err := fh.Open()
	if err != nil {
		return anxin.Evidence{}, fmt.Errorf("open upload: %w", err)
	}
	defer func() { _ = f.Close() }() // read only
	data, err := io.ReadAll(io.LimitReader(f, s.store.Photos().MaxBytes+1))
	if err != nil {
		return anxin.Evidence{}, fmt.Errorf("read upload: %w", err)
	}
	return s.store.AddPhoto(ctx, by, store.Upload{TicketID: ticketID, Label: label, Data: data})
}

// fileName is an uploaded file's name as the user knows it, only to say
// which file a message is about: no path, no control characters, bounded.
func fileName(name string) string {
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, filepath.Base(strings.ReplaceAll(name, `\`, "/")))
	if r := []rune(name); len(r) > 60 {
		name = string(r[:57]) + "…"
	}
	if name == "" || name == "." || name == "/" {
		return "?"
	}
	return name
}

func duplicateNumbers(ds []anxin.Duplicate) string {
	var n []string
	for _, d := range ds {
		n = append(n, d.TicketNumber)
	}
	return strings.Join(n, ", ")
}

// tr translates a message into the user's language.
func (s *Server) tr(c echo.Context, format string, args ...any) string {
	if len(args) == 0 {
		return views.T(s.langCtx(c), format)
	}
	return views.Tf(s.langCtx(c), format, args...)
}

// servePhoto answers GET /photos/:id/thumb and /photos/:id/display: the
// re-encoded JPEG of a photo the user may see (another merchant's is not
// found), never the original upload. Its sha256 is its ETag, so a browser
// that has it gets a 304.
func (s *Server) servePhoto(size store.PhotoSize) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := strconv.ParseInt(c.Param("id"), 10, 64)
		if err != nil || id <= 0 {
			return anxin.Fail(anxin.MsgPhotoNotFound)
		}
		sum, f, err := s.store.Photo(c.Request().Context(), user(c).Actor().Scope(), id, size)
		if err != nil {
			return err
		}
		defer func() { _ = f.Close() }() // read only
		h := c.Response().Header()
		h.Set(echo.HeaderContentType, "image/jpeg")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", fmt.Sprintf("private, max-age=%d", int(photoMaxAge.Seconds())))
		h.Set("ETag", `"`+sum+`"`)
		h.Set("Content-Disposition", fmt.Sprintf(`inline; filename="photo-%d-%s.jpg"`, id, size))
		// An image opened on its own runs nothing.
		h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; sandbox")
		http.ServeContent(c.Response(), c.Request(), "", time.Time{}, f)
		return nil
	}
}

package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo"
	"github.com/anxin-helpdesk/anxin/photo/phototest"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// file is one file of a multipart upload.
type file struct {
	name string
	data []byte
}

// upload posts files as the photo form does (field "photos"). A plain form
// carries the session's CSRF token as the field _csrf, unless fields set it;
// htmx sends it in the X-CSRF-Token header (hx-headers on the body) and adds
// HX-Request. It returns the response and its body.
func (c *client) upload(path string, files []file, fields map[string]string, htmx bool) (*http.Response, []byte) {
	c.e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if _, ok := fields["_csrf"]; !ok && !htmx {
		mw.WriteField("_csrf", c.csrf)
	}
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for _, f := range files {
		w, _ := mw.CreateFormFile("photos", f.name)
		w.Write(f.data)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if htmx {
		req.Header.Set("HX-Request", "true")
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

func (c *client) fetch(path string, header map[string]string) (*http.Response, []byte) {
	c.e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.e.srv.URL+path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

func evidenceCount(t *testing.T, e *env, ticket anxin.Ticket) int {
	t.Helper()
	evs, err := e.store.Evidence(ctx, anxin.AllMerchants(), ticket.ID)
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

func TestUploadPhotosAndServeThem(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "义乌优品家居百货")
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.Damaged, 19900)
	agent := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	c := e.client()
	c.login(agent)

	taken := time.Date(2026, 11, 24, 20, 5, 0, 0, time.FixedZone("", 8*3600))
	withGPS, err := photo.WithEXIF(phototest.JPEG(phototest.Scene(1, 2000, 1500), 90), photo.Meta{
		Make: "HUAWEI", Model: "ALN-AL00", TakenAt: taken, GPS: &[2]float64{25.04, 102.71}})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := c.upload("/tickets/"+tk.Number+"/photos", []file{
		{"IMG_0001.jpg", withGPS},
		{"invoice.jpg", phototest.HTML()},
	}, map[string]string{"label": "parcel"}, false)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/tickets/"+tk.Number {
		t.Fatalf("upload: %s to %q", res.Status, res.Header.Get("Location"))
	}
	// The flash names the refused file and says why, in Chinese.
	_, doc := c.get("/queue")
	flash := doc.Find(".flash").Text()
	for _, want := range []string{"已添加 1 张照片（共 2 张）", "invoice.jpg", "该文件是网页或矢量图"} {
		if !strings.Contains(flash, want) {
			t.Errorf("flash %q lacks %q", flash, want)
		}
	}
	evs, err := e.store.Evidence(ctx, anxin.AllMerchants(), tk.ID)
	if err != nil || len(evs) != 1 {
		t.Fatalf("%d photos stored, %v", len(evs), err)
	}
	ev := evs[0]
	if ev.Party != anxin.PartyBuyer || ev.Label != "parcel" || !ev.Facts.TakenAt.Equal(taken) || !ev.Facts.HadGPS {
		t.Fatalf("stored %+v", ev)
	}

	for size, sum := range map[string]string{"thumb": ev.ThumbSHA256, "display": ev.SHA256} {
		path := "/photos/" + itoa(ev.ID) + "/" + size
		res, body := c.fetch(path, nil)
		h := res.Header
		if res.StatusCode != http.StatusOK || h.Get("Content-Type") != "image/jpeg" || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Cache-Control") != "private, max-age=300" || h.Get("ETag") != `"`+sum+`"` {
			t.Fatalf("%s: %s %v", path, res.Status, h)
		}
		// The served image is the re-encoded one: no EXIF, no APP1 at all.
		if !bytes.HasPrefix(body, []byte{0xFF, 0xD8}) || bytes.Contains(body, []byte{0xFF, 0xE1}) ||
			bytes.Contains(body, []byte("Exif")) || bytes.Contains(body, []byte("HUAWEI")) || bytes.Equal(body, withGPS) {
			t.Fatalf("%s serves metadata or the original", path)
		}
		res, body = c.fetch(path, map[string]string{"If-None-Match": `"` + sum + `"`})
		if res.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Fatalf("%s with its ETag: %s, %d bytes", path, res.Status, len(body))
		}
	}
	if res, _ := c.fetch("/photos/"+itoa(ev.ID)+"/original", nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("/original: %s", res.Status)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestPhotoAccessFollowsTheTicket(t *testing.T) {
	e := newEnv(t)
	a := storetest.MustMerchant(t, e.store, "玉颜美妆旗舰店")
	b := storetest.MustMerchant(t, e.store, "虎门服装厂")
	tk := storetest.MustTicket(t, e.store, a.ID, anxin.QualityReturn, 36800)
	staffA := storetest.MustUser(t, e.store, anxin.RoleMerchant, "林娜", a.ID)
	staffB := storetest.MustUser(t, e.store, anxin.RoleMerchant, "阿梅", b.ID)

	// The merchant's own staff add counter-evidence.
	ca := e.client()
	ca.login(staffA)
	res, _ := ca.upload("/tickets/"+tk.Number+"/photos", []file{{"returned.png", phototest.PNG(phototest.Scene(3, 300, 200))}}, nil, false)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("merchant upload: %s", res.Status)
	}
	evs, _ := e.store.Evidence(ctx, anxin.AllMerchants(), tk.ID)
	if len(evs) != 1 || evs[0].Party != anxin.PartyMerchant {
		t.Fatalf("merchant's photo: %+v", evs)
	}
	path := "/photos/" + itoa(evs[0].ID) + "/thumb"
	if res, _ := ca.fetch(path, nil); res.StatusCode != http.StatusOK {
		t.Fatalf("own merchant: %s", res.Status)
	}

	// Another merchant neither sees the photo nor adds to the ticket.
	cb := e.client()
	cb.login(staffB)
	if res, body := cb.fetch(path, nil); res.StatusCode != http.StatusNotFound || bytes.HasPrefix(body, []byte{0xFF, 0xD8}) {
		t.Fatalf("other merchant: %s", res.Status)
	}
	if res, _ := cb.upload("/tickets/"+tk.Number+"/photos", []file{{"x.jpg", phototest.JPEG(phototest.Scene(4, 64, 48), 80)}}, nil, false); res.StatusCode != http.StatusNotFound {
		t.Fatalf("other merchant upload: %s", res.Status)
	}
	// Nobody logged in gets the login page, not the photo.
	if res, _ := e.client().fetch(path, nil); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatalf("anonymous: %s", res.Status)
	}
	if n := evidenceCount(t, e, tk); n != 1 {
		t.Fatalf("%d photos", n)
	}
}

func TestPhotoUploadNeedsCSRFAndLimitsItsSize(t *testing.T) {
	// A 1 MB limit per photo, so that a body over nine of them is quick to make.
	e := newEnvWith(t, photo.Options{Limits: photo.Limits{MaxBytes: 1 << 20}})
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.FreshSpoiled, 8990)
	c := e.client()
	c.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "陈静", 0))
	pic := []file{{"rose.jpg", phototest.JPEG(phototest.Scene(5, 400, 300), 85)}}
	path := "/tickets/" + tk.Number + "/photos"

	for _, token := range []string{"", "forged"} {
		if res, _ := c.upload(path, pic, map[string]string{"_csrf": token}, false); res.StatusCode != http.StatusForbidden {
			t.Fatalf("token %q: %s", token, res.Status)
		}
	}
	if n := evidenceCount(t, e, tk); n != 0 {
		t.Fatalf("a forged upload stored %d photos", n)
	}
	// A body larger than nine photos of the limit is refused before it is read.
	huge := []file{{"a.jpg", phototest.Huge(6 << 20)}, {"b.jpg", phototest.Huge(6 << 20)}}
	if res, _ := c.upload(path, huge, nil, false); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("a 12 MB body over a 10 MB limit: %s", res.Status)
	}
	// Too many files at once, and none at all, are answered in words.
	var ten []file
	for range 10 {
		ten = append(ten, pic[0])
	}
	for name, files := range map[string][]file{"ten files": ten, "no file": nil} {
		res, _ := c.upload(path, files, nil, false)
		_, doc := c.get("/queue")
		if res.StatusCode != http.StatusSeeOther || doc.Find(".flash-bad").Length() != 1 {
			t.Fatalf("%s: %s, flash %q", name, res.Status, doc.Find(".flash").Text())
		}
	}
	if n := evidenceCount(t, e, tk); n != 0 {
		t.Fatalf("%d photos stored", n)
	}
}

// htmx sends the token in a header and gets the photo section back: the
// gallery with the new photo and its facts, and a line per file.
func TestPhotoUploadWithHTMX(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "义乌优品家居百货")
	first := storetest.MustTicket(t, e.store, m.ID, anxin.Damaged, 3990)
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.Damaged, 3990)
	c := e.client()
	c.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	pic := phototest.JPEG(phototest.Scene(6, 800, 600), 85)
	c.upload("/tickets/"+first.Number+"/photos", []file{{"a.jpg", pic}}, nil, false)

	taken := time.Date(2026, 11, 25, 18, 30, 0, 0, time.FixedZone("", 8*3600))
	exifPic, _ := photo.WithEXIF(phototest.JPEG(phototest.Scene(7, 800, 600), 85), photo.Meta{Model: "iPhone 15", Make: "Apple", TakenAt: taken})
	files := []file{{"same.jpg", pic}, {"new.jpg", exifPic}, {"big.jpg", phototest.Huge(30 << 20)}, {"anim.gif", phototest.GIF()}}
	token := c.csrf
	c.csrf = ""
	if res, _ := c.upload("/tickets/"+tk.Number+"/photos", files, nil, true); res.StatusCode != http.StatusForbidden {
		t.Fatalf("htmx without a token: %s", res.Status)
	}
	c.csrf = token
	res, body := c.upload("/tickets/"+tk.Number+"/photos", files, nil, true)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("htmx upload: %s", res.Status)
	}
	doc, _ := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if doc.Find("section#photos").Length() != 1 || bytes.Contains(bytes.ToLower(body), []byte("<!doctype")) || doc.Find("header.topbar").Length() != 0 {
		t.Fatalf("the answer is not the photo section alone: %.200s", body)
	}
	results := doc.Find("[data-testid=upload-results] li")
	if results.Length() != 4 {
		t.Fatalf("%d result lines: %s", results.Length(), doc.Find("[data-testid=upload-results]").Text())
	}
	for i, want := range []string{"same.jpg: 已添加；同一照片也出现在 " + first.Number, "new.jpg: 已添加",
		"big.jpg: 文件超过单张照片的大小上限", "anim.gif: 不支持 GIF 图片"} {
		if got := strings.Join(strings.Fields(results.Eq(i).Text()), " "); !strings.Contains(strings.ReplaceAll(got, " :", ":"), want) {
			t.Errorf("line %d: %q, want %q", i, got, want)
		}
	}
	photos := doc.Find("[data-testid=photos-buyer] [data-testid=photo]")
	if photos.Length() != 2 {
		t.Fatalf("%d buyer photos in the gallery", photos.Length())
	}
	if dup := photos.Eq(0).Find("[data-testid=duplicate] a"); dup.AttrOr("href", "") != "/tickets/"+first.Number {
		t.Fatalf("duplicate link %q", dup.AttrOr("href", ""))
	}
	if got := photos.Eq(1).Find("[data-testid=taken-at]").Text(); got != "2026-11-25 18:30" {
		t.Fatalf("capture time %q", got)
	}
	if n := evidenceCount(t, e, tk); n != 2 {
		t.Fatalf("%d photos stored", n)
	}
}

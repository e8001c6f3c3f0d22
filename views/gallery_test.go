package views_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/views"
)

func render(t *testing.T, lang string, v views.PhotosView) *goquery.Document {
	t.Helper()
	zone, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	ctx := views.WithPage(context.Background(), views.Page{Lang: lang, Zone: zone, CSRF: "tok", Now: time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)})
	var buf bytes.Buffer
	if err := views.Photos(v).Render(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func galleryFixture(t *testing.T) views.PhotosView {
	t.Helper()
	svc, _ := anxin.LookupService(anxin.Damaged)
	received := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	tk := anxin.Ticket{ID: 7, Number: "AX-000007", Service: anxin.Damaged, State: anxin.PendingMerchant,
		Order: anxin.Order{ReceivedAt: received}}
	evs := []anxin.Evidence{
		{ID: 11, TicketID: 7, Party: anxin.PartyBuyer, Label: "parcel", ThumbWidth: 320, ThumbHeight: 240,
			UploadedBy: "王晓", CreatedAt: received.Add(3 * time.Hour),
			Facts: anxin.PhotoFacts{TakenAt: time.Date(2026, 11, 24, 12, 5, 0, 0, time.UTC), Camera: "HUAWEI ALN-AL00",
				HadGPS: true, BeforeReceipt: true},
			Duplicates: []anxin.Duplicate{{EvidenceID: 3, TicketID: 123, TicketNumber: "AX-000123", Exact: true},
				{EvidenceID: 4, TicketID: 150, TicketNumber: "AX-000150", Distance: 4}}},
		{ID: 12, TicketID: 7, Party: anxin.PartyBuyer, ThumbWidth: 320, ThumbHeight: 180, UploadedBy: "王晓",
			CreatedAt: received.Add(3 * time.Hour)},
		{ID: 13, TicketID: 7, Party: anxin.PartyMerchant, Label: "item", ThumbWidth: 240, ThumbHeight: 320,
			UploadedBy: "老陈", CreatedAt: received.Add(5 * time.Hour)},
	}
	p := svc.Default
	return views.PhotosView{Ticket: tk, Evidence: evs, Check: anxin.CheckEvidence(svc, p, evs),
		Upload: views.UploadForm{Allowed: true, Party: anxin.PartyBuyer, Labels: svc.Checklist, MaxMB: 10, MaxMP: 40, MaxPerParty: 9}}
}

func text(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

func TestGalleryShowsBothSidesWithTheirFacts(t *testing.T) {
	doc := render(t, "zh", galleryFixture(t))
	buyer := doc.Find("[data-testid=photos-buyer] [data-testid=photo]")
	merchant := doc.Find("[data-testid=photos-merchant] [data-testid=photo]")
	if buyer.Length() != 2 || merchant.Length() != 1 {
		t.Fatalf("%d buyer and %d merchant photos", buyer.Length(), merchant.Length())
	}
	first := buyer.First()
	link := first.Find("a.photo-thumb")
	img := link.Find("img")
	if link.AttrOr("href", "") != "/photos/11/display" || img.AttrOr("src", "") != "/photos/11/thumb" ||
		img.AttrOr("width", "") != "320" || img.AttrOr("alt", "") != "买家照片 1: 收到时的外包装" {
		t.Fatalf("thumbnail %s -> %s, alt %q", img.AttrOr("src", ""), link.AttrOr("href", ""), img.AttrOr("alt", ""))
	}
	// 12:05 UTC is 20:05 in Beijing.
	if got := text(first.Find("[data-testid=taken-at]")); got != "2026-11-24 20:05" {
		t.Errorf("capture time %q", got)
	}
	for id, want := range map[string]string{
		"camera":         "HUAWEI ALN-AL00",
		"gps":            "原图含 GPS 位置（已移除）",
		"before-receipt": "拍摄于签收之前",
	} {
		if got := text(first.Find("[data-testid=" + id + "]")); got != want {
			t.Errorf("%s: %q, want %q", id, got, want)
		}
	}
	dups := first.Find("[data-testid=duplicate]")
	if dups.Length() != 2 || text(dups.Eq(0)) != "同一照片也提交于 AX-000123 （完全相同）" ||
		dups.Eq(1).Find("a").AttrOr("href", "") != "/tickets/AX-000150" || !strings.Contains(text(dups.Eq(1)), "高度相似") {
		t.Errorf("duplicates: %q / %q", text(dups.Eq(0)), text(dups.Eq(1)))
	}
	// A photo without EXIF says so and claims nothing.
	second := buyer.Eq(1)
	if !strings.Contains(text(second.Find("[data-testid=taken-at]")), "未知") ||
		second.Find("[data-testid=camera], [data-testid=gps], [data-testid=before-receipt], [data-testid=duplicate]").Length() != 0 {
		t.Errorf("a photo without facts: %q", text(second))
	}
	if got := merchant.Find("img").AttrOr("alt", ""); got != "商家照片 1: 商品实物" {
		t.Errorf("merchant photo alt %q", got)
	}
}

func TestGalleryChecklist(t *testing.T) {
	v := galleryFixture(t)
	doc := render(t, "en", v)
	items := doc.Find("[data-testid=check-item]")
	if items.Length() != 2 {
		t.Fatalf("%d checklist items", items.Length())
	}
	// Damage wants the parcel and the item; the buyer showed the parcel (the
	// merchant's photo of the item does not count).
	parcel, item := items.Eq(0), items.Eq(1)
	if parcel.AttrOr("data-key", "") != "parcel" || !parcel.HasClass("check-present") || !strings.Contains(text(parcel), "present") {
		t.Errorf("parcel: %q %v", text(parcel), parcel.AttrOr("class", ""))
	}
	if item.AttrOr("data-key", "") != "item" || !item.HasClass("check-missing") || !strings.Contains(text(item), "The item missing") {
		t.Errorf("item: %q", text(item))
	}
	if got := text(doc.Find("[data-testid=check-count]")); got != "2 of the 2 photos required" {
		t.Errorf("count %q", got)
	}
	doc = render(t, "zh", v)
	if got := text(doc.Find("[data-testid=check-item]").Eq(1)); got != "✗ 商品实物 缺少" {
		t.Errorf("zh item %q", got)
	}
}

func TestPhotoUploadForm(t *testing.T) {
	v := galleryFixture(t)
	doc := render(t, "zh", v)
	form := doc.Find("form[data-testid=photo-upload]")
	if form.AttrOr("action", "") != "/tickets/AX-000007/photos" || form.AttrOr("method", "") != "post" ||
		form.AttrOr("enctype", "") != "multipart/form-data" || form.AttrOr("data-hx-target", "") != "#photos" {
		t.Fatalf("form %v", form.Nodes)
	}
	input := form.Find("input[type=file][name=photos]")
	if input.AttrOr("accept", "") != "image/jpeg,image/png,image/webp" || input.AttrOr("multiple", "x") == "x" {
		t.Fatalf("file input %v", input.Nodes)
	}
	if form.Find("input[name=_csrf]").AttrOr("value", "") != "tok" {
		t.Fatal("no CSRF token")
	}
	if got := form.Find("select[name=label] option").Length(); got != 3 {
		t.Fatalf("%d label options", got)
	}
	if !strings.Contains(text(form), "每张不超过 10 MB、40 百万像素；每方最多 9 张") {
		t.Errorf("limits: %q", text(form))
	}
	// A finished ticket has no form, and says why.
	v.Upload.Allowed = false
	v.Ticket.State = anxin.Closed
	doc = render(t, "zh", v)
	if doc.Find("form").Length() != 0 || !strings.Contains(text(doc.Find("#photos")), "工单已结束") {
		t.Fatal("a finished ticket offers the upload form")
	}
}

// The CSP allows no inline script or style: the component has none, and
// its script is the embedded file.
func TestGalleryHasNoInlineScriptOrStyle(t *testing.T) {
	doc := render(t, "zh", galleryFixture(t))
	if n := doc.Find("[style]").Length(); n != 0 {
		t.Errorf("%d elements with a style attribute", n)
	}
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		if src := s.AttrOr("src", ""); !strings.HasPrefix(src, "/static/gallery.js?v=") || strings.TrimSpace(s.Text()) != "" {
			t.Errorf("script %q with %q", src, s.Text())
		}
	})
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			if strings.HasPrefix(a.Key, "on") {
				t.Errorf("inline handler %s on <%s>", a.Key, s.Nodes[0].Data)
			}
		}
	})
	if doc.Find("dialog[data-lightbox] [data-lightbox-img]").Length() != 1 {
		t.Error("no full view")
	}
}

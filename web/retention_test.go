package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// TestErasedContactOnTheTicket: a ticket whose buyer contact was erased
// shows the masked forms and says when, in Chinese.
func TestErasedContactOnTheTicket(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "花漾鲜花旗舰店")
	tk := storetest.MustTicketIn(t, e.store, m.ID, anxin.Refunded, 8990)
	agent := e.client()
	agent.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	if _, doc := agent.get("/tickets/" + tk.Number); doc.Find("[data-testid=contact-erased]").Length() != 0 {
		t.Fatal("a kept contact is said to be erased")
	}
	e.clock.Advance(anxin.DefaultRetainContact)
	if n, err := e.store.EraseContacts(ctx, anxin.DefaultRetainContact); n != 1 || err != nil {
		t.Fatalf("erased %d, %v", n, err)
	}
	agent = e.client() // 90 days on, the session has ended
	agent.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "李娜", 0))
	_, doc := agent.get("/tickets/" + tk.Number)
	zone, _ := time.LoadLocation("Asia/Shanghai")
	want := "个人信息已于 " + e.clock.Now().In(zone).Format("2006-01-02") + " 清除"
	if got := strings.TrimSpace(doc.Find("[data-testid=contact-erased]").Text()); got != want {
		t.Fatalf("erased note %q, want %q", got, want)
	}
	if strings.Contains(doc.Text(), "13800138000") || !strings.Contains(doc.Text(), "李**") {
		t.Fatal("the page shows more than the masked contact")
	}
}

// TestDeletedPhotosOnTheTicket: a ticket whose photos were deleted says
// when, shows each photo's facts with a placeholder instead of the
// picture, and the picture's address answers 404.
func TestDeletedPhotosOnTheTicket(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "花漾鲜花旗舰店")
	tk := storetest.MustTicketIn(t, e.store, m.ID, anxin.Refunded, 8990)
	ev, err := e.store.AddPhoto(ctx, anxin.Buyer(), store.Upload{TicketID: tk.ID, Data: testPNG(t, 41), Backdated: true})
	if err != nil {
		t.Fatal(err)
	}
	photoURL := fmt.Sprintf("/photos/%d/thumb", ev.ID)
	agent := e.client()
	agent.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	if _, doc := agent.get("/tickets/" + tk.Number); doc.Find("[data-testid=photos-erased]").Length() != 0 ||
		doc.Find(`.photo-thumb img[src="`+photoURL+`"]`).Length() != 1 {
		t.Fatal("a kept photo is not shown, or is said to be deleted")
	}
	if res, _ := agent.get(photoURL); res.StatusCode != http.StatusOK {
		t.Fatalf("the kept photo: %s", res.Status)
	}
	e.clock.Advance(anxin.DefaultRetainPhotos)
	if got, err := e.store.ErasePhotos(ctx, anxin.DefaultRetainPhotos); got.Photos != 1 || err != nil {
		t.Fatalf("deleted %+v, %v", got, err)
	}
	agent = e.client() // a year on, the session has ended
	agent.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "李娜", 0))
	_, doc := agent.get("/tickets/" + tk.Number)
	zone, _ := time.LoadLocation("Asia/Shanghai")
	if got := doc.Find("[data-testid=photos-erased]").Text(); !strings.Contains(got, "照片已于 "+e.clock.Now().In(zone).Format("2006-01-02")+" 删除") {
		t.Fatalf("the photos' note reads %q", got)
	}
	if doc.Find(`img[src="`+photoURL+`"]`).Length() != 0 || doc.Find("[data-testid=photo-erased]").Length() != 1 ||
		!strings.Contains(doc.Find("[data-testid=photo-erased]").Text(), "已删除") {
		t.Fatal("the deleted photo is not shown as deleted")
	}
	if res, _ := agent.get(photoURL); res.StatusCode != http.StatusNotFound {
		t.Fatalf("the deleted photo's address: %s", res.Status)
	}
}

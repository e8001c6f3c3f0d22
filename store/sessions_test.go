package store_test

import (
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

func TestSessions(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "玉颜美妆旗舰店")
	u := storetest.MustUser(t, s, anxin.RoleMerchant, "林娜", m.ID)
	admin := storetest.MustUser(t, s, anxin.RoleAdmin, "管理员", 0).Actor()
	const idle, age = 12 * time.Hour, 7 * 24 * time.Hour
	login := func() string {
		t.Helper()
		token, err := s.StartSession(ctx, u, age)
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	user := func(token string) (anxin.User, error) { return s.SessionUser(ctx, token, idle) }

	token := login()
	if got, err := user(token); err != nil || got.ID != u.ID || got.MerchantName != "玉颜美妆旗舰店" {
		t.Fatalf("a new session: %+v, %v", got, err)
	}
	if _, err := user(token + "x"); err != store.ErrNoSession {
		t.Fatalf("another token: %v", err)
	}
	// What changes the user shows at once, though sessions are cached.
	if err := s.SetLang(ctx, u.ID, "en"); err != nil {
		t.Fatal(err)
	}
	if got, _ := user(token); got.Lang != "en" {
		t.Fatalf("after a language switch the session's user speaks %q", got.Lang)
	}
	m.Name = "玉颜美妆"
	if err := s.UpdateMerchant(ctx, admin, m); err != nil {
		t.Fatal(err)
	}
	if got, _ := user(token); got.MerchantName != "玉颜美妆" {
		t.Fatalf("after a rename the session's user works for %q", got.MerchantName)
	}
	// Ended by logging out: that token only.
	other := login()
	if err := s.EndSession(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, err := user(token); err != store.ErrNoSession {
		t.Fatalf("an ended session: %v", err)
	}
	if _, err := user(other); err != nil {
		t.Fatalf("the user's other session: %v", err)
	}
	// Ended by a disable, for every session of the user.
	if err := s.SetDisabled(ctx, admin, u.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := user(other); err != store.ErrNoSession {
		t.Fatalf("a disabled user's session: %v", err)
	}
	if err := s.SetDisabled(ctx, admin, u.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := user(other); err != store.ErrNoSession {
		t.Fatalf("a session from before the disable, after the enable: %v", err)
	}
	// Idle past the limit; used within it, up to its age.
	u, _ = s.UserByID(ctx, u.ID)
	token = login()
	clock.Advance(idle + time.Minute)
	if _, err := user(token); err != store.ErrNoSession {
		t.Fatalf("a session idle for longer than %v: %v", idle, err)
	}
	token = login()
	for range 15 {
		clock.Advance(11 * time.Hour)
		if _, err := user(token); err != nil {
			t.Fatalf("a session used every 11 h: %v", err)
		}
	}
	clock.Advance(4 * time.Hour) // 169 h
	if _, err := user(token); err != store.ErrNoSession {
		t.Fatalf("a session older than %v: %v", age, err)
	}
	// Expired sessions are purged.
	if err := s.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, s, "sessions"); n != 0 {
		t.Fatalf("%d sessions left after the purge, want 0", n)
	}
}

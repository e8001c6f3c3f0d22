package store_test

import (
	"bytes"
	"io"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo"
	"github.com/anxin-helpdesk/anxin/photo/phototest"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// photoFixture is a store with a merchant, its staff, an agent and a
// damage ticket (received an hour before the clock).
type photoFixture struct {
	s        *store.Store
	clock    *anxin.ManualClock
	merchant anxin.Merchant
	staff    anxin.Actor
	agent    anxin.Actor
	ticket   anxin.Ticket
}

func newPhotoFixture(t *testing.T) *photoFixture {
	t.Helper()
	return newPhotoFixtureWith(t, photo.Options{})
}

// newPhotoFixtureWith is a photo fixture whose store takes photos with opt.
func newPhotoFixtureWith(t *testing.T, opt photo.Options) *photoFixture {
	t.Helper()
	clock := anxin.NewManualClock(storetest.Epoch)
	cfg := storetest.Config(clock)
	cfg.Photos = opt
	s := storetest.MustOpenWith(t, filepath.Join(t.TempDir(), "anxin.db"), cfg)
	m := storetest.MustMerchant(t, s, "义乌优品家居百货")
	return &photoFixture{s: s, clock: clock, merchant: m,
		staff:  storetest.MustUser(t, s, anxin.RoleMerchant, "老陈", m.ID).Actor(),
		agent:  storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0).Actor(),
		ticket: storetest.MustTicket(t, s, m.ID, anxin.Damaged, 19900)}
}

func (f *photoFixture) add(t *testing.T, by anxin.Actor, ticket anxin.Ticket, data []byte) anxin.Evidence {
	t.Helper()
	e, err := f.s.AddPhoto(ctx, by, store.Upload{TicketID: ticket.ID, Label: "item", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// photoFiles lists the files under the photo directory.
func photoFiles(t *testing.T, s *store.Store) []string {
	t.Helper()
	files, err := store.PhotoFileSums(s)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestAddPhotoRefusesHostileFilesAndKeepsNothing(t *testing.T) {
	f := newPhotoFixture(t)
	good := phototest.JPEG(phototest.Scene(1, 640, 480), 85)
	for name, data := range map[string][]byte{
		"html named .jpg":               phototest.HTML(),
		"text named .jpg":               phototest.Text(),
		"jpeg with html and script":     phototest.WithHTML(good),
		"png declaring 100000x100000":   phototest.PNGBomb(100000, 100000),
		"truncated jpeg":                phototest.Truncated(good),
		"30 MB file":                    phototest.Huge(30 << 20),
		"gif":                           phototest.GIF(),
		"svg with script":               phototest.SVG(),
		"nothing":                       nil,
		"heic":                          []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"),
		"jpeg declaring too many scans": progressiveBomb(good),
	} {
		_, err := f.s.AddPhoto(ctx, f.agent, store.Upload{TicketID: f.ticket.ID, Data: data})
		if anxin.ErrorCode(err) != anxin.EINVALID || anxin.ErrorMessage(err) == "" {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n := countRows(t, f.s, "evidence"); n != 0 {
		t.Fatalf("%d evidence rows after refusals", n)
	}
	if files := photoFiles(t, f.s); len(files) != 0 {
		t.Fatalf("files left behind: %v", files)
	}
}

// progressiveBomb is a JPEG with 150 empty scans: a CPU bomb if decoded.
func progressiveBomb(jpg []byte) []byte {
	end := bytes.LastIndex(jpg, []byte{0xFF, 0xD9})
	out := append([]byte{}, jpg[:end]...)
	for range 150 {
		out = append(out, 0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x00)
	}
	return append(out, 0xFF, 0xD9)
}

func TestPhotoFactsAreKeptAndTheServedImageHasNoEXIF(t *testing.T) {
	f := newPhotoFixture(t)
	received := f.ticket.Order.ReceivedAt
	taken := received.Add(-26 * time.Hour).In(time.FixedZone("", 8*3600)).Truncate(time.Second)
	jpg, err := photo.WithEXIF(phototest.JPEG(phototest.Scene(2, 2400, 1800), 90), photo.Meta{
		Make: "Apple", Model: "iPhone 15 Pro", TakenAt: taken, GPS: &[2]float64{25.04, 102.71}})
	if err != nil {
		t.Fatal(err)
	}
	added := f.add(t, f.agent, f.ticket, jpg)
	if added.Party != anxin.PartyBuyer || added.UploadedBy != "王晓" || added.UploaderRole != anxin.RoleAgent {
		t.Fatalf("added %+v", added)
	}
	evs, err := f.s.Evidence(ctx, anxin.Scope{MerchantID: f.merchant.ID}, f.ticket.ID)
	if err != nil || len(evs) != 1 {
		t.Fatalf("%d photos, %v", len(evs), err)
	}
	e := evs[0]
	want := anxin.PhotoFacts{Format: "jpeg", Width: 2400, Height: 1800, Bytes: int64(len(jpg)), TakenAt: taken.UTC(),
		Camera: "Apple iPhone 15 Pro", HadGPS: true, BeforeReceipt: true}
	if e.Facts != want {
		t.Fatalf("facts %+v\nwant  %+v", e.Facts, want)
	}
	if e.Width != 1600 || e.Height != 1200 || e.ThumbWidth != 320 || e.ThumbHeight != 240 || e.Label != "item" || e.PHash == 0 {
		t.Fatalf("evidence %+v", e)
	}
	for size, sum := range map[store.PhotoSize]string{store.Display: e.SHA256, store.Thumb: e.ThumbSHA256} {
		got, file, err := f.s.Photo(ctx, anxin.AllMerchants(), e.ID, size)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(file)
		file.Close()
		if got != sum || !bytes.HasPrefix(b, []byte{0xFF, 0xD8}) {
			t.Fatalf("%s: sha %s, want %s", size, got, sum)
		}
		for _, s := range [][]byte{{0xFF, 0xE1}, []byte("Exif"), []byte("iPhone"), []byte("Apple")} {
			if bytes.Contains(b, s) {
				t.Errorf("%s size contains %q", size, s)
			}
		}
	}
	if files := photoFiles(t, f.s); len(files) != 2 {
		t.Fatalf("files %v, want the two sizes", files)
	}
	// A photo taken after receipt is not flagged; one without EXIF has no facts.
	after, _ := photo.WithEXIF(phototest.JPEG(phototest.Scene(3, 320, 240), 85), photo.Meta{Model: "V2309A", TakenAt: received.Add(time.Minute)})
	f.add(t, f.agent, f.ticket, after)
	f.add(t, f.agent, f.ticket, phototest.JPEG(phototest.Scene(4, 320, 240), 85))
	evs, _ = f.s.Evidence(ctx, anxin.AllMerchants(), f.ticket.ID)
	if evs[1].Facts.BeforeReceipt || evs[1].Facts.TakenAt.IsZero() || evs[2].Facts.TakenAt != (time.Time{}) || evs[2].Facts.Camera != "" {
		t.Fatalf("facts %+v and %+v", evs[1].Facts, evs[2].Facts)
	}
}

func TestDuplicatePhotosAreFlaggedOnBothTickets(t *testing.T) {
	f := newPhotoFixture(t)
	other := storetest.MustMerchant(t, f.s, "虎门服装厂")
	t1, t2, t3, t4 := f.ticket, storetest.MustTicket(t, f.s, f.merchant.ID, anxin.Damaged, 5900),
		storetest.MustTicket(t, f.s, f.merchant.ID, anxin.Damaged, 2990), storetest.MustTicket(t, f.s, f.merchant.ID, anxin.Damaged, 3990)
	t5 := storetest.MustTicket(t, f.s, other.ID, anxin.Damaged, 12900)
	// Scene 28 is one whose copy hashes 4 bits away (most land on 0):
	// the lookup by distance is what catches it, not an equal hash.
	original := phototest.JPEG(phototest.Scene(28, 1000, 750), 90)

	a := f.add(t, f.agent, t1, original)
	if len(a.Duplicates) != 0 {
		t.Fatalf("the first photo has duplicates %+v", a.Duplicates)
	}
	// The same file on another ticket: an exact duplicate, flagged on both.
	b := f.add(t, f.agent, t2, original)
	if len(b.Duplicates) != 1 || !b.Duplicates[0].Exact || b.Duplicates[0].TicketNumber != t1.Number {
		t.Fatalf("exact copy: %+v", b.Duplicates)
	}
	// A copy resized to 80% and saved at quality 60: caught by the hash.
	c := f.add(t, f.agent, t3, phototest.Recompressed(original, 0.8, 60))
	if len(c.Duplicates) != 2 || c.Duplicates[0].Exact || c.Duplicates[0].Distance == 0 || c.Duplicates[0].Distance > photo.NearDistance {
		t.Fatalf("recompressed copy: %+v", c.Duplicates)
	}
	// A different photo is not flagged.
	d := f.add(t, f.agent, t4, phototest.JPEG(phototest.Scene(11, 1600, 1200), 90))
	if len(d.Duplicates) != 0 {
		t.Fatalf("a different photo is flagged: %+v", d.Duplicates)
	}
	links := func(scope anxin.Scope, ticket anxin.Ticket) []string {
		t.Helper()
		evs, err := f.s.Evidence(ctx, scope, ticket.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range evs {
			for _, d := range e.Duplicates {
				kind := "similar"
				if d.Exact {
					kind = "exact"
				}
				out = append(out, d.TicketNumber+" "+kind)
			}
		}
		return out
	}
	for _, c := range []struct {
		ticket anxin.Ticket
		want   []string
	}{
		{t1, []string{t2.Number + " exact", t3.Number + " similar"}},
		{t2, []string{t1.Number + " exact", t3.Number + " similar"}},
		{t3, []string{t1.Number + " similar", t2.Number + " similar"}},
		{t4, nil},
	} {
		if got := links(anxin.AllMerchants(), c.ticket); !equal(got, c.want) {
			t.Errorf("%s links %v, want %v", c.ticket.Number, got, c.want)
		}
	}
	// The same picture at another merchant: agents see the link, the
	// merchant does not learn the other merchant's ticket.
	f.add(t, f.agent, t5, original)
	if got := links(anxin.AllMerchants(), t1); len(got) != 3 || got[1] != t5.Number+" exact" {
		t.Fatalf("agent sees %v", got)
	}
	if got := links(anxin.Scope{MerchantID: f.merchant.ID}, t1); len(got) != 2 {
		t.Fatalf("merchant sees %v", got)
	}
	// Nor does its upload's answer: the other merchant's staff, uploading
	// the picture once more, hear only of their own tickets.
	t6 := storetest.MustTicket(t, f.s, other.ID, anxin.Damaged, 6900)
	otherStaff := storetest.MustUser(t, f.s, anxin.RoleMerchant, "阿梅", other.ID).Actor()
	g := f.add(t, otherStaff, t6, original)
	for _, d := range g.Duplicates {
		if d.TicketID != t5.ID {
			t.Errorf("a merchant's upload answer names another merchant's ticket %s", d.TicketNumber)
		}
	}
	if len(g.Duplicates) != 1 {
		t.Fatalf("the merchant's upload answer: %+v, want its own %s only", g.Duplicates, t5.Number)
	}
	if got := links(anxin.AllMerchants(), t6); len(got) < 4 {
		t.Fatalf("every link is kept for agents: %v", got)
	}
	// The same photo twice on one ticket is refused.
	if _, err := f.s.AddPhoto(ctx, f.agent, store.Upload{TicketID: t1.ID, Data: original}); anxin.ErrorCode(err) != anxin.ECONFLICT {
		t.Fatalf("the same photo twice: %v", err)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestPhotoRules(t *testing.T) {
	f := newPhotoFixtureWith(t, photo.Options{Limits: photo.Limits{MaxPerParty: 2}})
	pic := func(seed uint64) []byte { return phototest.JPEG(phototest.Scene(seed, 160, 120), 80) }
	f.add(t, f.agent, f.ticket, pic(1))
	f.add(t, f.agent, f.ticket, pic(2))
	if _, err := f.s.AddPhoto(ctx, f.agent, store.Upload{TicketID: f.ticket.ID, Data: pic(3)}); anxin.ErrorCode(err) != anxin.EINVALID {
		t.Fatalf("a third buyer photo over a limit of two: %v", err)
	}
	// The merchant's counter-evidence counts on its own.
	m := f.add(t, f.staff, f.ticket, pic(4))
	if m.Party != anxin.PartyMerchant {
		t.Fatalf("a merchant's photo is the %s's", m.Party)
	}
	if _, err := f.s.AddPhoto(ctx, f.agent, store.Upload{TicketID: f.ticket.ID, Label: "selfie", Data: pic(5)}); anxin.ErrorCode(err) != anxin.EINVALID {
		t.Fatalf("a label not on the checklist: %v", err)
	}

	// Another merchant's staff cannot see, add to, or open this ticket's photos.
	stranger := storetest.MustUser(t, f.s, anxin.RoleMerchant, "阿梅", storetest.MustMerchant(t, f.s, "虎门服装厂").ID).Actor()
	if _, err := f.s.AddPhoto(ctx, stranger, store.Upload{TicketID: f.ticket.ID, Data: pic(6)}); anxin.ErrorCode(err) != anxin.ENOTFOUND {
		t.Fatalf("a stranger adds a photo: %v", err)
	}
	if _, err := f.s.Evidence(ctx, stranger.Scope(), f.ticket.ID); anxin.ErrorCode(err) != anxin.ENOTFOUND {
		t.Fatalf("a stranger lists photos: %v", err)
	}
	if _, _, err := f.s.Photo(ctx, stranger.Scope(), m.ID, store.Thumb); anxin.ErrorCode(err) != anxin.ENOTFOUND {
		t.Fatalf("a stranger opens a photo: %v", err)
	}
	if _, err := f.s.AddPhoto(ctx, anxin.System(), store.Upload{TicketID: f.ticket.ID, Data: pic(7)}); anxin.ErrorCode(err) != anxin.EFORBIDDEN {
		t.Fatalf("the system adds a photo: %v", err)
	}

	// A finished ticket takes no more photos.
	closed := storetest.MustTicket(t, f.s, f.merchant.ID, anxin.Damaged, 1000)
	if _, err := f.s.Decide(ctx, closed.ID, anxin.Decision{Action: anxin.Cancel, Actor: anxin.Buyer()}); err != nil {
		t.Fatal(err)
	}
	_, err := f.s.AddPhoto(ctx, f.agent, store.Upload{TicketID: closed.ID, Data: pic(8)})
	if anxin.ErrorCode(err) != anxin.ENOTALLOWED {
		t.Fatalf("a photo on a closed ticket: %v", err)
	}
	if _, _, err := f.s.Photo(ctx, anxin.AllMerchants(), m.ID, "original"); anxin.ErrorCode(err) != anxin.ENOTFOUND {
		t.Fatalf("an unknown size: %v", err)
	}
}

// The lookup finds every hash within photo.NearDistance, however the
// differing bits fall across the four quarters it indexes, and none further.
func TestSimilarLookupFindsEveryNearHash(t *testing.T) {
	f := newPhotoFixture(t)
	other := storetest.MustTicket(t, f.s, f.merchant.ID, anxin.Damaged, 1000)
	rng := rand.New(rand.NewPCG(1, 2))
	base := rng.Uint64()
	flip := func(bits ...int) uint64 {
		h := base
		for _, b := range bits {
			h ^= 1 << b
		}
		return h
	}
	near := []uint64{
		base,
		flip(0, 1, 16, 17, 32, 33, 48),   // 7 bits: 2, 2, 2 and 1 per quarter
		flip(63, 62, 47, 46, 31, 30, 15), // the same, the other way round
		flip(0, 1, 2, 3, 4, 5, 6),        // 7 bits in one quarter
		flip(15, 31, 47, 63, 0, 16, 32),  // on the quarters' edges
	}
	for range 300 {
		near = append(near, flip(rng.Perm(64)[:1+rng.IntN(photo.NearDistance)]...))
	}
	far := []uint64{flip(0, 1, 16, 17, 32, 33, 48, 49), flip(0, 1, 2, 3, 4, 5, 6, 7), ^base}
	for range 300 {
		far = append(far, flip(rng.Perm(64)[:photo.NearDistance+1+rng.IntN(8)]...))
	}
	// Evidence ids are 1 to len(near) for the near ones, after them the far.
	if err := store.InsertHashes(f.s, other.ID, append(append([]uint64{}, near...), far...)); err != nil {
		t.Fatal(err)
	}
	found, err := store.FindSimilar(f.s, base, f.ticket.ID)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[int64]bool{}
	for _, d := range found {
		ids[d.EvidenceID] = true
		if d.TicketID != other.ID || d.Distance != photo.Distance(base, near[d.EvidenceID-1]) {
			t.Fatalf("%+v", d)
		}
	}
	for i, h := range near {
		if !ids[int64(i+1)] {
			t.Errorf("%016x, %d bits from the base, not found", h, photo.Distance(h, base))
		}
	}
	if len(found) != len(near) {
		t.Errorf("found %d, want the %d near ones only", len(found), len(near))
	}
	// Photos on the ticket itself are not duplicates.
	if got, _ := store.FindSimilar(f.s, base, other.ID); len(got) != 0 {
		t.Fatalf("a ticket's own photos: %d", len(got))
	}
}

// Two copies uploaded to two tickets at the same moment find each other:
// the lookup before the write and the check of newer photos inside it
// leave no gap between them.
func TestSimultaneousCopiesAreLinked(t *testing.T) {
	f := newPhotoFixture(t)
	for round := range 6 {
		a := storetest.MustTicket(t, f.s, f.merchant.ID, anxin.Damaged, 1000)
		b := storetest.MustTicket(t, f.s, f.merchant.ID, anxin.Damaged, 1000)
		pic := phototest.JPEG(phototest.Scene(uint64(500+round), 200, 150), 85)
		var wg sync.WaitGroup
		for _, tk := range []anxin.Ticket{a, b} {
			wg.Go(func() {
				if _, err := f.s.AddPhoto(ctx, f.agent, store.Upload{TicketID: tk.ID, Data: pic}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		for _, tk := range []anxin.Ticket{a, b} {
			evs, err := f.s.Evidence(ctx, anxin.AllMerchants(), tk.ID)
			if err != nil || len(evs) != 1 || len(evs[0].Duplicates) != 1 || !evs[0].Duplicates[0].Exact {
				t.Fatalf("round %d, %s: %+v %v", round, tk.Number, evs, err)
			}
		}
	}
}

// TestWarningsOfQueueRows: the queue's evidence warnings, read for many
// tickets in one query (on either engine): too few of the buyer's photos,
// and a photo also on another ticket.
func TestWarningsOfQueueRows(t *testing.T) {
	f := newPhotoFixture(t)
	bare, copied, shown := f.ticket, storetest.MustTicket(t, f.s, f.merchant.ID, anxin.Damaged, 5900),
		storetest.MustTicket(t, f.s, f.merchant.ID, anxin.Damaged, 2990)
	original := phototest.JPEG(phototest.Scene(28, 1000, 750), 90)
	f.add(t, anxin.Buyer(), shown, original)
	f.add(t, anxin.Buyer(), shown, phototest.JPEG(phototest.Scene(11, 1600, 1200), 90))
	f.add(t, anxin.Buyer(), copied, original)
	got, err := f.s.Warnings(ctx, []anxin.Ticket{bare, copied, shown})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64][]anxin.EvidenceWarning{
		bare.ID:   {anxin.WarnMissing},                      // none of the 2 photos a damage claim needs
		copied.ID: {anxin.WarnDuplicate, anxin.WarnMissing}, // 1 of 2, and on another ticket
		shown.ID:  {anxin.WarnDuplicate},                    // its photo is on another ticket too
	}
	for id, w := range want {
		if !slices.Equal(got[id], w) {
			t.Errorf("ticket %s: warnings %v, want %v", anxin.TicketNumber(id), got[id], w)
		}
	}
}

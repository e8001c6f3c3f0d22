package store

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo"
)

// Photos are files beside the database, named by the sha256 of their bytes
// (photos/ab/abcdef….jpg): the same image is stored once however often it
// is submitted. Each photo is kept in two sizes made at upload, both fresh
// JPEGs without metadata; the uploaded original is never written to disk.
//
// On PostgreSQL the files are rows of photo_files instead, by the same
// hash, written in the transaction that records the photo: the nodes on
// one database need no shared disk.
func (s *Store) photoPath(sum string) string {
	return filepath.Join(s.cfg.PhotoDir, sum[:2], sum+".jpg")
}

// putFile writes an image under its hash, atomically (a temporary file
// renamed into place), unless it is already there.
func (s *Store) putFile(im photo.Image) error {
	path := s.photoPath(im.SHA256)
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("photo store: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".upload-*")
	if err != nil {
		return fmt.Errorf("photo store: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // renamed away unless a step failed
	if _, err := tmp.Write(im.JPEG); err != nil {
		return fmt.Errorf("photo store: %w", errors.Join(err, tmp.Close()))
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("photo store: %w", errors.Join(err, tmp.Close()))
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("photo store: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("photo store: %w", err)
	}
	return nil
}

// Upload is a file to add to a ticket as photo evidence.
type Upload struct {
	TicketID int64
	Label    string // the checklist item it shows, or ""
	Data     []byte // the file as uploaded; its name and Content-Type are not trusted
	// Backdated marks a photo imported after its ticket moved on (demo data,
	// an import): it may go on a finished ticket, and is only noted on the
	// timeline, never taken as the evidence a waiting ticket asked for.
	Backdated bool
}

// maxDuplicateLinks bounds the other tickets one photo is linked to (the
// nearest first): a picture on hundreds of tickets needs no more to be seen.
const maxDuplicateLinks = 20

// AddPhoto adds an uploaded photo to a ticket the actor may see: as the
// buyer's evidence when an agent (or the buyer) adds it, as the merchant's
// counter-evidence when a merchant does. The file is validated and
// re-encoded (photo.Process) and both sizes written before the one write
// that records the row, counts it against the per-party limit and links it
// to the same picture on other tickets, both ways. A refused file leaves
// nothing behind. (A file written for a photo whose row then fails, say
// because the limit was reached in between, stays: it is content-addressed,
// and another upload of the same picture would use it.)
func (s *Store) AddPhoto(ctx context.Context, by anxin.Actor, up Upload) (anxin.Evidence, error) {
	party, err := anxin.EvidenceParty(by)
	if err != nil {
		return anxin.Evidence{}, err
	}
	// Refuse what cannot be added before the work of processing it.
	if _, err := s.mayAddPhoto(ctx, s.read(), by, party, up); err != nil {
		return anxin.Evidence{}, err
	}
	p, err := photo.Process(up.Data, s.cfg.Photos)
	if err != nil {
		return anxin.Evidence{}, err
	}
	return s.RecordPhoto(ctx, by, up, p)
}

// RecordPhoto adds a photo already processed (photo.Process with the
// store's Photos options) to a ticket: its files, then its row. up.Data is
// not looked at. Importers that process many photos in parallel use it.
func (s *Store) RecordPhoto(ctx context.Context, by anxin.Actor, up Upload, p photo.Processed) (anxin.Evidence, error) {
	party, err := anxin.EvidenceParty(by)
	if err != nil {
		return anxin.Evidence{}, err
	}
	if s.pg {
		return s.record(ctx, by, party, up, p) // its files go in with its row
	}
	s.files.RLock()
	defer s.files.RUnlock()
	if err := s.putFiles(p); err != nil {
		return anxin.Evidence{}, err
	}
	return s.record(ctx, by, party, up, p)
}

// putFileRows writes both sizes of a processed photo into photo_files
// (PostgreSQL), unless they are there already.
func putFileRows(ctx context.Context, tx *wtx, p photo.Processed) error {
	for _, im := range []photo.Image{p.Display, p.Thumb} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO photo_files (sha256, jpeg) VALUES (?, ?) ON CONFLICT DO NOTHING`,
			im.SHA256, im.JPEG); err != nil {
			return fmt.Errorf("photo store: %w", err)
		}
	}
	return nil
}

// mayAddPhoto checks the ticket, the label and the per-party limit. A
// backdated photo (demo data, an import) may go on a finished ticket.
func (s *Store) mayAddPhoto(ctx context.Context, q queryer, by anxin.Actor, party anxin.Party, up Upload) (anxin.Ticket, error) {
	t, err := findTicket(ctx, q, by.Scope(), up.TicketID)
	if err != nil {
		return t, err
	}
	if t.State.Terminal() && !up.Backdated {
		return t, anxin.Fail(anxin.MsgPhotoTicketFinished)
	}
	svc, err := anxin.LookupService(t.Service)
	if err != nil {
		return t, err
	}
	if err := svc.ValidLabel(up.Label); err != nil {
		return t, err
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM evidence WHERE ticket_id = ? AND party = ?`,
		up.TicketID, string(party)).Scan(&n); err != nil {
		return t, fmt.Errorf("count photos: %w", err)
	}
	if n >= s.cfg.Photos.MaxPerParty {
		return t, anxin.Fail(anxin.MsgPhotoLimit)
	}
	return t, nil
}

// putFiles writes both sizes of a processed photo.
func (s *Store) putFiles(p photo.Processed) error {
	for _, im := range []photo.Image{p.Display, p.Thumb} {
		if err := s.putFile(im); err != nil {
			return err
		}
	}
	return nil
}

// record writes a processed photo's row and its duplicate links, once its
// files are in place.
//
// The lookup over every photo runs on the read pool before the write: at a
// million photos it takes 5 ms (measured), which the writer, and every
// approval queued behind it, should not wait for. Inside the write only the
// photos recorded since then are checked, by id range: usually none. So two
// copies uploaded to two tickets at the same moment still find each other.
func (s *Store) record(ctx context.Context, by anxin.Actor, party anxin.Party, up Upload, p photo.Processed) (anxin.Evidence, error) {
	e := anxin.Evidence{TicketID: up.TicketID, Party: party, Label: up.Label,
		SHA256: p.Display.SHA256, Width: p.Display.Width, Height: p.Display.Height, Bytes: int64(len(p.Display.JPEG)),
		ThumbSHA256: p.Thumb.SHA256, ThumbWidth: p.Thumb.Width, ThumbHeight: p.Thumb.Height,
		UploadedBy: by.Name, UploaderRole: by.Role, PHash: p.PHash,
		Facts: anxin.PhotoFacts{Format: string(p.Info.Format), Width: p.Info.Width, Height: p.Info.Height,
			Bytes: p.Info.Bytes, TakenAt: p.Facts.TakenAt, Camera: p.Facts.Camera, HadGPS: p.Facts.HadGPS}}
	var seen int64 // every photo up to this id is covered by earlier
	if err := s.read().QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM evidence`).Scan(&seen); err != nil {
		return anxin.Evidence{}, fmt.Errorf("photos: %w", err)
	}
	earlier, err := findDuplicates(ctx, s.read(), e, maxDuplicateLinks)
	if err != nil {
		return anxin.Evidence{}, err
	}
	err = s.write(ctx, func(ctx context.Context, tx *wtx) error {
		t, err := s.mayAddPhoto(ctx, tx, by, party, up)
		if err != nil {
			return err
		}
		tx.notify(t, NoticeEvidence)
		e.CreatedAt = tx.now
		q := quarters(e.PHash)
		id, err := tx.insertID(ctx, `INSERT INTO evidence (ticket_id, party, sha256, width, height, bytes, label,
			uploaded_by, created_at, thumb_sha256, thumb_width, thumb_height, uploader_role, format, orig_width,
			orig_height, orig_bytes, taken_at, camera, had_gps, phash, ph0, ph1, ph2, ph3)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			e.TicketID, string(e.Party), e.SHA256, e.Width, e.Height, e.Bytes, e.Label, e.UploadedBy, ms(e.CreatedAt),
			e.ThumbSHA256, e.ThumbWidth, e.ThumbHeight, string(e.UploaderRole), e.Facts.Format, e.Facts.Width,
			e.Facts.Height, e.Facts.Bytes, ms(e.Facts.TakenAt), e.Facts.Camera, e.Facts.HadGPS,
			int64(e.PHash), q[0], q[1], q[2], q[3])
		if isUnique(err) {
			return anxin.Fail(anxin.MsgPhotoDuplicate)
		}
		if err != nil {
			return fmt.Errorf("insert evidence: %w", err)
		}
		e.ID = id
		if tx.s.pg {
			if err := putFileRows(ctx, tx, p); err != nil {
				return err
			}
		}
		recent, err := recentDuplicates(ctx, tx, e, seen)
		if err != nil {
			return err
		}
		e.Duplicates = mergeDuplicates(maxDuplicateLinks, earlier, recent)
		for _, d := range e.Duplicates {
			for _, pair := range [2][2]int64{{e.ID, d.EvidenceID}, {d.EvidenceID, e.ID}} {
				if _, err := tx.ExecContext(ctx, `INSERT INTO evidence_duplicates
					(evidence_id, other_id, exact, distance) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
					pair[0], pair[1], d.Exact, d.Distance); err != nil {
					return fmt.Errorf("link duplicate: %w", err)
				}
			}
		}
		// Every link is kept (agents see them all); the uploader is told
		// only of the tickets it may see.
		if e.Duplicates, err = visibleDuplicates(ctx, tx, by.Scope(), e.Duplicates); err != nil {
			return err
		}
		return photoOnTimeline(ctx, tx, t, by, party, e, up.Backdated)
	})
	if err != nil {
		return anxin.Evidence{}, err
	}
	return e, nil
}

// photoOnTimeline records an added photo on the ticket's timeline. The
// buyer's photo on a ticket waiting for evidence is the evidence: it takes
// the ticket back to the merchant, whose clock resumes with the time it had
// left (a transition of the table, run inside this write). Demo photos,
// recorded after their tickets moved on, are only noted.
func photoOnTimeline(ctx context.Context, tx *wtx, t anxin.Ticket, by anxin.Actor, party anxin.Party, e anxin.Evidence, backdated bool) error {
	if party == anxin.PartyBuyer && t.State == anxin.NeedsEvidence && !backdated {
		_, err := decide(ctx, tx, t.ID, anxin.Decision{Action: anxin.AddEvidence, Actor: by, Version: t.Version, Reason: e.Label})
		return err
	}
	_, err := insertEvent(ctx, tx, anxin.Event{TicketID: t.ID, At: e.CreatedAt, Actor: by, Action: anxin.PhotoAdded, Detail: e.Label})
	return err
}

// quarters splits a perceptual hash into its four 16-bit quarters, high first.
func quarters(h uint64) [4]int64 {
	return [4]int64{int64(h >> 48), int64(h >> 32 & 0xFFFF), int64(h >> 16 & 0xFFFF), int64(h & 0xFFFF)}
}

// probes are the values within one bit of each quarter of h: 17 per quarter.
func probes(h uint64) []any {
	args := make([]any, 0, 4*17)
	for _, q := range quarters(h) {
		args = append(args, q)
		for b := range 16 {
			args = append(args, q^(1<<b))
		}
	}
	return args
}

// similarQuery finds every photo on another ticket whose hash is within
// photo.NearDistance (7) of the one given: two such hashes agree to within
// one bit on at least one quarter (pigeonhole: 7 differing bits cannot put
// two in each of four quarters), so probing each quarter's index with the
// quarter and its 16 one-bit neighbours finds them all; the distance itself
// is checked in Go. Each quarter's index carries the hash and the ticket,
// so no row is read. With hashes spread evenly that is 68 index probes and
// about N/964 entries for N photos.
var similarQuery = func() string {
	var q strings.Builder
	for i := range 4 {
		if i > 0 {
			q.WriteString(" UNION ")
		}
		in := make([]string, 17)
		for j := range in {
			in[j] = fmt.Sprintf("?%d", i*17+j+1)
		}
		fmt.Fprintf(&q, `SELECT id, ticket_id, phash, sha256 FROM evidence
			WHERE ph%d IN (%s) AND phash IS NOT NULL AND ticket_id != ?69`, i, strings.Join(in, ", "))
	}
	return q.String()
}()

// findDuplicates lists the photos on other tickets that show the same
// picture as e: the same display image, or a perceptual hash within
// photo.NearDistance. Exact copies come first, then the nearest, at most limit.
func findDuplicates(ctx context.Context, q queryer, e anxin.Evidence, limit int) ([]anxin.Duplicate, error) {
	found := map[int64]anxin.Duplicate{}
	// Photos recorded before perceptual hashes (or their exact copies) are
	// found by the image's hash.
	rows, err := q.QueryContext(ctx, `SELECT id, ticket_id FROM evidence WHERE sha256 = ? AND ticket_id != ? LIMIT ?`,
		e.SHA256, e.TicketID, limit)
	if err != nil {
		return nil, fmt.Errorf("find duplicates: %w", err)
	}
	for rows.Next() {
		var d anxin.Duplicate
		if err := rows.Scan(&d.EvidenceID, &d.TicketID); err != nil {
			rows.Close()
			return nil, err
		}
		d.Exact = true
		found[d.EvidenceID] = d
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	args := append(probes(e.PHash), e.TicketID)
	rows, err = q.QueryContext(ctx, similarQuery, args...)
	if err != nil {
		return nil, fmt.Errorf("find similar photos: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d anxin.Duplicate
		var h int64
		var sum string
		if err := rows.Scan(&d.EvidenceID, &d.TicketID, &h, &sum); err != nil {
			return nil, err
		}
		if d.Distance = photo.Distance(uint64(h), e.PHash); d.Distance > photo.NearDistance {
			continue
		}
		// Whether it is the same file is read with the photo itself: a copy
		// recorded between the two queries is found by this one only.
		d.Exact = sum == e.SHA256
		found[d.EvidenceID] = d
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]anxin.Duplicate, 0, len(found))
	for _, d := range found {
		d.TicketNumber = anxin.TicketNumber(d.TicketID)
		out = append(out, d)
	}
	sortDuplicates(out)
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// visibleDuplicates keeps the duplicates on tickets the scope may see.
func visibleDuplicates(ctx context.Context, q queryer, scope anxin.Scope, ds []anxin.Duplicate) ([]anxin.Duplicate, error) {
	if scope.MerchantID == 0 {
		return ds, nil
	}
	var out []anxin.Duplicate
	for _, d := range ds {
		var merchant int64
		if err := q.QueryRowContext(ctx, `SELECT merchant_id FROM tickets WHERE id = ?`, d.TicketID).Scan(&merchant); err != nil {
			return nil, fmt.Errorf("duplicate's ticket: %w", err)
		}
		if scope.Sees(merchant) {
			out = append(out, d)
		}
	}
	return out, nil
}

// recentDuplicates checks the photos recorded after id since (other than e
// itself) against e, one by one.
func recentDuplicates(ctx context.Context, q queryer, e anxin.Evidence, since int64) ([]anxin.Duplicate, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, ticket_id, sha256, phash FROM evidence
		WHERE id > ? AND id != ? AND ticket_id != ?`, since, e.ID, e.TicketID)
	if err != nil {
		return nil, fmt.Errorf("recent photos: %w", err)
	}
	defer rows.Close()
	var out []anxin.Duplicate
	for rows.Next() {
		var d anxin.Duplicate
		var sum string
		var h sql.NullInt64
		if err := rows.Scan(&d.EvidenceID, &d.TicketID, &sum, &h); err != nil {
			return nil, err
		}
		switch d.Exact = sum == e.SHA256; {
		case d.Exact:
		case h.Valid && photo.Distance(uint64(h.Int64), e.PHash) <= photo.NearDistance:
			d.Distance = photo.Distance(uint64(h.Int64), e.PHash)
		default:
			continue
		}
		d.TicketNumber = anxin.TicketNumber(d.TicketID)
		out = append(out, d)
	}
	return out, rows.Err()
}

// mergeDuplicates joins lists of duplicates, each photo once, in order, at
// most limit.
func mergeDuplicates(limit int, lists ...[]anxin.Duplicate) []anxin.Duplicate {
	at := map[int64]int{}
	var out []anxin.Duplicate
	for _, l := range lists {
		for _, d := range l {
			if i, ok := at[d.EvidenceID]; ok {
				out[i].Exact = out[i].Exact || d.Exact
				continue
			}
			at[d.EvidenceID] = len(out)
			out = append(out, d)
		}
	}
	sortDuplicates(out)
	return out[:min(len(out), limit)]
}

// sortDuplicates puts exact copies first, then the nearest, then the
// earliest ticket.
func sortDuplicates(ds []anxin.Duplicate) {
	slices.SortFunc(ds, func(a, b anxin.Duplicate) int {
		if a.Exact != b.Exact {
			if a.Exact {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.Distance, b.Distance), cmp.Compare(a.TicketID, b.TicketID), cmp.Compare(a.EvidenceID, b.EvidenceID))
	})
}

const evidenceColumns = `e.id, e.ticket_id, e.party, e.sha256, e.width, e.height, e.bytes, e.label, e.uploaded_by,
	e.created_at, e.thumb_sha256, e.thumb_width, e.thumb_height, e.uploader_role, e.format, e.orig_width,
	e.orig_height, e.orig_bytes, e.taken_at, e.camera, e.had_gps, coalesce(e.phash, 0), e.erased_at`

func scanEvidence(row interface{ Scan(...any) error }) (anxin.Evidence, error) {
	var e anxin.Evidence
	var created, taken, erased sql.NullInt64
	var h int64
	err := row.Scan(&e.ID, &e.TicketID, &e.Party, &e.SHA256, &e.Width, &e.Height, &e.Bytes, &e.Label, &e.UploadedBy,
		&created, &e.ThumbSHA256, &e.ThumbWidth, &e.ThumbHeight, &e.UploaderRole, &e.Facts.Format, &e.Facts.Width,
		&e.Facts.Height, &e.Facts.Bytes, &taken, &e.Facts.Camera, &e.Facts.HadGPS, &h, &erased)
	e.CreatedAt, e.Facts.TakenAt, e.PHash, e.Erased = fromMS(created), fromMS(taken), uint64(h), fromMS(erased)
	return e, err
}

// Evidence lists a ticket's photos, oldest first, with their facts (flagged
// when taken before the order was received) and the other tickets the same
// picture was submitted on. A merchant sees only links to its own tickets:
// another merchant's ticket numbers are not its to know.
func (s *Store) Evidence(ctx context.Context, scope anxin.Scope, ticketID int64) ([]anxin.Evidence, error) {
	t, err := findTicket(ctx, s.read(), scope, ticketID)
	if err != nil {
		return nil, err
	}
	rows, err := s.read().QueryContext(ctx, `SELECT `+evidenceColumns+` FROM evidence e WHERE e.ticket_id = ? ORDER BY e.id`, t.ID)
	if err != nil {
		return nil, fmt.Errorf("evidence of ticket %d: %w", t.ID, err)
	}
	var out []anxin.Evidence
	index := map[int64]int{}
	for rows.Next() {
		e, err := scanEvidence(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		e.Facts.BeforeReceipt = e.Facts.TakenBefore(t.Order.ReceivedAt)
		index[e.ID] = len(out)
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	rows, err = s.read().QueryContext(ctx, `SELECT d.evidence_id, d.other_id, o.ticket_id, d.exact, d.distance
		FROM evidence e JOIN evidence_duplicates d ON d.evidence_id = e.id
		JOIN evidence o ON o.id = d.other_id JOIN tickets ot ON ot.id = o.ticket_id
		WHERE e.ticket_id = ?1 AND (?2 = 0 OR ot.merchant_id = ?2)`, t.ID, scope.MerchantID)
	if err != nil {
		return nil, fmt.Errorf("duplicates on ticket %d: %w", t.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var d anxin.Duplicate
		if err := rows.Scan(&id, &d.EvidenceID, &d.TicketID, &d.Exact, &d.Distance); err != nil {
			return nil, err
		}
		d.TicketNumber = anxin.TicketNumber(d.TicketID)
		e := &out[index[id]]
		e.Duplicates = append(e.Duplicates, d)
	}
	for i := range out {
		sortDuplicates(out[i].Duplicates)
	}
	return out, rows.Err()
}

// PhotoSize is one of the two sizes a photo is kept in.
type PhotoSize string

const (
	Thumb   PhotoSize = "thumb"   // about 320 px
	Display PhotoSize = "display" // about 1600 px
)

// Photo opens one size of a photo the scope may see, and returns the sha256
// of the file opened (its name, and the ETag to serve it with). Another
// merchant's photo is not found.
func (s *Store) Photo(ctx context.Context, scope anxin.Scope, evidenceID int64, size PhotoSize) (string, io.ReadSeekCloser, error) {
	if size != Thumb && size != Display {
		return "", nil, anxin.Fail(anxin.MsgPhotoSizeNotFound)
	}
	var display, thumb string
	var erased sql.NullInt64
	err := s.read().QueryRowContext(ctx, `SELECT e.sha256, e.thumb_sha256, e.erased_at FROM evidence e
		JOIN tickets t ON t.id = e.ticket_id WHERE e.id = ?1 AND (?2 = 0 OR t.merchant_id = ?2)`,
		evidenceID, scope.MerchantID).Scan(&display, &thumb, &erased)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, anxin.Fail(anxin.MsgPhotoNotFound)
	}
	if err != nil {
		return "", nil, fmt.Errorf("photo %d: %w", evidenceID, err)
	}
	if erased.Valid {
		return "", nil, anxin.Fail(anxin.MsgPhotoErased)
	}
	sum := display
	if size == Thumb && thumb != "" {
		sum = thumb
	}
	if s.pg {
		var b []byte
		if err := s.read().QueryRowContext(ctx, `SELECT jpeg FROM photo_files WHERE sha256 = ?`, sum).Scan(&b); err != nil {
			return "", nil, fmt.Errorf("photo %d: %w", evidenceID, err)
		}
		return sum, nopCloser{bytes.NewReader(b)}, nil
	}
	f, err := os.Open(s.photoPath(sum))
	if err != nil {
		return "", nil, fmt.Errorf("photo %d: %w", evidenceID, err)
	}
	return sum, f, nil
}

// nopCloser is a photo read from PostgreSQL, whole, as a file is served.
type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// Warnings finds the evidence warnings of tickets (anxin.WarningsOf) in
// one query, for a queue page: which may not be decided from their row. A
// ticket with fewer of the buyer's photos than its policy requires (the
// merchant's own minimum, else the service's) is among them: deciding it
// from the queue would pay for a claim nobody has seen proof of.
func (s *Store) Warnings(ctx context.Context, tickets []anxin.Ticket) (map[int64][]anxin.EvidenceWarning, error) {
	out := map[int64][]anxin.EvidenceWarning{}
	if len(tickets) == 0 {
		return out, nil
	}
	args := []any{anxin.ReceiptGrace.Milliseconds()}
	for _, t := range tickets {
		args = append(args, t.ID)
	}
	rows, err := s.read().QueryContext(ctx, `SELECT t.id, coalesce(sum(CASE WHEN e.party = 'buyer' THEN 1 ELSE 0 END), 0),
		coalesce(max(CASE WHEN e.party = 'buyer' AND e.taken_at IS NOT NULL AND t.received_at IS NOT NULL
			AND e.taken_at < t.received_at - ?1 THEN 1 ELSE 0 END), 0),
		coalesce(max(CASE WHEN e.party = 'buyer' AND EXISTS (SELECT 1 FROM evidence_duplicates d WHERE d.evidence_id = e.id)
			THEN 1 ELSE 0 END), 0),
		(SELECT mp.evidence_min FROM merchant_policies mp WHERE mp.merchant_id = t.merchant_id AND mp.service = t.service)
		FROM tickets t LEFT JOIN evidence e ON e.ticket_id = t.id
		WHERE t.id IN (?`+strings.Repeat(", ?", len(tickets)-1)+`) GROUP BY t.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("evidence warnings: %w", err)
	}
	type facts struct {
		photos      int
		before, dup bool
		min         sql.NullInt64 // the merchant's own minimum, if it set one
	}
	found := map[int64]facts{}
	for rows.Next() {
		var id int64
		var f facts
		if err := rows.Scan(&id, &f.photos, &f.before, &f.dup, &f.min); err != nil {
			rows.Close()
			return nil, err
		}
		found[id] = f
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	for _, t := range tickets {
		f := found[t.ID]
		svc, err := anxin.LookupService(t.Service)
		if err != nil {
			return nil, err
		}
		var o *anxin.PolicyOverride
		if f.min.Valid {
			n := int(f.min.Int64)
			o = &anxin.PolicyOverride{Service: t.Service, EvidenceMin: &n}
		}
		if ws := anxin.WarningsOf(f.before, f.dup, f.photos, svc.PolicyFor(o).EvidenceMin); len(ws) > 0 {
			out[t.ID] = ws
		}
	}
	return out, nil
}

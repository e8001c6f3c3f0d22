package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/anxin-helpdesk/anxin"
)

// Return addresses: each merchant's address book, kept by the merchant's
// people and by the admins; one entry is the default, which approving a
// return sends the buyer (see attachAddress). Every change is audited.

const addressColumns = `a.id, a.merchant_id, a.name, a.phone, a.region, a.street, a.is_default, a.created_at, a.updated_at`

func scanAddress(row interface{ Scan(...any) error }) (anxin.ReturnAddress, error) {
	var a anxin.ReturnAddress
	var created, updated sql.NullInt64
	err := row.Scan(&a.ID, &a.MerchantID, &a.Name, &a.Phone, &a.Region, &a.Street, &a.Default, &created, &updated)
	a.CreatedAt, a.UpdatedAt = fromMS(created), fromMS(updated)
	return a, err
}

// ReturnAddresses lists a merchant's return addresses the scope may see,
// the default first.
func (s *Store) ReturnAddresses(ctx context.Context, scope anxin.Scope, merchantID int64) ([]anxin.ReturnAddress, error) {
	if !scope.Sees(merchantID) {
		return nil, anxin.Fail(anxin.MsgMerchantNotFound)
	}
	return addressesIn(ctx, s.read(), merchantID)
}

func addressesIn(ctx context.Context, q queryer, merchantID int64) ([]anxin.ReturnAddress, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+addressColumns+` FROM merchant_addresses a
		WHERE a.merchant_id = ? ORDER BY a.is_default DESC, a.id`, merchantID)
	if err != nil {
		return nil, fmt.Errorf("return addresses: %w", err)
	}
	defer rows.Close()
	var out []anxin.ReturnAddress
	for rows.Next() {
		a, err := scanAddress(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func addressIn(ctx context.Context, q queryer, merchantID, id int64) (anxin.ReturnAddress, error) {
	a, err := scanAddress(q.QueryRowContext(ctx, `SELECT `+addressColumns+` FROM merchant_addresses a
		WHERE a.id = ? AND a.merchant_id = ?`, id, merchantID))
	if errors.Is(err, sql.ErrNoRows) {
		return a, anxin.Fail(anxin.MsgAddressNotFound)
	}
	return a, err
}

// defaultAddress is the merchant's default return address; ok is false
// when it has none.
func defaultAddress(ctx context.Context, q queryer, merchantID int64) (a anxin.ReturnAddress, ok bool, err error) {
	a, err = scanAddress(q.QueryRowContext(ctx, `SELECT `+addressColumns+` FROM merchant_addresses a
		WHERE a.merchant_id = ? AND a.is_default = 1`, merchantID))
	if errors.Is(err, sql.ErrNoRows) {
		return a, false, nil
	}
	if err != nil {
		return a, false, fmt.Errorf("default return address: %w", err)
	}
	return a, true, nil
}

// mayKeep refuses an actor who does not keep the merchant's addresses: a
// merchant's people asking for another merchant's find nothing there.
func mayKeep(by anxin.Actor, merchantID int64) error {
	switch {
	case by.MayKeepAddresses(merchantID):
		return nil
	case by.Role == anxin.RoleMerchant:
		return anxin.Fail(anxin.MsgAddressNotFound)
	}
	return anxin.Fail(anxin.MsgPageNotForRole, by.Role)
}

// SaveReturnAddress adds an address to the merchant's book (a.ID 0) or
// changes one, as the actor: the first address, or one saved with Default,
// becomes the default. Tickets keep the copy they sent.
func (s *Store) SaveReturnAddress(ctx context.Context, by anxin.Actor, a anxin.ReturnAddress) (anxin.ReturnAddress, error) {
	if err := mayKeep(by, a.MerchantID); err != nil {
		return a, err
	}
	if err := a.Validate(); err != nil {
		return a, err
	}
	err := s.write(ctx, func(ctx context.Context, tx *wtx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM merchant_addresses WHERE merchant_id = ?`,
			a.MerchantID).Scan(&n); err != nil {
			return fmt.Errorf("return addresses: %w", err)
		}
		action := "update_address"
		if a.ID == 0 {
			if n >= anxin.MaxReturnAddresses {
				return anxin.Fail(anxin.MsgAddressTooMany, anxin.MaxReturnAddresses)
			}
			a.Default = a.Default || n == 0
			id, err := tx.insertID(ctx, `INSERT INTO merchant_addresses (merchant_id, name, phone, region, street,
				created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				a.MerchantID, a.Name, a.Phone, a.Region, a.Street, ms(tx.now), ms(tx.now))
			if isForeignKey(err) {
				return anxin.Fail(anxin.MsgMerchantNotFound)
			}
			if err != nil {
				return fmt.Errorf("add return address: %w", err)
			}
			a.ID = id
			a.CreatedAt, action = tx.now, "add_address"
		} else {
			old, err := addressIn(ctx, tx, a.MerchantID, a.ID)
			if err != nil {
				return err
			}
			a.Default, a.CreatedAt = a.Default || old.Default, old.CreatedAt
			if _, err := tx.ExecContext(ctx, `UPDATE merchant_addresses SET name = ?, phone = ?, region = ?, street = ?,
				updated_at = ? WHERE id = ?`, a.Name, a.Phone, a.Region, a.Street, ms(tx.now), a.ID); err != nil {
				return fmt.Errorf("change return address: %w", err)
			}
		}
		a.UpdatedAt = tx.now
		if a.Default {
			if err := makeDefault(ctx, tx, a.MerchantID, a.ID); err != nil {
				return err
			}
		}
		return auditAddress(ctx, tx, by, action, a)
	})
	return a, err
}

// makeDefault makes the address the merchant's only default.
func makeDefault(ctx context.Context, tx *wtx, merchantID, id int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE merchant_addresses SET is_default = 0
		WHERE merchant_id = ? AND is_default = 1 AND id <> ?`, merchantID, id); err != nil {
		return fmt.Errorf("default return address: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE merchant_addresses SET is_default = 1 WHERE id = ? AND merchant_id = ?`,
		id, merchantID); err != nil {
		return fmt.Errorf("default return address: %w", err)
	}
	return nil
}

// SetDefaultAddress makes one of the merchant's addresses its default.
func (s *Store) SetDefaultAddress(ctx context.Context, by anxin.Actor, merchantID, id int64) error {
	if err := mayKeep(by, merchantID); err != nil {
		return err
	}
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		a, err := addressIn(ctx, tx, merchantID, id)
		if err != nil {
			return err
		}
		if err := makeDefault(ctx, tx, merchantID, id); err != nil {
			return err
		}
		return auditAddress(ctx, tx, by, "default_address", a)
	})
}

// DeleteReturnAddress removes an address from the merchant's book. The
// default goes only last: another is made the default first. Tickets keep
// the copy they sent.
func (s *Store) DeleteReturnAddress(ctx context.Context, by anxin.Actor, merchantID, id int64) error {
	if err := mayKeep(by, merchantID); err != nil {
		return err
	}
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		a, err := addressIn(ctx, tx, merchantID, id)
		if err != nil {
			return err
		}
		if a.Default {
			var others int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM merchant_addresses WHERE merchant_id = ? AND id <> ?`,
				merchantID, id).Scan(&others); err != nil {
				return err
			}
			if others > 0 {
				return anxin.Fail(anxin.MsgAddressDefaultLast)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM merchant_addresses WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete return address: %w", err)
		}
		return auditAddress(ctx, tx, by, "delete_address", a)
	})
}

// auditAddress records a change of a merchant's address book. The phone is
// not written out in full: the log is read more widely than the book.
func auditAddress(ctx context.Context, tx *wtx, by anxin.Actor, action string, a anxin.ReturnAddress) error {
	var code string
	if err := tx.QueryRowContext(ctx, `SELECT code FROM merchants WHERE id = ?`, a.MerchantID).Scan(&code); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	detail := fmt.Sprintf("#%d %s %s %s", a.ID, a.Name, a.Region, a.Street)
	if a.Default {
		detail += " (default)"
	}
	return audit(ctx, tx, by, tx.now, action, "merchant "+code, detail)
}

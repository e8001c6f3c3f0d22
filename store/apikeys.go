package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// apiKeyPrefix starts every intake API key, so that one found in a log or a
// repository is recognisable.
const apiKeyPrefix = "axk_"

// hashAPIKey is how a key is stored: keys carry 130 random bits, so a fast
// hash is as good as a slow one and keeps every API request cheap.
func hashAPIKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateAPIKey makes a new intake API key acting for the scope chosen (one
// merchant, or every merchant) and returns it with its secret, which is not
// stored and cannot be shown again.
func (s *Store) CreateAPIKey(ctx context.Context, name string, scope anxin.KeyScope) (anxin.APIKey, string, error) {
	k := anxin.APIKey{Name: strings.TrimSpace(name), MerchantID: scope.MerchantID}
	if err := k.Validate(); err != nil {
		return k, "", err
	}
	if err := scope.Validate(); err != nil {
		return k, "", err
	}
	secret := apiKeyPrefix + rand.Text()
	k.Prefix = secret[:len(apiKeyPrefix)+6]
	err := s.write(ctx, func(ctx context.Context, tx *wtx) error {
		k.CreatedAt = tx.now
		id, err := tx.insertID(ctx, `INSERT INTO api_keys (name, prefix, hash, merchant_id, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, k.Name, k.Prefix, hashAPIKey(secret), nullID(k.MerchantID), ms(k.CreatedAt))
		if isForeignKey(err) {
			return anxin.Fail(anxin.MsgUnknownMerchant)
		}
		if err != nil {
			return fmt.Errorf("create API key: %w", err)
		}
		k.ID = id
		k, err = scanAPIKey(tx.QueryRowContext(ctx, `SELECT `+apiKeyColumns+apiKeyFrom+`WHERE k.id = ?`, k.ID))
		return err
	})
	if err != nil {
		return k, "", err
	}
	return k, secret, nil
}

const apiKeyColumns = `k.id, k.name, k.prefix, coalesce(k.merchant_id, 0), coalesce(m.code, ''), k.unscoped,
	k.created_at, k.last_used_at, k.revoked_at`

const apiKeyFrom = ` FROM api_keys k LEFT JOIN merchants m ON m.id = k.merchant_id `

func scanAPIKey(row interface{ Scan(...any) error }) (anxin.APIKey, error) {
	var k anxin.APIKey
	var created, used, revoked sql.NullInt64
	err := row.Scan(&k.ID, &k.Name, &k.Prefix, &k.MerchantID, &k.MerchantCode, &k.Unscoped, &created, &used, &revoked)
	k.CreatedAt, k.LastUsedAt, k.RevokedAt = fromMS(created), fromMS(used), fromMS(revoked)
	return k, err
}

// APIKeys lists every key, revoked ones too, newest first.
func (s *Store) APIKeys(ctx context.Context) ([]anxin.APIKey, error) {
	rows, err := s.read().QueryContext(ctx, `SELECT `+apiKeyColumns+apiKeyFrom+`ORDER BY k.id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []anxin.APIKey
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// RevokeAPIKey ends a key for good. Revoking a revoked key changes nothing.
func (s *Store) RevokeAPIKey(ctx context.Context, id int64) (anxin.APIKey, error) {
	var k anxin.APIKey
	err := s.write(ctx, func(ctx context.Context, tx *wtx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`,
			ms(tx.now), id); err != nil {
			return fmt.Errorf("revoke API key: %w", err)
		}
		var err error
		k, err = scanAPIKey(tx.QueryRowContext(ctx, `SELECT `+apiKeyColumns+apiKeyFrom+`WHERE k.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return anxin.Fail(anxin.MsgAPIKeyNotFound)
		}
		return err
	})
	return k, err
}

// ErrBadAPIKey is the one answer to a missing, unknown or revoked key.
var ErrBadAPIKey = anxin.Errorf(anxin.EUNAUTHORIZED, "a valid API key is required: Authorization: Bearer <key>")

// APIKeyBySecret returns the live key whose secret this is.
func (s *Store) APIKeyBySecret(ctx context.Context, secret string) (anxin.APIKey, error) {
	if !strings.HasPrefix(secret, apiKeyPrefix) {
		return anxin.APIKey{}, ErrBadAPIKey
	}
	k, err := scanAPIKey(s.read().QueryRowContext(ctx, `SELECT `+apiKeyColumns+apiKeyFrom+`
		WHERE k.hash = ? AND k.revoked_at IS NULL`, hashAPIKey(secret)))
	if errors.Is(err, sql.ErrNoRows) {
		return k, ErrBadAPIKey
	}
	return k, err
}

// keyUseEvery is how often a key's last use is written: at most once a
// minute per key, not on every request.
const keyUseEvery = time.Minute

// TouchAPIKey records that the key was just used.
func (s *Store) TouchAPIKey(ctx context.Context, id int64) error {
	now := s.now()
	if last, ok := s.hooks.keyTouched.Load(id); ok && now.Sub(time.UnixMilli(last.(int64))) < keyUseEvery {
		return nil
	}
	s.hooks.keyTouched.Store(id, now.UnixMilli())
	return s.exec(ctx, "touch API key", `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, ms(now), id)
}

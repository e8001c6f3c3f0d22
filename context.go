package anxin

import "context"

type contextKey int

const userKey contextKey = iota

// NewContextWithUser returns a context carrying the logged-in user.
func NewContextWithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userKey, u)
}

// UserFromContext returns the logged-in user, or nil.
func UserFromContext(ctx context.Context) *User {
	u, _ := ctx.Value(userKey).(*User)
	return u
}

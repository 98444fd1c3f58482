package store

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
)

// UserStore keeps accounts.
type UserStore interface {
	// CreateUser inserts u. ErrConflict (code "email_taken") when the email is taken.
	CreateUser(ctx context.Context, u *gmc.User) error
	// User returns the user with id, or ErrNotFound.
	User(ctx context.Context, id string) (*gmc.User, error)
	// UserByEmail returns the user with a normalised email, or ErrNotFound.
	UserByEmail(ctx context.Context, email string) (*gmc.User, error)
	// UpdateUser writes u's email, display name and password hash when its
	// stored version equals u.Version, then increments u.Version.
	// ErrNotFound, ErrConflict (stale version or email taken).
	UpdateUser(ctx context.Context, u *gmc.User) error
	// DeleteUser removes the user, their memberships and tokens, and every
	// campaign in which they are the only member. ErrConflict (code "last_gm")
	// when they are the last GM of a campaign that has other members.
	DeleteUser(ctx context.Context, id string) error
}

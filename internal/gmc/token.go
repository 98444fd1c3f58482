package gmc

import "time"

// RefreshToken is one link in a rotation family. Only the SHA-256 hash of
// the token is stored; the token itself is shown to the client once.
type RefreshToken struct {
	ID        string
	FamilyID  string
	UserID    string
	TokenHash []byte
	ExpiresAt time.Time
	CreatedAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
}

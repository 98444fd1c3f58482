package gmc

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Limits shared by every entity.
const (
	MaxNameLen      = 255
	MinPasswordLen  = 10
	MaxPasswordLen  = 1024
	MaxTextLen      = 100_000
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// User is an account. PasswordHash never leaves the server.
type User struct {
	ID           string `json:"id"`
	Email        string `json:"email"`
	DisplayName  string `json:"display_name"`
	PasswordHash string `json:"-"`
	Version      int64  `json:"version"`
	// TokenVersion is carried in every access token; raising it ends
	// every access token issued before.
	TokenVersion int64     `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// NormalizeEmail maps every spelling of an address that reads the same to
// one string, so that one mailbox is one account: compatibility forms
// (full-width letters, ligatures) and decomposed accents are composed by
// NFKC, and case is folded, not just lower-cased, which also catches
// letters with no single lower-case form. This is the Unicode
// NFKC_Casefold recipe: NFKC, fold, NFKC again, because folding can undo
// a normal form.
func NormalizeEmail(s string) string {
	folded := cases.Fold().String(norm.NFKC.String(s))
	return strings.TrimSpace(norm.NFKC.String(folded))
}

// ValidateEmail reports a problem with an already normalised address.
func ValidateEmail(v *Validator, location, email string) {
	if email == "" {
		v.Add(location, "is required")
		return
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || !strings.Contains(email[strings.LastIndex(email, "@")+1:], ".") || len(email) > 320 {
		v.Add(location, "must be a valid email address")
	}
}

// ValidatePassword checks the password policy.
func ValidatePassword(v *Validator, location, password string) {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLen:
		v.Add(location, "must be at least %d characters", MinPasswordLen)
	case n > MaxPasswordLen:
		v.Add(location, "must be at most %d characters", MaxPasswordLen)
	}
}

// ValidateName checks a required display name or title.
func ValidateName(v *Validator, location, name string) {
	n := utf8.RuneCountInString(strings.TrimSpace(name))
	switch {
	case n == 0:
		v.Add(location, "is required")
	case utf8.RuneCountInString(name) > MaxNameLen:
		v.Add(location, "must be at most %d characters", MaxNameLen)
	}
}

// ValidateText checks an optional long text.
func ValidateText(v *Validator, location, text string, max int) {
	if utf8.RuneCountInString(text) > max {
		v.Add(location, "must be at most %d characters", max)
	}
}

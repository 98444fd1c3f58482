package service

import (
	"strings"
	"testing"
)

// TestVerifyPasswordRefusesOtherHashes: a stored hash that is not one of
// ours (another scheme, another argon2 version, damaged) matches no
// password, and checking it does not fail otherwise.
func TestVerifyPasswordRefusesOtherHashes(t *testing.T) {
	t.Parallel()
	s := &Service{password: PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}}
	good, err := s.hashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !verifyPassword(good, "correct horse battery") || verifyPassword(good, "correct horse battery!") {
		t.Fatalf("verifyPassword of our own hash is wrong")
	}
	parts := strings.Split(good, "$") // "", argon2id, v=19, m=…,t=…,p=…, salt, key
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	for name, hash := range map[string]string{
		"bcrypt":              "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":             with(1, "argon2i"),
		"another version":     with(2, "v=16"),
		"no version":          with(2, "v=x"),
		"unreadable cost":     with(3, "m=lots"),
		"salt not base64":     with(4, "!!!"),
		"key not base64":      with(5, "!!!"),
		"no passes":           with(3, "m=1024,t=0,p=1"),
		"no lanes":            with(3, "m=1024,t=1,p=0"),
		"no key":              with(5, ""),
		"empty":               "",
		"one field too many":  good + "$x",
		"one field too few":   strings.Join(parts[:5], "$"),
		"salt of another one": with(4, "c2FsdHNhbHRzYWx0c2FsdA"),
	} {
		if verifyPassword(hash, "correct horse battery") {
			t.Errorf("%s: hash %q matched", name, hash)
		}
	}
}

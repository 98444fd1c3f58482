package service

import (
	"bytes"
	"errors"
	"testing"
)

func TestSealer(t *testing.T) {
	t.Parallel()
	oldSecret, newSecret := bytes.Repeat([]byte("o"), 32), bytes.Repeat([]byte("n"), 32)
	old, err := newSealer(oldSecret, nil)
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := newSealer(newSecret, [][]byte{oldSecret})
	if err != nil {
		t.Fatal(err)
	}
	token, aad := []byte("webhook-token"), []byte("discord-webhook:c:w1")

	sealed, keyID, err := old.seal(token, aad)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, token) || keyID != old.currentID || keyID == rotated.currentID {
		t.Fatalf("sealed %x with key %s (old %s, new %s)", sealed, keyID, old.currentID, rotated.currentID)
	}
	again, _, _ := old.seal(token, aad)
	if bytes.Equal(sealed, again) {
		t.Error("two seals of the same token are equal: the nonce is not random")
	}
	for _, s := range []*sealer{old, rotated} {
		if got, err := s.open(sealed, keyID, aad); err != nil || !bytes.Equal(got, token) {
			t.Errorf("open = %q, %v; want the token", got, err)
		}
	}
	if _, err := rotated.open(sealed, keyID, []byte("discord-webhook:c:w2")); err == nil {
		t.Error("a token moved to another row opened")
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	if _, err := rotated.open(tampered, keyID, aad); err == nil {
		t.Error("an altered token opened")
	}
	if _, err := rotated.open(sealed[:5], keyID, aad); err == nil {
		t.Error("a cut token opened")
	}
	fresh, err := newSealer(newSecret, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.open(sealed, keyID, aad); !errors.Is(err, errUnknownSealKey) {
		t.Errorf("open without the old key = %v, want errUnknownSealKey", err)
	}
}

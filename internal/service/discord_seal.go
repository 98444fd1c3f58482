package service

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// sealer encrypts the credentials gmc keeps for integrations (Discord
// webhook tokens) with AES-256-GCM under a key derived from the server's
// secret key by HKDF-SHA256 with a purpose label, so the key is bound to
// this use and never equals the secret or another key made from it.
//
// Each sealed value is stored with the id of the key that sealed it (also
// derived from the secret, with its own label, so it reveals nothing of
// the key). Rotation: set GMC_SECRET_KEY to the new secret and put the old
// one in GMC_PREVIOUS_SECRET_KEYS. Values sealed with an old key are still
// opened, found by their key id, and are sealed again with the current key
// when next used (a post to the webhook); once every value carries the
// current key id, the old secret can be dropped. A value whose key id
// matches no configured secret cannot be opened: the GM registers the
// webhook again.
type sealer struct {
	currentID string
	keys      map[string]cipher.AEAD
}

// Purpose labels of the derived keys; changing one makes every value
// sealed under it unreadable.
const (
	sealKeyLabel   = "gmc integration-credential sealing v1"
	sealKeyIDLabel = "gmc integration-credential key id v1"
)

func newSealer(secret []byte, previous [][]byte) (*sealer, error) {
	s := &sealer{keys: map[string]cipher.AEAD{}}
	for i, sec := range append([][]byte{secret}, previous...) {
		id, aead, err := deriveSealKey(sec)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			s.currentID = id
		}
		if _, seen := s.keys[id]; !seen {
			s.keys[id] = aead
		}
	}
	return s, nil
}

func deriveSealKey(secret []byte) (string, cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, secret, nil, sealKeyLabel, 32)
	if err != nil {
		return "", nil, fmt.Errorf("derive sealing key: %w", err)
	}
	idBytes, err := hkdf.Key(sha256.New, secret, nil, sealKeyIDLabel, 8)
	if err != nil {
		return "", nil, fmt.Errorf("derive sealing key id: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return "", nil, err
	}
	return hex.EncodeToString(idBytes), aead, nil
}

// seal encrypts plain with the current key under a random nonce; aad
// binds the value to where it is stored, so a sealed value copied to
// another row does not open there. It returns nonce‖ciphertext and the
// key's id.
func (s *sealer) seal(plain, aad []byte) ([]byte, string, error) {
	aead := s.keys[s.currentID]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, "", err
	}
	return aead.Seal(nonce, nonce, plain, aad), s.currentID, nil
}

// errUnknownSealKey: the value was sealed with a secret key this server
// is not given any more.
var errUnknownSealKey = errors.New("sealed with a secret key this server does not have (see GMC_PREVIOUS_SECRET_KEYS)")

// open decrypts a value seal made with the key keyID.
func (s *sealer) open(sealed []byte, keyID string, aad []byte) ([]byte, error) {
	aead, ok := s.keys[keyID]
	if !ok {
		return nil, errUnknownSealKey
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, errors.New("sealed value too short")
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, sealed[:n], sealed[n:], aad)
	if err != nil {
		return nil, errors.New("sealed value does not open: altered, or moved from another row")
	}
	return plain, nil
}

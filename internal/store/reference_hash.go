package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/gmc-project/gmc/internal/reference"
)

// ReferenceRow is an entry as both backends store it: JSON fields encoded
// once, in Go, and a hash of the whole so that a re-import can tell
// unchanged entries without comparing JSON the databases may have
// re-encoded.
type ReferenceRow struct {
	Aliases, Card []byte
	Hash          string
}

// EncodeReference prepares e for storage.
func EncodeReference(e reference.Entry) (ReferenceRow, error) {
	if e.Aliases == nil {
		e.Aliases = []string{}
	}
	aliases, err := json.Marshal(e.Aliases)
	if err != nil {
		return ReferenceRow{}, err
	}
	card, err := json.Marshal(e.Card)
	if err != nil {
		return ReferenceRow{}, err
	}
	h := sha256.New()
	for _, part := range [][]byte{[]byte(e.Name), aliases, card, e.Data, {boolByte(e.Variant)}} {
		h.Write(part)
		h.Write([]byte{0})
	}
	return ReferenceRow{Aliases: aliases, Card: card, Hash: hex.EncodeToString(h.Sum(nil))}, nil
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

package phonetic

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// The letter-to-sound model learnt from the embedded dictionary takes
// seconds to learn (a minute under -race), so a copy is embedded too;
// `go generate` rebuilds it and TestEmbeddedModelIsCurrent checks it.
//
//go:generate go run ./internal/genlts -out lts-model.bin.gz
//go:embed lts-model.bin.gz
var modelGz []byte

// modelMagic starts a serialised model, so that a stale format is caught.
const modelMagic = "gmc-lts-1\n"

// WriteTo serialises the model deterministically.
func (m *LTS) WriteTo(w io.Writer) (int64, error) {
	var b bytes.Buffer
	b.WriteString(modelMagic)
	b.WriteString(strings.Join(m.phones, " "))
	b.WriteByte('\n')
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(m.levels)))
	for _, lv := range m.levels {
		keys := make([]uint64, 0, len(lv))
		for k := range lv {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		_ = binary.Write(&b, binary.LittleEndian, uint32(len(keys)))
		for _, k := range keys {
			_ = binary.Write(&b, binary.LittleEndian, k)
			_ = binary.Write(&b, binary.LittleEndian, lv[k])
		}
	}
	n, err := w.Write(b.Bytes())
	return int64(n), err
}

// ReadLTS reads a model written by WriteTo.
func ReadLTS(r io.Reader) (*LTS, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("letter-to-sound model: %w", err)
	}
	if !bytes.HasPrefix(data, []byte(modelMagic)) {
		return nil, errors.New("letter-to-sound model: not a model file")
	}
	data = data[len(modelMagic):]
	nl := bytes.IndexByte(data, '\n')
	if nl < 0 {
		return nil, errors.New("letter-to-sound model: no phone list")
	}
	m := &LTS{phones: strings.Fields(string(data[:nl]))}
	rd := bytes.NewReader(data[nl+1:])
	var nLevels uint32
	if err := binary.Read(rd, binary.LittleEndian, &nLevels); err != nil || nLevels != uint32(len(chain)) {
		return nil, fmt.Errorf("letter-to-sound model: %d levels, want %d", nLevels, len(chain))
	}
	m.levels = make([]map[uint64]uint16, nLevels)
	for i := range m.levels {
		var n uint32
		if err := binary.Read(rd, binary.LittleEndian, &n); err != nil {
			return nil, fmt.Errorf("letter-to-sound model: level %d: %w", i, err)
		}
		lv := make(map[uint64]uint16, n)
		for range n {
			var k uint64
			var v uint16
			if err := binary.Read(rd, binary.LittleEndian, &k); err != nil {
				return nil, fmt.Errorf("letter-to-sound model: level %d: %w", i, err)
			}
			if err := binary.Read(rd, binary.LittleEndian, &v); err != nil {
				return nil, fmt.Errorf("letter-to-sound model: level %d: %w", i, err)
			}
			lv[k] = v
		}
		m.levels[i] = lv
	}
	return m, nil
}

var (
	modelOnce sync.Once
	model     *LTS
	modelErr  error
)

// DefaultLTS returns the letter-to-sound model of the embedded
// dictionary.
func DefaultLTS() (*LTS, error) {
	modelOnce.Do(func() {
		zr, err := gzip.NewReader(bytes.NewReader(modelGz))
		if err != nil {
			modelErr = fmt.Errorf("letter-to-sound model: %w", err)
			return
		}
		model, modelErr = ReadLTS(zr)
	})
	return model, modelErr
}

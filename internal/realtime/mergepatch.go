package realtime

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// applyMergePatch applies an RFC 7396 JSON merge patch to the state document
// doc. The patch must be an object: a non-object patch would replace the whole
// state with a scalar or array, which no client means to do. Numbers are kept
// as written (json.Number) so large integers survive the round trip.
func applyMergePatch(doc, patch json.RawMessage, maxBytes int) (json.RawMessage, error) {
	p, err := decodeJSON(patch)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidPatch, err)
	}
	po, ok := p.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: patch must be a JSON object", ErrInvalidPatch)
	}
	d, err := decodeJSON(doc)
	if err != nil {
		return nil, fmt.Errorf("realtime: stored state is not JSON: %w", err)
	}
	out, err := json.Marshal(mergeValue(d, po))
	if err != nil {
		return nil, fmt.Errorf("realtime: encode state: %w", err)
	}
	if len(out) > maxBytes {
		return nil, fmt.Errorf("%w: state would be %d bytes, limit %d", ErrInvalidPatch, len(out), maxBytes)
	}
	return out, nil
}

// mergeValue is MergePatch(Target, Patch) from RFC 7396 section 2.
func mergeValue(target any, patch any) any {
	po, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	to, ok := target.(map[string]any)
	if !ok {
		to = map[string]any{}
	}
	for k, v := range po {
		if v == nil {
			delete(to, k)
			continue
		}
		to[k] = mergeValue(to[k], v)
	}
	return to
}

func decodeJSON(b json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	return v, nil
}

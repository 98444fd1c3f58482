// Package embedtest is a loopback server speaking the OpenAI embeddings
// protocol (POST /v1/embeddings) with deterministic vectors built from the
// text: a hashed bag of words, normalised. Texts that share words are
// close, texts that share none are orthogonal (up to hash collisions), so
// a test can state which result must come first.
package embedtest

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"hash/fnv"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"unicode"
)

// Dims is the length of the vectors the server makes unless told otherwise.
const Dims = 64

// stop are words too common to say what a text is about; real models
// learn that, the bag of words is told.
var stop = map[string]bool{"the": true, "a": true, "an": true, "of": true, "and": true, "who": true, "our": true,
	"at": true, "in": true, "to": true, "is": true, "was": true, "his": true, "her": true, "their": true, "for": true}

// Vector is the server's embedding of text in dims dimensions.
func Vector(text string, dims int) []float32 {
	v := make([]float32, dims)
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if stop[w] {
			continue
		}
		h := fnv.New32a()
		h.Write([]byte(w))
		s := h.Sum32()
		sign := float32(1)
		if s&(1<<31) != 0 {
			sign = -1
		}
		v[int(s%uint32(dims))] += sign
	}
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	if n > 0 {
		inv := float32(1 / math.Sqrt(n))
		for i := range v {
			v[i] *= inv
		}
	}
	return v
}

// Server answers embeddings requests.
type Server struct {
	URL  string
	Dims int

	mu       sync.Mutex
	inputs   [][]string
	failNext int
	base64   bool
}

// Start runs a server until t ends. Its URL ends in /v1.
func Start(t testing.TB) *Server {
	s := &Server{Dims: Dims}
	hs := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(hs.Close)
	s.URL = hs.URL + "/v1"
	return s
}

// FailNext makes the next n requests answer 503.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	s.failNext = n
	s.mu.Unlock()
}

// Base64 makes the server answer in base64 whatever is asked.
func (s *Server) Base64(on bool) {
	s.mu.Lock()
	s.base64 = on
	s.mu.Unlock()
}

// Requests are the inputs of every request answered with vectors.
func (s *Server) Requests() [][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]string(nil), s.inputs...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
		http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
		return
	}
	var req struct {
		Model          string          `json:"model"`
		Input          json.RawMessage `json:"input"`
		EncodingFormat string          `json:"encoding_format"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Model == "" {
		http.Error(w, `{"error":{"message":"bad request"}}`, http.StatusBadRequest)
		return
	}
	var inputs []string
	if err := json.Unmarshal(req.Input, &inputs); err != nil {
		var one string
		if err := json.Unmarshal(req.Input, &one); err != nil {
			http.Error(w, `{"error":{"message":"input must be a string or a list of strings"}}`, http.StatusBadRequest)
			return
		}
		inputs = []string{one}
	}
	s.mu.Lock()
	fail := s.failNext > 0
	if fail {
		s.failNext--
	} else {
		s.inputs = append(s.inputs, inputs)
	}
	b64 := s.base64 || req.EncodingFormat == "base64"
	s.mu.Unlock()
	if fail {
		w.Header().Set("Retry-After", "0")
		http.Error(w, `{"error":{"message":"overloaded"}}`, http.StatusServiceUnavailable)
		return
	}
	type item struct {
		Object    string `json:"object"`
		Index     int    `json:"index"`
		Embedding any    `json:"embedding"`
	}
	data := make([]item, len(inputs))
	tokens := 0
	// Answered last to first: clients must match by index.
	for i := range inputs {
		j := len(inputs) - 1 - i
		v := Vector(inputs[j], s.Dims)
		var emb any = v
		if b64 {
			buf := make([]byte, 4*len(v))
			for k, x := range v {
				binary.LittleEndian.PutUint32(buf[4*k:], math.Float32bits(x))
			}
			emb = base64.StdEncoding.EncodeToString(buf)
		}
		data[i] = item{Object: "embedding", Index: j, Embedding: emb}
		tokens += len(strings.Fields(inputs[j]))
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": req.Model,
		"usage": map[string]int{"prompt_tokens": tokens, "total_tokens": tokens}})
}

// Package ddbtest runs a loopback stand-in for D&D Beyond's character
// service, for tests of the importer: it answers at the service's path
// with the documents it is given, and with the service's error answers.
package ddbtest

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
)

// Path is where the character service answers; ids are appended.
const Path = "/character/v5/character/"

// PrivateEnvelope is the service's answer for a character that is not
// public (observed on v3; v5 keeps the envelope).
const PrivateEnvelope = `{"id":0,"success":false,"message":"An unexpected error has occured","data":{"serverMessage":"Unauthorized Access Attempt.","errorCode":"c8990ca"},"pagination":null}`

type answer struct {
	status int
	body   []byte
	header http.Header
	hang   bool
}

// Server is the stand-in service. Unknown ids answer 404.
type Server struct {
	*httptest.Server
	mu      sync.Mutex
	answers map[int64]answer
	hits    map[int64]int
}

// NewServer starts a server that stops when the test ends.
func NewServer(t testing.TB) *Server {
	s := &Server{answers: map[int64]answer{}, hits: map[int64]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+Path+"{id}", s.serve)
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// BaseURL is the value for the client's base URL.
func (s *Server) BaseURL() string { return s.URL + Path }

// Set answers id with doc, status 200.
func (s *Server) Set(id int64, doc []byte) { s.Answer(id, http.StatusOK, doc) }

// Answer answers id with status and body.
func (s *Server) Answer(id int64, status int, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers[id] = answer{status: status, body: body}
}

// Redirect answers id with a redirect to location.
func (s *Server) Redirect(id int64, location string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers[id] = answer{status: http.StatusFound, header: http.Header{"Location": {location}}}
}

// Hang leaves requests for id unanswered until the client gives up.
func (s *Server) Hang(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers[id] = answer{hang: true}
}

// Hits is how many requests id has had.
func (s *Server) Hits(id int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[id]
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.Error(w, "bad id", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	a, ok := s.answers[id]
	s.hits[id]++
	s.mu.Unlock()
	switch {
	case !ok:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"id":0,"success":false,"message":"Character not found","data":null,"pagination":null}`))
	case a.hang:
		<-r.Context().Done()
	default:
		for k, v := range a.header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		w.Write(a.body)
	}
}

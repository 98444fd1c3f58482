package wsbench

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/testenv"
)

// TestEvening runs a small evening on the embedded database and checks
// that every route was exercised without an error and that every segment
// reached every socket.
func TestEvening(t *testing.T) {
	var out bytes.Buffer
	err := LoadMain(context.Background(), []string{"-groups", "2", "-players", "3", "-duration", "4s",
		"-segment-every", "500ms", "-think", "100ms", "-gm-every", "100ms"}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	report := out.String()
	t.Log(report)
	for _, route := range eveningRoutes {
		line := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(route) + `\s+(\d+)\s.*\s(\d+)\s*$`).FindStringSubmatch(report)
		if line == nil {
			t.Errorf("no line for %s", route)
			continue
		}
		if line[1] == "0" || line[2] != "0" {
			t.Errorf("%s: %s requests, %s errors; want some and none", route, line[1], line[2])
		}
	}
	m := regexp.MustCompile(`sockets (\d+) \(errors (\d+)\); segments posted (\d+), delivered (\d+) of (\d+) expected`).FindStringSubmatch(report)
	if m == nil {
		t.Fatal("no socket line")
	}
	if m[1] != "8" || m[2] != "0" || m[4] != m[5] || m[3] == "0" {
		t.Errorf("sockets: %s", m[0])
	}
	if strings.Contains(report, "first error") {
		t.Error("a request failed")
	}
}

// TestSpokenEvening runs an evening whose live session hears a recording
// through its audio socket, recognised by a stand-in speech-to-text server
// and diarized by the built-in diarizer, and checks that utterances were
// heard, reached every socket and raised keyword alerts, without errors.
func TestSpokenEvening(t *testing.T) {
	dir := testenv.SharedData(t, "bench/diarization/dev01.wav")
	var out bytes.Buffer
	err := LoadMain(context.Background(), []string{"-groups", "2", "-players", "2", "-duration", "12s",
		"-think", "200ms", "-gm-every", "300ms",
		"-speech", filepath.Join(dir, "bench/diarization/dev01.wav"), "-stt", "whisper", "-standin-rtf", "0.05"}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	report := out.String()
	t.Log(report)
	m := regexp.MustCompile(`speech: (\d+) of 2 microphones streaming \(stt whisper, diarization builtin\), \d+ s of audio sent, (\d+) utterances heard, .* errors (\d+)`).FindStringSubmatch(report)
	if m == nil {
		t.Fatal("no speech line")
	}
	if m[1] != "2" || m[2] == "0" || m[3] != "0" {
		t.Errorf("speech: %s; want 2 streams, utterances heard and no error", m[0])
	}
	for _, row := range []string{"utterance end → heard", "utterance end → sockets"} {
		line := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(row) + `\s+(\d+)\s`).FindStringSubmatch(report)
		if line == nil || line[1] == "0" {
			t.Errorf("%s: %v; want a count", row, line)
		}
	}
	s := regexp.MustCompile(`sockets 6 \(errors 0\); transcript segments delivered (\d+); keyword alerts received (\d+)`).FindStringSubmatch(report)
	if s == nil || s[1] == "0" || s[2] == "0" {
		t.Errorf("sockets: %v; want 6 sockets without errors, segments delivered and alerts", s)
	}
	if strings.Contains(report, "first error") || strings.Contains(report, "first speech error") {
		t.Error("a request failed")
	}
}

package clamd_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/gmc-project/gmc/internal/clamd"
	"github.com/gmc-project/gmc/internal/clamd/clamdtest"
)

func TestScan(t *testing.T) {
	t.Parallel()
	srv := clamdtest.Start(t)
	srv.MaxStream = 1 << 20
	c := &clamd.Client{Addr: srv.Addr}
	big := strings.Repeat("x", 300<<10) // several chunks
	tests := []struct {
		name      string
		content   string
		infected  bool
		signature string
		wantErr   error
	}{
		{"clean", "just a map", false, "", nil},
		{"empty", "", false, "", nil},
		{"EICAR alone", clamdtest.EICAR, true, "Eicar-Test-Signature", nil},
		// The signature straddles two chunks.
		{"EICAR across chunks", big[:64<<10-10] + clamdtest.EICAR + big, true, "Eicar-Test-Signature", nil},
		{"clean, several chunks", big, false, "", nil},
		{"over the stream limit", strings.Repeat("y", 2<<20), false, "", clamd.ErrUnavailable},
	}
	for _, tc := range tests {
		v, err := c.Scan(context.Background(), strings.NewReader(tc.content))
		if tc.wantErr != nil {
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("%s: Scan = %+v, %v; want %v", tc.name, v, err, tc.wantErr)
			}
			continue
		}
		if err != nil || v.Infected != tc.infected || v.Signature != tc.signature {
			t.Errorf("%s: Scan = %+v, %v; want infected %v (%q)", tc.name, v, err, tc.infected, tc.signature)
		}
	}
}

func TestScanFailures(t *testing.T) {
	t.Parallel()
	// A port nothing listens on: take one and close it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	if _, err := (&clamd.Client{Addr: closed}).Scan(context.Background(), strings.NewReader("x")); !errors.Is(err, clamd.ErrUnavailable) {
		t.Errorf("Scan(nothing listening) = %v, want ErrUnavailable", err)
	}

	// A server that answers something other than clamd's replies.
	odd, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer odd.Close()
	go func() {
		for {
			conn, err := odd.Accept()
			if err != nil {
				return
			}
			io.WriteString(conn, "HTTP/1.1 400 Bad Request\r\n\r\n")
			conn.Close()
		}
	}()
	if _, err := (&clamd.Client{Addr: odd.Addr().String()}).Scan(context.Background(), strings.NewReader("x")); !errors.Is(err, clamd.ErrUnavailable) {
		t.Errorf("Scan(not clamd) = %v, want ErrUnavailable", err)
	}

	// A content that cannot be read is the caller's failure, not clamd's.
	srv := clamdtest.Start(t)
	broken := errors.New("broken")
	_, err = (&clamd.Client{Addr: srv.Addr}).Scan(context.Background(), iotest.ErrReader(broken))
	if !errors.Is(err, broken) || errors.Is(err, clamd.ErrUnavailable) {
		t.Errorf("Scan(failing reader) = %v, want the reader's error", err)
	}
}

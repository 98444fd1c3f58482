package benchproc

import (
	"os"
	"testing"
	"time"
)

func TestOwnProcess(t *testing.T) {
	before, err := CPUTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	// Burn CPU until the reading moves: on a loaded machine a fixed spell
	// of wall time may get less than one clock tick of CPU, so the bound
	// is generous and only a reading that never moves fails.
	after := before
	for end := time.Now().Add(20 * time.Second); after <= before && time.Now().Before(end); {
		for spin := time.Now().Add(50 * time.Millisecond); time.Now().Before(spin); {
		}
		if after, err = CPUTime(os.Getpid()); err != nil {
			t.Fatal(err)
		}
	}
	if after <= before {
		t.Errorf("CPU time did not grow: %v then %v", before, after)
	}
	rss, peak, err := Memory(os.Getpid())
	if err != nil || rss <= 0 || peak < rss {
		t.Errorf("Memory = %d, %d, %v; want 0 < rss <= peak", rss, peak, err)
	}
	if _, err := CPUTime(-1); err == nil {
		t.Error("CPUTime of no process did not fail")
	}
}

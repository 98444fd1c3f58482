package realtime_test

import (
	"bytes"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gmc-project/gmc/internal/realtime"
	"github.com/gmc-project/gmc/internal/realtime/brokertest"
)

const (
	writerFrame = "realtime.(*conn).write" // the writer and what it calls
	connFrame   = "realtime.(*conn)."      // anything serving a connection
)

// TestHubWriterRunsOnlyWithWork: an idle socket holds no writer goroutine;
// one starts for each piece of work (a reply, a live message), writes it and
// ends, and nothing of the connection is left once it is over. Not parallel:
// it counts the goroutines of the whole process.
func TestHubWriterRunsOnlyWithWork(t *testing.T) {
	before := runtime.NumGoroutine()
	hs := newMemoryHub(t, realtime.BrokerOpts{}, realtime.HubOpts{})
	s := brokertest.ChannelName(t)
	c := connect(t, hs, s, "u-gm", realtime.RoleGM)
	awaitGoroutines(t, writerFrame, 0)
	for i := range 3 {
		c.send(realtime.TypePing, i)
		c.next(realtime.TypePong)
		awaitGoroutines(t, writerFrame, 0)

		m := broadcast(t, hs, s, realtime.TypeTranscriptSegment, map[string]int{"i": i}, realtime.Audience{})
		if got := c.next(realtime.TypeTranscriptSegment); got.Seq != m.Seq {
			t.Fatalf("got seq %d, want %d", got.Seq, m.Seq)
		}
		awaitGoroutines(t, writerFrame, 0)
	}
	if n := countGoroutines(connFrame); n != 1 {
		t.Errorf("an idle connection runs %d goroutines, want 1 (its reader)", n)
	}

	_ = c.ws.Close(websocket.StatusNormalClosure, "bye")
	if err := hs.waitServed(t); err != nil {
		t.Errorf("Serve = %v, want nil", err)
	}
	awaitGoroutines(t, connFrame, 0)
	hs.srv.CloseClientConnections()
	deadline := time.Now().Add(clientWait)
	for runtime.NumGoroutine() > before+2 { // the test server's listener and its closer
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines after the connection ended, %d before it", runtime.NumGoroutine(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// awaitGoroutines waits until exactly want goroutines have frame in their
// stack.
func awaitGoroutines(t *testing.T, frame string, want int) {
	t.Helper()
	deadline := time.Now().Add(clientWait)
	for {
		n := countGoroutines(frame)
		if n == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines in %s, want %d", n, frame, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func countGoroutines(frame string) int {
	var buf bytes.Buffer
	_ = pprof.Lookup("goroutine").WriteTo(&buf, 2)
	n := 0
	for g := range bytes.SplitSeq(buf.Bytes(), []byte("\n\n")) {
		if bytes.Contains(g, []byte(frame)) {
			n++
		}
	}
	return n
}

package realtime_test

import (
	"testing"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/realtime"
	"github.com/gmc-project/gmc/internal/realtime/brokertest"
)

// leave closes c normally and waits until the server has finished with it.
func leave(t *testing.T, hs *hubServer, c *wsClient) {
	t.Helper()
	_ = c.ws.Close(websocket.StatusNormalClosure, "bye")
	if err := hs.waitServed(t); err != nil {
		t.Fatalf("Serve = %v, want nil", err)
	}
}

// TestHubResumeWithinWindow: a client that comes back gets exactly what it
// missed (minus what it may not see), in order, then the live stream.
func TestHubResumeWithinWindow(t *testing.T) {
	t.Parallel()
	hs := newMemoryHub(t, realtime.BrokerOpts{}, realtime.HubOpts{})
	s := brokertest.ChannelName(t)
	connect(t, hs, s, "u-gm", realtime.RoleGM) // keeps the session busy meanwhile
	a := connect(t, hs, s, "u-a", realtime.RolePlayer)
	var k int64
	for i := range 3 {
		broadcast(t, hs, s, realtime.TypeTranscriptSegment, map[string]int{"i": i}, realtime.Audience{})
		k = a.next(realtime.TypeTranscriptSegment).Seq
	}
	leave(t, hs, a)

	var want []int64
	for i := range 5 {
		want = append(want, broadcast(t, hs, s, realtime.TypeTranscriptSegment, map[string]int{"i": i}, realtime.Audience{}).Seq)
		if i == 2 {
			broadcast(t, hs, s, realtime.TypeKeywordAlert, nil, realtime.Audience{Roles: []string{realtime.RoleGM}})
		}
	}

	a2 := dial(t, hs, s, "u-a", realtime.RolePlayer)
	last := a2.welcome.LastSeq
	a2.send(realtime.TypeResume, realtime.ResumeRequest{LastSeq: k})
	end := broadcast(t, hs, s, realtime.TypeJobProgress, nil, realtime.Audience{})
	var got []int64
	for {
		m := a2.next(realtime.TypeTranscriptSegment, realtime.TypeJobProgress)
		if m.Type == realtime.TypeJobProgress {
			if m.Seq != end.Seq {
				t.Errorf("first live message seq %d, want %d", m.Seq, end.Seq)
			}
			break
		}
		if m.Seq > last {
			t.Errorf("segment %d after the welcome's last seq %d", m.Seq, last)
		}
		got = append(got, m.Seq)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("replayed segments (-want +got):\n%s", diff)
	}
}

// TestHubResumeBeyondWindow: when the missed messages left the window, the
// client gets a fresh welcome instead of a silent gap.
func TestHubResumeBeyondWindow(t *testing.T) {
	t.Parallel()
	hs := newMemoryHub(t, realtime.BrokerOpts{WindowSize: 5}, realtime.HubOpts{})
	s := brokertest.ChannelName(t)
	a := connect(t, hs, s, "u-a", realtime.RolePlayer)
	k := broadcast(t, hs, s, realtime.TypeTranscriptSegment, nil, realtime.Audience{}).Seq
	a.next(realtime.TypeTranscriptSegment)
	leave(t, hs, a)
	for range 10 {
		broadcast(t, hs, s, realtime.TypeTranscriptSegment, nil, realtime.Audience{})
	}
	a2 := dial(t, hs, s, "u-a", realtime.RolePlayer)
	a2.send(realtime.TypeResume, realtime.ResumeRequest{LastSeq: k})
	fresh := decode[realtime.WelcomeData](t, a2.next(realtime.TypeWelcome))
	if fresh.LastSeq < a2.welcome.LastSeq {
		t.Errorf("fresh welcome last_seq %d, want at least %d", fresh.LastSeq, a2.welcome.LastSeq)
	}
	// The client must learn that it did not resume, and why, so that it
	// refetches the transcript and keyword hits from the database.
	if fresh.Resumed || fresh.Reason != realtime.WelcomeReplayWindowLost {
		t.Errorf("fresh welcome resumed=%v reason=%q, want false %q", fresh.Resumed, fresh.Reason, realtime.WelcomeReplayWindowLost)
	}
	if a2.welcome.Reason != "" {
		t.Errorf("first welcome reason %q, want none", a2.welcome.Reason)
	}
	m := broadcast(t, hs, s, realtime.TypeJobProgress, nil, realtime.Audience{})
	if got := a2.next(realtime.TypeJobProgress); got.Seq != m.Seq {
		t.Errorf("live after fresh welcome: seq %d, want %d", got.Seq, m.Seq)
	}
}

// TestHubResumeAfterLiveStarted: a resume that can no longer be answered in
// order gets a fresh welcome.
func TestHubResumeAfterLiveStarted(t *testing.T) {
	t.Parallel()
	hs := newMemoryHub(t, realtime.BrokerOpts{}, realtime.HubOpts{})
	s := brokertest.ChannelName(t)
	a := dial(t, hs, s, "u-a", realtime.RolePlayer)
	a.send(realtime.TypePing, nil) // starts the live stream without a resume
	a.next(realtime.TypePong)
	m := broadcast(t, hs, s, realtime.TypeTranscriptSegment, nil, realtime.Audience{})
	a.next(realtime.TypeTranscriptSegment)
	a.send(realtime.TypeResume, realtime.ResumeRequest{LastSeq: 0})
	if w := decode[realtime.WelcomeData](t, a.next(realtime.TypeWelcome)); w.LastSeq < m.Seq {
		t.Errorf("fresh welcome last_seq %d, want at least %d", w.LastSeq, m.Seq)
	}
}

// TestHubLiveStartsAfterGrace: a client that sends nothing still gets live
// messages once the resume grace has passed.
func TestHubLiveStartsAfterGrace(t *testing.T) {
	t.Parallel()
	hs := newMemoryHub(t, realtime.BrokerOpts{}, realtime.HubOpts{ResumeGrace: 50e6})
	s := brokertest.ChannelName(t)
	a := dial(t, hs, s, "u-a", realtime.RolePlayer)
	m := broadcast(t, hs, s, realtime.TypeTranscriptSegment, nil, realtime.Audience{})
	if got := a.next(realtime.TypeTranscriptSegment); got.Seq != m.Seq {
		t.Errorf("got seq %d, want %d", got.Seq, m.Seq)
	}
}

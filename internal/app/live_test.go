package app_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/realtime"
	"github.com/gmc-project/gmc/internal/testenv"
)

// TestLiveTable joins a live session over real sockets on the embedded
// defaults: who may connect, who receives what, and how it ends.
func TestLiveTable(t *testing.T) {
	t.Parallel()
	in := startInstance(t, config.Config{})
	tb := setUpTable(t, in)
	_, outsider := in.signUp("outsider@example.com")

	// Refused at the handshake, with an HTTP status.
	for _, tc := range []struct {
		name, token string
		want        int
	}{
		{"outsider", outsider, http.StatusNotFound},
		{"no token", "", http.StatusUnauthorized},
		{"bad ticket", "ticket:nonsense", http.StatusUnauthorized},
	} {
		if _, res, err := in.dial(tc.name, tb.sessionID, tc.token); err == nil || res == nil || res.StatusCode != tc.want {
			t.Errorf("%s: dial err=%v status=%v, want HTTP %d", tc.name, err, res, tc.want)
		}
	}
	ticket := in.call("POST", "/sessions/"+tb.sessionID+"/ws-ticket", tb.obs, nil, 201)["ticket"].(string)

	gm := in.mustDial("gm", tb.sessionID, tb.gm)
	p1 := in.mustDial("p1", tb.sessionID, tb.p1)
	p2 := in.mustDial("p2", tb.sessionID, tb.p2)
	obs := in.mustDial("observer", tb.sessionID, "ticket:"+ticket)
	if _, res, err := in.dial("ticket reuse", tb.sessionID, "ticket:"+ticket); err == nil || res.StatusCode != http.StatusUnauthorized {
		t.Errorf("ticket reuse: err=%v, want HTTP 401", err)
	}

	// A whisper reaches sender, recipient and GMs only.
	p1.send("chat", map[string]any{"text": "psst, I pick the lock", "to": tb.p2ID})
	for _, c := range []*client{p1, p2, gm} {
		c.await("chat")
	}
	obs.silent("chat", 300*time.Millisecond)

	// Transcript segments posted over HTTP reach everyone.
	in.call("POST", "/sessions/"+tb.sessionID+"/transcript/segments", tb.gm, map[string]any{"segments": []any{
		map[string]any{"speaker_label": "A", "start_ms": 0, "end_ms": 900, "text": "Roll for initiative"}}}, 201)
	for _, c := range []*client{gm, p1, p2, obs} {
		var seg struct{ Text string }
		if err := json.Unmarshal(c.await("transcript.segment").Data, &seg); err != nil || seg.Text != "Roll for initiative" {
			t.Errorf("%s: segment %q %v", c.name, seg.Text, err)
		}
	}

	// A change to campaign data shows on open screens.
	in.call("PATCH", "/sessions/"+tb.sessionID, tb.gm, map[string]any{"notes": "The party enters Cragmaw"}, 200)
	var changed struct {
		EntityType string `json:"entity_type"`
		Action     string `json:"action"`
	}
	_ = json.Unmarshal(p2.await("entity.changed").Data, &changed)
	if changed.EntityType != "session" || changed.Action != "update" {
		t.Errorf("entity.changed = %+v", changed)
	}

	// Ending the session ends every connection with "do not reconnect".
	in.call("POST", "/sessions/"+tb.sessionID+"/end", tb.gm, nil, 200)
	for _, c := range []*client{gm, p1, p2, obs} {
		if code := c.closeStatus(); code != realtime.CloseSessionEnded {
			t.Errorf("%s: close code %d, want %d", c.name, code, realtime.CloseSessionEnded)
		}
	}
	if _, res, err := in.dial("after end", tb.sessionID, tb.p1); err == nil || res.StatusCode != http.StatusConflict {
		t.Errorf("dial after end: err=%v, want HTTP 409", err)
	}
}

// TestLiveTwoInstancesOnRedis runs two gmc instances on one database and
// one Redis, with clients on each: messages cross in one agreed order, and a
// client of an instance that dies resumes on the other without a gap.
func TestLiveTwoInstancesOnRedis(t *testing.T) {
	t.Parallel()
	cfg := config.Config{DatabaseURL: testenv.PostgresSchema(t), RedisURL: testenv.RedisURL(t), RedisPrefix: testenv.RedisPrefix(t)}
	a := startInstance(t, cfg)
	b := startInstance(t, cfg)
	tb := setUpTable(t, a)

	gm := a.mustDial("gm@a", tb.sessionID, tb.gm)
	p1 := b.mustDial("p1@b", tb.sessionID, tb.p1)
	p2 := a.mustDial("p2@a", tb.sessionID, tb.p2)

	// Chats from clients on both instances: everyone sees the same sequence.
	for i := range 5 {
		gm.send("chat", map[string]any{"text": "gm " + string(rune('0'+i))})
		p1.send("chat", map[string]any{"text": "p1 " + string(rune('0'+i))})
	}
	order := func(c *client) []int64 {
		var seqs []int64
		for len(seqs) < 10 {
			seqs = append(seqs, c.await("chat").Seq)
		}
		return seqs
	}
	want := order(gm)
	for _, c := range []*client{p1, p2} {
		if got := order(c); !equalSeqs(got, want) {
			t.Errorf("%s saw chats in order %v, gm saw %v", c.name, got, want)
		}
	}
	for i := 1; i < len(want); i++ {
		if want[i] <= want[i-1] {
			t.Fatalf("seqs not rising: %v", want)
		}
	}

	// Instance b dies; p1 reconnects to a and resumes from its last seq.
	last := want[len(want)-1]
	b.stop()
	for range 3 {
		gm.send("chat", map[string]any{"text": "while p1 was away"})
	}
	missed := []int64{gm.await("chat").Seq, gm.await("chat").Seq, gm.await("chat").Seq}
	back := a.mustDial("p1@a", tb.sessionID, tb.p1)
	back.send("resume", map[string]any{"last_seq": last})
	var got []int64
	for len(got) < 3 {
		got = append(got, back.await("chat").Seq)
	}
	if !equalSeqs(got, missed) {
		t.Errorf("resumed chats %v, want exactly the missed %v", got, missed)
	}
}

func equalSeqs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

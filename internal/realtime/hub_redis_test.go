package realtime_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/realtime"
	"github.com/gmc-project/gmc/internal/realtime/brokertest"
)

// TestHubAcrossRedisInstances runs two hubs on two brokers sharing Redis, as
// two gmc instances behind a load balancer: the table behaves as one.
func TestHubAcrossRedisInstances(t *testing.T) {
	t.Parallel()
	url, prefix := redisURL(t), randomPrefix()
	a := newHubServer(t, newRedisBroker(t, url, prefix, realtime.BrokerOpts{}), realtime.HubOpts{})
	b := newHubServer(t, newRedisBroker(t, url, prefix, realtime.BrokerOpts{}), realtime.HubOpts{})
	s := brokertest.ChannelName(t)
	gm := connect(t, a, s, "u-gm", realtime.RoleGM)
	pc := connect(t, b, s, "u-pc", realtime.RolePlayer)

	pc.send(realtime.TypeChat, realtime.ChatRequest{Text: "I search the altar"})
	for _, c := range []*wsClient{gm, pc} {
		if got := decode[realtime.ChatData](t, c.next(realtime.TypeChat)); got.Text != "I search the altar" {
			t.Errorf("chat text %q", got.Text)
		}
	}
	broadcast(t, a, s, realtime.TypeKeywordAlert, map[string]string{"term": "altar"}, realtime.Audience{Roles: []string{realtime.RoleGM}})
	broadcast(t, b, s, realtime.TypeJobProgress, map[string]int{"percent": 50}, realtime.Audience{})
	if diff := cmp.Diff([]string{realtime.TypeKeywordAlert}, readUntil(gm, realtime.TypeJobProgress)); diff != "" {
		t.Errorf("GM on instance A received (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string(nil), readUntil(pc, realtime.TypeJobProgress)); diff != "" {
		t.Errorf("player on instance B received (-want +got):\n%s", diff)
	}

	pc.send(realtime.TypeStateUpdate, map[string]any{"base_version": 0, "patch": jsonRaw(`{"party_notes":"altar is trapped"}`)})
	for _, c := range []*wsClient{gm, pc} {
		if p := decode[realtime.StatePatchData](t, c.next(realtime.TypeStatePatch)); p.Version != 1 {
			t.Errorf("state.patch version %d, want 1", p.Version)
		}
	}

	if err := a.hub.CloseChannel(context.Background(), s, "done"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*wsClient{gm, pc} {
		c.next(realtime.TypeSessionEnded)
		if code := c.closed(); code != realtime.CloseSessionEnded {
			t.Errorf("close code %v, want %v", code, realtime.CloseSessionEnded)
		}
	}
}

package brokertest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/realtime"
)

var lifecycleCases = map[string]func(*testing.T, NewBrokerFunc){
	"DeleteChannel": testDeleteChannel,
	"Close":         testClose,
	"Health":        testHealth,
}

// testDeleteChannel: ending a session forgets its messages, state and
// presence, ends its subscriptions, and leaves other channels alone.
func testDeleteChannel(t *testing.T, newBroker NewBrokerFunc) {
	ctx := context.Background()
	b := newBroker(t, realtime.BrokerOpts{})
	ch, other := ChannelName(t), ChannelName(t)
	sub := mustSubscribe(t, b, ch)
	otherSub := mustSubscribe(t, b, other)
	base := publishN(t, b, ch, 3)
	otherSeq := mustPublish(t, b, other, "chat", 0).Seq
	mustUpdate(t, b, ch, 0, `{"scene":"tavern"}`)
	mustUpdate(t, b, other, 0, `{"scene":"keep"}`)
	mustJoin(t, b, ch, realtime.Presence{UserID: "u1", Role: realtime.RoleGM}, time.Minute)

	if err := b.DeleteChannel(ctx, ch); err != nil {
		t.Fatalf("DeleteChannel = %v", err)
	}
	waitClosed(t, sub, realtime.ErrChannelDeleted)

	if seq, err := b.LastSeq(ctx, ch); err != nil || seq != 0 {
		t.Errorf("LastSeq after delete = %d, %v; want 0", seq, err)
	}
	if st, err := b.State(ctx, ch); err != nil || st.Version != 0 {
		t.Errorf("State after delete = %+v, %v; want version 0", st, err)
	}
	if got := present(t, b, ch); len(got) != 0 {
		t.Errorf("Present after delete = %v, want none", got)
	}
	if msgs, ok := mustReplay(t, b, ch, 0); !ok || len(msgs) != 0 {
		t.Errorf("Replay(0) after delete = %v, %v; want [], true", seqs(msgs), ok)
	}
	if _, ok := mustReplay(t, b, ch, base+3); ok {
		t.Error("Replay(base+3) after delete ok = true, want false (that seq no longer exists)")
	}
	if m := mustPublish(t, b, ch, "chat", "again"); m.Seq%realtime.SeqEpochSpan != 1 {
		t.Errorf("first Publish after delete: seq %d, want the first of an epoch", m.Seq)
	}

	if seq, _ := b.LastSeq(ctx, other); seq != otherSeq {
		t.Errorf("other channel's LastSeq = %d, want %d", seq, otherSeq)
	}
	if st, _ := b.State(ctx, other); st.Version != 1 {
		t.Errorf("other channel's state version = %d, want 1", st.Version)
	}
	if got := receive(t, otherSub, 1); got[0].Seq != otherSeq {
		t.Errorf("other channel's subscriber got seq %d, want %d", got[0].Seq, otherSeq)
	}
	if err := otherSub.Err(); err != nil {
		t.Errorf("other channel's subscription Err = %v, want nil", err)
	}
}

func testClose(t *testing.T, newBroker NewBrokerFunc) {
	ctx := context.Background()
	b := newBroker(t, realtime.BrokerOpts{})
	ch := ChannelName(t)
	sub := mustSubscribe(t, b, ch)
	if err := b.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	waitClosed(t, sub, realtime.ErrClosed)
	if _, err := b.Publish(ctx, ch, realtime.Message{Type: "chat"}); !errors.Is(err, realtime.ErrClosed) {
		t.Errorf("Publish after Close = %v, want ErrClosed", err)
	}
	if _, err := b.Subscribe(ctx, ch); !errors.Is(err, realtime.ErrClosed) {
		t.Errorf("Subscribe after Close = %v, want ErrClosed", err)
	}
	if err := b.Health(ctx); err == nil {
		t.Error("Health after Close = nil, want an error")
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
}

func testHealth(t *testing.T, newBroker NewBrokerFunc) {
	b := newBroker(t, realtime.BrokerOpts{})
	if err := b.Health(context.Background()); err != nil {
		t.Errorf("Health = %v, want nil", err)
	}
}

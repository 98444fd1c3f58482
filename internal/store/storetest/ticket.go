package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
)

func testTicket(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	t.Run("SingleUseAndExpiry", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		gs := mustCreateSession(t, s, c, "1")
		wantErr(t, "CreateTicket", s.CreateTicket(ctx, hashOf("t1"), gm.ID, gs.ID, now().Add(30*time.Second), now()), nil)
		wantErr(t, "CreateTicket(expiring)", s.CreateTicket(ctx, hashOf("t2"), gm.ID, gs.ID, now().Add(time.Second), now()), nil)
		user, session, err := s.RedeemTicket(ctx, hashOf("t1"), now())
		wantErr(t, "RedeemTicket", err, nil)
		if user != gm.ID || session != gs.ID {
			t.Errorf("RedeemTicket = %s, %s", user, session)
		}
		_, _, err = s.RedeemTicket(ctx, hashOf("t1"), now())
		wantErr(t, "RedeemTicket(again)", err, gmc.ErrNotFound)
		_, _, err = s.RedeemTicket(ctx, hashOf("t2"), now().Add(2*time.Second))
		wantErr(t, "RedeemTicket(expired)", err, gmc.ErrNotFound)
		_, _, err = s.RedeemTicket(ctx, hashOf("never"), now())
		wantErr(t, "RedeemTicket(unknown)", err, gmc.ErrNotFound)
	})
}

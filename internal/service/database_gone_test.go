package service_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

// TestDatabaseGoneIsNoAnswer: with the database gone, reads fail with the
// database's error, never with an answer a client would act on — not
// "not found", not "invalid", not "log in again" (a client would throw
// its tokens away), and no "has not consented" for the speech pipeline
// to keep or drop audio by.
func TestDatabaseGoneIsNoAnswer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newTable(t, storeBackends[0].open(t))
	gm, cid := tb.gm.ID, tb.campaign.ID
	pair := ok(tb.svc.Login(ctx, service.LoginParams{Email: "gm@example.com", Password: "correct horse battery"}))(t)
	if err := tb.st.Close(); err != nil {
		t.Fatal(err)
	}
	reads := map[string]func() error{
		"authenticate": func() error { _, err := tb.svc.Authenticate(ctx, pair.AccessToken); return err },
		"log in": func() error {
			_, err := tb.svc.Login(ctx, service.LoginParams{Email: "gm@example.com", Password: "correct horse battery"})
			return err
		},
		"refresh":          func() error { _, err := tb.svc.Refresh(ctx, pair.RefreshToken); return err },
		"members":          func() error { _, err := tb.svc.Members(ctx, gm, cid); return err },
		"consenting users": func() error { _, err := tb.svc.ConsentingUsers(ctx, cid); return err },
		"export":           func() error { _, err := tb.svc.ExportMe(ctx, gm); return err },
		"voice consent": func() error {
			consented, err := tb.svc.VoiceConsent(ctx, cid, tb.player.ID)
			if consented {
				t.Error("voice consent read as given with the database gone")
			}
			return err
		},
	}
	for name, read := range reads {
		err := read()
		switch {
		case err == nil:
			t.Errorf("%s: no error with the database gone", name)
		case errors.Is(err, gmc.ErrNotFound), errors.Is(err, gmc.ErrInvalid), errors.Is(err, gmc.ErrUnauthenticated), errors.Is(err, gmc.ErrForbidden):
			t.Errorf("%s: %v, an answer about the request rather than the database's failure", name, err)
		}
	}
}

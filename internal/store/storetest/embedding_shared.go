package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// OpenSharedFunc opens two stores on one fresh, migrated database, as two
// instances of the server sharing it; both are closed when t ends.
type OpenSharedFunc func(t *testing.T) (a, b store.Store)

// RunShared runs the tests of what instances sharing one database must
// agree on: each keeps what it may in memory, and none may answer from
// what another has changed since.
func RunShared(t *testing.T, open OpenSharedFunc) {
	t.Run("EmbeddingsFresh", func(t *testing.T) {
		t.Parallel()
		testEmbeddingsShared(t, open)
	})
}

// testEmbeddingsShared looks vectors up through one store while another
// writes them: every lookup sees every write committed before it,
// whatever the first store remembers of the lookups before.
func testEmbeddingsShared(t *testing.T, open OpenSharedFunc) {
	ctx := context.Background()
	reader, writer := open(t)
	c := mustCreateCampaign(t, writer, mustCreateUser(t, writer, "gm@example.com"), "C")
	voice := func(notes string) func(*gmc.Character) { return func(ch *gmc.Character) { ch.VoiceNotes = notes } }
	ev := func(action, typ, id string) *gmc.Event { return newEvent(t, c.ID, c.CreatedBy, action, typ, id, nil) }
	brom := mustCreateCharacter(t, writer, c, "Brom", voice("the forge"))
	harbour := mustCreateLocation(t, writer, c, nil, "Harbour")
	gs := mustCreateSession(t, writer, c, "")
	seg := segments(t, gs.ID, "A")[0]
	seg.Text = "we went to the forge"
	wantErr(t, "AppendSegments", writer.AppendSegments(ctx, []*gmc.TranscriptSegment{seg}, ev(gmc.ActionCreate, "transcript", gs.ID)), nil)
	embedAll(t, writer, c, "m1", axis)

	forge, crypt, tavern := []float32{1, 0, 0, 0}, []float32{0, 0, 1, 0}, []float32{0, 0, 0, 1}
	ask := func(model string, vec []float32, gm bool) []string {
		t.Helper()
		return nearest(t, reader, store.EmbeddingQuery{CampaignID: c.ID, Model: model, Vector: vec, K: 10, GM: gm})
	}
	first := func(what string, got []string, want string) {
		t.Helper()
		if len(got) == 0 || got[0] != want {
			t.Fatalf("%s: nearest = %v, want %s first", what, got, want)
		}
	}
	all := ask("m1", forge, true)
	for _, want := range []string{"character:" + brom.ID, "segment:" + seg.ID, "location:" + harbour.ID, "session:" + gs.ID} {
		if len(all) != 4 || !slices.Contains(all, want) {
			t.Fatalf("nearest of everything = %v, want Brom, the segment, the harbour and the session", all)
		}
	}

	// A new owner's vector, written by the other store.
	keeper := mustCreateCharacter(t, writer, c, "Keeper", voice("the crypt"))
	embedAll(t, writer, c, "m1", axis)
	first("a vector made elsewhere since", ask("m1", crypt, false), "character:"+keeper.ID)

	// A vector replaced: Brom's text moved to the tavern.
	brom.VoiceNotes, brom.UpdatedAt = "keeps the tavern now", now()
	wantErr(t, "UpdateCharacter", writer.UpdateCharacter(ctx, brom, ev(gmc.ActionUpdate, "character", brom.ID)), nil)
	embedAll(t, writer, c, "m1", axis)
	first("a vector replaced elsewhere", ask("m1", tavern, false), "character:"+brom.ID)

	// Visibility is read at each lookup: hiding Keeper changes no vector.
	keeper.Visibility, keeper.UpdatedAt = gmc.VisibleGM, now()
	wantErr(t, "UpdateCharacter", writer.UpdateCharacter(ctx, keeper, ev(gmc.ActionUpdate, "character", keeper.ID)), nil)
	if got := ask("m1", crypt, false); slices.Contains(got, "character:"+keeper.ID) {
		t.Fatalf("a player's nearest %v holds a character hidden elsewhere", got)
	}
	first("the GM's lookup of a hidden character", ask("m1", crypt, true), "character:"+keeper.ID)

	// A deletion alone, then a deletion and an addition between two
	// lookups (as many vectors as before, one of them new).
	wantErr(t, "DeleteCharacter", writer.DeleteCharacter(ctx, keeper.ID, ev(gmc.ActionDelete, "character", keeper.ID)), nil)
	if got := ask("m1", crypt, true); slices.Contains(got, "character:"+keeper.ID) {
		t.Fatalf("nearest %v holds a character deleted elsewhere", got)
	}
	wantErr(t, "DeleteSession", writer.DeleteSession(ctx, gs.ID, ev(gmc.ActionDelete, "session", gs.ID)), nil)
	if got := ask("m1", forge, true); slices.Contains(got, "segment:"+seg.ID) || slices.Contains(got, "session:"+gs.ID) {
		t.Fatalf("nearest %v holds a session deleted elsewhere, or its line", got)
	}
	before := len(ask("m1", forge, true))
	wantErr(t, "DeleteCharacter", writer.DeleteCharacter(ctx, brom.ID, ev(gmc.ActionDelete, "character", brom.ID)), nil)
	vault := mustCreatePlot(t, writer, c, "The crypt below")
	embedAll(t, writer, c, "m1", axis)
	got := ask("m1", crypt, true)
	first("a vector made elsewhere as another went", got, "plot:"+vault.ID)
	if slices.Contains(got, "character:"+brom.ID) || len(got) != before {
		t.Fatalf("nearest = %v, want %d vectors without the deleted Brom", got, before)
	}

	// A new model: the old model's vectors answer until replaced, then
	// none of them do.
	if _, err := writer.MarkEmbeddingsStale(ctx, "m2"); err != nil {
		t.Fatal(err)
	}
	if got := ask("m1", forge, true); len(got) != before {
		t.Fatalf("old model's nearest before re-embedding = %v, want %d", got, before)
	}
	embedAll(t, writer, c, "m2", axis)
	if got := ask("m1", forge, true); len(got) != 0 {
		t.Fatalf("old model's nearest after re-embedding = %v, want none", got)
	}
	if got := ask("m2", forge, true); len(got) != before {
		t.Fatalf("new model's nearest = %v, want %d", got, before)
	}
}

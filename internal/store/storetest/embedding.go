package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/reference"
	"github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/store"
)

// pending returns the campaign's pending embeddings by owner id.
func pending(t testing.TB, s store.Store, c *gmc.Campaign) map[string]store.EmbeddingSource {
	t.Helper()
	src, err := s.PendingEmbeddings(context.Background(), c.ID, 100)
	wantErr(t, "PendingEmbeddings", err, nil)
	out := map[string]store.EmbeddingSource{}
	for _, x := range src {
		out[x.OwnerID] = x
	}
	return out
}

// embedAll stores for every pending owner the vector vec gives its text.
func embedAll(t testing.TB, s store.Store, c *gmc.Campaign, model string, vec func(text string) []float32) int {
	t.Helper()
	var vs []store.EmbeddingVector
	for _, p := range pending(t, s, c) {
		vs = append(vs, store.EmbeddingVector{OwnerType: p.OwnerType, OwnerID: p.OwnerID, Version: p.Version, Vector: vec(p.Text)})
	}
	n, err := s.PutEmbeddings(context.Background(), model, vs)
	wantErr(t, "PutEmbeddings", err, nil)
	return n
}

// axis embeds a text on the axis of the first of four words it holds, so
// that tests know every similarity.
func axis(text string) []float32 {
	v := make([]float32, 4)
	for i, w := range []string{"forge", "harbour", "crypt", "tavern"} {
		if strings.Contains(strings.ToLower(text), w) {
			v[i] = 2 // PutEmbeddings normalises
			return v
		}
	}
	v[3] = -1
	return v
}

func nearest(t testing.TB, s store.Store, q store.EmbeddingQuery) []string {
	t.Helper()
	ms, err := s.NearestEmbeddings(context.Background(), q)
	wantErr(t, "NearestEmbeddings", err, nil)
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.OwnerType + ":" + m.OwnerID
		if i > 0 && m.Similarity > ms[i-1].Similarity {
			t.Fatalf("NearestEmbeddings not ordered by similarity: %+v", ms)
		}
		if (m.DocID == 0) != (m.OwnerType == store.EmbeddingSegment) {
			t.Fatalf("match %+v: a document has a doc_id, a segment none", m)
		}
	}
	return out
}

func testEmbedding(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	setup := func(t *testing.T) (store.Store, *gmc.Campaign) {
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		return s, mustCreateCampaign(t, s, gm, "C")
	}
	voice := func(notes string) func(*gmc.Character) { return func(ch *gmc.Character) { ch.VoiceNotes = notes } }

	t.Run("a write marks the entity pending with its public text", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		ch := mustCreateCharacter(t, s, c, "Brom", voice("fixed our axe at the forge"), func(ch *gmc.Character) {
			ch.GMNotes = []byte(`{"secret":"a spy of the crypt"}`)
		})
		p := pending(t, s, c)[ch.ID]
		if p.OwnerType != search.TypeCharacter || p.Version == 0 {
			t.Fatalf("pending = %+v", p)
		}
		if want := search.EmbedText(search.CharacterDoc(ch)); p.Text != want {
			t.Errorf("text = %q, want %q", p.Text, want)
		}
		if strings.Contains(p.Text, "spy") {
			t.Errorf("GM-only notes reached the embedded text: %q", p.Text)
		}
		ids, err := s.EmbeddingCampaigns(ctx, 10)
		wantErr(t, "EmbeddingCampaigns", err, nil)
		if !slices.Equal(ids, []string{c.ID}) {
			t.Errorf("EmbeddingCampaigns = %v", ids)
		}
		if n := embedAll(t, s, c, "m1", axis); n != 1 {
			t.Fatalf("stored %d", n)
		}
		if len(pending(t, s, c)) != 0 {
			t.Error("still pending after PutEmbeddings")
		}
		if ids, _ := s.EmbeddingCampaigns(ctx, 10); len(ids) != 0 {
			t.Errorf("EmbeddingCampaigns = %v after the work was done", ids)
		}
		// A write that leaves the text as it was does not ask for work.
		ch.CharacterType, ch.UpdatedAt = gmc.CharacterPC, now()
		wantErr(t, "UpdateCharacter", s.UpdateCharacter(ctx, ch, newEvent(t, c.ID, c.CreatedBy, gmc.ActionUpdate, "character", ch.ID, nil)), nil)
		if len(pending(t, s, c)) != 0 {
			t.Error("an update that kept the text made the embedding pending")
		}
	})

	t.Run("a vector of an outdated text is not stored", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		ch := mustCreateCharacter(t, s, c, "Brom", voice("smith at the forge"))
		old := pending(t, s, c)[ch.ID]
		ch.VoiceNotes, ch.UpdatedAt = "keeps the tavern now", now()
		wantErr(t, "UpdateCharacter", s.UpdateCharacter(ctx, ch, newEvent(t, c.ID, c.CreatedBy, gmc.ActionUpdate, "character", ch.ID, nil)), nil)
		n, err := s.PutEmbeddings(ctx, "m1", []store.EmbeddingVector{{OwnerType: old.OwnerType, OwnerID: old.OwnerID, Version: old.Version, Vector: axis(old.Text)}})
		wantErr(t, "PutEmbeddings", err, nil)
		if n != 0 {
			t.Fatalf("stored %d vectors of an outdated text", n)
		}
		p := pending(t, s, c)[ch.ID]
		if p.Version <= old.Version || !strings.Contains(p.Text, "tavern") {
			t.Fatalf("pending = %+v, want the new text at a higher version", p)
		}
	})

	t.Run("nearest by similarity, within the campaign, model and visibility", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		other := mustCreateCampaign(t, s, mustCreateUser(t, s, "gm2@example.com"), "Other")
		smith := mustCreateCharacter(t, s, c, "Brom", voice("the forge"))
		spy := mustCreateCharacter(t, s, c, "Vess", voice("the forge, secretly"), hidden)
		harbour := mustCreateLocation(t, s, c, nil, "Harbour")
		plot := mustCreatePlot(t, s, c, "The crypt")
		mustCreateCharacter(t, s, other, "Elsewhere", voice("the forge"))
		gs := mustCreateSession(t, s, c, "")
		segs := segments(t, gs.ID, "A", "B")
		segs[0].Text, segs[1].Text = "we went to the forge", "   "
		wantErr(t, "AppendSegments", s.AppendSegments(ctx, segs, newEvent(t, c.ID, c.CreatedBy, gmc.ActionCreate, "transcript", gs.ID, nil)), nil)
		if _, ok := pending(t, s, c)[segs[1].ID]; ok {
			t.Error("a blank segment is pending")
		}
		embedAll(t, s, c, "m1", axis)
		embedAll(t, s, other, "m1", axis)
		forge := []float32{1, 0.1, 0, 0}
		q := store.EmbeddingQuery{CampaignID: c.ID, Model: "m1", Vector: forge, K: 3}
		got := nearest(t, s, q)
		// Brom, and the segment, are on the forge axis; Vess is too but
		// hidden; the harbour comes next.
		want := []string{"character:" + smith.ID, "segment:" + segs[0].ID, "location:" + harbour.ID}
		slices.Sort(got[:2])
		slices.Sort(want[:2])
		if !slices.Equal(got, want) {
			t.Fatalf("player's nearest = %v, want %v", got, want)
		}
		q.GM = true
		if got := nearest(t, s, q); !slices.Contains(got, "character:"+spy.ID) {
			t.Fatalf("GM's nearest = %v, want the hidden Vess among them", got)
		}
		q.GM, q.Types = false, []string{search.TypePlot}
		if got := nearest(t, s, q); !slices.Equal(got, []string{"plot:" + plot.ID}) {
			t.Fatalf("plots only = %v", got)
		}
		q.Types, q.Model = nil, "m2"
		if got := nearest(t, s, q); len(got) != 0 {
			t.Fatalf("another model's query got %v", got)
		}
		q.Model, q.Vector = "m1", []float32{1, 0, 0}
		if got := nearest(t, s, q); len(got) != 0 {
			t.Fatalf("a query of other dimensions got %v", got)
		}

		// Visibility is the entity's, as it is now: hiding Brom hides his
		// vector at once, before any new vector is made.
		smith.Visibility, smith.UpdatedAt = gmc.VisibleGM, now()
		wantErr(t, "UpdateCharacter", s.UpdateCharacter(ctx, smith, newEvent(t, c.ID, c.CreatedBy, gmc.ActionUpdate, "character", smith.ID, nil)), nil)
		q.Vector = forge
		if got := nearest(t, s, q); slices.Contains(got, "character:"+smith.ID) {
			t.Fatalf("a player's nearest %v holds a character just hidden", got)
		}
		// Deleting the owner deletes its embedding.
		wantErr(t, "DeletePlot", s.DeletePlot(ctx, plot, newEvent(t, c.ID, c.CreatedBy, gmc.ActionDelete, "plot", plot.ID, nil)), nil)
		q.GM, q.K = true, 10
		if got := nearest(t, s, q); slices.Contains(got, "plot:"+plot.ID) {
			t.Fatalf("nearest %v holds a deleted plot", got)
		}
	})

	t.Run("a new model makes every vector pending", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		mustCreateCharacter(t, s, c, "Brom", voice("the forge"))
		mustCreateLocation(t, s, c, nil, "Harbour")
		embedAll(t, s, c, "m1", axis)
		n, err := s.MarkEmbeddingsStale(ctx, "m1")
		wantErr(t, "MarkEmbeddingsStale(same)", err, nil)
		if n != 0 {
			t.Fatalf("the same model made %d pending", n)
		}
		if n, _ = s.MarkEmbeddingsStale(ctx, "m2"); n != 2 {
			t.Fatalf("a new model made %d pending, want 2", n)
		}
		// The old vectors still answer for the old model until replaced.
		if got := nearest(t, s, store.EmbeddingQuery{CampaignID: c.ID, Model: "m1", Vector: []float32{1, 0, 0, 0}, K: 5}); len(got) != 2 {
			t.Fatalf("old model's nearest = %v", got)
		}
		embedAll(t, s, c, "m2", axis)
		if got := nearest(t, s, store.EmbeddingQuery{CampaignID: c.ID, Model: "m2", Vector: []float32{1, 0, 0, 0}, K: 5}); len(got) != 2 {
			t.Fatalf("new model's nearest = %v", got)
		}
	})

	t.Run("reference entries get none", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		_, _, err := s.UpsertReferenceEntries(ctx, []reference.Entry{refEntry("spell", "fireball", "Fireball")}, now())
		wantErr(t, "UpsertReferenceEntries", err, nil)
		ids, err := s.EmbeddingCampaigns(ctx, 10)
		wantErr(t, "EmbeddingCampaigns", err, nil)
		if len(ids) != 0 {
			t.Fatalf("EmbeddingCampaigns = %v", ids)
		}
	})
}

package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/store"
)

// segmentIDs returns the ids of the candidates, sorted.
func segmentIDs(cs []search.SegmentCandidate) []string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.SegmentID
	}
	slices.Sort(ids)
	return ids
}

func sortedSegmentIDs(ids ...string) []string {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	if len(ids) == 0 {
		return []string{}
	}
	return ids
}

func wantSegments(t *testing.T, s store.Store, p search.SegmentProbe, want ...string) []search.SegmentCandidate {
	t.Helper()
	got, err := s.SearchSegments(context.Background(), p)
	if err != nil {
		t.Fatalf("SearchSegments(%+v) = %v", p, err)
	}
	if g, w := segmentIDs(got), sortedSegmentIDs(want...); !slices.Equal(g, w) && !(len(g) == 0 && len(w) == 0) {
		t.Errorf("SearchSegments(%+v) = %v, want %v", p, g, w)
	}
	return got
}

func testSegmentSearch(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	type fixture struct {
		s        store.Store
		c        *gmc.Campaign
		gs       *gmc.GameSession
		segs     []*gmc.TranscriptSegment
		otherSeg *gmc.TranscriptSegment
	}
	setup := func(t *testing.T) fixture {
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		gs := mustCreateSession(t, s, c, "The Sunken Keep")
		segs := segments(t, gs.ID, "A", "B", "A", "C")
		segs[0].Text = "We follow the river to Khaldrun's forge."
		segs[1].Text = "Then zee landra steps out of the shadows."
		segs[2].Text = "I cast fireball at the goblins, all of them!"
		segs[3].Text = "The dwarves' hall is quiet; vethrocks watches."
		wantErr(t, "AppendSegments", s.AppendSegments(ctx, segs, newEvent(t, c.ID, gm.ID, gmc.ActionCreate, "transcript", gs.ID, nil)), nil)
		other := mustCreateCampaign(t, s, gm, "Other")
		ogs := mustCreateSession(t, s, other, "Elsewhere")
		oseg := segments(t, ogs.ID, "A")[0]
		oseg.Text = "The river runs to the forge here too."
		wantErr(t, "AppendSegments", s.AppendSegments(ctx, []*gmc.TranscriptSegment{oseg}, newEvent(t, other.ID, gm.ID, gmc.ActionCreate, "transcript", ogs.ID, nil)), nil)
		return fixture{s: s, c: c, gs: gs, segs: segs, otherSeg: oseg}
	}
	probe := func(f fixture, gm bool, words ...string) search.SegmentProbe {
		return search.SegmentProbe{Campaign: f.c.ID, GM: gm, Words: words, Limit: 100}
	}
	t.Run("TextWordsOfOneCampaign", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		for _, gm := range []bool{false, true} {
			wantSegments(t, f.s, probe(f, gm, "river", "forge"), f.segs[0].ID)
			// Normalised as search normalises: possessives and case.
			wantSegments(t, f.s, probe(f, gm, "khaldrun"), f.segs[0].ID)
			wantSegments(t, f.s, probe(f, gm, "dwarves"), f.segs[3].ID)
			wantSegments(t, f.s, probe(f, gm, "the"), f.segs[0].ID, f.segs[1].ID, f.segs[2].ID, f.segs[3].ID)
			// Every word must be there.
			wantSegments(t, f.s, probe(f, gm, "river", "goblins"))
		}
		p := probe(f, false, "fire")
		wantSegments(t, f.s, p)
		p.LastPrefix = true
		wantSegments(t, f.s, p, f.segs[2].ID)
		p.Campaign = "not-a-campaign"
		wantSegments(t, f.s, p)
	})
	t.Run("CandidatePlacesTheSegment", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		char := "11111111-2222-4333-8444-555555555555"
		wantErr(t, "SetSpeakers", f.s.SetSpeakers(ctx, f.gs.ID, []gmc.Speaker{{Label: "B", CharacterID: &char}},
			newEvent(t, f.c.ID, f.c.CreatedBy, gmc.ActionUpdate, "speakers", f.gs.ID, nil)), nil)
		got := wantSegments(t, f.s, probe(f, false, "shadows"), f.segs[1].ID)
		if len(got) != 1 {
			return
		}
		c, seg := got[0], f.segs[1]
		if c.SessionID != f.gs.ID || c.SessionTitle != "The Sunken Keep" || c.SessionNumber != f.gs.Number || c.Seq != seg.Seq ||
			c.StartMS != seg.StartMS || c.EndMS != seg.EndMS || c.SpeakerLabel != "B" || c.Text != seg.Text || !c.CreatedAt.Equal(seg.CreatedAt) {
			t.Errorf("candidate = %+v, want the fields of segment %+v in session %+v", c, seg, f.gs)
		}
		if c.SessionStartedAt != nil {
			t.Errorf("SessionStartedAt = %v of a session that never started, want nil", c.SessionStartedAt)
		}
		if c.Speaker == nil || c.Speaker.CharacterID == nil || *c.Speaker.CharacterID != char {
			t.Errorf("Speaker = %+v, want the mapping of label B", c.Speaker)
		}
	})
	t.Run("ResolvedNamesByVisibility", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		public := newHit(t, f.segs[1], "Xylandra", func(h *gmc.KeywordHit) { h.Span, h.Surface = [2]int{5, 15}, "zee landra" })
		secret := newHit(t, f.segs[3], "Vethrax the Unbound", func(h *gmc.KeywordHit) {
			h.GMOnly, h.Span, h.Surface = true, [2]int{30, 38}, "vethrocks"
		})
		rule := newHit(t, f.segs[2], "Saving throw", func(h *gmc.KeywordHit) { h.Kind = gmc.HitRule })
		wantErr(t, "CreateKeywordHits", f.s.CreateKeywordHits(ctx, []*gmc.KeywordHit{public, secret, rule}), nil)
		for _, gm := range []bool{false, true} {
			got := wantSegments(t, f.s, probe(f, gm, "xylandra"), f.segs[1].ID)
			if len(got) == 1 && (len(got[0].Mentions) != 1 || got[0].Mentions[0] != (search.Mention{Name: "Xylandra", Span: [2]int{5, 15}})) {
				t.Errorf("Mentions = %+v, want the Xylandra hit", got[0].Mentions)
			}
			// A name word and a text word together.
			wantSegments(t, f.s, probe(f, gm, "xylandra", "shadows"), f.segs[1].ID)
			// Rule phrases are not names.
			wantSegments(t, f.s, probe(f, gm, "saving"))
		}
		wantSegments(t, f.s, probe(f, false, "vethrax"))
		wantSegments(t, f.s, probe(f, false, "unbound", "quiet"))
		got := wantSegments(t, f.s, probe(f, true, "vethrax"), f.segs[3].ID)
		if len(got) == 1 && (len(got[0].Mentions) != 1 || !got[0].Mentions[0].GMOnly) {
			t.Errorf("GM's Mentions = %+v, want the GM-only hit", got[0].Mentions)
		}
		wantSegments(t, f.s, probe(f, true, "unbound", "quiet"), f.segs[3].ID)
		// A player's segment shows without the GM-only mention.
		got = wantSegments(t, f.s, probe(f, false, "dwarves"), f.segs[3].ID)
		if len(got) == 1 && len(got[0].Mentions) != 0 {
			t.Errorf("player's Mentions = %+v, want none", got[0].Mentions)
		}
		// Hits in a later batch add to what is indexed.
		late := newHit(t, f.segs[0], "Emberfall")
		wantErr(t, "CreateKeywordHits", f.s.CreateKeywordHits(ctx, []*gmc.KeywordHit{late}), nil)
		wantSegments(t, f.s, probe(f, false, "emberfall", "river"), f.segs[0].ID)
		wantSegments(t, f.s, probe(f, false, "xylandra"), f.segs[1].ID)
	})
	t.Run("ByIDsOfOneCampaign", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		secret := newHit(t, f.segs[2], "Vethrax the Unbound", func(h *gmc.KeywordHit) { h.GMOnly, h.Span = true, [2]int{7, 15} })
		wantErr(t, "CreateKeywordHits", f.s.CreateKeywordHits(ctx, []*gmc.KeywordHit{secret}), nil)
		for _, gm := range []bool{false, true} {
			// Another campaign's segment and an id of nothing are not found;
			// the words, when given too, do not narrow what the ids name.
			p := search.SegmentProbe{Campaign: f.c.ID, GM: gm, IDs: []string{f.segs[2].ID, f.otherSeg.ID, "not-a-segment", f.segs[0].ID},
				Words: []string{"nowhere"}, Limit: 10}
			got := wantSegments(t, f.s, p, f.segs[0].ID, f.segs[2].ID)
			for _, c := range got {
				if c.SessionID != f.gs.ID || c.SessionTitle != "The Sunken Keep" || c.Text == "" {
					t.Errorf("candidate by id = %+v, want its session and text", c)
				}
				if c.SegmentID == f.segs[2].ID && (len(c.Mentions) == 1) != gm {
					t.Errorf("gm=%v: Mentions = %+v, want the GM-only hit for GMs only", gm, c.Mentions)
				}
			}
			p.Limit = 1
			if got, err := f.s.SearchSegments(ctx, p); err != nil || len(got) != 1 {
				t.Errorf("SearchSegments with limit 1 = %d segments, %v", len(got), err)
			}
		}
	})
	t.Run("GoWithTheirSession", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		wantErr(t, "CreateKeywordHits", f.s.CreateKeywordHits(ctx, []*gmc.KeywordHit{newHit(t, f.segs[1], "Xylandra")}), nil)
		wantErr(t, "DeleteSession", f.s.DeleteSession(ctx, f.gs.ID, newEvent(t, f.c.ID, f.c.CreatedBy, gmc.ActionDelete, "session", f.gs.ID, nil)), nil)
		wantSegments(t, f.s, probe(f, true, "the"))
		wantSegments(t, f.s, probe(f, true, "xylandra"))
		// A new session's segments are indexed afresh.
		gs := mustCreateSession(t, f.s, f.c, "Again")
		seg := segments(t, gs.ID, "A")[0]
		seg.Text = "Back to the river."
		wantErr(t, "AppendSegments", f.s.AppendSegments(ctx, []*gmc.TranscriptSegment{seg}, newEvent(t, f.c.ID, f.c.CreatedBy, gmc.ActionCreate, "transcript", gs.ID, nil)), nil)
		wantSegments(t, f.s, probe(f, false, "river"), seg.ID)
	})
	t.Run("StartedSessionTime", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		started := now().Add(-time.Hour)
		f.gs.StartedAt, f.gs.Status = &started, gmc.SessionLive
		f.gs.UpdatedAt = now()
		wantErr(t, "UpdateSession", f.s.UpdateSession(ctx, f.gs, newEvent(t, f.c.ID, f.c.CreatedBy, gmc.ActionUpdate, "session", f.gs.ID, nil)), nil)
		got := wantSegments(t, f.s, probe(f, false, "goblins"), f.segs[2].ID)
		if len(got) == 1 && (got[0].SessionStartedAt == nil || !got[0].SessionStartedAt.Equal(started)) {
			t.Errorf("SessionStartedAt = %v, want %v", got[0].SessionStartedAt, started)
		}
	})
}

// segmentMigration is the version that indexes transcript segments.
const segmentMigration = 23

// ExecFunc runs one statement, written with ? placeholders, directly on a
// store's database; time.Time arguments are stored as the backend stores
// times.
type ExecFunc func(t *testing.T, s store.Store, q string, args ...any)

// RunSegmentIndexMigration checks that the migration that indexes
// transcript segments indexes those stored before it, with the names of
// their keyword hits.
func RunSegmentIndexMigration(t *testing.T, open OpenUnmigratedFunc, exec ExecFunc) {
	ctx := context.Background()
	s := open(t)
	if _, err := s.MigrateTo(ctx, segmentMigration-1); err != nil {
		t.Fatalf("MigrateTo(%d) = %v", segmentMigration-1, err)
	}
	gm := mustCreateUser(t, s, "gm@example.com")
	c := mustCreateCampaign(t, s, gm, "C")
	// The session is written directly too: the store's own session write
	// already fills tables of later migrations (embeddings).
	gs := &gmc.GameSession{ID: newID(t), CampaignID: c.ID}
	exec(t, s, `INSERT INTO game_sessions (id, campaign_id, number, title, status, notes, version, created_at, updated_at)
		VALUES (?, ?, 1, '1', 'scheduled', '', 1, ?, ?)`, gs.ID, c.ID, now(), now())
	texts := []string{"Zee landra waits by the river.", "Vethrocks laughs at Khaldrun's forge.", "Nothing here."}
	ids := make([]string, len(texts))
	for i, text := range texts {
		ids[i] = newID(t)
		exec(t, s, `INSERT INTO transcript_segments (id, session_id, seq, speaker_label, start_ms, end_ms, text, source, created_at)
			VALUES (?, ?, ?, 'A', 0, 0, ?, 'test', ?)`, ids[i], gs.ID, i+1, text, now())
	}
	hit := func(seg, name string, gmOnly bool) {
		exec(t, s, `INSERT INTO keyword_hits (id, session_id, segment_id, seq, kind, term_key, name, category, source, span_start, span_end,
			surface, confidence, reason, gm_only, created_at)
			VALUES (?, ?, ?, 1, 'term', 'x', ?, 'npc', 'campaign', 0, 3, 'x', 0.9, 'fuzzy', ?, ?)`, newID(t), gs.ID, seg, name, gmOnly, now())
	}
	hit(ids[0], "Xylandra", false)
	hit(ids[1], "Vethrax", true)
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate = %v", err)
	}
	probe := func(gm bool, words ...string) search.SegmentProbe {
		return search.SegmentProbe{Campaign: c.ID, GM: gm, Words: words, Limit: 100}
	}
	wantSegments(t, s, probe(false, "xylandra", "river"), ids[0])
	wantSegments(t, s, probe(false, "khaldrun", "forge"), ids[1])
	wantSegments(t, s, probe(false, "vethrax"))
	wantSegments(t, s, probe(true, "vethrax"), ids[1])
	wantSegments(t, s, probe(false, "nothing"), ids[2])
	// Segments written after the migration are indexed by the store.
	seg := segments(t, gs.ID, "A")[0]
	seg.Text = "Back to the river."
	wantErr(t, "AppendSegments", s.AppendSegments(ctx, []*gmc.TranscriptSegment{seg}, newEvent(t, c.ID, gm.ID, gmc.ActionCreate, "transcript", gs.ID, nil)), nil)
	wantSegments(t, s, probe(false, "river"), ids[0], seg.ID)
}

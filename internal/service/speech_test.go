package service_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/speech"
	"github.com/gmc-project/gmc/internal/store"
)

// TestOpenAudioTracks: a player sends audio as a track of their own: an
// unmapped label is mapped to them, their own label again is fine, a
// label of another member is refused; nobody names a track longer than
// a speaker label may be.
func TestOpenAudioTracks(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tb := newTable(t, be.open(t))
			_, err := tb.svc.OpenAudio(ctx, tb.gm.ID, tb.session.ID, strings.Repeat("x", gmc.MaxSpeakerLabelLen+1), false)
			fieldRefused(t, "OpenAudio with a long track", err, "speaker")
			ok(tb.svc.SetVoiceConsent(ctx, tb.player.ID, tb.campaign.ID, true))(t)
			ok(tb.svc.SetSpeakers(ctx, tb.gm.ID, tb.session.ID, []gmc.Speaker{{Label: "Table mic"}, {Label: "GM voice", UserID: &tb.gm.ID}}))(t)

			_, err = tb.svc.OpenAudio(ctx, tb.player.ID, tb.session.ID, "GM voice", false)
			codeRefused(t, "OpenAudio of the GM's label as player", err, gmc.ErrConflict, "speaker_taken")
			for i := range 2 {
				src, err := tb.svc.OpenAudio(ctx, tb.player.ID, tb.session.ID, "Table mic", false)
				if err != nil || src.Track != "Table mic" {
					t.Fatalf("OpenAudio of an unmapped label, time %d = %+v, %v", i+1, src, err)
				}
			}
			mapped := map[string]string{}
			for _, sp := range ok(tb.svc.Speakers(ctx, tb.gm.ID, tb.session.ID))(t) {
				if sp.UserID != nil {
					mapped[sp.Label] = *sp.UserID
				}
			}
			want := map[string]string{"Table mic": tb.player.ID, "GM voice": tb.gm.ID}
			if diff := cmp.Diff(want, mapped); diff != "" {
				t.Errorf("speakers after the player claimed the unmapped label (-want +got):\n%s", diff)
			}
			// A display name longer than a label names no track: the
			// member's id does.
			long := ok(tb.svc.Register(ctx, service.RegisterParams{Email: "long@example.com", Password: "correct horse battery",
				DisplayName: strings.Repeat("Lady ", 20) + "of Barovia"}))(t)
			inv := ok(tb.svc.CreateInvite(ctx, tb.gm.ID, tb.campaign.ID, service.InviteParams{Role: gmc.RolePlayer}))(t)
			ok(tb.svc.AcceptInvite(ctx, long.ID, inv.Code, ""))(t)
			ok(tb.svc.SetVoiceConsent(ctx, long.ID, tb.campaign.ID, true))(t)
			if src, err := tb.svc.OpenAudio(ctx, long.ID, tb.session.ID, "", false); err != nil || src.Track != long.ID {
				t.Errorf("OpenAudio of a member with a long name = %+v, %v; want their id as the track", src, err)
			}
			// The GM may send a track of a consenting member's.
			if _, err := tb.svc.OpenAudio(ctx, tb.gm.ID, tb.session.ID, "Table mic", false); err != nil {
				t.Errorf("OpenAudio of the player's track as GM = %v", err)
			}
		})
	}
}

// TestIngestSpeech: speech from a member who has not consented is
// dropped, silence is skipped, and labels and texts too long are cut to
// what a segment holds; nothing to ingest stores nothing.
func TestIngestSpeech(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tb := newTable(t, be.open(t))
			ok(tb.svc.SetVoiceConsent(ctx, tb.player.ID, tb.campaign.ID, true))(t)
			ok(tb.svc.SetSpeakers(ctx, tb.gm.ID, tb.session.ID, []gmc.Speaker{
				{Label: "Table mic", UserID: &tb.player.ID}, {Label: "GM voice", UserID: &tb.gm.ID}, {Label: "Narrator", CharacterID: &tb.npc.ID}}))(t)
			src := ok(tb.svc.OpenAudio(ctx, tb.gm.ID, tb.session.ID, "", false))(t)
			if stored, dropped, err := tb.svc.IngestSpeech(ctx, src, tb.gm.ID, "test", nil); stored != nil || dropped != 0 || err != nil {
				t.Errorf("IngestSpeech(nothing) = %v, %d, %v", stored, dropped, err)
			}
			long := strings.Repeat("é", gmc.MaxSpeakerLabelLen+6)
			words := func(s ...string) []speech.Word {
				var out []speech.Word
				for _, w := range s {
					out = append(out, speech.Word{Text: w})
				}
				return out
			}
			stored, dropped, err := tb.svc.IngestSpeech(ctx, src, tb.gm.ID, "test", []speech.Segment{
				{Label: "GM voice", Words: words("the", "secret")},
				{Label: "Table mic", Words: words("  ")},
				{Label: long, EndMS: 5, Words: words("hello")},
				{Label: "Table mic", EndMS: 10, Words: words(strings.Repeat("a", gmc.MaxSegmentTextLen+10))},
			})
			if err != nil || dropped != 1 || len(stored) != 2 {
				t.Fatalf("IngestSpeech = %d stored, %d dropped, %v; want 2 stored and the GM's dropped", len(stored), dropped, err)
			}
			segs, _, err := tb.svc.Transcript(ctx, tb.gm.ID, service.TranscriptQuery{SessionID: tb.session.ID, Limit: 10})
			if err != nil || len(segs) != 2 {
				t.Fatalf("Transcript = %d segments, %v; want 2", len(segs), err)
			}
			if segs[0].SpeakerLabel != strings.Repeat("é", gmc.MaxSpeakerLabelLen) || segs[0].Text != "hello" {
				t.Errorf("first segment %q: %q, want the label cut to %d characters", segs[0].SpeakerLabel, segs[0].Text, gmc.MaxSpeakerLabelLen)
			}
			if n := utf8.RuneCountInString(segs[1].Text); n != gmc.MaxSegmentTextLen {
				t.Errorf("the long segment holds %d characters, want %d", n, gmc.MaxSegmentTextLen)
			}
		})
	}
}

// TestSpeechWhenTheDatabaseFails breaks the reads and writes audio goes
// through: each fails with the database's error and stores nothing.
func TestSpeechWhenTheDatabaseFails(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			bs := newBrokenStore(be.open(t))
			tb := newTable(t, bs)
			ok(tb.svc.SetVoiceConsent(ctx, tb.player.ID, tb.campaign.ID, true))(t)
			src := ok(tb.svc.OpenAudio(ctx, tb.gm.ID, tb.session.ID, "", false))(t)
			segs := []speech.Segment{{Label: "room", EndMS: 5, Words: []speech.Word{{Text: "hello"}}}}
			calls := []struct {
				step string
				call func() error
			}{
				{"Speakers", func() error { _, err := tb.svc.OpenAudio(ctx, tb.gm.ID, tb.session.ID, "room", false); return err }},
				{"Speakers", func() error { _, err := tb.svc.CheckAudio(ctx, tb.player.ID, tb.session.ID, "mine", false); return err }},
				{"Speakers", func() error { _, err := tb.svc.OpenAudio(ctx, tb.player.ID, tb.session.ID, "mine", false); return err }},
				{"Speakers", func() error { _, _, err := tb.svc.IngestSpeech(ctx, src, tb.gm.ID, "test", segs); return err }},
				{"User", func() error { _, err := tb.svc.OpenAudio(ctx, tb.player.ID, tb.session.ID, "", false); return err }},
				{"AppendSegments", func() error { _, _, err := tb.svc.IngestSpeech(ctx, src, tb.gm.ID, "test", segs); return err }},
				{"AppendSegments", func() error {
					_, err := tb.svc.IngestSegments(ctx, tb.gm.ID, tb.session.ID, []*gmc.TranscriptSegment{{SpeakerLabel: "a", EndMS: 1, Text: "hi"}})
					return err
				}},
				{"Segments", func() error {
					_, _, err := tb.svc.Transcript(ctx, tb.gm.ID, service.TranscriptQuery{SessionID: tb.session.ID, Limit: 10})
					return err
				}},
				{"SetSpeakers", func() error {
					_, err := tb.svc.SetSpeakers(ctx, tb.gm.ID, tb.session.ID, []gmc.Speaker{{Label: "a"}})
					return err
				}},
				{"Speakers", func() error { _, err := tb.svc.Speakers(ctx, tb.player.ID, tb.session.ID); return err }},
			}
			for _, c := range calls {
				bs.set(c.step)
				err := c.call()
				bs.set("")
				if !errors.Is(err, errBroken) {
					t.Errorf("%s broken: %v, want the failure", c.step, err)
				}
			}
			// The campaign's names for the recogniser, and a mapped
			// speaker's consent, unreadable.
			bs.set("Characters")
			_, err := tb.svc.OpenAudio(ctx, tb.gm.ID, tb.session.ID, "", false)
			bs.set("")
			if !errors.Is(err, errBroken) {
				t.Errorf("OpenAudio with the campaign's names unreadable = %v, want the failure", err)
			}
			ok(tb.svc.SetSpeakers(ctx, tb.gm.ID, tb.session.ID, []gmc.Speaker{{Label: "room", UserID: &tb.player.ID}}))(t)
			bs.set("Member")
			_, _, err = tb.svc.IngestSpeech(ctx, src, tb.gm.ID, "test", segs)
			bs.set("")
			if !errors.Is(err, errBroken) {
				t.Errorf("IngestSpeech with consent unreadable = %v, want the failure", err)
			}
			if got, _, err := tb.st.Segments(ctx, store.SegmentFilter{SessionID: tb.session.ID, Limit: 10}); err != nil || len(got) != 0 {
				t.Errorf("segments after the failures = %d (%v), want none", len(got), err)
			}

			// A speaker's character that cannot be read fails the players'
			// transcript rather than show what may be secret.
			ok(tb.svc.SetSpeakers(ctx, tb.gm.ID, tb.session.ID, []gmc.Speaker{{Label: "a", CharacterID: &tb.npc.ID}}))(t)
			ok(tb.svc.IngestSegments(ctx, tb.gm.ID, tb.session.ID, []*gmc.TranscriptSegment{{SpeakerLabel: "a", EndMS: 1, Text: "hi"}}))(t)
			bs.set("Character")
			_, _, err = tb.svc.Transcript(ctx, tb.player.ID, service.TranscriptQuery{SessionID: tb.session.ID, Limit: 10})
			bs.set("")
			if !errors.Is(err, errBroken) {
				t.Errorf("players' transcript with the character unreadable = %v, want the failure", err)
			}
		})
	}
}

// TestSetSpeakersRefusesLabels: a blank or too long label is refused,
// naming it, and the mapping stays as it was.
func TestSetSpeakersRefusesLabels(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newTable(t, storeBackends[0].open(t))
	ok(tb.svc.SetSpeakers(ctx, tb.gm.ID, tb.session.ID, []gmc.Speaker{{Label: "kept"}}))(t)
	for _, label := range []string{"  ", strings.Repeat("x", gmc.MaxSpeakerLabelLen+1)} {
		_, err := tb.svc.SetSpeakers(ctx, tb.gm.ID, tb.session.ID, []gmc.Speaker{{Label: "fine"}, {Label: label}})
		fieldRefused(t, "SetSpeakers with label "+label, err, "body.speakers[1].label")
	}
	if sp := ok(tb.svc.Speakers(ctx, tb.gm.ID, tb.session.ID))(t); len(sp) != 1 || sp[0].Label != "kept" {
		t.Errorf("speakers after refused changes = %v, want [kept]", sp)
	}
}

// TestRecaps: the player recap of a summary leaves out blank lines and
// folds line breaks; a summary with no player line, or no summary, falls
// back to the transcript, whose blank and control characters go too; a
// session never played has no date.
func TestRecaps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newTable(t, storeBackends[0].open(t))
	recaps := service.SummaryRecaps{Store: tb.st, Fallback: service.TranscriptRecaps{Store: tb.st}}
	gs := ok(tb.st.Session(ctx, tb.session.ID))(t)

	rc := ok(recaps.Recap(ctx, gs))(t)
	if rc.Title != "Session 1: Arrival" || !strings.HasSuffix(rc.Text, "No transcript was recorded.") || strings.Contains(rc.Text, "Played") {
		t.Errorf("recap of an empty, unplayed session = %+v", rc)
	}
	ok(tb.svc.IngestSegments(ctx, tb.gm.ID, tb.session.ID, []*gmc.TranscriptSegment{
		{SpeakerLabel: "spk1", EndMS: 1, Text: "\u200b"},
		{SpeakerLabel: "spk\u00071", EndMS: 2, Text: "Over\nthe bridge"},
	}))(t)
	sumWith := func(lines ...gmc.RecapLine) {
		s := &gmc.SessionSummary{SessionID: gs.ID, CampaignID: gs.CampaignID, Mode: "builtin", View: "gm", PlayerRecap: lines, CreatedAt: time.Now()}
		ok(tb.st.SaveSummary(ctx, s, nil))(t)
	}
	sumWith(gmc.RecapLine{Speaker: "Ireena", Text: " \t "})
	rc = ok(recaps.Recap(ctx, gs))(t)
	if want := "From the transcript:\n\nspk1: Over the bridge"; rc.Text != want {
		t.Errorf("recap of a summary without player lines = %q, want the transcript's %q", rc.Text, want)
	}
	sumWith(gmc.RecapLine{Text: "\u200e"}, gmc.RecapLine{Speaker: "Ireena", Text: "We crossed\r\nthe bridge."})
	rc = ok(recaps.Recap(ctx, gs))(t)
	if rc.Text != "Ireena: We crossed  the bridge." {
		t.Errorf("recap of the summary = %q", rc.Text)
	}

	bs := newBrokenStore(tb.st)
	bs.set("SessionSummary")
	if _, err := (service.SummaryRecaps{Store: bs, Fallback: service.TranscriptRecaps{Store: bs}}).Recap(ctx, gs); !errors.Is(err, errBroken) {
		t.Errorf("summary unreadable: Recap = %v, want the failure", err)
	}
	bs.set("Segments")
	if _, err := (service.TranscriptRecaps{Store: bs}).Recap(ctx, gs); !errors.Is(err, errBroken) {
		t.Errorf("transcript unreadable: Recap = %v, want the failure", err)
	}
}

// TestSegmentSearchNamesSpeakers: a transcript line found by search is
// named by its speaker's character, else member, else label; a character
// deleted since the mapping names nobody, so the member is shown; when a
// speaker's character or member cannot be read the search fails rather
// than show a wrong name.
func TestSegmentSearchNamesSpeakers(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tb := newTable(t, be.open(t))
			doomed := ok(tb.svc.CreateCharacter(ctx, tb.gm.ID, tb.campaign.ID, service.CharacterParams{Name: "Doomed", CharacterType: gmc.CharacterNPC}))(t)
			ok(tb.svc.SetSpeakers(ctx, tb.gm.ID, tb.session.ID, []gmc.Speaker{
				{Label: "spk1", UserID: &tb.player.ID, CharacterID: &doomed.ID},
				{Label: "spk2", UserID: &tb.player.ID},
				{Label: "spk3", CharacterID: &tb.npc.ID},
			}))(t)
			ok(tb.svc.IngestSegments(ctx, tb.gm.ID, tb.session.ID, []*gmc.TranscriptSegment{
				{SpeakerLabel: "spk1", EndMS: 1, Text: "The drawbridge is down"},
				{SpeakerLabel: "spk1", EndMS: 2, Text: "Cross the drawbridge"},
				{SpeakerLabel: "spk2", EndMS: 3, Text: "A drawbridge again"},
				{SpeakerLabel: "spk3", EndMS: 4, Text: "My drawbridge"},
				{SpeakerLabel: "spk4", EndMS: 5, Text: "Whose drawbridge"},
			}))(t)
			if err := tb.svc.DeleteCharacter(ctx, tb.gm.ID, doomed.ID); err != nil {
				t.Fatal(err)
			}
			res := ok(tb.svc.Search(ctx, tb.gm.ID, tb.campaign.ID, service.SearchParams{Query: "drawbridge", Types: []string{"segment"}}))(t)
			names := map[int64]string{}
			for _, it := range res.Items {
				if it.Segment != nil {
					names[it.Segment.Seq] = it.Segment.SpeakerName
				}
			}
			want := map[int64]string{1: "Player", 2: "Player", 3: "Player", 4: "Ismark Kolyanovich", 5: "spk4"}
			if diff := cmp.Diff(want, names); diff != "" {
				t.Errorf("speaker names of the lines found (-want +got):\n%s", diff)
			}

			bs := newBrokenStore(tb.st)
			svc := serviceOver(t, bs, nil, nil)
			for _, c := range []struct{ step, user string }{{"Character", tb.gm.ID}, {"User", tb.gm.ID}, {"Character", tb.player.ID}} {
				bs.set(c.step)
				_, err := svc.Search(ctx, c.user, tb.campaign.ID, service.SearchParams{Query: "drawbridge", Types: []string{"segment"}})
				bs.set("")
				if !errors.Is(err, errBroken) {
					t.Errorf("%s broken, search as %s = %v, want the failure", c.step, c.user, err)
				}
			}
		})
	}
}

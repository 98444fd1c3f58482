package summary_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/keywords"
	"github.com/gmc-project/gmc/internal/reference"
	"github.com/gmc-project/gmc/internal/summary"
	"github.com/gmc-project/gmc/internal/testenv"
	"github.com/gmc-project/gmc/internal/textmatch"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// script is testdata/session.json with its transcript.
type script struct {
	Characters []struct {
		ID      string   `json:"id"`
		Name    string   `json:"name"`
		Kind    string   `json:"kind"`
		Aliases []string `json:"aliases"`
		Tags    []string `json:"tags"`
		GMOnly  bool     `json:"gm_only"`
	} `json:"characters"`
	Locations []struct {
		ID      string   `json:"id"`
		Name    string   `json:"name"`
		Aliases []string `json:"aliases"`
	} `json:"locations"`
	Plots []struct {
		ID           string         `json:"id"`
		Title        string         `json:"title"`
		Status       gmc.PlotStatus `json:"status"`
		Progress     int            `json:"progress"`
		CharacterIDs []string       `json:"character_ids"`
		Milestones   []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"milestones"`
		GMOnly bool `json:"gm_only"`
	} `json:"plots"`
	Speakers             map[string]string `json:"speakers"`
	ExpectedEntities     []string          `json:"expected_entities"`
	ExpectedNewNPCs      []string          `json:"expected_new_npcs"`
	ExpectedAchievements []string          `json:"expected_achievements"`
	GMOnlyNames          []string          `json:"gm_only_names"`

	in     summary.SummaryInput
	scenes []labelledScene
}

type labelledScene struct {
	kind     gmc.SceneKind
	from, to int64 // seqs
}

func loadScript(t testing.TB) *script {
	t.Helper()
	b, err := os.ReadFile("testdata/session.json")
	if err != nil {
		t.Fatal(err)
	}
	var s script
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	for _, c := range s.Characters {
		s.in.Characters = append(s.in.Characters, summary.Entity{ID: c.ID, Name: c.Name, Kind: c.Kind, Aliases: c.Aliases, Tags: c.Tags, GMOnly: c.GMOnly})
	}
	for _, l := range s.Locations {
		s.in.Locations = append(s.in.Locations, summary.Entity{ID: l.ID, Name: l.Name, Kind: "location", Aliases: l.Aliases})
	}
	for _, p := range s.Plots {
		sp := summary.Plot{ID: p.ID, Title: p.Title, Status: p.Status, Progress: p.Progress, CharacterIDs: p.CharacterIDs, GMOnly: p.GMOnly}
		for _, m := range p.Milestones {
			sp.Milestones = append(sp.Milestones, summary.Milestone{ID: m.ID, Title: m.Title})
		}
		s.in.Plots = append(s.in.Plots, sp)
	}
	txt, err := os.ReadFile("testdata/session.txt")
	if err != nil {
		t.Fatal(err)
	}
	var seq int64
	for _, line := range strings.Split(string(txt), "\n") {
		if kind, ok := strings.CutPrefix(line, "# scene "); ok {
			s.scenes = append(s.scenes, labelledScene{kind: gmc.SceneKind(kind), from: seq + 1})
			continue
		}
		parts := strings.SplitN(line, " | ", 3)
		if len(parts) != 3 {
			continue
		}
		sec, err := strconv.Atoi(parts[0])
		if err != nil {
			t.Fatalf("bad line %q", line)
		}
		seq++
		s.scenes[len(s.scenes)-1].to = seq
		speaker := parts[1]
		seg := summary.Segment{ID: fmt.Sprintf("seg-%03d", seq), Seq: seq, StartMS: int64(sec) * 1000, EndMS: int64(sec)*1000 + 4500,
			Speaker: speaker, CharacterID: s.Speakers[speaker], Text: parts[2]}
		for _, c := range s.Characters {
			if c.ID == seg.CharacterID {
				seg.Speaker = c.Name
			}
		}
		s.in.Segments = append(s.in.Segments, seg)
	}
	return &s
}

// engine builds the keyword engine on the SRD and the given campaign
// terms, as the server does for a campaign.
func engine(t *testing.T, campaign []keywords.Term) (*keywords.Engine, func(string) bool) {
	t.Helper()
	entries, err := reference.Load(testenv.SRDDir(t))
	if err != nil {
		t.Fatal(err)
	}
	srd := keywords.FromReference(entries)
	known := map[string]bool{}
	for _, term := range srd {
		for _, w := range strings.Fields(textmatch.Fold(term.Name)) {
			known[w] = true
		}
	}
	e := keywords.New(append(srd, campaign...), keywords.Options{Lexicon: keywords.LexiconFromReference(entries)})
	return e, func(w string) bool { return known[w] }
}

// detect runs the keyword engine over the segments, as ingestion does.
func detect(e *keywords.Engine, segs []summary.Segment) []*gmc.KeywordHit {
	var hits []*gmc.KeywordHit
	for _, s := range segs {
		dets := e.Detect(s.Text)
		for _, d := range dets {
			hits = append(hits, &gmc.KeywordHit{SegmentID: s.ID, Seq: s.Seq, Kind: gmc.HitTerm, TermKey: d.Term.Key, Name: d.Term.Name,
				Category: d.Term.Category, Ref: d.Term.Ref, Span: d.Span, GMOnly: d.Term.GMOnly})
		}
		for _, ev := range keywords.Events(s.Text, dets) {
			values, _ := json.Marshal(ev.Values)
			hits = append(hits, &gmc.KeywordHit{SegmentID: s.ID, Seq: s.Seq, Kind: gmc.HitRule, TermKey: "rule:" + ev.Kind, Name: ev.Kind,
				Category: "rule", Span: ev.Span, Values: values})
		}
	}
	return hits
}

func (s *script) campaignTerms() []keywords.Term {
	var terms []keywords.Term
	for _, c := range s.in.Characters {
		terms = append(terms, keywords.Term{Key: "character:" + c.ID, Name: c.Name, Aliases: c.Aliases, Category: c.Kind, Source: "campaign",
			Ref: "characters/" + c.ID, GMOnly: c.GMOnly})
	}
	for _, l := range s.in.Locations {
		terms = append(terms, keywords.Term{Key: "location:" + l.ID, Name: l.Name, Aliases: l.Aliases, Category: "location", Source: "campaign",
			Ref: "locations/" + l.ID})
	}
	return terms
}

// sceneRecall is the share of labelled scenes that a found scene of the
// same kind covers for at least half of their segments.
func sceneRecall(labels []labelledScene, found []gmc.Scene) (int, int) {
	hit := 0
	for _, l := range labels {
		covered := int64(0)
		for _, f := range found {
			if f.Kind != l.kind {
				continue
			}
			lo, hi := max(l.from, f.FirstSeq), min(l.to, f.LastSeq)
			if hi >= lo {
				covered += hi - lo + 1
			}
		}
		if 2*covered >= l.to-l.from+1 {
			hit++
		}
	}
	return hit, len(labels)
}

// TestBuiltinOnScript measures the built-in summary on the written
// multi-scene session: recall of its labelled entities and scene kinds,
// the new NPC and feats it must find, and that nothing GM-only reaches
// the player view. Run with -v for the figures.
func TestBuiltinOnScript(t *testing.T) {
	s := loadScript(t)
	e, known := engine(t, s.campaignTerms())
	s.in.Hits = detect(e, s.in.Segments)
	s.in.Known = known
	var fractions []float64
	s.in.Progress = func(f float64, _ string) { fractions = append(fractions, f) }
	out, err := summary.Builtin{}.Summarize(context.Background(), s.in)
	if err != nil {
		t.Fatal(err)
	}
	if len(fractions) < 3 || !slices.IsSorted(fractions) {
		t.Errorf("progress reported %v, want a rising series", fractions)
	}

	found := 0
	for _, want := range s.ExpectedEntities {
		if slices.ContainsFunc(out.Entities, func(m gmc.EntityMention) bool { return m.Key == want }) {
			found++
		} else {
			t.Logf("entity not found: %s", want)
		}
	}
	entityRecall := float64(found) / float64(len(s.ExpectedEntities))
	hit, total := sceneRecall(s.scenes, out.Scenes)
	sceneRecallF := float64(hit) / float64(total)
	t.Logf("script: %d segments; entity recall %.2f (%d/%d); scene-kind recall %.2f (%d/%d); %d scenes found",
		len(s.in.Segments), entityRecall, found, len(s.ExpectedEntities), sceneRecallF, hit, total, len(out.Scenes))
	for _, sc := range out.Scenes {
		t.Logf("  scene %-11s seq %3d–%3d cues %v", sc.Kind, sc.FirstSeq, sc.LastSeq, sc.Cues)
	}
	// The same session told without pauses: scenes must then be split
	// by the change of topic alone.
	flat := s.in
	flat.Progress = nil
	flat.Segments = slices.Clone(s.in.Segments)
	for i := range flat.Segments {
		flat.Segments[i].StartMS, flat.Segments[i].EndMS = int64(i)*5000, int64(i)*5000+4500
	}
	flatOut, err := summary.Builtin{}.Summarize(context.Background(), flat)
	if err != nil {
		t.Fatal(err)
	}
	flatHit, _ := sceneRecall(s.scenes, flatOut.Scenes)
	t.Logf("script without pauses: scene-kind recall %.2f (%d/%d); %d scenes found", float64(flatHit)/float64(total), flatHit, total, len(flatOut.Scenes))
	for _, sc := range flatOut.Scenes {
		t.Logf("  scene %-11s seq %3d–%3d", sc.Kind, sc.FirstSeq, sc.LastSeq)
	}
	if float64(flatHit)/float64(total) < 0.8 {
		t.Errorf("scene-kind recall without pauses %.2f, want at least 0.8", float64(flatHit)/float64(total))
	}
	// And as a recogniser writes it: lower case, no punctuation. New
	// names cannot be told by their capitals then; the rest must hold.
	asr := flat
	asr.Segments = slices.Clone(flat.Segments)
	for i := range asr.Segments {
		asr.Segments[i].Text = strings.Map(func(r rune) rune {
			if strings.ContainsRune(".,!?;:", r) {
				return -1
			}
			return r
		}, strings.ToLower(asr.Segments[i].Text))
	}
	asr.Hits = detect(e, asr.Segments)
	asrOut, err := summary.Builtin{}.Summarize(context.Background(), asr)
	if err != nil {
		t.Fatal(err)
	}
	asrFound := 0
	for _, want := range s.ExpectedEntities {
		if slices.ContainsFunc(asrOut.Entities, func(m gmc.EntityMention) bool { return m.Key == want }) {
			asrFound++
		}
	}
	asrHit, _ := sceneRecall(s.scenes, asrOut.Scenes)
	t.Logf("script lower-cased, unpunctuated, without pauses: entity recall %.2f (%d/%d); scene-kind recall %.2f (%d/%d)",
		float64(asrFound)/float64(len(s.ExpectedEntities)), asrFound, len(s.ExpectedEntities), float64(asrHit)/float64(total), asrHit, total)
	if b, _ := json.Marshal(asrOut.SessionSummary.ForPlayers()); strings.Contains(strings.ToLower(string(b)), "vess") {
		t.Errorf("lower-cased: the player view names the GM-only NPC: %s", b)
	}
	if entityRecall < 0.9 {
		t.Errorf("entity recall %.2f, want at least 0.9", entityRecall)
	}
	if sceneRecallF < 0.8 {
		t.Errorf("scene-kind recall %.2f, want at least 0.8", sceneRecallF)
	}

	// Every fact carries evidence that exists.
	ids := map[string]bool{}
	for _, seg := range s.in.Segments {
		ids[seg.ID] = true
	}
	checkEvidence := func(what string, ev gmc.Evidence) {
		if len(ev.SegmentIDs) == 0 {
			t.Errorf("%s has no evidence", what)
		}
		for _, id := range ev.SegmentIDs {
			if !ids[id] {
				t.Errorf("%s cites unknown segment %s", what, id)
			}
		}
	}
	for _, l := range append(slices.Clone(out.GMRecap), out.PlayerRecap...) {
		checkEvidence("recap line "+l.Text, l.Evidence)
	}
	for _, x := range out.Scenes {
		checkEvidence("scene", x.Evidence)
	}
	for _, x := range out.Entities {
		checkEvidence("entity "+x.Name, x.Evidence)
	}
	for _, x := range out.PlotPoints {
		checkEvidence("plot point "+x.Title, x.Evidence)
	}
	for _, x := range out.Relationships {
		checkEvidence("relationship "+x.SourceName+">"+x.TargetName, x.Evidence)
	}
	for _, x := range out.Achievements {
		checkEvidence("achievement "+x.Title, x.Evidence)
	}
	for _, p := range out.Proposals {
		checkEvidence("proposal "+string(p.Kind)+" "+p.Target, p.Evidence)
	}

	// The new NPC, and no known name proposed as one.
	var newNPCs []string
	for _, p := range out.Proposals {
		t.Logf("  proposal %-16s %-28s %s", p.Kind, p.Target, p.Payload)
		if p.Kind == gmc.ProposeNewNPC {
			newNPCs = append(newNPCs, p.Target)
		}
	}
	for _, want := range s.ExpectedNewNPCs {
		if !slices.Contains(newNPCs, want) {
			t.Errorf("new NPC %q not proposed; new NPC proposals %v", want, newNPCs)
		}
	}
	if len(newNPCs) > len(s.ExpectedNewNPCs) {
		t.Errorf("new NPC proposals %v, want only %v", newNPCs, s.ExpectedNewNPCs)
	}
	for _, want := range s.ExpectedAchievements {
		if !slices.ContainsFunc(out.Achievements, func(f gmc.Feat) bool { return f.Kind == want }) {
			t.Errorf("achievement %s not found in %+v", want, out.Achievements)
		}
	}
	if !slices.ContainsFunc(out.Proposals, func(p *gmc.Proposal) bool { return p.Kind == gmc.ProposeMilestoneDone && p.Target == "ms-tower" }) {
		t.Error("milestone 'Find the bandit hideout' not proposed as done")
	}
	if !slices.ContainsFunc(out.Proposals, func(p *gmc.Proposal) bool {
		return p.Kind == gmc.ProposeLocationVisited && p.Target == "loc-market"
	}) {
		t.Error("the market the party walked to is not proposed as visited")
	}

	// The GM recap may name the GM-only NPC; the player view never does.
	players := out.SessionSummary.ForPlayers()
	b, err := json.Marshal(players)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range s.GMOnlyNames {
		if strings.Contains(strings.ToLower(string(b)), strings.ToLower(name)) {
			t.Errorf("player view mentions GM-only %q:\n%s", name, b)
		}
	}
	if len(players.PlayerRecap) == 0 {
		t.Error("empty player recap")
	}
	for _, l := range out.GMRecap {
		t.Logf("  GM recap  %s: %s", l.Speaker, l.Text)
	}
}

// TestBuiltinOnReference measures entity recall on the reference
// transcripts of the diarization benchmark (shared/bench/diarization),
// whose sentences carry the keyword benchmark's labelled mentions. Run
// with -v for the figures.
func TestBuiltinOnReference(t *testing.T) {
	shared := testenv.SharedData(t, "bench/diarization/dev01.json", "bench/keywords/dev.jsonl", "bench/keywords/campaign.json")
	labels := map[string][]string{} // sentence text → labelled terms
	f, err := os.ReadFile(filepath.Join(shared, "bench/keywords/dev.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(f), "\n") {
		if line == "" {
			continue
		}
		var u struct {
			Reference string `json:"reference"`
			Mentions  []struct {
				Term string `json:"term"`
			} `json:"mentions"`
		}
		if err := json.Unmarshal([]byte(line), &u); err != nil {
			t.Fatal(err)
		}
		for _, m := range u.Mentions {
			if !slices.Contains(labels[u.Reference], m.Term) {
				labels[u.Reference] = append(labels[u.Reference], m.Term)
			}
		}
	}
	var camp struct {
		Entries []struct {
			Name     string   `json:"name"`
			Category string   `json:"category"`
			Aliases  []string `json:"aliases"`
		} `json:"entries"`
	}
	cb, err := os.ReadFile(filepath.Join(shared, "bench/keywords/campaign.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(cb, &camp); err != nil {
		t.Fatal(err)
	}
	var terms []keywords.Term
	var in summary.SummaryInput
	for i, c := range camp.Entries {
		id := fmt.Sprintf("e%d", i)
		terms = append(terms, keywords.Term{Key: "character:" + id, Name: c.Name, Aliases: c.Aliases, Category: c.Category, Source: "campaign"})
		kind := "npc"
		switch c.Category {
		case "pc":
			kind = "pc"
		case "location", "place":
			kind = "location"
		}
		in.Characters = append(in.Characters, summary.Entity{ID: id, Name: c.Name, Aliases: c.Aliases, Kind: kind})
	}
	e, known := engine(t, terms)
	in.Known = known
	totalFound, totalLabels := 0, 0
	for _, name := range []string{"dev01", "dev02", "dev03"} {
		b, err := os.ReadFile(filepath.Join(shared, "bench/diarization", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var rec struct {
			Turns []struct {
				Speaker   string  `json:"speaker"`
				Start     float64 `json:"start"`
				End       float64 `json:"end"`
				Text      string  `json:"text"`
				Sentences []struct {
					Text string `json:"text"`
				} `json:"sentences"`
			} `json:"turns"`
		}
		if err := json.Unmarshal(b, &rec); err != nil {
			t.Fatal(err)
		}
		in.Segments = nil
		var want []string
		for i, turn := range rec.Turns {
			in.Segments = append(in.Segments, summary.Segment{ID: fmt.Sprintf("%s-%d", name, i), Seq: int64(i + 1), StartMS: int64(turn.Start * 1000),
				EndMS: int64(turn.End * 1000), Speaker: turn.Speaker, Text: turn.Text})
			for _, s := range turn.Sentences {
				for _, term := range labels[s.Text] {
					if !slices.Contains(want, term) {
						want = append(want, term)
					}
				}
			}
		}
		in.Hits = detect(e, in.Segments)
		out, err := summary.Builtin{}.Summarize(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, term := range want {
			if slices.ContainsFunc(out.Entities, func(m gmc.EntityMention) bool { return textmatch.Fold(m.Name) == textmatch.Fold(term) }) {
				found++
			} else {
				t.Logf("%s: entity not found: %s", name, term)
			}
		}
		kinds := []string{}
		for _, sc := range out.Scenes {
			kinds = append(kinds, string(sc.Kind))
		}
		t.Logf("%s: %d turns; entity recall %d/%d; scenes %v; %d GM recap lines", name, len(in.Segments), found, len(want), kinds, len(out.GMRecap))
		totalFound += found
		totalLabels += len(want)
	}
	recall := float64(totalFound) / float64(max(totalLabels, 1))
	t.Logf("diarization dev reference transcripts: entity recall %.2f (%d/%d)", recall, totalFound, totalLabels)
	if totalLabels == 0 {
		t.Fatal("no labelled mentions matched the transcripts' sentences")
	}
	if recall < 0.8 {
		t.Errorf("entity recall %.2f on the reference transcripts, want at least 0.8", recall)
	}
}

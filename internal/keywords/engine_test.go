package keywords

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

// testTerms is a small dictionary of SRD-style names and the names of an
// invented campaign (not the benchmark's), enough to exercise every match
// kind and every guard.
func testTerms() []Term {
	srd := func(cat, name string, common bool, aliases ...string) Term {
		slug := strings.ReplaceAll(strings.ToLower(name), " ", "-")
		return Term{Key: "srd:" + cat + ":" + slug, Name: name, Aliases: aliases, Category: cat, Source: "srd", Common: common}
	}
	camp := func(cat, name string, aliases ...string) Term {
		return Term{Key: "campaign:" + name, Name: name, Aliases: aliases, Category: cat, Source: "campaign"}
	}
	return []Term{
		srd("spell", "Fireball", false),
		srd("spell", "Fire Bolt", false),
		srd("spell", "Magic Missile", false),
		srd("spell", "Counterspell", false),
		srd("spell", "Lightning Bolt", false),
		srd("spell", "Invisibility", false),
		srd("spell", "Hideous Laughter", false, "Tasha's Hideous Laughter"),
		srd("spell", "Shield", true),
		srd("spell", "Light", true),
		srd("spell", "Sleep", true),
		srd("spell", "Fly", true),
		srd("spell", "Wish", true),
		srd("spell", "Command", true),
		srd("spell", "Entangle", true),
		srd("monster", "Goblin", false),
		srd("monster", "Hobgoblin", false),
		srd("monster", "Ogre", false),
		srd("monster", "Troll", false),
		srd("monster", "Dire Wolf", false),
		srd("monster", "Cultist", false),
		srd("monster", "Gelatinous Cube", false),
		srd("monster", "Kobold", false),
		srd("condition", "Poisoned", true),
		srd("condition", "Stunned", true),
		srd("condition", "Charmed", true),
		srd("condition", "Invisible", true),
		srd("condition", "Prone", true),
		srd("magic_item", "Wand of Fireballs", false),
		srd("magic_item", "Ring of Invisibility", false),
		srd("magic_item", "Gauntlets of Ogre Power", false),
		srd("magic_item", "Potion of Healing", false, "Healing Potion"),
		camp("pc", "Xylandra Quill", "Xylandra"),
		camp("pc", "Bodrik Stonebrow", "Bodrik"),
		camp("pc", "Tam Ashwick", "Tam"),
		camp("npc", "Oriel Fenwhistle", "Oriel"),
		camp("location", "Thandrel's Reach"),
		camp("location", "Saltmarrow Docks", "Saltmarrow"),
		camp("faction", "Crimson Lattice"),
		camp("deity", "Quorravel"),
	}
}

type want struct {
	name, surface, reason string
}

func detectNames(e *Engine, text string) []want {
	var got []want
	for _, d := range e.Detect(text) {
		got = append(got, want{d.Term.Name, d.Surface, d.Reason})
	}
	return got
}

func TestDetectMatchKinds(t *testing.T) {
	e := New(testTerms(), Options{})
	tests := []struct {
		text string
		want []want
	}{
		// Exact and alias.
		{"she hurls a Fireball into the barn", []want{{"Fireball", "Fireball", ReasonExact}}},
		{"the witch casts Tasha's Hideous Laughter", []want{{"Hideous Laughter", "Tasha's Hideous Laughter", ReasonAlias}}},
		{"Bodrik hefts the warhammer", []want{{"Bodrik Stonebrow", "Bodrik", ReasonAlias}}},
		{"he gulps down a healing potion", []want{{"Potion of Healing", "healing potion", ReasonAlias}}},
		// Plurals and possessives.
		{"six kobolds pour out of the tunnel", []want{{"Kobold", "kobolds", ReasonExact}}},
		{"two dire wolves circle the camp", []want{{"Dire Wolf", "dire wolves", ReasonExact}}},
		{"Xylandra's lute is out of tune", []want{{"Xylandra Quill", "Xylandra's", ReasonAlias}}},
		{"we burn the cultists' banners", []want{{"Cultist", "cultists'", ReasonExact}}},
		{"the ferry leaves for thandrels reach", []want{{"Thandrel's Reach", "thandrels reach", ReasonExact}}},
		// Split and joined words.
		{"she lobs a fire ball over the wall", []want{{"Fireball", "fire ball", ReasonExact}}},
		{"do you want to counter spell it", []want{{"Counterspell", "counter spell", ReasonExact}}},
		{"the salt marrow docks are quiet", []want{{"Saltmarrow Docks", "salt marrow docks", ReasonExact}}},
		// Misspellings, scaled to the name's length.
		{"a gelatinus cube blocks the hall", []want{{"Gelatinous Cube", "gelatinus cube", ReasonFuzzy}}},
		{"the wand of firebals is empty", []want{{"Wand of Fireballs", "wand of firebals", ReasonFuzzy}}},
		// Sound-alikes, as a recogniser that knows only dictionary words
		// writes invented names.
		{"zee lan dra draws her bow", []want{{"Xylandra Quill", "zee lan dra", ReasonPhonetic}}},
		{"bod rick charges the gate", []want{{"Bodrik Stonebrow", "bod rick", ReasonPhonetic}}},
		{"the crimson lettuce sent a letter", []want{{"Crimson Lattice", "crimson lettuce", ReasonPhonetic}}},
		{"a prayer to core of el", []want{{"Quorravel", "core of el", ReasonPhonetic}}},
		{"we ride to than drills reach", []want{{"Thandrel's Reach", "than drills reach", ReasonPhonetic}}},
		// Context admits common words.
		{"as a reaction I cast shield", []want{{"Shield", "shield", ReasonContext}}},
		{"Bodrik is poisoned", []want{{"Bodrik Stonebrow", "Bodrik", ReasonAlias}, {"Poisoned", "poisoned", ReasonContext}}},
		{"she casts entangel on the boars", []want{{"Entangle", "entangel", ReasonContext}}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := detectNames(e, tt.text)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Detect(%q)\n got  %v\n want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestDetectGuardsAgainstFalseAlarms(t *testing.T) {
	e := New(testTerms(), Options{})
	tests := []struct {
		text string
		want []string // term names, in order
	}{
		{"she ducks behind her shield", nil},
		{"the baby finally went to sleep", nil},
		{"the crows fly over the barn", nil},
		{"we wish the rain would stop", nil},
		{"the sergeant takes command of the watch", nil},
		{"the fire crackles in the hearth", nil},                           // plain fire is not Fireball
		{"a lightning storm rolls in", nil},                                // not Lightning Bolt, not Light
		{"the mage aims a lightning bolt", []string{"Lightning Bolt"}},     // not Light
		{"Bodrik tames the pony", []string{"Bodrik Stonebrow"}},            // "tames" is not Tam
		{"hobgoblins guard the bridge", []string{"Hobgoblin"}},             // not Goblin
		{"he levels the Wand of Fireballs", []string{"Wand of Fireballs"}}, // not Fireball
		{"she pockets the Ring of Invisibility", []string{"Ring of Invisibility"}},
		{"he pulls on the Gauntlets of Ogre Power", []string{"Gauntlets of Ogre Power"}},
		{"I'm stunned that it worked", nil},
		{"charmed to meet you, says the baron", nil},
		{"the tea is cold and the inn is loud", nil}, // short names need exact spelling
		{"the dragon circles the tower", nil},        // "dragon" is not a mangled name
		{"this is a good role for you", nil},         // a four-phone name is not matched by sound
		{"the garden of the old mill is quiet", nil}, // ordinary talk sounds like no name
		{"hand me the rope and the lantern", nil},    // nor does this
		{"invisible ink covers the letter", nil},     // a word of its own, not Invisibility
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			var got []string
			for _, d := range e.Detect(tt.text) {
				got = append(got, d.Term.Name)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Detect(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestDetectOptions(t *testing.T) {
	terms := testTerms()
	terms = append(terms, Term{Key: "campaign:vault", Name: "Hidden Vault", Category: "location", GMOnly: true})
	e := New(terms, Options{})
	if got := detectNames(e, "she ducks behind her shield"); got != nil {
		t.Fatalf("common word reported without context: %v", got)
	}
	e.SetOptions(Options{AlertCommon: true})
	if got := detectNames(e, "she ducks behind her shield"); len(got) != 1 || got[0].name != "Shield" {
		t.Errorf("AlertCommon: got %v, want Shield", got)
	}
	e.SetOptions(Options{Threshold: 0.99})
	if got := detectNames(e, "a gelatinus cube blocks the hall"); got != nil {
		t.Errorf("threshold 0.99 still reports a misspelling: %v", got)
	}
	e.SetOptions(Options{})
	d := e.Detect("they reach the hidden vault")
	if len(d) != 1 || !d[0].Term.GMOnly || d[0].Span != [2]int{15, 27} || d[0].Confidence < DefaultThreshold {
		t.Errorf("GM-only term: got %+v", d)
	}
}

func TestUpdates(t *testing.T) {
	e := New(testTerms(), Options{})
	n := e.Len()
	e.Add(Term{Key: "campaign:xylara", Name: "Xylara", Category: "npc"})
	if e.Len() != n+1 || len(e.Detect("Xylara asks for help")) != 1 {
		t.Fatalf("Add: len %d, detections %v", e.Len(), e.Detect("Xylara asks for help"))
	}
	e.Replace("campaign:xylara", Term{Key: "campaign:xylara", Name: "Xylara Moonwhisper", Aliases: []string{"Moonwhisper"}, Category: "npc"})
	if got := detectNames(e, "ask Moonwhisper"); len(got) != 1 || got[0].name != "Xylara Moonwhisper" {
		t.Errorf("after Replace: %v", got)
	}
	if got := detectNames(e, "Xylara asks"); len(got) != 0 {
		t.Errorf("old name still detected after Replace: %v", got)
	}
	if removed := e.Remove("campaign:xylara", "no-such-key"); removed != 1 || e.Len() != n {
		t.Errorf("Remove = %d, len %d; want 1, %d", removed, e.Len(), n)
	}
	if got := detectNames(e, "ask Moonwhisper"); len(got) != 0 {
		t.Errorf("removed term still detected: %v", got)
	}
	e.Add(Term{Key: "srd:monster:goblin", Name: "Goblin", Category: "monster", GMOnly: true})
	if d := e.Detect("a goblin"); len(d) != 1 || !d[0].Term.GMOnly || e.Len() != n {
		t.Errorf("Add with an existing key should replace it: %+v, len %d", d, e.Len())
	}
	e.Reset(nil)
	if e.Len() != 0 || e.Detect("a goblin") != nil {
		t.Errorf("Reset(nil) left terms")
	}
}

// TestConcurrentDetectAndUpdate runs readers against a writer; run with
// -race to check the snapshot discipline.
func TestConcurrentDetectAndUpdate(t *testing.T) {
	e := New(testTerms(), Options{})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				for _, d := range e.Detect("four goblins and Nyx7 cast fire ball") {
					if d.Term.Name == "" {
						t.Error("detection without a term")
						return
					}
				}
			}
		}()
	}
	for i := range 200 {
		key := fmt.Sprintf("campaign:npc-%d", i%5)
		e.Add(Term{Key: key, Name: fmt.Sprintf("Nyx%d", i%10), Category: "npc"})
		if i%3 == 0 {
			e.Remove(key)
		}
	}
	close(stop)
	wg.Wait()
}

// TestCompactKeepsTerms churns one key until compaction rebuilds the
// snapshot, and checks that nothing live was lost.
func TestCompactKeepsTerms(t *testing.T) {
	e := New(testTerms(), Options{})
	n := e.Len()
	for i := range 3000 {
		e.Add(Term{Key: "campaign:churn", Name: fmt.Sprintf("Churn%d", i), Category: "npc"})
	}
	if e.Len() != n+1 {
		t.Fatalf("Len = %d, want %d", e.Len(), n+1)
	}
	if len(e.snap.Load().terms) > 2*e.Len()+1100 {
		t.Errorf("garbage not compacted: %d terms stored", len(e.snap.Load().terms))
	}
	if got := detectNames(e, "Churn2999 and the goblin"); len(got) != 2 {
		t.Errorf("after compaction: %v", got)
	}
}

package keywords

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

// testTerms is a small dictionary of SRD-style names and campaign names,
// enough to exercise every match kind and every guard.
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
		srd("monster", "Dire Wolf", false),
		srd("monster", "Cultist", false),
		srd("monster", "Gelatinous Cube", false),
		srd("monster", "Minotaur", false),
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
		srd("magic_item", "Cloak of Protection", false),
		camp("pc", "Thalindra Voss", "Thalindra"),
		camp("pc", "Grimbold Ironfist", "Grimbold"),
		camp("pc", "Pip Tumblewick", "Pip"),
		camp("pc", "Korrin Blackthorn", "Korrin"),
		camp("location", "Kethric's Hollow"),
		camp("location", "Greywater Keep", "Greywater"),
		camp("faction", "Veiled Hand"),
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
		{"I cast Fireball at them", []want{{"Fireball", "Fireball", ReasonExact}}},
		{"she casts Tasha's Hideous Laughter", []want{{"Hideous Laughter", "Tasha's Hideous Laughter", ReasonAlias}}},
		{"Grimbold swings his axe", []want{{"Grimbold Ironfist", "Grimbold", ReasonAlias}}},
		{"she drinks a healing potion", []want{{"Potion of Healing", "healing potion", ReasonAlias}}},
		// Plurals and possessives.
		{"four goblins behind the door", []want{{"Goblin", "goblins", ReasonExact}}},
		{"the dire wolves howl", []want{{"Dire Wolf", "dire wolves", ReasonExact}}},
		{"Thalindra's dagger glints", []want{{"Thalindra Voss", "Thalindra's", ReasonAlias}}},
		{"the cultists' camp", []want{{"Cultist", "cultists'", ReasonExact}}},
		{"the road to kethrics hollow", []want{{"Kethric's Hollow", "kethrics hollow", ReasonExact}}},
		// Split and joined words.
		{"he throws a fire ball", []want{{"Fireball", "fire ball", ReasonExact}}},
		{"can I counter spell that", []want{{"Counterspell", "counter spell", ReasonExact}}},
		{"thalin dra slips away", []want{{"Thalindra Voss", "thalin dra", ReasonAlias}}},
		{"the grey water keep", []want{{"Greywater Keep", "grey water keep", ReasonExact}}},
		// Misspellings, scaled to the name's length.
		{"I cast magic missle", []want{{"Magic Missile", "magic missle", ReasonFuzzy}}},
		{"the want of fireballs", []want{{"Wand of Fireballs", "want of fireballs", ReasonFuzzy}}},
		{"the veiled and left a glove", []want{{"Veiled Hand", "veiled and", ReasonFuzzy}}},
		// Sound-alikes.
		{"bonus action on korean", []want{{"Korrin Blackthorn", "korean", ReasonPhonetic}}},
		{"the minute tour charges", []want{{"Minotaur", "minute tour", ReasonPhonetic}}},
		{"push the cobalt off the ledge", []want{{"Kobold", "cobalt", ReasonPhonetic}}},
		// Context admits common words.
		{"I use my reaction to cast shield", []want{{"Shield", "shield", ReasonContext}}},
		{"Grimbold is poisoned", []want{{"Grimbold Ironfist", "Grimbold", ReasonAlias}, {"Poisoned", "poisoned", ReasonContext}}},
		{"i cast untangle on them", []want{{"Entangle", "untangle", ReasonContext}}},
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
		{"I raise my shield and step forward", nil},
		{"I need to sleep, I have work tomorrow", nil},
		{"then I'll just fly over the wall", nil},
		{"I wish we had taken the other road", nil},
		{"the captain gives the command to fire", nil},
		{"he stares into the fire", nil},                                // plain fire is not Fireball
		{"lightning flashes outside", nil},                              // not Lightning Bolt, not Light
		{"Lightning Bolt down the hallway", []string{"Lightning Bolt"}}, // not Light
		{"Grimbold lights his pipe", []string{"Grimbold Ironfist"}},     // not Pip, not Light
		{"the hobgoblins form a wall", []string{"Hobgoblin"}},           // not Goblin
		{"she fires the Wand of Fireballs", []string{"Wand of Fireballs"}},
		{"he slips on the Ring of Invisibility", []string{"Ring of Invisibility"}},
		{"with the Gauntlets of Ogre Power", []string{"Gauntlets of Ogre Power"}},
		{"I'm honestly stunned that plan worked", nil},
		{"Charmed, I'm sure, says the duchess", nil},
		{"I'm basically invisible at this party", nil},
		{"the night is cold and the roll is low", nil}, // short names need exact spelling
		{"the dragon sleeps", nil},                     // "dragon" is not a mangled name
		{"Can I polymorph the troll", nil},
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
	if got := detectNames(e, "I raise my shield"); got != nil {
		t.Fatalf("common word reported without context: %v", got)
	}
	e.SetOptions(Options{AlertCommon: true})
	if got := detectNames(e, "I raise my shield"); len(got) != 1 || got[0].name != "Shield" {
		t.Errorf("AlertCommon: got %v, want Shield", got)
	}
	e.SetOptions(Options{Threshold: 0.99})
	if got := detectNames(e, "I cast magic missle"); got != nil {
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
